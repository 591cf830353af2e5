import Fluent

/// When each exam centre submitted the results of its rooms in a plan (a plan may span centres).
struct AddExamPlanRoomResultsSubmitted: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ExamPlanRoom.schema).field("results_submitted_at", .datetime).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ExamPlanRoom.schema).deleteField("results_submitted_at").update()
    }
}
