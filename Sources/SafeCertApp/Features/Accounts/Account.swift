import Fluent
import Foundation
import SafeCertCore

enum AccountStatus: String, Codable, Sendable {
    case active
    case disabled

    var label: String { self == .active ? "正常" : "已停用" }
}

/// A login. Accounts are never deleted, only disabled.
final class Account: Model, @unchecked Sendable {
    static let schema = "accounts"

    // managed
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    // data
    @Field(key: "username") var username: String
    @Field(key: "display_name") var displayName: String
    @Field(key: "password_hash") var passwordHash: String
    @Enum(key: "role") var role: Role
    @Enum(key: "status") var status: AccountStatus
    @Field(key: "phone") var phone: String
    @Field(key: "must_change_password") var mustChangePassword: Bool
    @Field(key: "failed_attempts") var failedAttempts: Int
    @OptionalField(key: "locked_until") var lockedUntil: Date?
    /// Base32 TOTP secret, for roles that need the second step.
    @OptionalField(key: "totp_secret") var totpSecret: String?
    /// The last TOTP time step accepted: a code can't be used twice.
    @OptionalField(key: "totp_last_step") var totpLastStep: Int64?
    @OptionalField(key: "last_login_at") var lastLoginAt: Date?
    /// The login before the current one, shown on the home page so a user notices a stranger's.
    @OptionalField(key: "previous_login_at") var previousLoginAt: Date?

    // relationships
    @OptionalParent(key: "organization_id") var organization: Organization?
    @OptionalParent(key: "person_id") var person: Person?

    init() {}

    init(
        id: UUID? = nil, username: String, displayName: String, passwordHash: String, role: Role,
        phone: String, organizationID: UUID?, personID: UUID? = nil, mustChangePassword: Bool, totpSecret: String? = nil
    ) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.passwordHash = passwordHash
        self.role = role
        self.status = .active
        self.phone = phone
        self.mustChangePassword = mustChangePassword
        self.failedAttempts = 0
        self.totpSecret = totpSecret
        self.$organization.id = organizationID
        self.$person.id = personID
    }

    var auditSummary: String {
        "用户名=\(username)；姓名=\(displayName)；角色=\(role.label)；状态=\(status.label)；手机=\(Masking.phone(phone))"
    }
}
