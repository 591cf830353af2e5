import Fluent

/// The exam day: seat applications, identity checks, incidents, attendance, progress and scores.
/// (Its `position` column of exam_plan_rooms moved to `AddExamPlanRoomPosition`: it had been added
/// here after this migration shipped, so databases migrated in between never got it.)
struct CreateExamDay: AsyncMigration {
    static let candidateColumns: [(String, DatabaseSchema.DataType)] = [
        ("person_category", .string), ("phone", .string), ("attendance", .string),
        ("progress_answered", .int), ("progress_total", .int), ("submitted_at", .datetime),
        ("theory_result", .string), ("practical_result", .string), ("outcome", .string),
    ]

    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds columns one at a time.
        try await database.schema(ExamPlanRecord.schema).field("applications_open", .bool).update()
        for (name, type) in Self.candidateColumns {
            try await database.schema(ExamCandidate.schema).field(.definition(name: .key(.string(name)), dataType: type, constraints: [])).update()
        }
        try await createIndex(on: database, name: "exam_candidates_person", table: ExamCandidate.schema, columns: ["person_id"])
        try await createIndex(on: database, name: "exam_candidates_plan_room", table: ExamCandidate.schema, columns: ["plan_id", "room_id", "seat_number"])
        try await database.schema(IdentityCheckRecord.schema)
            .id()
            .field("candidate_id", .uuid, .required, .references(ExamCandidate.schema, "id", onDelete: .cascade))
            .field("plan_id", .uuid, .required)
            .field("method", .string, .required)
            .field("card_name", .string, .required)
            .field("card_id_number", .string, .required)
            .field("card_photo", .data)
            .field("live_photo", .data)
            .field("manual_reason", .string)
            .field("checked_by", .string, .required)
            .field("checked_at", .datetime, .required)
            .unique(on: "candidate_id", name: "exam_identity_checks_candidate")
            .create()
        try await database.schema(ExamIncident.schema)
            .id()
            .field("plan_id", .uuid, .required)
            .field("room_id", .uuid, .required)
            .field("candidate_id", .uuid)
            .field("text", .string, .required)
            .field("author", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await createIndex(on: database, name: "exam_incidents_plan_room", table: ExamIncident.schema, columns: ["plan_id", "room_id", "created_at"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ExamIncident.schema).delete()
        try await database.schema(IdentityCheckRecord.schema).delete()
        try await dropIndex(on: database, name: "exam_candidates_plan_room")
        try await dropIndex(on: database, name: "exam_candidates_person")
        for name in Self.candidateColumns.map(\.0).reversed() {
            try await database.schema(ExamCandidate.schema).deleteField(.key(.string(name))).update()
        }
        try await database.schema(ExamPlanRecord.schema).deleteField("applications_open").update()
    }
}
