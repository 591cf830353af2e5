import Vapor

/// The table of contents: every feature registers its routes here, each with its permission.
func routes(_ app: Application) throws {
    LoginRoutes.register(app)
    HomeRoutes.register(app)
    OrganizationRoutes.register(app)
    AccountRoutes.register(app)
    PersonRoutes.register(app)
    PersonPhotoRoutes.register(app)
    PersonImportRoutes.register(app)
    SelfServiceRoutes.register(app)
    CatalogueRoutes.register(app)
    TrainingClassRoutes.register(app)
    EnrolmentRoutes.register(app)
    EnrolRoutes.register(app)
    StudyRoutes.register(app)
    ExamRoomRoutes.register(app)
    ExamPlanRoutes.register(app)
    TicketRoutes.register(app)
    CandidateRoutes.register(app)
    AuditRoutes.register(app)
    SecurityRoutes.register(app)
    APIRoutes.register(app)
}
