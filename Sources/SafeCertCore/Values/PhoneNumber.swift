import Foundation

/// A mainland mobile number: 11 digits beginning 13–19. Stored without country code.
///
/// `description` is the masked form so log lines do not carry the full number.
public struct PhoneNumber: Sendable, Hashable, CustomStringConvertible {
    public let value: String

    /// Accepts full-width digits, spaces, hyphens and a "+86", "0086" or "86" prefix,
    /// as people paste them: "+86 138-0013-8000", "１３８００１３８０００".
    public init(_ raw: String) throws(PhoneNumberError) {
        var text = TextNormalization.foldFullWidth(raw)
        text.removeAll { $0.isWhitespace || $0 == "-" }
        guard !text.isEmpty else { throw .empty }
        if text.hasPrefix("+86") {
            text.removeFirst(3)
        } else if text.hasPrefix("0086") {
            text.removeFirst(4)
        } else if text.hasPrefix("86"), text.count == 13 {
            text.removeFirst(2)
        }
        guard text.allSatisfy(TextNormalization.isASCIIDigit) else { throw .invalidCharacter }
        guard text.count == 11 else { throw .wrongLength(text.count) }
        let digits = Array(text)
        guard digits[0] == "1", ("3"..."9").contains(digits[1]) else { throw .invalidPrefix }
        value = text
    }

    /// "138****8000"
    public var masked: String { Masking.phone(value) }

    public var description: String { masked }
}

/// Encoded as the bare 11-digit string; decoding validates it again.
extension PhoneNumber: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        do {
            try self.init(raw)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

public enum PhoneNumberError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case invalidCharacter
    case wrongLength(Int)
    case invalidPrefix

    public var message: String {
        switch self {
        case .empty: return "手机号不能为空"
        case .invalidCharacter: return "手机号只能包含数字"
        case .wrongLength(let count): return "手机号应为 11 位数字，当前为 \(count) 位"
        case .invalidPrefix: return "手机号应以 13–19 开头"
        }
    }

    public var description: String { message }
}
