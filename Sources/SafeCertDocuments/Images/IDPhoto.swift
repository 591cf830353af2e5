import Foundation

/// Why a photo was refused. `message` is the sentence shown to the applicant: it names the
/// problem and what is expected instead.
public enum PhotoError: Error, Equatable, Sendable {
    case emptyFile
    /// The bytes are not JPEG, whatever the file name says. `detectedFormat` is e.g. "PNG" when recognised.
    case notJPEG(detectedFormat: String?)
    case fileTooSmall(byteCount: Int, minimum: Int)
    case fileTooLarge(byteCount: Int, maximum: Int)
    /// Truncated or corrupted: the decoder could not read every pixel. `reason` is libjpeg's text, for logs.
    case damaged(reason: String)
    case unsupportedColourSpace(name: String)
    case grayscale
    case dimensionsTooSmall(width: Int, height: Int, minWidth: Int, minHeight: Int)
    case dimensionsTooLarge(width: Int, height: Int, maxWidth: Int, maxHeight: Int)
    case wrongProportions(width: Int, height: Int)
    case tooManyPixelsToDecode(width: Int, height: Int, maxPixelCount: Int)
    /// Our side failed (out of memory, encoder error); not the applicant's fault. `reason` is for logs.
    case codecFailure(reason: String)

    public var message: String {
        switch self {
        case .emptyFile:
            return "照片文件为空，请重新选择照片"
        case .notJPEG(let detectedFormat?):
            return "文件不是 JPEG 图片（实际为 \(detectedFormat) 格式，仅修改扩展名无效），请上传 JPG 格式的照片"
        case .notJPEG(nil):
            return "文件不是 JPEG 图片，请上传 JPG 格式的照片"
        case .fileTooSmall(let byteCount, let minimum):
            return "照片文件 \(Self.formatByteCount(byteCount, roundingUp: false)) 过小，至少 \(Self.formatByteCount(minimum, roundingUp: false))"
        case .fileTooLarge(let byteCount, let maximum):
            // Rounding the actual size up means "2.1 MB 过大，不能超过 2 MB", never "2 MB … 2 MB".
            return "照片文件 \(Self.formatByteCount(byteCount, roundingUp: true)) 过大，不能超过 \(Self.formatByteCount(maximum, roundingUp: false))"
        case .damaged:
            return "照片文件已损坏或不完整，无法解码，请重新导出完整的 JPEG 照片后上传"
        case .unsupportedColourSpace(let name):
            return "照片为 \(name) 印刷色彩模式，请另存为 RGB 彩色 JPEG 照片后上传"
        case .grayscale:
            return "请上传彩色照片（当前为黑白灰度照片）"
        case .dimensionsTooSmall(let width, let height, let minWidth, let minHeight):
            return "照片尺寸 \(width)×\(height) 像素过小，至少 \(minWidth)×\(minHeight) 像素"
        case .dimensionsTooLarge(let width, let height, let maxWidth, let maxHeight):
            return "照片尺寸 \(width)×\(height) 像素过大，最大 \(maxWidth)×\(maxHeight) 像素"
        case .wrongProportions(let width, let height):
            let current = width > height ? "当前为 \(width)×\(height) 像素的横向照片" : "当前为 \(width)×\(height) 像素"
            return "照片比例应接近 5:7（一寸证件照，宽 × 高），\(current)"
        case .tooManyPixelsToDecode(let width, let height, let maxPixelCount):
            return "图片尺寸 \(width)×\(height) 像素过大，无法处理（最多 \(maxPixelCount / 10_000) 万像素）"
        case .codecFailure:
            return "服务器处理图片时出错，请稍后重试"
        }
    }

    /// "2 MB", "3.5 MB", "4 KB", "512 字节" in binary units with one decimal at most.
    static func formatByteCount(_ byteCount: Int, roundingUp: Bool) -> String {
        let (unitSize, unitName): (Int, String) =
            byteCount >= 1024 * 1024 ? (1024 * 1024, "MB") : byteCount >= 1024 ? (1024, "KB") : (1, "字节")
        if unitSize == 1 { return "\(byteCount) \(unitName)" }
        let scaled = byteCount * 10
        let tenths = roundingUp ? (scaled + unitSize - 1) / unitSize : scaled / unitSize
        let number = tenths % 10 == 0 ? "\(tenths / 10)" : "\(tenths / 10).\(tenths % 10)"
        return "\(number) \(unitName)"
    }
}

/// The rule for the 1-inch colour ID photo (一寸照片): 25 mm × 35 mm, nominally 295 × 413 pixels
/// at 300 dpi. The limits around the nominal size leave room for phone crops and scanners
/// while refusing thumbnails, posters and the wrong orientation.
public struct IDPhotoRule: Equatable, Sendable {
    public static let nominalWidth = 295
    public static let nominalHeight = 413
    /// Width ÷ height of 25 mm × 35 mm. Fixed, because the messages promise "5:7".
    public static let widthToHeightRatio = 5.0 / 7.0

    public var maxBytes = 2 * 1024 * 1024
    /// Below this a photo of this size is too heavily compressed to recognise a face.
    public var minBytes = 4 * 1024
    public var minWidth = 150
    public var minHeight = 210
    public var maxWidth = 1200
    public var maxHeight = 1680
    /// Allowed distance of width ÷ height from 5:7 (≈ 0.654 … 0.774).
    public var aspectTolerance = 0.06

    public init() {}

    /// Checks from cheapest to dearest, so a wrong or oversized file is refused before any pixel
    /// is decoded; the full decode at the end proves the file is intact.
    public func check(_ data: Data) throws(PhotoError) -> JPEGInfo {
        try JPEG.requireJPEGSignature(data)
        guard data.count <= maxBytes else { throw .fileTooLarge(byteCount: data.count, maximum: maxBytes) }
        guard data.count >= minBytes else { throw .fileTooSmall(byteCount: data.count, minimum: minBytes) }

        let header = try JPEG.readHeader(data)
        let (width, height) = (header.width, header.height)
        guard width >= minWidth, height >= minHeight else {
            throw .dimensionsTooSmall(width: width, height: height, minWidth: minWidth, minHeight: minHeight)
        }
        guard width <= maxWidth, height <= maxHeight else {
            throw .dimensionsTooLarge(width: width, height: height, maxWidth: maxWidth, maxHeight: maxHeight)
        }
        guard abs(Double(width) / Double(height) - Self.widthToHeightRatio) <= aspectTolerance else {
            throw .wrongProportions(width: width, height: height)
        }
        guard header.isColour else { throw .grayscale }

        return try JPEG.inspect(data)
    }
}
