import Fluent
import Foundation
import SafeCertCore
import SafeCertDocuments
import Testing
import Vapor
import VaporTesting
@testable import SafeCertApp

extension TestApp {
    /// An API key of the named organisation, as the Authorization header.
    func apiKey(for name: String) async throws -> HTTPHeaders {
        let token = "sk_test_" + Tokens.random(bytes: 16)
        let k = APIKey()
        k.name = "考试系统"
        k.prefix = String(token.prefix(12))
        k.keyHash = APIKey.hash(token)
        k.$organization.id = try await organization(named: name).id!
        try await k.create(on: db)
        var headers = HTTPHeaders()
        headers.bearerAuthorization = .init(token: token)
        headers.contentType = .json
        return headers
    }

    /// A plan for the trained demo employees in 第一机考室, submitted by Changchun and approved by
    /// the province.
    func approvedPlan(count: Int, inDays days: Int = 10) async throws -> ExamPlanRecord {
        let room = try await room("第一机考室")
        let day = CalendarDate.today(now: clock.now()).adding(days: days)
        let institution = try await loggedIn("institution")
        try await institution.postPairs("/exam-plans", [("plan_type", "initial_offline"), ("qualification", "TZ-DG"), ("date", day.iso),
                                                         ("time", "09:00"), ("duration", "120"), ("count", String(count)), ("rooms", room.id!.uuidString)])
        let plan = try #require(try await ExamPlanRecord.query(on: db).sort(\.$createdAt, .descending).first())
        nextMinute()
        try await loggedIn("changchun").post("/exam-plans/\(plan.id!)/state", ["event": "submit"])
        nextMinute()
        try await loggedIn("province").post("/exam-plans/\(plan.id!)/state", ["event": "approve"])
        return try #require(try await ExamPlanRecord.find(plan.id, on: db))
    }

    /// A draft plan of the institution for TZ-DG in 第一机考室.
    func draftPlan(count: Int, inDays days: Int = 10) async throws -> ExamPlanRecord {
        let room = try await room("第一机考室")
        let day = CalendarDate.today(now: clock.now()).adding(days: days)
        nextMinute()
        let institution = try await loggedIn("institution")
        try await institution.postPairs("/exam-plans", [("plan_type", "initial_offline"), ("qualification", "TZ-DG"), ("date", day.iso),
                                                         ("time", "09:00"), ("duration", "120"), ("count", String(count)), ("rooms", room.id!.uuidString)])
        return try #require(try await ExamPlanRecord.query(on: db).filter(\.$state == .draft).sort(\.$createdAt, .descending).first())
    }

    func xlsx(_ header: [String], _ rows: [[String]]) throws -> Data {
        let writer = XLSXWriter(sheetName: "表", columns: header.map { XLSXColumn(title: $0, width: 16) })
        for r in rows { writer.append(r) }
        return try writer.finish()
    }
}

@Suite("考试现场与考试结果") struct ExamDayHTTPTests {
    @Test("identity check by reader and by hand, no check no exam, scores by page, file and API, review and publication")
    func examDay() async throws {
        try await withSafeCert { t in
            _ = try await t.trainedEmployees()
            let plan = try await t.approvedPlan(count: 3)
            let room = try await t.room("第一机考室")
            let zhao = try await t.person(named: "赵敏")
            let sun = try await t.person(named: "孙磊")
            let zhou = try await t.person(named: "周杰")
            func candidate(_ p: Person) async throws -> ExamCandidate {
                try #require(try await ExamCandidate.query(on: t.db).filter(\.$plan.$id == plan.id!).filter(\.$person.$id == p.id!).first())
            }
            var centre = try await t.loggedIn("centre")
            let card = try DemoSeed.demoPhoto(hue: 10, width: 102, height: 126).base64EncodedString()
            func read(_ p: Person, name: String? = nil) async throws -> TestingHTTPResponse {
                try await centre.postJSON("/identity/check", ["plan": plan.id!.uuidString, "room": room.id!.uuidString, "idNumber": p.idNumber,
                                                              "name": name ?? p.name, "photo": card, "validUntil": "2035-01-01", "method": "reader"])
            }
            // Too early: the check opens on the exam day.
            let early = try await read(zhao)
            #expect(early.status == .unprocessableEntity)
            #expect(early.body.string.contains("起开放"))
            t.clock.advance(by: plan.startAt.timeIntervalSince(t.clock.now()) - 3_600)
            centre = try await t.loggedIn("centre")
            let mismatch = try await read(zhao, name: "赵明")
            #expect(mismatch.status == .unprocessableEntity)
            #expect(mismatch.body.string.contains("不一致"))
            let stranger = try await read(try await t.person(named: "王强"))
            #expect(stranger.body.string.contains("不在本考场的考生名单中"))
            #expect(try await t.auditCount("exam.identity-refused") == 3)
            let ok = try await read(zhao)
            #expect(ok.status == .ok)
            let answer = centre.json()
            #expect(answer["ok"] as? Bool == true)
            #expect(try await candidate(zhao).attendance == .admitted)
            #expect(try await Enrolment.find(try await candidate(zhao).$enrolment.id, on: t.db)?.state == .admitted)
            #expect(try await read(zhao).body.string.contains("已通过实名认证"))
            // The live photo, then the three photos are served to this centre only.
            let live = try DemoSeed.demoPhoto(hue: 200, width: 320, height: 240)
            let photo = try await centre.postJSON(try #require(answer["livePhotoAction"] as? String), ["photo": "data:image/jpeg;base64," + live.base64EncodedString()])
            #expect(photo.status == .ok)
            let zc = try await candidate(zhao)
            for kind in ["registered", "card", "live"] {
                #expect(try await centre.get("/identity/\(zc.id!)/image?kind=\(kind)").status == .ok, "\(kind)")
            }
            #expect(try await t.loggedIn("centre2").get("/identity/\(zc.id!)/image?kind=live").status == .notFound)
            // By hand: a reason is required, then 孙磊 is admitted; 周杰 never comes.
            try await centre.post("/identity/check", ["plan": plan.id!.uuidString, "room": room.id!.uuidString, "id_number": sun.idNumber,
                                                      "name": sun.name, "method": "manual", "reason": ""])
            #expect(try await candidate(sun).attendance == nil)
            try await centre.post("/identity/check", ["plan": plan.id!.uuidString, "room": room.id!.uuidString, "id_number": sun.idNumber,
                                                      "name": sun.name, "method": "manual", "reason": "阅读器故障"])
            #expect(try await candidate(sun).attendance == .admitted)
            let manual = try #require(try await IdentityCheckRecord.query(on: t.db).filter(\.$candidate.$id == (try await candidate(sun)).id!).first())
            #expect(manual.method == .manual && manual.manualReason == "阅读器故障")
            let page = try await centre.get("/identity?plan=\(plan.id!)&room=\(room.id!)")
            #expect(page.body.string.contains("已认证 <span data-admitted-count>2</span> / 3"))

            // The exam client: nothing before the start, and never for the unchecked.
            let key = try await t.apiKey(for: try #require(try await Organization.find(room.$centre.id, on: t.db)).name)
            func progress(_ p: Person, _ body: String) async throws -> TestingHTTPResponse {
                try await t.client().send(.POST, "/api/v1/exam-candidates/\(try await candidate(p).ticketNumber)/progress", headers: key,
                                          body: ByteBuffer(string: body))
            }
            #expect(try await progress(zhao, #"{"answered":1,"total":100}"#).status == .conflict)
            t.clock.advance(by: 3_600)
            centre = try await t.loggedIn("centre")
            try await centre.post("/exam-plans/\(plan.id!)/state", ["event": "start"])
            #expect(try await ExamPlanRecord.find(plan.id, on: t.db)?.state == .inProgress)
            let refused = try await progress(zhou, #"{"answered":1,"total":100}"#)
            #expect(refused.status == .conflict)
            #expect(refused.body.string.contains("未通过实名认证"))
            #expect(try await progress(zhao, #"{"answered":10,"total":100}"#).status == .ok)
            let livePage = try await centre.get("/live?plan=\(plan.id!)&room=\(room.id!)")
            #expect(livePage.body.string.contains("10/100"))
            #expect(livePage.body.string.contains("考试中 1"))
            try await centre.post("/live/incidents", ["plan": plan.id!.uuidString, "room": room.id!.uuidString, "text": "3 号机死机，已换机"])
            #expect(try await centre.get("/live?plan=\(plan.id!)&room=\(room.id!)").body.string.contains("3 号机死机"))
            #expect(try await progress(zhao, #"{"submitted":true}"#).status == .ok)

            // A score for the unchecked is refused and nothing is saved.
            let zhouC = try await candidate(zhou)
            let sunC = try await candidate(sun)
            let refusedScores = try await centre.post("/exam-plans/\(plan.id!)/results", ["theory:\(zhouC.id!)": "90", "practical:\(sunC.id!)": "88"])
            #expect(refusedScores.status == .unprocessableEntity)
            #expect(try await candidate(sun).practicalResult == nil)
            // Finishing marks the never-checked absent.
            try await centre.post("/exam-plans/\(plan.id!)/state", ["event": "finish"])
            #expect(try await candidate(zhou).attendance == .absent)
            // Page: 赵敏's practical. File: 孙磊's both. API: 赵敏's theory.
            try await centre.post("/exam-plans/\(plan.id!)/results", ["practical:\(zc.id!)": "85"])
            #expect(try await candidate(zhao).practicalResult == "85")
            let sheet = try t.xlsx(ScoreImportTemplate.Column.allCases.map(\.title), [[sunC.ticketNumber, sun.idNumber, sun.name, "90", "50"]])
            let bad = try t.xlsx(ScoreImportTemplate.Column.allCases.map(\.title), [[sunC.ticketNumber, sun.idNumber, sun.name, "190", "50"]])
            let refusedFile = try await centre.upload("/exam-plans/\(plan.id!)/results/import", files: [("file", "s.xlsx", bad)])
            #expect(refusedFile.status == .unprocessableEntity)
            #expect(refusedFile.body.string.contains("不在 0–100 分之间"))
            #expect(try await candidate(sun).theoryResult == nil)
            #expect(try await centre.upload("/exam-plans/\(plan.id!)/results/import", files: [("file", "s.xlsx", sheet)]).status == .seeOther)
            #expect(try await candidate(sun).practicalResult == "50")
            let badAPI = try await t.client().send(.POST, "/api/v1/exam-plans/\(plan.serial)/scores", headers: key,
                                                   body: ByteBuffer(string: #"{"scores":[{"ticketNumber":"\#(zc.ticketNumber)","idNumber":"\#(sun.idNumber)","theory":"92"}]}"#))
            #expect(badAPI.status == .unprocessableEntity)
            let api = try await t.client().send(.POST, "/api/v1/exam-plans/\(plan.serial)/scores", headers: key,
                                                body: ByteBuffer(string: #"{"scores":[{"ticketNumber":"\#(zc.ticketNumber)","idNumber":"\#(zhao.idNumber)","theory":"92"}]}"#))
            #expect(api.status == .ok)
            #expect(try await candidate(zhao).theoryResult == "92")
            #expect(try await t.client().send(.POST, "/api/v1/exam-plans/\(plan.serial)/scores", headers: try await t.apiKey(for: "长春安全生产培训学校"),
                                              body: ByteBuffer(string: #"{"scores":[]}"#)).status == .forbidden)

            // Submit; the province approves and the results are published.
            try await centre.post("/exam-plans/\(plan.id!)/state", ["event": "submit_results"])
            #expect(try await ExamPlanRecord.find(plan.id, on: t.db)?.state == .resultsUnderReview)
            #expect(try await centre.post("/exam-plans/\(plan.id!)/results", ["practical:\(zc.id!)": "10"]).status == .seeOther)
            #expect(try await candidate(zhao).practicalResult == "85")
            t.nextMinute()
            let province = try await t.loggedIn("province")
            let home = try await province.get("/").body.string
            #expect(home.contains("待审核考试结果"))
            #expect(home.contains("<a href=\"/exam-results\">1</a>"))
            try await province.post("/exam-plans/\(plan.id!)/state", ["event": "approve_results"])
            #expect(try await province.get("/").body.string.contains("<a href=\"/exam-results\">0</a>"))
            #expect(try await ExamPlanRecord.find(plan.id, on: t.db)?.state == .closed)
            #expect(try await candidate(zhao).outcome == .passed)
            #expect(try await candidate(sun).outcome == .failed)
            #expect(try await candidate(zhou).outcome == .absent)
            #expect(try await Enrolment.find(zc.$enrolment.id, on: t.db)?.state == .passed)
            #expect(try await Enrolment.find(sunC.$enrolment.id, on: t.db)?.state == .failed)
            #expect(try await Enrolment.find(zhouC.$enrolment.id, on: t.db)?.state == .absent)

            // The enterprise sees the results and exports the pass list.
            let enterprise = try await t.loggedIn("enterprise")
            let results = try await enterprise.get("/exam-results")
            #expect(results.body.string.contains("赵敏") && results.body.string.contains("孙磊"))
            let passList = try await enterprise.get("/exam-results/export.xlsx?outcome=passed&part=1")
            #expect(passList.status == .ok)
            let rows = try XLSXReader(data: Data(passList.body.readableBytesView)).rows().map { $0.cells.map(\.text) }
            #expect(rows.count == 2)
            #expect(rows[1].contains("赵敏"))
            #expect(!rows.flatMap { $0 }.contains("孙磊"))
            // 人员信息查询 by the centre shows the sitting.
            let lookup = try await centre.get("/exam-people?id_number=\(zhao.idNumber)")
            #expect(lookup.body.string.contains(zc.ticketNumber))
            #expect(lookup.body.string.contains("合格"))
            // The resit (seed 000, one allowed; a pass holds 12 months): 孙磊 is placed by hand into a
            // new plan and sits only the practical he failed; 周杰, absent, sits both.
            _ = try await t.trainedEnrolment(of: try await t.person(named: "李娜"), channel: "individual")
            let next = try await t.draftPlan(count: 1)
            let institution = try await t.loggedIn("institution")
            try await institution.post("/exam-plans/\(next.id!)/place", ["room": room.id!.uuidString, "id_numbers": "\(sun.idNumber)\n\(zhou.idNumber)"])
            let resitters = try await ExamCandidate.query(on: t.db).filter(\.$plan.$id == next.id!).filter(\.$person.$id ~~ [sun.id!, zhou.id!]).all()
            #expect(resitters.count == 2, "\(institution.lastBody.components(separatedBy: "flash").dropFirst().first?.prefix(200) ?? "")")
            #expect(try await Enrolment.find(sunC.$enrolment.id, on: t.db)?.state == .scheduled)
            let catalogue = try await CatalogueStore.load(on: t.db)
            let terms = try #require(ExamResultRoutes.terms(next, catalogue))
            let sits = try await ExamResultRoutes.subjects(for: resitters, plan: next, terms: terms, on: t.db)
            for c in resitters {
                #expect(sits[c.id!]?.map(\.kind) == (c.$person.id == sun.id! ? [.practical] : [.theory, .practical]))
            }
            // 考试计划查询 by exam centre and date; the other centre's filter finds nothing.
            let centreOrg = try #require(try await Organization.find(room.$centre.id, on: t.db))
            let startDay = CalendarDate.today(now: plan.startAt).iso
            let byCentre = try await province.get("/exam-plans?centre=\(centreOrg.id!)&from=\(startDay)&to=\(startDay)").body.string
            #expect(byCentre.contains(plan.serial))
            let centre2Org = try await t.organization(named: "吉林市安全生产考核点")
            #expect(!(try await province.get("/exam-plans?centre=\(centre2Org.id!)").body.string.contains(plan.serial)))
            #expect(!(try await province.get("/exam-plans?from=\(CalendarDate.today(now: plan.startAt).adding(days: 1).iso)").body.string.contains(plan.serial)))
            // The calendar shows the plan on its day.
            let month = String(CalendarDate.today(now: plan.startAt).iso.prefix(7))
            #expect(try await province.get("/exam-plans/calendar?month=\(month)").body.string.contains("/exam-plans/\(plan.id!)"))
        }
    }

    @Test("plans start and finish on time by themselves; whoever was never checked is absent")
    func scheduler() async throws {
        try await withSafeCert { t in
            _ = try await t.trainedEmployees()
            let plan = try await t.approvedPlan(count: 2)
            #expect(try await ExamScheduler.tick(t.app) == 0)
            t.clock.advance(by: plan.startAt.timeIntervalSince(t.clock.now()) + 1)
            #expect(try await ExamScheduler.tick(t.app) == 1)
            #expect(try await ExamPlanRecord.find(plan.id, on: t.db)?.state == .inProgress)
            #expect(try await ExamScheduler.tick(t.app) == 0)
            t.clock.advance(by: 120 * 60)
            #expect(try await ExamScheduler.tick(t.app) == 1)
            #expect(try await ExamPlanRecord.find(plan.id, on: t.db)?.state == .finished)
            let attendance = try await ExamCandidate.query(on: t.db).filter(\.$plan.$id == plan.id!).all().map(\.attendance)
            #expect(attendance == [.absent, .absent])
            #expect(try await t.auditCount("exam-plan.start") == 1)
            #expect(try await t.auditCount("exam-plan.finish") == 1)
        }
    }

    @Test("candidate import: every bad row named, the good imported, re-import adds only the new, closed 48 hours before")
    func candidateImport() async throws {
        try await withSafeCert { t in
            _ = try await t.trainedEmployees()
            let plan = try await t.approvedPlan(count: 1)
            let placed = try #require(try await ExamCandidate.query(on: t.db).filter(\.$plan.$id == plan.id!).with(\.$person).first()).person
            let others = try await Person.query(on: t.db).filter(\.$name ~~ ["赵敏", "孙磊", "周杰"]).filter(\.$id != placed.id!).sort(\.$name).all()
            let header = CandidateImportTemplate.Column.allCases.map(\.title)
            let wrong = try t.xlsx(header, [
                [placed.idNumber, placed.name, "A", "", "", ""],
                [others[0].idNumber, others[0].name, "B", "", "13800000000", ""],
                [others[1].idNumber, others[1].name + "X", "C", "", "", ""],
                ["110101199003078515", "路人", "", "", "", ""],
                [others[1].idNumber, others[1].name, "D", "", "", ""],
            ])
            let changchun = try await t.loggedIn("changchun")
            let first = try await changchun.upload("/exam-plans/\(plan.id!)/import", files: [("file", "c.xlsx", wrong)])
            #expect(first.status == .unprocessableEntity)
            let body = first.body.string
            #expect(body.contains("第 4 行") && body.contains("与登记的"))
            #expect(body.contains("第 5 行") && body.contains("未找到该证件号码的登记人员"))
            #expect(body.contains("第 6 行") && body.contains("人员类型应填 A、B 或 C"))
            #expect(try await ExamCandidate.query(on: t.db).filter(\.$plan.$id == plan.id!).count() == 2)
            let imported = try #require(try await ExamCandidate.query(on: t.db).filter(\.$person.$id == others[0].id!).first())
            #expect(imported.personCategory == .b)
            // The corrected file: the two already in are skipped, the third is added.
            let fixed = try t.xlsx(header, [
                [placed.idNumber, placed.name, "A", "", "", ""],
                [others[0].idNumber, others[0].name, "B", "", "", ""],
                [others[1].idNumber, others[1].name, "C", "", "", ""],
            ])
            let second = try await changchun.upload("/exam-plans/\(plan.id!)/import", files: [("file", "c.xlsx", fixed)])
            #expect(second.status == .ok)
            #expect(second.body.string.contains("成功 1 人，已在名单中 2 人，失败 0 处"))
            #expect(try await ExamCandidate.query(on: t.db).filter(\.$plan.$id == plan.id!).count() == 3)
            let seats = try await ExamCandidate.query(on: t.db).filter(\.$plan.$id == plan.id!).all().map(\.seatNumber)
            #expect(Set(seats).count == 3)
            // Filter by person type.
            let list = try await changchun.get("/exam-candidates?category=B")
            #expect(list.body.string.contains(others[0].name) && !list.body.string.contains(others[1].name))
            // 修改考生: another room gets the next free seat and a new ticket number; the type changes.
            let site = try await t.room("电工实操场地")
            let link = ExamPlanRoom()
            link.$plan.id = plan.id!
            link.$room.id = site.id!
            link.centreID = site.$centre.id
            link.position = 2
            try await link.create(on: t.db)
            let edited = try await changchun.post("/exam-plans/\(plan.id!)/edit-candidate", ["candidate": imported.id!.uuidString, "room": site.id!.uuidString,
                                                                                           "category": "A", "phone": ""])
            #expect(edited.status == .seeOther, "\(edited.status) \(edited.body.string.prefix(600))")
            let moved = try #require(try await ExamCandidate.find(imported.id, on: t.db))
            let flash = try await changchun.get("/exam-plans/\(plan.id!)").body.string.components(separatedBy: "flash").dropFirst().first?.prefix(300) ?? ""
            #expect(moved.$room.id == site.id! && moved.seatNumber == 1 && moved.personCategory == .a, "\(flash)")
            #expect(moved.ticketNumber != imported.ticketNumber)
            #expect(try await t.auditCount("exam-plan.edit-candidate") == 1)
            try await changchun.post("/exam-plans/\(plan.id!)/edit-candidate", ["candidate": imported.id!.uuidString, "category": "Z", "phone": "123"])
            #expect(try await ExamCandidate.find(imported.id, on: t.db)?.personCategory == .a)
            // The institution can't import into the approved plan; nobody can within 48 hours.
            t.nextMinute()
            #expect(try await t.loggedIn("institution").upload("/exam-plans/\(plan.id!)/import", files: [("file", "c.xlsx", fixed)]).status == .conflict)
            t.clock.advance(by: plan.startAt.timeIntervalSince(t.clock.now()) - 47 * 3_600)
            let lateEdit = try await t.loggedIn("changchun")
            let late = try await lateEdit.upload("/exam-plans/\(plan.id!)/import", files: [("file", "c.xlsx", fixed)])
            #expect(late.status == .conflict)
            #expect(late.body.string.contains("48 小时"))
            try await lateEdit.post("/exam-plans/\(plan.id!)/edit-candidate", ["candidate": imported.id!.uuidString, "category": "C"])
            #expect(try await ExamCandidate.find(imported.id, on: t.db)?.personCategory == .a)
        }
    }
}
