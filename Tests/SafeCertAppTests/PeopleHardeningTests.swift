import Fluent
import Foundation
import SafeCertCore
import SafeCertDocuments
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import SafeCertApp

extension TestApp {
    /// A person of the enterprise registered through the form with any document.
    @discardableResult
    func registerDocument(_ web: WebClient, type: IDDocumentType, number: String, name: String, gender: String = "male",
                          birth: String = "1986-05-04", phone: String = "13900139000") async throws -> TestingHTTPResponse {
        try await web.post("/people", ["id_type": type.rawValue, "id_number": number, "name": name, "phone": phone,
                                       "gender": gender, "birth_date": birth])
    }
}

@Suite("人员：证件、审批、个人维护与导出") struct PeopleHardeningTests {
    @Test("a passport H12345678 and a Hong Kong permit H12345678 are two people; the same document twice is refused")
    func keyedOnTypeAndNumber() async throws {
        try await withSafeCert { t in
            let enterprise = try await t.loggedIn("enterprise")
            #expect(try await t.registerDocument(enterprise, type: .passport, number: "H12345678", name: "陈大文").status == .seeOther)
            let group = try await t.loggedIn("group")
            let permit = try await t.registerDocument(group, type: .hongKongMacauPermit, number: "h12345678", name: "李小龙")
            #expect(permit.status == .seeOther, "\(group.lastBody.components(separatedBy: "field-error\">").dropFirst().map { $0.prefix(80) })")
            let holders = try await Person.query(on: t.db).filter(\.$idNumber == "H12345678").sort(\.$name).all()
            #expect(holders.map(\.idType).sorted { $0.rawValue < $1.rawValue } == [.hongKongMacauPermit, .passport])
            // The same permit again — even in its old 11-character form — is the same person.
            let again = try await t.registerDocument(group, type: .hongKongMacauPermit, number: "H1234567801", name: "李小龙")
            #expect(again.status == .unprocessableEntity)
            #expect(again.body.string.contains("该港澳居民来往内地通行证号码已登记"))
            #expect(try await Person.query(on: t.db).filter(\.$idNumber == "H12345678").count() == 2)
            // The database itself refuses a second (type, number) and accepts a third type.
            let duplicate = try Person(id: nil, draft: PersonDraft(identity: PersonIdentity(type: .passport, number: "H12345678"), gender: .male,
                                                                   birthDate: CalendarDate(year: 1980, month: 1, day: 1), name: "重复",
                                                                   phone: PhoneNumber("13900000000")),
                                       regionCode: "220100", employerID: nil, registeredByID: nil)
            await #expect(throws: (any Error).self) { try await duplicate.create(on: t.db) }
        }
    }

    @Test("documents other than the resident ID ask for gender and birth date; permit formats are checked")
    func genderAndBirthAsked() async throws {
        try await withSafeCert { t in
            let enterprise = try await t.loggedIn("enterprise")
            let form = try await enterprise.get("/people/new").body.string
            #expect(form.contains("name=\"gender\"") && form.contains("name=\"birth_date\""))
            let missing = try await t.registerDocument(enterprise, type: .taiwanPermit, number: "12345678", name: "林志明", gender: "", birth: "")
            #expect(missing.status == .unprocessableEntity)
            #expect(missing.body.string.contains("台湾居民来往大陆通行证须填写性别"))
            #expect(missing.body.string.contains("台湾居民来往大陆通行证须填写出生日期"))
            let child = try await t.registerDocument(enterprise, type: .taiwanPermit, number: "12345678", name: "林志明", birth: "2019-02-03")
            #expect(child.body.string.contains("未满 16 周岁"))
            let badPermit = try await t.registerDocument(enterprise, type: .hongKongMacauPermit, number: "A1234567", name: "林志明")
            #expect(badPermit.body.string.contains("H（香港）或 M（澳门）加 8 位数字"))
            #expect(try await Person.query(on: t.db).filter(\.$name == "林志明").count() == 0)
            #expect(try await t.registerDocument(enterprise, type: .taiwanPermit, number: "1234567801(B)", name: "林志明", gender: "female",
                                                 birth: "1979-10-10").status == .seeOther)
            let person = try #require(try await Person.query(on: t.db).filter(\.$name == "林志明").first())
            #expect(person.idNumber == "12345678" && person.gender == "female" && person.birthDate == "1979-10-10")
            // For a resident ID, typed gender and birth date are not taken: the number says.
            let id = TestIDs.make(60)
            #expect(try await t.registerDocument(enterprise, type: .residentID, number: id, name: "王大明", gender: "female", birth: "2000-01-01").status == .seeOther)
            let resident = try #require(try await Person.query(on: t.db).filter(\.$idNumber == id).first())
            #expect(resident.birthDate == (try IDNumber(id)).birthDate.iso)
            #expect(resident.gender == (try IDNumber(id)).gender.rawValue)
        }
    }

    @Test("the import keeps a second person with the same number on another document; gender and birth are read")
    func importKeysOnTypeAndNumber() async throws {
        try await withSafeCert { t in
            let enterprise = try await t.loggedIn("enterprise")
            #expect(try await t.registerDocument(enterprise, type: .passport, number: "H87654321", name: "护照人").status == .seeOther)
            let header = PersonImportTemplate.Column.allCases.map(\.title)
            let sheet = try t.xlsx(header, [
                ["回乡证人", "港澳居民来往内地通行证", "H87654321", "女", "1990-06-01", "13900000201"],
                ["护照人", "护照", "H87654321", "男", "1986-05-04", "13900000202"],
                ["缺性别", "台湾居民来往大陆通行证", "87654321", "", "1990-06-01", "13900000203"],
            ])
            let upload = try await enterprise.upload("/people/import", files: [("file", "people.xlsx", sheet)])
            #expect(upload.status == .seeOther)
            let job = try await PeopleFilesTests.waitForJob(enterprise, try #require(upload.headers.first(name: .location)))
            #expect(job.body.string.contains("已完成"))
            let permit = try #require(try await Person.query(on: t.db).filter(\.$idType == .hongKongMacauPermit).filter(\.$idNumber == "H87654321").first())
            #expect(permit.name == "回乡证人" && permit.gender == "female" && permit.birthDate == "1990-06-01")
            #expect(try await Person.query(on: t.db).filter(\.$idNumber == "H87654321").count() == 2)
            let problems = try #require(try await ImportJob.query(on: t.db).first()).decodedProblems
            #expect(problems.first { $0.row == 3 }?.reason.contains("已登记") == true)
            #expect(problems.first { $0.row == 4 }?.reason == "台湾居民来往大陆通行证须填写性别")
            #expect(problems.count == 2)
        }
    }

    @Test("the identity-key migration reverts and applies again on the database in use")
    func migrationReverts() async throws {
        try await withSafeCert { t in
            let migration = AddPersonIdentityKey()
            try await migration.revert(on: t.db)
            func person(_ type: IDDocumentType, _ name: String) throws -> Person {
                try Person(id: nil, draft: PersonDraft(identity: PersonIdentity(type: type, number: "M11112222"), gender: .female,
                                                       birthDate: CalendarDate(year: 1980, month: 1, day: 1), name: name, phone: PhoneNumber("13900000000")),
                           regionCode: "220100", employerID: nil, registeredByID: nil)
            }
            try await person(.passport, "甲").create(on: t.db)
            // Reverted: the number alone is unique again.
            await #expect(throws: (any Error).self) { try await person(.hongKongMacauPermit, "乙").create(on: t.db) }
            try await migration.prepare(on: t.db)
            try await person(.hongKongMacauPermit, "乙").create(on: t.db)
            #expect(try await Person.query(on: t.db).filter(\.$idNumber == "M11112222").count() == 2)
            // Rows and the rest of the data survive the rebuild.
            #expect(try await Person.query(on: t.db).filter(\.$name == "张伟").first()?.hasPhoto == true)
            #expect(try await Account.query(on: t.db).filter(\.$person.$id != nil).count() == DemoSeed.people.count)
        }
    }

    @Test("人员信息审批: filters, 批量通过 and 批量退回 with a reason, scoped to the authority's region, audited")
    func batchReview() async throws {
        try await withSafeCert { t in
            let enterprise = try await t.loggedIn("enterprise")
            let a = try await t.register(enterprise, idNumber: TestIDs.make(61), name: "批量甲")
            let b = try await t.register(enterprise, idNumber: TestIDs.make(62), name: "批量乙")
            let c = try await t.register(enterprise, idNumber: TestIDs.make(63), name: "批量丙")
            let branch = try await t.loggedIn("branch")
            let other = try await t.register(branch, idNumber: TestIDs.make(64, region: "220202"), name: "吉林市人")
            let changchun = try await t.loggedIn("changchun")
            // Filters: name, the registering unit, region, date.
            let byName = try await changchun.get("/people/review?name=批量甲").body.string
            #expect(byName.contains("批量甲") && !byName.contains("批量乙"))
            let byUnit = try await changchun.get("/people/review?registered_by=长春安达").body.string
            #expect(byUnit.contains("批量甲") && byUnit.contains("批量丙"))
            #expect(!(try await changchun.get("/people/review?registered_by=本人").body.string.contains("批量甲")))
            // Registration days are the records' own timestamps.
            let today = CalendarDate.today(now: try #require(b.createdAt))
            #expect(try await changchun.get("/people/review?from=\(today.iso)&to=\(today.iso)").body.string.contains("批量乙"))
            #expect(!(try await changchun.get("/people/review?from=\(today.adding(days: 1).iso)").body.string.contains("批量乙")))
            #expect(try await changchun.get("/people/review?from=2026-02-30").status == .badRequest)
            #expect(!(try await changchun.get("/people/review").body.string.contains("吉林市人")))
            // 批量退回 needs a reason; nothing changes without one.
            let pairs = [a, b].map { ("ids", $0.id!.uuidString) }
            try await changchun.postPairs("/people/review/decide", pairs + [("decision", "return"), ("reason", "")])
            #expect(try await t.person(a.id!).status == .submitted)
            try await changchun.postPairs("/people/review/decide", [("ids", c.id!.uuidString), ("decision", "return"), ("reason", "照片不清晰")])
            #expect(try await t.person(c.id!).status == .returned)
            #expect(try await t.person(c.id!).statusReason == "照片不清晰")
            // 批量通过: the two of Changchun; another city's person in the list is left alone and named.
            let done = try await changchun.postPairs("/people/review/decide", pairs + [("ids", other.id!.uuidString), ("decision", "approve")])
            #expect(done.status == .seeOther)
            #expect(try await t.person(a.id!).status == .approved)
            #expect(try await t.person(b.id!).status == .approved)
            #expect(try await t.person(other.id!).status == .submitted)
            let page = try await changchun.get(try #require(done.headers.first(name: .location))).body.string
            #expect(page.contains("批量通过：已处理 2 人"))
            #expect(page.contains("不在您的审批范围内"))
            #expect(try await t.auditCount("person.approve") == 2)
            #expect(try await t.auditCount("person.return") == 1)
            // Approved people are no longer in the queue; approving them again is refused by the workflow.
            try await changchun.postPairs("/people/review/decide", [("ids", a.id!.uuidString), ("decision", "approve")])
            #expect(try await t.auditCount("person.approve") == 2)
        }
    }

    @Test("the review queue exports the filtered queue in parts, in full for the authority, audited")
    func reviewExport() async throws {
        try await withSafeCert { t in
            let enterprise = try await t.loggedIn("enterprise")
            let id = TestIDs.make(65)
            _ = try await t.register(enterprise, idNumber: id, name: "待审导出", phone: "13812340000")
            _ = try await t.register(enterprise, idNumber: TestIDs.make(66), name: "另一人")
            let changchun = try await t.loggedIn("changchun")
            let page = try await changchun.get("/people/review?name=待审导出").body.string
            #expect(page.contains("/people/review/export.xlsx?name=%E5%BE%85%E5%AE%A1%E5%AF%BC%E5%87%BA&amp;part=1")
                    || page.contains("/people/review/export.xlsx?name=%E5%BE%85%E5%AE%A1%E5%AF%BC%E5%87%BA&part=1"))
            let file = try await changchun.get("/people/review/export.xlsx?name=待审导出&part=1")
            #expect(file.status == .ok)
            let rows = try XLSXReader(data: Data(file.body.readableBytesView)).rows().map { $0.cells.map(\.text) }
            #expect(rows.count == 2)
            #expect(rows[1].contains("待审导出") && rows[1].contains(id) && rows[1].contains("13812340000"))
            let entry = try #require(try await AuditEntry.query(on: t.db).filter(\.$action == "person.review-export").first())
            #expect(entry.summary.contains("1 条") && entry.summary.contains("姓名=待审导出"))
            // Another city's authority exports nothing of Changchun's queue.
            let jilin = try await t.loggedIn("jilincity")
            let none = try XLSXReader(data: Data(try await jilin.get("/people/review/export.xlsx?name=待审导出").body.readableBytesView)).rows()
            #expect(Array(none).count == 1)
            #expect(try await enterprise.get("/people/review/export.xlsx").status == .forbidden)
        }
    }

    @Test("个人信息维护: the individual edits their data and photo; an approved record's edit waits for approval")
    func selfMaintenance() async throws {
        try await withSafeCert { t in
            let zhang = try await t.person(named: "张伟")
            #expect(zhang.status == .approved)
            let me = try await t.loggedIn(zhang.idNumber)
            let page = try await me.get("/me/edit")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("data-testid=\"own-id-number\""))
            #expect(!page.body.string.contains("name=\"id_number\""))
            // The number can't be changed from the form: a posted one is ignored.
            let form = ["name": zhang.name, "phone": "13711112222", "education": "本科", "work_start_date": "2010-07-01",
                        "id_number": TestIDs.make(67), "id_type": "passport"]
            #expect(try await me.post("/me", form).status == .seeOther)
            let inForce = try await t.person(zhang.id!)
            #expect(inForce.phone == zhang.phone && inForce.education == zhang.education && inForce.idNumber == zhang.idNumber)
            let change = try #require(try await PersonChange.query(on: t.db).filter(\.$person.$id == zhang.id!).filter(\.$status == .pending).first())
            #expect(change.proposed?.education == "本科" && change.proposed?.idNumber == zhang.idNumber && change.proposed?.idType == "residentID")
            #expect(try await me.get("/me").body.string.contains("待管理部门审批的修改"))
            #expect(try await t.auditCount("person.change-request") == 1)
            // The authority of his region approves: the data and his login's phone change.
            let province = try await t.loggedIn("province")
            #expect(try await province.get("/people/review").body.string.contains("张伟"))
            _ = try await province.post("/people/\(zhang.id!)/change", ["decision": "approve"])
            #expect(try await t.person(zhang.id!).education == "本科")
            #expect(try await t.account(zhang.idNumber).phone == "13711112222")
            // Bad input is named by field.
            let bad = try await me.post("/me", ["name": "", "phone": "123"])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("请填写姓名"))
            // His own photo: checked, stored, audited.
            let photos = try await t.auditCount("person.photo")
            let tooSmall = try await me.upload("/me/photo", files: [("photo", "me.jpg", try TestPhotos.jpeg(width: 40, height: 56))])
            #expect(tooSmall.status == .seeOther)
            #expect(try await t.auditCount("person.photo") == photos)
            #expect(try await me.upload("/me/photo", files: [("photo", "me.jpg", try TestPhotos.jpeg())]).status == .seeOther)
            #expect(try await t.auditCount("person.photo") == photos + 1)
            let entry = try #require(try await AuditEntry.query(on: t.db).filter(\.$action == "person.photo").sort(\.$at, .descending).first())
            #expect(entry.summary.hasPrefix("本人上传照片"))
            #expect(try await me.get("/people/\(zhang.id!)/photo.jpg").status == .ok)
            // Another person's data can't be reached.
            let li = try await t.person(named: "李娜")
            #expect(try await me.get("/people/\(li.id!)/photo.jpg").status == .notFound)
        }
    }

    @Test("a self-registered, not yet approved person's edit applies at once and stays submitted")
    func selfEditBeforeApproval() async throws {
        try await withSafeCert { t in
            let zhang = try await t.person(named: "张伟")
            zhang.status = .returned
            zhang.statusReason = "学历有误"
            try await zhang.save(on: t.db)
            let me = try await t.loggedIn(zhang.idNumber)
            #expect(try await me.post("/me", ["name": zhang.name, "phone": "13733334444", "education": "大专"]).status == .seeOther)
            let edited = try await t.person(zhang.id!)
            #expect(edited.status == .submitted && edited.education == "大专" && edited.phone == "13733334444" && edited.statusReason == nil)
            #expect(try await t.account(zhang.idNumber).phone == "13733334444")
            #expect(try await t.auditCount("person.update") == 1)
        }
    }

    @Test("home pages: an individual's unit is their employer or 个人注册; a plain enterprise says 本单位, a group 本集团")
    func homeWording() async throws {
        try await withSafeCert { t in
            let zhang = try await t.person(named: "张伟")
            let home = try await t.loggedIn(zhang.idNumber).get("/").body.string
            #expect(home.contains("<dt>单位</dt><dd>吉林建工集团有限公司</dd>"))
            zhang.$employer.id = nil
            try await zhang.save(on: t.db)
            #expect(try await t.loggedIn(zhang.idNumber).get("/").body.string.contains("<dt>单位</dt><dd>个人注册</dd>"))
            let plain = try await t.loggedIn("enterprise").get("/").body.string
            #expect(plain.contains("本单位") && !plain.contains("本集团"))
            #expect(try await t.loggedIn("group").get("/").body.string.contains("本集团单位数"))
        }
    }

    @Test("the region list names a municipality once")
    func municipalityOnce() async throws {
        try await withSafeCert { t in
            let page = try await t.client().get("/register").body.string
            #expect(page.components(separatedBy: ">北京市<").count - 1 + page.components(separatedBy: ">　北京市<").count - 1 == 1)
            #expect(page.components(separatedBy: "重庆市<").count - 1 == 1)
            #expect(page.contains(">　吉林省 长春市<"))
        }
    }
}

@Suite("审计标签与表单") struct AuditLabelTests {
    static let sources: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    static func swiftFiles() throws -> [(String, String)] {
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        return try files.filter { $0.pathExtension == "swift" }.map { ($0.lastPathComponent, try String(contentsOf: $0, encoding: .utf8)) }
    }

    @Test("every audit action the sources record has a Chinese label")
    func everyActionHasALabel() throws {
        var actions: Set<String> = []
        var families: Set<String> = []
        // `Audit.record(…, action: "…")` and the request's helper `req.audit(user, "…", …)`.
        let literal = try NSRegularExpression(pattern: #"(?:action: |\.audit\(user, )(?:[^"\n]*\? )?"([^"\n]+)"(?: : "([^"\n]+)")?"#)
        for (_, text) in try Self.swiftFiles() where text.contains("Audit.record(") || text.contains(".audit(user, ") {
            let range = NSRange(text.startIndex..., in: text)
            for match in literal.matches(in: text, range: range) {
                for group in 1...2 {
                    guard let r = Range(match.range(at: group), in: text) else { continue }
                    let value = String(text[r])
                    if value.contains("\\(") { families.insert(String(value.prefix { $0 != "\\" })) } else { actions.insert(value) }
                }
            }
            // `let action = isNew ? "exam-room.create" : "exam-room.update"` and the like.
            let assigned = try NSRegularExpression(pattern: #"let action = [^\n]*"#)
            for match in assigned.matches(in: text, range: range) {
                guard let r = Range(match.range, in: text) else { continue }
                let strings = try NSRegularExpression(pattern: #""([a-z-]+\.[a-z_-]+)""#)
                let line = String(text[r])
                for m in strings.matches(in: line, range: NSRange(line.startIndex..., in: line)) {
                    if let s = Range(m.range(at: 1), in: line) { actions.insert(String(line[s])) }
                }
            }
        }
        // Actions put together from a name: each family with every name it is given.
        #expect(families == ["class.", "enrolment.", "exam-plan."], "a new family of audit actions: list its names here")
        actions.formUnion(ExamPlanRoutes.eventNames.map { "exam-plan." + $0.0 } + ["exam-plan.start", "exam-plan.finish"])
        actions.formUnion(TrainingClassEvent.allCases.map { "class." + $0.rawValue })
        let events: [EnrolmentEvent] = [.submit, .confirm, .refuse(reason: "x"), .checkIn, .recordTrainingResult(passed: true), .reviewPass,
                                        .reviewReturn(reason: "x"), .schedule, .cancel(reason: "x"), .checkIdentity]
        actions.formUnion(events.map { "enrolment." + EnrolmentService.auditName($0) })
        #expect(actions.count > 60)
        for action in actions.sorted() {
            #expect(Audit.actionLabels[action] != nil, "no label for \(action)")
        }
        #expect(Audit.actionLabels["exam.identity-refused"] == "实名认证未通过")
    }

    @Test("numeric fields take their whole range: no maxlength cuts 1000 to 100")
    func numericFieldsFitTheirRange() throws {
        let views = Self.sources.deletingLastPathComponent().appendingPathComponent("Resources/Views")
        let files = FileManager.default.enumerator(at: views, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        let input = try NSRegularExpression(pattern: #"<input[^>]*>"#)
        var checked = 0
        for file in files where file.pathExtension == "leaf" {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in input.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                guard let r = Range(match.range, in: text) else { continue }
                let tag = String(text[r])
                if tag.contains("type=\"number\"") {
                    checked += 1
                    #expect(!tag.contains("maxlength"), "\(file.lastPathComponent): \(tag)")
                    #expect(tag.contains("min=\"") && tag.contains("max=\""), "\(file.lastPathComponent): \(tag)")
                }
                for name in ["capacity", "duration", "count", "years_in_trade", "hours", "minutes"] where tag.contains("name=\"\(name)\"") {
                    #expect(tag.contains("type=\"number\""), "\(file.lastPathComponent): \(tag)")
                }
            }
        }
        #expect(checked >= 7)
    }
}
