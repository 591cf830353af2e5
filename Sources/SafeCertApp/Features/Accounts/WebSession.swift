import Fluent
import Foundation

/// A browser session, kept in the database so every instance behind the balancer shares it.
/// The row's id is the SHA-256 of the cookie token: a copy of the table opens no session.
final class WebSession: Model, @unchecked Sendable {
    static let schema = "web_sessions"

    enum Stage: String, Codable, Sendable {
        /// Not logged in: carries the CSRF token and the flash messages of an anonymous form
        /// (the login form needs none: its state is in the visitor cookie).
        case anonymous
        /// Password accepted; waiting for the dynamic code and the SMS code.
        case secondFactor = "second_factor"
        case authenticated
    }

    @ID(custom: "id", generatedBy: .user) var id: String?
    @Enum(key: "stage") var stage: Stage
    @OptionalField(key: "account_id") var accountID: UUID?
    @Field(key: "csrf_token") var csrfToken: String
    // The shipped `captcha_answer` column is no longer used: the captcha lives in the visitor cookie.
    @OptionalField(key: "sms_code_hash") var smsCodeHash: String?
    @OptionalField(key: "sms_sent_at") var smsSentAt: Date?
    /// Flash messages for the next page, as JSON.
    @OptionalField(key: "flash") var flash: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "last_seen_at") var lastSeenAt: Date

    init() {}

    init(id: String, csrfToken: String, now: Date) {
        self.id = id
        self.stage = .anonymous
        self.csrfToken = csrfToken
        self.createdAt = now
        self.lastSeenAt = now
    }
}
