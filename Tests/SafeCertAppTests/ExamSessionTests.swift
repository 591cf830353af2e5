import Fluent
import Foundation
import SafeCertCore
import Testing
import Vapor
import VaporTesting
@testable import SafeCertApp

/// 学员申请考场 (seed 003) over HTTP: the authority publishes a session, learners apply, withdraw
/// until the ticket is printed, the authority removes applications. The rule itself is
/// Tests/SafeCertCoreTests/SeatApplicationTests.swift.
@Suite("申请考场") struct ExamSessionTests {
    @Test("the last seat of a published session goes once; withdrawal frees it; after printing only the authority removes it")
    func seatApplications() async throws {
        try await withSafeCert { t in
            let zhang = try await t.person(named: "张伟")
            let li = try await t.person(named: "李娜")
            let his = try await t.trainedEnrolment(of: zhang, channel: "individual")
            let hers = try await t.trainedEnrolment(of: li, channel: "individual")
            let big = try await t.room("第一机考室")
            let small = ExamRoom()
            small.$centre.id = big.$centre.id
            small.name = "单人考位"
            small.kind = big.kind
            small.capacity = 1
            small.address = big.address
            small.disabled = false
            small.regionCode = big.regionCode
            try await small.create(on: t.db)
            let changchun = try await t.loggedIn("changchun")
            let day = CalendarDate.today(now: t.clock.now()).adding(days: 10)
            let published = try await changchun.postPairs("/exam-sessions", [("plan_type", "initial_offline"), ("qualification", "TZ-DG"), ("date", day.iso),
                                                                              ("time", "09:00"), ("duration", "120"), ("rooms", small.id!.uuidString)])
            #expect(published.status == .seeOther)
            let session = try #require(try await ExamPlanRecord.query(on: t.db).filter(\.$applicationsOpen == true).first())
            #expect(session.state == .approved)
            #expect(try await t.auditCount("exam-session.publish") == 1)
            // An institution can't publish.
            t.nextMinute()
            #expect(try await t.loggedIn("institution").get("/exam-sessions/new").status == .forbidden)

            t.nextMinute()
            let a = try await t.loggedIn(zhang.idNumber)
            t.nextMinute()
            let b = try await t.loggedIn(li.idNumber)
            #expect(try await a.get("/exam-sessions").body.string.contains("data-testid=\"session-apply\""))
            // Both ask for the one seat at once.
            async let first = a.post("/exam-sessions/\(session.id!)/apply")
            async let second = b.post("/exam-sessions/\(session.id!)/apply")
            _ = try await (first, second)
            let seats = try await ExamCandidate.query(on: t.db).filter(\.$plan.$id == session.id!).all()
            #expect(seats.count == 1)
            let winner = try #require(seats.first)
            let (winnerClient, loserClient, winnerEnrolment, loserEnrolment) = winner.$person.id == zhang.id! ? (a, b, his, hers) : (b, a, hers, his)
            #expect(try await Enrolment.find(winnerEnrolment.id, on: t.db)?.state == .scheduled)
            #expect(try await Enrolment.find(loserEnrolment.id, on: t.db)?.state == .trained)
            #expect(try await loserClient.get("/exam-sessions").body.string.contains("1 个座位已满"))
            // The winner withdraws before printing: the seat is free and the loser takes it.
            try await winnerClient.post("/tickets/\(winner.id!)/withdraw")
            #expect(try await ExamCandidate.find(winner.id, on: t.db) == nil)
            #expect(try await Enrolment.find(winnerEnrolment.id, on: t.db)?.state == .trained)
            try await loserClient.post("/exam-sessions/\(session.id!)/apply")
            let taken = try #require(try await ExamCandidate.query(on: t.db).filter(\.$plan.$id == session.id!).first())
            #expect(taken.$person.id == loserEnrolment.$person.id)
            // Printed: no withdrawal; the authority removes the application and the person may apply again.
            #expect(try await loserClient.get("/tickets/\(taken.id!)").status == .ok)
            try await loserClient.post("/tickets/\(taken.id!)/withdraw")
            #expect(try await ExamCandidate.find(taken.id, on: t.db) != nil)
            #expect(try await Enrolment.find(loserEnrolment.id, on: t.db)?.state == .ticketed)
            t.nextMinute()
            let authority = try await t.loggedIn("changchun")
            try await authority.postPairs("/exam-sessions/\(session.id!)/remove", [("ids", taken.id!.uuidString)])
            #expect(try await ExamCandidate.find(taken.id, on: t.db) == nil)
            #expect(try await Enrolment.find(loserEnrolment.id, on: t.db)?.state == .trained)
            #expect(try await t.auditCount("exam-session.apply") == 2)
            #expect(try await t.auditCount("exam-session.remove") == 1)
        }
    }

    @Test("seed 003: a learner whose online study reached the hours applies during training; withdrawing returns to training")
    func applicationByStudyHours() async throws {
        try await withSafeCert { t in
            let zhang = try await t.person(named: "张伟")
            let e = try await t.trainedEnrolment(of: zhang, channel: "individual")
            e.state = .inTraining
            try await e.save(on: t.db)
            let course = Course()
            course.title = "低压电工作业（取证）在线课程"
            course.qualificationCode = "TZ-DG"
            course.classType = .initial
            course.requiredHours = 1
            course.$owner.id = try await t.organization(named: "长春安全生产培训学校").id!
            try await course.create(on: t.db)
            let progress = CourseProgress()
            progress.$person.id = zhang.id!
            progress.$course.id = course.id!
            progress.seconds = 1_800
            progress.reached = false
            progress.regionCode = zhang.regionCode
            progress.updatedAt = t.clock.now()
            try await progress.create(on: t.db)
            let room = try await t.room("第一机考室")
            let day = CalendarDate.today(now: t.clock.now()).adding(days: 10)
            try await t.loggedIn("changchun").postPairs("/exam-sessions", [("plan_type", "initial_offline"), ("qualification", "TZ-DG"), ("date", day.iso),
                                                                           ("time", "09:00"), ("duration", "120"), ("rooms", room.id!.uuidString)])
            let session = try #require(try await ExamPlanRecord.query(on: t.db).filter(\.$applicationsOpen == true).first())
            t.nextMinute()
            let me = try await t.loggedIn(zhang.idNumber)
            #expect(try await me.get("/exam-sessions").body.string.contains("还需 0.4 学时"))
            try await me.post("/exam-sessions/\(session.id!)/apply")
            #expect(try await me.get("/exam-sessions").body.string.contains("学时未达到要求"))
            #expect(try await ExamCandidate.query(on: t.db).count() == 0)
            #expect(try await Enrolment.find(e.id, on: t.db)?.state == .inTraining)
            progress.seconds = 2_700
            progress.reached = true
            try await progress.save(on: t.db)
            try await me.post("/exam-sessions/\(session.id!)/apply")
            let seat = try #require(try await ExamCandidate.query(on: t.db).first())
            #expect(seat.previousState == .inTraining)
            // Holding a seat, the learner is not told to finish training first.
            #expect(!(try await me.get("/exam-sessions").body.string.contains("后才能申请考场")))
            #expect(try await Enrolment.find(e.id, on: t.db)?.state == .scheduled)
            try await me.post("/tickets/\(seat.id!)/withdraw")
            #expect(try await Enrolment.find(e.id, on: t.db)?.state == .inTraining)
            // A failed enrolment without a resit left is told so, and nothing is booked.
            e.state = .failed
            try await e.save(on: t.db)
            let refused = try await me.post("/exam-sessions/\(session.id!)/apply")
            #expect(refused.status == .seeOther)
            #expect(try await me.get("/exam-sessions").body.string.contains("补考机会已用完"))
            #expect(try await ExamCandidate.query(on: t.db).count() == 0)
        }
    }
}
