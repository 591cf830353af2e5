import Fluent

/// The record an import was made into (the exam plan of a candidate import), so its report and
/// its 下载问题行 are served only under that record; NULL for the people import.
struct AddImportJobSubject: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ImportJob.schema).field("subject_id", .uuid).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ImportJob.schema).deleteField("subject_id").update()
    }
}
