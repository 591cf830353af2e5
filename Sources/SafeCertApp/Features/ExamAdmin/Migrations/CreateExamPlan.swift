import Fluent
import Foundation
import SafeCertCore

/// Exam-day columns and tables (identity check, live room, results, sessions, import).
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
