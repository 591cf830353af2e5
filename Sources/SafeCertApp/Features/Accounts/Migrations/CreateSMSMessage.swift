import Fluent
import Foundation
import SafeCertCore
import Vapor

struct CreateSMSMessage: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(SMSMessage.schema)
            .id()
            .field("phone", .string, .required)
            .field("text", .string, .required)
            .field("via", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await createIndex(on: database, name: "sms_messages_phone_created_at", table: SMSMessage.schema, columns: ["phone", "created_at"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema(SMSMessage.schema).delete()
    }
}
