import Crypto
import Fluent
import Foundation

/// A key an organisation's integration (ID-card reader bridge, exam client, provincial
/// platform) sends as `Authorization: Bearer sk_…`. Only its SHA-256 is stored.
final class APIKey: Model, @unchecked Sendable {
    static let schema = "api_keys"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Field(key: "name") var name: String
    @Field(key: "prefix") var prefix: String
    @Field(key: "key_hash") var keyHash: String
    @OptionalField(key: "revoked_at") var revokedAt: Date?
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?
    @Parent(key: "organization_id") var organization: Organization

    init() {}

    static func hash(_ key: String) -> String {
        SHA256.hash(data: Data(key.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
