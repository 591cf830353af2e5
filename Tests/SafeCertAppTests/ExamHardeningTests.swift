import Fluent
import Foundation
import SafeCertCore
import Testing
import Vapor
import VaporTesting
@testable import SafeCertApp

@Suite("考试计划与实名认证：先判断后写入") struct ExamHardeningTests {
    @Test("a refused identity check writes nothing: no identity record, attendance and enrolment unchanged")
    func refusedCheckKeepsNothing() async throws {
        try await withSafeCert { t in
            _ = try await t.trainedEmployees()
            let plan = try await t.approvedPlan(count: 3)
            let room = try await t.room("第一机考室")
            let zhao = try await t.person(named: "赵敏")
            let candidate = try #require(try await ExamCandidate.query(on: t.db).filter(\.$plan.$id == plan.id!).filter(\.$person.$id == zhao.id!).first())
            // The authority cancelled her enrolment; she is still on the room's list.
            let enrolment = try #require(try await Enrolment.find(candidate.$enrolment.id, on: t.db))
            enrolment.state = .cancelled
            try await enrolment.save(on: t.db)
            t.clock.advance(by: plan.startAt.timeIntervalSince(t.clock.now()) - 3_600)
            let centre = try await t.loggedIn("centre")
            let read = try await centre.postJSON("/identity/check", ["plan": plan.id!.uuidString, "room": room.id!.uuidString, "idNumber": zhao.idNumber,
                                                                   "name": zhao.name, "validUntil": "2035-01-01", "method": "reader"])
            #expect(read.status == .unprocessableEntity)
            #expect(read.body.string.contains("已撤销"))
            #expect(try await IdentityCheckRecord.query(on: t.db).count() == 0)
            #expect(try await ExamCandidate.find(candidate.id, on: t.db)?.attendance == nil)
            #expect(try await Enrolment.find(enrolment.id, on: t.db)?.state == .cancelled)
            #expect(try await t.auditCount("exam.identity-checked") == 0)
            #expect(try await t.auditCount("exam.identity-refused") == 1)
            // A manual check of a passport holder finds nobody by the resident-ID number of the same digits.
            let manual = try await centre.post("/identity/check", ["plan": plan.id!.uuidString, "room": room.id!.uuidString, "id_number": zhao.idNumber,
                                                                  "name": zhao.name, "method": "manual", "reason": "阅读器故障", "id_type": "passport"])
            #expect(manual.status == .seeOther)
            #expect(try await IdentityCheckRecord.query(on: t.db).count() == 0)
            // The page renders the list with its counter and no broken photo frame.
            let page = try await centre.get("/identity?plan=\(plan.id!)&room=\(room.id!)").body.string
            #expect(page.contains("data-admitted-count>0</span> / 3"))
            #expect(page.contains("<img data-photo-live alt=\"现场照片\" hidden>"))
        }
    }

    @Test("the room chosen on 实名认证 stays chosen: 正在考试 opens on it, not on the plan's first room")
    func chosenRoomIsKept() async throws {
        try await withSafeCert { t in
            _ = try await t.trainedEmployees()
            let plan = try await t.approvedPlan(count: 1)
            let site = try await t.room("电工实操场地")
            let link = ExamPlanRoom()
            link.$plan.id = plan.id!
            link.$room.id = site.id!
            link.centreID = site.$centre.id
            link.position = 2
            try await link.create(on: t.db)
            let centre = try await t.loggedIn("centre")
            // Without a choice the first room by name is shown.
            let first = try await centre.get("/live?plan=\(plan.id!)").body.string
            #expect(first.contains("<option value=\"\(site.id!)\" selected>"))
            let room = try await t.room("第一机考室")
            let identity = try await centre.get("/identity?plan=\(plan.id!)&room=\(room.id!)")
            let cookie = try #require(identity.headers[.setCookie].first { $0.hasPrefix(ExamDayRoutes.roomCookie + "=") })
            let pair = String(cookie.split(separator: ";")[0])
            var headers = HTTPHeaders()
            headers.add(name: .cookie, value: pair)
            let live = try await centre.get("/live?plan=\(plan.id!)", headers: headers).body.string
            #expect(live.contains("<option value=\"\(room.id!)\" selected>"))
            // A remembered room of another plan, or one this centre doesn't have, isn't taken.
            var other = HTTPHeaders()
            other.add(name: .cookie, value: "\(ExamDayRoutes.roomCookie)=\(UUID().uuidString):\(room.id!)")
            #expect(try await centre.get("/live?plan=\(plan.id!)", headers: other).body.string.contains("<option value=\"\(site.id!)\" selected>"))
        }
    }

    @Test("deleting a draft plan goes back to the plan list with a message, not to the deleted plan")
    func deleteRedirectsToTheList() async throws {
        try await withSafeCert { t in
            _ = try await t.trainedEmployees()
            let plan = try await t.draftPlan(count: 1)
            t.nextMinute()
            let changchun = try await t.loggedIn("changchun")
            let deleted = try await changchun.post("/exam-plans/\(plan.id!)/state", ["event": "delete"])
            #expect(deleted.status == .seeOther)
            #expect(deleted.headers.first(name: .location) == "/exam-plans")
            let list = try await changchun.get("/exam-plans")
            #expect(list.status == .ok)
            #expect(list.body.string.contains("考试计划 \(plan.serial) 已删除"))
            #expect(try await ExamPlanRecord.find(plan.id, on: t.db)?.state == .deleted)
        }
    }

    @Test("removing a checked-in applicant answers with the plan page and a Chinese reason (409), and removes nobody")
    func checkedInApplicantStays() async throws {
        try await withSafeCert { t in
            let zhang = try await t.person(named: "张伟")
            let li = try await t.person(named: "李娜")
            _ = try await t.trainedEnrolment(of: zhang, channel: "individual")
            _ = try await t.trainedEnrolment(of: li, channel: "individual")
            let room = try await t.room("第一机考室")
            let day = CalendarDate.today(now: t.clock.now()).adding(days: 10)
            let changchun = try await t.loggedIn("changchun")
            try await changchun.postPairs("/exam-sessions", [("plan_type", "initial_offline"), ("qualification", "TZ-DG"), ("date", day.iso),
                                                              ("time", "09:00"), ("duration", "120"), ("rooms", room.id!.uuidString)])
            let session = try #require(try await ExamPlanRecord.query(on: t.db).filter(\.$applicationsOpen == true).first())
            t.nextMinute()
            try await t.loggedIn(zhang.idNumber).post("/exam-sessions/\(session.id!)/apply")
            t.nextMinute()
            try await t.loggedIn(li.idNumber).post("/exam-sessions/\(session.id!)/apply")
            let seats = try await ExamCandidate.query(on: t.db).filter(\.$plan.$id == session.id!).with(\.$enrolment).all()
            #expect(seats.count == 2)
            // 张伟 has passed the identity check.
            let checked = try #require(seats.first { $0.$person.id == zhang.id! })
            checked.attendance = .admitted
            try await checked.save(on: t.db)
            checked.enrolment.state = .admitted
            try await checked.enrolment.save(on: t.db)
            t.nextMinute()
            let authority = try await t.loggedIn("changchun")
            let refused = try await authority.postPairs("/exam-sessions/\(session.id!)/remove", seats.map { ("ids", $0.id!.uuidString) })
            #expect(refused.status == .conflict)
            let body = refused.body.string
            #expect(body.contains("未移出任何考生"))
            #expect(body.contains("张伟（已验证身份）"))
            #expect(body.contains("data-testid=\"menu\"") && body.contains(session.serial))
            #expect(try await ExamCandidate.query(on: t.db).filter(\.$plan.$id == session.id!).count() == 2)
            #expect(try await t.auditCount("exam-session.remove") == 0)
            // The one not checked in is removed.
            let other = try #require(seats.first { $0.$person.id == li.id! })
            #expect(try await authority.postPairs("/exam-sessions/\(session.id!)/remove", [("ids", other.id!.uuidString)]).status == .seeOther)
            #expect(try await ExamCandidate.find(other.id, on: t.db) == nil)
            #expect(try await t.auditCount("exam-session.remove") == 1)
        }
    }

    @Test("修改考试计划: date, time, duration and rooms change in draft; candidates keep their seats; audited")
    func editDraftPlan() async throws {
        try await withSafeCert { t in
            _ = try await t.trainedEmployees()
            let plan = try await t.draftPlan(count: 2)
            let room = try await t.room("第一机考室")
            let site = try await t.room("电工实操场地")
            let tickets = try await ExamCandidate.query(on: t.db).filter(\.$plan.$id == plan.id!).all().map(\.ticketNumber).sorted()
            let institution = try await t.loggedIn("institution")
            #expect(try await institution.get("/exam-plans/\(plan.id!)").body.string.contains("data-testid=\"plan-edit\""))
            let form = try await institution.get("/exam-plans/\(plan.id!)/edit")
            #expect(form.status == .ok)
            #expect(form.body.string.contains("value=\"120\""))
            let day = CalendarDate.today(now: t.clock.now()).adding(days: 12)
            func edit(_ web: WebClient, date: String = day.iso, time: String = "10:30", duration: String = "90", rooms: [ExamRoom]) async throws -> TestingHTTPResponse {
                try await web.postPairs("/exam-plans/\(plan.id!)/edit", [("date", date), ("time", time), ("duration", duration)]
                                        + rooms.map { ("rooms", $0.id!.uuidString) })
            }
            // A room with candidates can't be taken off; a day-long typo is refused; nothing changes.
            let removing = try await edit(institution, rooms: [site])
            #expect(removing.status == .unprocessableEntity)
            #expect(removing.body.string.contains("考场「第一机考室」已安排考生，不能移出本计划"))
            let typo = try await edit(institution, duration: "9000", rooms: [room])
            #expect(typo.status == .unprocessableEntity)
            #expect(typo.body.string.contains("1–1440"))
            #expect(try await ExamPlanRecord.find(plan.id, on: t.db)?.durationMinutes == 120)
            // Saved: the new moment, the new room numbered after the first, tickets as they were.
            let saved = try await edit(institution, rooms: [room, site])
            #expect(saved.status == .seeOther, "\(saved.body.string.components(separatedBy: "field-error").dropFirst().first?.prefix(200) ?? "")")
            let edited = try #require(try await ExamPlanRecord.find(plan.id, on: t.db))
            #expect(ExamSchedule.beijingText(edited.startAt) == "\(day.iso) 10:30")
            #expect(edited.durationMinutes == 90)
            let links = try await ExamPlanRoom.query(on: t.db).filter(\.$plan.$id == plan.id!).all()
            #expect(links.count == 2)
            #expect(links.first { $0.$room.id == site.id! }?.position == 2)
            #expect(try await ExamCandidate.query(on: t.db).filter(\.$plan.$id == plan.id!).all().map(\.ticketNumber).sorted() == tickets)
            #expect(try await t.auditCount("exam-plan.edit") == 1)
            // The empty room comes off again.
            #expect(try await edit(institution, rooms: [room]).status == .seeOther)
            #expect(try await ExamPlanRoom.query(on: t.db).filter(\.$plan.$id == plan.id!).count() == 1)
            // The exam centre may not edit; once submitted nobody may.
            t.nextMinute()
            let centre = try await t.loggedIn("centre")
            #expect(try await edit(centre, rooms: [room]).status == .conflict)
            t.nextMinute()
            let changchun = try await t.loggedIn("changchun")
            try await changchun.post("/exam-plans/\(plan.id!)/state", ["event": "submit"])
            let late = try await edit(changchun, time: "14:00", rooms: [room])
            #expect(late.status == .conflict)
            #expect(late.body.string.contains("不能修改考试计划"))
            #expect(ExamSchedule.beijingText(try #require(try await ExamPlanRecord.find(plan.id, on: t.db)).startAt) == "\(day.iso) 10:30")
            #expect(!(try await changchun.get("/exam-plans/\(plan.id!)").body.string.contains("data-testid=\"plan-edit\"")))
            #expect(try await t.auditCount("exam-plan.edit") == 2)
        }
    }
}
