import Fluent
import Foundation
import SafeCertCore

struct CreateExamRoom: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ExamRoom.schema)
            .id()
            .field("centre_id", .uuid, .required, .references(Organization.schema, "id"))
            .field("name", .string, .required)
            .field("kind", .string, .required)
            .field("capacity", .int, .required)
            .field("address", .string, .required)
            .field("ip_range", .string)
            .field("disabled", .bool, .required)
            .field("region_code", .string, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "centre_id", "name", name: "exam_rooms_centre_name")
            .create()
        try await createIndex(on: database, name: "exam_rooms_region", table: ExamRoom.schema, columns: ["region_code", "disabled"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ExamRoom.schema).delete()
    }
}
