import Foundation
import SafeCertDocuments
import ZIPFoundation

/// Packs parts into a deflated zip in memory (ZIPFoundation), for tests that craft their own
/// workbooks and archives. The app writes XLSX files with libxlsxwriter.
enum XLSXZipWriter {
    static func archive(parts: [(path: String, bytes: [UInt8])]) throws -> Data {
        let archive = try Archive(accessMode: .create)
        for part in parts {
            let bytes = part.bytes
            try archive.addEntry(with: part.path, type: .file, uncompressedSize: Int64(bytes.count),
                                 compressionMethod: .deflate, bufferSize: 256 * 1024) { position, size in
                let start = Int(position)
                return Data(bytes[start..<min(start + size, bytes.count)])
            }
        }
        guard let data = archive.data else { throw SpreadsheetError.writeFailed }
        return data
    }
}
