import Fluent
import Foundation
import SafeCertCore

struct CreateOrganization: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Organization.schema)
            .id()
            .field("name", .string, .required)
            .field("kind", .string, .required)
            .field("authority_level", .string)
            .field("region_code", .string, .required)
            .field("credit_code", .string)
            .field("is_group", .bool, .required)
            .field("contact_person", .string)
            .field("contact_phone", .string)
            .field("address", .string)
            .field("deleted", .bool, .required)
            .field("parent_id", .uuid, .references(Organization.schema, "id"))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "credit_code")
            .create()
        try await createIndex(on: database, name: "organizations_region_code", table: Organization.schema, columns: ["region_code"])
        try await createIndex(on: database, name: "organizations_parent_id", table: Organization.schema, columns: ["parent_id"])
        try await createIndex(on: database, name: "organizations_name", table: Organization.schema, columns: ["name"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Organization.schema).delete()
    }
}
