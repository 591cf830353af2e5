import Foundation

/// A UUID from its canonical text ("E621E1F8-C36C-495A-93FC-0C247A3E6E5F", either case), read
/// byte by byte: Foundation's `UUID(uuidString:)` goes through `sscanf`, about 1 µs a call —
/// a 5,000-row export reads two ids a row. Anything else is nil, as for `UUID(uuidString:)`.
public enum UUIDText {
    public static func parse(_ text: String) -> UUID? {
        var bytes = (UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0),
                     UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0))
        let ok = withUnsafeMutableBytes(of: &bytes) { out -> Bool in
            var index = 0, position = 0
            var high: UInt8?
            for c in text.utf8 {
                defer { position += 1 }
                if position == 8 || position == 13 || position == 18 || position == 23 {
                    guard c == UInt8(ascii: "-") else { return false }
                    continue
                }
                guard position < 36, let value = hexValue(c) else { return false }
                if let h = high {
                    out[index] = h << 4 | value
                    index += 1
                    high = nil
                } else {
                    high = value
                }
            }
            return position == 36 && index == 16
        }
        return ok ? UUID(uuid: bytes) : nil
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
