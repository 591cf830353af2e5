import CZlibInflate
import Foundation
import SafeCertCore

/// The public status list's `encodedList`, as the W3C Bitstring Status List writes it: the
/// bitstring GZIP-compressed (zlib), base64url without padding, with the multibase prefix "u".
/// A list of a million certificates with a few hundred set bits is about a kilobyte. Reading
/// one back stops at `maximumBytes` of output, so a small hostile document can't expand into
/// gigabytes.
public enum StatusListEncoding {
    /// 2^27 entries: far beyond any province's certificates.
    public static let maximumBytes = 1 << 24

    public static func encode(_ bits: StatusBitstring) -> String? {
        gzip(bits.bytes).map { "u" + Base64URL.encode($0) }
    }

    public static func decode(_ text: String) -> StatusBitstring? {
        guard text.hasPrefix("u"), let compressed = Base64URL.decode(text.dropFirst()),
              let bytes = gunzip(compressed, limit: maximumBytes) else { return nil }
        return StatusBitstring(bytes: bytes)
    }

    /// zlib's gzip format (window bits 15 + 16), best compression: the list is written once a
    /// change and fetched many times.
    static func gzip(_ input: [UInt8]) -> [UInt8]? {
        var stream = z_stream()
        guard deflateInit2_(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, MAX_WBITS + 16, 8, Z_DEFAULT_STRATEGY,
                            ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { deflateEnd(&stream) }
        guard input.count < Int(uInt.max) else { return nil }
        let bound = Int(deflateBound(&stream, uLong(input.count)))
        var output = [UInt8](repeating: 0, count: bound)
        let status: Int32 = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
                stream.avail_in = uInt(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = uInt(target.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { return nil }
        return Array(output.prefix(Int(stream.total_out)))
    }

    /// The gzip stream's content, or nil when it is damaged, does not end, or would exceed `limit`.
    static func gunzip(_ input: [UInt8], limit: Int) -> [UInt8]? {
        guard !input.isEmpty, input.count < Int(uInt.max) else { return nil }
        var stream = z_stream()
        guard inflateInit2_(&stream, MAX_WBITS + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        return input.withUnsafeBufferPointer { source -> [UInt8]? in
            stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
            stream.avail_in = uInt(source.count)
            while true {
                let (status, produced) = chunk.withUnsafeMutableBufferPointer { target -> (Int32, Int) in
                    stream.next_out = target.baseAddress
                    stream.avail_out = uInt(target.count)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    return (status, target.count - Int(stream.avail_out))
                }
                guard output.count + produced <= limit else { return nil }
                output += chunk.prefix(produced)
                switch status {
                case Z_STREAM_END: return stream.avail_in == 0 ? output : nil
                case Z_OK: continue
                case Z_BUF_ERROR where produced > 0: continue
                default: return nil
                }
            }
        }
    }
}
