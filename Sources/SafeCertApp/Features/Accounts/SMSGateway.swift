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

/// Verification codes (registration and the login's second step) within the limits of
/// `LoginPolicy`: sends per phone and per address, and tries per code, per phone and per
/// address, so that neither new sessions nor new addresses buy more guesses.
enum VerificationSMS {
    /// Refuses (429) when the address asked for too many codes lately; call before `send`,
    /// outside the transaction, so parallel requests count each other.
    static func checkAddress(_ address: String, phone: String, on db: any Database, now: Date) async throws {
        let policy = LoginPolicy.standard
        let counted = try await Throttle.record(.smsSend, subject: phone, address: address, at: now,
                                                subjectSince: now, addressSince: now.addingTimeInterval(-policy.smsWindow), on: db)
        guard policy.maySendCode(sentFromAddress: counted.byAddress) else {
            try await Throttle.withdraw(counted.id, on: db)
            throw Abort(.tooManyRequests, reason: "本地址获取验证码次数过多，请 1 小时后再试")
        }
    }

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

    typealias Check = SMSCodeCheck

    /// Compares a typed code with the one the session holds (`hash` turns the typed code into
    /// what the session stored). Every try counts against the code, the phone and the address
    /// until it turns out right; the fifth wrong try kills the code.
    static func check(_ typed: String, hash: (String) -> String, session: WebSession, phone: String, address: String,
                      on db: any Database, now: Date) async throws -> Check {
        let policy = LoginPolicy.standard
        guard let sentAt = session.smsSentAt, let sessionID = session.id else { return .missing }
        // Sent, then killed by wrong tries.
        guard let stored = session.smsCodeHash else { return .refused(LoginPolicy.codeSpentMessage) }
        let ofCode = try await Throttle.record(.smsCode, subject: sessionID, address: address, at: now,
                                               subjectSince: sentAt, addressSince: nil, on: db)
        let since = now.addingTimeInterval(-policy.smsWindow)
        let ofPhone = try await Throttle.record(.smsPhone, subject: phone, address: address, at: now,
                                                subjectSince: since, addressSince: since, on: db)
        func withdraw() async throws {
            try await Throttle.withdraw(ofCode.id, on: db)
            try await Throttle.withdraw(ofPhone.id, on: db)
        }
        let gate = policy.codeGate(wrongTriesOfCode: ofCode.bySubject, wrongTriesForPhone: ofPhone.bySubject,
                                   wrongTriesFromAddress: ofPhone.byAddress)
        if let refusal = LoginPolicy.codeRefusal(gate) {
            try await withdraw()
            if gate == .codeSpent { try await kill(session, on: db) }
            return .refused(refusal)
        }
        let fresh = now.timeIntervalSince(sentAt) <= policy.smsCodeLifetime
        if fresh, !typed.isEmpty, ConstantTime.equals(stored, hash(typed)) {
            try await withdraw()
            return .valid
        }
        if ofCode.bySubject + 1 >= policy.smsMaxWrongTriesPerCode { try await kill(session, on: db) }
        return .wrong
    }

    private static func kill(_ session: WebSession, on db: any Database) async throws {
        session.smsCodeHash = nil
        try await session.save(on: db)
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
