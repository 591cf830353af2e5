import Fluent
import Foundation
import SafeCertCore

struct CreateAccount: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Account.schema)
            .id()
            .field("username", .string, .required)
            .field("display_name", .string, .required)
            .field("password_hash", .string, .required)
            .field("role", .string, .required)
            .field("status", .string, .required)
            .field("phone", .string, .required)
            .field("must_change_password", .bool, .required)
            .field("failed_attempts", .int, .required)
            .field("locked_until", .datetime)
            .field("totp_secret", .string)
            .field("totp_last_step", .int64)
            .field("last_login_at", .datetime)
            .field("previous_login_at", .datetime)
            .field("organization_id", .uuid, .references(Organization.schema, "id"))
            .field("person_id", .uuid, .references(Person.schema, "id"))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "username")
            .create()
        try await createIndex(on: database, name: "accounts_organization_id", table: Account.schema, columns: ["organization_id"])
        try await createIndex(on: database, name: "accounts_person_id", table: Account.schema, columns: ["person_id"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Account.schema).delete()
    }
}
