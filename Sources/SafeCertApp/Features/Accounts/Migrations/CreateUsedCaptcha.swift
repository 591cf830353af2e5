import Fluent
import Foundation

struct CreateUsedCaptcha: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(UsedCaptcha.schema)
            .field("id", .string, .identifier(auto: false))
            .field("used_at", .datetime, .required)
            .create()
        try await addIndex(on: database, name: "used_captchas_used_at", table: UsedCaptcha.schema, columns: ["used_at"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema(UsedCaptcha.schema).delete()
    }
}
