/// RFC 4648 Base32 (alphabet A–Z, 2–7), as used for TOTP secrets in authenticator apps.
public enum Base32 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    /// Unpadded by default, which is what otpauth:// URIs expect.
    public static func encode(_ bytes: [UInt8], padding: Bool = false) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 4) / 5 * 8)
        var buffer: UInt32 = 0
        var bitCount = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bitCount += 8
            while bitCount >= 5 {
                bitCount -= 5
                output.append(alphabet[Int((buffer >> UInt32(bitCount)) & 0x1F)])
            }
        }
        if bitCount > 0 {
            output.append(alphabet[Int((buffer << UInt32(5 - bitCount)) & 0x1F)])
        }
        if padding {
            while output.count % 8 != 0 { output.append(UInt8(ascii: "=")) }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Case-insensitive; spaces and hyphens (as people copy secrets in groups) and trailing
    /// "=" padding are ignored. Nil for any other character or a length no encoder produces.
    public static func decode(_ string: String) -> [UInt8]? {
        var symbols: [UInt8] = []
        var sawPadding = false
        for character in string.utf8 {
            switch character {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "-"):
                continue
            case UInt8(ascii: "="):
                sawPadding = true
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                guard !sawPadding else { return nil }
                symbols.append(character - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"):
                guard !sawPadding else { return nil }
                symbols.append(character - UInt8(ascii: "a"))
            case UInt8(ascii: "2")...UInt8(ascii: "7"):
                guard !sawPadding else { return nil }
                symbols.append(character - UInt8(ascii: "2") + 26)
            default:
                return nil
            }
        }
        // 1, 3 or 6 leftover symbols cannot come from whole bytes: the input was cut short.
        guard ![1, 3, 6].contains(symbols.count % 8) else { return nil }

        var output: [UInt8] = []
        output.reserveCapacity(symbols.count * 5 / 8)
        var buffer: UInt32 = 0
        var bitCount = 0
        for symbol in symbols {
            buffer = (buffer << 5) | UInt32(symbol)
            bitCount += 5
            if bitCount >= 8 {
                bitCount -= 8
                output.append(UInt8((buffer >> UInt32(bitCount)) & 0xFF))
            }
        }
        return output
    }
}
