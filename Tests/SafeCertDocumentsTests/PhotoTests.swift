import Foundation
import Testing
@testable import SafeCertDocuments

/// Deterministic bytes so a failing case can be reproduced exactly.
private struct PhotoTestRandom: RandomNumberGenerator {
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

/// Real JPEG fixtures, made with the same encoder the application uses.
private enum PhotoFixture {
    /// A colour gradient with a fine pattern on top, so it compresses like a photo (well above
    /// the 4 KB floor) rather than like a flat colour.
    static func colourRGB(width: Int, height: Int) -> [UInt8] {
        var pixels = [UInt8]()
        pixels.reserveCapacity(width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let texture = ((x * 7 + y * 13) % 23) * 2
                pixels.append(UInt8(min(255, x * 200 / max(1, width - 1) + texture)))
                pixels.append(UInt8(min(255, y * 200 / max(1, height - 1) + texture)))
                pixels.append(UInt8(min(255, 120 + (x + y) % 40 + texture / 2)))
            }
        }
        return pixels
    }

    /// Red = green = blue everywhere: looks grey but is still stored as a three-component JPEG.
    static func greyLookingRGB(width: Int, height: Int) -> [UInt8] {
        var pixels = [UInt8]()
        pixels.reserveCapacity(width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let level = UInt8((x * 3 + y * 5 + (x * y) % 31) % 256)
                pixels += [level, level, level]
            }
        }
        return pixels
    }

    static func jpeg(
        width: Int, height: Int, quality: Int = 90, subsampling: JPEGChromaSubsampling = .chroma420
    ) throws -> Data {
        try JPEG.encode(rgb: colourRGB(width: width, height: height), width: width, height: height,
                        quality: quality, subsampling: subsampling)
    }
}

/// The refusal `check` produced, or nil when the photo was accepted.
private func refusal(_ data: Data, rule: IDPhotoRule = IDPhotoRule()) -> PhotoError? {
    do {
        _ = try rule.check(data)
        return nil
    } catch {
        return error
    }
}

@Suite("1-inch ID photo rule and JPEG handling")
struct PhotoTests {
    // MARK: Accepted

    @Test func colourGradientAtNominalSizePasses() throws {
        let photo = try PhotoFixture.jpeg(width: 295, height: 413)
        #expect(photo.count >= 4 * 1024, "fixture must clear the byte floor to test the pixels")
        let info = try IDPhotoRule().check(photo)
        #expect(info == JPEGInfo(width: 295, height: 413, isColour: true))
    }

    @Test func greyLookingRGBImageStillCountsAsColour() throws {
        let pixels = PhotoFixture.greyLookingRGB(width: 295, height: 413)
        let photo = try JPEG.encode(rgb: pixels, width: 295, height: 413, quality: 95)
        #expect(try JPEG.inspect(photo).isColour)
        #expect(refusal(photo) == nil)
    }

    @Test(arguments: [(150, 210), (1200, 1680), (280, 413)])
    func sizesInsideTheLimitsPass(width: Int, height: Int) throws {
        let photo = try PhotoFixture.jpeg(width: width, height: height, quality: 95)
        #expect(refusal(photo) == nil)
    }

    // MARK: Refused for format or integrity

    @Test func pngRenamedToJPGIsRefusedAsNotJPEG() {
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        bytes += [UInt8](repeating: 0x42, count: 10_000)
        let error = refusal(Data(bytes))
        #expect(error == .notJPEG(detectedFormat: "PNG"))
        #expect(error?.message.contains("不是 JPEG") == true)
        #expect(error?.message.contains("PNG") == true)
    }

    static let renamedFormatSignatures: [(format: String, signature: [UInt8])] = [
        ("GIF", Array("GIF89a".utf8)),
        ("WebP", Array("RIFF".utf8) + [0x10, 0, 0, 0] + Array("WEBPVP8 ".utf8)),
        ("HEIC", [0, 0, 0, 0x18] + Array("ftypheic".utf8)),
    ]

    @Test(arguments: renamedFormatSignatures)
    func otherFormatsRenamedToJPGAreNamed(format: String, signature: [UInt8]) {
        let data = Data(signature + [UInt8](repeating: 0, count: 8_000))
        #expect(refusal(data) == .notJPEG(detectedFormat: format))
    }

    @Test func emptyFileIsRefused() {
        #expect(refusal(Data()) == .emptyFile)
    }

    @Test func firstHalfOfAValidJPEGIsRefusedAsDamaged() throws {
        let photo = try PhotoFixture.jpeg(width: 295, height: 413)
        let firstHalf = photo.prefix(photo.count / 2)
        #expect(firstHalf.count >= 4 * 1024, "truncated fixture must still clear the byte floor")
        guard case .damaged = refusal(Data(firstHalf)) else {
            Issue.record("expected .damaged, got \(String(describing: refusal(Data(firstHalf))))")
            return
        }
        #expect(refusal(Data(firstHalf))?.message.contains("损坏") == true)
        #expect(throws: PhotoError.self) { try JPEG.inspect(Data(firstHalf)) }
    }

    @Test func corruptedScanDataIsRefusedAsDamaged() throws {
        var photo = try PhotoFixture.jpeg(width: 295, height: 413)
        // Overwrite the middle of the entropy-coded data with a restart marker that cannot be there.
        let middle = photo.startIndex + photo.count / 2
        photo.replaceSubrange(middle..<(middle + 64), with: [UInt8](repeating: 0xFF, count: 63) + [0xD3])
        guard case .damaged = refusal(photo) else {
            Issue.record("expected .damaged, got \(String(describing: refusal(photo)))")
            return
        }
    }

    @Test func randomBytesAfterAJPEGSignatureAreRefusedAsDamaged() {
        var generator = PhotoTestRandom(seed: 42)
        let bytes: [UInt8] = [0xFF, 0xD8, 0xFF] + (0..<20_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        guard case .damaged = refusal(Data(bytes)) else {
            Issue.record("expected .damaged, got \(String(describing: refusal(Data(bytes))))")
            return
        }
    }

    // MARK: Refused for size, colour or shape

    @Test func threeMegabyteFileIsRefusedAsTooLarge() throws {
        var data = try PhotoFixture.jpeg(width: 295, height: 413)
        data.append(Data(count: 3 * 1024 * 1024 - data.count))
        let error = refusal(data)
        #expect(error == .fileTooLarge(byteCount: 3 * 1024 * 1024, maximum: 2 * 1024 * 1024))
        #expect(error?.message == "照片文件 3 MB 过大，不能超过 2 MB")
    }

    @Test func tinyFileIsRefusedAsTooSmall() throws {
        let photo = try PhotoFixture.jpeg(width: 150, height: 210, quality: 5)
        let error = refusal(photo)
        #expect(error == .fileTooSmall(byteCount: photo.count, minimum: 4 * 1024))
        #expect(error?.message.hasSuffix("至少 4 KB") == true)
    }

    @Test func smallPhotoIsRefusedWithExpectedMinimum() throws {
        // A looser byte floor so the pixel check, not the byte check, is what refuses it.
        var rule = IDPhotoRule()
        rule.minBytes = 1
        let error = refusal(try PhotoFixture.jpeg(width: 100, height: 140), rule: rule)
        #expect(error == .dimensionsTooSmall(width: 100, height: 140, minWidth: 150, minHeight: 210))
        #expect(error?.message == "照片尺寸 100×140 像素过小，至少 150×210 像素")
    }

    @Test func hugePhotoIsRefusedWithExpectedMaximum() throws {
        let error = refusal(try PhotoFixture.jpeg(width: 1250, height: 1750, quality: 50))
        #expect(error == .dimensionsTooLarge(width: 1250, height: 1750, maxWidth: 1200, maxHeight: 1680))
        #expect(error?.message == "照片尺寸 1250×1750 像素过大，最大 1200×1680 像素")
    }

    @Test func landscapePhotoIsRefused() throws {
        let error = refusal(try PhotoFixture.jpeg(width: 413, height: 295))
        #expect(error == .wrongProportions(width: 413, height: 295))
        #expect(error?.message.hasPrefix("照片比例应接近 5:7（一寸证件照，宽 × 高）") == true)
        #expect(error?.message.contains("横向") == true)
    }

    @Test(arguments: [(400, 400), (295, 500), (250, 413)])
    func wrongProportionsAreRefused(width: Int, height: Int) throws {
        let error = refusal(try PhotoFixture.jpeg(width: width, height: height))
        #expect(error == .wrongProportions(width: width, height: height))
    }

    @Test func oneComponentGrayscaleJPEGIsRefused() throws {
        let photo = try PhotoFixture.jpeg(width: 295, height: 413, quality: 95, subsampling: .grayscale)
        #expect(try JPEG.inspect(photo) == JPEGInfo(width: 295, height: 413, isColour: false))
        let error = refusal(photo)
        #expect(error == .grayscale)
        #expect(error?.message.contains("请上传彩色照片") == true)
    }

    @Test func everyRefusalHasAMessage() {
        let errors: [PhotoError] = [
            .emptyFile, .notJPEG(detectedFormat: nil), .notJPEG(detectedFormat: "PNG"),
            .fileTooSmall(byteCount: 1000, minimum: 4096), .fileTooLarge(byteCount: 2 * 1024 * 1024 + 1, maximum: 2 * 1024 * 1024),
            .damaged(reason: "x"), .unsupportedColourSpace(name: "CMYK"), .grayscale,
            .dimensionsTooSmall(width: 1, height: 1, minWidth: 2, minHeight: 2),
            .dimensionsTooLarge(width: 3, height: 3, maxWidth: 2, maxHeight: 2),
            .wrongProportions(width: 1, height: 1), .tooManyPixelsToDecode(width: 9, height: 9, maxPixelCount: 1),
            .codecFailure(reason: "x"),
        ]
        #expect(Set(errors.map(\.message)).count == errors.count)
        #expect(errors.allSatisfy { !$0.message.isEmpty })
        // Just over the limit must not read as "2 MB 过大，不能超过 2 MB".
        #expect(PhotoError.fileTooLarge(byteCount: 2 * 1024 * 1024 + 1, maximum: 2 * 1024 * 1024).message
                == "照片文件 2.1 MB 过大，不能超过 2 MB")
        #expect(PhotoError.fileTooSmall(byteCount: 1000, minimum: 4096).message == "照片文件 1000 字节 过小，至少 4 KB")
    }

    // MARK: JPEG encode, inspect, thumbnail

    @Test(arguments: JPEGChromaSubsampling.allCases)
    func encodeThenInspectRoundTrips(subsampling: JPEGChromaSubsampling) throws {
        let photo = try PhotoFixture.jpeg(width: 64, height: 48, subsampling: subsampling)
        #expect(Array(photo.prefix(3)) == [0xFF, 0xD8, 0xFF])
        #expect(try JPEG.inspect(photo) == JPEGInfo(width: 64, height: 48, isColour: subsampling != .grayscale))
    }

    @Test func thumbnailFitsTheBoxAndKeepsProportions() throws {
        let photo = try PhotoFixture.jpeg(width: 295, height: 413)
        let thumbnail = try JPEG.thumbnail(photo, maxWidth: 120, maxHeight: 120)
        let info = try JPEG.inspect(thumbnail)
        #expect(info.isColour)
        #expect(info.width <= 120 && info.height <= 120)
        #expect(info.height == 120, "the taller side should fill the box")
        #expect(abs(Double(info.width) / Double(info.height) - 295.0 / 413.0) < 0.01)
        #expect(thumbnail.count < photo.count)
    }

    @Test(arguments: [(60, 1000), (1000, 84), (37, 37), (1, 1)])
    func thumbnailFitsOtherBoxes(maxWidth: Int, maxHeight: Int) throws {
        let photo = try PhotoFixture.jpeg(width: 295, height: 413)
        let info = try JPEG.inspect(try JPEG.thumbnail(photo, maxWidth: maxWidth, maxHeight: maxHeight))
        #expect(info.width <= maxWidth && info.height <= maxHeight)
        #expect(info.width == maxWidth || info.height == maxHeight)
        if info.height > 20 {
            #expect(abs(Double(info.width) / Double(info.height) - 295.0 / 413.0) < 0.02)
        }
    }

    @Test func thumbnailNeverUpscales() throws {
        let photo = try PhotoFixture.jpeg(width: 295, height: 413)
        let info = try JPEG.inspect(try JPEG.thumbnail(photo, maxWidth: 2000, maxHeight: 2000))
        #expect(info == JPEGInfo(width: 295, height: 413, isColour: true))
    }

    @Test func thumbnailOfAGrayscaleJPEGIsAnRGBJPEG() throws {
        let photo = try PhotoFixture.jpeg(width: 295, height: 413, subsampling: .grayscale)
        let info = try JPEG.inspect(try JPEG.thumbnail(photo, maxWidth: 50, maxHeight: 70))
        #expect(info == JPEGInfo(width: 50, height: 70, isColour: true))
    }

    @Test func thumbnailRefusesNonJPEGAndDamagedInput() throws {
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 0, count: 100))
        #expect(throws: PhotoError.notJPEG(detectedFormat: "PNG")) {
            try JPEG.thumbnail(png, maxWidth: 10, maxHeight: 10)
        }
        let photo = try PhotoFixture.jpeg(width: 295, height: 413)
        #expect(throws: PhotoError.self) {
            try JPEG.thumbnail(Data(photo.prefix(photo.count / 2)), maxWidth: 100, maxHeight: 100)
        }
    }

    @Test func scaledDecodeIsChosenWhenItCoversTheTarget() {
        let size = TurboJPEGDecompressor.smallestScaledSize(width: 1200, height: 1680, atLeastWidth: 120, atLeastHeight: 168)
        #expect(size == JPEG.PixelSize(width: 150, height: 210), "1/8 scale still covers 120×168")
        let full = TurboJPEGDecompressor.smallestScaledSize(width: 295, height: 413, atLeastWidth: 295, atLeastHeight: 413)
        #expect(full == JPEG.PixelSize(width: 295, height: 413))
    }

    @Test func boxDownscaleAveragesBlocks() {
        // 2×2 → 1×1: the four pixels average to their mean.
        let pixels: [UInt8] = [0, 0, 0, 100, 100, 100, 200, 200, 200, 100, 100, 100]
        let result = JPEG.boxDownscaleRGB(
            pixels, from: JPEG.PixelSize(width: 2, height: 2), to: JPEG.PixelSize(width: 1, height: 1)
        )
        #expect(result == [100, 100, 100])
    }
}
