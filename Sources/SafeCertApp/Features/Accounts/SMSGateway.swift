import Fluent
import Foundation
import Vapor

/// Sends a text message. The outbox gateway is the default; an HTTP gateway is configured
/// with SAFECERT_SMS_GATEWAY_URL.
public protocol SMSGateway: Sendable {
    func send(to phone: String, text: String, on db: any Database) async throws
}

/// Writes each message to the log and to the `sms_messages` table, which the demo outbox page
/// shows (only in demo mode).
public struct OutboxSMSGateway: SMSGateway {
    let logger: Logger
    public init(logger: Logger) { self.logger = logger }

    public func send(to phone: String, text: String, on db: any Database) async throws {
        logger.info("SMS to \(phone): \(text)")
        try await SMSMessage(phone: phone, text: text, via: "outbox").create(on: db)
    }
}

/// Posts `{"phone": …, "text": …}` as JSON to the configured gateway; a non-2xx answer is an error.
public struct HTTPSMSGateway: SMSGateway {
    let url: String
    let token: String?
    let client: any Client

    public func send(to phone: String, text: String, on db: any Database) async throws {
        struct Payload: Content { let phone: String; let text: String }
        var headers = HTTPHeaders()
        if let token { headers.bearerAuthorization = .init(token: token) }
        let response = try await client.post(URI(string: url), headers: headers) { req in
            try req.content.encode(Payload(phone: phone, text: text))
        }
        guard (200..<300).contains(response.status.code) else {
            throw Abort(.badGateway, reason: "短信网关返回错误（\(response.status.code)）")
        }
        try await SMSMessage(phone: phone, text: "（已通过短信网关发送）", via: "http").create(on: db)
    }
}

final class SMSMessage: Model, @unchecked Sendable {
    static let schema = "sms_messages"

    @ID(key: .id) var id: UUID?
    @Field(key: "phone") var phone: String
    @Field(key: "text") var text: String
    @Field(key: "via") var via: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
    init(phone: String, text: String, via: String) {
        self.phone = phone
        self.text = text
        self.via = via
    }
}

struct CreateSMSMessage: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(SMSMessage.schema)
            .id()
            .field("phone", .string, .required)
            .field("text", .string, .required)
            .field("via", .string, .required)
            .field("created_at", .datetime)
            .create()
        try await createIndex(on: database, name: "sms_messages_created_at", table: SMSMessage.schema, columns: ["created_at"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema(SMSMessage.schema).delete()
    }
}
