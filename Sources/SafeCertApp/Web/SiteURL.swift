import Foundation
import Vapor

/// Every path of the site, once: routes register from it and pages build links from it.
enum SiteURL: Sendable, Equatable {
    case home
    case login
    case captcha
    case loginVerify
    case loginSendSMS
    case logout
    case password

    case organizations
    case organizationNew
    case organization(UUID?)
    case organizationEdit(UUID?)
    case organizationConvert(UUID?)
    case organizationLookup
    case myOrganization

    case accounts
    case accountNew
    case accountDisable(UUID?)
    case accountEnable(UUID?)
    case accountResetPassword(UUID?)
    case accountUnlock(UUID?)

    case audit
    case apiKeys
    case apiKeyRevoke(UUID?)
    case securityPolicy
    case smsOutbox

    case people
    case personNew
    case person(UUID?)
    case personEdit(UUID?)
    case personApprove(UUID?)
    case personReturn(UUID?)
    case personCancel(UUID?)
    case personChangeDecide(UUID?)
    case personUnit(UUID?)
    case personPhoto(UUID?)
    case personThumbnail(UUID?)
    case peopleReview
    case peopleTransfer
    case peopleExport
    case peopleImport
    case peopleImportTemplate
    case peopleImportJob(UUID?)
    case peopleImportStatus(UUID?)
    case peopleImportErrors(UUID?)
    case peoplePhotos
    case organizationsExport
    case myOrganizationDelete
    case me
    case register
    case registerSMS
    case catalogue
    case catalogueQualification(String?)
    case classes
    case classNew
    case trainingClass(UUID?)
    case classEdit(UUID?)
    case classState(UUID?)
    case classEnrol(UUID?)
    case classEnrolBatch(UUID?)
    case classResults(UUID?)
    case classResultsSubmit(UUID?)
    case enrolments
    case enrolmentTemplate
    case enrolment(UUID?)
    case enrolmentForm(UUID?)
    case enrolmentCancel(UUID?)
    case enrolmentResubmit(UUID?)
    case enrolmentsConfirm
    case enrolmentsPayment
    case enrolmentsCheckIn
    case enrolmentsReview
    case enrolmentsExport
    case enrolSelf
    case enrolSelfClass(UUID?)
    case courses
    case course(UUID?)
    case lessonMedia(UUID?)
    case study
    case studyLesson(UUID?)
    case studyStart(UUID?)
    case studyHeartbeat
    case studySnapshot
    case studySnapshotImage(UUID?)
    case studyRecords
    case studyAnomalies
    case examRooms
    case examRoomNew
    case examRoom(UUID?)
    case examRoomEdit(UUID?)
    case examPlans
    case examPlanNew
    case examPlan(UUID?)
    case examPlanState(UUID?)
    case examPlanRemove(UUID?)
    case examPlanPlace(UUID?)
    case examPlanEditCandidate(UUID?)
    case examPlanTickets(UUID?)
    case tickets
    case ticket(UUID?)
    case ticketWithdraw(UUID?)
    case ticketVerify
    case examCandidates
    case examCandidatesExport
    case examPlanImport(UUID?)
    case examPlanImportTemplate
    /// One candidate import's report (paginated problems) and its 下载问题行.
    case candidateImport(UUID?)
    case candidateImportErrors(UUID?)
    case examPlanResults(UUID?)
    case examPlanResultsImport(UUID?)
    case examPlanResultsTemplate(UUID?)
    case examCalendar
    case identity
    case identityCheck
    case identityLivePhoto(UUID?)
    case identityImage(UUID?)
    case live
    case liveIncident
    case examResults
    case examResultsExport
    case examSessions
    case examSessionNew
    case examSessionApply(UUID?)
    case examSessionRemove(UUID?)
    case examPeople
    // People and exam-plan hardening
    case peopleReviewDecide
    case peopleReviewExport
    case meEdit
    case mePhoto
    case examPlanEdit(UUID?)

    case healthz
    case apiOpenAPI
    case apiMe
    case apiEnterpriseLookup
    case apiEnrolmentPayment(UUID?)
    case apiPlanScores
    case apiCandidateProgress

    var path: String {
        "/" + components.map { component in
            if case .parameter(let name) = component { return ":" + name }
            return component.description
        }.joined(separator: "/")
    }

    /// The link, with the parameter filled in.
    var link: String {
        switch self {
        case .organization(let id), .organizationEdit(let id), .organizationConvert(let id),
             .accountDisable(let id), .accountEnable(let id), .accountResetPassword(let id), .accountUnlock(let id),
             .apiKeyRevoke(let id), .person(let id), .personEdit(let id), .personApprove(let id), .personReturn(let id),
             .personCancel(let id), .personChangeDecide(let id), .personUnit(let id), .personPhoto(let id),
             .personThumbnail(let id), .peopleImportJob(let id), .peopleImportStatus(let id), .peopleImportErrors(let id),
             .trainingClass(let id), .classEdit(let id), .classState(let id), .classEnrol(let id), .classEnrolBatch(let id),
             .classResults(let id), .classResultsSubmit(let id), .enrolment(let id), .enrolmentForm(let id),
             .enrolmentCancel(let id), .enrolmentResubmit(let id), .enrolSelfClass(let id), .course(let id), .lessonMedia(let id),
             .studyLesson(let id), .studyStart(let id), .studySnapshotImage(let id), .apiEnrolmentPayment(let id),
             .examRoom(let id), .examRoomEdit(let id), .examPlan(let id), .examPlanState(let id), .examPlanRemove(let id), .examPlanPlace(let id), .examPlanEditCandidate(let id),
             .examPlanTickets(let id), .ticket(let id), .ticketWithdraw(let id), .examPlanImport(let id), .examPlanResults(let id),
             .candidateImport(let id), .candidateImportErrors(let id),
             .examPlanResultsImport(let id), .examPlanResultsTemplate(let id), .identityLivePhoto(let id), .identityImage(let id),
             .examSessionApply(let id), .examSessionRemove(let id):
            return path.replacingOccurrences(of: ":id", with: id?.uuidString ?? "")
        case .examPlanEdit(let id):
            return path.replacingOccurrences(of: ":id", with: id?.uuidString ?? "")
        case .catalogueQualification(let code):
            return path.replacingOccurrences(of: ":code", with: code ?? "")
        default:
            return path
        }
    }

    var components: [PathComponent] {
        switch self {
        case .home: []
        case .login: ["login"]
        case .captcha: ["login", "captcha.png"]
        case .loginVerify: ["login", "verify"]
        case .loginSendSMS: ["login", "sms"]
        case .logout: ["logout"]
        case .password: ["account", "password"]
        case .organizations: ["organizations"]
        case .organizationNew: ["organizations", "new"]
        case .organization: ["organizations", ":id"]
        case .organizationEdit: ["organizations", ":id", "edit"]
        case .organizationConvert: ["organizations", ":id", "convert"]
        case .organizationLookup: ["organizations", "lookup"]
        case .myOrganization: ["my", "organization"]
        case .accounts: ["accounts"]
        case .accountNew: ["accounts", "new"]
        case .accountDisable: ["accounts", ":id", "disable"]
        case .accountEnable: ["accounts", ":id", "enable"]
        case .accountResetPassword: ["accounts", ":id", "reset-password"]
        case .accountUnlock: ["accounts", ":id", "unlock"]
        case .audit: ["audit"]
        case .apiKeys: ["security", "api-keys"]
        case .apiKeyRevoke: ["security", "api-keys", ":id", "revoke"]
        case .securityPolicy: ["security", "policy"]
        case .smsOutbox: ["demo", "sms-outbox"]
        case .people: ["people"]
        case .personNew: ["people", "new"]
        case .person: ["people", ":id"]
        case .personEdit: ["people", ":id", "edit"]
        case .personApprove: ["people", ":id", "approve"]
        case .personReturn: ["people", ":id", "return"]
        case .personCancel: ["people", ":id", "cancel"]
        case .personChangeDecide: ["people", ":id", "change"]
        case .personUnit: ["people", ":id", "unit"]
        case .personPhoto: ["people", ":id", "photo.jpg"]
        case .personThumbnail: ["people", ":id", "thumbnail.jpg"]
        case .peopleReview: ["people", "review"]
        case .peopleTransfer: ["people", "transfer"]
        case .peopleExport: ["people", "export.xlsx"]
        case .peopleImport: ["people", "import"]
        case .peopleImportTemplate: ["people", "import", "template.xlsx"]
        case .peopleImportJob: ["people", "import", ":id"]
        case .peopleImportStatus: ["people", "import", ":id", "status"]
        case .peopleImportErrors: ["people", "import", ":id", "errors.xlsx"]
        case .peoplePhotos: ["people", "photos"]
        case .organizationsExport: ["organizations", "export.xlsx"]
        case .myOrganizationDelete: ["my", "organization", "delete"]
        case .me: ["me"]
        case .meEdit: ["me", "edit"]
        case .mePhoto: ["me", "photo"]
        case .peopleReviewDecide: ["people", "review", "decide"]
        case .peopleReviewExport: ["people", "review", "export.xlsx"]
        case .examPlanEdit: ["exam-plans", ":id", "edit"]
        case .catalogue: ["catalogue"]
        case .catalogueQualification: ["catalogue", ":code"]
        case .register: ["register"]
        case .classes: ["classes"]
        case .classNew: ["classes", "new"]
        case .trainingClass: ["classes", ":id"]
        case .classEdit: ["classes", ":id", "edit"]
        case .classState: ["classes", ":id", "state"]
        case .classEnrol: ["classes", ":id", "enrol"]
        case .classEnrolBatch: ["classes", ":id", "enrol-batch"]
        case .classResults: ["classes", ":id", "results"]
        case .classResultsSubmit: ["classes", ":id", "results", "submit"]
        case .enrolments: ["enrolments"]
        case .enrolmentTemplate: ["enrolments", "template.xlsx"]
        case .enrolment: ["enrolments", ":id"]
        case .enrolmentForm: ["enrolments", ":id", "form.pdf"]
        case .enrolmentCancel: ["enrolments", ":id", "cancel"]
        case .enrolmentResubmit: ["enrolments", ":id", "resubmit"]
        case .enrolmentsConfirm: ["enrolments", "confirm"]
        case .enrolmentsPayment: ["enrolments", "payment"]
        case .enrolmentsCheckIn: ["enrolments", "check-in"]
        case .enrolmentsReview: ["enrolments", "review"]
        case .enrolmentsExport: ["enrolments", "export.xlsx"]
        case .enrolSelf: ["enrol"]
        case .enrolSelfClass: ["enrol", ":id"]
        case .courses: ["courses"]
        case .course: ["courses", ":id"]
        case .lessonMedia: ["lessons", ":id", "media"]
        case .study: ["study"]
        case .studyLesson: ["study", "lessons", ":id"]
        case .studyStart: ["study", "lessons", ":id", "start"]
        case .studyHeartbeat: ["study", "heartbeat"]
        case .studySnapshot: ["study", "snapshot"]
        case .studySnapshotImage: ["study", "snapshots", ":id"]
        case .studyRecords: ["study", "records"]
        case .studyAnomalies: ["study", "anomalies"]
        case .examRooms: ["exam-rooms"]
        case .examRoomNew: ["exam-rooms", "new"]
        case .examRoom: ["exam-rooms", ":id"]
        case .examRoomEdit: ["exam-rooms", ":id", "edit"]
        case .examPlans: ["exam-plans"]
        case .examPlanNew: ["exam-plans", "new"]
        case .examPlan: ["exam-plans", ":id"]
        case .examPlanState: ["exam-plans", ":id", "state"]
        case .examPlanRemove: ["exam-plans", ":id", "remove"]
        case .examPlanPlace: ["exam-plans", ":id", "place"]
        case .examPlanEditCandidate: ["exam-plans", ":id", "edit-candidate"]
        case .examPlanTickets: ["exam-plans", ":id", "tickets"]
        case .tickets: ["tickets"]
        case .ticket: ["tickets", ":id"]
        case .ticketWithdraw: ["tickets", ":id", "withdraw"]
        case .ticketVerify: ["tickets", "verify"]
        case .examCandidates: ["exam-candidates"]
        case .examCandidatesExport: ["exam-candidates", "export.xlsx"]
        case .examPlanImport: ["exam-plans", ":id", "import"]
        case .examPlanImportTemplate: ["exam-plans", "import-template.xlsx"]
        case .candidateImport: ["exam-candidate-imports", ":id"]
        case .candidateImportErrors: ["exam-candidate-imports", ":id", "errors.xlsx"]
        case .examPlanResults: ["exam-plans", ":id", "results"]
        case .examPlanResultsImport: ["exam-plans", ":id", "results", "import"]
        case .examPlanResultsTemplate: ["exam-plans", ":id", "results", "template.xlsx"]
        case .examCalendar: ["exam-plans", "calendar"]
        case .identity: ["identity"]
        case .identityCheck: ["identity", "check"]
        case .identityLivePhoto: ["identity", ":id", "live-photo"]
        case .identityImage: ["identity", ":id", "image"]
        case .live: ["live"]
        case .liveIncident: ["live", "incidents"]
        case .examResults: ["exam-results"]
        case .examResultsExport: ["exam-results", "export.xlsx"]
        case .examSessions: ["exam-sessions"]
        case .examSessionNew: ["exam-sessions", "new"]
        case .examSessionApply: ["exam-sessions", ":id", "apply"]
        case .examSessionRemove: ["exam-sessions", ":id", "remove"]
        case .examPeople: ["exam-people"]
        case .registerSMS: ["register", "sms"]
        case .healthz: ["healthz"]
        case .apiOpenAPI: ["api", "v1", "openapi.json"]
        case .apiMe: ["api", "v1", "me"]
        case .apiEnterpriseLookup: ["api", "v1", "enterprises", "lookup"]
        case .apiEnrolmentPayment: ["api", "v1", "enrolments", ":id", "payment"]
        case .apiPlanScores: ["api", "v1", "exam-plans", ":serial", "scores"]
        case .apiCandidateProgress: ["api", "v1", "exam-candidates", ":ticket", "progress"]
        }
    }
}

extension Request {
    /// The `:id` parameter as a UUID; anything else is a 404, as a missing record would be.
    func idParameter() throws -> UUID {
        guard let raw = parameters.get("id"), let id = UUID(uuidString: raw) else { throw Abort(.notFound) }
        return id
    }
}
