import Crypto
import Foundation

/// What a study heartbeat token vouches for: this page of this study session, for this person and
/// lesson, may send beat number `sequence`, and the server handed it out at `issuedAt`.
///
/// The claims are not secret (the page can read them); they are signed, so the page cannot change
/// them. `issuedAt` is kept to whole seconds (rounded down) so that a token and the claims it was
/// made from compare equal after a round trip.
public struct HeartbeatClaims: Sendable, Hashable, Codable {
    public let sessionID: UUID
    public let personID: UUID
    public let lessonID: UUID
    /// Starts at 0 with the session's first token and goes up by one with every verified beat.
    public let sequence: Int
    public let issuedAt: Date

    public init(sessionID: UUID, personID: UUID, lessonID: UUID, sequence: Int, issuedAt: Date) {
        self.sessionID = sessionID
        self.personID = personID
        self.lessonID = lessonID
        self.sequence = sequence
        self.issuedAt = Date(timeIntervalSince1970: issuedAt.timeIntervalSince1970.rounded(.down))
    }
}

/// Signs and checks heartbeat tokens with HMAC-SHA256.
///
/// A token is `payload.mac`, both unpadded base64url, so it travels in a URL, a header or JSON
/// without escaping (about 130 characters). The payload is a version byte, the three UUIDs, then
/// the sequence and the issue time in seconds as big-endian 64-bit integers; the MAC covers a fixed
/// context label plus the payload, so a key shared by mistake with another feature cannot make one
/// of its MACs pass for a heartbeat.
///
/// The signer only answers "did this server make this token?". Whether the beat comes at the right
/// time and in the right order is `StudyJudge`'s decision, against the stored session.
public struct HeartbeatSigner: Sendable, CustomStringConvertible {
    /// HMAC-SHA256 gains nothing from a longer key, and a shorter one is guessable sooner.
    public static let recommendedKeyLength = 32

    private static let version: UInt8 = 1
    private static let context = Array("safecert.study-heartbeat".utf8)
    private static let payloadLength = 1 + 16 * 3 + 8 + 8
    private static let macLength = SHA256.byteCount

    private let key: SymmetricKey

    /// `key` should be `recommendedKeyLength` random bytes kept in the server's configuration;
    /// changing it invalidates every token in flight, so open study pages must re-enter the lesson.
    public init(key: Data) {
        self.key = SymmetricKey(data: key)
    }

    /// Pass `SystemRandomNumberGenerator` in production; a seeded generator only in tests.
    public static func generateKey<R: RandomNumberGenerator>(using generator: inout R) -> Data {
        Data((0..<recommendedKeyLength).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    public var description: String { "HeartbeatSigner(key: <hidden>)" }

    public func sign(_ claims: HeartbeatClaims) -> String {
        let payload = Self.encode(claims)
        let mac = HMAC<SHA256>.authenticationCode(for: Self.context + payload, using: key)
        return Base64URL.encode(payload) + "." + Base64URL.encode(Array(mac))
    }

    /// The claims of a token this signer made, or nil for anything else: not two base64url parts,
    /// wrong lengths or version, a negative sequence, a changed byte, another key.
    public func verify(_ token: String) -> HeartbeatClaims? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2,
              let payload = Base64URL.decode(parts[0]), payload.count == Self.payloadLength,
              let mac = Base64URL.decode(parts[1]), mac.count == Self.macLength
        else { return nil }
        // swift-crypto compares the codes in constant time, so response times do not reveal how
        // many leading bytes of a forged MAC were right.
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Self.context + payload, using: key) else {
            return nil
        }
        return Self.decode(payload)
    }

    // MARK: Payload

    private static func encode(_ claims: HeartbeatClaims) -> [UInt8] {
        var bytes: [UInt8] = [version]
        for id in [claims.sessionID, claims.personID, claims.lessonID] {
            withUnsafeBytes(of: id.uuid) { bytes.append(contentsOf: $0) }
        }
        appendBigEndian(Int64(claims.sequence), to: &bytes)
        appendBigEndian(Int64(claims.issuedAt.timeIntervalSince1970), to: &bytes)
        return bytes
    }

    private static func decode(_ bytes: [UInt8]) -> HeartbeatClaims? {
        guard bytes.count == payloadLength, bytes[0] == version else { return nil }
        let ids = (0..<3).map { index -> UUID in
            let start = 1 + index * 16
            let b = Array(bytes[start..<(start + 16)])
            return UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
                               b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
        }
        let sequence = readBigEndian(bytes, at: 49)
        let issuedAt = readBigEndian(bytes, at: 57)
        guard sequence >= 0 else { return nil }
        return HeartbeatClaims(sessionID: ids[0], personID: ids[1], lessonID: ids[2], sequence: Int(sequence),
                               issuedAt: Date(timeIntervalSince1970: TimeInterval(issuedAt)))
    }

    private static func appendBigEndian(_ value: Int64, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    private static func readBigEndian(_ bytes: [UInt8], at offset: Int) -> Int64 {
        bytes[offset..<(offset + 8)].reduce(Int64(0)) { ($0 << 8) | Int64($1) }
    }
}
