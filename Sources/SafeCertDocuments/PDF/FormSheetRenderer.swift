import Foundation

/// Draws `FormSheet`s as A4 pages. Each sheet starts on a new page; a sheet too long for one
/// page continues on the next (rows too tall for what is left of a page are split between
/// lines of text, and the continuation page is headed "<title>（续）").
public enum FormSheetRenderer {
    /// The sheets as one PDF, one or more pages each. `title` (the PDF's document title)
    /// defaults to the first sheet's title.
    public static func render(_ sheets: [FormSheet], title: String? = nil) -> Data {
        let canvas = PDFCanvas(title: title ?? sheets.first?.title)
        for sheet in sheets {
            draw(sheet, on: canvas)
        }
        return canvas.finish()
    }

    /// Draws one sheet on `canvas`, starting on a new page (unless the current one is blank).
    /// For mixing forms with other pages in one document.
    public static func draw(_ sheet: FormSheet, on canvas: PDFCanvas) {
        var painter = SheetPainter(canvas: canvas, sheet: sheet)
        painter.paint()
    }
}

/// Sizes in points. 10.5 pt is 五号, the usual size for Chinese forms; 18 pt is 小二.
enum FormSheetMetrics {
    static let marginX = 56.7 // 20 mm
    static let marginTop = 42.5 // 15 mm
    static let marginBottom = 42.5
    static let titleSize = 18.0
    static let subtitleSize = 10.5
    static let numberSize = 10.0
    static let cellSize = 10.5
    static let footerSize = 10.5
    static let continuationSize = 9.0
    static let labelWidth = 68.0
    static let paddingX = 4.0
    static let paddingY = 4.0
    static let minRowHeight = 24.0
    static let lineWidth = 0.6
    /// A 1-inch ID photo, 25 × 35 mm.
    static let photoWidth = 70.87
    static let photoHeight = 99.21
    static let photoColumnWidth = 84.0
    static let photoColumnMinHeight = photoHeight + 12
}

/// One row laid out at its width, with how far each cell has been drawn (a row can be split
/// across pages).
private final class RowLayout {
    struct Cell {
        let x: Double
        let width: Double
        let block: TextBlock
        let isLabel: Bool
    }

    let cells: [Cell]
    let width: Double
    var minHeight: Double
    /// Long text reads from the top of its box; short values sit in the middle.
    let topAlignsValues: Bool
    /// Per cell, the first line not drawn yet.
    var nextLine: [Int]

    init(_ row: FormSheet.Row, width: Double, canvas: PDFCanvas) {
        typealias M = FormSheetMetrics
        self.width = width
        var cells: [Cell] = []
        if !row.fields.isEmpty {
            let share = width / Double(row.fields.count)
            let labelWidth = min(M.labelWidth, share / 2)
            let textInset = 2 * M.paddingX
            for (index, field) in row.fields.enumerated() {
                let x = share * Double(index)
                let label = canvas.makeTextBlock(
                    field.label, width: max(1, labelWidth - textInset), style: TextStyle(size: M.cellSize, align: .center)
                )
                let value = canvas.makeTextBlock(
                    field.value, width: max(1, share - labelWidth - textInset), style: TextStyle(size: M.cellSize)
                )
                cells.append(Cell(x: x, width: labelWidth, block: label, isLabel: true))
                cells.append(Cell(x: x + labelWidth, width: share - labelWidth, block: value, isLabel: false))
            }
        }
        self.cells = cells
        minHeight = max(M.minRowHeight, row.minHeight.isFinite ? row.minHeight : 0)
        topAlignsValues = row.fields.count == 1 && (row.minHeight > 0 || cells.last.map { $0.block.lines.count > 1 } == true)
        nextLine = Array(repeating: 0, count: cells.count)
    }

    var isStarted: Bool { nextLine.contains { $0 > 0 } }

    /// What is left of the row, drawn in one piece.
    var remainingHeight: Double {
        let content = zip(cells, nextLine).map { $0.block.height(from: $1) }.max() ?? 0
        return max(content + 2 * FormSheetMetrics.paddingY, isStarted ? FormSheetMetrics.minRowHeight : minHeight)
    }
}

private struct SheetPainter {
    typealias M = FormSheetMetrics

    let canvas: PDFCanvas
    let sheet: FormSheet
    let tableX = M.marginX
    let tableWidth: Double
    let pageBottom: Double
    var y = M.marginTop
    var rowsOnPage = 0
    /// Top of the photo column's part on the current page, while rows beside it are drawn.
    var photoColumnTop: Double?
    var photoDrawn = false

    init(canvas: PDFCanvas, sheet: FormSheet) {
        self.canvas = canvas
        self.sheet = sheet
        tableWidth = max(canvas.pageWidth - 2 * M.marginX, 2 * M.photoColumnWidth)
        pageBottom = canvas.pageHeight - M.marginBottom
    }

    mutating func paint() {
        canvas.beginPage()
        y = M.marginTop
        y += canvas.text(sheet.title, x: tableX, y: y, width: tableWidth, size: M.titleSize, bold: true, align: .center) + 8
        if let subtitle = sheet.subtitle, !subtitle.isEmpty {
            y += canvas.text(subtitle, x: tableX, y: y, width: tableWidth, size: M.subtitleSize, align: .center) + 6
        }
        if let number = sheet.number, !number.isEmpty {
            y += canvas.text(number, x: tableX, y: y, width: tableWidth, size: M.numberSize, align: .right) + 4
        }

        let (rows, photoRowCount) = layOutRows()
        for (index, row) in rows.enumerated() {
            if index == 0, photoRowCount > 0 { photoColumnTop = y }
            draw(row)
            if index == photoRowCount - 1 { closePhotoColumn() }
        }

        if !sheet.footer.isEmpty { y += 16 }
        for line in sheet.footer {
            let height = canvas.textHeight(line, width: tableWidth, size: M.footerSize)
            if y + height > pageBottom, y > continuationContentTop + 0.01 { newPage() }
            y += canvas.text(line, x: tableX, y: y, width: tableWidth, size: M.footerSize) + 10
        }
    }

    /// Rows beside the photo are laid out narrower, as many as reach the photo's height;
    /// if they fall short they are stretched to it.
    private func layOutRows() -> (rows: [RowLayout], photoRowCount: Int) {
        var rows: [RowLayout] = []
        var photoRowCount = 0
        var source = sheet.rows[...]
        if sheet.photoBox {
            let narrow = tableWidth - M.photoColumnWidth
            var height = 0.0
            while height < M.photoColumnMinHeight, let row = source.popFirst() {
                let layout = RowLayout(row, width: narrow, canvas: canvas)
                height += layout.remainingHeight
                rows.append(layout)
            }
            if rows.isEmpty {
                rows.append(RowLayout(FormSheet.Row([]), width: narrow, canvas: canvas))
                height = rows[0].remainingHeight
            }
            if height < M.photoColumnMinHeight {
                let extra = (M.photoColumnMinHeight - height) / Double(rows.count)
                for row in rows { row.minHeight = row.remainingHeight + extra }
            }
            photoRowCount = rows.count
        }
        rows += source.map { RowLayout($0, width: tableWidth, canvas: canvas) }
        return (rows, photoRowCount)
    }

    private mutating func draw(_ row: RowLayout) {
        while true {
            let remaining = row.remainingHeight
            let available = pageBottom - y
            if remaining <= available + 0.01 {
                drawSlice(row, height: remaining, lineCounts: row.cells.indices.map { row.cells[$0].block.lines.count - row.nextLine[$0] }, split: false)
                return
            }
            // Whole rows move to the next page when they would fit there; only rows taller
            // than a page, or the first on a page, are split.
            if rowsOnPage > 0, remaining <= pageBottom - continuationContentTop {
                newPage()
                continue
            }
            let inner = available - 2 * M.paddingY
            var counts = row.cells.indices.map { row.cells[$0].block.lineCount(from: row.nextLine[$0], fitting: inner) }
            let progresses = counts.contains { $0 > 0 }
            let unfinished = row.cells.indices.contains { row.nextLine[$0] < row.cells[$0].block.lines.count }
            if unfinished, !progresses {
                if rowsOnPage > 0 {
                    newPage()
                    continue
                }
                // Not even one line fits on an empty page: draw a line anyway rather than loop forever.
                counts = row.cells.indices.map { row.nextLine[$0] < row.cells[$0].block.lines.count ? 1 : 0 }
            }
            drawSlice(row, height: max(available, 0), lineCounts: counts, split: true)
            let finished = row.cells.indices.allSatisfy { row.nextLine[$0] >= row.cells[$0].block.lines.count }
            if finished { return }
            newPage()
        }
    }

    /// Draws `lineCounts[i]` more lines of each cell in a slice of the row `height` tall.
    private mutating func drawSlice(_ row: RowLayout, height: Double, lineCounts: [Int], split: Bool) {
        if row.cells.isEmpty {
            canvas.rect(x: tableX, y: y, width: row.width, height: height, lineWidth: M.lineWidth)
        }
        for (index, cell) in row.cells.enumerated() {
            canvas.rect(x: tableX + cell.x, y: y, width: cell.width, height: height, lineWidth: M.lineWidth)
            let lines = row.nextLine[index]..<min(row.nextLine[index] + lineCounts[index], cell.block.lines.count)
            guard !lines.isEmpty else { continue }
            let contentHeight = cell.block.lines[lines.upperBound - 1].bottom - cell.block.lines[lines.lowerBound].top
            let top = split || (!cell.isLabel && row.topAlignsValues)
                ? y + M.paddingY
                : y + (height - contentHeight) / 2
            canvas.draw(cell.block, x: tableX + cell.x + M.paddingX, y: top, lines: lines)
            row.nextLine[index] = lines.upperBound
        }
        y += height
        rowsOnPage += 1
    }

    private var continuationContentTop: Double {
        M.marginTop + canvas.textHeight("续", width: tableWidth, size: M.continuationSize) + 6
    }

    private mutating func newPage() {
        let photoColumnContinues = photoColumnTop != nil
        if photoColumnContinues { closePhotoColumn() }
        canvas.beginPage()
        y = M.marginTop
        y += canvas.text(sheet.title + "（续）", x: tableX, y: y, width: tableWidth, size: M.continuationSize, align: .center, gray: 0.35) + 6
        rowsOnPage = 0
        if photoColumnContinues { photoColumnTop = y }
    }

    /// Outlines the photo column's part on this page; the first part gets the photo.
    private mutating func closePhotoColumn() {
        guard let top = photoColumnTop else { return }
        photoColumnTop = nil
        let x = tableX + tableWidth - M.photoColumnWidth
        let height = y - top
        guard height > 0 else { return }
        canvas.rect(x: x, y: top, width: M.photoColumnWidth, height: height, lineWidth: M.lineWidth)
        guard !photoDrawn else { return }
        photoDrawn = true
        let scale = min(1, (M.photoColumnWidth - 8) / M.photoWidth, (height - 8) / M.photoHeight)
        guard scale > 0 else { return }
        let width = M.photoWidth * scale, boxHeight = M.photoHeight * scale
        let boxX = x + (M.photoColumnWidth - width) / 2, boxY = top + (height - boxHeight) / 2
        if let photo = sheet.photo, canvas.jpeg(photo, x: boxX, y: boxY, width: width, height: boxHeight) {
            return
        }
        let labelHeight = canvas.textHeight("照片", width: width, size: M.cellSize)
        canvas.text("照片", x: boxX, y: boxY + (boxHeight - labelHeight) / 2, width: width, size: M.cellSize, align: .center, gray: 0.4)
    }
}
