import Fluent
import Foundation
import SafeCertCore
import SafeCertDocuments
import Testing
import Vapor
import VaporTesting
@testable import SafeCertApp

/// ZIP bombs built byte by byte: `count` zero bytes deflated with fixed Huffman codes (13 bits
/// per 258 bytes), in entries whose headers claim 1,000 bytes.
enum ZIPBomb {
    static func deflatedZeros(_ count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer: UInt64 = 0
        var filled: UInt64 = 0
        func code(_ value: UInt32, _ length: Int) {
            var reversed: UInt64 = 0
            for bit in 0..<length where value & (1 << UInt32(bit)) != 0 { reversed |= 1 << UInt64(length - 1 - bit) }
            buffer |= reversed << filled
            filled += UInt64(length)
            while filled >= 8 { bytes.append(UInt8(buffer & 0xFF)); buffer >>= 8; filled -= 8 }
        }
        code(0b110, 3)  // BFINAL 1, BTYPE 01 (bits read low first: 1, then 1, 0)
        code(0x30, 8)
        var remaining = count - 1
        while remaining >= 258 { code(0xC5, 8); code(0, 5); remaining -= 258 }
        for _ in 0..<remaining { code(0x30, 8) }
        code(0, 7)
        if filled > 0 { bytes.append(UInt8(buffer & 0xFF)) }
        return bytes
    }

    static func archive(_ names: [String], inflating size: Int) -> Data {
        let payload = deflatedZeros(size)
        var out: [UInt8] = []
        var central: [UInt8] = []
        func u16(_ v: Int, _ into: inout [UInt8]) { into += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
        func u32(_ v: Int, _ into: inout [UInt8]) { into += (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        for name in names {
            let offset = out.count
            let path = Array(name.utf8)
            u32(0x0403_4B50, &out); u16(20, &out); u16(0x0800, &out); u16(8, &out); u16(0, &out); u16(0x21, &out)
            u32(0, &out); u32(payload.count, &out); u32(1_000, &out); u16(path.count, &out); u16(0, &out); out += path; out += payload
            u32(0x0201_4B50, &central); u16(20, &central); u16(20, &central); u16(0x0800, &central); u16(8, &central); u16(0, &central)
            u16(0x21, &central); u32(0, &central); u32(payload.count, &central); u32(1_000, &central); u16(path.count, &central)
            u16(0, &central); u16(0, &central); u16(0, &central); u16(0, &central); u32(0, &central); u32(offset, &central); central += path
        }
        let directory = out.count
        out += central
        u32(0x0605_4B50, &out); u16(0, &out); u16(0, &out); u16(names.count, &out); u16(names.count, &out)
        u32(central.count, &out); u32(directory, &out); u16(0, &out)
        return Data(out)
    }
}

extension TestApp {
    func photo(of name: String) async throws -> Data? {
        let p = try await person(named: name)
        return try await PersonPhoto.query(on: db).filter(\.$person.$id == p.id!).first()?.jpeg
    }

    func batchRow(_ name: String, health: String = "是", medical: String = "是") async throws -> [String] {
        [try await person(named: name).idNumber, name, "2014-03-01", "", health, medical, "从事电工作业", "同意"]
    }
}

@Suite("上传、导入与报名（加固）") struct EnrolmentHardeningTests {
    // MARK: ZIP bombs

    @Test("a photo ZIP bomb is refused with 413 and a Chinese message; no photo is stored or replaced")
    func photoBomb() async throws {
        try await withSafeCert { t in
            let zhao = try await t.person(named: "赵敏")
            let before = try await t.photo(of: "赵敏")
            let enterprise = try await t.loggedIn("enterprise")
            // 60 entries of just over 2 MB of zeros, headers claiming 1,000 bytes: each is cut at 2 MB,
            // and the 51st passes the 100 MB budget.
            let bomb = ZIPBomb.archive((0..<60).map { _ in "\(zhao.idNumber).jpg" }, inflating: 2 * 1024 * 1024 + 1_024)
            #expect(bomb.count < 1024 * 1024)
            let response = try await enterprise.upload("/people/photos", files: [("photos[]", "bomb.zip", bomb)])
            #expect(response.status == .payloadTooLarge)
            #expect(response.body.string.contains("压缩包「bomb.zip」：压缩包解压后超过 100 MB"))
            #expect(try await t.photo(of: "赵敏") == before)
            #expect(try await t.auditCount("person.photo-batch") == 0)
            // One entry of 200 MB: named as too large, not read past 2 MB; the photo stays.
            let single = ZIPBomb.archive(["\(zhao.idNumber).jpg"], inflating: 200 * 1024 * 1024)
            let one = try await enterprise.upload("/people/photos", files: [("photos[]", "one.zip", single)])
            #expect(one.body.string.contains("照片文件过大：解压后超过 2 MB"))
            #expect(try await t.photo(of: "赵敏") == before)
            // In batch enrolment the same bomb refuses the upload.
            let c = try await t.trainingClass(code: t.initialClassCode)
            let sheet = try t.batchFile([try await t.batchRow("赵敏")])
            let batch = try await enterprise.upload("/classes/\(c.id!)/enrol-batch", files: [("file", "报名.xlsx", sheet), ("photos[]", "bomb.zip", bomb)])
            #expect(batch.status == .payloadTooLarge)
            #expect(batch.body.string.contains("压缩包解压后超过 100 MB"))
            #expect(try await Enrolment.query(on: t.db).count() == 0)
        }
    }

    // MARK: Batch enrolment

    @Test("a refused batch changes nothing: the earlier rows' new photos are not stored")
    func batchIsAllOrNothingWithPhotos() async throws {
        try await withSafeCert { t in
            let c = try await t.trainingClass(code: t.initialClassCode)
            let zhaoPhoto = try await t.photo(of: "赵敏")
            let sunPhoto = try await t.photo(of: "孙磊")
            let newPhoto = try TestPhotos.jpeg(width: 300, height: 420)
            #expect(newPhoto != zhaoPhoto)
            let zhao = try await t.person(named: "赵敏")
            let sun = try await t.person(named: "孙磊")
            let rows = [try await t.batchRow("赵敏"), try await t.batchRow("孙磊"), try await t.batchRow("周杰", health: "也许")]
            let enterprise = try await t.loggedIn("enterprise")
            let refused = try await enterprise.upload("/classes/\(c.id!)/enrol-batch", files: [
                ("file", "报名.xlsx", try t.batchFile(rows)),
                ("photos[]", "\(zhao.idNumber).jpg", newPhoto), ("photos[]", "\(sun.idNumber).jpg", newPhoto),
            ])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("第 4 行"))
            #expect(try await t.photo(of: "赵敏") == zhaoPhoto)
            #expect(try await t.photo(of: "孙磊") == sunPhoto)
            #expect(try await Enrolment.query(on: t.db).count() == 0)
            #expect(try await t.auditCount("person.photo") == 0)
            // Corrected: enrolled, and the photos stored with them, in the same transaction.
            let fixed = [rows[0], rows[1], try await t.batchRow("周杰")]
            let ok = try await enterprise.upload("/classes/\(c.id!)/enrol-batch", files: [
                ("file", "报名.xlsx", try t.batchFile(fixed)),
                ("photos[]", "\(zhao.idNumber).jpg", newPhoto), ("photos[]", "\(sun.idNumber).jpg", newPhoto),
            ])
            #expect(ok.status == .ok)
            #expect(try await t.photo(of: "赵敏") == newPhoto)
            #expect(try await t.photo(of: "孙磊") == newPhoto)
            #expect(try await Enrolment.query(on: t.db).count() == 3)
            #expect(try await t.auditCount("person.photo") == 2)
        }
    }

    @Test("batch enrolment reports every problem of every row at once, in row order: format, photo and eligibility together")
    func everyProblemAtOnce() async throws {
        try await withSafeCert { t in
            let c = try await t.trainingClass(code: t.initialClassCode)
            let zhou = try await t.person(named: "周杰")
            var zhao = try await t.batchRow("赵敏", health: "也许")
            zhao[3] = "七十"
            let rows = [
                zhao,                                           // row 2: two format problems
                ["110101199003078515", "路人", "", "", "是", "是", "", ""],  // row 3: not registered here
                try await t.batchRow("周杰"),                    // row 4: photo is not a JPEG
                try await t.batchRow("孙磊", medical: "否"),      // row 5: no medical check (eligibility)
            ]
            let enterprise = try await t.loggedIn("enterprise")
            let response = try await enterprise.upload("/classes/\(c.id!)/enrol-batch", files: [
                ("file", "报名.xlsx", try t.batchFile(rows)), ("photos[]", "\(zhou.idNumber).jpg", Data("not a photo".utf8)),
            ])
            #expect(response.status == .unprocessableEntity)
            let body = response.body.string
            let expected = ["健康承诺（是/否）", "从业年限须为 0–60 的整数", "未在本单位登记的人员中找到该证件号码", "文件不是 JPEG 图片", "缺少体检合格证明"]
            let positions = expected.map { body.range(of: $0)?.lowerBound }
            #expect(positions.allSatisfy { $0 != nil }, "\(expected.filter { body.range(of: $0) == nil })")
            let found = positions.compactMap { $0 }
            #expect(found == found.sorted(), "problems in row order")
            for row in 2...5 { #expect(body.contains("第 \(row) 行")) }
            #expect(try await Enrolment.query(on: t.db).count() == 0)
        }
    }

    @Test("batch enrolment counts the class's places across the rows of the file")
    func batchCountsPlaces() async throws {
        try await withSafeCert { t in
            let c = try await t.trainingClass(code: t.initialClassCode)
            c.capacity = 2
            try await c.save(on: t.db)
            let enterprise = try await t.loggedIn("enterprise")
            let rows = [try await t.batchRow("赵敏"), try await t.batchRow("孙磊"), try await t.batchRow("周杰")]
            let response = try await enterprise.upload("/classes/\(c.id!)/enrol-batch", files: [("file", "报名.xlsx", try t.batchFile(rows))])
            #expect(response.status == .unprocessableEntity)
            #expect(response.body.string.contains("第 4 行") && response.body.string.contains("培训班已满（2 人）"))
            #expect(!response.body.string.contains("第 2 行"))
            #expect(try await Enrolment.query(on: t.db).count() == 0)
        }
    }

    // MARK: Templates

    @Test("the untouched templates import nobody and report no error (their example rows are skipped)")
    func untouchedTemplates() async throws {
        try await withSafeCert { t in
            let c = try await t.trainingClass(code: t.initialClassCode)
            let enterprise = try await t.loggedIn("enterprise")
            let template = try await enterprise.get("/enrolments/template.xlsx")
            #expect(template.status == .ok)
            let templateData = Data(template.body.readableBytesView)
            let rows = Array(try XLSXReader(data: templateData).rows())
            #expect(rows.count == 2 && rows[1][1].text == "示例：张三")
            let batch = try await enterprise.upload("/classes/\(c.id!)/enrol-batch", files: [("file", "模板.xlsx", templateData)])
            #expect(batch.status == .ok)
            #expect(batch.body.string.contains("示例行不会报名"))
            #expect(!batch.body.string.contains("batch-problems"))
            #expect(try await Enrolment.query(on: t.db).count() == 0)

            // The people template.
            let people = try await enterprise.get("/people/import/template.xlsx")
            let before = try await Person.query(on: t.db).count()
            let job = try await enterprise.upload("/people/import", files: [("file", "人员.xlsx", Data(people.body.readableBytesView))])
            let page = try await PeopleFilesTests.waitForJob(enterprise, try #require(job.headers.first(name: .location)))
            #expect(page.body.string.contains("已完成"))
            #expect(try await Person.query(on: t.db).count() == before)
            #expect(try await Person.query(on: t.db).filter(\.$idNumber == "11010519491231002X").count() == 0)
            #expect(try #require(try await ImportJob.query(on: t.db).first()).decodedProblems.isEmpty)

            // The candidate template.
            _ = try await t.trainedEmployees()
            let plan = try await t.approvedPlan(count: 1)
            let changchun = try await t.loggedIn("changchun")
            let candidates = try await changchun.get("/exam-plans/import-template.xlsx")
            let imported = try await changchun.upload("/exam-plans/\(plan.id!)/import", files: [("file", "考生.xlsx", Data(candidates.body.readableBytesView))])
            #expect(imported.status == .ok)
            #expect(imported.body.string.contains("示例行不导入"))
            #expect(!imported.body.string.contains("import-problems"))
            #expect(try await ExamCandidate.query(on: t.db).filter(\.$plan.$id == plan.id!).count() == 1)
        }
    }

    // MARK: Candidate import

    @Test("candidate import: every problem of a row at once, a report in pages, and 下载问题行 with the reasons")
    func candidateImportPages() async throws {
        try await withSafeCert { t in
            _ = try await t.trainedEmployees()
            let plan = try await t.approvedPlan(count: 1)
            let header = CandidateImportTemplate.Column.allCases.map(\.title)
            var rows: [[String]] = [["110101199003078515", "路人", "D", "", "123", "不存在的考场"]]
            for i in 0..<249 { rows.append([IDNumber.generate(region: "110101", birth: CalendarDate(year: 1990, month: 1, day: 1)!, sequence: i + 1).value, "无名\(i)", "", "", "", ""]) }
            let changchun = try await t.loggedIn("changchun")
            let first = try await changchun.upload("/exam-plans/\(plan.id!)/import", files: [("file", "c.xlsx", try t.xlsx(header, rows))])
            #expect(first.status == .unprocessableEntity)
            let body = first.body.string
            // Row 2 carries four problems, all named.
            for reason in ["人员类型应填 A、B 或 C", "联系电话", "「不存在的考场」不是本考试计划的考场", "未找到该证件号码的登记人员"] {
                #expect(body.contains(reason), "\(reason)")
            }
            #expect(body.contains("失败 253 处（250 行）"))
            #expect(body.components(separatedBy: "<tr><td>第 ").count - 1 == 100)
            let job = try #require(try await ImportJob.query(on: t.db).filter(\.$kind == "exam-candidates").first())
            #expect(job.subjectID == plan.id)
            let third = try await changchun.get("/exam-candidate-imports/\(job.id!)?page=3")
            #expect(third.status == .ok)
            #expect(third.body.string.components(separatedBy: "<tr><td>第 ").count - 1 == 53)
            #expect(third.body.string.contains("第 3 / 3 页"))
            let errors = try await changchun.get("/exam-candidate-imports/\(job.id!)/errors.xlsx")
            #expect(errors.status == .ok)
            let sheet = Array(try XLSXReader(data: Data(errors.body.readableBytesView)).rows())
            #expect(sheet.count == 251)
            #expect(sheet[0].cells.last?.text == "问题")
            #expect(sheet[1][0].text == "110101199003078515" && (sheet[1].cells.last?.text ?? "").contains("考场"))
            // Another organisation can't read the report.
            let institution = try await t.loggedIn("institution2")
            #expect(try await institution.get("/exam-candidate-imports/\(job.id!)").status == .notFound)
            #expect(try await institution.get("/exam-candidate-imports/\(job.id!)/errors.xlsx").status == .notFound)
            // The people import's list doesn't show candidate imports.
            #expect(try await changchun.get("/people/import/\(job.id!)").status != .ok)
        }
    }

    // MARK: Schools

    @Test("school enrolment is only for a school's students; an employee is refused; students skip confirmation")
    func schoolEnrolment() async throws {
        try await withSafeCert { t in
            let c = try await t.trainingClass(code: t.initialClassCode)
            let association = try await t.loggedIn("association")
            let zhang = try await t.person(named: "张伟")
            let refused = try await association.post("/classes/\(c.id!)/enrol", ["id_number": zhang.idNumber, "name": "张伟", "medical_check": "1"])
            #expect(refused.status == .unprocessableEntity)
            #expect(association.lastBody.contains("院校报名仅限院校学生：该人员的单位「吉林建工集团有限公司」是企业，不是院校"))
            #expect(try await Enrolment.query(on: t.db).count() == 0)
            let liu = try await t.person(named: "刘洋")
            let ok = try await association.post("/classes/\(c.id!)/enrol", ["id_number": liu.idNumber, "name": "刘洋", "medical_check": "1"])
            #expect(ok.status == .seeOther)
            let e = try await t.enrolment(of: "刘洋")
            #expect(e.kind == .school && e.state == .confirmed)

            // The institution, with both ways: ticking 院校 for an employee is refused, unticked it's ordinary.
            let institution = try await t.loggedIn("institution")
            let li = try await t.person(named: "李娜")
            li.$registeredBy.id = try await t.organization(named: "长春安全生产培训学校").id
            try await li.save(on: t.db)
            let asSchool = try await institution.post("/classes/\(c.id!)/enrol", ["id_number": li.idNumber, "name": "李娜", "medical_check": "1", "school": "1"])
            #expect(asSchool.status == .unprocessableEntity)
            #expect(institution.lastBody.contains("院校报名仅限院校学生"))
            #expect(try await institution.post("/classes/\(c.id!)/enrol", ["id_number": li.idNumber, "name": "李娜", "medical_check": "1"]).status == .seeOther)
            #expect(try await t.enrolment(of: "李娜").state == .submitted)
        }
    }

    @Test("batch school enrolment from the template: the association enrols students, an employee in the file refuses it")
    func batchSchoolEnrolment() async throws {
        try await withSafeCert { t in
            let c = try await t.trainingClass(code: t.initialClassCode)
            let association = try await t.loggedIn("association")
            let page = try await association.get("/classes/\(c.id!)/enrol-batch")
            #expect(page.status == .ok && page.body.string.contains("院校报名"))
            let liu = try await t.batchRow("刘洋")
            let zhang = try await t.batchRow("张伟")
            let refused = try await association.upload("/classes/\(c.id!)/enrol-batch", files: [("file", "院校.xlsx", try t.batchFile([liu, zhang]))])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("第 3 行") && refused.body.string.contains("院校报名仅限院校学生"))
            #expect(try await Enrolment.query(on: t.db).count() == 0)
            let ok = try await association.upload("/classes/\(c.id!)/enrol-batch", files: [("file", "院校.xlsx", try t.batchFile([liu]))])
            #expect(ok.status == .ok)
            #expect(ok.body.string.contains("院校报名，免确认"))
            let e = try await t.enrolment(of: "刘洋")
            #expect(e.kind == .school && e.state == .confirmed && e.channel == "school")
        }
    }

    @Test("a school is recorded with its 12… credit code, and an institution registers its students by that code")
    func schoolsAreRecorded() async throws {
        try await withSafeCert { t in
            let association = try await t.loggedIn("association")
            let code = try CreditCode.generate(region: "220100", serial: 777, type: "12").value
            let noCode = try await association.post("/organizations", ["name": "长春职业技术学院", "kind": "school", "region_code": "220100"])
            #expect(noCode.status == .unprocessableEntity)
            #expect(association.lastBody.contains("企业和院校必须填写统一社会信用代码"))
            let created = try await association.post("/organizations", ["name": "长春职业技术学院", "kind": "school", "region_code": "220100",
                                                                        "credit_code": code])
            #expect(created.status == .seeOther)
            let school = try await t.organization(named: "长春职业技术学院")
            #expect(school.kind == .school && school.creditCode == code)

            let institution = try await t.loggedIn("institution")
            let number = IDNumber.generate(region: "220104", birth: CalendarDate(year: 2005, month: 3, day: 9)!, sequence: 41).value
            let registered = try await institution.post("/people", [
                "name": "陈晨", "id_type": "residentID", "id_number": number, "phone": "13900000077",
                "employer_credit_code": code, "work_start_date": "",
            ])
            #expect(registered.status == .seeOther, "\(institution.lastBody.components(separatedBy: "field-error").dropFirst().first?.prefix(200) ?? "")")
            let student = try #require(try await Person.query(on: t.db).filter(\.$idNumber == number).first())
            #expect(student.$employer.id == school.id)
            // An organisation that employs nobody is still refused as an employer.
            let centre = try await t.organization(named: "长春市安全生产考核点")
            _ = try await institution.post("/people", [
                "name": "赵六", "id_type": "residentID", "id_number": IDNumber.generate(region: "220104", birth: CalendarDate(year: 2001, month: 1, day: 9)!, sequence: 43).value,
                "phone": "13900000078", "employer_credit_code": centre.creditCode ?? "",
            ])
            #expect(institution.lastBody.contains("人员的所在单位应为企业或院校"))
        }
    }

    // MARK: The class's dates

    @Test("check-in, results and review wait for the class to start; 开班 opens them")
    func stepsWaitForTheClass() async throws {
        try await withSafeCert { t in
            let c = try await t.trainingClass(code: t.initialClassCode)
            let e = try await t.trainedEnrolment(of: try await t.person(named: "赵敏"), channel: "enterprise")
            e.state = .confirmed
            try await e.save(on: t.db)
            let association = try await t.loggedIn("association")
            try await association.postPairs("/enrolments/check-in", [("ids", e.id!.uuidString)])
            #expect(try await Enrolment.find(e.id, on: t.db)?.state == .confirmed)
            let list = try await association.get("/enrolments")
            #expect(list.body.string.contains("开班后才能报到"))
            #expect(try await t.auditCount("enrolment.check-in") == 0)

            // Results can't be typed before the start either.
            e.state = .inTraining
            try await e.save(on: t.db)
            let institution = try await t.loggedIn("institution")
            let results = try await institution.get("/classes/\(c.id!)/results")
            #expect(results.body.string.contains("开班后才能录入培训结果"))
            let save = try await institution.postPairs("/classes/\(c.id!)/results", [("ids", e.id!.uuidString), ("hours_\(e.id!)", "40"), ("result_\(e.id!)", "pass")])
            #expect(save.status == .conflict)
            #expect(try await Enrolment.find(e.id, on: t.db)?.trainingHours == nil)

            // Nor reviewed.
            e.state = .trainingRecorded
            e.trainingHours = 40
            e.trainingPassed = true
            try await e.save(on: t.db)
            let changchun = try await t.loggedIn("changchun")
            try await changchun.postPairs("/enrolments/review", [("ids", e.id!.uuidString), ("decision", "pass")])
            #expect(try await Enrolment.find(e.id, on: t.db)?.state == .trainingRecorded)
            #expect(try await changchun.get("/enrolments").body.string.contains("开班后才能审核培训结果"))

            // 开班: the association starts the class, and the steps go through.
            try await association.post("/classes/\(c.id!)/state", ["event": "start"])
            #expect(try await TrainingClass.find(c.id, on: t.db)?.state == .running)
            try await changchun.postPairs("/enrolments/review", [("ids", e.id!.uuidString), ("decision", "pass")])
            #expect(try await Enrolment.find(e.id, on: t.db)?.state == .trained)
        }
    }

    // MARK: Bulk actions

    @Test("a bulk action with nothing ticked, or a return without a reason, shows the list again with the message, filters and ticks")
    func bulkRefusalsShowTheListAgain() async throws {
        try await withSafeCert { t in
            let c = try await t.trainingClass(code: t.initialClassCode)
            let enterprise = try await t.loggedIn("enterprise")
            _ = try await enterprise.upload("/classes/\(c.id!)/enrol-batch", files: [("file", "报名.xlsx", try t.batchFile([
                try await t.batchRow("赵敏"), try await t.batchRow("孙磊"),
            ]))])
            let zhao = try await t.enrolment(of: "赵敏")
            let changchun = try await t.loggedIn("changchun")
            let back = "/enrolments?state=submitted&name=%E8%B5%B5"
            let nothing = try await changchun.postPairs("/enrolments/confirm", [("decision", "confirm"), ("back", back)])
            #expect(nothing.status == .unprocessableEntity)
            let page = nothing.body.string
            #expect(page.contains("请先勾选要处理的报名"))
            #expect(page.contains("data-testid=\"enrolments-table\""))
            #expect(page.contains("value=\"赵\""))
            #expect(page.contains("赵敏") && !page.contains("孙磊"))
            // Refusing without a reason: the ticked row stays ticked.
            let noReason = try await changchun.postPairs("/enrolments/confirm", [("decision", "refuse"), ("ids", zhao.id!.uuidString), ("back", back)])
            #expect(noReason.status == .unprocessableEntity)
            #expect(noReason.body.string.contains("不予确认须填写原因"))
            #expect(noReason.body.string.contains("value=\"\(zhao.id!.uuidString)\" checked"))
            #expect(try await Enrolment.find(zhao.id, on: t.db)?.state == .submitted)
            // Check-in with nothing ticked, too.
            let association = try await t.loggedIn("association")
            let checkIn = try await association.postPairs("/enrolments/check-in", [])
            #expect(checkIn.status == .unprocessableEntity)
            #expect(checkIn.body.string.contains("请先勾选要处理的报名"))
        }
    }
}
