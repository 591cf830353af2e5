import Fluent
import Foundation
import NIOCore
import SafeCertCore
import SafeCertDocuments
import Testing
import Vapor
import VaporTesting
@testable import SafeCertApp

/// Each client is used by one task at a time; the race tests hand two clients to two tasks.
extension WebClient: @unchecked Sendable {}

extension WebClient {
    /// A urlencoded form with repeated keys (ids=…&ids=…), as a form of checkboxes sends.
    @discardableResult
    func postPairs(_ path: String, _ pairs: [(String, String)]) async throws -> TestingHTTPResponse {
        if csrf == nil { try await refreshCSRF() }
        let all = pairs + [("_csrf", csrf ?? "")]
        let body = all.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        var headers = HTTPHeaders()
        headers.contentType = .urlEncodedForm
        return try await send(.POST, path, headers: headers, body: ByteBuffer(string: body))
    }
}

extension TestApp {
    func person(named name: String) async throws -> Person {
        try #require(try await Person.query(on: db).filter(\.$name == name).first())
    }

    func trainingClass(code: String) async throws -> TrainingClass {
        try #require(try await TrainingClass.query(on: db).filter(\.$code == code).first())
    }

    func enrolment(of name: String) async throws -> Enrolment {
        let person = try await person(named: name)
        return try #require(try await Enrolment.query(on: db).filter(\.$person.$id == person.id!).sort(\.$createdAt, .descending).first())
    }

    /// The demo's initial class (association, check-in by the association).
    var initialClassCode: String { "PX2026DEMO01" }

    /// The next login of a 2FA account needs a fresh dynamic code and a new SMS minute.
    func nextMinute() { clock.advance(by: 61) }

    func batchFile(_ rows: [[String]]) throws -> Data {
        let writer = XLSXWriter(sheetName: "批量报名", columns: EnrolmentImportTemplate.Column.allCases.map { XLSXColumn(title: $0.title, width: 16) })
        for row in rows { writer.append(row) }
        return try writer.finish()
    }
}

@Suite("培训与报名") struct TrainingFlowTests {
    @Test("an association opens and publishes an initial class; the province can't open one, nor edit a published class")
    func classLifecycle() async throws {
        try await withSafeCert { t in
            let association = try await t.loggedIn("association")
            let school = try await t.organization(named: "长春安全生产培训学校")
            let today = CalendarDate.today(now: t.clock.now())
            var form = ["name": "高压电工作业取证培训班", "class_type": "initial", "qualification": "TZ-GYDG",
                        "institution": school.id!.uuidString, "start_date": today.adding(days: 20).iso,
                        "end_date": today.adding(days: 25).iso, "deadline": today.adding(days: 10).iso,
                        "place": "长春市", "capacity": "30", "fee": "1200.50"]
            // Deadline after the start is refused inline.
            var bad = form
            bad["deadline"] = today.adding(days: 21).iso
            let refused = try await association.post("/classes", bad)
            #expect(refused.status == .unprocessableEntity)
            #expect(association.lastBody.contains("报名截止日期不能晚于开班日期"))
            let created = try await association.post("/classes", form)
            #expect(created.status == .seeOther)
            let c = try #require(try await TrainingClass.query(on: t.db).filter(\.$name == "高压电工作业取证培训班").first())
            #expect(c.state == .draft)
            #expect(c.feeFen == 120_050)
            try await association.post("/classes/\(c.id!)/state", ["event": "publish"])
            #expect(try await TrainingClass.find(c.id, on: t.db)?.state == .published)
            #expect(try await t.auditCount("class.publish") == 1)
            // Editing a published class is refused.
            form["name"] = "改名"
            let edit = try await association.post("/classes/\(c.id!)", form)
            #expect(edit.status == .conflict)
            // The province authority publishes re-training and renewal, not initial classes.
            t.nextMinute()
            let province = try await t.loggedIn("province")
            let wrong = try await province.post("/classes", ["name": "x", "class_type": "initial", "qualification": "TZ-DG",
                                                             "institution": school.id!.uuidString, "start_date": today.adding(days: 20).iso,
                                                             "end_date": today.adding(days: 21).iso, "deadline": today.adding(days: 10).iso,
                                                             "place": "长春", "capacity": "10", "fee": "0"])
            #expect(wrong.status == .unprocessableEntity)
            #expect(province.lastBody.contains("取证培训班由协会发布"))
            // An enterprise may not open classes at all.
            let enterprise = try await t.loggedIn("enterprise")
            #expect(try await enterprise.post("/classes", form).status == .forbidden)
        }
    }

    @Test("batch enrolment → confirmation → payment → check-in → results → review passes two and returns one")
    func wholeFlow() async throws {
        try await withSafeCert { t in
            let c = try await t.trainingClass(code: t.initialClassCode)
            let names = ["赵敏", "孙磊", "周杰"]
            var rows: [[String]] = []
            for name in names {
                let p = try await t.person(named: name)
                rows.append([p.idNumber, name, "2014-03-01", "", "是", "是", "从事电工作业", "同意"])
            }
            let enterprise = try await t.loggedIn("enterprise")
            // A wrong row refuses the whole file, naming the row and column; nothing is enrolled.
            var wrong = rows
            wrong[1][4] = "也许"
            let refused = try await enterprise.upload("/classes/\(c.id!)/enrol-batch", files: [("file", "报名.xlsx", try t.batchFile(wrong))])
            #expect(refused.status == .unprocessableEntity)
            #expect(enterprise.lastBody.contains("第 3 行"))
            #expect(enterprise.lastBody.contains("健康承诺（是/否）"))
            #expect(try await Enrolment.query(on: t.db).count() == 0)

            let ok = try await enterprise.upload("/classes/\(c.id!)/enrol-batch", files: [("file", "报名.xlsx", try t.batchFile(rows))])
            #expect(ok.status == .ok)
            #expect(enterprise.lastBody.contains("已报名 3 人"))
            let enrolments = try await Enrolment.query(on: t.db).all()
            #expect(enrolments.count == 3)
            #expect(enrolments.allSatisfy { $0.state == .submitted && $0.channel == "enterprise" })

            // The same person again: the message says where they stand.
            let again = try await enterprise.post("/classes/\(c.id!)/enrol", ["id_number": rows[0][0], "name": "赵敏", "medical_check": "1"])
            #expect(again.status == .unprocessableEntity)
            #expect(enterprise.lastBody.contains("已报名本培训班，当前处于「待确认」阶段"))

            // Another city's authority can't confirm Changchun people; Changchun's can.
            let ids = enrolments.map { ("ids", $0.id!.uuidString) }
            t.nextMinute()
            let jilin = try await t.loggedIn("jilincity")
            try await jilin.postPairs("/enrolments/confirm", ids + [("decision", "confirm")])
            #expect(try await Enrolment.query(on: t.db).filter(\.$state == .submitted).count() == 3)
            t.nextMinute()
            let changchun = try await t.loggedIn("changchun")
            let home = try await changchun.get("/")
            #expect(home.body.string.contains("待确认报名"))
            try await changchun.postPairs("/enrolments/confirm", ids + [("decision", "confirm")])
            let confirmed = try await Enrolment.query(on: t.db).all()
            #expect(confirmed.allSatisfy { $0.state == .confirmed && $0.paymentNotice != nil })

            // The institution records the payment of one; the enterprise can then no longer cancel it.
            let institution = try await t.loggedIn("institution")
            let zhao = try await t.enrolment(of: "赵敏")
            try await institution.postPairs("/enrolments/payment", [("ids", zhao.id!.uuidString)])
            #expect(try await Enrolment.find(zhao.id, on: t.db)?.paid == true)
            try await enterprise.post("/enrolments/\(zhao.id!)/cancel", ["reason": "不去了"])
            #expect(try await Enrolment.find(zhao.id, on: t.db)?.state == .confirmed)
            let page = try await enterprise.get("/enrolments/\(zhao.id!)")
            #expect(!page.body.string.contains("data-testid=\"cancel\""))

            // Check-in: the institution can't (the association does this class), the association can
            // once the class has opened (开班).
            try await institution.postPairs("/enrolments/check-in", ids)
            #expect(try await Enrolment.query(on: t.db).filter(\.$state == .inTraining).count() == 0)
            let association = try await t.loggedIn("association")
            try await association.post("/classes/\(c.id!)/state", ["event": "start"])
            try await association.postPairs("/enrolments/check-in", ids)
            #expect(try await Enrolment.query(on: t.db).filter(\.$state == .inTraining).count() == 3)

            // Results: hours must be a number (the catalogue's minimum is unit-tested in Core); then
            // three passes are saved and submitted.
            var results: [(String, String)] = []
            for e in confirmed {
                results += [("ids", e.id!.uuidString), ("hours_\(e.id!)", "32"), ("result_\(e.id!)", "pass"), ("remarks_\(e.id!)", "")]
            }
            var short = results
            short[1] = ("hours_\(confirmed[0].id!)", "三十")
            let tooShort = try await institution.postPairs("/classes/\(c.id!)/results", short)
            #expect(tooShort.status == .unprocessableEntity)
            #expect(institution.lastBody.contains("请填写学时（数字）"))
            #expect(try await Enrolment.query(on: t.db).filter(\.$trainingHours != nil).count() == 0)
            try await institution.postPairs("/classes/\(c.id!)/results", results)
            try await institution.post("/classes/\(c.id!)/results/submit")
            #expect(try await Enrolment.query(on: t.db).filter(\.$state == .trainingRecorded).count() == 3)

            // Review: a return needs a reason; two pass, one goes back to the enterprise.
            let sun = try await t.enrolment(of: "孙磊")
            let zhou = try await t.enrolment(of: "周杰")
            #expect(try await changchun.postPairs("/enrolments/review", [("ids", sun.id!.uuidString), ("decision", "return")]).status
                == .unprocessableEntity)
            try await changchun.postPairs("/enrolments/review", [("ids", zhao.id!.uuidString), ("ids", zhou.id!.uuidString), ("decision", "pass")])
            try await changchun.postPairs("/enrolments/review", [("ids", sun.id!.uuidString), ("decision", "return"), ("reason", "考勤记录不全")])
            #expect(try await Enrolment.find(zhao.id, on: t.db)?.state == .trained)
            #expect(try await Enrolment.find(zhou.id, on: t.db)?.state == .trained)
            let returned = try #require(try await Enrolment.find(sun.id, on: t.db))
            #expect(returned.state == .returnedToEnterprise)
            #expect(returned.stateReason == "考勤记录不全")
            // The enterprise sees it among its returned enrolments, with the reason, and may resubmit.
            let list = try await enterprise.get("/enrolments?state=returnedToEnterprise")
            #expect(list.body.string.contains("孙磊"))
            #expect(list.body.string.contains("考勤记录不全"))
            #expect(try await t.auditCount("enrolment.review-return") == 1)
            // The list exports to .xlsx with the same filters, ID numbers masked for the enterprise.
            let export = try await enterprise.get("/enrolments/export.xlsx?state=trained")
            #expect(export.status == .ok)
            let reader = try XLSXReader(data: Data(export.body.readableBytesView))
            let sheetRows = try Array(reader.rows())
            #expect(sheetRows.count == 3)
            #expect(Set(sheetRows.dropFirst().map { $0.cells[0].text ?? "" }) == ["赵敏", "周杰"])
            #expect(sheetRows.dropFirst().allSatisfy { ($0.cells[1].text ?? "").contains("********") })
        }
    }

    @Test("the home province confirms, also for a class in another province; that province can't")
    func crossProvince() async throws {
        try await withSafeCert { t in
            let liaoning = Organization(name: "辽宁省应急管理厅", kind: .authority, authorityLevel: .province, regionCode: "210000",
                                        creditCode: nil, isGroup: false, parentID: nil)
            try await liaoning.create(on: t.db)
            let shenyangSchool = Organization(name: "沈阳安全培训学校", kind: .trainingInstitution, authorityLevel: nil, regionCode: "210100",
                                              creditCode: try CreditCode.generate(region: "210100", serial: 77).value, isGroup: false, parentID: nil)
            try await shenyangSchool.create(on: t.db)
            let hash = try await t.app.password.async.hash(DemoSeed.password)
            try await Account(username: "liaoning", displayName: "辽宁省厅", passwordHash: hash, role: .provinceAuthority, phone: "13800000099",
                              organizationID: liaoning.id, mustChangePassword: false, totpSecret: DemoSeed.totpSecret).create(on: t.db)
            let c = TrainingClass()
            c.code = "PX-LN-1"; c.name = "沈阳低压电工取证班"; c.classType = .initial; c.qualificationCode = "TZ-DG"
            c.$institution.id = shenyangSchool.id!; c.$publisher.id = liaoning.id!; c.regionCode = "210100"
            let today = CalendarDate.today(now: t.clock.now())
            c.startDate = today.adding(days: 20).iso; c.endDate = today.adding(days: 22).iso; c.enrolmentDeadline = today.adding(days: 10).iso
            c.place = "沈阳"; c.capacity = 10; c.feeFen = 0; c.institutionChecksIn = true; c.state = .published
            try await c.create(on: t.db)

            let enterprise = try await t.loggedIn("enterprise")
            let li = try await t.person(named: "李娜")
            let r = try await enterprise.post("/classes/\(c.id!)/enrol", ["id_number": li.idNumber, "name": "李娜", "medical_check": "1"])
            #expect(r.status == .seeOther)
            let e = try await t.enrolment(of: "李娜")
            // Liaoning sees the trainee of its class but may not confirm a Jilin person.
            let ln = try await t.loggedIn("liaoning")
            #expect(try await ln.get("/enrolments/\(e.id!)").status == .ok)
            try await ln.postPairs("/enrolments/confirm", [("ids", e.id!.uuidString), ("decision", "confirm")])
            #expect(try await Enrolment.find(e.id, on: t.db)?.state == .submitted)
            // The refusal names the home authority that confirms, not the class's province.
            let told = try await ln.get("/enrolments").body.string
            #expect(told.contains("应由人员所在地吉林省 长春市或吉林省的管理部门确认"), "\(told.components(separatedBy: "flash-error").dropFirst().first?.prefix(200) ?? "")")
            #expect(try await t.auditCount("enrolment.confirm") == 0)
            // Jilin, the home province, confirms.
            t.nextMinute()
            let jl = try await t.loggedIn("province")
            try await jl.postPairs("/enrolments/confirm", [("ids", e.id!.uuidString), ("decision", "confirm")])
            #expect(try await Enrolment.find(e.id, on: t.db)?.state == .confirmed)
        }
    }

    @Test("school enrolments skip confirmation; a person can't be in two classes of one qualification")
    func schoolAndDuplicates() async throws {
        try await withSafeCert { t in
            let c = try await t.trainingClass(code: t.initialClassCode)
            let association = try await t.loggedIn("association")
            let liu = try await t.person(named: "刘洋")
            let r = try await association.post("/classes/\(c.id!)/enrol", ["id_number": liu.idNumber, "name": "刘洋", "medical_check": "1"])
            #expect(r.status == .seeOther)
            let e = try await t.enrolment(of: "刘洋")
            #expect(e.state == .confirmed)
            #expect(e.kind == .school)
            #expect(e.paymentNotice != nil)

            // A second initial class of the same qualification: refused with where he stands.
            let second = TrainingClass()
            second.code = "PX-2"; second.name = "低压电工取证二班"; second.classType = .initial; second.qualificationCode = "TZ-DG"
            second.$institution.id = c.$institution.id; second.$publisher.id = c.$publisher.id; second.regionCode = c.regionCode
            second.startDate = c.startDate; second.endDate = c.endDate; second.enrolmentDeadline = c.enrolmentDeadline
            second.place = "长春"; second.capacity = 5; second.feeFen = 0; second.institutionChecksIn = false; second.state = .published
            try await second.create(on: t.db)
            let group = try await t.loggedIn("group")
            let zhang = try await t.person(named: "张伟")
            #expect(try await group.post("/classes/\(c.id!)/enrol", ["id_number": zhang.idNumber, "name": "张伟", "medical_check": "1"]).status == .seeOther)
            let first = try await t.enrolment(of: "张伟")
            let dup = try await group.post("/classes/\(second.id!)/enrol", ["id_number": zhang.idNumber, "name": "张伟", "medical_check": "1"])
            #expect(dup.status == .unprocessableEntity)
            #expect(group.lastBody.contains("已报名同一资格的培训班「低压电工作业取证培训班（第 1 期）」，当前处于「待确认」阶段"))
            // Eligibility reasons are named: no medical check for special operations.
            try await group.post("/enrolments/\(first.id!)/cancel", ["reason": "录入错误"])
            #expect(try await Enrolment.find(first.id, on: t.db)?.state == .cancelled)
            let noCheck = try await group.post("/classes/\(second.id!)/enrol", ["id_number": zhang.idNumber, "name": "张伟"])
            #expect(noCheck.status == .unprocessableEntity)
            #expect(group.lastBody.contains("缺少体检合格证明"))
        }
    }

    @Test("a holder is offered the class the 1 March rule allows; the institution's API key records payment")
    func holderAndAPI() async throws {
        try await withSafeCert { t in
            let wang = try await t.person(named: "王强")
            let me = try await t.loggedIn(wang.idNumber)
            let list = try await me.get("/enrol")
            #expect(list.body.string.contains("应参加换证培训班"))
            // He is offered the renewal class only, not the initial one for the qualification he holds.
            #expect(list.body.string.contains("低压电工作业换证培训班（第 1 期）"))
            #expect(!list.body.string.contains("低压电工作业取证培训班（第 1 期）"))
            // 李娜 holds nothing: the initial class, not the renewal one.
            let li = try await t.loggedIn(try await t.person(named: "李娜").idNumber)
            let hers = try await li.get("/enrol")
            #expect(hers.body.string.contains("低压电工作业取证培训班（第 1 期）"))
            #expect(!hers.body.string.contains("低压电工作业换证培训班（第 1 期）"))
            let initial = try await t.trainingClass(code: t.initialClassCode)
            let renewal = try await t.trainingClass(code: "PX2026DEMO02")
            let page = try await me.get("/enrol/\(initial.id!)")
            #expect(page.body.string.contains("已持有该资格的有效证书"))
            let form = ["credit_code": try await t.organization(named: "吉林建工集团吉林分公司").creditCode!,
                        "work_start_date": "2010-05-01", "resume": "2010 年起从事电工作业", "medical_check": "1"]
            #expect(try await me.post("/enrol/\(initial.id!)", form).status == .unprocessableEntity)
            let ok = try await me.post("/enrol/\(renewal.id!)", form)
            #expect(ok.status == .seeOther)
            let e = try await t.enrolment(of: "王强")
            #expect(e.channel == "individual")
            // The 报名表 prints as a PDF with Chinese text (read back by pdftotext).
            let pdf = try await me.get("/enrolments/\(e.id!)/form.pdf")
            #expect(pdf.status == .ok)
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("form-\(UUID().uuidString).pdf")
            try Data(pdf.body.readableBytesView).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let (status, text) = try runTool("pdftotext", [file.path, "-"])
            #expect(status == 0)
            #expect(text.contains("安全生产培训考核报名表"))
            #expect(text.contains("王强"))
            #expect(text.contains("2010 年起从事电工作业"))
            #expect(e.state == .submitted)

            // Confirm, then the institution's payment system calls the API.
            t.nextMinute()
            let jilin = try await t.loggedIn("province")
            try await jilin.postPairs("/enrolments/confirm", [("ids", e.id!.uuidString), ("decision", "confirm")])
            func key(for name: String) async throws -> HTTPHeaders {
                let token = "sk_test_" + Tokens.random(bytes: 16)
                let k = APIKey()
                k.name = "缴费系统"
                k.prefix = String(token.prefix(12))
                k.keyHash = APIKey.hash(token)
                k.$organization.id = try await t.organization(named: name).id!
                try await k.create(on: t.db)
                var headers = HTTPHeaders()
                headers.bearerAuthorization = .init(token: token)
                return headers
            }
            let otherInstitution = try await key(for: "吉林市职业安全培训中心")
            let notFound = try await t.client().send(.POST, "/api/v1/enrolments/\(e.id!)/payment", headers: otherInstitution, body: nil)
            #expect(notFound.status == .notFound)
            let enterpriseKey = try await key(for: "长春安达建筑工程有限公司")
            #expect(try await t.client().send(.POST, "/api/v1/enrolments/\(e.id!)/payment", headers: enterpriseKey, body: nil).status == .forbidden)
            let own = try await key(for: "长春安全生产培训学校")
            let paid = try await t.client().send(.POST, "/api/v1/enrolments/\(e.id!)/payment", headers: own, body: nil)
            #expect(paid.status == .ok)
            #expect(paid.body.string.contains("\"paid\":true"))
            #expect(try await Enrolment.find(e.id, on: t.db)?.paid == true)
            #expect(try await t.auditCount("enrolment.payment") == 1)
            // Paid: the individual can no longer withdraw it; the authority still can.
            try await me.post("/enrolments/\(e.id!)/cancel", ["reason": "不想去了"])
            #expect(try await Enrolment.find(e.id, on: t.db)?.state == .confirmed)
            try await jilin.post("/enrolments/\(e.id!)/cancel", ["reason": "本人申请，经核实"])
            #expect(try await Enrolment.find(e.id, on: t.db)?.state == .cancelled)
        }
    }

    @Test("two enrolments racing for the last place: one gets it, the other is told the class is full")
    func lastPlace() async throws {
        try await withSafeCert { t in
            let c = try await t.trainingClass(code: t.initialClassCode)
            c.capacity = 1
            try await c.save(on: t.db)
            let enterprise = try await t.loggedIn("enterprise")
            let group = try await t.loggedIn("group")
            let li = try await t.person(named: "李娜")
            let zhang = try await t.person(named: "张伟")
            try await enterprise.refreshCSRF()
            try await group.refreshCSRF()
            async let a = enterprise.post("/classes/\(c.id!)/enrol", ["id_number": li.idNumber, "name": "李娜", "medical_check": "1"])
            async let b = group.post("/classes/\(c.id!)/enrol", ["id_number": zhang.idNumber, "name": "张伟", "medical_check": "1"])
            let statuses = try await [a.status, b.status]
            #expect(statuses.filter { $0 == .seeOther }.count == 1)
            #expect(statuses.filter { $0 == .unprocessableEntity }.count == 1)
            #expect(try await Enrolment.query(on: t.db).filter(\.$trainingClass.$id == c.id!).count() == 1)
            let loser = statuses[0] == .unprocessableEntity ? enterprise : group
            #expect(loser.lastBody.contains("培训班已满（1 人）"))
        }
    }
}
