import CTurboJPEG
import Foundation

/// What a fully decoded JPEG turned out to be.
public struct JPEGInfo: Equatable, Sendable {
    public let width: Int
    public let height: Int
    /// Three components (YCbCr or RGB). A one-component grayscale JPEG is `false`, even if an RGB
    /// picture that merely looks grey is `true`: the photo rule judges the file, not the scene.
    public let isColour: Bool

    public init(width: Int, height: Int, isColour: Bool) {
        self.width = width
        self.height = height
        self.isColour = isColour
    }
}

/// How much colour detail `JPEG.encode` keeps. `.grayscale` writes a real one-component JPEG.
public enum JPEGChromaSubsampling: Sendable, CaseIterable {
    case chroma444
    case chroma422
    case chroma420
    case grayscale

    var turboJPEGValue: Int32 {
        switch self {
        case .chroma444: Int32(TJSAMP_444.rawValue)
        case .chroma422: Int32(TJSAMP_422.rawValue)
        case .chroma420: Int32(TJSAMP_420.rawValue)
        case .grayscale: Int32(TJSAMP_GRAY.rawValue)
        }
    }
}

/// JPEG reading, checking, thumbnailing and writing on top of libjpeg-turbo's TurboJPEG API.
/// This file is the only place in SafeCert that calls into C for images.
public enum JPEG {
    /// Refuse to decode anything larger: a tiny file can declare a 65 500 × 65 500 image and
    /// make us allocate gigabytes (a "decompression bomb").
    public static let maxDecodablePixelCount = 40_000_000

    /// Proves `data` is a real JPEG by decoding the header and then every pixel. Nothing is
    /// trusted from a file name or MIME type, and decoder warnings (such as a truncated file)
    /// count as damage, because libjpeg otherwise pads missing data with grey and succeeds.
    public static func inspect(_ data: Data) throws(PhotoError) -> JPEGInfo {
        try requireJPEGSignature(data)
        let decompressor = try TurboJPEGDecompressor()
        let info = try decompressor.readHeader(data)
        try requireDecodable(info)
        // Decoding to gray for one-component files halves the work; speed flags are fine
        // because the pixels are thrown away, only the success of the decode matters.
        _ = try decompressor.decode(
            data,
            width: info.width,
            height: info.height,
            format: info.isColour ? .rgb : .gray,
            flags: TurboJPEGDecompressor.strictFlags | TJFLAG_FASTDCT | TJFLAG_FASTUPSAMPLE
        )
        return info
    }

    /// A JPEG that fits inside `maxWidth × maxHeight`, keeping the proportions and never upscaling.
    /// TurboJPEG's scaled decode (1/8 … 1) does most of the shrinking cheaply, then a box filter
    /// reaches the exact size.
    public static func thumbnail(_ data: Data, maxWidth: Int, maxHeight: Int, quality: Int = 80) throws(PhotoError) -> Data {
        precondition(maxWidth > 0 && maxHeight > 0, "thumbnail box must be at least 1×1")
        try requireJPEGSignature(data)
        let decompressor = try TurboJPEGDecompressor()
        let info = try decompressor.readHeader(data)
        try requireDecodable(info)

        let target = fittedSize(width: info.width, height: info.height, maxWidth: maxWidth, maxHeight: maxHeight)
        let decoded = TurboJPEGDecompressor.smallestScaledSize(
            width: info.width, height: info.height, atLeastWidth: target.width, atLeastHeight: target.height
        )
        let pixels = try decompressor.decode(
            data, width: decoded.width, height: decoded.height, format: .rgb, flags: TurboJPEGDecompressor.strictFlags
        )
        let resized = boxDownscaleRGB(pixels, from: decoded, to: target)
        return try TurboJPEGCompressor().compress(
            rgb: resized, width: target.width, height: target.height, subsampling: .chroma420, quality: quality
        )
    }

    /// Encodes row-major RGB pixels (`width * height * 3` bytes). Used by tests, demo data and
    /// benchmarks to make real JPEGs.
    public static func encode(
        rgb: [UInt8], width: Int, height: Int, quality: Int, subsampling: JPEGChromaSubsampling = .chroma420
    ) throws(PhotoError) -> Data {
        precondition(width > 0 && height > 0, "JPEG dimensions must be positive")
        // TurboJPEG reads exactly this many bytes; a shorter array would be an out-of-bounds read.
        precondition(rgb.count == width * height * 3, "expected width * height * 3 RGB bytes")
        return try TurboJPEGCompressor().compress(
            rgb: rgb, width: width, height: height, subsampling: subsampling, quality: quality
        )
    }

    // MARK: - Checks shared with IDPhotoRule

    /// Header only: size and colour without decoding the pixels, so cheap checks can run first.
    static func readHeader(_ data: Data) throws(PhotoError) -> JPEGInfo {
        try requireJPEGSignature(data)
        return try TurboJPEGDecompressor().readHeader(data)
    }

    /// Every JPEG starts with SOI (FF D8) followed by another marker (FF). Checked before
    /// libjpeg sees the bytes so a renamed PNG gets "not JPEG" rather than "damaged".
    static func requireJPEGSignature(_ data: Data) throws(PhotoError) {
        guard !data.isEmpty else { throw .emptyFile }
        let prefix = Array(data.prefix(16))
        guard prefix.starts(with: [0xFF, 0xD8, 0xFF]) else {
            throw .notJPEG(detectedFormat: detectedFormatName(prefix))
        }
    }

    /// Names the common image formats people rename to .jpg, for a more helpful refusal.
    static func detectedFormatName(_ prefix: [UInt8]) -> String? {
        func ascii(_ range: Range<Int>) -> String? {
            guard prefix.count >= range.upperBound else { return nil }
            return String(decoding: prefix[range], as: UTF8.self)
        }
        if prefix.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "PNG" }
        if ascii(0..<4) == "GIF8" { return "GIF" }
        if ascii(0..<4) == "RIFF", ascii(8..<12) == "WEBP" { return "WebP" }
        if ascii(4..<8) == "ftyp", let brand = ascii(8..<12) {
            if ["heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1"].contains(brand) { return "HEIC" }
            if ["avif", "avis"].contains(brand) { return "AVIF" }
        }
        if prefix.starts(with: [0x49, 0x49, 0x2A, 0x00]) || prefix.starts(with: [0x4D, 0x4D, 0x00, 0x2A]) { return "TIFF" }
        if ascii(0..<4) == "%PDF" { return "PDF" }
        if ascii(0..<2) == "BM" { return "BMP" }
        return nil
    }

    static func requireDecodable(_ info: JPEGInfo) throws(PhotoError) {
        guard info.width * info.height <= maxDecodablePixelCount else {
            throw .tooManyPixelsToDecode(width: info.width, height: info.height, maxPixelCount: maxDecodablePixelCount)
        }
    }

    // MARK: - Resizing

    struct PixelSize: Equatable {
        let width: Int
        let height: Int
    }

    static func fittedSize(width: Int, height: Int, maxWidth: Int, maxHeight: Int) -> PixelSize {
        let scale = min(Double(maxWidth) / Double(width), Double(maxHeight) / Double(height), 1)
        return PixelSize(
            width: min(maxWidth, max(1, Int((Double(width) * scale).rounded()))),
            height: min(maxHeight, max(1, Int((Double(height) * scale).rounded())))
        )
    }

    /// Averages each target pixel over the block of source pixels it covers. Only shrinks:
    /// `target` must not exceed `source` in either direction.
    static func boxDownscaleRGB(_ pixels: [UInt8], from source: PixelSize, to target: PixelSize) -> [UInt8] {
        precondition(target.width <= source.width && target.height <= source.height, "box filter only shrinks")
        if source == target { return pixels }

        func spans(_ sourceLength: Int, _ targetLength: Int) -> [Range<Int>] {
            (0..<targetLength).map { index in
                let start = index * sourceLength / targetLength
                let end = max(start + 1, (index + 1) * sourceLength / targetLength)
                return start..<end
            }
        }
        let columnSpans = spans(source.width, target.width)
        let rowSpans = spans(source.height, target.height)

        var output = [UInt8](repeating: 0, count: target.width * target.height * 3)
        for (targetY, rows) in rowSpans.enumerated() {
            for (targetX, columns) in columnSpans.enumerated() {
                var red = 0, green = 0, blue = 0
                for sourceY in rows {
                    var offset = (sourceY * source.width + columns.lowerBound) * 3
                    for _ in columns {
                        red += Int(pixels[offset])
                        green += Int(pixels[offset + 1])
                        blue += Int(pixels[offset + 2])
                        offset += 3
                    }
                }
                let count = rows.count * columns.count
                let outputOffset = (targetY * target.width + targetX) * 3
                // Adding count / 2 rounds to nearest instead of always darkening.
                output[outputOffset] = UInt8((red + count / 2) / count)
                output[outputOffset + 1] = UInt8((green + count / 2) / count)
                output[outputOffset + 2] = UInt8((blue + count / 2) / count)
            }
        }
        return output
    }
}

// MARK: - TurboJPEG handles

/// Owns one TurboJPEG decompression handle and destroys it in `deinit`. Deliberately not
/// Sendable: a handle must not be used from two threads, so each call makes its own.
final class TurboJPEGDecompressor {
    enum PixelFormat {
        case rgb
        case gray

        var bytesPerPixel: Int { self == .rgb ? 3 : 1 }
        var turboJPEGValue: Int32 { Int32((self == .rgb ? TJPF_RGB : TJPF_GRAY).rawValue) }
    }

    /// Warnings are fatal (truncation is only a warning in libjpeg) and progressive files with
    /// absurd scan counts are refused (a known CPU-exhaustion trick).
    static let strictFlags: Int32 = TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS

    private let handle: tjhandle

    init() throws(PhotoError) {
        guard let handle = tjInitDecompress() else {
            throw .codecFailure(reason: "tjInitDecompress: " + turboJPEGErrorMessage(nil))
        }
        self.handle = handle
    }

    deinit {
        tjDestroy(handle)
    }

    func readHeader(_ data: Data) throws(PhotoError) -> JPEGInfo {
        var width: Int32 = 0
        var height: Int32 = 0
        var subsampling: Int32 = -1
        var colourSpace: Int32 = -1
        let status = data.withUnsafeBytes { bytes in
            tjDecompressHeader3(
                handle, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt(bytes.count),
                &width, &height, &subsampling, &colourSpace
            )
        }
        guard status == 0 else { throw .damaged(reason: turboJPEGErrorMessage(handle)) }
        // A tables-only stream "succeeds" without an image.
        guard width > 0, height > 0 else { throw .damaged(reason: "JPEG stream contains no image") }

        switch UInt32(bitPattern: colourSpace) {
        case TJCS_YCbCr.rawValue, TJCS_RGB.rawValue:
            return JPEGInfo(width: Int(width), height: Int(height), isColour: true)
        case TJCS_GRAY.rawValue:
            return JPEGInfo(width: Int(width), height: Int(height), isColour: false)
        case TJCS_CMYK.rawValue, TJCS_YCCK.rawValue:
            throw .unsupportedColourSpace(name: "CMYK")
        default:
            throw .damaged(reason: "unknown JPEG colour space \(colourSpace)")
        }
    }

    /// Decodes the whole image at `width × height`, which must be the full size or one of
    /// TurboJPEG's scaled sizes (see `smallestScaledSize`).
    func decode(_ data: Data, width: Int, height: Int, format: PixelFormat, flags: Int32) throws(PhotoError) -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: width * height * format.bytesPerPixel)
        let status = data.withUnsafeBytes { source in
            pixels.withUnsafeMutableBufferPointer { destination in
                tjDecompress2(
                    handle, source.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt(source.count),
                    destination.baseAddress, Int32(width), 0, Int32(height), format.turboJPEGValue, flags
                )
            }
        }
        guard status == 0 else { throw .damaged(reason: turboJPEGErrorMessage(handle)) }
        return pixels
    }

    /// The smallest size TurboJPEG can decode to directly (scaling happens inside the IDCT,
    /// so it is much cheaper than decoding in full) that still covers the requested size.
    static func smallestScaledSize(width: Int, height: Int, atLeastWidth: Int, atLeastHeight: Int) -> JPEG.PixelSize {
        var best = JPEG.PixelSize(width: width, height: height)
        var factorCount: Int32 = 0
        guard let factors = tjGetScalingFactors(&factorCount) else { return best }
        for factor in UnsafeBufferPointer(start: factors, count: Int(factorCount)) {
            // TJSCALED() is a function-like macro, so Swift cannot see it; same rounding-up formula.
            let numerator = Int(factor.num), denominator = Int(factor.denom)
            let scaled = JPEG.PixelSize(
                width: (width * numerator + denominator - 1) / denominator,
                height: (height * numerator + denominator - 1) / denominator
            )
            if scaled.width >= atLeastWidth, scaled.height >= atLeastHeight,
               scaled.width * scaled.height < best.width * best.height {
                best = scaled
            }
        }
        return best
    }
}

/// Owns one TurboJPEG compression handle and destroys it in `deinit`; not Sendable, see above.
final class TurboJPEGCompressor {
    private let handle: tjhandle

    init() throws(PhotoError) {
        guard let handle = tjInitCompress() else {
            throw .codecFailure(reason: "tjInitCompress: " + turboJPEGErrorMessage(nil))
        }
        self.handle = handle
    }

    deinit {
        tjDestroy(handle)
    }

    func compress(
        rgb: [UInt8], width: Int, height: Int, subsampling: JPEGChromaSubsampling, quality: Int
    ) throws(PhotoError) -> Data {
        precondition(rgb.count == width * height * 3, "expected width * height * 3 RGB bytes")
        guard let turboWidth = Int32(exactly: width), let turboHeight = Int32(exactly: height) else {
            throw .codecFailure(reason: "image \(width)×\(height) is too large for JPEG")
        }
        let capacity = tjBufSize(turboWidth, turboHeight, subsampling.turboJPEGValue)
        guard capacity != UInt.max, let byteCapacity = Int(exactly: capacity) else {
            throw .codecFailure(reason: "tjBufSize: " + turboJPEGErrorMessage(nil))
        }
        // A buffer of the worst-case size plus NOREALLOC keeps all memory Swift-owned: nothing
        // allocated by TurboJPEG that we would have to tjFree.
        var output = [UInt8](repeating: 0, count: byteCapacity)
        var jpegSize = capacity
        let status = rgb.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                var destinationAddress = destination.baseAddress
                return tjCompress2(
                    handle, source.baseAddress, turboWidth, 0, turboHeight, Int32(TJPF_RGB.rawValue),
                    &destinationAddress, &jpegSize, subsampling.turboJPEGValue,
                    Int32(min(max(quality, 1), 100)), TJFLAG_NOREALLOC
                )
            }
        }
        guard status == 0 else { throw .codecFailure(reason: turboJPEGErrorMessage(handle)) }
        return Data(output.prefix(Int(jpegSize)))
    }
}

/// TurboJPEG keeps the last error per handle (or globally when `handle` is nil).
private func turboJPEGErrorMessage(_ handle: UnsafeMutableRawPointer?) -> String {
    guard let message = tjGetErrorStr2(handle) else { return "unknown TurboJPEG error" }
    return String(cString: message)
}
