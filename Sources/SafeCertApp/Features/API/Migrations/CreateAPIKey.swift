import Crypto
import Fluent
import Foundation

struct CreateAPIKey: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(APIKey.schema)
            .id()
            .field("name", .string, .required)
            .field("prefix", .string, .required)
            .field("key_hash", .string, .required)
            .field("revoked_at", .datetime)
            .field("last_used_at", .datetime)
            .field("organization_id", .uuid, .required, .references(Organization.schema, "id"))
            .field("created_at", .datetime)
            .unique(on: "key_hash")
            .create()
        try await createIndex(on: database, name: "api_keys_organization_id", table: APIKey.schema, columns: ["organization_id"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema(APIKey.schema).delete()
    }
}
