import Fluent

/// The real length and container of a lesson's media, read by ffprobe at upload (seed 003: hours
/// that are true are capped by what the video really lasts, not by what was typed).
struct AddLessonMediaFacts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds columns one at a time.
        try await database.schema(Lesson.schema).field("media_seconds", .double).update()
        try await database.schema(Lesson.schema).field("container", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Lesson.schema).deleteField("container").update()
        try await database.schema(Lesson.schema).deleteField("media_seconds").update()
    }
}
