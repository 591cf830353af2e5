/// A small, dependency-free PNG writer for 8-bit RGB images.
///
/// The image data is compressed with DEFLATE using fixed-Huffman blocks and a hash-chain LZ77
/// matcher: far simpler than dynamic Huffman tables, yet it shrinks flat, noisy images such as
/// captchas well enough.
public enum PNGEncoder {
    /// Encodes row-major RGB pixels (`width * height * 3` bytes) as a complete PNG file.
    public static func encodeRGB(width: Int, height: Int, pixels: [UInt8]) -> [UInt8] {
        precondition(width > 0 && height > 0, "PNG dimensions must be positive")
        precondition(width <= Int(Int32.max) && height <= Int(Int32.max), "PNG dimensions must fit in 31 bits")
        precondition(pixels.count == width * height * 3, "expected width * height * 3 RGB bytes")

        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

        var header: [UInt8] = []
        appendBigEndian(UInt32(width), to: &header)
        appendBigEndian(UInt32(height), to: &header)
        // Bit depth 8, colour type 2 (RGB), deflate compression, adaptive filtering, no interlace.
        header += [8, 2, 0, 0, 0]
        appendChunk(type: "IHDR", data: header, to: &png)

        // Every scanline gets filter type 0 ("None"): the noise in captchas defeats the other filters anyway.
        let rowLength = width * 3
        var scanlines: [UInt8] = []
        scanlines.reserveCapacity(height * (rowLength + 1))
        for row in 0..<height {
            scanlines.append(0)
            scanlines += pixels[(row * rowLength)..<((row + 1) * rowLength)]
        }
        appendChunk(type: "IDAT", data: Zlib.compress(scanlines), to: &png)
        appendChunk(type: "IEND", data: [], to: &png)
        return png
    }

    private static func appendChunk(type: String, data: [UInt8], to png: inout [UInt8]) {
        let typeBytes = Array(type.utf8)
        precondition(typeBytes.count == 4, "PNG chunk types are four ASCII letters")
        appendBigEndian(UInt32(data.count), to: &png)
        png += typeBytes
        png += data
        // The CRC covers the chunk type and data but not the length.
        let crc = CRC32.finalize(CRC32.update(CRC32.update(CRC32.initial, with: typeBytes), with: data))
        appendBigEndian(crc, to: &png)
    }

    static func appendBigEndian(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes += [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
                  UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }
}

// MARK: - Checksums

extension PNGEncoder {
    /// CRC-32 as used by PNG (and zip): reflected polynomial 0xEDB88320.
    enum CRC32 {
        static let initial: UInt32 = 0xFFFF_FFFF

        static let table: [UInt32] = (0..<256).map { index in
            var value = UInt32(index)
            for _ in 0..<8 {
                value = (value & 1) != 0 ? (value >> 1) ^ 0xEDB8_8320 : value >> 1
            }
            return value
        }

        static func update(_ crc: UInt32, with bytes: [UInt8]) -> UInt32 {
            var crc = crc
            for byte in bytes {
                crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
            }
            return crc
        }

        static func finalize(_ crc: UInt32) -> UInt32 { crc ^ 0xFFFF_FFFF }

        static func checksum(_ bytes: [UInt8]) -> UInt32 { finalize(update(initial, with: bytes)) }
    }

    enum Adler32 {
        static func checksum(_ bytes: [UInt8]) -> UInt32 {
            let modulus: UInt32 = 65521
            var a: UInt32 = 1
            var b: UInt32 = 0
            // 5552 is the longest run whose sums cannot overflow 32 bits before reducing (zlib's NMAX).
            var start = 0
            while start < bytes.count {
                let end = min(start + 5552, bytes.count)
                for index in start..<end {
                    a += UInt32(bytes[index])
                    b += a
                }
                a %= modulus
                b %= modulus
                start = end
            }
            return (b << 16) | a
        }
    }
}

// MARK: - zlib / DEFLATE

extension PNGEncoder {
    enum Zlib {
        /// Wraps a DEFLATE stream in the zlib container PNG requires (RFC 1950).
        static func compress(_ input: [UInt8]) -> [UInt8] {
            // CMF 0x78: deflate with a 32 KiB window; FLG 0x9C makes the header a multiple of 31.
            var output: [UInt8] = [0x78, 0x9C]
            output += Deflate.compress(input)
            appendBigEndian(Adler32.checksum(input), to: &output)
            return output
        }
    }

    /// DEFLATE (RFC 1951) as a single fixed-Huffman block fed by greedy LZ77 matching.
    enum Deflate {
        private static let windowSize = 32_768
        private static let minimumMatch = 3
        private static let maximumMatch = 258
        private static let hashBits = 15
        /// Bounds the work per position; longer chains barely help on image data.
        private static let maximumChainLength = 64

        private static let lengthBases: [Int] = [
            3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
            35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
        ]
        private static let lengthExtraBits: [Int] = [
            0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
            3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
        ]
        private static let distanceBases: [Int] = [
            1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
            257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
        ]
        private static let distanceExtraBits: [Int] = [
            0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
            7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
        ]

        /// The fixed literal/length code of RFC 1951 §3.2.6, bit-reversed because
        /// Huffman codes are sent most-significant bit first into an LSB-first stream.
        private static let fixedLiteralCodes: [(code: UInt32, length: Int)] = (0..<288).map { symbol in
            switch symbol {
            case 0...143: return (reversed(UInt32(0x30 + symbol), length: 8), 8)
            case 144...255: return (reversed(UInt32(0x190 + symbol - 144), length: 9), 9)
            case 256...279: return (reversed(UInt32(symbol - 256), length: 7), 7)
            default: return (reversed(UInt32(0xC0 + symbol - 280), length: 8), 8)
            }
        }

        private static func reversed(_ code: UInt32, length: Int) -> UInt32 {
            var result: UInt32 = 0
            for bit in 0..<length where code & (1 << UInt32(bit)) != 0 {
                result |= 1 << UInt32(length - 1 - bit)
            }
            return result
        }

        static func compress(_ input: [UInt8]) -> [UInt8] {
            var writer = BitWriter()
            writer.write(1, bitCount: 1) // BFINAL: this is the only block.
            writer.write(1, bitCount: 2) // BTYPE 01: fixed Huffman codes.

            let hashMask = (1 << hashBits) - 1
            let windowMask = windowSize - 1
            // head[hash] is the latest position with that 3-byte hash; previous[] links older ones.
            var head = [Int](repeating: -1, count: 1 << hashBits)
            var previous = [Int](repeating: -1, count: windowSize)

            func hashAt(_ position: Int) -> Int {
                let key = UInt32(input[position]) << 16 | UInt32(input[position + 1]) << 8 | UInt32(input[position + 2])
                return Int((key &* 2_654_435_761) >> UInt32(32 - hashBits)) & hashMask
            }
            func insert(_ position: Int) {
                guard position + minimumMatch <= input.count else { return }
                let hash = hashAt(position)
                previous[position & windowMask] = head[hash]
                head[hash] = position
            }

            var position = 0
            while position < input.count {
                var bestLength = 0
                var bestDistance = 0
                if position + minimumMatch <= input.count {
                    let longestPossible = min(maximumMatch, input.count - position)
                    var candidate = head[hashAt(position)]
                    var chainBudget = maximumChainLength
                    // Chain entries older than the window may have been overwritten, so stop there.
                    while candidate >= 0, position - candidate <= windowSize, chainBudget > 0 {
                        // Cheap rejection: a longer match must at least agree at the current best length.
                        if input[candidate + bestLength] == input[position + bestLength] {
                            var length = 0
                            while length < longestPossible, input[candidate + length] == input[position + length] {
                                length += 1
                            }
                            if length > bestLength {
                                bestLength = length
                                bestDistance = position - candidate
                                if length == longestPossible { break }
                            }
                        }
                        let older = previous[candidate & windowMask]
                        guard older < candidate else { break }
                        candidate = older
                        chainBudget -= 1
                    }
                }

                if bestLength >= minimumMatch {
                    writeMatch(length: bestLength, distance: bestDistance, to: &writer)
                    for covered in position..<(position + bestLength) { insert(covered) }
                    position += bestLength
                } else {
                    writeSymbol(Int(input[position]), to: &writer)
                    insert(position)
                    position += 1
                }
            }

            writeSymbol(256, to: &writer) // End of block.
            return writer.finish()
        }

        private static func writeSymbol(_ symbol: Int, to writer: inout BitWriter) {
            let entry = fixedLiteralCodes[symbol]
            writer.write(entry.code, bitCount: entry.length)
        }

        private static func writeMatch(length: Int, distance: Int, to writer: inout BitWriter) {
            let lengthCode = lastIndex(in: lengthBases, notAbove: length)
            writeSymbol(257 + lengthCode, to: &writer)
            writer.write(UInt32(length - lengthBases[lengthCode]), bitCount: lengthExtraBits[lengthCode])

            let distanceCode = lastIndex(in: distanceBases, notAbove: distance)
            // Fixed distance codes are plain 5-bit numbers, also sent most-significant bit first.
            writer.write(reversed(UInt32(distanceCode), length: 5), bitCount: 5)
            writer.write(UInt32(distance - distanceBases[distanceCode]), bitCount: distanceExtraBits[distanceCode])
        }

        private static func lastIndex(in bases: [Int], notAbove value: Int) -> Int {
            var low = 0
            var high = bases.count - 1
            while low < high {
                let middle = (low + high + 1) / 2
                if bases[middle] <= value { low = middle } else { high = middle - 1 }
            }
            return low
        }
    }

    /// Packs bit fields least-significant bit first, as DEFLATE requires.
    struct BitWriter {
        private(set) var bytes: [UInt8] = []
        private var pending: UInt64 = 0
        private var pendingCount = 0

        mutating func write(_ value: UInt32, bitCount: Int) {
            guard bitCount > 0 else { return }
            let mask: UInt64 = (1 << UInt64(bitCount)) - 1
            pending |= (UInt64(value) & mask) << UInt64(pendingCount)
            pendingCount += bitCount
            while pendingCount >= 8 {
                bytes.append(UInt8(truncatingIfNeeded: pending))
                pending >>= 8
                pendingCount -= 8
            }
        }

        /// Pads the final partial byte with zero bits and returns everything written.
        mutating func finish() -> [UInt8] {
            if pendingCount > 0 {
                bytes.append(UInt8(truncatingIfNeeded: pending))
                pending = 0
                pendingCount = 0
            }
            return bytes
        }
    }
}
