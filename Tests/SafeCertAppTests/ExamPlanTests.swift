import Fluent
import Foundation
import SafeCertCore
import SafeCertDocuments
import Testing
import Vapor
import VaporTesting
@testable import SafeCertApp

extension TestApp {
    /// The three demo employees, trained in the demo's initial class (as after a passed review).
    func trainedEmployees() async throws -> [Enrolment] {
        var list: [Enrolment] = []
        for name in ["赵敏", "孙磊", "周杰"] {
            list.append(try await trainedEnrolment(of: try await person(named: name), channel: "enterprise"))
        }
        return list
    }

    /// An enrolment in the demo's initial class that has passed its training review.
    func trainedEnrolment(of p: Person, channel: String) async throws -> Enrolment {
        let c = try await trainingClass(code: initialClassCode)
        let e = Enrolment()
        e.$trainingClass.id = c.id!
        e.$person.id = p.id!
        e.qualificationCode = c.qualificationCode
        e.regionCode = p.regionCode
        e.kind = .standard
        e.channel = channel
        e.$employer.id = p.$employer.id
        e.$enrolledBy.id = channel == "individual" ? nil : p.$employer.id
        e.state = .trained
        e.feeFen = 0
        e.paid = false
        e.syncActiveKey()
        try await e.create(on: db)
        return e
    }

    func room(_ name: String) async throws -> ExamRoom {
        try #require(try await ExamRoom.query(on: db).filter(\.$name == name).first())
    }
}

@Suite("考试计划") struct ExamPlanHTTPTests {
    func planForm(_ t: TestApp, rooms: [ExamRoom], count: Int, inDays days: Int) -> [(String, String)] {
        let day = CalendarDate.today(now: t.clock.now()).adding(days: days)
        return [("plan_type", "initial_offline"), ("qualification", "TZ-DG"), ("date", day.iso), ("time", "09:00"),
                ("duration", "120"), ("count", String(count))] + rooms.map { ("rooms", $0.id!.uuidString) }
    }

    @Test("the institution drafts with a seeded draw; the city submits; the province approves and it locks")
    func lifecycle() async throws {
        try await withSafeCert { t in
            let enrolments = try await t.trainedEmployees()
            let room = try await t.room("第一机考室")
            let institution = try await t.loggedIn("institution")
            let created = try await institution.postPairs("/exam-plans", planForm(t, rooms: [room], count: 2, inDays: 10))
            #expect(created.status == .seeOther, "\(institution.lastBody.components(separatedBy: "field-error\">").dropFirst().map { $0.prefix(60) })")
            let plan = try #require(try await ExamPlanRecord.query(on: t.db).first())
            #expect(plan.state == .draft)
            #expect(plan.drawSeed != nil)
            let seats = try await ExamCandidate.query(on: t.db).filter(\.$plan.$id == plan.id!).sort(\.$seatNumber).all()
            #expect(seats.map(\.seatNumber) == [1, 2])
            let scheduled = try await Enrolment.query(on: t.db).filter(\.$state == .scheduled).count()
            #expect(scheduled == 2)
            #expect(try await Enrolment.query(on: t.db).filter(\.$state == .trained).count() == enrolments.count - 2)
            #expect(try await t.auditCount("exam-plan.create") == 1)

            // The institution may not submit its own draft.
            try await institution.post("/exam-plans/\(plan.id!)/state", ["event": "submit"])
            #expect(try await ExamPlanRecord.find(plan.id, on: t.db)?.state == .draft)
            // Another city's authority doesn't see it; Changchun submits.
            t.nextMinute()
            let jilin = try await t.loggedIn("jilincity")
            #expect(try await jilin.get("/exam-plans/\(plan.id!)").status == .notFound)
            t.nextMinute()
            let changchun = try await t.loggedIn("changchun")
            try await changchun.post("/exam-plans/\(plan.id!)/state", ["event": "submit"])
            #expect(try await ExamPlanRecord.find(plan.id, on: t.db)?.state == .submitted)
            // The city can't approve its own plan; the province does, and the plan locks.
            try await changchun.post("/exam-plans/\(plan.id!)/state", ["event": "approve"])
            #expect(try await ExamPlanRecord.find(plan.id, on: t.db)?.state == .submitted)
            t.nextMinute()
            let province = try await t.loggedIn("province")
            try await province.post("/exam-plans/\(plan.id!)/state", ["event": "approve"])
            #expect(try await ExamPlanRecord.find(plan.id, on: t.db)?.state == .approved)
            // Locked for the institution; the owning authority still changes candidates until 48 hours
            // before (seed 004).
            try await institution.postPairs("/exam-plans/\(plan.id!)/remove", [("ids", seats[0].id!.uuidString)])
            #expect(try await ExamCandidate.query(on: t.db).filter(\.$plan.$id == plan.id!).count() == 2)
            try await changchun.postPairs("/exam-plans/\(plan.id!)/remove", [("ids", seats[0].id!.uuidString)])
            #expect(try await ExamCandidate.query(on: t.db).filter(\.$plan.$id == plan.id!).count() == 1)
            // The exam centre whose room it uses sees it; the other centre doesn't.
            let centre = try await t.loggedIn("centre")
            #expect(try await centre.get("/exam-plans/\(plan.id!)").status == .ok)
            let centre2 = try await t.loggedIn("centre2")
            #expect(try await centre2.get("/exam-plans/\(plan.id!)").status == .notFound)
        }
    }

    @Test("candidates change only until 48 hours before; deleting a plan puts people back; a disabled room takes no plan")
    func cutoffAndDelete() async throws {
        try await withSafeCert { t in
            _ = try await t.trainedEmployees()
            let room = try await t.room("第一机考室")
            let institution = try await t.loggedIn("institution")
            // Tomorrow: inside 48 hours.
            try await institution.postPairs("/exam-plans", planForm(t, rooms: [room], count: 1, inDays: 1))
            let soon = try #require(try await ExamPlanRecord.query(on: t.db).first())
            let seat = try #require(try await ExamCandidate.query(on: t.db).filter(\.$plan.$id == soon.id!).first())
            try await institution.postPairs("/exam-plans/\(soon.id!)/remove", [("ids", seat.id!.uuidString)])
            #expect(try await ExamCandidate.find(seat.id, on: t.db) != nil)

            // In ten days: removal works and the person is trained again.
            try await institution.postPairs("/exam-plans", planForm(t, rooms: [room], count: 2, inDays: 10))
            let later = try #require(try await ExamPlanRecord.query(on: t.db).filter(\.$id != soon.id!).first())
            let laterSeats = try await ExamCandidate.query(on: t.db).filter(\.$plan.$id == later.id!).all()
            try await institution.postPairs("/exam-plans/\(later.id!)/remove", [("ids", laterSeats[0].id!.uuidString)])
            #expect(try await ExamCandidate.find(laterSeats[0].id, on: t.db) == nil)
            #expect(try await Enrolment.find(laterSeats[0].$enrolment.id, on: t.db)?.state == .trained)

            // Changchun deletes the later plan: its remaining candidate goes back too.
            t.nextMinute()
            let changchun = try await t.loggedIn("changchun")
            try await changchun.post("/exam-plans/\(later.id!)/state", ["event": "delete"])
            #expect(try await ExamPlanRecord.find(later.id, on: t.db)?.state == .deleted)
            #expect(try await Enrolment.find(laterSeats[1].$enrolment.id, on: t.db)?.state == .trained)
            #expect(try await changchun.get("/exam-plans/\(later.id!)").status == .notFound)

            // With nobody left to place, no plan is made.
            let welding = planForm(t, rooms: [room], count: 5, inDays: 12).map { $0.0 == "qualification" ? ($0.0, "TZ-HJ") : $0 }
            let empty = try await institution.postPairs("/exam-plans", welding)
            #expect(empty.status == .unprocessableEntity)
            #expect(institution.lastBody.contains("没有符合条件的考生"))
            // A disabled room is refused.
            room.disabled = true
            try await room.save(on: t.db)
            let refused = try await institution.postPairs("/exam-plans", planForm(t, rooms: [room], count: 1, inDays: 10))
            #expect(refused.status == .unprocessableEntity)
            #expect(institution.lastBody.contains("已停用"))
        }
    }

    @Test("printed tickets carry name, seat and a QR the centre's check accepts; after printing there is no withdrawal")
    func tickets() async throws {
        try await withSafeCert { t in
            _ = try await t.trainedEmployees()
            // 李娜 trained too, with an account of her own.
            let li = try await t.person(named: "李娜")
            let hers = try await t.trainedEnrolment(of: li, channel: "individual")
            let room = try await t.room("第一机考室")
            let institution = try await t.loggedIn("institution")
            try await institution.postPairs("/exam-plans", planForm(t, rooms: [room], count: 4, inDays: 10))
            let plan = try #require(try await ExamPlanRecord.query(on: t.db).first())
            t.nextMinute()
            let changchun = try await t.loggedIn("changchun")
            try await changchun.post("/exam-plans/\(plan.id!)/state", ["event": "submit"])
            t.nextMinute()
            let province = try await t.loggedIn("province")
            try await province.post("/exam-plans/\(plan.id!)/state", ["event": "approve"])
            #expect(try await ExamPlanRecord.find(plan.id, on: t.db)?.state == .approved)

            // The enterprise prints 赵敏's ticket.
            let zhao = try await t.person(named: "赵敏")
            let seat = try #require(try await ExamCandidate.query(on: t.db).filter(\.$person.$id == zhao.id!).first())
            let enterprise = try await t.loggedIn("enterprise")
            let list = try await enterprise.get("/tickets")
            #expect(list.body.string.contains(seat.ticketNumber))
            let pdf = try await enterprise.get("/tickets/\(seat.id!)")
            #expect(pdf.status == .ok)
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ticket-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let file = dir.appendingPathComponent("t.pdf")
            try Data(pdf.body.readableBytesView).write(to: file)
            let (_, text) = try runTool("pdftotext", [file.path, "-"])
            #expect(text.contains("赵敏"))
            #expect(text.replacingOccurrences(of: " ", with: "").contains(Seat<UUID>.label(seat.seatNumber)))
            let (_, _) = try runTool("pdftoppm", ["-r", "150", "-png", file.path, dir.appendingPathComponent("page").path])
            let page = try #require(try FileManager.default.contentsOfDirectory(atPath: dir.path).first { $0.hasSuffix(".png") })
            let (status, decoded) = try runTool("zbarimg", ["--raw", "-q", dir.appendingPathComponent(page).path])
            #expect(status == 0)
            let token = decoded.split(separator: "\n").map(String.init).first { $0.contains(".") } ?? ""
            #expect(try await Enrolment.find(seat.$enrolment.id, on: t.db)?.state == .ticketed)
            #expect(try await ExamCandidate.find(seat.id, on: t.db)?.ticketPrintedAt != nil)
            // The exam centre's check accepts the QR's token; a changed one is refused.
            let centre = try await t.loggedIn("centre")
            let ok = try await centre.get("/tickets/verify?token=\(WebClient.encode(token))")
            #expect(ok.status == .ok)
            #expect(ok.body.string.contains("赵敏"))
            let forged = try await centre.get("/tickets/verify?token=\(WebClient.encode(String(token.dropLast()) + (token.last == "A" ? "B" : "A")))")
            #expect(forged.status == .unprocessableEntity)
            // The other centre can't look the candidate up.
            let centre2 = try await t.loggedIn("centre2")
            #expect(try await centre2.get("/tickets/verify?token=\(WebClient.encode(token))").status == .notFound)
            // Word too.
            let docx = try await enterprise.get("/tickets/\(seat.id!)?format=docx")
            #expect(docx.status == .ok)
            #expect(Data(docx.body.readableBytesView).starts(with: [0x50, 0x4B]))

            // 李娜 prints hers and then can't withdraw.
            let me = try await t.loggedIn(li.idNumber)
            let mine = try #require(try await ExamCandidate.query(on: t.db).filter(\.$person.$id == li.id!).first())
            #expect(try await me.get("/tickets").body.string.contains("data-testid=\"withdraw\""))
            #expect(try await me.get("/tickets/\(mine.id!)").status == .ok)
            try await me.post("/tickets/\(mine.id!)/withdraw")
            #expect(try await ExamCandidate.find(mine.id, on: t.db) != nil)
            #expect(try await Enrolment.find(hers.id, on: t.db)?.state == .ticketed)
            #expect(!(try await me.get("/tickets").body.string.contains("data-testid=\"withdraw\"")))
        }
    }

    @Test("a candidate withdraws before printing: the seat is freed")
    func withdrawBeforePrinting() async throws {
        try await withSafeCert { t in
            let li = try await t.person(named: "李娜")
            let hers = try await t.trainedEnrolment(of: li, channel: "individual")
            let institution = try await t.loggedIn("institution")
            try await institution.postPairs("/exam-plans", planForm(t, rooms: [try await t.room("第一机考室")], count: 1, inDays: 10))
            let plan = try #require(try await ExamPlanRecord.query(on: t.db).first())
            t.nextMinute()
            try await t.loggedIn("changchun").post("/exam-plans/\(plan.id!)/state", ["event": "submit"])
            t.nextMinute()
            try await t.loggedIn("province").post("/exam-plans/\(plan.id!)/state", ["event": "approve"])
            let me = try await t.loggedIn(li.idNumber)
            let mine = try #require(try await ExamCandidate.query(on: t.db).filter(\.$person.$id == li.id!).first())
            try await me.post("/tickets/\(mine.id!)/withdraw")
            #expect(try await ExamCandidate.find(mine.id, on: t.db) == nil)
            #expect(try await Enrolment.find(hers.id, on: t.db)?.state == .withdrawn)
        }
    }

    /// Core's `SeatApplicationRule.mayWithdraw` lets the applicant's side — the learner or their
    /// enterprise on their behalf — withdraw until the ticket is printed; the ticket page used to
    /// allow only the learner.
    @Test("the enterprise withdraws its employee before the ticket is printed, not after, and only its own")
    func enterpriseWithdrawsForItsEmployee() async throws {
        try await withSafeCert { t in
            let enrolments = try await t.trainedEmployees()
            let institution = try await t.loggedIn("institution")
            try await institution.postPairs("/exam-plans", planForm(t, rooms: [try await t.room("第一机考室")], count: 2, inDays: 10))
            let plan = try #require(try await ExamPlanRecord.query(on: t.db).first())
            t.nextMinute()
            try await t.loggedIn("changchun").post("/exam-plans/\(plan.id!)/state", ["event": "submit"])
            t.nextMinute()
            try await t.loggedIn("province").post("/exam-plans/\(plan.id!)/state", ["event": "approve"])
            let seats = try await ExamCandidate.query(on: t.db).filter(\.$plan.$id == plan.id!).sort(\.$seatNumber).all()
            try #require(seats.count == 2)
            let (first, second) = (seats[0], seats[1])

            // Another enterprise's account doesn't see the ticket.
            let other = try await t.loggedIn("group")
            #expect(try await other.post("/tickets/\(first.id!)/withdraw").status == .notFound)
            #expect(try await ExamCandidate.find(first.id, on: t.db) != nil)

            // The employer offers 退考 and withdraws.
            let enterprise = try await t.loggedIn("enterprise")
            #expect(try await enterprise.get("/tickets").body.string.contains("data-testid=\"withdraw\""))
            try await enterprise.post("/tickets/\(first.id!)/withdraw")
            #expect(try await ExamCandidate.find(first.id, on: t.db) == nil)
            let firstEnrolment = try #require(enrolments.first { $0.id == first.$enrolment.id })
            #expect(try await Enrolment.find(firstEnrolment.id, on: t.db)?.state == .withdrawn)

            // Once the ticket is printed the enterprise can't any more.
            #expect(try await enterprise.get("/tickets/\(second.id!)").status == .ok)
            try await enterprise.post("/tickets/\(second.id!)/withdraw")
            #expect(try await ExamCandidate.find(second.id, on: t.db) != nil)
            #expect(try await Enrolment.find(second.$enrolment.id, on: t.db)?.state == .ticketed)
            #expect(!(try await enterprise.get("/tickets").body.string.contains("data-testid=\"withdraw\"")))
        }
    }

    @Test("manual assignment places people by ID number after the room's highest seat; all or nothing")
    func manual() async throws {
        try await withSafeCert { t in
            _ = try await t.trainedEmployees()
            let room = try await t.room("第一机考室")
            let institution = try await t.loggedIn("institution")
            try await institution.postPairs("/exam-plans", planForm(t, rooms: [room], count: 1, inDays: 10))
            let plan = try #require(try await ExamPlanRecord.query(on: t.db).first())
            let placed = try #require(try await ExamCandidate.query(on: t.db).first())
            let remaining = try await Enrolment.query(on: t.db).filter(\.$state == .trained).with(\.$person).all().map(\.person)
            #expect(remaining.count == 2)
            // An unknown number spoils the whole request.
            try await institution.post("/exam-plans/\(plan.id!)/place", ["room": room.id!.uuidString,
                                                                          "id_numbers": remaining[0].idNumber + "\n110105194912310020"])
            #expect(try await ExamCandidate.query(on: t.db).count() == 1)
            try await institution.post("/exam-plans/\(plan.id!)/place", ["room": room.id!.uuidString,
                                                                          "id_numbers": remaining.map(\.idNumber).joined(separator: "\n")])
            let seats = try await ExamCandidate.query(on: t.db).sort(\.$seatNumber).all()
            #expect(seats.map(\.seatNumber) == [placed.seatNumber, placed.seatNumber + 1, placed.seatNumber + 2])
            #expect(try await Enrolment.query(on: t.db).filter(\.$state == .scheduled).count() == 3)
            #expect(try await t.auditCount("exam-plan.place") == 1)
            // Placing someone already seated is refused.
            try await institution.post("/exam-plans/\(plan.id!)/place", ["room": room.id!.uuidString, "id_numbers": remaining[0].idNumber])
            #expect(try await ExamCandidate.query(on: t.db).count() == 3)

            // 考生查询: filters and the .xlsx export with the same filters, masked for the institution.
            let all = try await institution.get("/exam-candidates")
            #expect(["赵敏", "孙磊", "周杰"].allSatisfy { all.body.string.contains($0) })
            let one = try await institution.get("/exam-candidates?name=\(WebClient.encode("孙磊"))")
            #expect(one.body.string.contains("孙磊") && !one.body.string.contains("周杰"))
            let export = try await institution.get("/exam-candidates/export.xlsx?enterprise=\(WebClient.encode("长春安达"))")
            let sheet = try Array(try XLSXReader(data: Data(export.body.readableBytesView)).rows())
            #expect(sheet.count == 4)
            #expect(sheet.dropFirst().allSatisfy { ($0.cells[1].text ?? "").contains("********") })
            // Another city's authority sees none of them.
            t.nextMinute()
            let jilin = try await t.loggedIn("jilincity")
            #expect(!(try await jilin.get("/exam-candidates").body.string.contains("孙磊")))
        }
    }
}
