import CPangoCairo
import CQREncode
import Foundation

/// Why a QR code could not be made.
public enum QRCodeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An empty string has no QR code (libqrencode refuses it).
    case emptyText
    /// The text contains U+0000, which the C string handed to libqrencode cannot carry.
    case containsNUL
    /// More data than the largest symbol (version 40) holds at this error-correction level:
    /// 2,331 bytes of 8-bit data at level M.
    case tooLong(byteCount: Int)
    /// libqrencode failed for another reason (out of memory); `errno` as it reported it.
    case encoderFailure(errno: Int32)

    public var description: String {
        switch self {
        case .emptyText: "QR code text is empty"
        case .containsNUL: "QR code text contains a NUL character"
        case .tooLong(let count): "QR code text of \(count) UTF-8 bytes is too long for one QR code"
        case .encoderFailure(let code): "libqrencode failed (errno \(code))"
        }
    }
}

/// A QR code symbol: a square of dark and light modules, made by libqrencode.
///
/// Text is encoded as its UTF-8 bytes: libqrencode's `QRcode_encodeString` with the 8-bit
/// hint, which still puts runs of digits or upper-case letters in the denser numeric and
/// alphanumeric modes, and picks the smallest version (size) that holds the text. Draw it with
/// `PDFCanvas.qr(_:x:y:side:)` or export it with `png(scale:)`; both add the quiet zone.
public struct QRCode: Sendable, Hashable {
    /// How much of the symbol may be damaged (or covered) and still read back.
    public enum ErrorCorrection: Sendable, CaseIterable {
        /// About 7 %.
        case low
        /// About 15 %: the usual choice for printed codes.
        case medium
        /// About 25 %.
        case quartile
        /// About 30 %.
        case high

        var qrencodeValue: QRecLevel {
            switch self {
            case .low: QR_ECLEVEL_L
            case .medium: QR_ECLEVEL_M
            case .quartile: QR_ECLEVEL_Q
            case .high: QR_ECLEVEL_H
            }
        }
    }

    /// The light margin a reader needs around the symbol, in modules (the standard asks for 4).
    public static let standardQuietZone = 4

    /// Modules per side, without the quiet zone: 21 for version 1 … 177 for version 40.
    public let size: Int
    /// The symbol version, 1…40.
    public let version: Int
    public let errorCorrection: ErrorCorrection
    /// Row-major, `size * size` entries, `true` for dark.
    private let modules: [Bool]

    /// Encodes `text` (its UTF-8 bytes) in the smallest symbol that holds it.
    public init(text: String, level: ErrorCorrection = .medium) throws(QRCodeError) {
        let byteCount = text.utf8.count
        guard byteCount > 0 else { throw .emptyText }
        guard !text.utf8.contains(0) else { throw .containsNUL }
        // libqrencode reports failures through errno, which is per thread: read it right away.
        let (symbol, error) = text.withCString { cText -> (UnsafeMutablePointer<QRcode>?, Int32) in
            errno = 0
            let symbol = QRcode_encodeString(cText, 0, level.qrencodeValue, QR_MODE_8, 1)
            return (symbol, errno)
        }
        guard let symbol else {
            if error == ERANGE { throw .tooLong(byteCount: byteCount) }
            throw .encoderFailure(errno: error)
        }
        defer { QRcode_free(symbol) }
        let width = Int(symbol.pointee.width)
        guard width > 0, let data = symbol.pointee.data else { throw .encoderFailure(errno: 0) }
        size = width
        version = Int(symbol.pointee.version)
        errorCorrection = level
        // Bit 0 of each byte is the module's colour; the other bits say what the module is for.
        modules = (0..<(width * width)).map { data[$0] & 1 == 1 }
    }

    /// Whether the module in column `x`, row `y` (from the top-left, 0-based) is dark.
    /// Positions outside the symbol are light, as the quiet zone around it is.
    public func isDark(x: Int, y: Int) -> Bool {
        guard x >= 0, y >= 0, x < size, y < size else { return false }
        return modules[y * size + x]
    }

    /// The symbol with `quietZone` light modules on each side, one byte per module
    /// (0 dark, 255 light), row-major: `side * side` bytes.
    public func grayModules(quietZone: Int = QRCode.standardQuietZone) -> (pixels: [UInt8], side: Int) {
        let margin = max(quietZone, 0)
        let side = size + 2 * margin
        var pixels = [UInt8](repeating: 255, count: side * side)
        for y in 0..<size {
            let row = (y + margin) * side + margin
            for x in 0..<size where modules[y * size + x] {
                pixels[row + x] = 0
            }
        }
        return (pixels, side)
    }

    /// A black-on-white PNG of the symbol, `scale` pixels per module, with the quiet zone.
    /// Cairo writes a 1-bit surface as a 1-bit grayscale PNG, so even a large scale stays small
    /// (a few kilobytes).
    public func png(scale: Int = 8, quietZone: Int = QRCode.standardQuietZone) -> Data {
        let scale = min(max(scale, 1), 64)
        let margin = min(max(quietZone, 0), 64)
        let side = Int32((size + 2 * margin) * scale)
        // In a 1-bit (A1) surface a set bit is opaque, which the PNG writer stores as white.
        let surface = cairo_image_surface_create(CAIRO_FORMAT_A1, side, side)
        defer { cairo_surface_destroy(surface) }
        let cairo = cairo_create(surface)
        cairo_set_antialias(cairo, CAIRO_ANTIALIAS_NONE)
        cairo_set_source_rgba(cairo, 0, 0, 0, 1)
        cairo_paint(cairo)
        // Dark modules: cleared to transparent, stored as black.
        cairo_set_operator(cairo, CAIRO_OPERATOR_CLEAR)
        for y in 0..<size {
            for x in 0..<size where modules[y * size + x] {
                cairo_rectangle(cairo, Double((x + margin) * scale), Double((y + margin) * scale), Double(scale), Double(scale))
            }
        }
        cairo_fill(cairo)
        cairo_destroy(cairo)
        return Data(CairoPNG.bytes(of: surface) ?? [])
    }
}
