import Fluent
import Foundation
import SafeCertCore

struct CreateOrganizationNameChange: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(OrganizationNameChange.schema)
            .id()
            .field("old_name", .string, .required)
            .field("new_name", .string, .required)
            .field("changed_by", .string, .required)
            .field("changed_at", .datetime, .required)
            .field("organization_id", .uuid, .required, .references(Organization.schema, "id"))
            .create()
        try await createIndex(on: database, name: "organization_name_changes_org", table: OrganizationNameChange.schema, columns: ["organization_id"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema(OrganizationNameChange.schema).delete()
    }
}
