import Fluent

enum SafeCertMigrations {
    /// In order; each migration is one file in its feature's Migrations folder, named for what it does.
    static let all: [any Migration] = [
        CreateOrganization(),
        CreatePerson(),
        CreateAccount(),
        CreateWebSession(),
        CreateAuditEntry(),
        CreateAPIKey(),
        CreateSMSMessage(),
        CreateOrganizationNameChange(),
        CreatePersonChange(),
        CreatePersonPhoto(),
        CreateImportJob(),
        CreateQualificationCatalogue(),
        CreateTraining(),
        CreateStudy(),
        CreateExamRoom(),
        CreateExamPlan(),
        CreateExamDay(),
        AddExamPlanRoomPosition(),
        AddExamPlanRoomResultsSubmitted(),
        AddAuditChain(),
        AddImportJobSubject(),
        AddPersonIdentityKey(),
        CreateThrottleEvent(),
        AddLessonMediaFacts(),
        AddStudyBeatPosition(),
        AddPeopleListIndexes(),
        CreateUsedCaptcha(),
        AddPeopleRegisteredByQueueIndex(),
        AddPeopleUnitNameIndexes(),
    ]
}
