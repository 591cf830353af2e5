import Foundation
import SafeCertCore

// MARK: - Values

/// One cell as read from a sheet.
public enum XLSXCell: Sendable, Equatable {
    case empty
    case text(String)
    /// `raw` is the number exactly as stored in the XML, so long digit strings such as phone numbers
    /// stay exact and ID numbers mangled by Excel ("1.10105194912310E+17") can be recognised.
    case number(Double, raw: String)
    case bool(Bool)
    /// A number cell whose style is a date format, converted from the Excel serial day.
    case date(year: Int, month: Int, day: Int)
    /// An error value such as "#N/A" or "#DIV/0!".
    case error(String)

    /// What a person would see: text as is, numbers as stored, dates as YYYY-MM-DD; nil when empty.
    public var text: String? {
        switch self {
        case .empty: return nil
        case .text(let value): return value
        case .number(_, let raw): return raw
        case .bool(let value): return value ? "TRUE" : "FALSE"
        case .date(let year, let month, let day): return XLSXDates.isoString(year: year, month: month, day: day)
        case .error(let value): return value
        }
    }

    public var isEmpty: Bool {
        if case .empty = self { return true }
        return false
    }
}

/// One row of a sheet. Rows without any value are not produced; the gap shows in `number`.
public struct XLSXRow: Sendable, Equatable {
    /// The 1-based Excel row number.
    public let number: Int
    /// Indexed by column (A = 0); missing cells are `.empty` and trailing empty cells are dropped.
    public let cells: [XLSXCell]

    public init(number: Int, cells: [XLSXCell]) {
        self.number = number
        self.cells = cells
    }

    /// The cell in `column` (A = 0), `.empty` past the end of the row.
    public subscript(column: Int) -> XLSXCell {
        column >= 0 && column < cells.count ? cells[column] : .empty
    }
}

// MARK: - Reader

/// Reads the rows of an .xlsx workbook without building a DOM: each sheet is inflated once and
/// scanned byte by byte while the rows are iterated.
public struct XLSXReader: Sendable {
    /// Rows holding values that `rows(sheet:)` accepts before refusing the file (header included).
    public static let defaultRowLimit = 200_000
    /// What the package may inflate to: per part, in total, and how many parts it may list.
    public static let defaultLimits = ZIPLimits.spreadsheet

    struct SheetReference: Sendable {
        let name: String
        let partPath: String
    }

    enum Source: Sendable {
        case file(URL)
        case bytes(Data)
    }

    private let source: Source
    private let sheets: [SheetReference]
    private let sharedStrings: [String]
    private let dateStyleFlags: [Bool]
    private let usesDate1904: Bool
    private let rowLimit: Int
    private let limits: ZIPLimits
    /// Bytes inflated while opening (workbook, relationships, shared strings, styles): the sheet
    /// read later shares the total budget with them.
    private let inflatedAtOpen: Int

    public var sheetNames: [String] { sheets.map(\.name) }

    public init(url: URL, rowLimit: Int = XLSXReader.defaultRowLimit) throws(SpreadsheetError) {
        try self.init(source: .file(url), rowLimit: rowLimit, limits: Self.defaultLimits)
    }

    public init(data: Data, rowLimit: Int = XLSXReader.defaultRowLimit) throws(SpreadsheetError) {
        try self.init(source: .bytes(data), rowLimit: rowLimit, limits: Self.defaultLimits)
    }

    init(source: Source, rowLimit: Int, limits: ZIPLimits) throws(SpreadsheetError) {
        self.source = source
        self.rowLimit = rowLimit
        self.limits = limits

        var package = try XLSXPackage(source: source, limits: limits)
        let workbookPath = try package.workbookPath()
        guard let workbookXML = try package.bytes(at: workbookPath) else { throw .notXLSX }
        let workbook = XLSXPartParsers.workbook(workbookXML)
        guard !workbook.sheets.isEmpty else { throw .notXLSX }

        let workbookDirectory = XLSXPackage.directory(of: workbookPath)
        let relationships = try package.bytes(at: XLSXPackage.relationshipsPath(for: workbookPath))
            .map(XLSXPartParsers.relationships) ?? []
        func target(id: String) -> String? {
            relationships.first { $0.id == id }.map { XLSXPackage.resolve($0.target, against: workbookDirectory) }
        }
        func target(typeSuffix: String, fallback: String) -> String {
            relationships.first { $0.type.hasSuffix(typeSuffix) }
                .map { XLSXPackage.resolve($0.target, against: workbookDirectory) } ?? workbookDirectory + fallback
        }

        sheets = workbook.sheets.enumerated().map { index, sheet in
            // Without a relationship, fall back to the conventional part name.
            let path = sheet.relationshipID.flatMap(target(id:)) ?? workbookDirectory + "worksheets/sheet\(index + 1).xml"
            return SheetReference(name: sheet.name, partPath: path)
        }
        usesDate1904 = workbook.usesDate1904
        sharedStrings = try package.bytes(at: target(typeSuffix: "/sharedStrings", fallback: "sharedStrings.xml"))
            .map(XLSXPartParsers.sharedStrings) ?? []
        dateStyleFlags = try package.bytes(at: target(typeSuffix: "/styles", fallback: "styles.xml"))
            .map(XLSXPartParsers.dateStyleFlags) ?? []
        inflatedAtOpen = package.inflatedBytes
    }

    /// The rows of the named sheet, or of the first sheet when `sheet` is nil.
    public func rows(sheet name: String? = nil) throws(SpreadsheetError) -> XLSXRowSequence {
        let reference: SheetReference
        if let name {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard let match = sheets.first(where: { $0.name == name })
                ?? sheets.first(where: { $0.name.trimmingCharacters(in: .whitespaces).lowercased() == trimmed.lowercased() })
            else { throw .sheetNotFound(name) }
            reference = match
        } else {
            reference = sheets[0]
        }

        var package = try XLSXPackage(source: source, limits: limits, alreadyInflated: inflatedAtOpen)
        guard let sheetXML = try package.bytes(at: reference.partPath) else { throw .damaged }
        let content = XLSXSheetContent(
            sheetXML: sheetXML,
            sharedStrings: sharedStrings,
            dateStyleFlags: dateStyleFlags,
            usesDate1904: usesDate1904
        )
        try content.checkRowCount(limit: rowLimit)
        return XLSXRowSequence(content: content)
    }
}

// MARK: - Row sequence

/// The rows of one sheet, scanned lazily from the inflated sheet XML.
public struct XLSXRowSequence: Sequence, Sendable {
    let content: XLSXSheetContent

    public func makeIterator() -> Iterator {
        Iterator(content: content, position: content.sheetDataStart)
    }

    public struct Iterator: IteratorProtocol {
        let content: XLSXSheetContent
        var position: Int
        var previousRowNumber = 0
        var typicalWidth = 0
        var finished = false

        init(content: XLSXSheetContent, position: Int) {
            self.content = content
            self.position = position
        }

        public mutating func next() -> XLSXRow? {
            guard !finished else { return nil }
            var position = self.position
            var previousRowNumber = self.previousRowNumber
            let widthHint = typicalWidth
            let content = self.content
            let row = content.sheetXML.withUnsafeBufferPointer { buffer in
                var cursor = XLSXMarkupCursor(bytes: XLSXBytes(buffer), position: position)
                defer { position = cursor.position }
                return content.scanNextRow(&cursor, previousRowNumber: &previousRowNumber, widthHint: widthHint)
            }
            self.position = position
            self.previousRowNumber = previousRowNumber
            if let row {
                typicalWidth = Swift.max(typicalWidth, row.cells.count)
            } else {
                finished = true
            }
            return row
        }
    }
}

/// Everything needed to turn sheet XML into rows; shared by all iterators of one sequence.
final class XLSXSheetContent: Sendable {
    /// Excel's last column is XFD; anything beyond comes from a corrupt or hostile file.
    static let maximumColumnCount = 16_384

    let sheetXML: [UInt8]
    let sharedStrings: [String]
    let dateStyleFlags: [Bool]
    let usesDate1904: Bool
    let sheetDataStart: Int

    init(sheetXML: [UInt8], sharedStrings: [String], dateStyleFlags: [Bool], usesDate1904: Bool) {
        self.sheetXML = sheetXML
        self.sharedStrings = sharedStrings
        self.dateStyleFlags = dateStyleFlags
        self.usesDate1904 = usesDate1904
        sheetDataStart = sheetXML.withUnsafeBufferPointer { buffer in
            var cursor = XLSXMarkupCursor(bytes: XLSXBytes(buffer), position: 0)
            while let tag = cursor.nextTag() {
                if !tag.isEndTag, cursor.bytes.localName(of: tag, is: "sheetData") {
                    return tag.isSelfClosing ? buffer.count : cursor.position
                }
            }
            return buffer.count
        }
    }

    /// Refuses sheets with more value rows than `limit`, cheaply in the usual case.
    func checkRowCount(limit: Int) throws(SpreadsheetError) {
        let isCheaplyWithinLimit: Bool = sheetXML.withUnsafeBufferPointer { buffer in
            let bytes = XLSXBytes(buffer)
            // Rows are stored in ascending order, so the last <row r="…"> bounds the count.
            if let last = lastRowNumber(in: bytes), last <= limit { return true }
            var cursor = XLSXMarkupCursor(bytes: bytes, position: sheetDataStart)
            var rowElements = 0
            while rowElements <= limit, let tag = cursor.nextTag() {
                if !tag.isEndTag, bytes.localName(of: tag, is: "row") { rowElements += 1 }
            }
            return rowElements <= limit
        }
        if isCheaplyWithinLimit { return }
        // Excel keeps formatted but empty rows far down the sheet; only rows holding values count.
        var valueRows = 0
        for _ in XLSXRowSequence(content: self) {
            valueRows += 1
            if valueRows > limit { throw .tooManyRows(limit) }
        }
    }

    private func lastRowNumber(in bytes: XLSXBytes) -> Int? {
        var index = bytes.count - 1
        while index >= sheetDataStart {
            if bytes[index] == XLSXBytes.lessThan {
                var cursor = XLSXMarkupCursor(bytes: bytes, position: index)
                if let tag = cursor.nextTag(), !tag.isEndTag, bytes.localName(of: tag, is: "row") {
                    var attributes = bytes.attributes(of: tag)
                    while let attribute = attributes.next() {
                        if bytes.matches(attribute.name, "r") { return bytes.integer(in: attribute.value) }
                    }
                    return nil
                }
            }
            index -= 1
        }
        return 0
    }

    func scanNextRow(_ cursor: inout XLSXMarkupCursor, previousRowNumber: inout Int, widthHint: Int) -> XLSXRow? {
        let bytes = cursor.bytes
        while let tag = cursor.nextTag() {
            if tag.isEndTag {
                if bytes.localName(of: tag, is: "sheetData") { return nil }
                continue
            }
            guard bytes.localName(of: tag, is: "row") else { continue }
            var rowNumber = previousRowNumber + 1
            var attributes = bytes.attributes(of: tag)
            while let attribute = attributes.next() {
                if bytes.matches(attribute.name, "r"), let number = bytes.integer(in: attribute.value), number > 0 {
                    rowNumber = number
                }
            }
            previousRowNumber = rowNumber
            if tag.isSelfClosing { continue }

            var cells: [XLSXCell] = []
            cells.reserveCapacity(widthHint)
            scanCells(&cursor, into: &cells)
            while let last = cells.last, last.isEmpty { cells.removeLast() }
            if cells.isEmpty { continue }
            return XLSXRow(number: rowNumber, cells: cells)
        }
        return nil
    }

    private func scanCells(_ cursor: inout XLSXMarkupCursor, into cells: inout [XLSXCell]) {
        let bytes = cursor.bytes
        var nextColumn = 0
        while let tag = cursor.nextTag() {
            if tag.isEndTag {
                if bytes.localName(of: tag, is: "row") { return }
                continue
            }
            guard bytes.localName(of: tag, is: "c") else { continue }
            var column = nextColumn
            var kind = CellKind.number
            var styleIndex = 0
            var attributes = bytes.attributes(of: tag)
            while let attribute = attributes.next() {
                guard attribute.name.count == 1 else { continue }
                switch bytes[attribute.name.lowerBound] {
                case UInt8(ascii: "r"): column = bytes.columnIndex(in: attribute.value) ?? column
                case UInt8(ascii: "t"): kind = CellKind(bytes, attribute.value)
                case UInt8(ascii: "s"): styleIndex = bytes.integer(in: attribute.value) ?? 0
                default: break
                }
            }
            nextColumn = column + 1
            if tag.isSelfClosing { continue }
            let value = scanCellValue(&cursor, kind: kind, styleIndex: styleIndex)
            guard !value.isEmpty, column < Self.maximumColumnCount else { continue }
            if column == cells.count {
                cells.append(value)
            } else if column > cells.count {
                cells.append(contentsOf: repeatElement(.empty, count: column - cells.count))
                cells.append(value)
            } else {
                cells[column] = value
            }
        }
    }

    private enum CellKind {
        case number, sharedString, inlineString, formulaString, boolean, error, isoDate

        init(_ bytes: XLSXBytes, _ range: Range<Int>) {
            if bytes.matches(range, "s") { self = .sharedString }
            else if bytes.matches(range, "n") { self = .number }
            else if bytes.matches(range, "inlineStr") { self = .inlineString }
            else if bytes.matches(range, "b") { self = .boolean }
            else if bytes.matches(range, "e") { self = .error }
            else if bytes.matches(range, "d") { self = .isoDate }
            else { self = .formulaString }
        }
    }

    private func scanCellValue(_ cursor: inout XLSXMarkupCursor, kind: CellKind, styleIndex: Int) -> XLSXCell {
        let bytes = cursor.bytes
        var sharedStringIndex: Int?
        var valueText: String?
        var inlineText: String?
        while let tag = cursor.nextTag() {
            if tag.isEndTag {
                if bytes.localName(of: tag, is: "c") { break }
                continue
            }
            if bytes.localName(of: tag, is: "v") {
                guard !tag.isSelfClosing else { continue }
                if kind == .sharedString, let range = cursor.plainTextRange() {
                    // The common case: parse the index straight from the bytes, no String needed.
                    sharedStringIndex = bytes.integer(in: range)
                } else {
                    valueText = cursor.readText(decodingOOXMLEscapes: kind != .number)
                }
            } else if bytes.localName(of: tag, is: "is") {
                if !tag.isSelfClosing { inlineText = XLSXPartParsers.richText(&cursor, endingAt: "is") }
            }
        }

        if let inlineText { return inlineText.isEmpty ? .empty : .text(inlineText) }
        switch kind {
        case .sharedString:
            let index = sharedStringIndex ?? valueText.flatMap { Int($0) }
            guard let index, index >= 0, index < sharedStrings.count else { return .empty }
            let text = sharedStrings[index]
            return text.isEmpty ? .empty : .text(text)
        case .inlineString, .formulaString:
            guard let valueText, !valueText.isEmpty else { return .empty }
            return .text(valueText)
        case .boolean:
            switch valueText {
            case "1", "true", "TRUE": return .bool(true)
            case "0", "false", "FALSE": return .bool(false)
            case nil, "": return .empty
            case let other?: return .text(other)
            }
        case .error:
            guard let valueText, !valueText.isEmpty else { return .empty }
            return .error(valueText)
        case .isoDate:
            guard let valueText, !valueText.isEmpty else { return .empty }
            if let date = XLSXDates.parseISODate(valueText) { return .date(year: date.year, month: date.month, day: date.day) }
            return .text(valueText)
        case .number:
            guard let raw = valueText, !raw.isEmpty else { return .empty }
            guard let value = Double(raw) else { return .text(raw) }
            if styleIndex >= 0, styleIndex < dateStyleFlags.count, dateStyleFlags[styleIndex],
               let date = XLSXDates.date(fromSerial: value, date1904: usesDate1904) {
                return .date(year: date.year, month: date.month, day: date.day)
            }
            return .number(value, raw: raw)
        }
    }
}

// MARK: - Dates

enum XLSXDates {
    /// Unix day numbers of the day before serial 1 in each date system.
    private static let dayZero1900 = -25_568  // 1899-12-31, so serial 1 is 1900-01-01
    private static let dayZero1904 = -24_107  // 1904-01-01 is serial 0

    /// Calendar date of an Excel serial number, ignoring the time of day; nil when out of range.
    static func date(fromSerial serial: Double, date1904: Bool) -> (year: Int, month: Int, day: Int)? {
        guard serial.isFinite, serial >= 0, serial < 2_958_466 else { return nil }  // up to 9999-12-31
        // Round to the millisecond first: midnight is often stored as 45000.999999999993.
        let milliseconds = (serial * 86_400_000).rounded()
        let wholeDays = Int((milliseconds / 86_400_000).rounded(.down))
        if date1904 { return civilDate(unixDay: dayZero1904 + wholeDays) }
        guard wholeDays >= 1 else { return nil }  // serial 0 is Excel's "1900-01-00": not a date
        if wholeDays < 60 { return civilDate(unixDay: dayZero1900 + wholeDays) }
        // Excel inherited Lotus 1-2-3's leap day 1900-02-29 (serial 60); later serials are one day ahead.
        if wholeDays == 60 { return (1900, 2, 29) }
        return civilDate(unixDay: dayZero1900 + wholeDays - 1)
    }

    /// Proleptic Gregorian date of a day count since 1970-01-01 (`CalendarDate`'s day arithmetic;
    /// serials are checked to lie within years 1900…9999 before they get here).
    static func civilDate(unixDay: Int) -> (year: Int, month: Int, day: Int) {
        let date = CalendarDate.unixEpoch.adding(days: unixDay)
        return (date.year, date.month, date.day)
    }

    /// "2024-03-15" or "2024-03-15T08:00:00" as written in t="d" cells.
    static func parseISODate(_ text: String) -> (year: Int, month: Int, day: Int)? {
        let utf8 = Array(text.utf8.prefix(10))
        guard utf8.count == 10, utf8[4] == UInt8(ascii: "-"), utf8[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in utf8[range] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        return (year, month, day)
    }

    static func isoString(year: Int, month: Int, day: Int) -> String {
        func padded(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
        }
        return "\(padded(year, 4))-\(padded(month, 2))-\(padded(day, 2))"
    }

    /// Whether a number format shows a calendar date (built-in id or custom code).
    static func isDateFormat(id: Int, code: String?) -> Bool {
        if let code { return formatCodeShowsDate(code) }
        switch id {
        case 14...22, 27...36, 45...47, 50...58: return true
        default: return false
        }
    }

    /// True for codes with year, day or month parts; "m" next to h/s only is minutes, not a date.
    static func formatCodeShowsDate(_ code: String) -> Bool {
        var hasYearOrDay = false
        var hasM = false
        var hasTime = false
        var inQuotes = false
        var inBrackets = false
        var skipNext = false
        for character in code.unicodeScalars {
            if skipNext { skipNext = false; continue }
            if inQuotes { if character == "\"" { inQuotes = false }; continue }
            if inBrackets { if character == "]" { inBrackets = false }; continue }
            switch character {
            case "\"": inQuotes = true
            case "[": inBrackets = true  // colours, locales, [h] elapsed time, conditions
            case "\\", "_", "*": skipNext = true  // escaped literal, padding, fill characters
            case "y", "Y", "d", "D": hasYearOrDay = true
            case "m", "M": hasM = true
            case "h", "H", "s", "S": hasTime = true
            default: break
            }
        }
        return hasYearOrDay || (hasM && !hasTime)
    }
}

// MARK: - Package access

/// The zip container of a workbook: sniffs the format, indexes the entries and inflates parts
/// under `ZIPLimits` (never more than the limits, whatever the headers declare).
struct XLSXPackage {
    private var archive: BoundedZIPReader

    init(source: XLSXReader.Source, limits: ZIPLimits, alreadyInflated: Int = 0) throws(SpreadsheetError) {
        let data: Data
        switch source {
        case .file(let url):
            guard let contents = try? Data(contentsOf: url, options: .mappedIfSafe) else { throw .unreadableFile }
            data = contents
        case .bytes(let bytes):
            data = bytes
        }
        let magic = [UInt8](data.prefix(8))
        if magic.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            // An OLE compound file: either a legacy .xls or an xlsx encrypted with a password.
            throw Self.isEncryptedPackage(data) ? .passwordProtected : .notXLSX
        }
        guard magic.starts(with: [0x50, 0x4B, 0x03, 0x04]) else { throw .notXLSX }
        do {
            archive = try BoundedZIPReader(data: data, limits: limits, alreadyInflated: alreadyInflated)
        } catch {
            throw Self.spreadsheetError(error)
        }
    }

    var inflatedBytes: Int { archive.inflatedBytes }

    static func spreadsheetError(_ error: ZIPError) -> SpreadsheetError {
        switch error {
        case .entryTooLarge(_, let maximum), .tooLargeInTotal(let maximum): return .fileTooLarge(maximumBytes: maximum)
        case .tooManyEntries(let maximum): return .tooManyParts(maximum: maximum)
        case .notZIP, .damaged, .unsupported: return .damaged
        }
    }

    /// Encrypted OOXML keeps an "EncryptionInfo" stream; its directory name is UTF-16LE.
    private static func isEncryptedPackage(_ data: Data) -> Bool {
        let marker = Data("EncryptionInfo".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        return data.range(of: marker) != nil
    }

    /// The main workbook part named by the package relationships, usually xl/workbook.xml.
    mutating func workbookPath() throws(SpreadsheetError) -> String {
        if let rootRelationships = try bytes(at: "_rels/.rels") {
            let relationships = XLSXPartParsers.relationships(rootRelationships)
            if let main = relationships.first(where: { $0.type.hasSuffix("/officeDocument") }) {
                let path = Self.resolve(main.target, against: "")
                if archive.file(at: path) != nil { return path }
            }
        }
        return "xl/workbook.xml"
    }

    /// The inflated part, or nil when the package has no such part.
    mutating func bytes(at path: String) throws(SpreadsheetError) -> [UInt8]? {
        guard let entry = archive.file(at: path) else { return nil }
        var bytes: [UInt8] = []
        do {
            try archive.extract(entry) { chunk in bytes.append(contentsOf: chunk) }
        } catch {
            throw Self.spreadsheetError(error)
        }
        return bytes
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[...slash])
    }

    static func relationshipsPath(for path: String) -> String {
        let directory = directory(of: path)
        return directory + "_rels/" + path.dropFirst(directory.count) + ".rels"
    }

    /// Resolves a relationship target: absolute from the package root, else relative to `directory`.
    static func resolve(_ target: String, against directory: String) -> String {
        let cleaned = target.replacingOccurrences(of: "\\", with: "/")
        let joined = cleaned.hasPrefix("/") ? cleaned : directory + cleaned
        var segments: [Substring] = []
        for segment in joined.split(separator: "/") {
            if segment == "." { continue }
            if segment == ".." { _ = segments.popLast(); continue }
            segments.append(segment)
        }
        return segments.joined(separator: "/")
    }
}

// MARK: - Part parsers

enum XLSXPartParsers {
    struct Relationship {
        let id: String
        let type: String
        let target: String
    }

    struct Workbook {
        var sheets: [(name: String, relationshipID: String?)] = []
        var usesDate1904 = false
    }

    static func relationships(_ xml: [UInt8]) -> [Relationship] {
        xml.withUnsafeBufferPointer { buffer in
            let bytes = XLSXBytes(buffer)
            var cursor = XLSXMarkupCursor(bytes: bytes, position: 0)
            var result: [Relationship] = []
            while let tag = cursor.nextTag() {
                guard !tag.isEndTag, bytes.localName(of: tag, is: "Relationship") else { continue }
                var id = "", type = "", target = "", external = false
                var attributes = bytes.attributes(of: tag)
                while let attribute = attributes.next() {
                    if bytes.matches(attribute.name, "Id") { id = bytes.attributeValue(attribute.value) }
                    else if bytes.matches(attribute.name, "Type") { type = bytes.attributeValue(attribute.value) }
                    else if bytes.matches(attribute.name, "Target") { target = bytes.attributeValue(attribute.value) }
                    else if bytes.matches(attribute.name, "TargetMode") { external = bytes.matches(attribute.value, "External") }
                }
                if !external { result.append(Relationship(id: id, type: type, target: target)) }
            }
            return result
        }
    }

    static func workbook(_ xml: [UInt8]) -> Workbook {
        xml.withUnsafeBufferPointer { buffer in
            let bytes = XLSXBytes(buffer)
            var cursor = XLSXMarkupCursor(bytes: bytes, position: 0)
            var workbook = Workbook()
            while let tag = cursor.nextTag() {
                guard !tag.isEndTag else { continue }
                if bytes.localName(of: tag, is: "workbookPr") {
                    var attributes = bytes.attributes(of: tag)
                    while let attribute = attributes.next() {
                        guard bytes.matches(attribute.name, "date1904") else { continue }
                        workbook.usesDate1904 = bytes.matches(attribute.value, "1") || bytes.matches(attribute.value, "true")
                    }
                } else if bytes.localName(of: tag, is: "sheet") {
                    var name = ""
                    var relationshipID: String?
                    var attributes = bytes.attributes(of: tag)
                    while let attribute = attributes.next() {
                        if bytes.matches(attribute.name, "name") {
                            name = bytes.attributeValue(attribute.value)
                        } else if bytes.isPrefixedAttribute(attribute.name, localName: "id") {
                            relationshipID = bytes.attributeValue(attribute.value)  // r:id, whatever the prefix
                        }
                    }
                    workbook.sheets.append((name, relationshipID))
                }
            }
            return workbook
        }
    }

    static func sharedStrings(_ xml: [UInt8]) -> [String] {
        xml.withUnsafeBufferPointer { buffer in
            let bytes = XLSXBytes(buffer)
            var cursor = XLSXMarkupCursor(bytes: bytes, position: 0)
            var strings: [String] = []
            while let tag = cursor.nextTag() {
                guard !tag.isEndTag else { continue }
                if bytes.localName(of: tag, is: "sst") {
                    var attributes = bytes.attributes(of: tag)
                    while let attribute = attributes.next() {
                        guard bytes.matches(attribute.name, "uniqueCount") else { continue }
                        // Trust the declared count only as far as the part could possibly hold.
                        strings.reserveCapacity(min(bytes.integer(in: attribute.value) ?? 0, bytes.count / 8))
                    }
                } else if bytes.localName(of: tag, is: "si") {
                    strings.append(tag.isSelfClosing ? "" : richText(&cursor, endingAt: "si"))
                }
            }
            return strings
        }
    }

    /// For each cell format (cellXfs index, the `s` of a cell): does it show a date?
    static func dateStyleFlags(_ xml: [UInt8]) -> [Bool] {
        xml.withUnsafeBufferPointer { buffer in
            let bytes = XLSXBytes(buffer)
            var cursor = XLSXMarkupCursor(bytes: bytes, position: 0)
            var customCodes: [Int: String] = [:]
            var formatIDs: [Int] = []
            var insideCellFormats = false
            while let tag = cursor.nextTag() {
                if bytes.localName(of: tag, is: "cellXfs") {
                    insideCellFormats = !tag.isEndTag && !tag.isSelfClosing
                    continue
                }
                guard !tag.isEndTag else { continue }
                if bytes.localName(of: tag, is: "numFmt") {
                    var id: Int?
                    var code: String?
                    var attributes = bytes.attributes(of: tag)
                    while let attribute = attributes.next() {
                        if bytes.matches(attribute.name, "numFmtId") { id = bytes.integer(in: attribute.value) }
                        else if bytes.matches(attribute.name, "formatCode") { code = bytes.attributeValue(attribute.value) }
                    }
                    if let id, let code { customCodes[id] = code }
                } else if insideCellFormats, bytes.localName(of: tag, is: "xf") {
                    var id = 0
                    var attributes = bytes.attributes(of: tag)
                    while let attribute = attributes.next() {
                        guard bytes.matches(attribute.name, "numFmtId") else { continue }
                        id = bytes.integer(in: attribute.value) ?? 0
                    }
                    formatIDs.append(id)
                }
            }
            return formatIDs.map { XLSXDates.isDateFormat(id: $0, code: customCodes[$0]) }
        }
    }

    /// The text of a rich-text container (<si>, <is>): all <t> runs, minus phonetic guides (<rPh>).
    static func richText(_ cursor: inout XLSXMarkupCursor, endingAt container: StaticString) -> String {
        let bytes = cursor.bytes
        var text: String?
        var phoneticDepth = 0
        while let tag = cursor.nextTag() {
            if tag.isEndTag {
                if bytes.localName(of: tag, is: container) { break }
                if bytes.localName(of: tag, is: "rPh") { phoneticDepth -= 1 }
                continue
            }
            if bytes.localName(of: tag, is: "rPh") {
                if !tag.isSelfClosing { phoneticDepth += 1 }
            } else if phoneticDepth == 0, !tag.isSelfClosing, bytes.localName(of: tag, is: "t") {
                let run = cursor.readText(decodingOOXMLEscapes: true)
                if text == nil { text = run } else { text! += run }
            }
        }
        return text ?? ""
    }
}

// MARK: - Byte-level XML scanning

/// Read-only helpers over UTF-8 XML. Element and attribute names are compared as bytes;
/// namespace prefixes of elements are ignored, which also covers files written with `x:` prefixes.
struct XLSXBytes {
    static let lessThan = UInt8(ascii: "<")
    static let greaterThan = UInt8(ascii: ">")
    static let slash = UInt8(ascii: "/")
    static let colon = UInt8(ascii: ":")
    static let ampersand = UInt8(ascii: "&")
    static let underscore = UInt8(ascii: "_")
    static let carriageReturn = UInt8(ascii: "\r")
    static let lineFeed = UInt8(ascii: "\n")
    static let doubleQuote = UInt8(ascii: "\"")
    static let singleQuote = UInt8(ascii: "'")
    static let equals = UInt8(ascii: "=")
    static let space = UInt8(ascii: " ")

    let buffer: UnsafeBufferPointer<UInt8>

    init(_ buffer: UnsafeBufferPointer<UInt8>) {
        self.buffer = buffer
    }

    var count: Int { buffer.count }

    subscript(index: Int) -> UInt8 {
        @inline(__always) get { buffer[index] }
    }

    @inline(__always)
    func firstIndex(of byte: UInt8, from start: Int) -> Int? {
        // Markup is dense: the byte is usually a few places away, closer than memchr's call overhead.
        let nearbyEnd = Swift.min(start + 16, buffer.count)
        var index = start
        while index < nearbyEnd {
            if buffer[index] == byte { return index }
            index += 1
        }
        guard index < buffer.count, let base = buffer.baseAddress else { return nil }
        guard let found = memchr(base + index, Int32(byte), buffer.count - index) else { return nil }
        return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
    }

    func hasPrefix(_ literal: StaticString, at index: Int) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard index >= 0, index + length <= buffer.count, let base = buffer.baseAddress else { return false }
        return memcmp(base + index, literal.utf8Start, length) == 0
    }

    func firstIndex(of literal: StaticString, from start: Int) -> Int? {
        let first = literal.utf8Start.pointee
        var index = start
        while let candidate = firstIndex(of: first, from: index) {
            if hasPrefix(literal, at: candidate) { return candidate }
            index = candidate + 1
        }
        return nil
    }

    /// The index just past the next occurrence of `literal`, or the end of the buffer.
    func index(after literal: StaticString, from start: Int) -> Int {
        firstIndex(of: literal, from: start).map { $0 + literal.utf8CodeUnitCount } ?? buffer.count
    }

    @inline(__always)
    func matches(_ range: Range<Int>, _ literal: StaticString) -> Bool {
        range.count == literal.utf8CodeUnitCount && hasPrefix(literal, at: range.lowerBound)
    }

    @inline(__always)
    func localName(of tag: XLSXMarkupCursor.Tag, is literal: StaticString) -> Bool {
        matches(tag.localName, literal)
    }

    /// `r:id`, `ns1:id`…: an attribute in some namespace whose local name is `localName`.
    func isPrefixedAttribute(_ range: Range<Int>, localName: StaticString) -> Bool {
        guard let colon = range.firstIndex(where: { buffer[$0] == Self.colon }) else { return false }
        return matches((colon + 1)..<range.upperBound, localName)
    }

    func integer(in range: Range<Int>) -> Int? {
        guard !range.isEmpty, range.count <= 18 else { return nil }
        var value = 0
        for index in range {
            let digit = buffer[index] &- 0x30
            guard digit <= 9 else { return nil }
            value = value * 10 + Int(digit)
        }
        return value
    }

    /// Zero-based column of a cell reference such as "AB12" (A = 0).
    func columnIndex(in range: Range<Int>) -> Int? {
        var column = 0
        var index = range.lowerBound
        while index < range.upperBound {
            let letter = buffer[index] | 0x20  // fold to lower case
            guard letter >= UInt8(ascii: "a"), letter <= UInt8(ascii: "z") else { break }
            column = column * 26 + Int(letter - UInt8(ascii: "a")) + 1
            guard column <= XLSXSheetContent.maximumColumnCount else { return nil }
            index += 1
        }
        return column > 0 ? column - 1 : nil
    }

    func attributes(of tag: XLSXMarkupCursor.Tag) -> AttributeIterator {
        AttributeIterator(bytes: self, index: tag.attributes.lowerBound, end: tag.attributes.upperBound)
    }

    struct AttributeIterator {
        let bytes: XLSXBytes
        var index: Int
        let end: Int

        mutating func next() -> (name: Range<Int>, value: Range<Int>)? {
            func skipWhitespace() { while index < end, bytes[index] <= XLSXBytes.space { index += 1 } }
            skipWhitespace()
            let nameStart = index
            while index < end, bytes[index] != XLSXBytes.equals, bytes[index] > XLSXBytes.space { index += 1 }
            let nameEnd = index
            skipWhitespace()
            guard nameEnd > nameStart, index < end, bytes[index] == XLSXBytes.equals else { return nil }
            index += 1
            skipWhitespace()
            guard index < end else { return nil }
            let quote = bytes[index]
            guard quote == XLSXBytes.doubleQuote || quote == XLSXBytes.singleQuote else { return nil }
            index += 1
            let valueStart = index
            while index < end, bytes[index] != quote { index += 1 }
            let valueEnd = index
            index = min(index + 1, end)
            return (nameStart..<nameEnd, valueStart..<valueEnd)
        }
    }

    func attributeValue(_ range: Range<Int>) -> String {
        string(in: range, decodingOOXMLEscapes: false)
    }

    /// Decodes character data: XML entities, line-end normalisation and, for cell text,
    /// the `_xHHHH_` escapes Excel uses for control characters.
    func string(in range: Range<Int>, decodingOOXMLEscapes: Bool) -> String {
        var needsDecoding = false
        for index in range {
            let byte = buffer[index]
            if byte == Self.ampersand || byte == Self.carriageReturn || (decodingOOXMLEscapes && byte == Self.underscore) {
                needsDecoding = true
                break
            }
        }
        if !needsDecoding {
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[range]), as: UTF8.self)
        }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(range.count)
        appendDecodedCharacterData(range, to: &decoded)
        if decodingOOXMLEscapes { decoded = Self.decodingOOXMLEscapes(decoded) }
        return String(decoding: decoded, as: UTF8.self)
    }

    func appendDecodedCharacterData(_ range: Range<Int>, to output: inout [UInt8]) {
        var index = range.lowerBound
        while index < range.upperBound {
            let byte = buffer[index]
            if byte == Self.carriageReturn {
                // XML turns CR LF and lone CR into LF.
                output.append(Self.lineFeed)
                index += 1
                if index < range.upperBound, buffer[index] == Self.lineFeed { index += 1 }
            } else if byte == Self.ampersand, let (scalar, length) = entity(at: index, end: range.upperBound) {
                output.append(contentsOf: String(scalar).utf8)
                index += length
            } else {
                output.append(byte)
                index += 1
            }
        }
    }

    /// The character an entity at `index` stands for and the entity's length in bytes.
    private func entity(at index: Int, end: Int) -> (Unicode.Scalar, Int)? {
        let searchEnd = min(end, index + 12)
        var semicolon = index + 1
        while semicolon < searchEnd, buffer[semicolon] != UInt8(ascii: ";") { semicolon += 1 }
        guard semicolon < searchEnd else { return nil }
        let name = (index + 1)..<semicolon
        let length = semicolon - index + 1
        if matches(name, "amp") { return ("&", length) }
        if matches(name, "lt") { return ("<", length) }
        if matches(name, "gt") { return (">", length) }
        if matches(name, "quot") { return ("\"", length) }
        if matches(name, "apos") { return ("'", length) }
        guard name.count >= 2, buffer[name.lowerBound] == UInt8(ascii: "#") else { return nil }
        var digits = (name.lowerBound + 1)..<name.upperBound
        var radix = 10
        if buffer[digits.lowerBound] | 0x20 == UInt8(ascii: "x") {
            radix = 16
            digits = (digits.lowerBound + 1)..<digits.upperBound
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: buffer[digits]), as: UTF8.self)
        guard !text.isEmpty, let value = UInt32(text, radix: radix), let scalar = Unicode.Scalar(value) else { return nil }
        return (scalar, length)
    }

    /// Replaces `_xHHHH_` (a UTF-16 code unit) with its character, joining surrogate pairs.
    static func decodingOOXMLEscapes(_ input: [UInt8]) -> [UInt8] {
        func codeUnit(at index: Int) -> UInt16? {
            guard index + 7 <= input.count, input[index] == underscore, input[index + 1] == UInt8(ascii: "x"),
                  input[index + 6] == underscore else { return nil }
            var value: UInt16 = 0
            for byte in input[(index + 2)..<(index + 6)] {
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: return nil
                }
                value = value << 4 | UInt16(digit)
            }
            return value
        }
        guard input.contains(underscore) else { return input }
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            guard let unit = codeUnit(at: index) else {
                output.append(input[index])
                index += 1
                continue
            }
            if let scalar = Unicode.Scalar(unit) {
                output.append(contentsOf: String(scalar).utf8)
                index += 7
            } else if UTF16.isLeadSurrogate(unit), let trail = codeUnit(at: index + 7), UTF16.isTrailSurrogate(trail) {
                let value = 0x10000 + (UInt32(unit - 0xD800) << 10) + UInt32(trail - 0xDC00)
                output.append(contentsOf: String(Unicode.Scalar(value)!).utf8)
                index += 14
            } else {
                output.append(input[index])  // a lone surrogate: keep the text as written
                index += 1
            }
        }
        return output
    }
}

/// A forward-only tokenizer: hands out element tags and the text right after them.
struct XLSXMarkupCursor {
    struct Tag {
        var localName: Range<Int>
        var attributes: Range<Int>
        var isEndTag: Bool
        var isSelfClosing: Bool
    }

    let bytes: XLSXBytes
    var position: Int

    /// The next start, end or empty-element tag; comments, processing instructions, CDATA
    /// between elements and DOCTYPE are skipped (entity declarations are never expanded).
    mutating func nextTag() -> Tag? {
        let count = bytes.count
        while let open = bytes.firstIndex(of: XLSXBytes.lessThan, from: position) {
            var index = open + 1
            guard index < count else { break }
            let first = bytes[index]
            if first == UInt8(ascii: "?") {
                position = bytes.index(after: "?>", from: index)
                continue
            }
            if first == UInt8(ascii: "!") {
                if bytes.hasPrefix("!--", at: index) {
                    position = bytes.index(after: "-->", from: index + 3)
                } else if bytes.hasPrefix("![CDATA[", at: index) {
                    position = bytes.index(after: "]]>", from: index + 8)
                } else {
                    position = (bytes.firstIndex(of: XLSXBytes.greaterThan, from: index) ?? count - 1) + 1
                }
                continue
            }
            var isEndTag = false
            if first == XLSXBytes.slash {
                isEndTag = true
                index += 1
            }
            var localStart = index
            while index < count {
                let byte = bytes[index]
                if byte == XLSXBytes.greaterThan || byte == XLSXBytes.slash || byte <= XLSXBytes.space { break }
                if byte == XLSXBytes.colon { localStart = index + 1 }
                index += 1
            }
            let localEnd = index
            let attributesStart = index
            while index < count {
                let byte = bytes[index]
                if byte == XLSXBytes.greaterThan { break }
                if byte == XLSXBytes.doubleQuote || byte == XLSXBytes.singleQuote {
                    // A quoted value may contain '>': jump to its closing quote.
                    guard let closing = bytes.firstIndex(of: byte, from: index + 1) else { index = count; break }
                    index = closing
                }
                index += 1
            }
            guard index < count else { break }
            let isSelfClosing = index > attributesStart && bytes[index - 1] == XLSXBytes.slash
            position = index + 1
            return Tag(
                localName: localStart..<localEnd,
                attributes: attributesStart..<(isSelfClosing ? index - 1 : index),
                isEndTag: isEndTag,
                isSelfClosing: isSelfClosing
            )
        }
        position = count
        return nil
    }

    /// The raw character data up to the next tag when it holds no CDATA; the cursor stops at that tag.
    mutating func plainTextRange() -> Range<Int>? {
        let end = bytes.firstIndex(of: XLSXBytes.lessThan, from: position) ?? bytes.count
        if bytes.hasPrefix("<![CDATA[", at: end) { return nil }
        defer { position = end }
        return position..<end
    }

    /// The text up to the next tag (CDATA sections included); the cursor stops at that tag.
    mutating func readText(decodingOOXMLEscapes: Bool) -> String {
        if let range = plainTextRange() {
            return bytes.string(in: range, decodingOOXMLEscapes: decodingOOXMLEscapes)
        }
        var collected: [UInt8] = []
        while true {
            let end = bytes.firstIndex(of: XLSXBytes.lessThan, from: position) ?? bytes.count
            bytes.appendDecodedCharacterData(position..<end, to: &collected)
            guard bytes.hasPrefix("<![CDATA[", at: end) else {
                position = end
                break
            }
            let contentStart = end + 9
            let terminator = bytes.firstIndex(of: "]]>", from: contentStart)
            let contentEnd = terminator ?? bytes.count
            collected.append(contentsOf: UnsafeBufferPointer(rebasing: bytes.buffer[contentStart..<contentEnd]))
            position = terminator.map { $0 + 3 } ?? bytes.count
        }
        if decodingOOXMLEscapes { collected = XLSXBytes.decodingOOXMLEscapes(collected) }
        return String(decoding: collected, as: UTF8.self)
    }
}
