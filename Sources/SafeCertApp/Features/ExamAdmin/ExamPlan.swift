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
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

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
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
}

struct CreateExamPlan: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ExamPlanRecord.schema)
            .id()
            .field("serial", .string, .required)
            .field("plan_type", .string, .required)
            .field("qualification_code", .string, .required)
            .field("level", .string, .required)
            .field("region_code", .string, .required)
            .field("institution_id", .uuid, .references(Organization.schema, "id"))
            .field("created_by_id", .uuid, .required, .references(Organization.schema, "id"))
            .field("start_at", .datetime, .required)
            .field("duration_minutes", .int, .required)
            .field("state", .string, .required)
            .field("draw_seed", .string)
            .field("state_reason", .string)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "serial")
            .create()
        try await createIndex(on: database, name: "exam_plans_region", table: ExamPlanRecord.schema, columns: ["region_code", "start_at"])
        try await createIndex(on: database, name: "exam_plans_institution", table: ExamPlanRecord.schema, columns: ["institution_id"])
        try await database.schema(ExamPlanRoom.schema)
            .id()
            .field("plan_id", .uuid, .required, .references(ExamPlanRecord.schema, "id"))
            .field("room_id", .uuid, .required, .references(ExamRoom.schema, "id"))
            .field("centre_id", .uuid, .required)
            .unique(on: "plan_id", "room_id", name: "exam_plan_rooms_plan_room")
            .create()
        try await createIndex(on: database, name: "exam_plan_rooms_centre", table: ExamPlanRoom.schema, columns: ["centre_id"])
        try await database.schema(ExamCandidate.schema)
            .id()
            .field("plan_id", .uuid, .required, .references(ExamPlanRecord.schema, "id"))
            .field("enrolment_id", .uuid, .required, .references(Enrolment.schema, "id"))
            .field("person_id", .uuid, .required, .references(Person.schema, "id"))
            .field("room_id", .uuid, .required, .references(ExamRoom.schema, "id"))
            .field("seat_number", .int, .required)
            .field("previous_state", .string, .required)
            .field("ticket_number", .string, .required)
            .field("ticket_printed_at", .datetime)
            .field("created_at", .datetime)
            .unique(on: "plan_id", "person_id", name: "exam_candidates_plan_person")
            .unique(on: "plan_id", "room_id", "seat_number", name: "exam_candidates_plan_seat")
            .unique(on: "ticket_number", name: "exam_candidates_ticket_number")
            .create()
        try await createIndex(on: database, name: "exam_candidates_enrolment", table: ExamCandidate.schema, columns: ["enrolment_id"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ExamCandidate.schema).delete()
        try await database.schema(ExamPlanRoom.schema).delete()
        try await database.schema(ExamPlanRecord.schema).delete()
    }
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
