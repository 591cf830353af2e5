import Crypto
import Foundation

/// Time-based one-time passwords (RFC 6238): HMAC-SHA1, 6 digits, 30-second steps —
/// the settings every common authenticator app assumes.
///
/// `description` hides the secret so it cannot end up in logs by interpolation.
public struct TOTP: Sendable, Hashable, CustomStringConvertible {
    public static let digits = 6
    public static let period: UInt64 = 30

    public let secret: [UInt8]

    public init(secret: [UInt8]) {
        self.secret = secret
    }

    /// Nil when the text is not Base32 or decodes to nothing.
    public init?(base32: String) {
        guard let bytes = Base32.decode(base32), !bytes.isEmpty else { return nil }
        self.init(secret: bytes)
    }

    public var base32Secret: String { Base32.encode(secret) }

    public var description: String { "TOTP(secret: <hidden>)" }

    // MARK: Codes

    /// Steps before 1970 do not exist; such dates count as step 0.
    public static func step(at date: Date) -> UInt64 {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        guard seconds > 0 else { return 0 }
        return UInt64(seconds) / period
    }

    public func code(at date: Date) -> String {
        code(forStep: TOTP.step(at: date))
    }

    public func code(forStep step: UInt64) -> String {
        code(forStep: step, digits: TOTP.digits)
    }

    /// RFC 4226 dynamic truncation; `digits` other than 6 exists for the RFC's 8-digit test vectors.
    func code(forStep step: UInt64, digits: Int) -> String {
        let counter = withUnsafeBytes(of: step.bigEndian) { Array($0) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: counter, using: SymmetricKey(data: secret)))
        let offset = Int(mac[mac.count - 1] & 0x0F)
        let binary = (UInt32(mac[offset] & 0x7F) << 24)
            | (UInt32(mac[offset + 1]) << 16)
            | (UInt32(mac[offset + 2]) << 8)
            | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        return TextNormalization.zeroPadded(Int(binary % modulus), width: digits)
    }

    // MARK: Verification

    /// Accepts codes of the current step and one step either side (clock drift, slow typing);
    /// returns the matched step so the caller can refuse reuse: only a step strictly greater than
    /// `lastUsedStep` is accepted. Store the returned step as the new `lastUsedStep`.
    public func verify(_ code: String, at date: Date, lastUsedStep: UInt64?) -> UInt64? {
        var entered = TextNormalization.foldFullWidth(code)
        entered.removeAll(where: \.isWhitespace)
        guard entered.count == TOTP.digits, entered.allSatisfy(TextNormalization.isASCIIDigit) else { return nil }

        let current = TOTP.step(at: date)
        let earliest = current == 0 ? 0 : current - 1
        var matched: UInt64?
        // Every candidate is compared, even after a match, so timing does not reveal which step matched.
        for step in earliest...(current + 1) {
            let isFresh = lastUsedStep.map { step > $0 } ?? true
            if ConstantTime.equals(self.code(forStep: step), entered), isFresh, matched == nil {
                matched = step
            }
        }
        return matched
    }

    // MARK: Enrolment

    /// A new 160-bit secret, the length RFC 4226 recommends.
    /// Pass `SystemRandomNumberGenerator` in production; a seeded generator only in tests.
    public static func generateSecret<R: RandomNumberGenerator>(using generator: inout R) -> TOTP {
        TOTP(secret: (0..<20).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// The otpauth:// URI that authenticator apps read from a QR code (Key Uri Format).
    public func provisioningURI(account: String, issuer: String) -> String {
        let label = TOTP.percentEncoded(issuer) + ":" + TOTP.percentEncoded(account)
        return "otpauth://totp/\(label)?secret=\(base32Secret)&issuer=\(TOTP.percentEncoded(issuer))"
            + "&algorithm=SHA1&digits=\(TOTP.digits)&period=\(TOTP.period)"
    }

    /// Percent-encodes everything outside RFC 3986 "unreserved", so ":", "@", spaces and
    /// Chinese issuer names are all safe inside the label and the query.
    private static func percentEncoded(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                result += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return result
    }
}
