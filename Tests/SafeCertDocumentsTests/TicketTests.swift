import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import ZIPFoundation
@testable import SafeCertDocuments

/// Runs the command-line tools that read documents back the way a person's tools would:
/// poppler-utils (pdftotext, pdfinfo, pdftoppm, pdfimages), zbar-tools (zbarimg) and
/// LibreOffice Writer (soffice), all installed by `scripts/install-deps.sh test`.
private enum Tool {
    struct Failure: Error, CustomStringConvertible {
        let command: String
        let status: Int32
        var description: String { "\(command) exited with status \(status)" }
    }

    /// Runs `/usr/bin/<tool>` and returns its standard output; a non-zero exit throws.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String], environment: [String: String]? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/\(tool)")
        process.arguments = arguments
        if let environment { process.environment = environment }
        let output = Pipe()
        process.standardOutput = output
        // zbarimg complains on stderr that it has no D-Bus; LibreOffice about Java. Neither matters.
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failure(command: tool, status: process.terminationStatus) }
        return String(decoding: data, as: UTF8.self)
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("safecert-tickets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Every QR code zbarimg finds in the image file, in its order; none is an empty array.
    static func decodeQR(imageAt path: String) throws -> [String] {
        do {
            // --raw prints only the data, one symbol per line.
            let output = try run("zbarimg", ["--raw", "-q", "--set", "disable", "--set", "qrcode.enable", path])
            return output.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        } catch let failure as Failure where failure.status == 4 {
            return [] // zbarimg's "no symbol found"
        }
    }

    /// Renders each page at 150 dpi (pdftoppm) and decodes its QR codes.
    static func decodeQRPerPage(pdf: Data) throws -> [[String]] {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let pdfPath = directory.appendingPathComponent("document.pdf").path
        try pdf.write(to: URL(fileURLWithPath: pdfPath))
        try run("pdftoppm", ["-r", "150", "-gray", "-png", pdfPath, directory.appendingPathComponent("page").path])
        let pages = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasPrefix("page") && $0.hasSuffix(".png") }
            .sorted { pageNumber($0) < pageNumber($1) }
        return try pages.map { try decodeQR(imageAt: directory.appendingPathComponent($0).path) }
    }

    /// pdftoppm names pages page-1.png or page-01.png depending on the page count.
    private static func pageNumber(_ name: String) -> Int {
        Int(name.dropFirst("page-".count).dropLast(".png".count)) ?? 0
    }

    static func withFile<T>(_ data: Data, suffix: String, _ body: (String) throws -> T) throws -> T {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("safecert-\(UUID().uuidString)\(suffix)")
        try data.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try body(url.path)
    }

    /// pdftotext's text with all whitespace removed (wrapping and LibreOffice's spacing between
    /// Chinese and Latin text put spaces in the middle of phrases).
    static func pdfText(_ pdf: Data) throws -> String {
        try withFile(pdf, suffix: ".pdf") { try run("pdftotext", ["-enc", "UTF-8", $0, "-"]) }.filter { !$0.isWhitespace }
    }

    static func pageCount(_ pdf: Data) throws -> Int? {
        let info = try withFile(pdf, suffix: ".pdf") { try run("pdfinfo", [$0]) }
        let line = info.split(separator: "\n").first { $0.hasPrefix("Pages:") }
        return line.flatMap { Int($0.dropFirst("Pages:".count).trimmingCharacters(in: .whitespaces)) }
    }

    /// `pdfimages -list` rows: page num type width height color comp bpc enc interp …
    static func pdfImages(_ pdf: Data) throws -> [[String]] {
        let output = try withFile(pdf, suffix: ".pdf") { try run("pdfimages", ["-list", $0]) }
        return output.split(separator: "\n").dropFirst(2).map { $0.split(separator: " ").map(String.init) }
    }

    /// Converts a .docx to PDF with LibreOffice, in a profile of its own so that parallel
    /// tests (or a LibreOffice someone has open) cannot lock each other out.
    static func convertToPDF(docx: Data) throws -> Data {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("tickets.docx")
        try docx.write(to: input)
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = directory.path
        try run("soffice", [
            "-env:UserInstallation=file://\(directory.path)/profile",
            "--headless", "--norestore", "--convert-to", "pdf", "--outdir", directory.path, input.path,
        ], environment: environment)
        return try Data(contentsOf: directory.appendingPathComponent("tickets.pdf"))
    }
}

private enum TicketFixture {
    static func photo(width: Int = 295, height: Int = 413, seed: Int = 0) throws -> Data {
        var pixels = [UInt8]()
        pixels.reserveCapacity(width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                pixels += [UInt8((x * 255) / width), UInt8((y * 255) / height), UInt8((x + y + seed) % 256)]
            }
        }
        return try JPEG.encode(rgb: pixels, width: width, height: height, quality: 85)
    }

    /// Shaped like the app's signed check-in token, different for every ticket.
    static func token(_ number: Int) -> String {
        "SC1.eyJ0IjoiMjAyNDExMDEwMDEyMyIsImUiOjE3MzIwNjQ0MDB9.\(number)-Zk3YmQ0N2E5YzFiOGU2ZDNhMmY1YjdjOWUwZDFhM2I0YzVkNmU3Zjg5YTBi"
    }

    static func ticket(name: String, seat: String, number: Int, photo: Data?) -> AdmissionTicket {
        AdmissionTicket(
            ticketNumber: "20241101\(String(format: "%05d", number))",
            photo: photo,
            name: name,
            maskedIDNumber: "2201**********\(String(format: "%04d", 1000 + number))",
            qualification: "特种作业·低压电工作业",
            examType: "安全技术理论考试（机考）",
            centre: "长春市安全生产考试中心",
            room: "第3考场",
            seat: seat,
            date: "2024年11月20日",
            time: "09:00–10:30",
            address: "吉林省长春市朝阳区人民大街100号安全培训大楼三层",
            qrPayload: token(number)
        )
    }

    static let people: [(name: String, seat: String)] = [("张三丰", "17"), ("李四光", "08"), ("王五常", "29")]
}

@Suite("QR codes")
struct QRCodeTests {
    @Test("A QR PNG decodes back to its text", arguments: [
        TicketFixture.token(42),
        "A",
        "0123456789012345678901234567890",
        "HTTPS://SAFECERT.EXAMPLE/VERIFY?T=ABC123",
        "https://safecert.example/check-in?token=" + String(repeating: "x9_-", count: 120),
    ])
    func pngRoundTrip(payload: String) throws {
        let code = try QRCode(text: payload)
        let png = code.png(scale: 4)
        let decoded = try Tool.withFile(png, suffix: ".png") { try Tool.decodeQR(imageAt: $0) }
        #expect(decoded == [payload])
    }

    @Test("Chinese text is encoded as UTF-8 and reads back")
    func chineseRoundTrip() throws {
        let payload = "准考证:张三丰/长春市安全生产考试中心/第3考场/17号"
        let png = try QRCode(text: payload).png(scale: 4)
        let decoded = try Tool.withFile(png, suffix: ".png") { try Tool.decodeQR(imageAt: $0) }
        #expect(decoded == [payload])
    }

    @Test("Symbol geometry: size from the version, finder patterns, light outside")
    func geometry() throws {
        let small = try QRCode(text: "SC1")
        #expect(small.version == 1)
        #expect(small.size == 21)
        #expect(small.errorCorrection == .medium)
        let token = try QRCode(text: TicketFixture.token(7))
        #expect(token.size == 17 + 4 * token.version)
        for code in [small, token] {
            let last = code.size - 1
            // The three finder patterns: dark corners and centres, a light ring inside, a light separator.
            for (cx, cy) in [(0, 0), (last - 6, 0), (0, last - 6)] {
                #expect(code.isDark(x: cx, y: cy) && code.isDark(x: cx + 6, y: cy + 6))
                #expect(code.isDark(x: cx + 3, y: cy + 3))
                #expect(!code.isDark(x: cx + 1, y: cy + 1))
            }
            #expect(!code.isDark(x: 7, y: 7))
            #expect(!code.isDark(x: -1, y: 0) && !code.isDark(x: 0, y: -1))
            #expect(!code.isDark(x: code.size, y: 0) && !code.isDark(x: 0, y: code.size))
            // The timing pattern alternates along row 6 between the finders.
            for x in 8..<(code.size - 8) {
                #expect(code.isDark(x: x, y: 6) == (x % 2 == 0))
            }
        }
        let high = try QRCode(text: TicketFixture.token(7), level: .high)
        #expect(high.size > token.size, "more error correction needs a larger symbol")
        #expect(try QRCode(text: "SC1") == small, "encoding is deterministic")
    }

    @Test("Text that cannot be a QR code is refused")
    func refusals() throws {
        #expect(throws: QRCodeError.emptyText) { try QRCode(text: "") }
        #expect(throws: QRCodeError.containsNUL) { try QRCode(text: "abc\u{0}def") }
        let tooLong = String(repeating: "载", count: 800) // 2,400 UTF-8 bytes; level M holds 2,331
        #expect(throws: QRCodeError.tooLong(byteCount: 2_400)) { try QRCode(text: tooLong) }
        // The largest symbol still works.
        let largest = try QRCode(text: String(repeating: "载", count: 777), level: .medium)
        #expect(largest.version == 40 && largest.size == 177)
    }

    @Test("PNG: grayscale, quiet zone, scale, small")
    func pngLayout() throws {
        let code = try QRCode(text: "SC1")
        let png = [UInt8](code.png(scale: 3))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        func bigEndian(_ offset: Int) -> Int { png[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) } }
        #expect(bigEndian(16) == (21 + 8) * 3)
        #expect(bigEndian(20) == (21 + 8) * 3)
        // Cairo writes its 1-bit surface as 8-bit grayscale; rows repeat, so it stays small.
        #expect(png[24] == 8 && png[25] == 0, "bit depth 8, grayscale")
        #expect(png.count < 2_000)
        #expect(String(decoding: png.suffix(8).prefix(4), as: UTF8.self) == "IEND")

        let modules = code.grayModules(quietZone: 4)
        #expect(modules.side == 29)
        #expect(modules.pixels[0] == 255 && modules.pixels[4 * 29 + 4] == 0)
        #expect(modules.pixels.filter { $0 == 0 }.count == (0..<21).reduce(0) { row, y in row + (0..<21).filter { code.isDark(x: $0, y: y) }.count })
    }

    @Test("A QR code drawn on a PDF page decodes after rendering")
    func canvasRoundTrip() throws {
        let payload = TicketFixture.token(1234)
        let canvas = PDFCanvas()
        canvas.text("扫码", x: 50, y: 40, width: 200, size: 12)
        canvas.qr(try QRCode(text: payload), x: 100, y: 100, side: 110)
        let pdf = canvas.finish()
        #expect(try Tool.decodeQRPerPage(pdf: pdf) == [[payload]])
        let images = try Tool.pdfImages(pdf)
        #expect(images.count == 1)
        #expect(images.first?[7] == "1", "a black-and-white image is stored at one bit per pixel")
        #expect(images.first?[9] == "no", "modules are not smoothed")
    }

    @Test("QR codes encode concurrently")
    func concurrentEncoding() async throws {
        let payloads = (0..<16).map { TicketFixture.token($0) }
        let serial = try payloads.map { try QRCode(text: $0) }
        let parallel = try await withThrowingTaskGroup(of: (Int, QRCode).self) { group in
            for (index, payload) in payloads.enumerated() {
                group.addTask { (index, try QRCode(text: payload)) }
            }
            var codes = [QRCode?](repeating: nil, count: payloads.count)
            for try await (index, code) in group { codes[index] = code }
            return codes
        }
        #expect(parallel == serial)
    }
}

@Suite("Admission tickets")
struct AdmissionTicketTests {
    @Test("The PDF has one page per ticket with names, seats and a QR code that decodes")
    func pdfTickets() throws {
        let photo = try TicketFixture.photo()
        let tickets = TicketFixture.people.enumerated().map { index, person in
            TicketFixture.ticket(name: person.name, seat: person.seat, number: index + 1, photo: photo)
        }
        let pdf = AdmissionTicketRenderer.pdf(tickets, title: "2024年第四季度安全生产考核考试准考证")

        #expect(try Tool.pageCount(pdf) == 3)
        let text = try Tool.pdfText(pdf)
        for ticket in tickets {
            #expect(text.contains(ticket.name), "missing \(ticket.name)")
            #expect(text.contains("座位号" + ticket.seat), "missing seat \(ticket.seat)")
            #expect(text.contains(ticket.ticketNumber) && text.contains(ticket.maskedIDNumber))
        }
        for expected in ["2024年第四季度安全生产考核考试准考证", "考生须知", "长春市安全生产考试中心", "第3考场",
                         "2024年11月20日", "09:00–10:30", "安全技术理论考试（机考）", "入场核验码",
                         "1.考生须凭本准考证和有效居民身份证原件参加考试", "7.本准考证须妥善保管"] {
            #expect(text.contains(expected), "missing \(expected)")
        }
        #expect(!text.contains("照片"), "the photo box is labelled only when it has no photo")
        #expect(!text.contains("（续）"), "a ticket fits on one page")

        // Page by page, the QR code is that page's ticket's payload.
        #expect(try Tool.decodeQRPerPage(pdf: pdf) == tickets.map { [$0.qrPayload] })

        // Each page: the photo (the JPEG itself, shared) and a 1-bit QR image.
        let images = try Tool.pdfImages(pdf)
        #expect(images.filter { $0[8] == "jpeg" }.count == 3)
        #expect(Set(images.filter { $0[8] == "jpeg" }.map { $0[10] }).count == 1, "one photo object for the three pages")
        #expect(images.filter { $0[7] == "1" }.map { $0[0] } == ["1", "2", "3"])
    }

    @Test("Missing or broken photos, no QR payload, too long a payload, odd text")
    func degenerateTickets() throws {
        #expect(try Tool.pageCount(AdmissionTicketRenderer.pdf([], title: "空")) == 1)

        var noPhoto = TicketFixture.ticket(name: "赵六", seat: "1", number: 1, photo: nil)
        noPhoto.qrPayload = ""
        var brokenPhoto = TicketFixture.ticket(name: "孙七", seat: "2", number: 2, photo: Data("not a jpeg".utf8))
        brokenPhoto.qrPayload = String(repeating: "长", count: 1_000)
        var odd = TicketFixture.ticket(name: "周\u{0}八\r\n", seat: "3", number: 3, photo: nil)
        odd.address = String(repeating: "很长的地址", count: 40)
        odd.rules = []

        let pdf = AdmissionTicketRenderer.pdf([noPhoto, brokenPhoto, odd])
        #expect(try Tool.pageCount(pdf) == 3)
        let text = try Tool.pdfText(pdf)
        #expect(text.contains("考试准考证"), "the default title")
        #expect(text.contains("赵六") && text.contains("孙七") && text.contains("周八"))
        #expect(text.components(separatedBy: "照片").count - 1 == 3)
        #expect(text.contains("二维码无法生成"))
        #expect(text.components(separatedBy: "很长的地址").count - 1 == 40)
        // Only the third ticket's QR code is an image: no readable photo, no other QR code.
        let images = try Tool.pdfImages(pdf)
        #expect(images.map { [$0[0], $0[7]] } == [["3", "1"]])
        #expect(try Tool.decodeQRPerPage(pdf: pdf) == [[], [], [odd.qrPayload]])
    }

    @Test("Rules too long for the page continue on the next one, nothing lost")
    func longRulesContinue() throws {
        var ticket = TicketFixture.ticket(name: "吴九", seat: "9", number: 9, photo: try TicketFixture.photo())
        ticket.rules = (1...60).map { "第\($0)条：考生应遵守考场纪律，服从监考人员的安排，不得在考场内喧哗或随意走动。" }
        let pdf = AdmissionTicketRenderer.pdf([ticket, TicketFixture.ticket(name: "郑十", seat: "10", number: 10, photo: nil)], title: "测试准考证")
        let pages = try #require(try Tool.pageCount(pdf))
        #expect(pages >= 3)
        let text = try Tool.pdfText(pdf)
        #expect(text.contains("测试准考证（续）"))
        for rule in [1, 30, 60] {
            #expect(text.contains("\(rule).第\(rule)条：考生应遵守考场纪律"), "missing rule \(rule)")
        }
        let codes = try Tool.decodeQRPerPage(pdf: pdf)
        #expect(codes.first == [ticket.qrPayload], "the QR code is on the ticket's first page")
        #expect(codes.last == [TicketFixture.token(10)], "the next ticket starts a page of its own")
        #expect(codes.dropFirst().dropLast().allSatisfy { $0.isEmpty })
    }

    @Test("The .docx is a WordprocessingML package with pictures and well-formed XML")
    func docxPackage() throws {
        let photo = try TicketFixture.photo()
        let tickets = TicketFixture.people.enumerated().map { index, person in
            TicketFixture.ticket(name: person.name, seat: person.seat, number: index + 1, photo: photo)
        }
        var withAmpersand = tickets[0]
        withAmpersand.name = "A&B <测试>"
        let docx = try AdmissionTicketRenderer.docx(tickets + [withAmpersand], title: "考核考试准考证 & 须知")
        #expect(docx.starts(with: [0x50, 0x4B, 0x03, 0x04]))

        let archive = try Archive(data: docx, accessMode: .read)
        func part(_ path: String) throws -> Data {
            let entry = try #require(archive[path], "missing \(path)")
            var data = Data()
            _ = try archive.extract(entry) { data.append($0) }
            return data
        }
        for path in ["[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/_rels/document.xml.rels", "word/styles.xml", "docProps/core.xml"] {
            let xml = try part(path)
            let parser = XMLParser(data: xml)
            #expect(parser.parse(), "\(path) is not well-formed XML")
        }
        let media = archive.map(\.path).filter { $0.hasPrefix("word/media/") }.sorted()
        #expect(media.filter { $0.hasSuffix(".jpeg") }.count == 1, "the shared photo is stored once")
        #expect(media.filter { $0.hasSuffix(".png") }.count == 4, "one QR code per ticket")
        let document = String(decoding: try part("word/document.xml"), as: UTF8.self)
        #expect(document.contains("张三丰") && document.contains("A&amp;B &lt;测试&gt;"))
        #expect(document.components(separatedBy: "<w:pageBreakBefore/>").count - 1 == 3)
        let relationships = String(decoding: try part("word/_rels/document.xml.rels"), as: UTF8.self)
        for path in media {
            #expect(relationships.contains("Target=\"\(path.dropFirst("word/".count))\""))
        }
        // The QR PNGs decode to their tickets' payloads.
        let firstQR = try part(try #require(media.first { $0.hasSuffix(".png") }))
        #expect(try Tool.withFile(firstQR, suffix: ".png") { try Tool.decodeQR(imageAt: $0) } == [tickets[0].qrPayload])
    }

    @Test("LibreOffice opens the .docx: one page per ticket, the text and the QR codes survive")
    func docxOpensInLibreOffice() throws {
        let photo = try TicketFixture.photo()
        let tickets = TicketFixture.people.prefix(2).enumerated().map { index, person in
            TicketFixture.ticket(name: person.name, seat: person.seat, number: index + 1, photo: index == 0 ? photo : nil)
        }
        let docx = try AdmissionTicketRenderer.docx(tickets, title: "2024年安全生产考核考试准考证")
        let pdf = try Tool.convertToPDF(docx: docx)

        #expect(try Tool.pageCount(pdf) == 2)
        let text = try Tool.pdfText(pdf)
        for ticket in tickets {
            #expect(text.contains(ticket.name), "missing \(ticket.name)")
            #expect(text.contains("座位号" + ticket.seat) && text.contains(ticket.ticketNumber))
        }
        for expected in ["2024年安全生产考核考试准考证", "考生须知", "照片", "入场核验码", "1.考生须凭本准考证"] {
            #expect(text.contains(expected), "missing \(expected)")
        }
        #expect(try Tool.decodeQRPerPage(pdf: pdf) == tickets.map { [$0.qrPayload] })
    }
}
