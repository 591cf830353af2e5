import Foundation
import Testing
@testable import SafeCertDocuments

/// ZIP archives built byte by byte, so a test can make what no honest tool writes: a bomb, a
/// header that lies about sizes, a stream that never ends.
enum CraftedZIP {
    struct Entry {
        var path: String
        /// The bytes stored in the archive (already deflated when `method` is 8).
        var payload: [UInt8]
        var method: UInt16 = 8
        /// What the headers claim; nil means the truth (`payload.count` for compressed size).
        var declaredUncompressed: UInt32 = 0
        var crc: UInt32 = 0
    }

    static func archive(_ entries: [Entry]) -> Data {
        var out: [UInt8] = []
        var central: [UInt8] = []
        func u16(_ v: UInt16, _ into: inout [UInt8]) { into += [UInt8(v & 0xFF), UInt8(v >> 8)] }
        func u32(_ v: UInt32, _ into: inout [UInt8]) { into += (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        for entry in entries {
            let offset = UInt32(out.count)
            let name = Array(entry.path.utf8)
            u32(0x0403_4B50, &out); u16(20, &out); u16(0x0800, &out); u16(entry.method, &out); u16(0, &out); u16(0x21, &out)
            u32(entry.crc, &out); u32(UInt32(entry.payload.count), &out); u32(entry.declaredUncompressed, &out)
            u16(UInt16(name.count), &out); u16(0, &out); out += name; out += entry.payload
            u32(0x0201_4B50, &central); u16(20, &central); u16(20, &central); u16(0x0800, &central); u16(entry.method, &central)
            u16(0, &central); u16(0x21, &central); u32(entry.crc, &central); u32(UInt32(entry.payload.count), &central)
            u32(entry.declaredUncompressed, &central); u16(UInt16(name.count), &central); u16(0, &central); u16(0, &central)
            u16(0, &central); u16(0, &central); u32(0, &central); u32(offset, &central); central += name
        }
        let directoryOffset = UInt32(out.count)
        out += central
        u32(0x0605_4B50, &out); u16(0, &out); u16(0, &out); u16(UInt16(entries.count), &out); u16(UInt16(entries.count), &out)
        u32(UInt32(central.count), &out); u32(directoryOffset, &out); u16(0, &out)
        return Data(out)
    }

    /// Raw deflate (fixed Huffman codes) of `count` zero bytes: a literal 0, then back-references
    /// of 258 bytes at distance 1 — 13 bits for every 258 bytes, so 200 MB fit in 1.3 MB.
    static func deflatedZeros(_ count: Int) -> [UInt8] {
        var bits = BitWriter()
        bits.write(1, count: 1)  // BFINAL
        bits.write(1, count: 2)  // BTYPE 01: fixed Huffman
        bits.huffman(0x30, length: 8)  // literal 0
        var remaining = count - 1
        while remaining >= 258 {
            bits.huffman(0xC5, length: 8)  // length code 285 = 258
            bits.huffman(0, length: 5)  // distance code 0 = 1
            remaining -= 258
        }
        for _ in 0..<remaining { bits.huffman(0x30, length: 8) }
        bits.huffman(0, length: 7)  // end of block
        return bits.finish()
    }

    /// A stored block that promises 65,535 bytes and is cut short: a stream that never ends.
    static let unendingStream: [UInt8] = [0x00, 0xFF, 0xFF, 0x00, 0x00, 0x41, 0x42]

    struct BitWriter {
        var bytes: [UInt8] = []
        var buffer: UInt64 = 0
        var filled = 0

        mutating func write(_ value: UInt32, count: Int) {
            buffer |= UInt64(value) << UInt64(filled)
            filled += count
            while filled >= 8 {
                bytes.append(UInt8(buffer & 0xFF))
                buffer >>= 8
                filled -= 8
            }
        }

        /// Huffman codes go most significant bit first.
        mutating func huffman(_ code: UInt32, length: Int) {
            var reversed: UInt32 = 0
            for bit in 0..<length where code & (1 << UInt32(bit)) != 0 { reversed |= 1 << UInt32(length - 1 - bit) }
            write(reversed, count: length)
        }

        mutating func finish() -> [UInt8] {
            if filled > 0 { bytes.append(UInt8(buffer & 0xFF)) }
            return bytes
        }
    }

    static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 == 1 ? (c >> 1) ^ 0xEDB8_8320 : c >> 1 }
        return c
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return ~crc
    }
}

@Suite("ZIP archives read under limits")
struct ZIPLimitTests {
    static let megabyte = 1024 * 1024
    static let bomb = CraftedZIP.deflatedZeros(200 * megabyte)

    /// Extracts every file, counting what the consumer receives; returns the error, if any.
    static func drain(_ data: Data, limits: ZIPLimits) -> (delivered: Int, error: ZIPError?) {
        var delivered = 0
        do {
            var reader = try BoundedZIPReader(data: data, limits: limits)
            for entry in reader.entries where entry.isFile {
                try reader.extract(entry) { delivered += $0.count }
            }
            return (delivered, nil)
        } catch {
            return (delivered, error)
        }
    }

    @Test("a 1.3 MB archive of 200 MB of zeros stops at the entry limit, whatever its header declares")
    func bombStopsAtTheEntryLimit() throws {
        #expect(Self.bomb.count < 2 * Self.megabyte)
        let limits = ZIPLimits(maximumEntryBytes: 2 * Self.megabyte, maximumTotalBytes: 64 * Self.megabyte, maximumEntries: 10)
        // Honest header: 200 MB declared.
        let honest = CraftedZIP.archive([.init(path: "220102198503120318.jpg", payload: Self.bomb,
                                               declaredUncompressed: UInt32(200 * Self.megabyte))])
        // Lying header: 1,000 bytes declared.
        let lying = CraftedZIP.archive([.init(path: "220102198503120318.jpg", payload: Self.bomb, declaredUncompressed: 1_000)])
        for archive in [honest, lying] {
            let (delivered, error) = Self.drain(archive, limits: limits)
            #expect(error == .entryTooLarge(path: "220102198503120318.jpg", maximumBytes: 2 * Self.megabyte))
            #expect(delivered <= 2 * Self.megabyte)
            #expect(delivered > 2 * Self.megabyte - 64 * 1024)
        }
    }

    @Test("three bomb entries stop at the total limit: bytes delivered never pass it")
    func bombsStopAtTheTotalLimit() throws {
        let limits = ZIPLimits(maximumEntryBytes: 128 * Self.megabyte, maximumTotalBytes: 8 * Self.megabyte, maximumEntries: 10)
        let archive = CraftedZIP.archive((1...3).map { .init(path: "part\($0).xml", payload: Self.bomb, declaredUncompressed: 100) })
        let (delivered, error) = Self.drain(archive, limits: limits)
        #expect(error == .tooLargeInTotal(maximumBytes: 8 * Self.megabyte))
        #expect(delivered <= 8 * Self.megabyte)
        #expect(delivered > 8 * Self.megabyte - 64 * 1024)
    }

    @Test("too many entries are refused while the directory is read")
    func entryCountIsCapped() throws {
        let entries = (0..<12).map { CraftedZIP.Entry(path: "f\($0).jpg", payload: [], method: 0, crc: 0) }
        let limits = ZIPLimits(maximumEntryBytes: 100, maximumTotalBytes: 100, maximumEntries: 10)
        #expect(throws: ZIPError.tooManyEntries(maximum: 10)) { try BoundedZIPReader(data: CraftedZIP.archive(entries), limits: limits) }
        #expect(try BoundedZIPReader(data: CraftedZIP.archive(Array(entries.prefix(10))), limits: limits).entries.count == 10)
    }

    @Test("a deflate stream that never ends is damaged, not an endless loop; so are bad offsets and checksums")
    func damagedArchivesAreRefused() throws {
        let limits = ZIPLimits.photos
        let unending = CraftedZIP.archive([.init(path: "a.jpg", payload: CraftedZIP.unendingStream, declaredUncompressed: 2)])
        #expect(Self.drain(unending, limits: limits).error == .damaged(path: "a.jpg"))

        let content = Array("照片内容".utf8)
        let stored = CraftedZIP.archive([.init(path: "b.jpg", payload: content, method: 0,
                                               declaredUncompressed: UInt32(content.count), crc: CraftedZIP.crc32(content))])
        var reader = try BoundedZIPReader(data: stored, limits: limits)
        #expect(try reader.data(of: reader.entries[0]) == Data(content))
        var wrongChecksum = CraftedZIP.archive([.init(path: "b.jpg", payload: content, method: 0, crc: 12345)])
        #expect(Self.drain(wrongChecksum, limits: limits).error == .damaged(path: "b.jpg"))
        // A local header offset past the end of the file.
        let offsetIndex = wrongChecksum.count - 22 - 4 - "b.jpg".utf8.count
        wrongChecksum.replaceSubrange(offsetIndex..<(offsetIndex + 4), with: [0xFF, 0xFF, 0xFF, 0x00])
        #expect(Self.drain(wrongChecksum, limits: limits).error == .damaged(path: "b.jpg"))
        #expect(throws: ZIPError.notZIP) { try BoundedZIPReader(data: Data("not a zip".utf8), limits: limits) }
        #expect(throws: ZIPError.notZIP) { try BoundedZIPReader(data: Data(), limits: limits) }
        // Every prefix of a real archive is refused with a typed error, never a trap.
        let real = try XLSXZipWriter.archive(parts: [("a.txt", Array(repeating: 65, count: 5_000)), ("b.txt", Array("b".utf8))])
        for length in stride(from: 0, to: real.count, by: 7) {
            _ = Self.drain(real.prefix(length), limits: limits)
        }
        #expect(Self.drain(real, limits: limits) == (5_001, nil))
    }

    @Test("photo archives: oversized photos are named, the others read; too much in all refuses the upload")
    func photoArchives() throws {
        let photo = Array(repeating: UInt8(7), count: 10_000)
        let archive = CraftedZIP.archive([
            .init(path: "照片/220102198503120318.jpg", payload: photo, method: 0, crc: CraftedZIP.crc32(photo)),
            .init(path: "__MACOSX/照片/._220102198503120318.jpg", payload: [1, 2, 3], method: 0, crc: CraftedZIP.crc32([1, 2, 3])),
            .init(path: "说明.txt", payload: Self.bomb, declaredUncompressed: 10),
            .init(path: "220104199007080422.JPG", payload: Self.bomb, declaredUncompressed: 10),
        ])
        let contents = try PhotoArchive.extract([("photos.zip", archive)])
        #expect(contents.photos == [.init(path: "照片/220102198503120318.jpg", data: Data(photo))])
        #expect(contents.oversized == ["220104199007080422.JPG"])

        // Many bombs in two archives share one budget.
        let many = CraftedZIP.archive((0..<40).map { .init(path: "\($0).jpg", payload: Self.bomb, declaredUncompressed: 10) })
        #expect(throws: PhotoArchive.Refusal(archive: "b.zip", reason: .tooLargeInTotal(maximumBytes: ZIPLimits.photos.maximumTotalBytes))) {
            try PhotoArchive.extract([("a.zip", many), ("b.zip", many)])
        }
        let refusal = PhotoArchive.Refusal(archive: "b.zip", reason: .tooLargeInTotal(maximumBytes: 100 * Self.megabyte))
        #expect(refusal.isTooLarge)
        #expect(refusal.message == "压缩包「b.zip」：压缩包解压后超过 100 MB，请分批上传")
        #expect(!PhotoArchive.Refusal(archive: "x.zip", reason: .notZIP).isTooLarge)
    }

    @Test("an .xlsx whose sheet is a bomb is refused as too large; the parts share one total")
    func spreadsheetBombs() throws {
        let writer = XLSXWriter(sheetName: "表", columns: [XLSXColumn(title: "序号")])
        writer.append(["1"])
        var reader = try BoundedZIPReader(data: try writer.finish(), limits: .spreadsheet)
        // The writer's own parts, with the sheet replaced by 200 MB of zeros declared as 100 bytes.
        var entries: [CraftedZIP.Entry] = []
        for entry in reader.entries where entry.isFile {
            let bytes = [UInt8](try reader.data(of: entry))
            if entry.path.hasPrefix("xl/worksheets/") {
                entries.append(.init(path: entry.path, payload: Self.bomb, declaredUncompressed: 100))
            } else {
                entries.append(.init(path: entry.path, payload: bytes, method: 0, declaredUncompressed: UInt32(bytes.count),
                                     crc: CraftedZIP.crc32(bytes)))
            }
        }
        let bombed = CraftedZIP.archive(entries)
        let limits = ZIPLimits(maximumEntryBytes: 4 * Self.megabyte, maximumTotalBytes: 6 * Self.megabyte, maximumEntries: 100)
        #expect(throws: SpreadsheetError.fileTooLarge(maximumBytes: 4 * Self.megabyte)) {
            try XLSXReader(source: .bytes(bombed), rowLimit: 100, limits: limits).rows()
        }
        // A shared-strings part of 3 MB passes its part limit, then the sheet takes the total past 6 MB.
        let strings = CraftedZIP.deflatedZeros(3 * Self.megabyte)
        let stringsCRC = CraftedZIP.crc32([UInt8](repeating: 0, count: 3 * Self.megabyte))
        let twoBombs = CraftedZIP.archive(entries.map { entry in
            var e = entry
            if e.path.hasPrefix("xl/worksheets/") { e.payload = strings }
            return e
        } + [.init(path: "xl/sharedStrings.xml", payload: strings, declaredUncompressed: 100, crc: stringsCRC)])
        let opened = try XLSXReader(source: .bytes(twoBombs), rowLimit: 100, limits: limits)
        #expect(throws: SpreadsheetError.fileTooLarge(maximumBytes: 6 * Self.megabyte)) { try opened.rows() }
        #expect(SpreadsheetError.tooManyParts(maximum: 10_000).message.contains("10000"))
    }
}
