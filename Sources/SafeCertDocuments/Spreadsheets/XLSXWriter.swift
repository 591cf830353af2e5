import Foundation
import ZIPFoundation

/// A column of the sheet written by `XLSXWriter`: its header text and width in Excel's character units.
public struct XLSXColumn: Sendable, Equatable {
    public var title: String
    public var width: Double

    public init(title: String, width: Double = 16) {
        self.title = title
        self.width = width
    }
}

/// Writes a one-sheet workbook (plus an optional instructions sheet) for exports and download templates.
///
/// Every value is a text cell and every column is formatted as text ("@"), so ID numbers, phone
/// numbers and leading zeros survive, including what people later type into a downloaded template.
/// The header row is bold on a light fill with borders, frozen, and carries an autofilter.
public final class XLSXWriter {
    /// Excel's own limits: rows per sheet, columns per sheet, characters per cell.
    static let maximumRowCount = 1_048_576
    static let maximumColumnCount = 16_384
    static let maximumCellCharacters = 32_767

    private enum Style {
        static let header: StaticString = "1"
        static let text: StaticString = "2"
        static let note: StaticString = "3"
    }

    private let sheetName: String
    private let columns: [XLSXColumn]
    private var rowsXML = XLSXByteSink()
    private var lastRowNumber = 0
    private var widestRow = 0
    private var columnLetters = XLSXColumnLetters()
    private var noteSheet: (name: String, lines: [String])?

    public init(sheetName: String, columns: [XLSXColumn]) {
        self.sheetName = Self.sanitizedSheetName(sheetName, fallback: "Sheet1")
        self.columns = Array(columns.prefix(Self.maximumColumnCount))
        rowsXML.bytes.reserveCapacity(64 * 1024)
        if !self.columns.isEmpty {
            appendRow(self.columns.map(\.title), style: Style.header)
        }
    }

    /// Data rows appended so far (the header row not included).
    public var rowCount: Int { columns.isEmpty ? lastRowNumber : lastRowNumber - 1 }

    /// Appends a row; nil and empty values leave the cell blank.
    public func append(_ values: [String?]) {
        appendRow(values, style: Style.text)
    }

    /// Adds a second sheet with one line of instructions per row, e.g. "填写说明" in a template.
    public func addNoteSheet(name: String, lines: [String]) {
        var noteName = Self.sanitizedSheetName(name, fallback: "说明")
        if noteName.lowercased() == sheetName.lowercased() {
            noteName = Self.sanitizedSheetName(noteName + "（说明）", fallback: "说明")
        }
        noteSheet = (noteName, lines)
    }

    /// The finished .xlsx file. The writer can keep appending and finish again.
    public func finish() throws(SpreadsheetError) -> Data {
        guard lastRowNumber <= Self.maximumRowCount else { throw .tooManyRows(Self.maximumRowCount) }
        var parts: [(path: String, bytes: [UInt8])] = [
            ("[Content_Types].xml", contentTypesXML()),
            ("_rels/.rels", Array(Self.rootRelationshipsXML.utf8)),
            ("xl/workbook.xml", workbookXML()),
            ("xl/_rels/workbook.xml.rels", workbookRelationshipsXML()),
            ("xl/styles.xml", Array(Self.stylesXML.utf8)),
            ("xl/worksheets/sheet1.xml", dataSheetXML()),
        ]
        if let noteSheet {
            parts.append(("xl/worksheets/sheet2.xml", noteSheetXML(lines: noteSheet.lines)))
        }
        return try XLSXZipWriter.archive(parts: parts)
    }

    // MARK: Rows

    private func appendRow(_ values: [String?], style: StaticString) {
        lastRowNumber += 1
        appendRow(values, number: lastRowNumber, style: style, to: &rowsXML)
        widestRow = max(widestRow, min(values.count, Self.maximumColumnCount))
    }

    private func appendRow(_ values: [String?], number: Int, style: StaticString, to sink: inout XLSXByteSink) {
        var rowReference = XLSXByteSink()
        rowReference.appendDecimal(number)
        var isRowOpen = false
        for (column, value) in values.prefix(Self.maximumColumnCount).enumerated() {
            guard let value, !value.isEmpty else { continue }
            if !isRowOpen {
                sink.append("<row r=\"")
                sink.append(rowReference.bytes)
                sink.append("\">")
                isRowOpen = true
            }
            sink.append("<c r=\"")
            sink.append(columnLetters[column])
            sink.append(rowReference.bytes)
            sink.append("\" s=\"")
            sink.append(style)
            sink.append("\" t=\"inlineStr\"><is>")
            sink.appendTextElement(value)
            sink.append("</is></c>")
        }
        if isRowOpen { sink.append("</row>") }
    }

    // MARK: Parts

    private var usedColumnCount: Int { max(columns.count, widestRow, 1) }

    private func dataSheetXML() -> [UInt8] {
        var sink = XLSXByteSink()
        sink.bytes.reserveCapacity(rowsXML.bytes.count + 4096)
        let lastColumn = columnLetters[usedColumnCount - 1]
        let hasHeader = !columns.isEmpty
        sink.append(Self.worksheetOpening)
        sink.append("<dimension ref=\"A1:")
        sink.append(lastColumn)
        sink.appendDecimal(max(lastRowNumber, 1))
        sink.append("\"/><sheetViews><sheetView tabSelected=\"1\" workbookViewId=\"0\">")
        if hasHeader {
            sink.append("<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>")
            sink.append("<selection pane=\"bottomLeft\" activeCell=\"A2\" sqref=\"A2\"/>")
        }
        sink.append("</sheetView></sheetViews><sheetFormatPr defaultRowHeight=\"15\"/>")
        if hasHeader {
            sink.append("<cols>")
            for (index, column) in columns.enumerated() {
                // The column style makes cells typed later into a template text too.
                sink.append("<col min=\"")
                sink.appendDecimal(index + 1)
                sink.append("\" max=\"")
                sink.appendDecimal(index + 1)
                sink.append("\" width=\"")
                sink.appendWidth(column.width)
                sink.append("\" style=\"")
                sink.append(Style.text)
                sink.append("\" customWidth=\"1\"/>")
            }
            sink.append("</cols>")
        }
        sink.append("<sheetData>")
        sink.append(rowsXML.bytes)
        sink.append("</sheetData>")
        if hasHeader {
            sink.append("<autoFilter ref=\"")
            sink.append(autoFilterRange(absolute: false))
            sink.append("\"/>")
        }
        sink.append(Self.pageMargins)
        sink.append("</worksheet>")
        return sink.bytes
    }

    private func noteSheetXML(lines: [String]) -> [UInt8] {
        var sink = XLSXByteSink()
        sink.append(Self.worksheetOpening)
        sink.append("<sheetViews><sheetView workbookViewId=\"0\"/></sheetViews><sheetFormatPr defaultRowHeight=\"15\"/>")
        sink.append("<cols><col min=\"1\" max=\"1\" width=\"100\" style=\"")
        sink.append(Style.note)
        sink.append("\" customWidth=\"1\"/></cols><sheetData>")
        for (index, line) in lines.enumerated() {
            appendRow([line], number: index + 1, style: Style.note, to: &sink)
        }
        sink.append("</sheetData>")
        sink.append(Self.pageMargins)
        sink.append("</worksheet>")
        return sink.bytes
    }

    /// "A1:J5001", or with `absolute` "$A$1:$J$5001" for the defined name Excel expects.
    private func autoFilterRange(absolute: Bool) -> [UInt8] {
        var sink = XLSXByteSink()
        if absolute { sink.append("$") }
        sink.append("A")
        if absolute { sink.append("$") }
        sink.append("1:")
        if absolute { sink.append("$") }
        sink.append(columnLetters[columns.count - 1])
        if absolute { sink.append("$") }
        sink.appendDecimal(max(lastRowNumber, 1))
        return sink.bytes
    }

    private func workbookXML() -> [UInt8] {
        var sink = XLSXByteSink()
        sink.append(Self.xmlDeclaration)
        sink.append("<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" ")
        sink.append("xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">")
        sink.append("<bookViews><workbookView activeTab=\"0\"/></bookViews><sheets><sheet name=\"")
        sink.appendEscaped(sheetName, isAttribute: true)
        sink.append("\" sheetId=\"1\" r:id=\"rId1\"/>")
        if let noteSheet {
            sink.append("<sheet name=\"")
            sink.appendEscaped(noteSheet.name, isAttribute: true)
            sink.append("\" sheetId=\"2\" r:id=\"rId2\"/>")
        }
        sink.append("</sheets>")
        if !columns.isEmpty {
            // Excel records the autofilter range under this hidden name; without it Excel repairs the file.
            sink.append("<definedNames><definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"0\" hidden=\"1\">")
            sink.appendEscaped("'" + sheetName.replacingOccurrences(of: "'", with: "''") + "'!", isAttribute: false)
            sink.append(autoFilterRange(absolute: true))
            sink.append("</definedName></definedNames>")
        }
        sink.append("</workbook>")
        return sink.bytes
    }

    private func workbookRelationshipsXML() -> [UInt8] {
        var xml = Self.xmlDeclaration.description
        xml += "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        xml += "<Relationship Id=\"rId1\" Type=\"\(Self.relationshipTypes)/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
        if noteSheet != nil {
            xml += "<Relationship Id=\"rId2\" Type=\"\(Self.relationshipTypes)/worksheet\" Target=\"worksheets/sheet2.xml\"/>"
        }
        xml += "<Relationship Id=\"rId3\" Type=\"\(Self.relationshipTypes)/styles\" Target=\"styles.xml\"/>"
        xml += "</Relationships>"
        return Array(xml.utf8)
    }

    private func contentTypesXML() -> [UInt8] {
        let worksheetType = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
        var xml = Self.xmlDeclaration.description
        xml += "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
        xml += "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
        xml += "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
        xml += "<Override PartName=\"/xl/workbook.xml\" "
        xml += "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
        xml += "<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"\(worksheetType)\"/>"
        if noteSheet != nil {
            xml += "<Override PartName=\"/xl/worksheets/sheet2.xml\" ContentType=\"\(worksheetType)\"/>"
        }
        xml += "<Override PartName=\"/xl/styles.xml\" "
        xml += "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>"
        xml += "</Types>"
        return Array(xml.utf8)
    }

    private static let xmlDeclaration: StaticString = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    private static let relationshipTypes = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

    private static let worksheetOpening: StaticString = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
        xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
        """

    private static let pageMargins: StaticString = """
        <pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>
        """

    private static let rootRelationshipsXML = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Id="rId1" \
        Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" \
        Target="xl/workbook.xml"/></Relationships>
        """

    /// cellXfs: 0 default, 1 header (bold, fill, borders), 2 text cells, 3 wrapped text for notes.
    private static let stylesXML = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
        <fonts count="2">\
        <font><sz val="11"/><name val="等线"/><family val="2"/><charset val="134"/></font>\
        <font><b/><sz val="11"/><name val="等线"/><family val="2"/><charset val="134"/></font>\
        </fonts>\
        <fills count="3">\
        <fill><patternFill patternType="none"/></fill>\
        <fill><patternFill patternType="gray125"/></fill>\
        <fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/><bgColor indexed="64"/></patternFill></fill>\
        </fills>\
        <borders count="2">\
        <border><left/><right/><top/><bottom/><diagonal/></border>\
        <border><left style="thin"><color auto="1"/></left><right style="thin"><color auto="1"/></right>\
        <top style="thin"><color auto="1"/></top><bottom style="thin"><color auto="1"/></bottom><diagonal/></border>\
        </borders>\
        <cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
        <cellXfs count="4">\
        <xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
        <xf numFmtId="49" fontId="1" fillId="2" borderId="1" xfId="0" applyNumberFormat="1" applyFont="1" \
        applyFill="1" applyBorder="1" applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>\
        <xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
        <xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyAlignment="1">\
        <alignment vertical="top" wrapText="1"/></xf>\
        </cellXfs>\
        <cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
        <dxfs count="0"/><tableStyles count="0"/>\
        </styleSheet>
        """

    /// Excel refuses names with []:*?/\, longer than 31 characters, or wrapped in apostrophes.
    static func sanitizedSheetName(_ name: String, fallback: String) -> String {
        let forbidden: Set<Unicode.Scalar> = ["[", "]", ":", "*", "?", "/", "\\"]
        var scalars = String.UnicodeScalarView()
        for scalar in name.unicodeScalars {
            scalars.append(forbidden.contains(scalar) || scalar.value < 0x20 ? "_" : scalar)
        }
        var cleaned = String(scalars).trimmingCharacters(in: CharacterSet.whitespaces.union(["'"]))
        var truncated = ""
        var utf16Count = 0
        for character in cleaned {
            utf16Count += character.utf16.count
            if utf16Count > 31 { break }
            truncated.append(character)
        }
        cleaned = truncated.trimmingCharacters(in: CharacterSet.whitespaces.union(["'"]))
        return cleaned.isEmpty || cleaned.lowercased() == "history" ? fallback : cleaned
    }
}

// MARK: - Byte building

/// Column names A, B, … AA, … computed once each.
struct XLSXColumnLetters {
    private var cache: [[UInt8]] = []

    subscript(column: Int) -> [UInt8] {
        mutating get {
            while cache.count <= column {
                var number = cache.count + 1
                var letters: [UInt8] = []
                while number > 0 {
                    number -= 1
                    letters.insert(UInt8(ascii: "A") + UInt8(number % 26), at: 0)
                    number /= 26
                }
                cache.append(letters)
            }
            return cache[column]
        }
    }
}

/// An append-only UTF-8 buffer with the escaping rules of SpreadsheetML.
struct XLSXByteSink {
    var bytes: [UInt8] = []

    mutating func append(_ literal: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    mutating func append(_ other: [UInt8]) {
        bytes.append(contentsOf: other)
    }

    mutating func appendDecimal(_ value: Int) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            appendDecimal(-value)
            return
        }
        if value >= 10 { appendDecimal(value / 10) }
        bytes.append(UInt8(ascii: "0") + UInt8(value % 10))
    }

    mutating func appendWidth(_ width: Double) {
        let clamped = width.isFinite ? min(max(width, 0), 255) : 16
        bytes.append(contentsOf: String((clamped * 100).rounded() / 100).utf8)
    }

    /// `<t>…</t>` for a cell, keeping leading and trailing spaces (Excel trims them otherwise).
    mutating func appendTextElement(_ value: String) {
        let text = Self.truncatedToCellLimit(value)
        let utf8 = text.utf8
        let isWhitespace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        if let first = utf8.first, let last = utf8.last, isWhitespace(first) || isWhitespace(last) {
            append("<t xml:space=\"preserve\">")
        } else {
            append("<t>")
        }
        appendEscaped(text, isAttribute: false, escapesControlCharacters: true)
        append("</t>")
    }

    /// XML-escapes `text`. Characters XML cannot carry (control characters, U+FFFE, U+FFFF) become
    /// Excel's `_xHHHH_` escapes in cell text, and a literal `_xHHHH_` gets its underscore escaped.
    mutating func appendEscaped(_ text: String, isAttribute: Bool, escapesControlCharacters: Bool = false) {
        var text = text
        text.withUTF8 { utf8 in
            var runStart = 0
            var index = 0
            func flush(upTo end: Int) {
                if end > runStart { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<end])) }
            }
            while index < utf8.count {
                let byte = utf8[index]
                var skip = 1
                switch byte {
                case UInt8(ascii: "&"):
                    flush(upTo: index); append("&amp;")
                case UInt8(ascii: "<"):
                    flush(upTo: index); append("&lt;")
                case UInt8(ascii: ">"):
                    flush(upTo: index); append("&gt;")
                case UInt8(ascii: "\"") where isAttribute:
                    flush(upTo: index); append("&quot;")
                case 0x09, 0x0A:
                    index += 1
                    continue
                case 0x00..<0x20:
                    flush(upTo: index)
                    if escapesControlCharacters { appendOOXMLEscape(UInt16(byte)) }
                case UInt8(ascii: "_") where escapesControlCharacters && Self.isOOXMLEscape(utf8, at: index):
                    flush(upTo: index); appendOOXMLEscape(0x5F)
                case 0xEF where index + 2 < utf8.count && utf8[index + 1] == 0xBF && utf8[index + 2] >= 0xBE:
                    flush(upTo: index)
                    if escapesControlCharacters { appendOOXMLEscape(utf8[index + 2] == 0xBE ? 0xFFFE : 0xFFFF) }
                    skip = 3
                default:
                    index += 1
                    continue
                }
                index += skip
                runStart = index
            }
            flush(upTo: utf8.count)
        }
    }

    private mutating func appendOOXMLEscape(_ codeUnit: UInt16) {
        let hexDigits = Array("0123456789ABCDEF".utf8)
        append("_x")
        for shift in stride(from: 12, through: 0, by: -4) {
            bytes.append(hexDigits[Int((codeUnit >> UInt16(shift)) & 0xF)])
        }
        append("_")
    }

    private static func isOOXMLEscape(_ utf8: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        guard index + 7 <= utf8.count, utf8[index + 1] == UInt8(ascii: "x"), utf8[index + 6] == UInt8(ascii: "_") else {
            return false
        }
        return utf8[(index + 2)..<(index + 6)].allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
        }
    }

    private static func truncatedToCellLimit(_ value: String) -> String {
        // UTF-8 is never shorter than UTF-16, so the common case skips the count.
        guard value.utf8.count > XLSXWriter.maximumCellCharacters,
              value.utf16.count > XLSXWriter.maximumCellCharacters else { return value }
        var truncated = String.UnicodeScalarView()
        var units = 0
        for scalar in value.unicodeScalars {
            units += UTF16.width(scalar)
            if units > XLSXWriter.maximumCellCharacters { break }
            truncated.append(scalar)
        }
        return String(truncated)
    }
}

// MARK: - Zip

/// Packs the parts of a workbook into a deflated zip in memory.
enum XLSXZipWriter {
    static func archive(parts: [(path: String, bytes: [UInt8])]) throws(SpreadsheetError) -> Data {
        do {
            let archive = try Archive(accessMode: .create)
            for part in parts {
                let bytes = part.bytes
                try archive.addEntry(
                    with: part.path,
                    type: .file,
                    uncompressedSize: Int64(bytes.count),
                    compressionMethod: .deflate,
                    bufferSize: 256 * 1024
                ) { position, size in
                    let start = Int(position)
                    return Data(bytes[start..<min(start + size, bytes.count)])
                }
            }
            guard let data = archive.data else { throw SpreadsheetError.writeFailed }
            return data
        } catch {
            throw .writeFailed
        }
    }
}
