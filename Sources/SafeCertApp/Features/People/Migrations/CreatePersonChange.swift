import Fluent
import Foundation
import SafeCertCore

struct CreatePersonChange: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PersonChange.schema)
            .id()
            .field("kind", .string, .required)
            .field("status", .string, .required)
            .field("payload", .string)
            .field("new_employer_id", .uuid, .references(Organization.schema, "id"))
            .field("reason", .string)
            .field("requested_by", .string, .required)
            .field("requested_by_org_id", .uuid)
            .field("decided_at", .datetime)
            .field("person_id", .uuid, .required, .references(Person.schema, "id"))
            .field("created_at", .datetime)
            .create()
        try await createIndex(on: database, name: "person_changes_person_status", table: PersonChange.schema, columns: ["person_id", "status"])
        try await createIndex(on: database, name: "person_changes_status", table: PersonChange.schema, columns: ["status"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PersonChange.schema).delete()
    }
}
