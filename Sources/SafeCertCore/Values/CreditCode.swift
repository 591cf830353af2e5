import Foundation

/// A Unified Social Credit Code (统一社会信用代码, GB 32100-2015), 18 characters:
/// registration authority, organisation type, 6-digit region code, 9-character organisation
/// code, check character.
///
/// Some codes issued during the early pilots fail the check yet are legally valid, so a wrong
/// check character is reported through `checkCharacterValid` / `warning` instead of being
/// refused, and saved only once confirmed (`needsConfirmation`).
public struct CreditCode: Sendable, Hashable, CustomStringConvertible {
    public let value: String
    public let checkCharacterValid: Bool

    private init(value: String, checkCharacterValid: Bool) {
        self.value = value
        self.checkCharacterValid = checkCharacterValid
    }

    public static func parse(_ raw: String) throws(CreditCodeError) -> CreditCode {
        let text = TextNormalization.foldFullWidth(raw.trimmingCharacters(in: .whitespacesAndNewlines)).uppercased()
        guard !text.isEmpty else { throw .empty }
        let characters = Array(text)
        guard characters.count == 18 else { throw .wrongLength(characters.count) }
        if let bad = characters.first(where: { alphabetValues[$0] == nil }) { throw .invalidCharacter(bad) }
        guard characters[2..<8].allSatisfy(TextNormalization.isASCIIDigit) else { throw .invalidRegionCode }
        let expected = checkCharacter(for: String(characters[..<17]))
        return CreditCode(value: text, checkCharacterValid: characters[17] == expected)
    }

    /// Chinese notice for a code whose check character does not match; nil when it does.
    public var warning: String? {
        guard !checkCharacterValid, let expected = CreditCode.checkCharacter(for: String(value.prefix(17))) else {
            return nil
        }
        return "统一社会信用代码校验位不符（应为 \(expected)），请核对"
    }

    /// The request shown when a code with a failing check character is about to be saved.
    public static let confirmationRequest = "统一社会信用代码校验位不正确，请核对；确认无误请勾选“确认保存”后再次提交"

    /// Whether saving this code must wait for the user's confirmation: a failing check
    /// character (legal for early pilot codes, but usually a typo) is saved only once the user
    /// confirms it; the code already on file is not asked about again.
    public func needsConfirmation(confirmed: Bool, onFile: String? = nil) -> Bool {
        !checkCharacterValid && !confirmed && value != onFile
    }

    /// 登记管理部门代码, e.g. "9" for market regulation (工商).
    public var registrationAuthority: Character { Array(value)[0] }
    /// 机构类别代码, e.g. "1" for enterprises under market regulation.
    public var organizationType: Character { Array(value)[1] }
    /// Characters 3–8: the administrative region (GB/T 2260).
    public var regionCode: String { String(Array(value)[2..<8]) }
    /// Characters 9–17: the former organisation code (组织机构代码).
    public var organizationCode: String { String(Array(value)[8..<17]) }

    public var description: String { value }

    // MARK: Check character

    static let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
    private static let alphabetValues: [Character: Int] =
        Dictionary(uniqueKeysWithValues: alphabet.enumerated().map { ($1, $0) })
    private static let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

    /// The MOD 31 check character, or nil unless `first17` is 17 characters of the code alphabet.
    public static func checkCharacter(for first17: String) -> Character? {
        let values = first17.compactMap { alphabetValues[$0] }
        guard values.count == 17, first17.count == 17 else { return nil }
        let sum = zip(values, weights).reduce(0) { $0 + $1.0 * $1.1 }
        return alphabet[(31 - sum % 31) % 31]
    }

    /// Why `generate` can't make a code from what it was given.
    public enum GenerationError: Error, Equatable, Sendable {
        case region(String)
        case serial(Int)
        case type(String)

        public var message: String {
            switch self {
            case .region(let region): "行政区划代码「\(region)」须为 6 位数字"
            case .serial(let serial): "顺序号 \(serial) 须为非负整数"
            case .type(let type): "登记管理部门和机构类别代码「\(type)」须为两个代码字符"
            }
        }
    }

    /// A valid code for demo data: the registration authority and organisation type ("91", an
    /// enterprise under market regulation; "12", a public institution such as a school) + region
    /// + an organisation code whose own GB 11714 check digit is correct + the MOD 31 check.
    public static func generate(region: String, serial: Int, type: String = "91") throws(GenerationError) -> CreditCode {
        guard region.count == 6, region.allSatisfy(TextNormalization.isASCIIDigit) else { throw .region(region) }
        guard serial >= 0 else { throw .serial(serial) }
        guard type.count == 2, type.allSatisfy({ alphabetValues[$0] != nil }) else { throw .type(type) }
        let body = TextNormalization.zeroPadded(serial % 100_000_000, width: 8)
        let first17 = type + region + body + String(organizationCodeCheckCharacter(for: body))
        // Every character above is in the alphabet, so the check exists; a type outside it was refused.
        guard let check = checkCharacter(for: first17) else { throw .type(type) }
        return CreditCode(value: first17 + String(check), checkCharacterValid: true)
    }

    /// GB 11714-1997 check for an 8-digit organisation code body.
    private static func organizationCodeCheckCharacter(for digits: String) -> Character {
        let weights = [3, 7, 9, 10, 5, 8, 4, 2]
        let sum = zip(digits.compactMap(\.wholeNumberValue), weights).reduce(0) { $0 + $1.0 * $1.1 }
        switch 11 - sum % 11 {
        case 10: return "X"
        case 11: return "0"
        case let check: return Character(String(check))
        }
    }
}

/// Encoded as the bare string; decoding re-parses it (and recomputes `checkCharacterValid`).
extension CreditCode: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        do {
            self = try CreditCode.parse(raw)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

public enum CreditCodeError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case wrongLength(Int)
    case invalidCharacter(Character)
    case invalidRegionCode

    public var message: String {
        switch self {
        case .empty:
            return "统一社会信用代码不能为空"
        case .wrongLength(let count):
            return "统一社会信用代码应为 18 位，当前为 \(count) 位"
        case .invalidCharacter(let character):
            return "统一社会信用代码包含无效字符“\(character)”（只用数字和除 I、O、Z、S、V 以外的大写字母）"
        case .invalidRegionCode:
            return "统一社会信用代码第 3–8 位行政区划码应为数字"
        }
    }

    public var description: String { message }
}
