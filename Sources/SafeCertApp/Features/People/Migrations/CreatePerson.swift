import Fluent
import Foundation
import SafeCertCore

struct CreatePerson: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Person.schema)
            .id()
            .field("id_type", .string, .required)
            .field("id_number", .string, .required)
            .field("name", .string, .required)
            .field("gender", .string)
            .field("birth_date", .string)
            .field("phone", .string, .required)
            .field("ethnic_group", .string)
            .field("education", .string)
            .field("work_start_date", .string)
            .field("remarks", .string)
            .field("region_code", .string, .required)
            .field("status", .string, .required)
            .field("status_reason", .string)
            .field("has_photo", .bool, .required)
            .field("employer_id", .uuid, .references(Organization.schema, "id"))
            .field("registered_by_id", .uuid, .references(Organization.schema, "id"))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "id_number")
            .create()
        try await createIndex(on: database, name: "people_employer_id", table: Person.schema, columns: ["employer_id"])
        try await createIndex(on: database, name: "people_registered_by_id", table: Person.schema, columns: ["registered_by_id"])
        try await createIndex(on: database, name: "people_region_code", table: Person.schema, columns: ["region_code"])
        try await createIndex(on: database, name: "people_status", table: Person.schema, columns: ["status"])
        try await createIndex(on: database, name: "people_name", table: Person.schema, columns: ["name"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Person.schema).delete()
    }
}
