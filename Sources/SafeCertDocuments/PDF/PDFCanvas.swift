import CPangoCairo
import Foundation

/// Draws PDF pages in memory: Cairo makes the PDF, Pango lays out (Chinese) text with the
/// Noto CJK fonts from Debian's fonts-noto-cjk, which Cairo subsets and embeds.
///
/// Coordinates are PDF points (1/72 inch) from the top-left corner of the page, y growing
/// downwards. The first page exists from the start; `beginPage()` starts the next one.
/// `finish()` returns the PDF; after it every drawing call does nothing.
///
/// One canvas belongs to one task at a time (it is deliberately not `Sendable`): Cairo and
/// Pango objects must not be used from two threads at once. Separate canvases may be used
/// concurrently. The Pango layout and font descriptions are made once per canvas and reused,
/// so drawing text costs a layout, not a font lookup.
public final class PDFCanvas {
    /// Horizontal placement of text lines inside the `width` given to `text(...)`.
    public enum Alignment: Sendable {
        case left
        case center
        case right
    }

    /// Font families. Both fall back to any sans-serif / serif font with Chinese glyphs when
    /// Noto CJK is missing, so text never disappears, only changes face.
    public enum Font: Sendable {
        /// Noto Sans CJK SC (黑体-like).
        case sans
        /// Noto Serif CJK SC (宋体-like).
        case serif
    }

    /// A4 portrait, in points.
    public static let a4Width = 595.28
    public static let a4Height = 841.89

    public let pageWidth: Double
    public let pageHeight: Double
    /// Pages so far, counting the current one (a blank current page counts, so this starts at 1).
    public private(set) var pageCount = 1

    private let output = PDFOutputBuffer()
    private let surface: OpaquePointer
    private let cairo: OpaquePointer
    private let fontMap: UnsafeMutablePointer<PangoFontMap>
    private let pangoContext: OpaquePointer
    /// Reused for every `text(...)` call; `TextBlock`s get layouts of their own.
    private let layout: OpaquePointer
    /// Attributes every layout gets (see `configure`).
    private let layoutAttributes: OpaquePointer
    private var fontDescriptions: [FontKey: OpaquePointer] = [:]
    private var currentPageIsBlank = true
    private var result: Data?
    /// Recently drawn JPEGs, so a picture repeated on many pages (a logo, a test photo) is
    /// decoded once and embedded in the PDF once: Cairo shares an image drawn from the same surface.
    var jpegCache: [CachedJPEG] = []

    /// - Parameters:
    ///   - pageWidth: in points; A4 portrait by default.
    ///   - pageHeight: in points.
    ///   - title: the PDF's document title (shown by viewers in the window title), if any.
    public init(pageWidth: Double = PDFCanvas.a4Width, pageHeight: Double = PDFCanvas.a4Height, title: String? = nil) {
        // NaN, zero or negative sizes would leave Cairo with an error surface that draws nothing.
        self.pageWidth = pageWidth.isFinite && pageWidth >= 1 ? pageWidth : PDFCanvas.a4Width
        self.pageHeight = pageHeight.isFinite && pageHeight >= 1 ? pageHeight : PDFCanvas.a4Height
        output.bytes.reserveCapacity(64 * 1024)

        // Cairo calls this for every chunk of the PDF as it writes; `closure` is our buffer.
        surface = cairo_pdf_surface_create_for_stream(
            { closure, data, length in
                guard let closure, let data else { return CAIRO_STATUS_SUCCESS }
                let buffer = Unmanaged<PDFOutputBuffer>.fromOpaque(closure).takeUnretainedValue()
                buffer.bytes.append(data, count: Int(length))
                return CAIRO_STATUS_SUCCESS
            },
            Unmanaged.passUnretained(output).toOpaque(),
            self.pageWidth, self.pageHeight
        )
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "SafeCert")
        if let title { cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title) }
        cairo = cairo_create(surface)

        fontMap = PangoFontMapPool.shared.borrow()
        pangoContext = pango_font_map_create_context(fontMap)
        // Takes the PDF surface's font options: no hinting, no metric rounding, so text measures
        // the same at every size and position.
        pango_cairo_update_context(cairo, pangoContext)
        layoutAttributes = pango_attr_list_new()
        // Pango 1.44+ puts a hyphen where it breaks inside a word: an ID or phone number
        // wrapped in a narrow cell would then read as if it contained a "-".
        pango_attr_list_insert(layoutAttributes, pango_attr_insert_hyphens_new(0))
        layout = pango_layout_new(pangoContext)
        configure(layout)
    }

    deinit {
        if result == nil { tearDown() }
    }

    /// Sets the PDF's document title; may be called any time before `finish()`.
    public func setTitle(_ title: String) {
        guard result == nil else { return }
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title)
    }

    /// Starts a new page. Does nothing while the current page is still blank, so callers can
    /// say "this starts on a fresh page" without ever leaving an empty page behind.
    public func beginPage() {
        guard result == nil, !currentPageIsBlank else { return }
        cairo_show_page(cairo)
        pageCount += 1
        currentPageIsBlank = true
    }

    /// Ends the document and returns the PDF bytes. Calling it again returns the same bytes.
    public func finish() -> Data {
        if let result { return result }
        // Shown explicitly so that Cairo's own finish, which only shows a page that has
        // something on it (or the very first one), cannot drop or add a page.
        if !currentPageIsBlank { cairo_show_page(cairo) }
        tearDown()
        let data = output.bytes
        result = data
        return data
    }

    private func tearDown() {
        for entry in jpegCache { cairo_surface_destroy(entry.surface) }
        jpegCache.removeAll()
        for description in fontDescriptions.values { pango_font_description_free(description) }
        fontDescriptions.removeAll()
        g_object_unref(UnsafeMutableRawPointer(layout))
        pango_attr_list_unref(layoutAttributes)
        g_object_unref(UnsafeMutableRawPointer(pangoContext))
        PangoFontMapPool.shared.giveBack(fontMap)
        cairo_destroy(cairo)
        // Finishing the surface writes the fonts, the page tree and the trailer through the stream.
        cairo_surface_finish(surface)
        cairo_surface_destroy(surface)
    }

    // MARK: - Text

    /// Draws `s` wrapped to `width` points (at word boundaries, or anywhere in Chinese text and
    /// in words too long for a line), its first line's top at `y`.
    ///
    /// - Parameters:
    ///   - size: font size in points.
    ///   - gray: 0 is black, 1 white.
    /// - Returns: the height of the text in points (0 for an empty string), so the caller can
    ///   place what follows.
    @discardableResult
    public func text(
        _ s: String, x: Double, y: Double, width: Double, size: Double,
        bold: Bool = false, align: Alignment = .left, font: Font = .sans, gray: Double = 0
    ) -> Double {
        guard result == nil, !s.isEmpty, x.isFinite, y.isFinite else { return 0 }
        let style = TextStyle(size: size, bold: bold, align: align, font: font)
        prepare(layout, text: s, width: width, style: style)
        var logical = PangoRectangle()
        pango_layout_get_extents(layout, nil, &logical)
        setGray(gray)
        cairo_move_to(cairo, x, y)
        pango_cairo_show_layout(cairo, layout)
        currentPageIsBlank = false
        return Double(logical.height) / Double(PANGO_SCALE)
    }

    /// The height `text(...)` would return for the same arguments, without drawing.
    public func textHeight(
        _ s: String, width: Double, size: Double, bold: Bool = false, font: Font = .sans
    ) -> Double {
        guard result == nil, !s.isEmpty else { return 0 }
        prepare(layout, text: s, width: width, style: TextStyle(size: size, bold: bold, align: .left, font: font))
        var logical = PangoRectangle()
        pango_layout_get_extents(layout, nil, &logical)
        return Double(logical.height) / Double(PANGO_SCALE)
    }

    /// Lays `s` out once so that it can be measured line by line and drawn in parts, across
    /// pages (see `FormSheetRenderer`).
    func makeTextBlock(_ s: String, width: Double, style: TextStyle) -> TextBlock {
        guard result == nil, !s.isEmpty else { return TextBlock(layout: nil, lines: []) }
        let blockLayout = pango_layout_new(pangoContext)!
        configure(blockLayout)
        prepare(blockLayout, text: s, width: width, style: style)
        var lines: [TextBlock.Line] = []
        let iterator = pango_layout_get_iter(blockLayout)
        defer { pango_layout_iter_free(iterator) }
        repeat {
            var top: Int32 = 0, bottom: Int32 = 0
            pango_layout_iter_get_line_yrange(iterator, &top, &bottom)
            lines.append(TextBlock.Line(top: Double(top) / Double(PANGO_SCALE), bottom: Double(bottom) / Double(PANGO_SCALE)))
        } while pango_layout_iter_next_line(iterator) != 0
        return TextBlock(layout: blockLayout, lines: lines)
    }

    /// Draws the lines `lines` of `block`, the first of them with its top at `y`.
    func draw(_ block: TextBlock, x: Double, y: Double, lines: Range<Int>, gray: Double = 0) {
        guard result == nil, let blockLayout = block.layout, !lines.isEmpty,
              lines.lowerBound >= 0, lines.upperBound <= block.lines.count else { return }
        setGray(gray)
        currentPageIsBlank = false
        if lines == 0..<block.lines.count {
            cairo_move_to(cairo, x, y)
            pango_cairo_show_layout(cairo, blockLayout)
            return
        }
        let origin = block.lines[lines.lowerBound].top
        let iterator = pango_layout_get_iter(blockLayout)
        defer { pango_layout_iter_free(iterator) }
        var index = 0
        repeat {
            if lines.contains(index) {
                var logical = PangoRectangle()
                pango_layout_iter_get_line_extents(iterator, nil, &logical)
                let baseline = Double(pango_layout_iter_get_baseline(iterator)) / Double(PANGO_SCALE)
                // Line extents are in layout coordinates, so x already includes the alignment.
                cairo_move_to(cairo, x + Double(logical.x) / Double(PANGO_SCALE), y + baseline - origin)
                pango_cairo_show_layout_line(cairo, pango_layout_iter_get_line_readonly(iterator))
            }
            index += 1
        } while index < lines.upperBound && pango_layout_iter_next_line(iterator) != 0
    }

    private func configure(_ layout: OpaquePointer) {
        // WORD_CHAR: break between words, but inside a word (an ID number, a URL) rather than overflow.
        pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR)
        pango_layout_set_attributes(layout, layoutAttributes)
    }

    private func prepare(_ layout: OpaquePointer, text: String, width: Double, style: TextStyle) {
        pango_layout_set_font_description(layout, fontDescription(for: style))
        // Pango counts in 1/1024 points in an Int32; 0 or less (or absurd widths) means "do not wrap".
        let scaledWidth = width * Double(PANGO_SCALE)
        pango_layout_set_width(layout, scaledWidth >= 1 && scaledWidth < Double(Int32.max) ? Int32(scaledWidth) : -1)
        pango_layout_set_alignment(layout, style.align.pangoValue)
        let cleaned = Self.printable(text)
        cleaned.withCString { pango_layout_set_text(layout, $0, -1) }
    }

    /// Control characters other than line breaks and tabs would show as hex boxes; NUL would
    /// cut the C string short. They are dropped, CR LF becomes one line break.
    static func printable(_ text: String) -> String {
        let needsCleaning = text.unicodeScalars.contains { scalar in
            (scalar.value < 0x20 && scalar != "\n" && scalar != "\t") || scalar.value == 0x7F
        }
        guard needsCleaning else { return text }
        var cleaned = String.UnicodeScalarView()
        var previous: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            defer { previous = scalar }
            if scalar == "\r" {
                cleaned.append("\n")
            } else if scalar == "\n" {
                if previous != "\r" { cleaned.append(scalar) }
            } else if (scalar.value >= 0x20 && scalar.value != 0x7F) || scalar == "\t" {
                cleaned.append(scalar)
            }
        }
        return String(cleaned)
    }

    private func fontDescription(for style: TextStyle) -> OpaquePointer {
        let key = FontKey(font: style.font, bold: style.bold)
        let description: OpaquePointer
        if let existing = fontDescriptions[key] {
            description = existing
        } else {
            description = pango_font_description_new()
            // A comma-separated family list: Pango takes the first family that has the font.
            pango_font_description_set_family(
                description,
                style.font == .sans
                    ? "Noto Sans CJK SC,Noto Sans SC,Source Han Sans SC,WenQuanYi Micro Hei,sans-serif"
                    : "Noto Serif CJK SC,Noto Serif SC,Source Han Serif SC,AR PL UMing CN,serif"
            )
            pango_font_description_set_weight(description, style.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL)
            fontDescriptions[key] = description
        }
        // Absolute size: in user-space units, which are points here (a plain size would assume 96 dpi).
        let size = style.size.isFinite ? min(max(style.size, 1), 1000) : 12
        pango_font_description_set_absolute_size(description, size * Double(PANGO_SCALE))
        return description
    }

    // MARK: - Lines and rectangles

    /// A straight line `lineWidth` points wide.
    public func line(x1: Double, y1: Double, x2: Double, y2: Double, lineWidth: Double = 0.75, gray: Double = 0) {
        guard result == nil, x1.isFinite, y1.isFinite, x2.isFinite, y2.isFinite else { return }
        cairo_set_line_width(cairo, lineWidth)
        setGray(gray)
        cairo_move_to(cairo, x1, y1)
        cairo_line_to(cairo, x2, y2)
        cairo_stroke(cairo)
        currentPageIsBlank = false
    }

    /// A rectangle, filled with `fill` (0 black … 1 white) if given, then outlined in black if `stroke`.
    public func rect(
        x: Double, y: Double, width: Double, height: Double,
        stroke: Bool = true, fill gray: Double? = nil, lineWidth: Double = 0.75
    ) {
        guard result == nil, x.isFinite, y.isFinite, width.isFinite, height.isFinite else { return }
        if let gray {
            setGray(gray)
            cairo_rectangle(cairo, x, y, width, height)
            cairo_fill(cairo)
        }
        if stroke {
            cairo_set_line_width(cairo, lineWidth)
            setGray(0)
            cairo_rectangle(cairo, x, y, width, height)
            cairo_stroke(cairo)
        }
        currentPageIsBlank = currentPageIsBlank && !stroke && gray == nil
    }

    private func setGray(_ gray: Double) {
        let level = gray.isFinite ? min(max(gray, 0), 1) : 0
        cairo_set_source_rgb(cairo, level, level, level)
    }

    // MARK: - Images (see PDFCanvas+Images.swift)

    /// Paints `imageSurface` (`surfaceWidth × surfaceHeight` pixels) stretched over the box.
    func paint(
        _ imageSurface: OpaquePointer, surfaceWidth: Int, surfaceHeight: Int,
        x: Double, y: Double, width: Double, height: Double, smooth: Bool
    ) {
        cairo_save(cairo)
        cairo_translate(cairo, x, y)
        cairo_scale(cairo, width / Double(surfaceWidth), height / Double(surfaceHeight))
        cairo_set_source_surface(cairo, imageSurface, 0, 0)
        // NEAREST becomes /Interpolate false: QR modules and other pixel art stay sharp.
        cairo_pattern_set_filter(cairo_get_source(cairo), smooth ? CAIRO_FILTER_GOOD : CAIRO_FILTER_NEAREST)
        cairo_paint(cairo)
        cairo_restore(cairo)
        currentPageIsBlank = false
    }

    var isFinished: Bool { result != nil }
}

// MARK: - Supporting types

/// Everything about text but the text and its width.
struct TextStyle: Hashable, Sendable {
    var size: Double
    var bold: Bool = false
    var align: PDFCanvas.Alignment = .left
    var font: PDFCanvas.Font = .sans
}

private struct FontKey: Hashable {
    let font: PDFCanvas.Font
    let bold: Bool
}

extension PDFCanvas.Alignment {
    fileprivate var pangoValue: PangoAlignment {
        switch self {
        case .left: PANGO_ALIGN_LEFT
        case .center: PANGO_ALIGN_CENTER
        case .right: PANGO_ALIGN_RIGHT
        }
    }
}

/// Text laid out once with its own Pango layout, measured line by line so it can be drawn in
/// parts. Belongs to the canvas that made it and must not outlive it.
final class TextBlock {
    struct Line {
        /// From the top of the block, in points.
        let top: Double
        let bottom: Double
    }

    fileprivate let layout: OpaquePointer?
    let lines: [Line]

    fileprivate init(layout: OpaquePointer?, lines: [Line]) {
        self.layout = layout
        self.lines = lines
    }

    deinit {
        if let layout { g_object_unref(UnsafeMutableRawPointer(layout)) }
    }

    var height: Double { lines.last?.bottom ?? 0 }

    /// Height of the lines from `start` to the end.
    func height(from start: Int) -> Double {
        start < lines.count ? lines[lines.count - 1].bottom - lines[start].top : 0
    }

    /// How many lines from `start` fit in `available` points (possibly 0).
    func lineCount(from start: Int, fitting available: Double) -> Int {
        guard start < lines.count else { return 0 }
        let origin = lines[start].top
        var count = 0
        // A hair of tolerance so rounding in Pango units never pushes the last line out.
        while start + count < lines.count, lines[start + count].bottom - origin <= available + 0.01 {
            count += 1
        }
        return count
    }
}

/// Where Cairo's stream writer puts the PDF.
private final class PDFOutputBuffer {
    var bytes = Data()
}

/// Pango font maps are not thread-safe, and Pango's default font map is per thread, which does
/// not fit Swift tasks that can resume on another thread. So each canvas borrows a font map for
/// its lifetime: never shared by two canvases at once, yet reused, so the fonts it has loaded
/// (and fontconfig's matching) stay warm from one PDF to the next.
final class PangoFontMapPool: @unchecked Sendable {
    static let shared = PangoFontMapPool()

    private let lock = NSLock()
    private var idle: [UnsafeMutablePointer<PangoFontMap>] = []
    /// More idle maps than this are released; only a burst of concurrent PDFs makes more.
    private let maxIdle = 8

    func borrow() -> UnsafeMutablePointer<PangoFontMap> {
        if let fontMap = lock.withLock({ idle.popLast() }) { return fontMap }
        return pango_cairo_font_map_new()
    }

    func giveBack(_ fontMap: UnsafeMutablePointer<PangoFontMap>) {
        let kept = lock.withLock {
            guard idle.count < maxIdle else { return false }
            idle.append(fontMap)
            return true
        }
        if !kept { g_object_unref(UnsafeMutableRawPointer(fontMap)) }
    }
}
