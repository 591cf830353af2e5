import Fluent
import Foundation

struct CreateWebSession: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(WebSession.schema)
            .field("id", .string, .identifier(auto: false))
            .field("stage", .string, .required)
            .field("account_id", .uuid)
            .field("csrf_token", .string, .required)
            .field("captcha_answer", .string)
            .field("sms_code_hash", .string)
            .field("sms_sent_at", .datetime)
            .field("flash", .string)
            .field("created_at", .datetime, .required)
            .field("last_seen_at", .datetime, .required)
            .create()
        try await createIndex(on: database, name: "web_sessions_account_id", table: WebSession.schema, columns: ["account_id"])
        try await createIndex(on: database, name: "web_sessions_last_seen_at", table: WebSession.schema, columns: ["last_seen_at"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema(WebSession.schema).delete()
    }
}
