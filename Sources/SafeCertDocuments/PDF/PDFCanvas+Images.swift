import CPangoCairo
import CTurboJPEG
import Foundation

extension PDFCanvas {
    /// A JPEG decoded for Cairo, kept while it may be drawn again.
    struct CachedJPEG {
        let data: Data
        let surface: OpaquePointer
        let surfaceWidth: Int
        let surfaceHeight: Int
        /// The JPEG's real size, for its proportions (the surface may be rounded).
        let imageWidth: Int
        let imageHeight: Int
    }

    private static let jpegCacheLimit = 8

    /// Places a JPEG inside the box, as large as fits with its proportions kept, centred.
    ///
    /// The JPEG's own bytes go into the PDF (no re-encoding, no quality loss, no size growth),
    /// so pass an already reasonably sized photo (`JPEG.thumbnail`). The file is still decoded
    /// completely, at 1/8 scale, which proves it is intact before a PDF viewer has to cope with it.
    ///
    /// - Returns: `false`, drawing nothing, if `data` is not a JPEG this can read (damaged,
    ///   truncated, CMYK, absurdly large).
    @discardableResult
    public func jpeg(_ data: Data, x: Double, y: Double, width: Double, height: Double) -> Bool {
        guard !isFinished, let box = Self.usableBox(x: x, y: y, width: width, height: height) else { return false }
        let entry: CachedJPEG
        if let cached = jpegCache.first(where: { $0.data.count == data.count && $0.data == data }) {
            entry = cached
        } else {
            guard let made = Self.makeJPEGSurface(data) else { return false }
            if jpegCache.count >= Self.jpegCacheLimit {
                cairo_surface_destroy(jpegCache.removeFirst().surface)
            }
            jpegCache.append(made)
            entry = made
        }
        let fitted = Self.fit(imageWidth: entry.imageWidth, imageHeight: entry.imageHeight, in: box)
        paint(
            entry.surface, surfaceWidth: entry.surfaceWidth, surfaceHeight: entry.surfaceHeight,
            x: fitted.x, y: fitted.y, width: fitted.width, height: fitted.height, smooth: true
        )
        return true
    }

    /// Places an 8-bit grayscale bitmap (`pixelWidth * pixelHeight` bytes, row-major, 0 black)
    /// inside the box, proportions kept, centred. `smooth: false` (the default) keeps pixel
    /// edges sharp when scaled up, as a QR code needs. Wrong-sized buffers draw nothing.
    public func image(
        gray pixels: [UInt8], pixelWidth: Int, pixelHeight: Int,
        x: Double, y: Double, width: Double, height: Double, smooth: Bool = false
    ) {
        drawBitmap(pixels, bytesPerPixel: 1, pixelWidth: pixelWidth, pixelHeight: pixelHeight, x: x, y: y, width: width, height: height, smooth: smooth)
    }

    /// Places an 8-bit RGB bitmap (`pixelWidth * pixelHeight * 3` bytes, row-major) inside the
    /// box, proportions kept, centred. Wrong-sized buffers draw nothing.
    public func image(
        rgb pixels: [UInt8], pixelWidth: Int, pixelHeight: Int,
        x: Double, y: Double, width: Double, height: Double, smooth: Bool = true
    ) {
        drawBitmap(pixels, bytesPerPixel: 3, pixelWidth: pixelWidth, pixelHeight: pixelHeight, x: x, y: y, width: width, height: height, smooth: smooth)
    }

    private func drawBitmap(
        _ pixels: [UInt8], bytesPerPixel: Int, pixelWidth: Int, pixelHeight: Int,
        x: Double, y: Double, width: Double, height: Double, smooth: Bool
    ) {
        guard !isFinished, pixelWidth > 0, pixelHeight > 0, pixelWidth <= 32_767, pixelHeight <= 32_767,
              pixels.count == pixelWidth * pixelHeight * bytesPerPixel,
              let box = Self.usableBox(x: x, y: y, width: width, height: height),
              let bitmap = Self.makeRGB24Surface(width: pixelWidth, height: pixelHeight, bytesPerPixel: bytesPerPixel, pixels: pixels)
        else { return }
        defer { cairo_surface_destroy(bitmap) }
        let fitted = Self.fit(imageWidth: pixelWidth, imageHeight: pixelHeight, in: box)
        paint(bitmap, surfaceWidth: pixelWidth, surfaceHeight: pixelHeight, x: fitted.x, y: fitted.y, width: fitted.width, height: fitted.height, smooth: smooth)
    }

    // MARK: - Helpers

    struct Box {
        let x, y, width, height: Double
    }

    static func usableBox(x: Double, y: Double, width: Double, height: Double) -> Box? {
        guard x.isFinite, y.isFinite, width.isFinite, height.isFinite, width > 0, height > 0 else { return nil }
        return Box(x: x, y: y, width: width, height: height)
    }

    /// The largest box with the image's proportions inside `box`, centred in it.
    static func fit(imageWidth: Int, imageHeight: Int, in box: Box) -> Box {
        let scale = min(box.width / Double(imageWidth), box.height / Double(imageHeight))
        let width = Double(imageWidth) * scale, height = Double(imageHeight) * scale
        return Box(x: box.x + (box.width - width) / 2, y: box.y + (box.height - height) / 2, width: width, height: height)
    }

    /// Decodes at TurboJPEG's smallest scale (1/8) for Cairo's pixels, and attaches the
    /// original bytes as the surface's JPEG MIME data, which Cairo's PDF backend embeds as-is
    /// (a DCTDecode image of the JPEG's full size) instead of the pixels.
    private static func makeJPEGSurface(_ data: Data) -> CachedJPEG? {
        do throws(PhotoError) {
            try JPEG.requireJPEGSignature(data)
            let decompressor = try TurboJPEGDecompressor()
            let info = try decompressor.readHeader(data)
            try JPEG.requireDecodable(info)
            let size = TurboJPEGDecompressor.smallestScaledSize(width: info.width, height: info.height, atLeastWidth: 1, atLeastHeight: 1)
            let pixels = try decompressor.decode(
                data, width: size.width, height: size.height, format: info.isColour ? .rgb : .gray,
                flags: TurboJPEGDecompressor.strictFlags | TJFLAG_FASTDCT | TJFLAG_FASTUPSAMPLE
            )
            guard let imageSurface = makeRGB24Surface(width: size.width, height: size.height, bytesPerPixel: info.isColour ? 3 : 1, pixels: pixels) else {
                return nil
            }
            // Cairo keeps the pointer until the surface dies, then calls `free` on it.
            guard let copy = malloc(data.count)?.assumingMemoryBound(to: UInt8.self) else {
                cairo_surface_destroy(imageSurface)
                return nil
            }
            data.copyBytes(to: copy, count: data.count)
            let status = cairo_surface_set_mime_data(
                imageSurface, CAIRO_MIME_TYPE_JPEG, copy, UInt(data.count), { free($0) }, copy
            )
            guard status == CAIRO_STATUS_SUCCESS else {
                free(copy)
                cairo_surface_destroy(imageSurface)
                return nil
            }
            return CachedJPEG(
                data: data, surface: imageSurface, surfaceWidth: size.width, surfaceHeight: size.height,
                imageWidth: info.width, imageHeight: info.height
            )
        } catch {
            return nil
        }
    }

    /// An opaque Cairo image from gray (1 byte) or RGB (3 bytes) pixels. Cairo's RGB24 is one
    /// native-endian 32-bit word per pixel, 0x00RRGGBB.
    private static func makeRGB24Surface(width: Int, height: Int, bytesPerPixel: Int, pixels: [UInt8]) -> OpaquePointer? {
        guard let imageSurface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(width), Int32(height)) else { return nil }
        guard cairo_surface_status(imageSurface) == CAIRO_STATUS_SUCCESS,
              let base = cairo_image_surface_get_data(imageSurface) else {
            cairo_surface_destroy(imageSurface)
            return nil
        }
        let stride = Int(cairo_image_surface_get_stride(imageSurface))
        cairo_surface_flush(imageSurface)
        pixels.withUnsafeBufferPointer { source in
            for row in 0..<height {
                let destination = UnsafeMutableRawPointer(base + row * stride).assumingMemoryBound(to: UInt32.self)
                var offset = row * width * bytesPerPixel
                for column in 0..<width {
                    let red, green, blue: UInt32
                    if bytesPerPixel == 1 {
                        red = UInt32(source[offset]); green = red; blue = red
                    } else {
                        red = UInt32(source[offset]); green = UInt32(source[offset + 1]); blue = UInt32(source[offset + 2])
                    }
                    destination[column] = 0xFF00_0000 | red << 16 | green << 8 | blue
                    offset += bytesPerPixel
                }
            }
        }
        cairo_surface_mark_dirty(imageSurface)
        return imageSurface
    }
}
