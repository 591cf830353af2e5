import Foundation
import Testing
@testable import SafeCertDocuments

/// Deterministic generator so images can be compared byte for byte.
private struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Captcha image (Cairo + Pango) and its PNG (Cairo)")
struct CaptchaImageTests {
    private static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    // MARK: PNG structure

    @Test func startsWithSignatureAndHasIHDRThenIDATThenIEND() throws {
        var rng = SplitMix64(seed: 1)
        let png = CaptchaImage.png(text: "4821", using: &rng)
        #expect(Array(png.prefix(8)) == Self.signature)

        let chunks = try PNGFile.chunks(of: png)
        #expect(chunks.first?.type == "IHDR")
        #expect(chunks.last?.type == "IEND")
        #expect(chunks.last?.data.isEmpty == true)
        // Between them only IDAT, in one run, and ancillary chunks (lower-case first letter; Cairo writes bKGD).
        let middle = chunks.dropFirst().dropLast().map(\.type)
        #expect(middle.allSatisfy { $0 == "IDAT" || $0.first?.isLowercase == true })
        let idat = middle.indices.filter { middle[$0] == "IDAT" }
        #expect(!idat.isEmpty && idat.last.map { $0 - (idat.first ?? 0) + 1 } == idat.count, "IDAT chunks are consecutive")
        #expect(chunks.count >= 3)
    }

    @Test func everyChunkCRCIsCorrect() throws {
        var rng = SplitMix64(seed: 2)
        let png = CaptchaImage.png(text: "0937", using: &rng)
        for chunk in try PNGFile.chunks(of: png) {
            #expect(chunk.storedCRC == BitwiseCRC32.checksum(Array(chunk.type.utf8) + chunk.data), "CRC of \(chunk.type)")
        }
    }

    @Test(arguments: [(120, 40), (200, 64), (37, 13)])
    func ihdrDescribesAn8BitRGBImageOfTheRequestedSize(width: Int, height: Int) throws {
        var rng = SplitMix64(seed: 3)
        let png = CaptchaImage.png(text: "5566", using: &rng, width: width, height: height)
        let header = try #require(try PNGFile.chunks(of: png).first)
        #expect(header.type == "IHDR")
        #expect(header.data.count == 13)
        #expect(PNGFile.bigEndian(header.data, at: 0) == UInt32(width))
        #expect(PNGFile.bigEndian(header.data, at: 4) == UInt32(height))
        // Bit depth 8, colour type 2 (RGB), compression 0, filter 0, no interlace.
        #expect(Array(header.data[8..<13]) == [8, 2, 0, 0, 0])
    }

    // MARK: Image data (decoded by the system zlib through python3, independent of Cairo)

    @Test func idatInflatesToOneFilteredScanlinePerRow() throws {
        let width = 120
        let height = 40
        var rng = SplitMix64(seed: 4)
        let png = CaptchaImage.png(text: "1234", using: &rng, width: width, height: height)
        let scanlines = try PythonZlib.decompress(try PNGFile.imageData(of: png))
        #expect(scanlines.count == height * (1 + width * 3))
        for row in 0..<height {
            #expect((0...4).contains(scanlines[row * (1 + width * 3)]), "filter byte of row \(row)")
        }
    }

    @Test(arguments: [(120, 40), (300, 90), (37, 13)])
    func decodedPixelsMatchTheRenderedPixels(width: Int, height: Int) throws {
        var pngRNG = SplitMix64(seed: 5)
        var pixelRNG = SplitMix64(seed: 5)
        let png = CaptchaImage.png(text: "7788", using: &pngRNG, width: width, height: height)
        let pixels = CaptchaImage.renderRGB(text: "7788", using: &pixelRNG, width: width, height: height)
        #expect(pixels.count == width * height * 3)
        let imageData = try PNGFile.imageData(of: png)
        #expect(imageData.count < pixels.count, "the PNG is compressed")
        let decoded = try PythonZlib.decompress(imageData)
        #expect(try PNGFile.unfilter(decoded, width: width, height: height) == pixels)
    }

    @Test func sizesOutsideTheLimitsAreClampedNotTrapped() throws {
        var rng = SplitMix64(seed: 10)
        for (width, height, expected) in [(0, -5, (1, 1)), (5_000, 40, (CaptchaImage.maximumSide, 40))] {
            let png = CaptchaImage.png(text: "1234", using: &rng, width: width, height: height)
            let header = try #require(try PNGFile.chunks(of: png).first)
            #expect(PNGFile.bigEndian(header.data, at: 0) == UInt32(expected.0))
            #expect(PNGFile.bigEndian(header.data, at: 4) == UInt32(expected.1))
        }
    }

    // MARK: Determinism and variety

    @Test func sameSeedGivesIdenticalBytes() {
        var first = SplitMix64(seed: 42)
        var second = SplitMix64(seed: 42)
        #expect(CaptchaImage.png(text: "1357", using: &first) == CaptchaImage.png(text: "1357", using: &second))
    }

    @Test func differentTextOrSeedGivesDifferentBytes() {
        var first = SplitMix64(seed: 42)
        var second = SplitMix64(seed: 42)
        var third = SplitMix64(seed: 43)
        let original = CaptchaImage.png(text: "1357", using: &first)
        #expect(original != CaptchaImage.png(text: "1358", using: &second))
        #expect(original != CaptchaImage.png(text: "1357", using: &third))
    }

    @Test func digitsLeaveDarkInkInEachQuarterOfTheImage() {
        let width = 120
        let height = 40
        var rng = SplitMix64(seed: 8)
        let pixels = CaptchaImage.renderRGB(text: "8080", using: &rng, width: width, height: height)
        func isDark(_ x: Int, _ y: Int) -> Bool {
            let offset = (y * width + x) * 3
            return Int(pixels[offset]) + Int(pixels[offset + 1]) + Int(pixels[offset + 2]) < 3 * 120
        }
        for quarter in 0..<4 {
            let columns = (quarter * width / 4)..<((quarter + 1) * width / 4)
            let darkCount = columns.reduce(0) { count, x in count + (0..<height).filter { isDark(x, $0) }.count }
            #expect(darkCount > 60, "quarter \(quarter) has \(darkCount) dark pixels")
        }
    }

    @Test func nonDigitsAndOddLengthsStillRender() throws {
        var rng = SplitMix64(seed: 9)
        for text in ["", "x", "12a4", "123456"] {
            let png = CaptchaImage.png(text: text, using: &rng)
            let scanlines = try PythonZlib.decompress(try PNGFile.imageData(of: png))
            #expect(scanlines.count == 40 * (1 + 120 * 3), "text \(text.debugDescription)")
        }
    }
}

// MARK: - Independent decoding helpers

private struct DecodingError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

private enum PNGFile {
    struct Chunk {
        let type: String
        let data: [UInt8]
        let storedCRC: UInt32
    }

    static func bigEndian(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Splits a PNG into chunks, checking that lengths tile the file exactly.
    static func chunks(of png: [UInt8]) throws -> [Chunk] {
        guard png.count >= 8, Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else {
            throw DecodingError("bad signature")
        }
        var chunks: [Chunk] = []
        var offset = 8
        while offset < png.count {
            guard offset + 12 <= png.count else { throw DecodingError("truncated chunk header at \(offset)") }
            let length = Int(bigEndian(png, at: offset))
            guard offset + 12 + length <= png.count else { throw DecodingError("chunk overruns file at \(offset)") }
            let type = String(decoding: png[(offset + 4)..<(offset + 8)], as: UTF8.self)
            let data = Array(png[(offset + 8)..<(offset + 8 + length)])
            chunks.append(Chunk(type: type, data: data, storedCRC: bigEndian(png, at: offset + 8 + length)))
            offset += 12 + length
        }
        return chunks
    }

    static func imageData(of png: [UInt8]) throws -> [UInt8] {
        try chunks(of: png).filter { $0.type == "IDAT" }.flatMap(\.data)
    }

    /// Undoes the PNG row filters (None, Sub, Up, Average, Paeth) of 8-bit RGB scanlines.
    static func unfilter(_ scanlines: [UInt8], width: Int, height: Int) throws -> [UInt8] {
        let rowLength = width * 3
        guard scanlines.count == height * (rowLength + 1) else { throw DecodingError("wrong scanline length") }
        var pixels = [UInt8](repeating: 0, count: height * rowLength)
        for row in 0..<height {
            let filter = scanlines[row * (rowLength + 1)]
            for index in 0..<rowLength {
                let raw = Int(scanlines[row * (rowLength + 1) + 1 + index])
                let left = index >= 3 ? Int(pixels[row * rowLength + index - 3]) : 0
                let up = row > 0 ? Int(pixels[(row - 1) * rowLength + index]) : 0
                let upLeft = row > 0 && index >= 3 ? Int(pixels[(row - 1) * rowLength + index - 3]) : 0
                let predictor: Int
                switch filter {
                case 0: predictor = 0
                case 1: predictor = left
                case 2: predictor = up
                case 3: predictor = (left + up) / 2
                case 4:
                    let estimate = left + up - upLeft
                    let (toLeft, toUp, toUpLeft) = (abs(estimate - left), abs(estimate - up), abs(estimate - upLeft))
                    predictor = toLeft <= toUp && toLeft <= toUpLeft ? left : (toUp <= toUpLeft ? up : upLeft)
                default: throw DecodingError("unknown filter \(filter) in row \(row)")
                }
                pixels[row * rowLength + index] = UInt8((raw + predictor) & 0xFF)
            }
        }
        return pixels
    }
}

/// Bit-at-a-time CRC-32, deliberately not the encoder's table version.
private enum BitwiseCRC32 {
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 {
                crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1
            }
        }
        return ~crc
    }
}

/// Runs the system's zlib through python3 as a decoder entirely independent of this code base.
private enum PythonZlib {
    /// The decompressed bytes; python3 is one of the test tools (scripts/install-deps.sh test).
    static func decompress(_ zlibStream: [UInt8]) throws -> [UInt8] {
        let inputURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("captcha-idat-\(UUID().uuidString).zlib")
        try Data(zlibStream).write(to: inputURL)
        defer { try? FileManager.default.removeItem(at: inputURL) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c",
            "import sys, zlib; sys.stdout.buffer.write(zlib.decompress(open(sys.argv[1], 'rb').read()))",
            inputURL.path,
        ]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Drain stdout before waiting so a full pipe cannot stall the child.
        let decompressed = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw DecodingError("python3 zlib failed (\(process.terminationStatus)): \(errorText)")
        }
        return [UInt8](decompressed)
    }
}
