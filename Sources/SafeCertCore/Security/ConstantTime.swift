import Crypto
import Foundation

/// Comparison of secrets (CSRF tokens, one-time codes, MACs) whose time does not depend on the
/// contents: the one implementation every caller uses.
///
/// Both sides are first authenticated with HMAC-SHA256 under a key made at start-up, and the two
/// codes are compared by swift-crypto's constant-time equality. So neither how many leading bytes
/// match nor (beyond the hashing of the inputs) their lengths show in the time taken.
public enum ConstantTime {
    private static let key = SymmetricKey(size: .bits256)

    /// Whether `lhs` and `rhs` hold the same bytes.
    public static func equals(_ lhs: some DataProtocol, _ rhs: some DataProtocol) -> Bool {
        HMAC<SHA256>.authenticationCode(for: lhs, using: key) == HMAC<SHA256>.authenticationCode(for: rhs, using: key)
    }

    /// Whether `lhs` and `rhs` have the same UTF-8 bytes (no Unicode normalisation).
    public static func equals(_ lhs: String, _ rhs: String) -> Bool {
        equals(Array(lhs.utf8), Array(rhs.utf8))
    }
}
