import Fluent
import Foundation
import NIOCore
import SafeCertCore
import SafeCertDocuments
import Testing
import Vapor
import VaporTesting
import ZIPFoundation
@testable import SafeCertApp

/// Real JPEGs for the photo rules.
enum TestPhotos {
    static func jpeg(width: Int = 295, height: Int = 413) throws -> Data {
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let i = (y * width + x) * 3
                rgb[i] = UInt8(40 + (x * 180) / width)
                rgb[i + 1] = UInt8(60 + (y * 150) / height)
                rgb[i + 2] = UInt8((x ^ y) & 0xFF)
            }
        }
        return try JPEG.encode(rgb: rgb, width: width, height: height, quality: 92)
    }
}

extension WebClient {
    /// Posts multipart/form-data: fields and files (name, filename, data).
    @discardableResult
    func upload(_ path: String, fields: [String: String] = [:], files: [(String, String, Data)]) async throws -> TestingHTTPResponse {
        if csrf == nil { try await refreshCSRF() }
        let boundary = "----safecert\(UUID().uuidString)"
        var body = Data()
        var all = fields
        if let csrf { all["_csrf"] = csrf }
        for (name, value) in all {
            body.append("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".data(using: .utf8)!)
        }
        for (name, filename, data) in files {
            body.append("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\nContent-Type: application/octet-stream\r\n\r\n".data(using: .utf8)!)
            body.append(data)
            body.append("\r\n".data(using: .utf8)!)
        }
        body.append("--\(boundary)--\r\n".data(using: .utf8)!)
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
        return try await send(.POST, path, headers: headers, body: ByteBuffer(data: body))
    }
}

/// Runs a Python script; the tests use openpyxl and LibreOffice as outside judges.
func runTool(_ executable: String, _ arguments: [String]) throws -> (Int32, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [executable] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self))
}

@Suite("照片与 Excel") struct PeopleFilesTests {
    @Test("a 1-inch JPEG is stored with a thumbnail; a PNG renamed .jpg and a landscape photo are refused")
    func photoUpload() async throws {
        try await withSafeCert { t in
            let enterprise = try await t.loggedIn("enterprise")
            let person = try await t.register(enterprise, idNumber: TestIDs.make(20))
            let good = try await enterprise.upload("/people/\(person.id!)/photo.jpg", files: [("photo", "me.jpg", try TestPhotos.jpeg())])
            #expect(good.status == .seeOther)
            #expect(try await t.person(person.id!).hasPhoto)
            let image = try await enterprise.get("/people/\(person.id!)/photo.jpg")
            #expect(image.headers.contentType == .jpeg)
            let thumb = try await enterprise.get("/people/\(person.id!)/thumbnail.jpg")
            let info = try JPEG.inspect(Data(thumb.body.readableBytesView))
            #expect(info.width <= 120 && info.height <= 168)
            var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            png.append(Data(repeating: 7, count: 10_000))
            _ = try await enterprise.upload("/people/\(person.id!)/photo.jpg", files: [("photo", "fake.jpg", png)])
            #expect(try await enterprise.get("/people/\(person.id!)").body.string.contains("JPEG"))
            _ = try await enterprise.upload("/people/\(person.id!)/photo.jpg", files: [("photo", "wide.jpg", try TestPhotos.jpeg(width: 413, height: 295))])
            #expect(try await enterprise.get("/people/\(person.id!)").body.string.contains("5:7"))
            // Another enterprise can't see the photo.
            let group = try await t.loggedIn("group")
            #expect(try await group.get("/people/\(person.id!)/photo.jpg").status == .notFound)
        }
    }

    @Test("batch photos: files named by ID number, or one ZIP, matched with a report")
    func batchPhotos() async throws {
        try await withSafeCert { t in
            let enterprise = try await t.loggedIn("enterprise")
            let a = try await t.register(enterprise, idNumber: TestIDs.make(21), name: "甲某")
            let b = try await t.register(enterprise, idNumber: TestIDs.make(22), name: "乙某")
            let photo = try TestPhotos.jpeg()
            let archive = try Archive(accessMode: .create)
            try archive.addEntry(with: "\(b.idNumber.lowercased()).jpg", type: .file, uncompressedSize: Int64(photo.count),
                                 provider: { position, size in photo.subdata(in: Int(position)..<Int(position) + size) })
            let zip = try #require(archive.data)
            let response = try await enterprise.upload("/people/photos", files: [
                ("photos[]", "\(a.idNumber).jpg", photo),
                ("photos[]", "photos.zip", zip),
                ("photos[]", "\(TestIDs.make(99)).jpg", photo),
                ("photos[]", "notes.txt", Data("x".utf8)),
            ])
            #expect(response.status == .ok)
            let html = response.body.string
            #expect(html.contains("匹配 2"))
            #expect(html.contains("未匹配 1"))
            #expect(html.contains("不合格 1"))
            #expect(try await t.person(a.id!).hasPhoto)
            #expect(try await t.person(b.id!).hasPhoto)
        }
    }

    @Test("the people import: each bad row reported with row and reason, good rows saved, re-import changes nothing")
    func importFromOpenpyxl() async throws {
        try await withSafeCert { t in
            let enterprise = try await t.loggedIn("enterprise")
            let existing = try await t.register(enterprise, idNumber: TestIDs.make(30), name: "老员工")
            let valid = TestIDs.make(31)
            let lower = TestIDs.make(32, region: "220104")
            let wrongCheck = String(TestIDs.make(33).dropLast()) + (TestIDs.make(33).hasSuffix("1") ? "2" : "1")
            let fullWidth = TestIDs.make(34).map { c -> String in
                guard let d = c.wholeNumberValue else { return String(c) }
                return String(UnicodeScalar(0xFF10 + d)!)
            }.joined()
            let spaced = TestIDs.make(35)
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("import-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let file = dir.appendingPathComponent("people.xlsx")
            let script = """
            import openpyxl, datetime, sys
            wb = openpyxl.Workbook(); ws = wb.active; ws.title = "人员信息"
            ws.append(["姓名*", "证件类型", "证件号码*", "性别", "出生日期", "手机号码*", "民族", "学历", "所在单位统一社会信用代码", "参加工作日期", "备注"])
            ws.append(["有效行", "居民身份证", "\(valid)", None, None, "13900000101", "汉族", "本科", None, "2015-03-01", None])   # row 2
            ws.append(["错校验位", None, "\(wrongCheck)", None, None, "13900000102"])                                             # row 3
            ws.append(["小写x", None, "\(lower.lowercased())", None, None, "13900000103"])                                        # row 4
            ws.append(["数字身份证", None, 110105194912310020, None, None, "13900000104"])                                         # row 5
            ws.append(["文件内重复", None, "\(valid)", None, None, "13900000105"])                                                 # row 6
            ws.append(["老员工", None, "\(existing.idNumber)", None, None, "13900000106"])                                        # row 7
            ws.append([None, None, None, None])                                                                                  # row 8 (empty)
            ws.append(["全角数字", None, "\(fullWidth)", None, None, "13900000108"])                                              # row 9
            ws.append(["尾随空格  ", None, "\(spaced)   ", None, None, "13900000109  "])                                          # row 10
            ws.append(["序列日期", None, "\(TestIDs.make(36))", None, None, "13900000110", None, None, None, 42005])               # row 11
            ws["J11"].number_format = "General"
            wb.save(sys.argv[1])
            """
            let scriptURL = dir.appendingPathComponent("make.py")
            try script.write(to: scriptURL, atomically: true, encoding: .utf8)
            let (status, output) = try runTool("python3", [scriptURL.path, file.path])
            try #require(status == 0, "openpyxl is needed (pip install openpyxl): \(output)")

            let before = try await Person.query(on: t.db).count()
            let upload = try await enterprise.upload("/people/import", files: [("file", "people.xlsx", try Data(contentsOf: file))])
            #expect(upload.status == .seeOther)
            let jobPath = try #require(upload.headers.first(name: .location))
            let job = try await Self.waitForJob(enterprise, jobPath)
            let html = job.body.string
            #expect(html.contains("已完成"))
            // Saved: rows 2, 4, 9, 10, 11. Refused: 3, 5, 6. Left alone: 7.
            #expect(try await Person.query(on: t.db).count() == before + 5)
            #expect(try await Person.query(on: t.db).filter(\.$idNumber == lower.uppercased()).first() != nil)
            #expect(try await Person.query(on: t.db).filter(\.$idNumber == TestIDs.make(34)).first() != nil)
            let trimmed = try #require(try await Person.query(on: t.db).filter(\.$idNumber == spaced).first())
            #expect(trimmed.name == "尾随空格")
            #expect(trimmed.phone == "13900000109")
            #expect(try await Person.query(on: t.db).filter(\.$idNumber == TestIDs.make(36)).first()?.workStartDate == "2015-01-01")
            // An imported person is an ordinary record: found by id, approved, shown.
            let imported = try #require(try await Person.query(on: t.db).filter(\.$idNumber == valid).first())
            #expect(imported.$employer.id == (try await t.organization(named: "长春安达建筑工程有限公司")).id)
            #expect(imported.hasPhoto == false && imported.createdAt != nil)
            let province = try await t.loggedIn("province")
            #expect(try await province.post("/people/\(imported.id!)/approve").status == .seeOther)
            #expect(try await t.person(imported.id!).status == .approved)
            let problems = try #require(try await ImportJob.query(on: t.db).first()).decodedProblems
            func reason(_ row: Int) -> String { problems.filter { $0.row == row }.map(\.reason).joined() }
            #expect(reason(3).contains("校验位"))
            #expect(reason(5).contains("存成了数字"))
            #expect(reason(6).contains("与第 2 行"))
            #expect(reason(7).contains("已登记"))
            #expect(problems.allSatisfy { [3, 5, 6, 7].contains($0.row) })
            #expect(html.contains("存成了数字"))

            // The error file is a real xlsx with a reason column.
            let errors = try await enterprise.get(jobPath + "/errors.xlsx")
            let reader = try XLSXReader(data: Data(errors.body.readableBytesView))
            let rows = Array(try reader.rows())
            #expect(rows.count == 5)  // header + rows 3, 5, 6, 7
            #expect(rows.last?.cells.last?.text?.contains("已登记") == true)

            // The same file again changes nothing.
            let snapshot = try await Person.query(on: t.db).sort(\.$idNumber).all().map { "\($0.idNumber)|\($0.name)|\($0.phone)|\($0.status)" }
            let again = try await enterprise.upload("/people/import", files: [("file", "people.xlsx", try Data(contentsOf: file))])
            _ = try await Self.waitForJob(enterprise, try #require(again.headers.first(name: .location)))
            let after = try await Person.query(on: t.db).sort(\.$idNumber).all().map { "\($0.idNumber)|\($0.name)|\($0.phone)|\($0.status)" }
            #expect(after == snapshot)
        }
    }

    @Test("a file that isn't an xlsx is refused at upload with a clear message")
    func notAnXLSX() async throws {
        try await withSafeCert { t in
            let enterprise = try await t.loggedIn("enterprise")
            let response = try await enterprise.upload("/people/import", files: [("file", "people.csv", Data("姓名,证件号码\n张三,1\n".utf8))])
            #expect(response.status == .unprocessableEntity)
            #expect(response.body.string.contains(".xlsx"))
            #expect(try await ImportJob.query(on: t.db).count() == 0)
        }
    }

    @Test("exports open in LibreOffice; the data's owner gets full values, an export leaving it is masked; every export is audited")
    func exportMasking() async throws {
        try await withSafeCert { t in
            let enterprise = try await t.loggedIn("enterprise")
            let id = TestIDs.make(40)
            _ = try await t.register(enterprise, idNumber: id, name: "导出人", phone: "13812345678")
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            func csv(_ web: WebClient, _ name: String) async throws -> String {
                let response = try await web.get("/people/export.xlsx?name=导出人")
                #expect(response.status == .ok)
                let file = dir.appendingPathComponent("\(name).xlsx")
                try Data(response.body.readableBytesView).write(to: file)
                let (status, output) = try runTool("soffice", ["--headless", "-env:UserInstallation=file://\(dir.path)/lo-\(name)",
                                                               "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", dir.path, file.path])
                try #require(status == 0, "LibreOffice failed: \(output)")
                return try String(contentsOf: dir.appendingPathComponent("\(name).csv"), encoding: .utf8)
            }
            // The enterprise exports its own employee: the record is its own, the values in full.
            let own = try await csv(enterprise, "enterprise")
            #expect(own.contains("导出人"))
            #expect(own.contains(id))
            #expect(own.contains("13812345678"))
            // The association sees the region's people but doesn't keep them: masked.
            let association = try await t.loggedIn("association")
            let masked = try await csv(association, "association")
            #expect(masked.contains("导出人"))
            #expect(masked.contains(Masking.idNumber(id)))
            #expect(masked.contains("138****5678"))
            #expect(!masked.contains(id))
            let province = try await t.loggedIn("province")
            let full = try await csv(province, "province")
            #expect(full.contains(id))
            #expect(full.contains("13812345678"))
            let entries = try await AuditEntry.query(on: t.db).filter(\.$action == "person.export").sort(\.$at).all()
            #expect(entries.count == 3)
            #expect(entries.allSatisfy { $0.summary.contains("1 条") && $0.summary.contains("姓名=导出人") })
            #expect(entries.filter { $0.summary.contains("脱敏") }.map(\.organizationName) == ["吉林省安全生产协会"])
        }
    }

    static func waitForJob(_ web: WebClient, _ path: String) async throws -> TestingHTTPResponse {
        for _ in 0..<600 {
            let status = try await web.get(path + "/status")
            if status.body.string.contains("\"finished\":true") { return try await web.get(path) }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("import job did not finish")
        return try await web.get(path)
    }
}
