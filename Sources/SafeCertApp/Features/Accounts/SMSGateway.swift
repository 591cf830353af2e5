import Fluent
import Foundation
import SafeCertCore
import Vapor

/// Sends a text message. The outbox gateway is the default; an HTTP gateway is configured
/// with SAFECERT_SMS_GATEWAY_URL.
public protocol SMSGateway: Sendable {
    func send(to phone: String, text: String, at: Date, on db: any Database) async throws
}

/// Writes each message to the log and to the `sms_messages` table, which the demo outbox page
/// shows (only in demo mode).
public struct OutboxSMSGateway: SMSGateway {
    let logger: Logger
    public init(logger: Logger) { self.logger = logger }

    public func send(to phone: String, text: String, at: Date, on db: any Database) async throws {
        logger.info("SMS to \(phone): \(text)")
        try await SMSMessage(phone: phone, text: text, via: "outbox", at: at).create(on: db)
    }

}

/// Posts `{"phone": …, "text": …}` as JSON to the configured gateway; a non-2xx answer is an error.
public struct HTTPSMSGateway: SMSGateway {
    let url: String
    let token: String?
    let client: any Client

    public func send(to phone: String, text: String, at: Date, on db: any Database) async throws {
        struct Payload: Content { let phone: String; let text: String }
        var headers = HTTPHeaders()
        if let token { headers.bearerAuthorization = .init(token: token) }
        let response = try await client.post(URI(string: url), headers: headers) { req in
            try req.content.encode(Payload(phone: phone, text: text))
        }
        guard (200..<300).contains(response.status.code) else {
            throw Abort(.badGateway, reason: "短信网关返回错误（\(response.status.code)）")
        }
        try await SMSMessage(phone: phone, text: "（已通过短信网关发送）", via: "http", at: at).create(on: db)
    }
}

/// Sends verification codes within the limits of `LoginPolicy`, per phone number, so that new
/// sessions can't be used to flood someone's phone.
enum VerificationSMS {
    static func send(to phone: String, text: String, on db: any Database, gateway: any SMSGateway, now: Date) async throws {
        let policy = LoginPolicy.standard
        let recent = try await SMSMessage.query(on: db).filter(\.$phone == phone)
            .filter(\.$createdAt > now.addingTimeInterval(-policy.smsResendInterval)).count()
        guard recent == 0 else {
            throw Abort(.tooManyRequests, reason: "验证码已发送，请 \(Int(policy.smsResendInterval)) 秒后再重新获取")
        }
        let today = try await SMSMessage.query(on: db).filter(\.$phone == phone)
            .filter(\.$createdAt > now.addingTimeInterval(-86_400)).count()
        guard today < policy.smsDailyLimitPerPhone else {
            throw Abort(.tooManyRequests, reason: "该手机号今日获取验证码次数过多，请明天再试")
        }
        try await gateway.send(to: phone, text: text, at: now, on: db)
    }
}

final class SMSMessage: Model, @unchecked Sendable {
    static let schema = "sms_messages"

    @ID(key: .id) var id: UUID?
    @Field(key: "phone") var phone: String
    @Field(key: "text") var text: String
    @Field(key: "via") var via: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
    init(phone: String, text: String, via: String, at: Date) {
        self.phone = phone
        self.text = text
        self.via = via
        self.createdAt = at
    }
}

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
