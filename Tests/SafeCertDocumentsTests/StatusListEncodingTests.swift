import Foundation
import SafeCertCore
import Testing
@testable import SafeCertDocuments

@Suite struct StatusListEncodingTests {
    static func python(_ script: String, input: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script]
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func aMillionCertificatesListRoundTripsSmall() throws {
        var bits = StatusBitstring(entries: 1_000_000)
        let set = [0, 7, 8, 131_071, 500_000, 999_999] + (0..<300).map { $0 * 3_331 + 17 }
        for index in set { bits.set(index, true) }
        let encoded = try #require(StatusListEncoding.encode(bits))
        #expect(encoded.hasPrefix("u") && encoded.count < 4_000, "\(encoded.count)")
        let back = try #require(StatusListEncoding.decode(encoded))
        #expect(back == bits)
    }

    /// Another implementation reads it: Python's gzip and base64 find the same set bits, and we read what Python writes.
    @Test func pythonsGzipReadsAndWritesTheSameList() throws {
        var bits = StatusBitstring(entries: 10)
        for index in [0, 9, 70_001, 131_071] { bits.set(index, true) }
        let encoded = try #require(StatusListEncoding.encode(bits))
        let found = try Self.python("""
            import sys, gzip, base64
            t = sys.stdin.read().strip()[1:]
            b = gzip.decompress(base64.urlsafe_b64decode(t + "=" * (-len(t) % 4)))
            print(",".join(str(i) for i in range(len(b) * 8) if b[i // 8] & (0x80 >> (i % 8))))
            """, input: encoded)
        #expect(found == "0,9,70001,131071")
        let written = try Self.python("""
            import gzip, base64
            b = bytearray(16384); b[0] = 0x40; b[100] = 0x01
            print("u" + base64.urlsafe_b64encode(gzip.compress(bytes(b))).decode().rstrip("="))
            """, input: "")
        let read = try #require(StatusListEncoding.decode(written))
        #expect(read[1] && read[807] && !read[0] && !read[806])
    }

    @Test func hostileListsAreRefusedWithinTheLimit() throws {
        let bomb = try #require(StatusListEncoding.gzip([UInt8](repeating: 0, count: StatusListEncoding.maximumBytes + 1)))
        #expect(bomb.count < 100_000)
        #expect(StatusListEncoding.decode("u" + Base64URL.encode(bomb)) == nil)
        let good = try #require(StatusListEncoding.encode(StatusBitstring(entries: 1)))
        let compressed = try #require(Base64URL.decode(good.dropFirst()))
        for text in ["", "u", "z" + good.dropFirst(), "u!!!", String(good.dropLast(4)), "u" + Base64URL.encode(compressed + [0, 1, 2]),
                     "u" + Base64URL.encode(try #require(StatusListEncoding.gzip([1, 2, 3])))] {
            #expect(StatusListEncoding.decode(text) == nil, "\(text.prefix(20))")
        }
    }
}
