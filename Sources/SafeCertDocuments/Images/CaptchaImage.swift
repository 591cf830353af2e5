import Foundation

/// Renders numeric captcha challenges as small colour PNG images.
///
/// Each digit comes from an embedded 7×11 bitmap font, smoothed by bilinear sampling and
/// anti-aliased by supersampling, then scaled, rotated, slanted and shifted at random. Speckle noise
/// and interference curves keep the text from being trivially machine-readable while a person
/// still reads it at a glance. All randomness comes from `rng`, so a seeded generator gives
/// byte-identical images.
public enum CaptchaImage {
    /// Renders `text` (meant to be four digits `0`–`9`; any other character is drawn as `?`) as an RGB PNG.
    public static func png<R: RandomNumberGenerator>(
        text: String,
        using rng: inout R,
        width: Int = 120,
        height: Int = 40
    ) -> [UInt8] {
        let pixels = renderRGB(text: text, using: &rng, width: width, height: height)
        return PNGEncoder.encodeRGB(width: width, height: height, pixels: pixels)
    }

    /// The raw row-major RGB pixels behind `png(text:using:width:height:)`.
    static func renderRGB<R: RandomNumberGenerator>(
        text: String,
        using rng: inout R,
        width: Int,
        height: Int
    ) -> [UInt8] {
        precondition(width > 0 && height > 0, "captcha dimensions must be positive")
        var canvas = Canvas(width: width, height: height)

        paintBackground(on: &canvas, using: &rng)
        // Interference under the digits may be bold; the single curve drawn over them stays thin
        // and translucent so it never hides a stroke.
        let curvesBehind = Int.random(in: 2...3, using: &rng)
        for _ in 0..<curvesBehind {
            let color = randomColor(channels: 110...185, using: &rng)
            let halfWidth = Double.random(in: 0.5...0.9, using: &rng)
            canvas.stroke(randomCurve(width: width, height: height, using: &rng),
                          halfWidth: halfWidth, color: color, opacity: 0.9)
        }

        drawDigits(text: text, on: &canvas, using: &rng)

        let overColor = randomColor(channels: 70...150, using: &rng)
        canvas.stroke(randomCurve(width: width, height: height, using: &rng),
                      halfWidth: 0.5, color: overColor, opacity: 0.6)
        sprinkleSpeckles(on: &canvas, count: width * height / 70, opacity: 0.5, using: &rng)
        return canvas.pixels
    }

    // MARK: - Layers

    private static func paintBackground<R: RandomNumberGenerator>(on canvas: inout Canvas, using rng: inout R) {
        let top = randomColor(channels: 232...250, using: &rng)
        let bottom = randomColor(channels: 222...246, using: &rng)
        for y in 0..<canvas.height {
            let t = canvas.height > 1 ? Double(y) / Double(canvas.height - 1) : 0
            let rowColor = top.mixed(with: bottom, amount: t)
            for x in 0..<canvas.width {
                // Grey jitter keeps the background light while breaking up flat regions.
                let jitter = Double(Int.random(in: -10...10, using: &rng))
                canvas.set(x: x, y: y, to: RGBColor(red: rowColor.red + jitter,
                                                    green: rowColor.green + jitter,
                                                    blue: rowColor.blue + jitter))
            }
        }
        sprinkleSpeckles(on: &canvas, count: canvas.width * canvas.height / 10, opacity: 0.7, using: &rng)
    }

    private static func sprinkleSpeckles<R: RandomNumberGenerator>(
        on canvas: inout Canvas, count: Int, opacity: Double, using rng: inout R
    ) {
        for _ in 0..<count {
            let x = Int.random(in: 0..<canvas.width, using: &rng)
            let y = Int.random(in: 0..<canvas.height, using: &rng)
            let color = randomColor(channels: 120...215, using: &rng)
            canvas.blend(x: x, y: y, color: color, alpha: opacity)
        }
    }

    /// A wavy line or a wide circular arc running across the image, as a polyline.
    private static func randomCurve<R: RandomNumberGenerator>(width: Int, height: Int, using rng: inout R) -> [Point] {
        let w = Double(width)
        let h = Double(height)
        var points: [Point] = []
        if Bool.random(using: &rng) {
            let baseline = Double.random(in: (h * 0.25)...(h * 0.75), using: &rng)
            let amplitude = Double.random(in: (h * 0.08)...(h * 0.28), using: &rng)
            let cycles = Double.random(in: 0.4...1.6, using: &rng)
            let phase = Double.random(in: 0...(2 * Double.pi), using: &rng)
            let slope = Double.random(in: -0.15...0.15, using: &rng) * h / w
            var x = -2.0
            while x <= w + 2 {
                let y = baseline + slope * (x - w / 2) + amplitude * sin(2 * Double.pi * cycles * x / w + phase)
                points.append(Point(x: x, y: y))
                x += 1.5
            }
        } else {
            // A large circle whose centre sits above or below the image shows up as a gentle arc.
            let radius = Double.random(in: (w * 0.6)...(w * 1.4), using: &rng)
            let centerX = Double.random(in: (w * 0.2)...(w * 0.8), using: &rng)
            let below = Bool.random(using: &rng)
            let reach = Double.random(in: (h * 0.3)...(h * 0.8), using: &rng)
            let centerY = below ? h + radius - reach : -radius + reach
            let step = 1.5 / radius
            var angle = 0.0
            while angle <= 2 * Double.pi {
                let point = Point(x: centerX + radius * cos(angle), y: centerY + radius * sin(angle))
                if point.x >= -2, point.x <= w + 2, point.y >= -2, point.y <= h + 2 { points.append(point) }
                angle += step
            }
            // Keep points in drawing order along the visible part of the circle.
            points.sort { $0.x < $1.x }
        }
        return points
    }

    private static func drawDigits<R: RandomNumberGenerator>(text: String, on canvas: inout Canvas, using rng: inout R) {
        let glyphs = text.map { DigitFont.glyph(for: $0) }
        guard !glyphs.isEmpty else { return }

        let width = Double(canvas.width)
        let height = Double(canvas.height)
        let margin = width * 0.08
        let cellWidth = (width - 2 * margin) / Double(glyphs.count)
        // Fit the glyph height to ~68% of the image, unless the cells are too narrow for that.
        let baseScale = min(height * 0.68 / Double(DigitFont.rows), cellWidth * 0.8 / Double(DigitFont.columns))

        for (index, glyph) in glyphs.enumerated() {
            let scale = baseScale * Double.random(in: 0.92...1.05, using: &rng)
            let glyphHeight = Double(DigitFont.rows) * scale
            let verticalRoom = max(0, (height - glyphHeight) / 2 * 0.75)
            let center = Point(
                x: margin + cellWidth * (Double(index) + 0.5) + Double.random(in: -0.12...0.12, using: &rng) * cellWidth,
                y: height / 2 + Double.random(in: -verticalRoom...verticalRoom, using: &rng)
            )
            let rotation = Double.random(in: -0.2...0.2, using: &rng)
            let slant = Double.random(in: -0.15...0.2, using: &rng)
            let color = randomColor(channels: 10...110, using: &rng)
            canvas.draw(glyph, center: center, scale: scale, rotation: rotation, slant: slant, color: color)
        }
    }

    private static func randomColor<R: RandomNumberGenerator>(channels: ClosedRange<Int>, using rng: inout R) -> RGBColor {
        RGBColor(red: Double(Int.random(in: channels, using: &rng)),
                 green: Double(Int.random(in: channels, using: &rng)),
                 blue: Double(Int.random(in: channels, using: &rng)))
    }
}

// MARK: - Drawing primitives

extension CaptchaImage {
    struct Point {
        var x: Double
        var y: Double
    }

    struct RGBColor {
        var red: Double
        var green: Double
        var blue: Double

        func mixed(with other: RGBColor, amount: Double) -> RGBColor {
            RGBColor(red: red + (other.red - red) * amount,
                     green: green + (other.green - green) * amount,
                     blue: blue + (other.blue - blue) * amount)
        }
    }

    /// An RGB raster with alpha blending; coordinates are pixel indices, pixel centres at +0.5.
    struct Canvas {
        let width: Int
        let height: Int
        private(set) var pixels: [UInt8]

        init(width: Int, height: Int) {
            self.width = width
            self.height = height
            pixels = [UInt8](repeating: 255, count: width * height * 3)
        }

        func color(x: Int, y: Int) -> RGBColor {
            let offset = (y * width + x) * 3
            return RGBColor(red: Double(pixels[offset]), green: Double(pixels[offset + 1]), blue: Double(pixels[offset + 2]))
        }

        mutating func set(x: Int, y: Int, to color: RGBColor) {
            guard x >= 0, x < width, y >= 0, y < height else { return }
            let offset = (y * width + x) * 3
            pixels[offset] = Self.channel(color.red)
            pixels[offset + 1] = Self.channel(color.green)
            pixels[offset + 2] = Self.channel(color.blue)
        }

        mutating func blend(x: Int, y: Int, color: RGBColor, alpha: Double) {
            guard alpha > 0, x >= 0, x < width, y >= 0, y < height else { return }
            set(x: x, y: y, to: self.color(x: x, y: y).mixed(with: color, amount: min(alpha, 1)))
        }

        /// Strokes a polyline with anti-aliased edges. Coverage is collected first and blended once,
        /// so the overlapping ends of neighbouring segments don't darken the joints.
        mutating func stroke(_ points: [Point], halfWidth: Double, color: RGBColor, opacity: Double) {
            guard points.count >= 2 else { return }
            var coverage = [Double](repeating: 0, count: width * height)
            let reach = halfWidth + 1
            for (start, end) in zip(points, points.dropFirst()) {
                let minX = max(0, Int((min(start.x, end.x) - reach).rounded(.down)))
                let maxX = min(width - 1, Int((max(start.x, end.x) + reach).rounded(.up)))
                let minY = max(0, Int((min(start.y, end.y) - reach).rounded(.down)))
                let maxY = min(height - 1, Int((max(start.y, end.y) + reach).rounded(.up)))
                guard minX <= maxX, minY <= maxY else { continue }
                for y in minY...maxY {
                    for x in minX...maxX {
                        let distance = Self.distance(from: Point(x: Double(x) + 0.5, y: Double(y) + 0.5), toSegment: start, end)
                        let covered = min(1, max(0, halfWidth + 0.5 - distance))
                        coverage[y * width + x] = max(coverage[y * width + x], covered)
                    }
                }
            }
            for y in 0..<height {
                for x in 0..<width where coverage[y * width + x] > 0 {
                    blend(x: x, y: y, color: color, alpha: coverage[y * width + x] * opacity)
                }
            }
        }

        /// Draws a font glyph centred on `center`, `scale` pixels per font cell, rotated (radians)
        /// and slanted like italics.
        mutating func draw(_ glyph: DigitFont.Glyph, center: Point, scale: Double, rotation: Double, slant: Double, color: RGBColor) {
            let halfColumns = Double(DigitFont.columns) / 2
            let halfRows = Double(DigitFont.rows) / 2
            // Bounding radius of the transformed glyph box, plus slack for the slant.
            let radius = ((halfColumns + abs(slant) * halfRows) * (halfColumns + abs(slant) * halfRows)
                + halfRows * halfRows).squareRoot() * scale + 2
            let minX = max(0, Int(center.x - radius))
            let maxX = min(width - 1, Int(center.x + radius))
            let minY = max(0, Int(center.y - radius))
            let maxY = min(height - 1, Int(center.y + radius))
            guard minX <= maxX, minY <= maxY else { return }

            let cosine = cos(rotation)
            let sine = sin(rotation)
            let samplesPerAxis = 4
            for y in minY...maxY {
                for x in minX...maxX {
                    var hits = 0
                    for sampleY in 0..<samplesPerAxis {
                        for sampleX in 0..<samplesPerAxis {
                            let dx = Double(x) + (Double(sampleX) + 0.5) / Double(samplesPerAxis) - center.x
                            let dy = Double(y) + (Double(sampleY) + 0.5) / Double(samplesPerAxis) - center.y
                            // Map the sample back into font space: undo rotation, then slant, then scale.
                            let unrotatedX = dx * cosine + dy * sine
                            let unrotatedY = -dx * sine + dy * cosine
                            let column = (unrotatedX + slant * unrotatedY) / scale + halfColumns
                            let row = unrotatedY / scale + halfRows
                            if glyph.isInked(column: column, row: row) { hits += 1 }
                        }
                    }
                    if hits > 0 {
                        blend(x: x, y: y, color: color, alpha: Double(hits) / Double(samplesPerAxis * samplesPerAxis))
                    }
                }
            }
        }

        private static func channel(_ value: Double) -> UInt8 {
            UInt8(min(255, max(0, value.rounded())))
        }

        private static func distance(from point: Point, toSegment start: Point, _ end: Point) -> Double {
            let segmentX = end.x - start.x
            let segmentY = end.y - start.y
            let lengthSquared = segmentX * segmentX + segmentY * segmentY
            var t = 0.0
            if lengthSquared > 0 {
                t = ((point.x - start.x) * segmentX + (point.y - start.y) * segmentY) / lengthSquared
                t = min(1, max(0, t))
            }
            let closestX = start.x + t * segmentX - point.x
            let closestY = start.y + t * segmentY - point.y
            return (closestX * closestX + closestY * closestY).squareRoot()
        }
    }
}

// MARK: - Font

extension CaptchaImage {
    /// A bold 7×11 bitmap font for the digits, plus `?` for anything else.
    enum DigitFont {
        static let columns = 7
        static let rows = 11

        struct Glyph {
            /// Row-major, `rows * columns` cells.
            let cells: [Bool]

            init(_ picture: [String]) {
                precondition(picture.count == DigitFont.rows && picture.allSatisfy { $0.count == DigitFont.columns },
                             "glyph pictures are 7×11")
                cells = picture.flatMap { row in row.map { $0 == "#" } }
            }

            private func cell(column: Int, row: Int) -> Double {
                guard column >= 0, column < DigitFont.columns, row >= 0, row < DigitFont.rows else { return 0 }
                return cells[row * DigitFont.columns + column] ? 1 : 0
            }

            /// Samples the bitmap bilinearly and thresholds at one half: outer corners get cut
            /// diagonally and staircase diagonals become straight edges, so scaled glyphs look smooth.
            func isInked(column: Double, row: Double) -> Bool {
                let x = column - 0.5
                let y = row - 0.5
                let left = Int(x.rounded(.down))
                let top = Int(y.rounded(.down))
                let fractionX = x - Double(left)
                let fractionY = y - Double(top)
                let upper = cell(column: left, row: top) * (1 - fractionX) + cell(column: left + 1, row: top) * fractionX
                let lower = cell(column: left, row: top + 1) * (1 - fractionX) + cell(column: left + 1, row: top + 1) * fractionX
                return upper * (1 - fractionY) + lower * fractionY >= 0.5
            }
        }

        static func glyph(for character: Character) -> Glyph {
            glyphs[character] ?? unknown
        }

        private static let unknown = Glyph([
            ".#####.",
            "##...##",
            ".....##",
            "....##.",
            "...##..",
            "..##...",
            "..##...",
            ".......",
            ".......",
            "..##...",
            "..##...",
        ])

        private static let glyphs: [Character: Glyph] = [
            "0": Glyph([
                "..###..",
                ".##.##.",
                "##...##",
                "##...##",
                "##...##",
                "##...##",
                "##...##",
                "##...##",
                "##...##",
                ".##.##.",
                "..###..",
            ]),
            "1": Glyph([
                "...##..",
                "..###..",
                ".####..",
                "...##..",
                "...##..",
                "...##..",
                "...##..",
                "...##..",
                "...##..",
                "...##..",
                ".######",
            ]),
            "2": Glyph([
                ".#####.",
                "##...##",
                ".....##",
                ".....##",
                "....##.",
                "...##..",
                "..##...",
                ".##....",
                "##.....",
                "##.....",
                "#######",
            ]),
            "3": Glyph([
                ".#####.",
                "##...##",
                ".....##",
                ".....##",
                "..####.",
                ".....##",
                ".....##",
                ".....##",
                ".....##",
                "##...##",
                ".#####.",
            ]),
            "4": Glyph([
                "....##.",
                "...###.",
                "..####.",
                ".##.##.",
                "##..##.",
                "##..##.",
                "#######",
                "#######",
                "....##.",
                "....##.",
                "....##.",
            ]),
            "5": Glyph([
                "#######",
                "##.....",
                "##.....",
                "######.",
                ".....##",
                ".....##",
                ".....##",
                ".....##",
                ".....##",
                "##...##",
                ".#####.",
            ]),
            "6": Glyph([
                "..####.",
                ".##....",
                "##.....",
                "##.....",
                "######.",
                "##...##",
                "##...##",
                "##...##",
                "##...##",
                "##...##",
                ".#####.",
            ]),
            "7": Glyph([
                "#######",
                ".....##",
                ".....##",
                "....##.",
                "....##.",
                "...##..",
                "...##..",
                "..##...",
                "..##...",
                "..##...",
                "..##...",
            ]),
            "8": Glyph([
                ".#####.",
                "##...##",
                "##...##",
                "##...##",
                ".#####.",
                "##...##",
                "##...##",
                "##...##",
                "##...##",
                "##...##",
                ".#####.",
            ]),
            "9": Glyph([
                ".#####.",
                "##...##",
                "##...##",
                "##...##",
                "##...##",
                ".######",
                ".....##",
                ".....##",
                ".....##",
                "....##.",
                ".####..",
            ]),
        ]
    }
}
