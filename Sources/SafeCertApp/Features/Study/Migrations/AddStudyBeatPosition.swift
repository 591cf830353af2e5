import Fluent

/// The media position each heartbeat reported, so the anomaly report can say where a video stood
/// still or how far it jumped.
struct AddStudyBeatPosition: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(StudyBeat.schema).field("position", .double).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(StudyBeat.schema).deleteField("position").update()
    }
}
