import Crypto
import Foundation

/// The audit log as a hash chain: each entry's hash covers its own fields and the hash of the
/// entry before it, so an altered entry breaks its own hash and a removed one breaks the chain
/// (a gap in the sequence numbers, or a `previous` that no longer matches).
public enum AuditChain {
    /// The `previous` of the first entry.
    public static let genesis = String(repeating: "0", count: 64)

    public struct Fields: Sendable, Equatable {
        public var sequence: Int64
        public var previous: String
        /// Milliseconds since 1970 (the stored time, truncated to what every database keeps).
        public var atMilliseconds: Int64
        public var accountID: String
        public var actor: String
        public var organizationID: String
        public var organizationName: String
        public var action: String
        public var targetType: String
        public var targetID: String
        public var summary: String
        public var ip: String

        public init(sequence: Int64, previous: String, atMilliseconds: Int64, accountID: String, actor: String, organizationID: String,
                    organizationName: String, action: String, targetType: String, targetID: String, summary: String, ip: String) {
            self.sequence = sequence
            self.previous = previous
            self.atMilliseconds = atMilliseconds
            self.accountID = accountID
            self.actor = actor
            self.organizationID = organizationID
            self.organizationName = organizationName
            self.action = action
            self.targetType = targetType
            self.targetID = targetID
            self.summary = summary
            self.ip = ip
        }
    }

    /// SHA-256, hex, over the fields each prefixed by its UTF-8 length (so no field can run into
    /// the next).
    public static func hash(_ f: Fields) -> String {
        var bytes = Data()
        for field in [String(f.sequence), f.previous, String(f.atMilliseconds), f.accountID, f.actor, f.organizationID,
                      f.organizationName, f.action, f.targetType, f.targetID, f.summary, f.ip] {
            let utf8 = Data(field.utf8)
            bytes.append(contentsOf: String(utf8.count).utf8)
            bytes.append(UInt8(ascii: ":"))
            bytes.append(utf8)
        }
        return SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    public enum Break: Error, Sendable, Equatable {
        /// The entry's fields no longer give its hash.
        case altered(sequence: Int64)
        /// Entries are missing before this one (or it no longer follows the one before).
        case missingBefore(sequence: Int64)
        /// The newest entries are gone: the chain ends before the head it recorded.
        case missingAtEnd(after: Int64)
    }

    /// Where a check has got to: the last entry's sequence number and hash.
    public struct Position: Sendable, Equatable {
        public var sequence: Int64
        public var hash: String
        public init(sequence: Int64, hash: String) {
            self.sequence = sequence
            self.hash = hash
        }
        public static let start = Position(sequence: 0, hash: genesis)
    }

    /// Checks entries in sequence order, continuing from `last`. Returns the first break, or
    /// the new position.
    public static func check(_ entries: [(fields: Fields, storedHash: String)], after last: Position) -> Result<Position, Break> {
        var position = last
        for (fields, stored) in entries {
            guard fields.sequence == position.sequence + 1, fields.previous == position.hash else {
                return .failure(.missingBefore(sequence: fields.sequence))
            }
            guard hash(fields) == stored else { return .failure(.altered(sequence: fields.sequence)) }
            position = Position(sequence: fields.sequence, hash: stored)
        }
        return .success(position)
    }
}
