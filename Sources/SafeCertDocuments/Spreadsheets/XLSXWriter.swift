import CXLSXWriter
import Foundation

/// A column of the sheet written by `XLSXWriter`: its header text and width in Excel's character units.
public struct XLSXColumn: Sendable, Equatable {
    public var title: String
    public var width: Double

    public init(title: String, width: Double = 16) {
        self.title = title
        self.width = width
    }
}

/// Writes a one-sheet workbook (plus an optional instructions sheet) for exports and download
/// templates, with libxlsxwriter in constant-memory mode: each row goes to a private temporary
/// file as it is appended, so a large export does not grow in memory.
///
/// Every value is a text cell and every column is formatted as text ("@"), so ID numbers, phone
/// numbers and leading zeros survive, including what people later type into a downloaded template.
/// The header row is bold on a light fill with borders, frozen, and carries an autofilter.
public final class XLSXWriter {
    /// Excel's own limits: rows per sheet, columns per sheet, characters per cell.
    static let maximumRowCount = 1_048_576
    static let maximumColumnCount = 16_384
    static let maximumCellCharacters = 32_767

    private let sheetName: String
    private let columns: [XLSXColumn]
    private let directory: URL
    private var workbook: UnsafeMutablePointer<lxw_workbook>?
    private var worksheet: UnsafeMutablePointer<lxw_worksheet>?
    private var headerFormat: UnsafeMutablePointer<lxw_format>?
    private var textFormat: UnsafeMutablePointer<lxw_format>?
    private var noteFormat: UnsafeMutablePointer<lxw_format>?
    private var lastRowNumber = 0
    private var noteSheet: (name: String, lines: [String])?
    private var failed = false
    private var result: Data?

    public init(sheetName: String, columns: [XLSXColumn]) {
        self.sheetName = Self.sanitizedSheetName(sheetName, fallback: "Sheet1")
        self.columns = Array(columns.prefix(Self.maximumColumnCount))
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("safecert-xlsx-\(UUID().uuidString)")
        do {
            // Only this process's user may read the rows on their way to the client.
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            failed = true
            return
        }
        open()
    }

    deinit {
        if let workbook { lxw_workbook_free(workbook) }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Data rows appended so far (the header row not included).
    public var rowCount: Int { columns.isEmpty ? lastRowNumber : lastRowNumber - 1 }

    /// Appends a row; nil and empty values leave the cell blank. Rows after `finish()` are ignored.
    public func append(_ values: [String?]) {
        appendRow(values, format: textFormat)
    }

    /// Adds a second sheet with one line of instructions per row, e.g. "填写说明" in a template.
    public func addNoteSheet(name: String, lines: [String]) {
        var noteName = Self.sanitizedSheetName(name, fallback: "说明")
        if noteName.lowercased() == sheetName.lowercased() {
            noteName = Self.sanitizedSheetName(noteName + "（说明）", fallback: "说明")
        }
        noteSheet = (noteName, lines)
    }

    /// The finished .xlsx file. Asking again gives the same file.
    public func finish() throws(SpreadsheetError) -> Data {
        if let result { return result }
        guard lastRowNumber <= Self.maximumRowCount else { throw .tooManyRows(Self.maximumRowCount) }
        guard !failed, let workbook, let worksheet else { throw .writeFailed }
        if !columns.isEmpty {
            worksheet_autofilter(worksheet, 0, 0, lxw_row_t(max(lastRowNumber, 1) - 1), lxw_col_t(columns.count - 1))
        }
        if let noteSheet, let notes = workbook_add_worksheet(workbook, noteSheet.name) {
            worksheet_set_column(notes, 0, 0, 100, noteFormat)
            for (index, line) in noteSheet.lines.prefix(Self.maximumRowCount).enumerated() {
                Self.write(line, row: index, column: 0, format: noteFormat, to: notes)
            }
        }
        let status = workbook_close(workbook)
        self.workbook = nil
        self.worksheet = nil
        defer { try? FileManager.default.removeItem(at: directory) }
        guard status == LXW_NO_ERROR, let data = try? Data(contentsOf: directory.appendingPathComponent("book.xlsx")) else {
            throw .writeFailed
        }
        result = data
        return data
    }

    // MARK: libxlsxwriter

    private func open() {
        var options = lxw_workbook_options()
        options.constant_memory = UInt8(LXW_TRUE.rawValue)
        let path = directory.appendingPathComponent("book.xlsx").path
        workbook = directory.path.withCString { tmpdir in
            options.tmpdir = UnsafeMutablePointer(mutating: tmpdir)
            return workbook_new_opt(path, &options)
        }
        guard let workbook, let sheet = workbook_add_worksheet(workbook, sheetName) else {
            failed = true
            return
        }
        worksheet = sheet
        let header = workbook_add_format(workbook)
        format_set_bold(header)
        format_set_font_name(header, "等线")
        format_set_pattern(header, UInt8(LXW_PATTERN_SOLID.rawValue))
        format_set_fg_color(header, 0xDDEBF7)
        format_set_border(header, UInt8(LXW_BORDER_THIN.rawValue))
        format_set_align(header, UInt8(LXW_ALIGN_CENTER.rawValue))
        format_set_align(header, UInt8(LXW_ALIGN_VERTICAL_CENTER.rawValue))
        format_set_text_wrap(header)
        format_set_num_format(header, "@")
        headerFormat = header
        let text = workbook_add_format(workbook)
        format_set_font_name(text, "等线")
        format_set_num_format(text, "@")
        textFormat = text
        let note = workbook_add_format(workbook)
        format_set_font_name(note, "等线")
        format_set_num_format(note, "@")
        format_set_align(note, UInt8(LXW_ALIGN_VERTICAL_TOP.rawValue))
        format_set_text_wrap(note)
        noteFormat = note

        if !columns.isEmpty {
            for (index, column) in columns.enumerated() {
                // The column format makes cells typed later into a template text too.
                let width = column.width.isFinite ? min(max(column.width, 0), 255) : 16
                worksheet_set_column(sheet, lxw_col_t(index), lxw_col_t(index), width, text)
            }
            worksheet_freeze_panes(sheet, 1, 0)
            appendRow(columns.map(\.title), format: header)
        }
    }

    private func appendRow(_ values: [String?], format: UnsafeMutablePointer<lxw_format>?) {
        guard result == nil, !failed else { return }
        lastRowNumber += 1
        guard lastRowNumber <= Self.maximumRowCount, let worksheet else { return }
        for (column, value) in values.prefix(Self.maximumColumnCount).enumerated() {
            guard let value, !value.isEmpty else { continue }
            Self.write(value, row: lastRowNumber - 1, column: column, format: format, to: worksheet)
        }
    }

    private static func write(_ value: String, row: Int, column: Int, format: UnsafeMutablePointer<lxw_format>?,
                              to sheet: UnsafeMutablePointer<lxw_worksheet>) {
        var text = escaped(truncatedToCellLimit(value))
        if worksheet_write_string(sheet, lxw_row_t(row), lxw_col_t(column), text, format) == LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED {
            // Escapes made the text longer than a cell holds: cut it at a whole character.
            text = String(text.prefix(maximumCellCharacters))
            worksheet_write_string(sheet, lxw_row_t(row), lxw_col_t(column), text, format)
        }
    }

    /// Cell text as SpreadsheetML carries it: characters XML cannot hold (control characters but
    /// tab and line feed, U+FFFE, U+FFFF; NUL too, which would end the C string) become Excel's
    /// `_xHHHH_` escapes, and a literal `_xHHHH_` gets its underscore escaped, so the reader
    /// gives back exactly what was written. libxlsxwriter escapes & < > itself.
    static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { needsEscape($0) || $0 == "_" }) else { return text }
        var out = String.UnicodeScalarView()
        let scalars = Array(text.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            if needsEscape(scalar) || (scalar == "_" && isOOXMLEscape(scalars, at: index)) {
                out.append(contentsOf: String(format: "_x%04X_", scalar.value).unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value < 0x20 && scalar != "\t" && scalar != "\n") || scalar.value == 0xFFFE || scalar.value == 0xFFFF
    }

    private static func isOOXMLEscape(_ scalars: [Unicode.Scalar], at index: Int) -> Bool {
        guard index + 7 <= scalars.count, scalars[index + 1] == "x", scalars[index + 6] == "_" else { return false }
        return scalars[(index + 2)..<(index + 6)].allSatisfy { $0.properties.isASCIIHexDigit }
    }

    private static func truncatedToCellLimit(_ value: String) -> String {
        // UTF-8 is never shorter than UTF-16, so the common case skips the count.
        guard value.utf8.count > maximumCellCharacters, value.utf16.count > maximumCellCharacters else { return value }
        var truncated = String.UnicodeScalarView()
        var units = 0
        for scalar in value.unicodeScalars {
            units += UTF16.width(scalar)
            if units > maximumCellCharacters { break }
            truncated.append(scalar)
        }
        return String(truncated)
    }

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
