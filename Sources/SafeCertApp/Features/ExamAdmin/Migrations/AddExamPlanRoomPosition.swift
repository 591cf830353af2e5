import Fluent
import SQLKit

/// The room's number in a plan (the ticket number's two digits). Databases migrated while
/// `CreateExamDay` briefly added this column already have it; the others get it here.
struct AddExamPlanRoomPosition: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard try await !columnExists(on: database, table: ExamPlanRoom.schema, column: "position") else { return }
        try await database.schema(ExamPlanRoom.schema).field("position", .int).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ExamPlanRoom.schema).deleteField("position").update()
    }
}
