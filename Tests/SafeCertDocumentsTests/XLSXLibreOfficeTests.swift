import Foundation
import Testing
@testable import SafeCertDocuments

@Suite("XLSX files open in LibreOffice")
struct XLSXLibreOfficeTests {
    @Test("LibreOffice Calc opens the writer's file and reads its Chinese text, IDs and leading zeros")
    func libreOfficeOpensTheWorkbook() throws {
        let writer = XLSXWriter(sheetName: "人员名单", columns: [XLSXColumn(title: "姓名", width: 12), XLSXColumn(title: "证件号码", width: 22),
                                                          XLSXColumn(title: "编号")])
        writer.append(["张三", "110105194912310020", "007"])
        writer.append(["李四", "11010519491231002X", nil])
        writer.addNoteSheet(name: "填写说明", lines: ["身份证号按文本填写"])
        let data = try writer.finish()

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("xlsx-soffice-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("people.xlsx")
        try data.write(to: input)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/soffice")
        // A profile of its own, so parallel tests (or an open LibreOffice) cannot lock it out.
        process.arguments = ["-env:UserInstallation=file://\(directory.path)/profile", "--headless", "--norestore",
                             "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", directory.path, input.path]
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = directory.path
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)

        let csv = try String(contentsOf: directory.appendingPathComponent("people.csv"), encoding: .utf8)
        let lines = csv.split(whereSeparator: \.isNewline).map(String.init)
        #expect(lines == ["姓名,证件号码,编号", "张三,110105194912310020,007", "李四,11010519491231002X,"])
    }

    @Test("finishing twice gives the same file; rows appended after finishing are not written")
    func finishIsFinal() throws {
        let writer = XLSXWriter(sheetName: "表", columns: [XLSXColumn(title: "序号")])
        writer.append(["1"])
        let first = try writer.finish()
        writer.append(["2"])
        #expect(try writer.finish() == first)
        #expect(Array(try XLSXReader(data: first).rows()).map { $0[0].text } == ["序号", "1"])
    }
}
