import Fluent
import Foundation

struct CreateImportJob: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ImportJob.schema)
            .id()
            .field("kind", .string, .required)
            .field("file_name", .string, .required)
            .field("file", .data, .required)
            .field("status", .string, .required)
            .field("total_rows", .int, .required)
            .field("processed_rows", .int, .required)
            .field("saved_rows", .int, .required)
            .field("skipped_rows", .int, .required)
            .field("invalid_rows", .int, .required)
            .field("problems", .string)
            .field("message", .string)
            .field("finished_at", .datetime)
            .field("account_id", .uuid, .required)
            .field("organization_id", .uuid, .required, .references(Organization.schema, "id"))
            .field("created_at", .datetime)
            .create()
        try await createIndex(on: database, name: "import_jobs_organization_id", table: ImportJob.schema, columns: ["organization_id"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ImportJob.schema).delete()
    }
}
