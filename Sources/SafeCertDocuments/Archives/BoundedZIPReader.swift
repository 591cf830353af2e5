import CZlibInflate
import Foundation

/// How much a ZIP archive from outside may give. The sizes a ZIP header declares are never
/// believed: bytes are counted as they come out of the inflater, per entry and in total, and the
/// extraction stops the moment a limit is passed — a 1 MB archive that inflates to gigabytes
/// (a ZIP bomb) costs at most the limit.
public struct ZIPLimits: Sendable, Equatable {
    /// The most one entry may inflate to.
    public var maximumEntryBytes: Int
    /// The most all entries read from the archive (and from earlier archives sharing the budget) may inflate to.
    public var maximumTotalBytes: Int
    /// The most entries (files, folders, metadata) the central directory may list.
    public var maximumEntries: Int

    public init(maximumEntryBytes: Int, maximumTotalBytes: Int, maximumEntries: Int) {
        self.maximumEntryBytes = maximumEntryBytes
        self.maximumTotalBytes = maximumTotalBytes
        self.maximumEntries = maximumEntries
    }

    /// Batch photos (`证件号码.jpg` in a ZIP): each no larger than the 1-inch photo rule accepts
    /// (2 MB), 100 MB in all — 2,000 people at 50 KB a photo — and 4,000 entries, which leaves
    /// room for the `__MACOSX` twins a Mac adds to every file.
    public static let photos = ZIPLimits(maximumEntryBytes: IDPhotoRule().maxBytes, maximumTotalBytes: 100 * 1024 * 1024,
                                         maximumEntries: 4_000)

    /// An .xlsx package: one part (a sheet, the shared strings) up to 128 MB — a full people
    /// template at the 200,000-row limit, written with inline strings, is about 110 MB — and
    /// 192 MB for every part read; a workbook has a few dozen parts, so 10,000 entries is plenty.
    public static let spreadsheet = ZIPLimits(maximumEntryBytes: 128 * 1024 * 1024, maximumTotalBytes: 192 * 1024 * 1024,
                                              maximumEntries: 10_000)
}

/// Why an archive was not read. `message` is shown to whoever uploaded it.
public enum ZIPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No ZIP end record: not a ZIP at all.
    case notZIP
    /// Headers that point outside the file, a broken deflate stream, a wrong checksum.
    case damaged(path: String?)
    /// A password-protected entry, or a compression method other than stored and deflate.
    case unsupported(path: String)
    case tooManyEntries(maximum: Int)
    case entryTooLarge(path: String, maximumBytes: Int)
    case tooLargeInTotal(maximumBytes: Int)

    public var message: String {
        switch self {
        case .notZIP:
            return "文件不是 ZIP 压缩包"
        case .damaged(let path?):
            return "压缩包中的「\(path)」已损坏，无法解压"
        case .damaged(nil):
            return "压缩包已损坏，无法解压"
        case .unsupported(let path):
            return "压缩包中的「\(path)」设置了密码或使用了不支持的压缩方式，请用常规 ZIP 格式重新压缩"
        case .tooManyEntries(let maximum):
            return "压缩包中的文件过多（最多 \(maximum) 个），请分批上传"
        case .entryTooLarge(let path, let maximumBytes):
            return "压缩包中的「\(path)」解压后超过 \(Self.megabytes(maximumBytes))"
        case .tooLargeInTotal(let maximumBytes):
            return "压缩包解压后超过 \(Self.megabytes(maximumBytes))，请分批上传"
        }
    }

    public var description: String { message }

    static func megabytes(_ bytes: Int) -> String {
        bytes % (1024 * 1024) == 0 ? "\(bytes / (1024 * 1024)) MB" : "\(bytes) 字节"
    }
}

/// One member of an archive, as its central directory lists it.
public struct ZIPEntry: Sendable, Equatable {
    public let path: String
    public let isDirectory: Bool
    let method: UInt16
    let flags: UInt16
    let crc32: UInt32
    let compressedSize: UInt64
    let localHeaderOffset: UInt64

    /// A regular file (not a folder, not a symbolic link).
    public var isFile: Bool { !isDirectory && !isSymbolicLink }
    let isSymbolicLink: Bool
}

/// Reads a ZIP archive without trusting it: every offset is checked against the file, the entry
/// count is capped while the directory is read, and entries are inflated by zlib in chunks that
/// are counted before they are handed on. (ZIPFoundation's reader inflates until the stream says
/// it ends, so a truncated stream spins forever and a declared size is believed; it is kept for
/// writing packages only.)
public struct BoundedZIPReader {
    public let limits: ZIPLimits
    public let entries: [ZIPEntry]
    /// Bytes inflated so far, including `alreadyInflated` from earlier archives of the same upload.
    public private(set) var inflatedBytes: Int
    private let data: Data

    /// Reads the central directory. `alreadyInflated` lets several archives of one upload share
    /// one total budget.
    public init(data: Data, limits: ZIPLimits, alreadyInflated: Int = 0) throws(ZIPError) {
        self.data = data
        self.limits = limits
        self.inflatedBytes = alreadyInflated
        self.entries = try Self.readDirectory(data, limits: limits)
    }

    /// The first regular file whose path, compared without case and leading slashes, is `path`.
    public func file(at path: String) -> ZIPEntry? {
        let key = Self.normalized(path)
        return entries.first { $0.isFile && Self.normalized($0.path) == key }
    }

    static func normalized(_ path: String) -> String {
        var key = path.replacingOccurrences(of: "\\", with: "/")
        while key.hasPrefix("/") { key.removeFirst() }
        return key.lowercased()
    }

    /// The whole entry, inflated.
    public mutating func data(of entry: ZIPEntry) throws(ZIPError) -> Data {
        var result = Data()
        try extract(entry) { chunk in result.append(contentsOf: chunk) }
        return result
    }

    /// Inflates the entry and hands each chunk (at most 64 KB) to `consume`; throws before a
    /// chunk would take the entry or the total past its limit, so `consume` never receives more
    /// than the limits allow. The CRC-32 is checked at the end.
    public mutating func extract(_ entry: ZIPEntry, _ consume: (UnsafeRawBufferPointer) -> Void) throws(ZIPError) {
        guard entry.isFile else { return }
        if entry.flags & 0x0001 != 0 { throw .unsupported(path: entry.path) }
        let payload = try payloadRange(of: entry)
        var entryBytes = 0
        var crc = CZlibInflate.crc32(0, nil, 0)
        let limits = self.limits
        var total = inflatedBytes
        defer { inflatedBytes = total }
        func deliver(_ chunk: UnsafeRawBufferPointer) throws(ZIPError) {
            guard chunk.count <= limits.maximumEntryBytes - entryBytes else {
                throw .entryTooLarge(path: entry.path, maximumBytes: limits.maximumEntryBytes)
            }
            guard chunk.count <= limits.maximumTotalBytes - total else {
                throw .tooLargeInTotal(maximumBytes: limits.maximumTotalBytes)
            }
            entryBytes += chunk.count
            total += chunk.count
            if let base = chunk.baseAddress, chunk.count > 0 {
                crc = CZlibInflate.crc32(crc, base.assumingMemoryBound(to: Bytef.self), uInt(chunk.count))
            }
            consume(chunk)
        }
        let outcome: Result<Void, ZIPError> = data.withUnsafeBytes { (archive: UnsafeRawBufferPointer) in
            let input = UnsafeRawBufferPointer(rebasing: archive[payload])
            do {
                switch entry.method {
                case 0:
                    var offset = 0
                    while offset < input.count {
                        let end = min(offset + Self.chunkSize, input.count)
                        try deliver(UnsafeRawBufferPointer(rebasing: input[offset..<end]))
                        offset = end
                    }
                case 8:
                    try Self.inflate(input, path: entry.path, deliver: deliver)
                default:
                    throw ZIPError.unsupported(path: entry.path)
                }
                return .success(())
            } catch let error as ZIPError {
                return .failure(error)
            } catch {
                return .failure(.damaged(path: entry.path))
            }
        }
        try outcome.get()
        guard UInt32(truncatingIfNeeded: crc) == entry.crc32 else { throw .damaged(path: entry.path) }
    }

    static let chunkSize = 64 * 1024

    /// Raw deflate (no zlib header) of exactly `input`; a stream that doesn't end inside its
    /// bytes is damaged.
    private static func inflate(_ input: UnsafeRawBufferPointer, path: String,
                                deliver: (UnsafeRawBufferPointer) throws(ZIPError) -> Void) throws(ZIPError) {
        var stream = z_stream()
        guard inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .damaged(path: path)
        }
        defer { inflateEnd(&stream) }
        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 1)
        defer { output.deallocate() }
        guard let outputBase = output.baseAddress?.assumingMemoryBound(to: Bytef.self) else { throw .damaged(path: path) }
        var consumed = 0
        while true {
            // zlib counts input in 32-bit units: feed at most 1 GB at a time.
            let available = min(input.count - consumed, 1 << 30)
            let next = input.baseAddress.map { UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: Bytef.self)) + consumed }
            stream.next_in = next
            stream.avail_in = uInt(available)
            stream.next_out = outputBase
            stream.avail_out = uInt(chunkSize)
            let status = CZlibInflate.inflate(&stream, Z_NO_FLUSH)
            consumed += available - Int(stream.avail_in)
            let produced = chunkSize - Int(stream.avail_out)
            if produced > 0 { try deliver(UnsafeRawBufferPointer(start: output.baseAddress, count: produced)) }
            switch status {
            case Z_STREAM_END:
                return
            case Z_OK:
                continue
            case Z_BUF_ERROR where produced > 0:
                continue
            default:
                // Z_BUF_ERROR without output: the input ran out before the stream ended.
                throw .damaged(path: path)
            }
        }
    }

    // MARK: - Directory

    /// The entry's compressed bytes, after its local header, inside the file.
    private func payloadRange(of entry: ZIPEntry) throws(ZIPError) -> Range<Int> {
        let bytes = ByteView(data: data)
        guard let header = Int(exactly: entry.localHeaderOffset),
              bytes.u32(at: header) == 0x0403_4B50,
              let nameLength = bytes.u16(at: header + 26), let extraLength = bytes.u16(at: header + 28)
        else { throw .damaged(path: entry.path) }
        let start = header + 30 + Int(nameLength) + Int(extraLength)
        guard let length = Int(exactly: entry.compressedSize), length <= data.count, start <= data.count - length else {
            throw .damaged(path: entry.path)
        }
        return start..<(start + length)
    }

    private static func readDirectory(_ data: Data, limits: ZIPLimits) throws(ZIPError) -> [ZIPEntry] {
        let bytes = ByteView(data: data)
        guard let end = bytes.lastIndex(ofSignature: 0x0605_4B50, searchingBack: 22 + 65_535), end + 22 <= data.count,
              var count = bytes.u16(at: end + 10).map(UInt64.init), var size = bytes.u32(at: end + 12).map(UInt64.init),
              var offset = bytes.u32(at: end + 16).map(UInt64.init)
        else { throw .notZIP }
        // ZIP64: the locator just before the end record points at the 64-bit end record.
        if count == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF, end >= 20, bytes.u32(at: end - 20) == 0x0706_4B50 {
            guard let recordOffset = bytes.u64(at: end - 12).flatMap({ Int(exactly: $0) }),
                  bytes.u32(at: recordOffset) == 0x0606_4B50,
                  let count64 = bytes.u64(at: recordOffset + 32), let size64 = bytes.u64(at: recordOffset + 40),
                  let offset64 = bytes.u64(at: recordOffset + 48)
            else { throw .damaged(path: nil) }
            (count, size, offset) = (count64, size64, offset64)
        }
        guard count <= UInt64(limits.maximumEntries) else { throw .tooManyEntries(maximum: limits.maximumEntries) }
        guard let start = Int(exactly: offset), let length = Int(exactly: size), length <= data.count, start <= data.count - length else {
            throw .damaged(path: nil)
        }
        var entries: [ZIPEntry] = []
        var position = start
        let directoryEnd = start + length
        while position < directoryEnd {
            guard entries.count < limits.maximumEntries else { throw .tooManyEntries(maximum: limits.maximumEntries) }
            guard bytes.u32(at: position) == 0x0201_4B50,
                  let madeBy = bytes.u16(at: position + 4), let flags = bytes.u16(at: position + 8),
                  let method = bytes.u16(at: position + 10), let crc = bytes.u32(at: position + 16),
                  let compressed32 = bytes.u32(at: position + 20), let uncompressed32 = bytes.u32(at: position + 24),
                  let nameLength = bytes.u16(at: position + 28).map(Int.init), let extraLength = bytes.u16(at: position + 30).map(Int.init),
                  let commentLength = bytes.u16(at: position + 32).map(Int.init), let attributes = bytes.u32(at: position + 38),
                  let localOffset32 = bytes.u32(at: position + 42),
                  let nameBytes = bytes.slice(at: position + 46, count: nameLength),
                  let extra = bytes.slice(at: position + 46 + nameLength, count: extraLength)
            else { throw .damaged(path: nil) }
            let path = String(decoding: nameBytes, as: UTF8.self)
            var compressed = UInt64(compressed32)
            var localOffset = UInt64(localOffset32)
            // ZIP64 extra field: the 64-bit values, in order, for each 32-bit field that is all ones.
            if compressed32 == 0xFFFF_FFFF || uncompressed32 == 0xFFFF_FFFF || localOffset32 == 0xFFFF_FFFF {
                guard let values = zip64Values(extra) else { throw .damaged(path: path) }
                var index = 0
                func take() -> UInt64? {
                    defer { index += 1 }
                    return index < values.count ? values[index] : nil
                }
                if uncompressed32 == 0xFFFF_FFFF, take() == nil { throw .damaged(path: path) }
                if compressed32 == 0xFFFF_FFFF { guard let v = take() else { throw .damaged(path: path) }; compressed = v }
                if localOffset32 == 0xFFFF_FFFF { guard let v = take() else { throw .damaged(path: path) }; localOffset = v }
            }
            let unixMode = madeBy >> 8 == 3 ? attributes >> 16 : 0
            entries.append(ZIPEntry(
                path: path, isDirectory: path.hasSuffix("/"), method: method, flags: flags, crc32: crc,
                compressedSize: compressed, localHeaderOffset: localOffset, isSymbolicLink: unixMode & 0o170000 == 0o120000))
            position += 46 + nameLength + extraLength + commentLength
        }
        return entries
    }

    /// The 64-bit values of the ZIP64 extended-information field (header id 1), if present.
    private static func zip64Values(_ extra: [UInt8]) -> [UInt64]? {
        var index = 0
        while index + 4 <= extra.count {
            let id = UInt16(extra[index]) | UInt16(extra[index + 1]) << 8
            let size = Int(UInt16(extra[index + 2]) | UInt16(extra[index + 3]) << 8)
            let body = index + 4
            guard body + size <= extra.count else { return nil }
            if id == 1 {
                return stride(from: body, to: body + size - 7, by: 8).map { start in
                    (0..<8).reduce(UInt64(0)) { $0 | UInt64(extra[start + $1]) << (8 * UInt64($1)) }
                }
            }
            index = body + size
        }
        return nil
    }
}

/// Little-endian reads that answer nil outside the data instead of trapping.
private struct ByteView {
    let data: Data

    func slice(at index: Int, count: Int) -> [UInt8]? {
        guard index >= 0, count >= 0, index <= data.count, count <= data.count - index else { return nil }
        return [UInt8](data[(data.startIndex + index)..<(data.startIndex + index + count)])
    }

    func u16(at index: Int) -> UInt16? { little(at: index, count: 2).map { UInt16(truncatingIfNeeded: $0) } }

    func u32(at index: Int) -> UInt32? { little(at: index, count: 4).map { UInt32(truncatingIfNeeded: $0) } }

    func u64(at index: Int) -> UInt64? { little(at: index, count: 8) }

    private func little(at index: Int, count: Int) -> UInt64? {
        guard index >= 0, index <= data.count - count else { return nil }
        var value: UInt64 = 0
        for offset in 0..<count {
            value |= UInt64(data[data.startIndex + index + offset]) << (8 * UInt64(offset))
        }
        return value
    }

    /// The last position of the little-endian `signature` within `window` bytes of the end.
    func lastIndex(ofSignature signature: UInt32, searchingBack window: Int) -> Int? {
        guard data.count >= 4 else { return nil }
        var index = data.count - 4
        let lowest = max(0, data.count - window)
        while index >= lowest {
            if u32(at: index) == signature { return index }
            index -= 1
        }
        return nil
    }
}
