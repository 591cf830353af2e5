import Foundation

/// 考场 kinds (seed 000 5.2.1): a computer room for the theory exam, a site for the practical.
public enum ExamRoomKind: String, Sendable, Codable, CaseIterable {
    case computer
    case practical

    public var label: String {
        switch self {
        case .computer: "机考考场"
        case .practical: "实操考场"
        }
    }
}

/// An IPv4 range a computer room's machines sit in: "10.1.2.0/24" or "10.1.2.10-10.1.2.70".
/// The online exam admits a candidate only from an address inside the room's range.
public struct IPv4Range: Sendable, Hashable, CustomStringConvertible {
    public let first: UInt32
    public let last: UInt32

    public enum ParseError: Error, Sendable, Equatable {
        case invalid
        case reversed
        case tooLarge

        public var message: String {
            switch self {
            case .invalid: "IP 段格式应为 10.1.2.0/24 或 10.1.2.10-10.1.2.70"
            case .reversed: "IP 段的起始地址不能大于结束地址"
            case .tooLarge: "IP 段不能超过 4096 个地址（/20）"
            }
        }
    }

    public static func address(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCII), let octet = UInt32(part), octet <= 255 else { return nil }
            value = value << 8 | octet
        }
        return value
    }

    public init(_ raw: String) throws(ParseError) {
        let text = raw.trimmingCharacters(in: .whitespaces)
        if let slash = text.firstIndex(of: "/") {
            guard let base = Self.address(text[..<slash]), let bits = Int(text[text.index(after: slash)...]), (0...32).contains(bits) else {
                throw .invalid
            }
            guard bits >= 20 else { throw .tooLarge }
            let mask: UInt32 = bits == 0 ? 0 : ~UInt32(0) << (32 - bits)
            first = base & mask
            last = first | ~mask
        } else if let dash = text.firstIndex(of: "-") {
            guard let a = Self.address(text[..<dash]), let b = Self.address(text[text.index(after: dash)...]) else { throw .invalid }
            guard a <= b else { throw .reversed }
            guard b - a < 4096 else { throw .tooLarge }
            first = a
            last = b
        } else {
            guard let a = Self.address(Substring(text)) else { throw .invalid }
            first = a
            last = a
        }
    }

    public func contains(_ address: String) -> Bool {
        guard let value = Self.address(Substring(address)) else { return false }
        return (first...last).contains(value)
    }

    public var count: Int { Int(last - first) + 1 }

    static func dotted(_ v: UInt32) -> String { "\(v >> 24).\(v >> 16 & 255).\(v >> 8 & 255).\(v & 255)" }

    public var description: String { first == last ? Self.dotted(first) : "\(Self.dotted(first))-\(Self.dotted(last))" }
}

/// The rules of a room's record (seed 000: 核定人数务必如实填写; rooms are disabled, never deleted).
public enum ExamRoomRules {
    public static let maximumCapacity = 500

    /// Problems with the submitted values, by field.
    public static func problems(name: String, capacity: Int?, kind: ExamRoomKind?, address: String, ipRange: String?) -> [(field: String, message: String)] {
        var problems: [(String, String)] = []
        if name.isEmpty { problems.append(("name", "请填写考场名称")) } else if name.count > 40 { problems.append(("name", "考场名称不超过 40 个字")) }
        if kind == nil { problems.append(("kind", "请选择考场类型")) }
        if let capacity {
            if !(1...maximumCapacity).contains(capacity) { problems.append(("capacity", "核定人数须为 1–\(maximumCapacity) 的整数")) }
        } else {
            problems.append(("capacity", "请填写核定人数（整数）"))
        }
        if address.isEmpty { problems.append(("address", "请填写考场地址")) } else if address.count > 120 { problems.append(("address", "地址不超过 120 个字")) }
        if let ipRange {
            if kind == .practical { problems.append(("ip_range", "实操考场无需填写 IP 段")) }
            do {
                let range = try IPv4Range(ipRange)
                if let capacity, range.count < capacity { problems.append(("ip_range", "IP 段只有 \(range.count) 个地址，少于核定人数 \(capacity)")) }
            } catch {
                problems.append(("ip_range", error.message))
            }
        }
        return problems
    }
}
