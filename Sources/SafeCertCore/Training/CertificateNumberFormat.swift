import Foundation

/// How certificate numbers of a qualification are written, as a pattern the system admin can
/// read and edit (it is stored with the catalogue):
///
/// - `{省}` province abbreviation (京), `{市}` city letter (A), `{类别}` the certificate type code,
///   `{年}` the four-digit year, `{流水号:7}` the serial zero-padded to 7 digits, `{证件号}` the ID number;
/// - everything else is copied as written.
///
/// `length`, when set, is the exact character count a number must have (special trades: 14).
public struct CertificateNumberFormat: Sendable, Hashable, Codable {
    public var pattern: String
    public var length: Int?

    public init(pattern: String, length: Int? = nil) {
        self.pattern = pattern
        self.length = length
    }

    /// 住建部令17号 / 建质〔2015〕206号: `京建安C1（2015）0000001`.
    public static let construction = CertificateNumberFormat(pattern: "{省}建安{类别}（{年}）{流水号:7}")
    /// 建质〔2008〕75号: province + city letter + 2-digit trade code + year + 6-digit serial, 14 characters.
    public static let constructionSpecialTrade = CertificateNumberFormat(pattern: "{省}{市}{类别}{年}{流水号:6}", length: 14)
    /// Special operations certificates are numbered `T` + the holder's 18-digit ID number.
    public static let specialOperations = CertificateNumberFormat(pattern: "T{证件号}", length: 19)

    /// Builds a number; inputs the pattern doesn't use are ignored.
    public func make(provinceAbbreviation: String = "", cityLetter: String = "", typeCode: String = "",
                     year: Int? = nil, serial: Int? = nil, idNumber: String? = nil) throws(CertificateNumberError) -> String {
        var number = ""
        for segment in try segments() {
            switch segment {
            case .literal(let text):
                number += text
            case .province:
                number += try required(provinceAbbreviation, "省份简称")
            case .city:
                number += try required(cityLetter, "地市代码")
            case .typeCode:
                number += try required(typeCode, "证书类别代码")
            case .year:
                guard let year else { throw .missing("年份") }
                guard (1000...9999).contains(year) else { throw .invalidYear(year) }
                number += String(year)
            case .serial(let width):
                guard let serial else { throw .missing("流水号") }
                guard serial >= 1, String(serial).count <= width else { throw .serialOutOfRange(serial, width: width) }
                number += TextNormalization.zeroPadded(serial, width: width)
            case .idNumber:
                number += try required(idNumber ?? "", "证件号码")
            }
        }
        if let length, number.count != length { throw .wrongLength(number, expected: length) }
        return number
    }

    /// Why the pattern can't be used, or nil when it can.
    public var patternProblem: String? {
        do {
            _ = try segments()
            return nil
        } catch {
            return error.message
        }
    }

    private enum Segment {
        case literal(String)
        case province, city, typeCode, year, idNumber
        case serial(width: Int)
    }

    private func segments() throws(CertificateNumberError) -> [Segment] {
        var segments: [Segment] = []
        var rest = Substring(pattern)
        while let open = rest.firstIndex(of: "{") {
            if open > rest.startIndex { segments.append(.literal(String(rest[..<open]))) }
            guard let close = rest[open...].firstIndex(of: "}") else { throw .malformedPattern(pattern) }
            let name = String(rest[rest.index(after: open)..<close])
            rest = rest[rest.index(after: close)...]
            switch name {
            case "省": segments.append(.province)
            case "市": segments.append(.city)
            case "类别": segments.append(.typeCode)
            case "年": segments.append(.year)
            case "证件号": segments.append(.idNumber)
            default:
                guard name.hasPrefix("流水号:"), let width = Int(name.dropFirst("流水号:".count)), (1...12).contains(width)
                else { throw .unknownPlaceholder(name) }
                segments.append(.serial(width: width))
            }
        }
        if rest.contains("}") { throw .malformedPattern(pattern) }
        if !rest.isEmpty { segments.append(.literal(String(rest))) }
        return segments
    }

    private func required(_ value: String, _ field: String) throws(CertificateNumberError) -> String {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw .missing(field) }
        return trimmed
    }
}

public enum CertificateNumberError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformedPattern(String)
    case unknownPlaceholder(String)
    case missing(String)
    case invalidYear(Int)
    case serialOutOfRange(Int, width: Int)
    case wrongLength(String, expected: Int)

    public var message: String {
        switch self {
        case .malformedPattern(let pattern): "证书编号格式「\(pattern)」的花括号不成对"
        case .unknownPlaceholder(let name): "证书编号格式中有未知的占位符「{\(name)}」"
        case .missing(let field): "生成证书编号缺少\(field)"
        case .invalidYear(let year): "年份 \(year) 应为四位数"
        case .serialOutOfRange(let serial, let width): "流水号 \(serial) 超出 \(width) 位（应为 1 至 \(String(repeating: "9", count: width))）"
        case .wrongLength(let number, let expected): "证书编号「\(number)」为 \(number.count) 位，应为 \(expected) 位"
        }
    }

    public var description: String { message }
}
