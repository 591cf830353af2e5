import Foundation
import Testing
@testable import SafeCertDocuments

@Suite("XLSX reading and writing")
struct XLSXTests {
    // MARK: Writer → reader

    @Test("What the writer writes, the reader reads back exactly")
    func writerOutputReadsBack() throws {
        let longText = String(repeating: "长", count: 40_000)
        let dataRows: [[String?]] = [
            ["张三", "110105194912310020", "13800000000", "  前后空格  "],
            ["李四", "11010519491231002X", "０１２３", "a&b <c> \"d\" 'e'"],
            [nil, nil, nil, nil],
            ["王五", "", nil, "第一行\n第二行\r\n第三行\t制表"],
            ["控制符\u{1}\u{1F}", "_x0041_ 字面量", "😀👍", "\u{FFFE}"],
            ["007", "1.10105E+17", "=1+1", longText],
        ]
        let writer = XLSXWriter(sheetName: "人员名单", columns: Self.personColumns)
        for row in dataRows { writer.append(row) }
        writer.addNoteSheet(name: "填写说明", lines: ["1. 身份证号按文本填写", "2. 日期格式：YYYY-MM-DD"])
        #expect(writer.rowCount == dataRows.count)
        let data = try writer.finish()

        let reader = try XLSXReader(data: data)
        #expect(reader.sheetNames == ["人员名单", "填写说明"])
        let rows = Array(try reader.rows())
        // The all-blank row 4 is not produced; its number is simply missing.
        #expect(rows.map(\.number) == [1, 2, 3, 5, 6, 7])
        #expect(rows[0].cells == Self.personColumns.map { .text($0.title) })
        let expectedDataRows = dataRows.filter { $0.contains { !($0 ?? "").isEmpty } }
        for (row, expected) in zip(rows.dropFirst(), expectedDataRows) {
            var cells = expected.map { value -> XLSXCell in
                guard let value, !value.isEmpty else { return .empty }
                return .text(value == longText ? String(repeating: "长", count: 32_767) : value)
            }
            while cells.last == .empty { cells.removeLast() }
            #expect(row.cells == cells, "row \(row.number)")
        }
        #expect(rows[1][1].text == "110105194912310020")
        #expect(rows[1][9] == .empty)

        let notes = Array(try reader.rows(sheet: "填写说明")).map { $0[0].text }
        #expect(notes == ["1. 身份证号按文本填写", "2. 日期格式：YYYY-MM-DD"])

        // The same bytes read from a file.
        let url = try Self.temporaryFile(named: "round-trip.xlsx")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        try data.write(to: url)
        #expect(Array(try XLSXReader(url: url).rows()) == rows)
    }

    @Test("A writer without extra sheets and with odd sheet names still produces a valid workbook")
    func sheetNamesAreSanitised() throws {
        let writer = XLSXWriter(sheetName: "[考试]/成绩:2024?*", columns: [XLSXColumn(title: "A")])
        writer.append(["1"])
        let reader = try XLSXReader(data: writer.finish())
        #expect(reader.sheetNames == ["_考试__成绩_2024__"])
        #expect(Array(try reader.rows()).count == 2)
        #expect(XLSXWriter.sanitizedSheetName(String(repeating: "表", count: 40), fallback: "x").count == 31)
        #expect(XLSXWriter.sanitizedSheetName("  ''  ", fallback: "Sheet1") == "Sheet1")
    }

    // MARK: openpyxl interoperability

    @Test("openpyxl reads the writer's file: values, header style, frozen row, filter, widths")
    func openpyxlReadsWriterOutput() throws {
        let dataRows: [[String?]] = [
            ["张三", "110105194912310020", "13800000000", "  前后空格  "],
            [nil, nil, nil, nil],
            ["李四", "11010519491231002X", "０１３８", "a&b <c>\n第二行 😀"],
            ["007", nil, "1.10105E+17", "=SUM(A1:A2)"],
        ]
        let writer = XLSXWriter(sheetName: "人员名单", columns: Self.personColumns)
        for row in dataRows { writer.append(row) }
        writer.addNoteSheet(name: "填写说明", lines: ["请勿修改表头", "身份证号按文本填写"])
        let url = try Self.temporaryFile(named: "for-openpyxl.xlsx")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        try writer.finish().write(to: url)

        let json = try Python.run(
            """
            import json, sys, openpyxl
            wb = openpyxl.load_workbook(sys.argv[1])
            ws = wb.worksheets[0]
            header = ws["A1"]
            print(json.dumps({
                "sheets": wb.sheetnames,
                "rows": [[c.value for c in row] for row in ws.iter_rows()],
                "notes": [[c.value for c in row] for row in wb.worksheets[1].iter_rows()],
                "freeze": ws.freeze_panes,
                "filter": ws.auto_filter.ref,
                "widths": {key: dim.width for key, dim in ws.column_dimensions.items()},
                "headerBold": bool(header.font.b),
                "headerFill": header.fill.fgColor.rgb,
                "headerBorder": header.border.left.style,
                "bodyFormat": ws["B2"].number_format,
            }, ensure_ascii=False))
            """,
            arguments: [url.path]
        )
        let view = try JSONDecoder().decode(OpenpyxlView.self, from: Data(json.utf8))
        #expect(view.sheets == ["人员名单", "填写说明"])
        let expectedRows = [Self.personColumns.map { Optional($0.title) }] + dataRows.map { row in
            row.map { ($0?.isEmpty ?? true) ? nil : $0 }
        }
        #expect(view.rows == expectedRows)
        #expect(view.notes == [["请勿修改表头"], ["身份证号按文本填写"]])
        #expect(view.freeze == "A2")
        #expect(view.filter == "A1:D5")
        // libxlsxwriter stores a width as Excel does: the characters shown plus the cell padding
        // of the default font (0.71), so Excel shows exactly the width asked for.
        #expect(view.widths.mapValues { ($0 * 1000).rounded() / 1000 } == ["A": 12.711, "B": 22.711, "C": 16.711, "D": 30.711])
        #expect(view.headerBold)
        #expect(view.headerFill == "FFDDEBF7")
        #expect(view.headerBorder == "thin")
        #expect(view.bodyFormat == "@")
    }

    private struct OpenpyxlView: Decodable {
        let sheets: [String]
        let rows: [[String?]]
        let notes: [[String?]]
        let freeze: String?
        let filter: String?
        let widths: [String: Double]
        let headerBold: Bool
        let headerFill: String?
        let headerBorder: String?
        let bodyFormat: String
    }

    @Test("A workbook written by openpyxl reads cell by cell")
    func readsOpenpyxlWorkbook() throws {
        let url = try Self.temporaryFile(named: "from-openpyxl.xlsx")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        _ = try Python.run(
            """
            import sys, datetime, openpyxl
            from openpyxl.cell.rich_text import CellRichText, TextBlock
            from openpyxl.cell.text import InlineFont
            wb = openpyxl.Workbook()
            ws = wb.active
            ws.title = "人员"
            ws.append(["姓名", "身份证号", "手机号", "出生日期", "日期文本", "金额", "数量", "已培训", "备注"])
            # Plain strings go to the shared-string table; rich text is written as an inline string.
            ws.append(["张三  ", 110105194912310020, 13800000000, datetime.date(1990, 5, 17), "1990-05-17",
                       1234.5, 42, True, CellRichText(["富文本", TextBlock(InlineFont(b=True), "加粗")])])
            # Row 3 stays empty on purpose.
            ws["A4"] = "李四"
            ws["B4"] = "11010519491231002X"
            ws["C4"] = "１３８００１３８０００"
            ws["D4"] = datetime.datetime(2024, 2, 29, 13, 45)
            ws["E4"] = "2024/2/29"
            ws["F4"] = 0.1
            ws["H4"] = False
            ws["I4"] = "#N/A"
            ws["A5"] = "王五"
            ws["D5"] = 45366
            ws["D5"].number_format = 'yyyy"年"m"月"d"日"'
            ws["E5"] = 0.5
            ws["E5"].number_format = "h:mm"
            ws["F5"] = 0.25
            ws["F5"].number_format = "0.00%"
            ws["I5"] = "RICH-SHARED"
            wb.create_sheet("第二页")["A1"] = "另一个工作表"
            wb.save(sys.argv[1])

            # openpyxl writes every string inline. Move plain ones into a shared-string table, as Excel
            # does, and make one shared entry rich text; A5 and the rich text in I2 stay inline strings.
            import re, zipfile
            with zipfile.ZipFile(sys.argv[1]) as package:
                parts = {name: package.read(name) for name in package.namelist()}
            items = []
            def share(match):
                if match.group(1) == "A5":
                    return match.group(0)
                if match.group(2) == "RICH-SHARED":
                    item = '<r><t>共享</t></r><r><rPr><b/></rPr><t xml:space="preserve">富文本 </t></r>'
                else:
                    item = '<t xml:space="preserve">%s</t>' % match.group(2)
                if item not in items:
                    items.append(item)
                return '<c r="%s" t="s"><v>%d</v></c>' % (match.group(1), items.index(item))
            plain_inline = r'<c r="([A-Z]+[0-9]+)" t="inlineStr"><is><t(?: xml:space="preserve")?>([^<]*)</t></is></c>'
            sheet = re.sub(plain_inline, share, parts["xl/worksheets/sheet1.xml"].decode())
            assert 't="inlineStr"><is><r>' in sheet and '<c r="A5" t="inlineStr">' in sheet
            parts["xl/worksheets/sheet1.xml"] = sheet.encode()
            parts["xl/sharedStrings.xml"] = (
                '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">%s</sst>'
                % (len(items), len(items), "".join("<si>%s</si>" % item for item in items))).encode()
            parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"</Types>",
                b'<Override PartName="/xl/sharedStrings.xml" '
                b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(b"</Relationships>",
                b'<Relationship Id="rIdSharedStrings" Target="sharedStrings.xml" '
                b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>')
            with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as package:
                for name, content in parts.items():
                    package.writestr(name, content)
            # The result must still be a workbook openpyxl itself accepts.
            assert openpyxl.load_workbook(sys.argv[1])["人员"]["I5"].value == "共享富文本 "
            """,
            arguments: [url.path]
        )

        let reader = try XLSXReader(url: url)
        #expect(reader.sheetNames == ["人员", "第二页"])
        let rows = Array(try reader.rows())
        #expect(rows.map(\.number) == [1, 2, 4, 5])
        #expect(rows[0].cells.map(\.text) == ["姓名", "身份证号", "手机号", "出生日期", "日期文本", "金额", "数量", "已培训", "备注"])

        let zhang = rows[1]
        #expect(zhang[0] == .text("张三  "))
        // The ID number went through a double: only its 15 significant digits survive, in E notation.
        guard case .number(let idValue, let idRaw) = zhang[1] else {
            Issue.record("ID number should read as a number, got \(zhang[1])")
            return
        }
        #expect(idRaw.uppercased().hasSuffix("E+17"))
        #expect(idValue == Double(idRaw))
        #expect(zhang[1].text == idRaw)
        #expect(zhang[2] == .number(13_800_000_000, raw: "13800000000"))
        #expect(zhang[2].text == "13800000000")
        #expect(zhang[3] == .date(year: 1990, month: 5, day: 17))
        #expect(zhang[3].text == "1990-05-17")
        #expect(zhang[4] == .text("1990-05-17"))
        #expect(zhang[5] == .number(1234.5, raw: "1234.5"))
        #expect(zhang[6] == .number(42, raw: "42"))
        #expect(zhang[7] == .bool(true))
        #expect(zhang[8] == .text("富文本加粗"))

        let li = rows[2]
        #expect(li.cells == [
            .text("李四"), .text("11010519491231002X"), .text("１３８００１３８０００"),
            .date(year: 2024, month: 2, day: 29), .text("2024/2/29"), .number(0.1, raw: "0.1"),
            .empty, .bool(false), .error("#N/A"),
        ])

        let wang = rows[3]
        #expect(wang.cells == [
            .text("王五"), .empty, .empty, .date(year: 2024, month: 3, day: 15),
            .number(0.5, raw: "0.5"), .number(0.25, raw: "0.25"), .empty, .empty, .text("共享富文本 "),
        ])

        #expect(Array(try reader.rows(sheet: "第二页")).map(\.cells) == [[.text("另一个工作表")]])
    }

    // MARK: Hand-written SpreadsheetML

    @Test("Excel-style parts: rich and phonetic shared strings, entities, escapes, formulas, gaps, prefixes")
    func readsHandWrittenWorkbook() throws {
        let sheet = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:dimension ref="A1:G12"/>
            <x:sheetData>
            <x:row r="1" spans="1:4"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c>\
            <x:c r="C1" t="s"><x:v>2</x:v></x:c><x:c r="E1" t="s"><x:v>6</x:v></x:c></x:row>
            <x:row r="2"><x:c r="A2" s="1"><x:v>59</x:v></x:c><x:c r="B2" s="1"><x:v>60</x:v></x:c>\
            <x:c r="C2" s="1"><x:v>61</x:v></x:c><x:c r="D2" s="2"><x:v>45366</x:v></x:c><x:c r="E2" s="3"><x:v>1.5</x:v></x:c>\
            <x:c r="F2" s="4"><x:v>3.14159</x:v></x:c><x:c r="G2" s="5"><x:v>45366.75</x:v></x:c>\
            <x:c r="H2" s="6"><x:v>42</x:v></x:c></x:row>
            <x:row r="3"><x:c r="A3" t="str"><x:f>A1&amp;"&lt;"</x:f><x:v>x&lt;y</x:v></x:c><x:c r="B3" t="e"><x:v>#DIV/0!</x:v></x:c>\
            <x:c r="C3" t="b"><x:v>0</x:v></x:c><x:c r="D3" t="s"><x:v>3</x:v></x:c><x:c r="E3" t="s"><x:v>4</x:v></x:c>\
            <x:c r="F3" t="s"><x:v>5</x:v></x:c><x:c r="G3"><x:f>1+1</x:f></x:c><x:c r="H3"><x:v></x:v></x:c></x:row>
            <x:row><x:c t="inlineStr"><x:is><x:t>无引用</x:t></x:is></x:c><x:c><x:v>7</x:v></x:c><x:c r="E4" t="inlineStr"><x:is><x:t>跳列</x:t></x:is></x:c></x:row>
            <x:row r="10"/>
            <x:row r="11"><x:c r="A11" s="1"/><x:c r="B11" s="2"></x:c></x:row>
            <!-- a comment with <x:c> inside -->
            <x:row r="12"><x:c r="A12" t="inlineStr"><x:is><x:t><![CDATA[<raw> & text]]></x:t></x:is></x:c>\
            <x:c r="B12" t="d"><x:v>2023-07-01T00:00:00</x:v></x:c></x:row>
            </x:sheetData></x:worksheet>
            """
        let data = try Self.workbookPackage(sheets: [("A&B 表", sheet)], sharedStrings: Self.excelSharedStrings)
        let reader = try XLSXReader(data: data)
        #expect(reader.sheetNames == ["A&B 表"])
        let rows = Array(try reader.rows(sheet: "A&B 表"))
        #expect(rows.map(\.number) == [1, 2, 3, 4, 12])
        // E1 points at an empty shared string, so the row ends at C1.
        #expect(rows[0].cells == [.text("纯文本"), .text("张三 "), .text("東京")])
        #expect(rows[1].cells == [
            .date(year: 1900, month: 2, day: 28), .date(year: 1900, month: 2, day: 29), .date(year: 1900, month: 3, day: 1),
            .date(year: 2024, month: 3, day: 15), .number(1.5, raw: "1.5"), .number(3.14159, raw: "3.14159"),
            .date(year: 2024, month: 3, day: 15), .number(42, raw: "42"),
        ])
        #expect(rows[2].cells == [
            .text("x<y"), .error("#DIV/0!"), .bool(false), .text("a&b <c> 中文 'q' \"d\""),
            .text("第一行\r\n第二行"), .text("_x0041_"),
        ])
        #expect(rows[3].cells == [.text("无引用"), .number(7, raw: "7"), .empty, .empty, .text("跳列")])
        #expect(rows[4].cells == [.text("<raw> & text"), .date(year: 2023, month: 7, day: 1)])
    }

    @Test("The 1904 date system, declared in workbookPr")
    func readsDate1904Workbook() throws {
        let sheet = """
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>\
            <row r="1"><c r="A1" s="1"><v>0</v></c><c r="B1" s="1"><v>43904</v></c></row>\
            </sheetData></worksheet>
            """
        let data = try Self.workbookPackage(sheets: [("Sheet1", sheet)], sharedStrings: nil, date1904: true)
        let rows = Array(try XLSXReader(data: data).rows())
        #expect(rows.first?.cells == [.date(year: 1904, month: 1, day: 1), .date(year: 2024, month: 3, day: 15)])
    }

    // MARK: Refusals and limits

    @Test("Files that are not .xlsx are refused with the Chinese message")
    func refusesWhatIsNotXLSX() throws {
        let csv = Data("姓名,身份证号,手机号\n张三,110105194912310020,13800000000\n".utf8)
        var generator = SplitMix64(seed: 42)
        let randomBytes = Data((0..<4096).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
        let emptyZip = Data([0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0, count: 18))
        let zipWithoutWorkbook = try XLSXZipWriter.archive(parts: [("hello.txt", Array("你好".utf8))])
        let legacyXLS = Data([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 504))

        for (label, data) in [("CSV", csv), ("random bytes", randomBytes), ("empty zip", emptyZip),
                              ("zip without workbook", zipWithoutWorkbook), ("legacy .xls", legacyXLS), ("nothing", Data())] {
            #expect(throws: SpreadsheetError.notXLSX, "\(label)") { try XLSXReader(data: data) }
        }

        let csvURL = try Self.temporaryFile(named: "导入.xlsx")
        defer { try? FileManager.default.removeItem(at: csvURL.deletingLastPathComponent()) }
        try csv.write(to: csvURL)
        #expect(throws: SpreadsheetError.notXLSX) { try XLSXReader(url: csvURL) }

        #expect(SpreadsheetError.notXLSX.message == "文件不是有效的 Excel（.xlsx）文件，请使用模板另存为 .xlsx 后上传")
        #expect(SpreadsheetError.notXLSX.localizedDescription == SpreadsheetError.notXLSX.message)
    }

    @Test("Encrypted, truncated and missing files get their own messages")
    func refusesEncryptedTruncatedAndMissingFiles() throws {
        let marker = "EncryptionInfo".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let encrypted = Data([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 120) + marker)
        #expect(throws: SpreadsheetError.passwordProtected) { try XLSXReader(data: encrypted) }

        let writer = XLSXWriter(sheetName: "表", columns: Self.personColumns)
        for index in 0..<200 { writer.append(["姓名\(index)", "身份证\(index)", nil, "备注"]) }
        let complete = try writer.finish()
        #expect(throws: SpreadsheetError.damaged) { try XLSXReader(data: complete.prefix(complete.count / 2)) }

        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("missing-\(UUID()).xlsx")
        #expect(throws: SpreadsheetError.unreadableFile) { try XLSXReader(url: missing) }
        #expect(throws: SpreadsheetError.sheetNotFound("不存在")) { try XLSXReader(data: complete).rows(sheet: "不存在") }
    }

    @Test("Too many rows and oversized parts are refused; trailing formatted rows do not count")
    func enforcesLimits() throws {
        let writer = XLSXWriter(sheetName: "表", columns: [XLSXColumn(title: "序号")])
        for index in 1...12 { writer.append(["\(index)"]) }
        let data = try writer.finish()
        #expect(throws: SpreadsheetError.tooManyRows(10)) { try XLSXReader(data: data, rowLimit: 10).rows() }
        #expect(Array(try XLSXReader(data: data, rowLimit: 13).rows()).count == 13)
        #expect(SpreadsheetError.tooManyRows(10).message.contains("10"))

        #expect(throws: SpreadsheetError.fileTooLarge(maximumBytes: 300)) {
            try XLSXReader(source: .bytes(data), rowLimit: 100,
                           limits: ZIPLimits(maximumEntryBytes: 300, maximumTotalBytes: 100_000, maximumEntries: 100)).rows()
        }

        // Excel often leaves an empty, formatted row far down; the three value rows are what count.
        let sheet = """
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>\
            <row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>\
            <row r="2"><c r="A2"><v>1</v></c></row><row r="3"><c r="A3"><v>2</v></c></row>\
            <row r="1048576" ht="20" customHeight="1"><c r="A1048576" s="0"/></row>\
            </sheetData></worksheet>
            """
        let formatted = try Self.workbookPackage(sheets: [("Sheet1", sheet)], sharedStrings: nil)
        #expect(Array(try XLSXReader(data: formatted, rowLimit: 5).rows()).map(\.number) == [1, 2, 3])

        let rowsWithoutNumbers = """
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>\
            \(String(repeating: "<row><c><v>1</v></c></row>", count: 6))</sheetData></worksheet>
            """
        let unnumbered = try Self.workbookPackage(sheets: [("Sheet1", rowsWithoutNumbers)], sharedStrings: nil)
        #expect(throws: SpreadsheetError.tooManyRows(5)) { try XLSXReader(data: unnumbered, rowLimit: 5).rows() }
        #expect(Array(try XLSXReader(data: unnumbered, rowLimit: 6).rows()).map(\.number) == [1, 2, 3, 4, 5, 6])
    }

    // MARK: Units

    @Test("Excel serial days, including the fictitious 1900-02-29")
    func convertsSerialDays() {
        func date(_ serial: Double, _ date1904: Bool = false) -> String? {
            XLSXDates.date(fromSerial: serial, date1904: date1904).map { XLSXDates.isoString(year: $0.year, month: $0.month, day: $0.day) }
        }
        #expect(date(1) == "1900-01-01")
        #expect(date(59) == "1900-02-28")
        #expect(date(60) == "1900-02-29")
        #expect(date(61) == "1900-03-01")
        #expect(date(45366) == "2024-03-15")
        #expect(date(45366.999) == "2024-03-15")
        #expect(date(45365.999_999_999_99) == "2024-03-15")  // midnight stored a hair early
        #expect(date(2_958_465) == "9999-12-31")
        #expect(date(0) == nil)
        #expect(date(-1) == nil)
        #expect(date(3_000_000) == nil)
        #expect(date(0, true) == "1904-01-01")
        #expect(date(43904, true) == "2024-03-15")
    }

    @Test("Number formats that show dates", arguments: [
        (14, nil, true), (22, nil, true), (31, nil, true), (57, nil, true), (0, nil, false), (49, nil, false),
        (164, "yyyy-mm-dd", true), (164, "[$-804]yyyy\"年\"m\"月\"d\"日\";@", true), (164, "mmm-yy", true),
        (164, "m/d/yy h:mm", true), (164, "h:mm", false), (164, "[h]:mm:ss", false), (164, "mm:ss", false),
        (164, "0.00%", false), (164, "#,##0.00_);[Red](#,##0.00)", false), (164, "\"day\"0", false),
        (164, "0.00E+00", false), (164, "@", false), (14, "0.00", false),
    ] as [(Int, String?, Bool)])
    func recognisesDateFormats(id: Int, code: String?, isDate: Bool) {
        #expect(XLSXDates.isDateFormat(id: id, code: code) == isDate)
    }

    @Test("Display text of each kind of cell")
    func displaysCells() {
        #expect(XLSXCell.empty.text == nil)
        #expect(XLSXCell.text(" 张三 ").text == " 张三 ")
        #expect(XLSXCell.number(1.1010519491231e17, raw: "1.10105194912310E+17").text == "1.10105194912310E+17")
        #expect(XLSXCell.date(year: 2024, month: 3, day: 5).text == "2024-03-05")
        #expect(XLSXCell.bool(true).text == "TRUE")
        #expect(XLSXCell.error("#N/A").text == "#N/A")
    }

    // MARK: Fixtures

    static let personColumns = [
        XLSXColumn(title: "姓名", width: 12), XLSXColumn(title: "身份证号", width: 22),
        XLSXColumn(title: "手机号", width: 16), XLSXColumn(title: "备注", width: 30),
    ]

    /// Shared strings as Excel writes them: plain, rich runs, a phonetic guide, entities, `_x000D_`, empty.
    static let excelSharedStrings = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="7" uniqueCount="7">\
        <si><t>纯文本</t></si>\
        <si><r><rPr><b/><sz val="11"/></rPr><t>张</t></r><r><t xml:space="preserve">三 </t></r></si>\
        <si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh><phoneticPr fontId="1"/></si>\
        <si><t>a&amp;b &lt;c&gt; &#20013;&#x6587; &apos;q&apos; &quot;d&quot;</t></si>\
        <si><t>第一行_x000D_
        第二行</t></si>\
        <si><t>_x005F_x0041_</t></si>\
        <si><t/></si>\
        </sst>
        """

    /// A minimal package around hand-written sheets, with the date styles used above.
    static func workbookPackage(sheets: [(name: String, xml: String)], sharedStrings: String?, date1904: Bool = false) throws -> Data {
        let escapedNames = sheets.map { $0.name.replacingOccurrences(of: "&", with: "&amp;") }
        let workbook = """
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
            xmlns:rel="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
            <workbookPr date1904="\(date1904 ? "1" : "0")"/><sheets>\
            \(escapedNames.enumerated().map { "<sheet name=\"\($1)\" sheetId=\"\($0 + 1)\" rel:id=\"rIdSheet\($0 + 1)\"/>" }.joined())\
            </sheets></workbook>
            """
        let relationships = """
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            \(sheets.indices.map { "<Relationship Id=\"rIdSheet\($0 + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"/xl/worksheets/data\($0 + 1).xml\"/>" }.joined())\
            <Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>\
            <Relationship Id="rIdStrings" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>\
            </Relationships>
            """
        let styles = """
            <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
            <numFmts count="3"><numFmt numFmtId="164" formatCode="[$-804]yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>\
            <numFmt numFmtId="165" formatCode="[h]:mm:ss"/><numFmt numFmtId="166" formatCode="0.00_);[Red](0.00)"/></numFmts>\
            <cellStyleXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellStyleXfs>\
            <cellXfs count="7"><xf numFmtId="0" xfId="0"/><xf numFmtId="14" xfId="0" applyNumberFormat="1"/>\
            <xf numFmtId="164" xfId="0"/><xf numFmtId="165" xfId="0"/><xf numFmtId="166" xfId="0"/>\
            <xf numFmtId="31" xfId="0"/><xf numFmtId="49" xfId="0"/></cellXfs></styleSheet>
            """
        let rootRelationships = """
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>\
            </Relationships>
            """
        var parts: [(path: String, bytes: [UInt8])] = [
            ("_rels/.rels", Array(rootRelationships.utf8)),
            ("xl/workbook.xml", Array(workbook.utf8)),
            ("xl/_rels/workbook.xml.rels", Array(relationships.utf8)),
            ("xl/styles.xml", Array(styles.utf8)),
        ]
        for (index, sheet) in sheets.enumerated() {
            parts.append(("xl/worksheets/data\(index + 1).xml", Array(sheet.xml.utf8)))
        }
        if let sharedStrings { parts.append(("xl/sharedStrings.xml", Array(sharedStrings.utf8))) }
        return try XLSXZipWriter.archive(parts: parts)
    }

    static func temporaryFile(named name: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("xlsx-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent(name)
    }
}

/// Deterministic bytes for the "random file" case.
private struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

/// Runs python3 with openpyxl, which CI installs; a missing interpreter or module fails the test clearly.
private enum Python {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static let installHint = "CI needs python3 with openpyxl: `python3 -m pip install openpyxl`"

    static func run(_ script: String, arguments: [String]) throws -> String {
        let errorLog = FileManager.default.temporaryDirectory.appendingPathComponent("python-stderr-\(UUID().uuidString).txt")
        _ = FileManager.default.createFile(atPath: errorLog.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorLog) }
        let errorHandle = try FileHandle(forWritingTo: errorLog)
        defer { try? errorHandle.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = errorHandle
        do {
            try process.run()
        } catch {
            throw Failure(description: "python3 could not be started (\(error)). \(installHint)")
        }
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let stderr = (try? String(contentsOf: errorLog, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            if process.terminationStatus == 127 {
                throw Failure(description: "python3 is not installed. \(installHint)")
            }
            if stderr.contains("No module named 'openpyxl'") {
                throw Failure(description: "openpyxl is not installed. \(installHint)")
            }
            throw Failure(description: "python3 exited with \(process.terminationStatus): \(stderr)")
        }
        return String(decoding: stdout, as: UTF8.self)
    }
}
