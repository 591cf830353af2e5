import Crypto
import Foundation

/// What a certificate's QR code says about it, signed so that anyone can check it offline with
/// the public keys at `/api/v1/keys`: the number, the holder's masked name, the validity, the
/// issuer, and the certificate's index in the public status list (which says whether it has
/// since been suspended or revoked).
public struct CertificateClaim: Sendable, Hashable {
    public var number: String
    public var maskedHolder: String
    public var validFrom: CalendarDate
    public var validUntil: CalendarDate
    public var issuer: String
    public var statusIndex: Int

    public init(number: String, maskedHolder: String, validFrom: CalendarDate, validUntil: CalendarDate, issuer: String, statusIndex: Int) {
        self.number = number
        self.maskedHolder = maskedHolder
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.issuer = issuer
        self.statusIndex = statusIndex
    }
}

/// An Ed25519 key that signs certificate claims. Its id — the first 9 bytes of the SHA-256 of the
/// public key, base64url (12 characters) — goes into every claim it signs, so after a rotation a
/// verifier picks the right one of the published keys, old ones included.
public struct CertificateSigningKey: Sendable {
    public let id: String
    let key: Curve25519.Signing.PrivateKey

    public init(rawRepresentation: some ContiguousBytes) throws {
        key = try Curve25519.Signing.PrivateKey(rawRepresentation: rawRepresentation)
        id = Self.keyID(of: key.publicKey)
    }

    public static func generate() -> CertificateSigningKey {
        let key = Curve25519.Signing.PrivateKey()
        return CertificateSigningKey(key: key)
    }

    private init(key: Curve25519.Signing.PrivateKey) {
        self.key = key
        id = Self.keyID(of: key.publicKey)
    }

    public var rawRepresentation: Data { key.rawRepresentation }
    public var publicKey: Curve25519.Signing.PublicKey { key.publicKey }

    public static func keyID(of publicKey: Curve25519.Signing.PublicKey) -> String {
        Base64URL.encode(SHA256.hash(data: publicKey.rawRepresentation).prefix(9))
    }
}

public enum CertificateQRError: Error, Equatable, Sendable {
    case fieldTooLong(String)
    case statusIndexOutOfRange(Int)
    case malformed
    case unknownKey(String)
    case badSignature

    public var message: String {
        switch self {
        case .fieldTooLong(let field): "二维码内容过长：\(field)"
        case .statusIndexOutOfRange(let index): "状态列表序号超出范围：\(index)"
        case .malformed: "二维码内容无法识别"
        case .unknownKey(let id): "签名密钥未公布：\(id)"
        case .badSignature: "签名校验未通过，证书信息可能被篡改"
        }
    }
}

/// The QR's token: base64url of one version byte, the claim's fields (length-prefixed UTF-8,
/// dates as days since 1970-01-01, the status index as 4 bytes) and the 64-byte Ed25519
/// signature over a fixed context string followed by everything before it. The QR holds
/// `<site>/verify?c=<token>`, so a phone opens the live status and an offline verifier reads the
/// token alone.
public enum CertificateQR {
    static let version: UInt8 = 1
    static let context = Array("SafeCert certificate claim v1\n".utf8)
    static let epoch = CalendarDate.unixEpoch

    public static func token(for claim: CertificateClaim, signedWith key: CertificateSigningKey) throws(CertificateQRError) -> String {
        let body = try encode(claim, keyID: key.id)
        guard let signature = try? key.key.signature(for: context + body) else { throw .malformed }
        return Base64URL.encode(body + Array(signature))
    }

    public static func url(site: String, token: String) -> String {
        (site.hasSuffix("/") ? String(site.dropLast()) : site) + "/verify?c=" + token
    }

    /// The claim and the id of the key that signed it, when the signature holds under that key.
    public static func verify(_ token: String, keys: [String: Curve25519.Signing.PublicKey]) throws(CertificateQRError) -> (claim: CertificateClaim, keyID: String) {
        guard let bytes = Base64URL.decode(token), bytes.count > 64 else { throw .malformed }
        let body = Array(bytes.dropLast(64)), signature = Array(bytes.suffix(64))
        guard let (claim, keyID) = decode(body) else { throw .malformed }
        guard let key = keys[keyID] else { throw .unknownKey(keyID) }
        guard key.isValidSignature(signature, for: context + body) else { throw .badSignature }
        return (claim, keyID)
    }

    static func encode(_ claim: CertificateClaim, keyID: String) throws(CertificateQRError) -> [UInt8] {
        guard (0...Int(UInt32.max)).contains(claim.statusIndex) else { throw .statusIndexOutOfRange(claim.statusIndex) }
        var out: [UInt8] = [version]
        try appendText(keyID, "密钥编号", to: &out)
        appendInteger(UInt32(claim.statusIndex), to: &out)
        appendInteger(UInt32(bitPattern: Int32(clamping: epoch.days(until: claim.validFrom))), to: &out)
        appendInteger(UInt32(bitPattern: Int32(clamping: epoch.days(until: claim.validUntil))), to: &out)
        try appendText(claim.number, "证书编号", to: &out)
        try appendText(claim.maskedHolder, "持证人", to: &out)
        try appendText(claim.issuer, "发证机关", to: &out)
        return out
    }

    static func decode(_ bytes: [UInt8]) -> (CertificateClaim, String)? {
        var reader = Reader(bytes: bytes)
        guard reader.byte() == version,
              let keyID = reader.text(),
              let index = reader.integer(),
              let from = reader.integer(), let until = reader.integer(),
              let number = reader.text(), let holder = reader.text(), let issuer = reader.text(),
              reader.atEnd
        else { return nil }
        let claim = CertificateClaim(number: number, maskedHolder: holder,
                                     validFrom: epoch.adding(days: Int(Int32(bitPattern: from))),
                                     validUntil: epoch.adding(days: Int(Int32(bitPattern: until))),
                                     issuer: issuer, statusIndex: Int(index))
        return (claim, keyID)
    }

    private static func appendText(_ text: String, _ field: String, to out: inout [UInt8]) throws(CertificateQRError) {
        let utf8 = Array(text.utf8)
        guard utf8.count <= 255 else { throw .fieldTooLong(field) }
        out.append(UInt8(utf8.count))
        out += utf8
    }

    private static func appendInteger(_ value: UInt32, to out: inout [UInt8]) {
        out += [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    private struct Reader {
        let bytes: [UInt8]
        var position = 0

        var atEnd: Bool { position == bytes.count }

        mutating func byte() -> UInt8? {
            guard position < bytes.count else { return nil }
            defer { position += 1 }
            return bytes[position]
        }

        mutating func integer() -> UInt32? {
            guard bytes.count - position >= 4 else { return nil }
            defer { position += 4 }
            return bytes[position..<(position + 4)].reduce(0) { $0 << 8 | UInt32($1) }
        }

        mutating func text() -> String? {
            guard let length = byte().map(Int.init), bytes.count - position >= length else { return nil }
            defer { position += length }
            return String(validating: bytes[position..<(position + length)], as: UTF8.self)
        }
    }
}
