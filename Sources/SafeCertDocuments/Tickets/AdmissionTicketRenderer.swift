import Foundation

/// Prints admission tickets (准考证): as a PDF, one A4 page per ticket, or as a Word document
/// (`docx`, in AdmissionTicketRenderer+DOCX.swift) that candidates or exam offices can edit.
///
/// Both have the same print-friendly layout: the title, a bordered table of the ticket's fields
/// with the photo at its top right, then the 考生须知 list with the QR code at the bottom right.
public enum AdmissionTicketRenderer {
    /// The title used when none is given.
    public static let defaultTitle = "考试准考证"

    /// The tickets as one PDF, one A4 page each, in order. `title` (e.g. "2024年第四季度安全生产
    /// 考核考试准考证") heads every page and is the PDF's document title. No tickets give one
    /// blank page.
    ///
    /// A ticket whose 考生须知 do not fit under its table continues on a second page (headed
    /// "<title>（续）"). The QR code is the payload's UTF-8 bytes at error-correction level M;
    /// a payload too long for a QR code prints "二维码无法生成" in its place.
    public static func pdf(_ tickets: [AdmissionTicket], title: String = defaultTitle) -> Data {
        let canvas = PDFCanvas(title: title)
        let painter = TicketPagePainter(canvas: canvas, title: title)
        for ticket in tickets {
            painter.draw(ticket)
        }
        return canvas.finish()
    }
}

/// Sizes in points (10.5 pt is 五号).
enum TicketMetrics {
    static let marginX = 56.7 // 20 mm
    static let marginTop = 48.0
    static let marginBottom = 42.5
    static let titleSize = 20.0
    static let cellSize = 11.0
    static let emphasisSize = 12.0
    static let rulesHeadingSize = 12.0
    static let rulesSize = 10.0
    static let captionSize = 9.0
    static let continuationSize = 9.0
    static let labelWidth = 76.0
    static let paddingX = 5.0
    static let paddingY = 4.0
    static let rowHeight = 28.0
    static let lineWidth = 0.6
    /// A 1-inch ID photo, 25 × 35 mm.
    static let photoWidth = 70.87
    static let photoHeight = 99.21
    static let photoColumnWidth = 96.0
    /// 40 mm including the quiet zone: a token of up to ~200 bytes keeps modules ≥ 0.6 mm.
    static let qrSide = 113.4
    static let qrColumnWidth = 140.0
    static let boxPadding = 8.0
}

/// Draws ticket pages on one canvas, keeping the text that every page repeats (labels, title,
/// rules) laid out once.
final class TicketPagePainter {
    typealias M = TicketMetrics

    private let canvas: PDFCanvas
    private let title: String
    private let contentWidth: Double
    private let pageBottom: Double
    private var labels: [LabelKey: TextBlock] = [:]
    private var titleBlock: TextBlock?
    private var rulesCache: (rules: [String], width: Double, block: TextBlock)?
    private var headingCache: (width: Double, block: TextBlock)?

    init(canvas: PDFCanvas, title: String) {
        self.canvas = canvas
        self.title = title
        contentWidth = canvas.pageWidth - 2 * M.marginX
        pageBottom = canvas.pageHeight - M.marginBottom
    }

    /// One ticket, starting on a new page.
    func draw(_ ticket: AdmissionTicket) {
        canvas.beginPage()
        var y = M.marginTop
        let heading = titleBlock ?? canvas.makeTextBlock(
            title, width: contentWidth, style: TextStyle(size: M.titleSize, bold: true, align: .center)
        )
        titleBlock = heading
        canvas.draw(heading, x: M.marginX, y: y, lines: 0..<heading.lines.count)
        y += heading.height + 16

        y = drawTable(ticket, top: y)
        drawRulesAndQR(ticket, top: y + 14)
    }

    // MARK: Table

    private struct Field {
        let label: String
        let value: String
        var emphasised = false
    }

    private func drawTable(_ ticket: AdmissionTicket, top: Double) -> Double {
        let x = M.marginX
        var y = top
        // Beside the photo: one field per row.
        let narrow = contentWidth - M.photoColumnWidth
        let besidePhoto: [Field] = [
            Field(label: "准考证号", value: ticket.ticketNumber, emphasised: true),
            Field(label: "姓　　名", value: ticket.name, emphasised: true),
            Field(label: "身份证号", value: ticket.maskedIDNumber),
            Field(label: "报考资格", value: ticket.qualification),
            Field(label: "考试类型", value: ticket.examType),
        ]
        for field in besidePhoto {
            y += drawRow([field], x: x, y: y, width: narrow)
        }
        drawPhotoColumn(ticket.photo, x: x + narrow, top: top, height: y - top)

        let rows: [[Field]] = [
            [Field(label: "考点名称", value: ticket.centre)],
            [Field(label: "考　　场", value: ticket.room), Field(label: "座 位 号", value: ticket.seat, emphasised: true)],
            [Field(label: "考试日期", value: ticket.date), Field(label: "考试时间", value: ticket.time)],
            [Field(label: "考点地址", value: ticket.address)],
        ]
        for row in rows {
            y += drawRow(row, x: x, y: y, width: contentWidth)
        }
        return y
    }

    /// Draws one row of label/value cells sharing `width` equally; returns its height.
    private func drawRow(_ fields: [Field], x: Double, y: Double, width: Double) -> Double {
        let share = width / Double(fields.count)
        let labelWidth = min(M.labelWidth, share / 2)
        var cells: [(x: Double, width: Double, block: TextBlock)] = []
        for (index, field) in fields.enumerated() {
            let cellX = x + share * Double(index)
            cells.append((cellX, labelWidth, label(field.label, width: labelWidth - 2 * M.paddingX)))
            let value = canvas.makeTextBlock(
                field.value, width: max(1, share - labelWidth - 2 * M.paddingX),
                style: TextStyle(size: field.emphasised ? M.emphasisSize : M.cellSize, bold: field.emphasised)
            )
            cells.append((cellX + labelWidth, share - labelWidth, value))
        }
        let height = max(M.rowHeight, (cells.map(\.block.height).max() ?? 0) + 2 * M.paddingY)
        for cell in cells {
            canvas.rect(x: cell.x, y: y, width: cell.width, height: height, lineWidth: M.lineWidth)
            canvas.draw(cell.block, x: cell.x + M.paddingX, y: y + (height - cell.block.height) / 2, lines: 0..<cell.block.lines.count)
        }
        return height
    }

    private struct LabelKey: Hashable {
        let text: String
        let width: Double
    }

    /// Centred text that repeats on every page, laid out once per canvas.
    private func label(_ text: String, width: Double) -> TextBlock {
        let key = LabelKey(text: text, width: width)
        if let block = labels[key] { return block }
        let block = canvas.makeTextBlock(text, width: max(1, width), style: TextStyle(size: M.cellSize, align: .center))
        labels[key] = block
        return block
    }

    private func drawPhotoColumn(_ photo: Data?, x: Double, top: Double, height: Double) {
        canvas.rect(x: x, y: top, width: M.photoColumnWidth, height: height, lineWidth: M.lineWidth)
        let scale = min(1, (M.photoColumnWidth - 8) / M.photoWidth, (height - 8) / M.photoHeight)
        let width = M.photoWidth * scale, boxHeight = M.photoHeight * scale
        let boxX = x + (M.photoColumnWidth - width) / 2, boxY = top + (height - boxHeight) / 2
        if let photo, canvas.jpeg(photo, x: boxX, y: boxY, width: width, height: boxHeight) { return }
        canvas.rect(x: boxX, y: boxY, width: width, height: boxHeight, lineWidth: 0.4)
        let placeholder = label("照片", width: width)
        canvas.draw(placeholder, x: boxX, y: boxY + (boxHeight - placeholder.height) / 2, lines: 0..<placeholder.lines.count, gray: 0.4)
    }

    // MARK: Rules and QR code

    private func drawRulesAndQR(_ ticket: AdmissionTicket, top: Double) {
        let x = M.marginX
        let code: Result<QRCode, QRCodeError>? = ticket.qrPayload.isEmpty ? nil : Result { () throws(QRCodeError) in
            try QRCode(text: ticket.qrPayload, level: .medium)
        }
        let qrColumn = code == nil ? 0 : M.qrColumnWidth
        let textWidth = contentWidth - qrColumn - 2 * M.boxPadding
        let heading = rulesHeading(width: textWidth)
        let rules = rulesBlock(ticket.rules, width: textWidth)
        let qrColumnHeight = code == nil ? 0 : M.boxPadding + M.qrSide + 4 + 14 + M.boxPadding

        var y = top
        // The box needs room for the QR column (or the heading and a line of rules) on this page.
        let minimum = max(qrColumnHeight, 2 * M.boxPadding + heading.height + 6 + (rules.lines.first?.bottom ?? 0))
        if y + minimum > pageBottom {
            continuation()
            y = continuationTop
        }
        var nextLine = 0
        var first = true
        while first || nextLine < rules.lines.count {
            let rulesTop = y + M.boxPadding + (first ? heading.height + 6 : 0)
            var count = rules.lineCount(from: nextLine, fitting: pageBottom - M.boxPadding - rulesTop)
            if count == 0, nextLine < rules.lines.count, !first || y <= continuationTop { count = 1 }
            let drawn = nextLine..<(nextLine + count)
            let textHeight = drawn.isEmpty ? 0 : rules.lines[drawn.upperBound - 1].bottom - rules.lines[drawn.lowerBound].top
            var boxHeight = rulesTop - y + textHeight + M.boxPadding
            if first { boxHeight = max(boxHeight, qrColumnHeight) }
            canvas.rect(x: x, y: y, width: contentWidth, height: boxHeight, lineWidth: M.lineWidth)
            if first {
                canvas.draw(heading, x: x + M.boxPadding, y: y + M.boxPadding, lines: 0..<heading.lines.count)
                if let code { drawQR(code, x: x + contentWidth - qrColumn, y: y, height: boxHeight) }
            }
            canvas.draw(rules, x: x + M.boxPadding, y: rulesTop, lines: drawn)
            nextLine = drawn.upperBound
            first = false
            if nextLine < rules.lines.count {
                continuation()
                y = continuationTop
            }
        }
    }

    private func drawQR(_ code: Result<QRCode, QRCodeError>, x: Double, y: Double, height: Double) {
        canvas.line(x1: x, y1: y, x2: x, y2: y + height, lineWidth: M.lineWidth)
        let qrX = x + (M.qrColumnWidth - M.qrSide) / 2
        let qrY = y + M.boxPadding
        switch code {
        case .success(let symbol):
            canvas.qr(symbol, x: qrX, y: qrY, side: M.qrSide)
            canvas.text("入场核验码", x: x, y: qrY + M.qrSide + 2, width: M.qrColumnWidth, size: M.captionSize, align: .center, gray: 0.3)
        case .failure:
            canvas.rect(x: qrX, y: qrY, width: M.qrSide, height: M.qrSide, lineWidth: 0.4)
            canvas.text("二维码无法生成", x: qrX, y: qrY + M.qrSide / 2 - 6, width: M.qrSide, size: M.captionSize, align: .center, gray: 0.4)
        }
    }

    /// The rules numbered 1. 2. …, one paragraph each, laid out once for as long as the next
    /// ticket has the same rules.
    private func rulesBlock(_ rules: [String], width: Double) -> TextBlock {
        if let cache = rulesCache, cache.width == width, cache.rules == rules { return cache.block }
        let text = rules.enumerated().map { "\($0.offset + 1). \($0.element)" }.joined(separator: "\n")
        let block = canvas.makeTextBlock(text, width: width, style: TextStyle(size: M.rulesSize))
        rulesCache = (rules, width, block)
        return block
    }

    private func rulesHeading(width: Double) -> TextBlock {
        if let headingCache, headingCache.width == width { return headingCache.block }
        let block = canvas.makeTextBlock("考生须知", width: max(1, width), style: TextStyle(size: M.rulesHeadingSize, bold: true, align: .center))
        headingCache = (width, block)
        return block
    }

    private var continuationTop: Double { M.marginTop + 20 }

    private func continuation() {
        canvas.beginPage()
        canvas.text(title + "（续）", x: M.marginX, y: M.marginTop, width: contentWidth, size: M.continuationSize, align: .center, gray: 0.35)
    }
}
