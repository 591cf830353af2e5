import Foundation
import Testing
@testable import SafeCertDocuments

/// Reads PDFs back with poppler-utils (installed by `scripts/install-deps.sh test`), so the
/// tests see what a viewer sees: extracted text, page count, metadata, embedded images.
private enum Poppler {
    static func run(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/\(tool)")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PopplerError(tool: tool, status: process.terminationStatus)
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Runs `body` on the PDF written to a temporary file.
    static func withFile<T>(_ pdf: Data, _ body: (String) throws -> T) throws -> T {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("safecert-pdf-\(UUID().uuidString).pdf")
        try pdf.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try body(url.path)
    }

    /// The text, with the line breaks and spaces that wrapping puts in the middle of phrases removed.
    static func text(_ pdf: Data) throws -> String {
        try withFile(pdf) { path in
            try run("pdftotext", ["-enc", "UTF-8", path, "-"]).filter { !$0.isWhitespace }
        }
    }

    static func info(_ pdf: Data) throws -> [String: String] {
        let output = try withFile(pdf) { try run("pdfinfo", ["-enc", "UTF-8", $0]) }
        var fields: [String: String] = [:]
        for line in output.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return fields
    }

    static func pageCount(_ pdf: Data) throws -> Int? {
        try info(pdf)["Pages"].flatMap { Int($0) }
    }

    /// `pdfimages -list` rows after its two header lines, split into columns
    /// (page num type width height color comp bpc enc interp object ID …).
    static func images(_ pdf: Data) throws -> [[String]] {
        let output = try withFile(pdf) { try run("pdfimages", ["-list", $0]) }
        return output.split(separator: "\n").dropFirst(2).map { $0.split(separator: " ").map(String.init) }
    }
}

private struct PopplerError: Error {
    let tool: String
    let status: Int32
}

private enum PDFFixture {
    /// A real JPEG the size of a 1-inch ID photo scan.
    static func photo(width: Int = 295, height: Int = 413) throws -> Data {
        var pixels = [UInt8]()
        pixels.reserveCapacity(width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                pixels += [UInt8((x * 255) / width), UInt8((y * 255) / height), UInt8((x + y) % 256)]
            }
        }
        return try JPEG.encode(rgb: pixels, width: width, height: height, quality: 85)
    }

    static let resume = """
        2005年9月至2009年7月，在吉林大学安全工程专业学习，获工学学士学位。\
        2009年8月至2015年12月，在长春市某建筑工程有限公司任安全员，负责施工现场的日常安全检查、隐患排查治理和作业人员安全教育培训工作。\
        2016年1月至今，任该公司安全生产管理部门负责人，组织编制安全生产规章制度和操作规程，主持应急预案演练，连续五年无生产安全责任事故。简历到此结束。
        """

    static func sheet(name: String = "张三", photo: Data?, resume: String = PDFFixture.resume) -> FormSheet {
        FormSheet(
            title: "安全生产考核报名表",
            subtitle: "（生产经营单位主要负责人）",
            number: "编号：AQ-2024-000123",
            rows: [
                .pair("姓名", name, "性别", "男"),
                .pair("身份证号", "110105194912310020", "民族", "汉族"),
                .pair("文化程度", "本科", "联系电话", "13800000000"),
                .pair("工作单位", "长春市某建筑工程有限公司", "职务", "安全部经理"),
                .wide("个人简历", resume),
                .wide("单位意见", "同意报名。", minHeight: 90),
            ],
            photo: photo,
            footer: ["单位盖章：                              日期：      年    月    日"]
        )
    }
}

@Suite("PDF generation")
struct PDFTests {
    @Test("A form sheet with Chinese text and a photo reads back as text, on one page")
    func formSheetReadsBack() throws {
        let photo = try PDFFixture.photo()
        let pdf = FormSheetRenderer.render([PDFFixture.sheet(photo: photo)])

        #expect(pdf.starts(with: Array("%PDF-".utf8)))
        let text = try Poppler.text(pdf)
        for expected in ["安全生产考核报名表", "张三", "110105194912310020", "个人简历", "单位意见", "单位盖章：", "编号：AQ-2024-000123"] {
            #expect(text.contains(expected), "missing \(expected)")
        }
        // The resume wraps over several lines; every part of it, first to last, is there.
        #expect(text.contains("2005年9月至2009年7月，在吉林大学安全工程专业学习"))
        #expect(text.contains("连续五年无生产安全责任事故。简历到此结束。"))
        #expect(!text.contains("照片"), "the photo box is labelled only when it has no photo")

        let info = try Poppler.info(pdf)
        #expect(info["Pages"] == "1")
        #expect(info["Title"] == "安全生产考核报名表")
        #expect(info["Page size"]?.hasPrefix("595.28 x 841.89") == true)
    }

    @Test("The photo is the JPEG itself, full size, not re-encoded pixels")
    func photoIsEmbeddedAsJPEG() throws {
        let pdf = FormSheetRenderer.render([PDFFixture.sheet(photo: try PDFFixture.photo(width: 295, height: 413))])
        let images = try Poppler.images(pdf)
        #expect(images.count == 1)
        // Columns: page num type width height color comp bpc enc …
        #expect(images.first?[3] == "295")
        #expect(images.first?[4] == "413")
        #expect(images.first?[8] == "jpeg")
    }

    @Test("A long wrapped text and several sheets paginate")
    func multipleSheetsGiveMultiplePages() throws {
        let sheets = ["张三", "李四", "王五"].map { PDFFixture.sheet(name: $0, photo: nil) }
        let pdf = FormSheetRenderer.render(sheets)
        #expect(try Poppler.pageCount(pdf) == 3)
        let text = try Poppler.text(pdf)
        #expect(text.contains("张三") && text.contains("李四") && text.contains("王五"))
    }

    @Test("A sheet longer than a page continues on the next, with nothing lost")
    func longTextContinues() throws {
        let resume = (1...60).map { "第\($0)段：负责施工现场的日常安全检查、隐患排查治理和作业人员安全教育培训工作。" }.joined()
        let pdf = FormSheetRenderer.render([PDFFixture.sheet(photo: nil, resume: resume + "全文完。")])
        let pages = try #require(try Poppler.pageCount(pdf))
        #expect(pages >= 2)
        let text = try Poppler.text(pdf)
        #expect(text.contains("安全生产考核报名表（续）"))
        for paragraph in [1, 30, 60] {
            #expect(text.contains("第\(paragraph)段：负责施工现场"))
        }
        #expect(text.contains("全文完。"))
        #expect(text.contains("单位盖章："))
    }

    @Test("An invalid JPEG leaves an empty photo box labelled 照片")
    func invalidJPEGDoesNotCrash() throws {
        let photo = try PDFFixture.photo()
        let damaged: [Data] = [
            Data(),
            Data([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10]),
            Data("not a jpeg at all".utf8),
            photo.prefix(photo.count / 2),
        ]
        for bad in damaged {
            let pdf = FormSheetRenderer.render([PDFFixture.sheet(photo: bad)])
            #expect(try Poppler.pageCount(pdf) == 1)
            #expect(try Poppler.text(pdf).contains("照片"))
            #expect(try Poppler.images(pdf).isEmpty)
        }
        let canvas = PDFCanvas()
        #expect(!canvas.jpeg(Data([0xFF, 0xD8, 0xFF]), x: 0, y: 0, width: 100, height: 100))
        #expect(canvas.jpeg(photo, x: 0, y: 0, width: 100, height: 100))
        #expect(!canvas.jpeg(photo, x: 0, y: 0, width: 0, height: 100))
    }

    @Test("Empty strings, no rows, huge and odd text")
    func degenerateInput() throws {
        let empty = FormSheetRenderer.render([FormSheet(title: "", rows: [.pair("", "", "", ""), FormSheet.Row([])])])
        #expect(try Poppler.pageCount(empty) == 1)

        let noRows = FormSheetRenderer.render([FormSheet(title: "空表", photoBox: true)])
        #expect(try Poppler.text(noRows).contains("照片"))

        let nothing = FormSheetRenderer.render([])
        #expect(try Poppler.pageCount(nothing) == 1)

        // One word far wider than its cell, control characters, and a value of 20 000 characters.
        let huge = String(repeating: "安全生产", count: 5_000)
        let odd = FormSheet(
            title: "标题\u{0}含控制字符\r\n第二行",
            rows: [
                .pair("长单词", String(repeating: "W", count: 300), "制表\t符", "\u{7}"),
                .wide("超长", huge),
            ]
        )
        let pdf = FormSheetRenderer.render([odd])
        let pages = try #require(try Poppler.pageCount(pdf))
        #expect(pages > 5)
        let text = try Poppler.text(pdf)
        #expect(text.contains("标题含控制字符第二行"))
        #expect(text.components(separatedBy: "安全生产").count - 1 >= 5_000)
    }

    @Test("Canvas pages: implicit first page, no blank pages, same JPEG embedded once")
    func canvasPages() throws {
        #expect(try Poppler.pageCount(PDFCanvas().finish()) == 1)

        let photo = try PDFFixture.photo()
        let canvas = PDFCanvas(title: "测试")
        canvas.beginPage() // the first page is still blank: no new page
        for page in 1...3 {
            canvas.beginPage()
            canvas.text("第\(page)页", x: 50, y: 50, width: 200, size: 12, bold: page == 2, align: .center, font: page == 3 ? .serif : .sans)
            canvas.jpeg(photo, x: 50, y: 100, width: 80, height: 120)
            canvas.line(x1: 50, y1: 300, x2: 300, y2: 300)
            canvas.rect(x: 40, y: 40, width: 300, height: 300, stroke: true, fill: nil)
            canvas.image(gray: [0, 255, 255, 0], pixelWidth: 2, pixelHeight: 2, x: 200, y: 100, width: 60, height: 60)
            canvas.image(gray: [0, 255], pixelWidth: 2, pixelHeight: 2, x: 200, y: 100, width: 60, height: 60) // wrong size: skipped
        }
        #expect(canvas.pageCount == 3)
        let pdf = canvas.finish()
        #expect(canvas.finish() == pdf)
        #expect(canvas.text("after finish", x: 0, y: 0, width: 100, size: 12) == 0)

        #expect(try Poppler.pageCount(pdf) == 3)
        #expect(try Poppler.info(pdf)["Title"] == "测试")
        let text = try Poppler.text(pdf)
        #expect(text.contains("第1页") && text.contains("第2页") && text.contains("第3页"))
        let images = try Poppler.images(pdf)
        let jpegObjects = Set(images.filter { $0[8] == "jpeg" }.map { $0[10] })
        #expect(images.filter { $0[8] == "jpeg" }.count == 3)
        #expect(jpegObjects.count == 1, "one image object shared by the three pages")
    }

    // Pango would add a hyphen where it breaks the number; the canvas turns that off, but
    // pdftotext cannot tell (the hyphen glyph belongs to the digit's cluster), so only the
    // wrapping and the text are checked here.
    @Test("A number too long for its line wraps and reads back whole")
    func longNumberWraps() throws {
        let canvas = PDFCanvas()
        let height = canvas.text("110105194912310020", x: 50, y: 50, width: 40, size: 10.5)
        #expect(height > canvas.textHeight("1", width: 40, size: 10.5) * 2, "the number wraps")
        let text = try Poppler.text(canvas.finish())
        #expect(text == "110105194912310020")
    }

    @Test("PDFs render concurrently")
    func concurrentRendering() async throws {
        let photo = try PDFFixture.photo()
        let names = ["张三", "李四", "王五", "赵六", "孙七", "周八"]
        let pdfs = await withTaskGroup(of: (String, Data).self) { group in
            for name in names {
                group.addTask { (name, FormSheetRenderer.render([PDFFixture.sheet(name: name, photo: photo)])) }
            }
            var results: [(String, Data)] = []
            for await result in group { results.append(result) }
            return results
        }
        #expect(pdfs.count == names.count)
        for (name, pdf) in pdfs {
            let text = try Poppler.text(pdf)
            #expect(text.contains(name) && text.contains("个人简历"))
        }
    }

    @Test("Text height grows with wrapping")
    func textHeights() {
        let canvas = PDFCanvas()
        let one = canvas.textHeight("安全", width: 200, size: 10.5)
        let many = canvas.textHeight(String(repeating: "安全", count: 100), width: 200, size: 10.5)
        #expect(one > 10 && one < 20)
        #expect(many > one * 10)
        #expect(canvas.textHeight("", width: 200, size: 10.5) == 0)
        #expect(canvas.text("居中", x: 0, y: 0, width: 100, size: 10.5, align: .center) == one)
        _ = canvas.finish()
    }
}
