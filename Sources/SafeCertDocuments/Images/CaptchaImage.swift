import CPangoCairo
import Foundation

/// Renders captcha challenges as small colour PNG images, drawn with Cairo and Pango.
///
/// Each character is laid out by Pango in a bold CJK-capable font (Noto Sans CJK, so any
/// character the caller picks can be drawn), then rotated, scaled and shifted at random and
/// filled in a dark colour. A light gradient with speckles behind, interference curves under
/// and over the text and dots on top keep it from being trivially machine-readable while a
/// person still reads it at a glance. Cairo writes the PNG. All randomness comes from `rng`,
/// so a seeded generator gives byte-identical images.
public enum CaptchaImage {
    /// The image is clamped to this many pixels per side (the login page uses 120×40).
    static let maximumSide = 1_000

    /// Renders `text` (meant to be four digits; a control or space character is drawn as `?`) as an RGB PNG.
    public static func png<R: RandomNumberGenerator>(
        text: String,
        using rng: inout R,
        width: Int = 120,
        height: Int = 40
    ) -> [UInt8] {
        let image = CaptchaSurface(text: text, using: &rng, width: width, height: height)
        return image.map { CairoPNG.bytes(of: $0.surface) ?? [] } ?? []
    }

    /// The row-major RGB pixels behind `png(text:using:width:height:)` (for tests).
    static func renderRGB<R: RandomNumberGenerator>(
        text: String,
        using rng: inout R,
        width: Int,
        height: Int
    ) -> [UInt8] {
        CaptchaSurface(text: text, using: &rng, width: width, height: height)?.rgbPixels() ?? []
    }

    /// The characters drawn for `text`: control characters and spaces become `?`, as do all of
    /// them past the eighth (a captcha is short).
    static func glyphs(for text: String) -> [String] {
        text.prefix(8).map { character in
            character.unicodeScalars.allSatisfy({ !$0.properties.isWhitespace && $0.properties.generalCategory != .control })
                ? String(character) : "?"
        }
    }
}

/// One captcha drawn on a Cairo RGB image surface.
private final class CaptchaSurface {
    let surface: OpaquePointer
    let width: Int
    let height: Int

    init?<R: RandomNumberGenerator>(text: String, using rng: inout R, width: Int, height: Int) {
        self.width = min(max(width, 1), CaptchaImage.maximumSide)
        self.height = min(max(height, 1), CaptchaImage.maximumSide)
        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(self.width), Int32(self.height)) else { return nil }
        self.surface = surface
        guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS, let cairo = cairo_create(surface) else { return nil }
        defer { cairo_destroy(cairo) }
        let painter = CaptchaPainter(cairo: cairo, width: Double(self.width), height: Double(self.height))
        painter.background(using: &rng)
        // Interference under the text may be bold; the curve over it stays thin and translucent
        // so it never hides a stroke.
        for _ in 0..<Int.random(in: 2...3, using: &rng) {
            painter.curve(lineWidth: Double.random(in: 1.0...1.8, using: &rng), channels: 110...185, alpha: 0.9, using: &rng)
        }
        painter.text(CaptchaImage.glyphs(for: text), using: &rng)
        painter.curve(lineWidth: 1, channels: 70...150, alpha: 0.6, using: &rng)
        painter.dots(count: self.width * self.height / 70, radius: 0.5...1.0, alpha: 0.5, using: &rng)
    }

    deinit { cairo_surface_destroy(surface) }

    /// The surface as RGB bytes (Cairo keeps RGB24 as one native-endian 0x00RRGGBB word a pixel).
    func rgbPixels() -> [UInt8] {
        cairo_surface_flush(surface)
        guard let data = cairo_image_surface_get_data(surface) else { return [] }
        let stride = Int(cairo_image_surface_get_stride(surface))
        var pixels: [UInt8] = []
        pixels.reserveCapacity(width * height * 3)
        for y in 0..<height {
            let row = UnsafeRawPointer(data + y * stride)
            for x in 0..<width {
                let word = row.loadUnaligned(fromByteOffset: x * 4, as: UInt32.self)
                pixels += [UInt8(truncatingIfNeeded: word >> 16), UInt8(truncatingIfNeeded: word >> 8), UInt8(truncatingIfNeeded: word)]
            }
        }
        return pixels
    }
}

/// The layers of a captcha, drawn through one Cairo context.
private struct CaptchaPainter {
    let cairo: OpaquePointer
    let width: Double
    let height: Double

    /// A light vertical gradient, broken up by many faint speckles.
    func background<R: RandomNumberGenerator>(using rng: inout R) {
        let top = randomColor(channels: 232...250, using: &rng)
        let bottom = randomColor(channels: 222...246, using: &rng)
        let gradient = cairo_pattern_create_linear(0, 0, 0, height)
        cairo_pattern_add_color_stop_rgb(gradient, 0, top.red, top.green, top.blue)
        cairo_pattern_add_color_stop_rgb(gradient, 1, bottom.red, bottom.green, bottom.blue)
        cairo_set_source(cairo, gradient)
        cairo_paint(cairo)
        cairo_pattern_destroy(gradient)
        dots(count: Int(width * height) / 10, radius: 0.4...0.8, alpha: 0.7, using: &rng)
    }

    /// Small round dots in random light-to-mid colours: a handful of colours, each filled as one
    /// path, so hundreds of dots cost a few fills.
    func dots<R: RandomNumberGenerator>(count: Int, radius: ClosedRange<Double>, alpha: Double, using rng: inout R) {
        let colours = 6
        for colour in 0..<colours {
            let color = randomColor(channels: 120...215, using: &rng)
            for _ in stride(from: colour, to: count, by: colours) {
                let x = Double.random(in: 0..<width, using: &rng), y = Double.random(in: 0..<height, using: &rng)
                let r = Double.random(in: radius, using: &rng)
                cairo_new_sub_path(cairo)
                cairo_arc(cairo, x, y, r, 0, 2 * Double.pi)
            }
            cairo_set_source_rgba(cairo, color.red, color.green, color.blue, alpha)
            cairo_fill(cairo)
        }
    }

    /// A wavy Bézier curve running across the whole image.
    func curve<R: RandomNumberGenerator>(lineWidth: Double, channels: ClosedRange<Int>, alpha: Double, using rng: inout R) {
        let color = randomColor(channels: channels, using: &rng)
        func y() -> Double { Double.random(in: (height * 0.1)...(height * 0.9), using: &rng) }
        cairo_move_to(cairo, -2, y())
        cairo_curve_to(cairo, width * Double.random(in: 0.2...0.4, using: &rng), y() * 1.6 - height * 0.3,
                       width * Double.random(in: 0.6...0.8, using: &rng), y() * 1.6 - height * 0.3, width + 2, y())
        cairo_set_source_rgba(cairo, color.red, color.green, color.blue, alpha)
        cairo_set_line_width(cairo, lineWidth)
        cairo_stroke(cairo)
    }

    /// Each character in its own cell, rotated, scaled and shifted at random.
    func text<R: RandomNumberGenerator>(_ glyphs: [String], using rng: inout R) {
        guard !glyphs.isEmpty else { return }
        let fontMap = PangoFontMapPool.shared.borrow()
        defer { PangoFontMapPool.shared.giveBack(fontMap) }
        let context = pango_font_map_create_context(fontMap)
        defer { g_object_unref(UnsafeMutableRawPointer(context)) }
        pango_cairo_update_context(cairo, context)
        let layout = pango_layout_new(context)
        defer { g_object_unref(UnsafeMutableRawPointer(layout)) }
        let font = pango_font_description_new()
        defer { pango_font_description_free(font) }
        pango_font_description_set_family(font, "Noto Sans CJK SC,Noto Sans SC,WenQuanYi Micro Hei,sans-serif")
        pango_font_description_set_weight(font, PANGO_WEIGHT_BOLD)

        let margin = width * 0.08
        let cellWidth = (width - 2 * margin) / Double(glyphs.count)
        // About 75 % of the image high, unless the cells are too narrow for that.
        // One whole-pixel font size per image size, so Pango's font cache serves every captcha
        // (a new size per glyph would load the font each time); glyphs vary by scaling instead.
        let baseSize = max(min(height * 0.75, cellWidth * 1.25), 1).rounded()
        pango_font_description_set_absolute_size(font, baseSize * Double(PANGO_SCALE))
        pango_layout_set_font_description(layout, font)
        for (index, glyph) in glyphs.enumerated() {
            let scale = Double.random(in: 0.9...1.08, using: &rng)
            pango_layout_set_text(layout, glyph, -1)
            var ink = PangoRectangle()
            var logical = PangoRectangle()
            pango_layout_get_extents(layout, &ink, &logical)
            let inkWidth = Double(ink.width) / Double(PANGO_SCALE)
            let inkHeight = Double(ink.height) / Double(PANGO_SCALE) * scale
            let verticalRoom = max(0, (height - inkHeight) / 2 * 0.7)
            let centerX = margin + cellWidth * (Double(index) + 0.5) + Double.random(in: -0.12...0.12, using: &rng) * cellWidth
            let centerY = height / 2 + Double.random(in: -verticalRoom...verticalRoom, using: &rng)
            let color = randomColor(channels: 10...110, using: &rng)

            cairo_save(cairo)
            cairo_translate(cairo, centerX, centerY)
            cairo_rotate(cairo, Double.random(in: -0.35...0.35, using: &rng))
            cairo_scale(cairo, scale, scale)
            // A slant (shear) and a squeeze, different for every character.
            var shear = cairo_matrix_t()
            cairo_matrix_init(&shear, Double.random(in: 0.85...1.1, using: &rng), 0,
                              Double.random(in: -0.25...0.25, using: &rng), 1, 0, 0)
            cairo_transform(cairo, &shear)
            // Centre the glyph's ink (not its line box) on the origin.
            cairo_move_to(cairo, -(Double(ink.x) / Double(PANGO_SCALE) + inkWidth / 2),
                          -(Double(ink.y) + Double(ink.height) / 2) / Double(PANGO_SCALE))
            pango_cairo_layout_path(cairo, layout)
            cairo_set_source_rgb(cairo, color.red, color.green, color.blue)
            cairo_fill(cairo)
            cairo_restore(cairo)
        }
    }

    private func randomColor<R: RandomNumberGenerator>(channels: ClosedRange<Int>, using rng: inout R) -> (red: Double, green: Double, blue: Double) {
        (Double(Int.random(in: channels, using: &rng)) / 255,
         Double(Int.random(in: channels, using: &rng)) / 255,
         Double(Int.random(in: channels, using: &rng)) / 255)
    }
}
