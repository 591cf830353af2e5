import Crypto
import Foundation

/// What an admission ticket's QR code vouches for: this candidate seat of this plan, for this
/// person, under this ticket number. The exam centre's identity check scans it and the server
/// checks the MAC before it looks anything up, so a forged or altered QR is refused outright.
public struct TicketClaims: Sendable, Hashable {
    public let ticketNumber: String
    public let candidateID: UUID
    public let personID: UUID

    public init(ticketNumber: String, candidateID: UUID, personID: UUID) {
        self.ticketNumber = ticketNumber
        self.candidateID = candidateID
        self.personID = personID
    }
}

/// HMAC-SHA256 over a context label and the claims; the token is
/// "ticketNumber.candidate.person.mac" with the UUIDs and the MAC in unpadded base64url, short
/// enough for a small QR code (level M, about 120 characters).
public struct TicketSigner: Sendable {
    private static let context = Array("safecert.admission-ticket".utf8)
    private let key: SymmetricKey

    public init(key: Data) { self.key = SymmetricKey(data: key) }

    private func mac(_ claims: TicketClaims) -> [UInt8] {
        var message = Self.context
        message += Array(claims.ticketNumber.utf8)
        message.append(0)
        message += withUnsafeBytes(of: claims.candidateID.uuid) { Array($0) }
        message += withUnsafeBytes(of: claims.personID.uuid) { Array($0) }
        return Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
    }

    private static func uuidBytes(_ id: UUID) -> [UInt8] { withUnsafeBytes(of: id.uuid) { Array($0) } }

    public func sign(_ claims: TicketClaims) -> String {
        [claims.ticketNumber, Base64URL.encode(Self.uuidBytes(claims.candidateID)), Base64URL.encode(Self.uuidBytes(claims.personID)),
         Base64URL.encode(mac(claims))].joined(separator: ".")
    }

    /// The claims, or nil for anything this server did not sign.
    public func verify(_ token: String) -> TicketClaims? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, !parts[0].isEmpty, parts[0].count <= 40, parts[0].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }),
              let candidate = Base64URL.decode(parts[1]), candidate.count == 16,
              let person = Base64URL.decode(parts[2]), person.count == 16,
              let sent = Base64URL.decode(parts[3]), sent.count == SHA256.byteCount
        else { return nil }
        func uuid(_ b: [UInt8]) -> UUID {
            UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
        }
        let claims = TicketClaims(ticketNumber: String(parts[0]), candidateID: uuid(candidate), personID: uuid(person))
        return ConstantTime.equals(mac(claims), sent) ? claims : nil
    }
}
