import Fluent
import Foundation

/// One counted attempt: a login failure, an SMS code tried or sent. Kept in the database so
/// every instance behind the balancer counts the same attempts; `Throttle` reads the counts.
final class ThrottleEvent: Model, @unchecked Sendable {
    static let schema = "throttle_events"

    enum Kind: String, Codable, Sendable {
        /// A refused login (password or second step); subject: the account id, or the hash of
        /// an unknown username.
        case login
        /// A try of one SMS code; subject: the session holding the code.
        case smsCode = "sms.code"
        /// A try of an SMS code for a phone; subject: the phone number.
        case smsPhone = "sms.phone"
        /// An SMS code sent; subject: the phone number.
        case smsSend = "sms.send"
    }

    // managed
    @ID(key: .id) var id: UUID?

    // data
    @Enum(key: "kind") var kind: Kind
    @Field(key: "subject") var subject: String
    /// The client's address (`Request.clientIP`).
    @Field(key: "address") var address: String
    @Field(key: "at") var at: Date

    init() {}

    init(kind: Kind, subject: String, address: String, at: Date) {
        self.kind = kind
        self.subject = subject
        self.address = address
        self.at = at
    }
}
