import CPangoCairo
import Foundation

/// PNG files written by Cairo (its libpng writer), for the images SafeCert draws itself:
/// captchas and QR codes.
enum CairoPNG {
    /// The PNG bytes of an image surface, or nil when Cairo reports an error (out of memory).
    static func bytes(of surface: OpaquePointer?) -> [UInt8]? {
        guard let surface, cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else { return nil }
        cairo_surface_flush(surface)
        let sink = PNGSink()
        let status = cairo_surface_write_to_png_stream(
            surface,
            { closure, data, length in
                guard let closure, let data else { return CAIRO_STATUS_SUCCESS }
                let sink = Unmanaged<PNGSink>.fromOpaque(closure).takeUnretainedValue()
                sink.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
                return CAIRO_STATUS_SUCCESS
            },
            Unmanaged.passUnretained(sink).toOpaque()
        )
        guard status == CAIRO_STATUS_SUCCESS else { return nil }
        return sink.bytes
    }
}

/// Where Cairo's stream writer puts the PNG.
private final class PNGSink {
    var bytes: [UInt8] = []
}
