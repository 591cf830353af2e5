import Foundation
import Vapor

/// A route parameter: `.key` in the route table (the pattern, `:id`), `.value` in a link.
enum Parameter<Value: Sendable & Equatable & CustomStringConvertible>: Sendable, Equatable {
    case key
    case value(Value)
}

extension Parameter where Value == UUID {
    /// A record's link parameter; a record not yet saved has no address and links to the pattern.
    static func id(_ id: UUID?) -> Self { id.map { .value($0) } ?? .key }
}

/// The names the route table gives its parameters, read back with `req.parameter(_:)`.
enum RouteParameter: String, Sendable, CaseIterable {
    case id, code, serial, ticket
}

/// One segment of a route: a fixed word, or a parameter with its value when the route is a link.
enum RouteSegment: Sendable, Equatable, ExpressibleByStringLiteral {
    case fixed(String)
    case parameter(RouteParameter, value: String?)

    init(stringLiteral value: String) { self = .fixed(value) }

    static func parameter<T>(_ name: RouteParameter, _ parameter: Parameter<T>) -> Self {
        switch parameter {
        case .key: .parameter(name, value: nil)
        case .value(let value): .parameter(name, value: value.description)
        }
    }
}

/// Every path of the site, once: routes register from it (`components`) and pages build links from it
/// (`link`). Each case's segments are written once, in `segments`.
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
    case organization(Parameter<UUID>)
    case organizationEdit(Parameter<UUID>)
    case organizationConvert(Parameter<UUID>)
    case organizationLookup
    case myOrganization

    case accounts
    case accountNew
    case accountDisable(Parameter<UUID>)
    case accountEnable(Parameter<UUID>)
    case accountResetPassword(Parameter<UUID>)
    case accountUnlock(Parameter<UUID>)

    case audit
    case apiKeys
    case apiKeyRevoke(Parameter<UUID>)
    case securityPolicy
    case smsOutbox

    case people
    case personNew
    case person(Parameter<UUID>)
    case personEdit(Parameter<UUID>)
    case personApprove(Parameter<UUID>)
    case personReturn(Parameter<UUID>)
    case personCancel(Parameter<UUID>)
    case personChangeDecide(Parameter<UUID>)
    case personUnit(Parameter<UUID>)
    case personPhoto(Parameter<UUID>)
    case personThumbnail(Parameter<UUID>)
    case peopleReview
    case peopleTransfer
    case peopleExport
    case peopleImport
    case peopleImportTemplate
    case peopleImportJob(Parameter<UUID>)
    case peopleImportStatus(Parameter<UUID>)
    case peopleImportErrors(Parameter<UUID>)
    case peoplePhotos
    case organizationsExport
    case myOrganizationDelete
    case me
    case register
    case registerSMS
    case catalogue
    case catalogueQualification(Parameter<String>)
    case classes
    case classNew
    case trainingClass(Parameter<UUID>)
    case classEdit(Parameter<UUID>)
    case classState(Parameter<UUID>)
    case classEnrol(Parameter<UUID>)
    case classEnrolBatch(Parameter<UUID>)
    case classResults(Parameter<UUID>)
    case classResultsSubmit(Parameter<UUID>)
    case enrolments
    case enrolmentTemplate
    case enrolment(Parameter<UUID>)
    case enrolmentForm(Parameter<UUID>)
    case enrolmentCancel(Parameter<UUID>)
    case enrolmentResubmit(Parameter<UUID>)
    case enrolmentsConfirm
    case enrolmentsPayment
    case enrolmentsCheckIn
    case enrolmentsReview
    case enrolmentsExport
    case enrolSelf
    case enrolSelfClass(Parameter<UUID>)
    case courses
    case course(Parameter<UUID>)
    case lessonMedia(Parameter<UUID>)
    case study
    case studyLesson(Parameter<UUID>)
    case studyStart(Parameter<UUID>)
    case studyHeartbeat
    case studySnapshot
    case studySnapshotImage(Parameter<UUID>)
    case studyRecords
    case studyAnomalies
    case examRooms
    case examRoomNew
    case examRoom(Parameter<UUID>)
    case examRoomEdit(Parameter<UUID>)
    case examPlans
    case examPlanNew
    case examPlan(Parameter<UUID>)
    case examPlanState(Parameter<UUID>)
    case examPlanRemove(Parameter<UUID>)
    case examPlanPlace(Parameter<UUID>)
    case examPlanEditCandidate(Parameter<UUID>)
    case examPlanTickets(Parameter<UUID>)
    case tickets
    case ticket(Parameter<UUID>)
    case ticketWithdraw(Parameter<UUID>)
    case ticketVerify
    case examCandidates
    case examCandidatesExport
    case examPlanImport(Parameter<UUID>)
    case examPlanImportTemplate
    /// One candidate import's report (paginated problems) and its 下载问题行.
    case candidateImport(Parameter<UUID>)
    case candidateImportErrors(Parameter<UUID>)
    case examPlanResults(Parameter<UUID>)
    case examPlanResultsImport(Parameter<UUID>)
    case examPlanResultsTemplate(Parameter<UUID>)
    case examCalendar
    case identity
    case identityCheck
    case identityLivePhoto(Parameter<UUID>)
    case identityImage(Parameter<UUID>)
    case live
    case liveIncident
    case examResults
    case examResultsExport
    case examSessions
    case examSessionNew
    case examSessionApply(Parameter<UUID>)
    case examSessionRemove(Parameter<UUID>)
    case examPeople
    // People and exam-plan hardening
    case peopleReviewDecide
    case peopleReviewExport
    case meEdit
    case mePhoto
    case examPlanEdit(Parameter<UUID>)

    case healthz
    case apiOpenAPI
    case apiMe
    case apiEnterpriseLookup
    case apiEnrolmentPayment(Parameter<UUID>)
    case apiPlanScores(Parameter<String>)
    case apiCandidateProgress(Parameter<String>)


    /// The route's segments: fixed words and at most one parameter.
    var segments: [RouteSegment] {
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
        case .organization(let id): ["organizations", .parameter(.id, id)]
        case .organizationEdit(let id): ["organizations", .parameter(.id, id), "edit"]
        case .organizationConvert(let id): ["organizations", .parameter(.id, id), "convert"]
        case .organizationLookup: ["organizations", "lookup"]
        case .myOrganization: ["my", "organization"]
        case .accounts: ["accounts"]
        case .accountNew: ["accounts", "new"]
        case .accountDisable(let id): ["accounts", .parameter(.id, id), "disable"]
        case .accountEnable(let id): ["accounts", .parameter(.id, id), "enable"]
        case .accountResetPassword(let id): ["accounts", .parameter(.id, id), "reset-password"]
        case .accountUnlock(let id): ["accounts", .parameter(.id, id), "unlock"]
        case .audit: ["audit"]
        case .apiKeys: ["security", "api-keys"]
        case .apiKeyRevoke(let id): ["security", "api-keys", .parameter(.id, id), "revoke"]
        case .securityPolicy: ["security", "policy"]
        case .smsOutbox: ["demo", "sms-outbox"]
        case .people: ["people"]
        case .personNew: ["people", "new"]
        case .person(let id): ["people", .parameter(.id, id)]
        case .personEdit(let id): ["people", .parameter(.id, id), "edit"]
        case .personApprove(let id): ["people", .parameter(.id, id), "approve"]
        case .personReturn(let id): ["people", .parameter(.id, id), "return"]
        case .personCancel(let id): ["people", .parameter(.id, id), "cancel"]
        case .personChangeDecide(let id): ["people", .parameter(.id, id), "change"]
        case .personUnit(let id): ["people", .parameter(.id, id), "unit"]
        case .personPhoto(let id): ["people", .parameter(.id, id), "photo.jpg"]
        case .personThumbnail(let id): ["people", .parameter(.id, id), "thumbnail.jpg"]
        case .peopleReview: ["people", "review"]
        case .peopleTransfer: ["people", "transfer"]
        case .peopleExport: ["people", "export.xlsx"]
        case .peopleImport: ["people", "import"]
        case .peopleImportTemplate: ["people", "import", "template.xlsx"]
        case .peopleImportJob(let id): ["people", "import", .parameter(.id, id)]
        case .peopleImportStatus(let id): ["people", "import", .parameter(.id, id), "status"]
        case .peopleImportErrors(let id): ["people", "import", .parameter(.id, id), "errors.xlsx"]
        case .peoplePhotos: ["people", "photos"]
        case .organizationsExport: ["organizations", "export.xlsx"]
        case .myOrganizationDelete: ["my", "organization", "delete"]
        case .me: ["me"]
        case .register: ["register"]
        case .registerSMS: ["register", "sms"]
        case .catalogue: ["catalogue"]
        case .catalogueQualification(let code): ["catalogue", .parameter(.code, code)]
        case .classes: ["classes"]
        case .classNew: ["classes", "new"]
        case .trainingClass(let id): ["classes", .parameter(.id, id)]
        case .classEdit(let id): ["classes", .parameter(.id, id), "edit"]
        case .classState(let id): ["classes", .parameter(.id, id), "state"]
        case .classEnrol(let id): ["classes", .parameter(.id, id), "enrol"]
        case .classEnrolBatch(let id): ["classes", .parameter(.id, id), "enrol-batch"]
        case .classResults(let id): ["classes", .parameter(.id, id), "results"]
        case .classResultsSubmit(let id): ["classes", .parameter(.id, id), "results", "submit"]
        case .enrolments: ["enrolments"]
        case .enrolmentTemplate: ["enrolments", "template.xlsx"]
        case .enrolment(let id): ["enrolments", .parameter(.id, id)]
        case .enrolmentForm(let id): ["enrolments", .parameter(.id, id), "form.pdf"]
        case .enrolmentCancel(let id): ["enrolments", .parameter(.id, id), "cancel"]
        case .enrolmentResubmit(let id): ["enrolments", .parameter(.id, id), "resubmit"]
        case .enrolmentsConfirm: ["enrolments", "confirm"]
        case .enrolmentsPayment: ["enrolments", "payment"]
        case .enrolmentsCheckIn: ["enrolments", "check-in"]
        case .enrolmentsReview: ["enrolments", "review"]
        case .enrolmentsExport: ["enrolments", "export.xlsx"]
        case .enrolSelf: ["enrol"]
        case .enrolSelfClass(let id): ["enrol", .parameter(.id, id)]
        case .courses: ["courses"]
        case .course(let id): ["courses", .parameter(.id, id)]
        case .lessonMedia(let id): ["lessons", .parameter(.id, id), "media"]
        case .study: ["study"]
        case .studyLesson(let id): ["study", "lessons", .parameter(.id, id)]
        case .studyStart(let id): ["study", "lessons", .parameter(.id, id), "start"]
        case .studyHeartbeat: ["study", "heartbeat"]
        case .studySnapshot: ["study", "snapshot"]
        case .studySnapshotImage(let id): ["study", "snapshots", .parameter(.id, id)]
        case .studyRecords: ["study", "records"]
        case .studyAnomalies: ["study", "anomalies"]
        case .examRooms: ["exam-rooms"]
        case .examRoomNew: ["exam-rooms", "new"]
        case .examRoom(let id): ["exam-rooms", .parameter(.id, id)]
        case .examRoomEdit(let id): ["exam-rooms", .parameter(.id, id), "edit"]
        case .examPlans: ["exam-plans"]
        case .examPlanNew: ["exam-plans", "new"]
        case .examPlan(let id): ["exam-plans", .parameter(.id, id)]
        case .examPlanState(let id): ["exam-plans", .parameter(.id, id), "state"]
        case .examPlanRemove(let id): ["exam-plans", .parameter(.id, id), "remove"]
        case .examPlanPlace(let id): ["exam-plans", .parameter(.id, id), "place"]
        case .examPlanEditCandidate(let id): ["exam-plans", .parameter(.id, id), "edit-candidate"]
        case .examPlanTickets(let id): ["exam-plans", .parameter(.id, id), "tickets"]
        case .tickets: ["tickets"]
        case .ticket(let id): ["tickets", .parameter(.id, id)]
        case .ticketWithdraw(let id): ["tickets", .parameter(.id, id), "withdraw"]
        case .ticketVerify: ["tickets", "verify"]
        case .examCandidates: ["exam-candidates"]
        case .examCandidatesExport: ["exam-candidates", "export.xlsx"]
        case .examPlanImport(let id): ["exam-plans", .parameter(.id, id), "import"]
        case .examPlanImportTemplate: ["exam-plans", "import-template.xlsx"]
        case .candidateImport(let id): ["exam-candidate-imports", .parameter(.id, id)]
        case .candidateImportErrors(let id): ["exam-candidate-imports", .parameter(.id, id), "errors.xlsx"]
        case .examPlanResults(let id): ["exam-plans", .parameter(.id, id), "results"]
        case .examPlanResultsImport(let id): ["exam-plans", .parameter(.id, id), "results", "import"]
        case .examPlanResultsTemplate(let id): ["exam-plans", .parameter(.id, id), "results", "template.xlsx"]
        case .examCalendar: ["exam-plans", "calendar"]
        case .identity: ["identity"]
        case .identityCheck: ["identity", "check"]
        case .identityLivePhoto(let id): ["identity", .parameter(.id, id), "live-photo"]
        case .identityImage(let id): ["identity", .parameter(.id, id), "image"]
        case .live: ["live"]
        case .liveIncident: ["live", "incidents"]
        case .examResults: ["exam-results"]
        case .examResultsExport: ["exam-results", "export.xlsx"]
        case .examSessions: ["exam-sessions"]
        case .examSessionNew: ["exam-sessions", "new"]
        case .examSessionApply(let id): ["exam-sessions", .parameter(.id, id), "apply"]
        case .examSessionRemove(let id): ["exam-sessions", .parameter(.id, id), "remove"]
        case .examPeople: ["exam-people"]
        case .peopleReviewDecide: ["people", "review", "decide"]
        case .peopleReviewExport: ["people", "review", "export.xlsx"]
        case .meEdit: ["me", "edit"]
        case .mePhoto: ["me", "photo"]
        case .examPlanEdit(let id): ["exam-plans", .parameter(.id, id), "edit"]
        case .healthz: ["healthz"]
        case .apiOpenAPI: ["api", "v1", "openapi.json"]
        case .apiMe: ["api", "v1", "me"]
        case .apiEnterpriseLookup: ["api", "v1", "enterprises", "lookup"]
        case .apiEnrolmentPayment(let id): ["api", "v1", "enrolments", .parameter(.id, id), "payment"]
        case .apiPlanScores(let serial): ["api", "v1", "exam-plans", .parameter(.serial, serial), "scores"]
        case .apiCandidateProgress(let ticket): ["api", "v1", "exam-candidates", .parameter(.ticket, ticket), "progress"]
        }
    }

    /// Every route, as its pattern: the table the application registers (a test holds the two equal).
    static let all: [SiteURL] = [
        .home, .login, .captcha, .loginVerify, .loginSendSMS, .logout, .password, .organizations, .organizationNew,
        .organization(.key), .organizationEdit(.key), .organizationConvert(.key), .organizationLookup,
        .myOrganization, .accounts, .accountNew, .accountDisable(.key), .accountEnable(.key),
        .accountResetPassword(.key), .accountUnlock(.key), .audit, .apiKeys, .apiKeyRevoke(.key), .securityPolicy,
        .smsOutbox, .people, .personNew, .person(.key), .personEdit(.key), .personApprove(.key),
        .personReturn(.key), .personCancel(.key), .personChangeDecide(.key), .personUnit(.key), .personPhoto(.key),
        .personThumbnail(.key), .peopleReview, .peopleTransfer, .peopleExport, .peopleImport, .peopleImportTemplate,
        .peopleImportJob(.key), .peopleImportStatus(.key), .peopleImportErrors(.key), .peoplePhotos,
        .organizationsExport, .myOrganizationDelete, .me, .register, .registerSMS, .catalogue,
        .catalogueQualification(.key), .classes, .classNew, .trainingClass(.key), .classEdit(.key),
        .classState(.key), .classEnrol(.key), .classEnrolBatch(.key), .classResults(.key),
        .classResultsSubmit(.key), .enrolments, .enrolmentTemplate, .enrolment(.key), .enrolmentForm(.key),
        .enrolmentCancel(.key), .enrolmentResubmit(.key), .enrolmentsConfirm, .enrolmentsPayment,
        .enrolmentsCheckIn, .enrolmentsReview, .enrolmentsExport, .enrolSelf, .enrolSelfClass(.key), .courses,
        .course(.key), .lessonMedia(.key), .study, .studyLesson(.key), .studyStart(.key), .studyHeartbeat,
        .studySnapshot, .studySnapshotImage(.key), .studyRecords, .studyAnomalies, .examRooms, .examRoomNew,
        .examRoom(.key), .examRoomEdit(.key), .examPlans, .examPlanNew, .examPlan(.key), .examPlanState(.key),
        .examPlanRemove(.key), .examPlanPlace(.key), .examPlanEditCandidate(.key), .examPlanTickets(.key), .tickets,
        .ticket(.key), .ticketWithdraw(.key), .ticketVerify, .examCandidates, .examCandidatesExport,
        .examPlanImport(.key), .examPlanImportTemplate, .candidateImport(.key), .candidateImportErrors(.key),
        .examPlanResults(.key), .examPlanResultsImport(.key), .examPlanResultsTemplate(.key), .examCalendar,
        .identity, .identityCheck, .identityLivePhoto(.key), .identityImage(.key), .live, .liveIncident,
        .examResults, .examResultsExport, .examSessions, .examSessionNew, .examSessionApply(.key),
        .examSessionRemove(.key), .examPeople, .peopleReviewDecide, .peopleReviewExport, .meEdit, .mePhoto,
        .examPlanEdit(.key), .healthz, .apiOpenAPI, .apiMe, .apiEnterpriseLookup, .apiEnrolmentPayment(.key),
        .apiPlanScores(.key), .apiCandidateProgress(.key),
    ]

    /// The components Vapor registers: parameters as `:name`.
    var components: [PathComponent] {
        segments.map { segment in
            switch segment {
            case .fixed(let word): .constant(word)
            case .parameter(let name, _): .parameter(name.rawValue)
            }
        }
    }

    /// The address, parameters filled in and percent-encoded; a `.key` parameter shows as `:name`.
    var link: String {
        "/" + segments.map { segment in
            switch segment {
            case .fixed(let word): word
            case .parameter(let name, nil): ":" + name.rawValue
            case .parameter(_, let value?): value.addingPercentEncoding(withAllowedCharacters: .urlPathSegmentAllowed) ?? value
            }
        }.joined(separator: "/")
    }

    /// The route's pattern, as Vapor prints it (`/people/:id`).
    var pattern: String {
        "/" + components.map(\.description).joined(separator: "/")
    }
}

extension CharacterSet {
    /// What may stand unescaped inside one path segment.
    static let urlPathSegmentAllowed: CharacterSet = {
        var set = CharacterSet.urlPathAllowed
        set.remove(charactersIn: "/")
        return set
    }()
}

extension Request {
    /// A named route parameter as the route table declares it; a missing one reads as empty.
    func parameter(_ name: RouteParameter) -> String {
        parameters.get(name.rawValue) ?? ""
    }

    /// The `:id` parameter as a UUID; anything else is a 404, as a missing record would be.
    func idParameter() throws -> UUID {
        guard let id = UUID(uuidString: parameter(.id)) else { throw Abort(.notFound) }
        return id
    }
}
