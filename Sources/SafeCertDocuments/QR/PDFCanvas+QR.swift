import Foundation

extension PDFCanvas {
    /// Draws `code` as a `side × side` point square at (`x`, `y`), its quiet zone included:
    /// white, with black modules. The modules are one image pixel each, scaled without
    /// smoothing (/Interpolate false), so they print and render with sharp edges; Cairo stores
    /// such a black-and-white image at one bit per pixel.
    ///
    /// For reliable scanning from paper keep a module at least 0.5 mm (1.4 pt): a side of
    /// about 1.5 × (`code.size` + 8) points.
    public func qr(_ code: QRCode, x: Double, y: Double, side: Double, quietZone: Int = QRCode.standardQuietZone) {
        guard side.isFinite, side > 0 else { return }
        let modules = code.grayModules(quietZone: quietZone)
        image(
            gray: modules.pixels, pixelWidth: modules.side, pixelHeight: modules.side,
            x: x, y: y, width: side, height: side, smooth: false
        )
    }
}
