import Foundation

// MARK: - Resident ID number

/// A mainland resident identity number (居民身份证号码, GB 11643-1999), always 18 characters:
/// 6-digit region code, 8-digit birth date, 3-digit sequence, ISO 7064 MOD 11-2 check character.
///
/// `description` is the masked form so that an ID number interpolated into a log line
/// does not leak; use `value` where the full number is really needed.
public struct IDNumber: Sendable, Hashable, CustomStringConvertible {
    public let value: String

    /// Validates against today's date in Beijing time.
    public init(_ raw: String) throws(IDNumberError) {
        try self.init(raw, today: CalendarDate.today())
    }

    /// `today` is injected so birth-date checks are testable; a birth date after it is refused.
    public init(_ raw: String, today: CalendarDate) throws(IDNumberError) {
        let text = TextNormalization.foldFullWidth(TextNormalization.trimmed(raw)).uppercased()
        guard !text.isEmpty else { throw .empty }
        // Byte-wise: imports check hundreds of thousands of these.
        let bytes = Array(text.utf8)
        guard bytes.count == 18, bytes.allSatisfy({ $0 < 0x80 }) else {
            let count = text.count
            if count != 18 { throw .wrongLength(count) }
            throw .invalidCharacter
        }
        func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
        guard bytes[..<17].allSatisfy(isDigit), isDigit(bytes[17]) || bytes[17] == UInt8(ascii: "X") else { throw .invalidCharacter }

        guard IDNumber.provinceCodes.contains(String(decoding: bytes[0..<2], as: UTF8.self)) else { throw .invalidRegionCode }

        func digit(_ i: Int) -> Int { Int(bytes[i] - 48) }
        guard let birth = CalendarDate(year: digit(6) * 1000 + digit(7) * 100 + digit(8) * 10 + digit(9),
                                       month: digit(10) * 10 + digit(11), day: digit(12) * 10 + digit(13))
        else { throw .invalidBirthDate }
        guard birth >= IDNumber.earliestBirthDate, birth <= today else { throw .birthDateOutOfRange }

        var sum = 0
        for (i, weight) in IDNumber.weights.enumerated() { sum += digit(i) * weight }
        let expected = IDNumber.checkCharacters[sum % 11]
        guard bytes[17] == expected.asciiValue else { throw .wrongCheckCharacter(expected: expected) }
        value = text
    }


    /// For values already known to be valid (generated, or held by a validated `PersonIdentity`).
    fileprivate init(unchecked value: String) {
        self.value = value
    }

    public var regionCode: String { String(value.prefix(6)) }

    public var birthDate: CalendarDate {
        guard let date = IDNumber.birthDate(in: Array(value)) else {
            preconditionFailure("IDNumber holds an unvalidated birth date: \(masked)")
        }
        return date
    }

    /// The 17th character is the last digit of the sequence: odd for men, even for women.
    public var gender: Gender {
        let sequenceDigit = Array(value)[16].wholeNumberValue ?? 0
        return sequenceDigit % 2 == 1 ? .male : .female
    }

    public func age(on date: CalendarDate) -> Int { birthDate.age(on: date) }

    /// "110105********1234"
    public var masked: String { Masking.idNumber(value) }

    public var description: String { masked }

    // MARK: Check character

    private static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    private static let checkCharacters = Array("10X98765432")

    /// The ISO 7064 MOD 11-2 check character for the first 17 digits.
    /// - Precondition: `first17` is exactly 17 ASCII digits.
    public static func checkCharacter(for first17: String) -> Character {
        let digits = first17.compactMap { TextNormalization.isASCIIDigit($0) ? $0.wholeNumberValue : nil }
        precondition(digits.count == 17 && first17.count == 17, "checkCharacter(for:) needs exactly 17 digits")
        let sum = zip(digits, weights).reduce(0) { $0 + $1.0 * $1.1 }
        return checkCharacters[sum % 11]
    }

    /// Builds a valid number, for tests and demo data; the birth date is not range-checked.
    /// - Precondition: `region` is 6 digits and `sequence` is in 0...999.
    public static func generate(region: String, birth: CalendarDate, sequence: Int) -> IDNumber {
        precondition(region.count == 6 && region.allSatisfy(TextNormalization.isASCIIDigit), "region must be 6 digits")
        precondition((0...999).contains(sequence), "sequence must be in 0...999")
        let birthDigits = TextNormalization.zeroPadded(birth.year, width: 4)
            + TextNormalization.zeroPadded(birth.month, width: 2)
            + TextNormalization.zeroPadded(birth.day, width: 2)
        let first17 = region + birthDigits + TextNormalization.zeroPadded(sequence, width: 3)
        return IDNumber(unchecked: first17 + String(checkCharacter(for: first17)))
    }

    // MARK: Parts

    /// Births before 1900 cannot belong to a living applicant; earlier dates are typing errors.
    static let earliestBirthDate = CalendarDate(year: 1900, month: 1, day: 1)!

    /// Provincial-level prefixes (GB/T 2260), plus 81/82/83 used by residence permits
    /// for Hong Kong, Macao and Taiwan residents.
    static let provinceCodes: Set<String> = [
        "11", "12", "13", "14", "15",
        "21", "22", "23",
        "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46",
        "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65",
        "71", "81", "82", "83",
    ]

    private static func birthDate(in characters: [Character]) -> CalendarDate? {
        guard let year = Int(String(characters[6..<10])),
              let month = Int(String(characters[10..<12])),
              let day = Int(String(characters[12..<14]))
        else { return nil }
        return CalendarDate(year: year, month: month, day: day)
    }
}

/// Encoded as the bare 18-character string; decoding validates it again.
extension IDNumber: Codable {
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

public enum IDNumberError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case wrongLength(Int)
    case invalidCharacter
    case invalidRegionCode
    /// The birth-date digits do not name a real day (e.g. 30 February).
    case invalidBirthDate
    /// A real day, but before 1900 or after today.
    case birthDateOutOfRange
    case wrongCheckCharacter(expected: Character)

    public var message: String {
        switch self {
        case .empty:
            return "身份证号不能为空"
        case .wrongLength(15):
            return "身份证号应为 18 位，当前为 15 位（旧版 15 位号码请换用 18 位号码）"
        case .wrongLength(let count):
            return "身份证号应为 18 位，当前为 \(count) 位"
        case .invalidCharacter:
            return "身份证号只能包含数字，最后一位可以是 X"
        case .invalidRegionCode:
            return "身份证号前两位地区码无效"
        case .invalidBirthDate:
            return "身份证号中的出生日期不是有效日期"
        case .birthDateOutOfRange:
            return "身份证号中的出生日期超出合理范围（1900 年至今）"
        case .wrongCheckCharacter(let expected):
            return "身份证号校验位错误，应为 \(expected)"
        }
    }

    public var description: String { message }
}

// MARK: - Gender

public enum Gender: String, Sendable, Codable, CaseIterable {
    case male
    case female

    public var label: String {
        switch self {
        case .male: return "男"
        case .female: return "女"
        }
    }
}

// MARK: - Other identity documents

public enum IDDocumentType: String, CaseIterable, Sendable, Codable {
    case residentID
    case passport
    case hongKongMacauPermit
    case taiwanPermit
    case foreignerPermanentResidence

    /// Resident IDs carry gender and birth date in the number; the other documents don't.
    public var derivesGenderAndBirthDate: Bool { self == .residentID }

    public var label: String {
        switch self {
        case .residentID: return "居民身份证"
        case .passport: return "护照"
        case .hongKongMacauPermit: return "港澳居民来往内地通行证"
        case .taiwanPermit: return "台湾居民来往大陆通行证"
        case .foreignerPermanentResidence: return "外国人永久居留身份证"
        }
    }
}

/// A person's identity document. Resident ID numbers are fully validated (and yield gender
/// and birth date); the other documents have no public check character, so their shape is
/// checked (`DocumentNumberFormat`) and the holder's gender and birth date are asked for.
public struct PersonIdentity: Sendable, Hashable, CustomStringConvertible {
    public let type: IDDocumentType
    /// Normalised: trimmed, full-width folded, upper-case; a permit by its holder's lifelong number.
    public let number: String
    /// Known only for resident IDs.
    public let gender: Gender?
    public let birthDate: CalendarDate?

    public init(type: IDDocumentType, number raw: String) throws(PersonIdentityError) {
        try self.init(type: type, number: raw, today: CalendarDate.today())
    }

    public init(type: IDDocumentType, number raw: String, today: CalendarDate) throws(PersonIdentityError) {
        self.type = type
        if type == .residentID {
            let id: IDNumber
            do {
                id = try IDNumber(raw, today: today)
            } catch {
                throw .residentID(error)
            }
            number = id.value
            gender = id.gender
            birthDate = id.birthDate
            return
        }
        let text = TextNormalization.foldFullWidth(raw.trimmingCharacters(in: .whitespacesAndNewlines)).uppercased()
        number = try DocumentNumberFormat.normalised(text, type: type)
        gender = nil
        birthDate = nil
    }

    public var residentID: IDNumber? {
        type == .residentID ? IDNumber(unchecked: number) : nil
    }

    public var masked: String { Masking.idNumber(number) }

    public var description: String { "\(type.label) \(masked)" }
}

/// The shapes of the documents other than the resident ID.
///
/// - 港澳居民来往内地通行证: 公安部出入境管理局《港澳居民来往内地通行证号码规则》(2010-03-10):
///   "H" (Hong Kong) or "M" (Macao), the holder's 8-digit lifelong number, then 2 digits counting
///   re-issues (11 characters); the first 9 characters are the same on every permit of one
///   holder, and the card issued since 2013 prints only those 9. A permit is kept by those 9
///   characters, so a re-issued permit is the same person.
/// - 台湾居民来往大陆通行证: since 2008-09-25 "一人一号、终身不变" — the 8-digit lifelong number
///   (the 2015 card prints only it); the 1992 booklet added 2 digits counting issues and, in
///   brackets, the issuing office's code ("1234567801(B)"). Kept by the 8 digits.
/// - 护照: letters and digits, 5–17 characters (mainland passports are E/G + 8 digits; other
///   countries' numbers vary in length).
/// - 外国人永久居留身份证: letters, digits, brackets and hyphens, 5–30 characters (the 2004 card's
///   15 and the 2023 card's 18 characters both fit).
public enum DocumentNumberFormat {
    public static func lengths(of type: IDDocumentType) -> ClosedRange<Int> {
        switch type {
        case .residentID: 18...18
        case .hongKongMacauPermit: 9...11
        case .taiwanPermit: 8...14
        case .passport: 5...17
        case .foreignerPermanentResidence: 5...30
        }
    }

    /// The number as kept, or why it isn't one; `text` is already trimmed, folded and upper-cased.
    static func normalised(_ text: String, type: IDDocumentType) throws(PersonIdentityError) -> String {
        guard !text.isEmpty else { throw .empty(type) }
        let characters = Array(text)
        guard lengths(of: type).contains(characters.count) else {
            // A permit's shape is told whole: "H and 8 digits" says more than a length.
            if type == .hongKongMacauPermit || type == .taiwanPermit { throw .invalidFormat(type) }
            throw .wrongLength(type, characters.count)
        }
        func digits(_ slice: ArraySlice<Character>) -> Bool { slice.allSatisfy(TextNormalization.isASCIIDigit) }
        func letterOrDigit(_ c: Character) -> Bool { TextNormalization.isASCIIDigit(c) || ("A"..."Z").contains(c) }
        switch type {
        case .residentID:
            return text
        case .hongKongMacauPermit:
            guard characters[0] == "H" || characters[0] == "M", characters.count == 9 || characters.count == 11,
                  digits(characters[1...]) else { throw .invalidFormat(type) }
            return String(characters[0..<9])
        case .taiwanPermit:
            // 8 digits; or 10 digits; or 10 digits and "(X)" with a one- or two-character office code.
            let bracketed = characters.count > 10 && characters[10] == "(" && characters.last == ")"
                && (13...14).contains(characters.count) && characters[11..<(characters.count - 1)].allSatisfy(letterOrDigit)
            guard characters.count == 8 || characters.count == 10 || bracketed, digits(characters[0..<min(10, characters.count)])
            else { throw .invalidFormat(type) }
            return String(characters[0..<8])
        case .passport:
            guard characters.allSatisfy(letterOrDigit) else { throw .invalidCharacter(type) }
            return text
        case .foreignerPermanentResidence:
            guard characters.allSatisfy({ letterOrDigit($0) || $0 == "(" || $0 == ")" || $0 == "-" }) else { throw .invalidCharacter(type) }
            return text
        }
    }
}

/// Encoded as `{type, number}`; decoding validates again so stored data cannot bypass the rules.
extension PersonIdentity: Codable {
    private enum CodingKeys: String, CodingKey { case type, number }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(IDDocumentType.self, forKey: .type)
        let number = try container.decode(String.self, forKey: .number)
        do {
            try self.init(type: type, number: number)
        } catch {
            throw DecodingError.dataCorruptedError(forKey: .number, in: container, debugDescription: error.message)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encode(number, forKey: .number)
    }
}

public enum PersonIdentityError: Error, Equatable, Sendable, CustomStringConvertible {
    case residentID(IDNumberError)
    case empty(IDDocumentType)
    case wrongLength(IDDocumentType, Int)
    case invalidCharacter(IDDocumentType)
    /// The right characters in the wrong places (a permit's letter, digits and brackets).
    case invalidFormat(IDDocumentType)

    public var message: String {
        switch self {
        case .residentID(let error):
            return error.message
        case .empty(let type):
            return "\(type.label)号码不能为空"
        case .wrongLength(let type, let count):
            let range = DocumentNumberFormat.lengths(of: type)
            return "\(type.label)号码应为 \(range.lowerBound)–\(range.upperBound) 位，当前为 \(count) 位"
        case .invalidCharacter(.passport):
            return "护照号码只能包含字母和数字"
        case .invalidCharacter(let type):
            return "\(type.label)号码只能包含字母、数字、括号和连字符"
        case .invalidFormat(.hongKongMacauPermit):
            return "港澳居民来往内地通行证号码应为 H（香港）或 M（澳门）加 8 位数字，如 H12345678（旧证后加 2 位换证次数亦可）"
        case .invalidFormat(.taiwanPermit):
            return "台湾居民来往大陆通行证号码应为 8 位数字，如 12345678（旧证后加 2 位签发次数及括号内签发机关代码亦可）"
        case .invalidFormat(let type):
            return "\(type.label)号码格式不正确"
        }
    }

    public var description: String { message }
}

// MARK: - Shared normalisation for the value types

public enum TextNormalization {
    /// Folds full-width ASCII forms (U+FF01–U+FF5E, e.g. "１２Ｘ（") and the ideographic space
    /// to plain ASCII, since Chinese input methods often produce them.
    public static func foldFullWidth(_ text: String) -> String {
        // Most input is plain ASCII: nothing to fold.
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text }
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0xFF01...0xFF5E:
                scalars.append(Unicode.Scalar(scalar.value - 0xFEE0)!)
            case 0x3000:
                scalars.append(" ")
            default:
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    /// ASCII 0–9 only; `Character.isNumber` would also admit "五" or "٣".
    static func isASCIIDigit(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue else { return false }
        return ascii >= UInt8(ascii: "0") && ascii <= UInt8(ascii: "9")
    }

    static func zeroPadded(_ number: Int, width: Int) -> String {
        let digits = String(number)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
