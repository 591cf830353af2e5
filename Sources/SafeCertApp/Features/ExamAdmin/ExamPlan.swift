import Fluent
import Foundation
import SafeCertCore

/// 考试计划 / 考核批次 (seed 000 制定考试计划, seed 004 exam batches).
final class ExamPlanRecord: Model, @unchecked Sendable {
    static let schema = "exam_plans"

    @ID(key: .id) var id: UUID?
    /// 流水号
    @Field(key: "serial") var serial: String
    @Enum(key: "plan_type") var planType: ExamPlanType
    @Field(key: "qualification_code") var qualificationCode: String
    @Enum(key: "level") var level: ExamPlanLevel
    /// The region the plan belongs to (its owning authority's); the scope of who sees it.
    @Field(key: "region_code") var regionCode: String
    @OptionalParent(key: "institution_id") var institution: Organization?
    @Parent(key: "created_by_id") var createdBy: Organization
    @Field(key: "start_at") var startAt: Date
    @Field(key: "duration_minutes") var durationMinutes: Int
    @Enum(key: "state") var state: ExamPlanState
    /// The seed of the automatic draw, kept so the draw can be repeated and audited.
    @OptionalField(key: "draw_seed") var drawSeed: String?
    @OptionalField(key: "state_reason") var stateReason: String?
    /// A session published for seat applications (seed 003 发布考场) rather than drawn.
    @OptionalField(key: "applications_open") var applicationsOpen: Bool?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    /// A new plan or session as its form and the workflow decided it.
    convenience init(serial: String, type: ExamPlanType, qualification: String, level: ExamPlanLevel, region: String,
                     schedule: ExamSchedule, state: ExamPlanState, createdBy: UUID) {
        self.init()
        self.serial = serial
        planType = type
        qualificationCode = qualification
        self.level = level
        regionCode = region
        $createdBy.id = createdBy
        startAt = schedule.start
        durationMinutes = schedule.durationMinutes
        self.state = state
    }

    var isSession: Bool { applicationsOpen != nil }

    var schedule: ExamSchedule? { try? ExamSchedule(start: startAt, durationMinutes: durationMinutes) }

    var auditSummary: String {
        "\(serial)：\(planType.label)；\(qualificationCode)；\(ExamSchedule.beijingText(startAt))起 \(durationMinutes) 分钟；状态 \(state.label)"
    }
}

/// The rooms a plan uses.
final class ExamPlanRoom: Model, @unchecked Sendable {
    static let schema = "exam_plan_rooms"
    @ID(key: .id) var id: UUID?
    @Parent(key: "plan_id") var plan: ExamPlanRecord
    @Parent(key: "room_id") var room: ExamRoom
    @Field(key: "centre_id") var centreID: UUID
    /// The room's number in the plan (the ticket number's two digits), fixed when it is added.
    @OptionalField(key: "position") var position: Int?
    /// When the room's exam centre submitted its candidates' results.
    @OptionalField(key: "results_submitted_at") var resultsSubmittedAt: Date?
    init() {}
}

/// A candidate in a plan: the enrolment, the room and the seat.
final class ExamCandidate: Model, @unchecked Sendable {
    static let schema = "exam_candidates"
    @ID(key: .id) var id: UUID?
    @Parent(key: "plan_id") var plan: ExamPlanRecord
    @Parent(key: "enrolment_id") var enrolment: Enrolment
    @Parent(key: "person_id") var person: Person
    @Parent(key: "room_id") var room: ExamRoom
    @Field(key: "seat_number") var seatNumber: Int
    /// Where the enrolment stood before it was scheduled (trained, or failed/absent for a resit).
    @Enum(key: "previous_state") var previousState: EnrolmentState
    /// 准考证号: the plan's serial and the seat's place in it.
    @Field(key: "ticket_number") var ticketNumber: String
    /// When the candidate (or their enterprise or institution) first printed the ticket: from
    /// then on the candidate can't withdraw (seed 003).
    @OptionalField(key: "ticket_printed_at") var ticketPrintedAt: Date?
    /// 人员类型 A/B/C (seed 004), when imported with one.
    @OptionalEnum(key: "person_category") var personCategory: PersonCategory?
    @OptionalField(key: "phone") var phone: String?
    /// nil until the identity check: not arrived.
    @OptionalEnum(key: "attendance") var attendance: Attendance?
    @OptionalField(key: "progress_answered") var progressAnswered: Int?
    @OptionalField(key: "progress_total") var progressTotal: Int?
    @OptionalField(key: "submitted_at") var submittedAt: Date?
    /// "85.5" or "absent" (`SubjectResult.stored`).
    @OptionalField(key: "theory_result") var theoryResult: String?
    @OptionalField(key: "practical_result") var practicalResult: String?
    /// Set when the province approves the plan's results.
    @OptionalEnum(key: "outcome") var outcome: ExamOutcome?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}

    var state: Attendance { attendance ?? .notArrived }

    func result(_ kind: ExamSubjectKind) -> SubjectResult? {
        SubjectResult(stored: kind == .theory ? theoryResult : practicalResult)
    }

    func setResult(_ kind: ExamSubjectKind, _ result: SubjectResult?) {
        if kind == .theory { theoryResult = result?.stored } else { practicalResult = result?.stored }
    }
}

/// The identity check of one candidate (实名认证): what the card said, how it was read, the live
/// photo, and who did it.
final class IdentityCheckRecord: Model, @unchecked Sendable {
    static let schema = "exam_identity_checks"
    @ID(key: .id) var id: UUID?
    @Parent(key: "candidate_id") var candidate: ExamCandidate
    @Field(key: "plan_id") var planID: UUID
    @Enum(key: "method") var method: IdentityMethod
    @Field(key: "card_name") var cardName: String
    @Field(key: "card_id_number") var cardIDNumber: String
    @OptionalField(key: "card_photo") var cardPhoto: Data?
    @OptionalField(key: "live_photo") var livePhoto: Data?
    @OptionalField(key: "manual_reason") var manualReason: String?
    @Field(key: "checked_by") var checkedBy: String
    @Field(key: "checked_at") var checkedAt: Date
    init() {}
}

extension IdentityCheckRecord {
    /// An admission as the check found it: a manual check keeps its reason, a reader's none.
    convenience init(_ candidate: ExamCandidate, plan: ExamPlanRecord, method: IdentityMethod, cardName: String, number: String,
                     photo: Data?, reason: String?, user: CurrentUser, now: Date) throws {
        self.init()
        $candidate.id = try candidate.requireID()
        planID = try plan.requireID()
        self.method = method
        self.cardName = cardName
        cardIDNumber = number
        cardPhoto = photo
        manualReason = method == .manual ? reason?.trimmingCharacters(in: .whitespacesAndNewlines) : nil
        checkedBy = user.displayName
        checkedAt = now
    }
}

/// 考场记录: what the invigilator notes during the exam.
final class ExamIncident: Model, @unchecked Sendable {
    static let schema = "exam_incidents"
    @ID(key: .id) var id: UUID?
    @Field(key: "plan_id") var planID: UUID
    @Field(key: "room_id") var roomID: UUID
    @OptionalField(key: "candidate_id") var candidateID: UUID?
    @Field(key: "text") var text: String
    @Field(key: "author") var author: String
    @Field(key: "created_at") var createdAt: Date
    init() {}
}

extension QueryBuilder where Model == ExamPlanRecord {
    /// Institutions their own drafts; authorities their region; the national centre everything;
    /// an exam centre the plans that use its rooms (the caller passes their ids).
    func scoped(to scope: AccessScope, role: Role, centrePlanIDs: [UUID] = []) -> Self {
        let live = filter(\.$state != .deleted)
        switch scope {
        case .everything: return live
        case .region(let prefix): return live.filter(\.$regionCode =~ prefix)
        case .organizations(let ids):
            if role == .examCentre { return live.filter(\.$id ~~ centrePlanIDs) }
            return live.group(.or) { $0.filter(\.$institution.$id ~~ ids).filter(\.$createdBy.$id ~~ ids) }
        case .person: return live.filter(\.$id ~~ [UUID]())
        }
    }
}
