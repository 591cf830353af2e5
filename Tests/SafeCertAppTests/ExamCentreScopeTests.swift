import Fluent
import Foundation
import SafeCertCore
import SafeCertDocuments
import Testing
import Vapor
import VaporTesting
@testable import SafeCertApp

@Suite("多考核点考试计划的成绩范围") struct ExamCentreScopeTests {
    /// An approved plan for the three trained employees, 周杰 moved into a room of the other
    /// exam centre (吉林市安全生产考核点), everyone checked in, the plan at `state`.
    func sharedPlan(_ t: TestApp, state: ExamPlanState) async throws -> (ExamPlanRecord, ExamCandidate, ExamCandidate) {
        _ = try await t.trainedEmployees()
        let plan = try await t.approvedPlan(count: 3)
        let mine = try await t.room("第一机考室")
        let other = ExamRoom()
        other.$centre.id = try await t.organization(named: "吉林市安全生产考核点").requireID()
        other.name = "外点机考室"
        other.kind = mine.kind
        other.capacity = 10
        other.address = "吉林市"
        other.disabled = false
        other.regionCode = mine.regionCode
        try await other.create(on: t.db)
        let link = ExamPlanRoom()
        link.$plan.id = try plan.requireID()
        link.$room.id = try other.requireID()
        link.centreID = other.$centre.id
        link.position = 2
        try await link.create(on: t.db)
        let zhou = try await t.person(named: "周杰")
        let zhao = try await t.person(named: "赵敏")
        let candidates = try await ExamCandidate.query(on: t.db).filter(\.$plan.$id == plan.requireID()).all()
        for c in candidates {
            c.attendance = .admitted
            if c.$person.id == zhou.id {
                c.$room.id = try other.requireID()
                c.seatNumber = 1
            }
            try await c.save(on: t.db)
        }
        plan.state = state
        try await plan.save(on: t.db)
        let theirs = try #require(candidates.first { $0.$person.id == zhou.id })
        let ours = try #require(candidates.first { $0.$person.id == zhao.id })
        return (plan, ours, theirs)
    }

    @Test("an exam centre sees, enters, imports and posts scores only for candidates in its own rooms")
    func scoresOnlyForOwnRooms() async throws {
        try await withSafeCert { t in
            let (plan, ours, theirs) = try await sharedPlan(t, state: .finished)
            let zhou = try await t.person(named: "周杰")
            let centre = try await t.loggedIn("centre")
            let page = try await centre.get("/exam-plans/\(plan.id!)/results").body.string
            #expect(page.contains(ours.ticketNumber))
            #expect(!page.contains(theirs.ticketNumber))

            let typed = try await centre.post("/exam-plans/\(plan.id!)/results", ["theory:\(theirs.id!)": "90", "practical:\(theirs.id!)": "90"])
            #expect(typed.status == .notFound)
            #expect(try await ExamCandidate.find(theirs.id, on: t.db)?.theoryResult == nil)

            let template = try await centre.get("/exam-plans/\(plan.id!)/results/template.xlsx")
            let cells = try XLSXReader(data: Data(template.body.readableBytesView)).rows().flatMap { $0.cells.map(\.text) }
            #expect(cells.contains(ours.ticketNumber))
            #expect(!cells.contains(zhou.idNumber) && !cells.contains(theirs.ticketNumber))

            let sheet = try t.xlsx(ScoreImportTemplate.Column.allCases.map(\.title), [[theirs.ticketNumber, zhou.idNumber, zhou.name, "90", "90"]])
            let imported = try await centre.upload("/exam-plans/\(plan.id!)/results/import", files: [("file", "s.xlsx", sheet)])
            #expect(imported.status == .unprocessableEntity)
            #expect(try await ExamCandidate.find(theirs.id, on: t.db)?.theoryResult == nil)

            let key = try await t.apiKey(for: "长春市安全生产考核点")
            let api = try await t.client().send(.POST, "/api/v1/exam-plans/\(plan.serial)/scores", headers: key, body: ByteBuffer(
                string: #"{"scores":[{"ticketNumber":"\#(theirs.ticketNumber)","idNumber":"\#(zhou.idNumber)","theory":"90","practical":"90"}]}"#))
            #expect(api.status == .unprocessableEntity)
            #expect(try await ExamCandidate.find(theirs.id, on: t.db)?.theoryResult == nil)
            // The other centre does reach its own candidate.
            let centre2 = try await t.loggedIn("centre2")
            #expect(try await centre2.post("/exam-plans/\(plan.id!)/results", ["theory:\(theirs.id!)": "90", "practical:\(theirs.id!)": "90"]).status == .seeOther)
            #expect(try await ExamCandidate.find(theirs.id, on: t.db)?.theoryResult == "90")
        }
    }

    @Test("a shared plan goes to review only when every centre has submitted its own candidates' results")
    func submissionPerCentre() async throws {
        try await withSafeCert { t in
            let (plan, _, theirs) = try await sharedPlan(t, state: .finished)
            let centre = try await t.loggedIn("centre")
            let own = try await ExamCandidate.query(on: t.db).filter(\.$plan.$id == plan.requireID()).filter(\.$id != theirs.requireID()).all()
            var scores: [String: String] = [:]
            for c in own { scores["theory:\(c.id!)"] = "90"; scores["practical:\(c.id!)"] = "90" }
            #expect(try await centre.post("/exam-plans/\(plan.id!)/results", scores).status == .seeOther)
            // The other centre's candidate has no score yet; it doesn't stop this centre's submission.
            try await centre.post("/exam-plans/\(plan.id!)/state", ["event": "submit_results"])
            #expect(try await ExamPlanRecord.find(plan.id, on: t.db)?.state == .finished)
            #expect(try await t.auditCount("exam-results.submit-centre") == 1)
            // Submitted: this centre's scores are closed, the other's still open.
            let late = try await centre.post("/exam-plans/\(plan.id!)/results", ["theory:\(own[0].id!)": "10"])
            #expect(late.status == .seeOther)
            #expect(try await ExamCandidate.find(own[0].id, on: t.db)?.theoryResult == "90")
            try await centre.post("/exam-plans/\(plan.id!)/state", ["event": "submit_results"])
            #expect(try await t.auditCount("exam-results.submit-centre") == 1)

            let centre2 = try await t.loggedIn("centre2")
            try await centre2.post("/exam-plans/\(plan.id!)/state", ["event": "submit_results"])
            #expect(try await ExamPlanRecord.find(plan.id, on: t.db)?.state == .finished, "周杰 has no score yet")
            #expect(try await centre2.post("/exam-plans/\(plan.id!)/results", ["theory:\(theirs.id!)": "70", "practical:\(theirs.id!)": "70"]).status == .seeOther)
            try await centre2.post("/exam-plans/\(plan.id!)/state", ["event": "submit_results"])
            #expect(try await ExamPlanRecord.find(plan.id, on: t.db)?.state == .resultsUnderReview)

            // The province returns them: both centres may correct again.
            t.nextMinute()
            let province = try await t.loggedIn("province")
            try await province.post("/exam-plans/\(plan.id!)/state", ["event": "return_results", "reason": "核对实操成绩"])
            #expect(try await ExamPlanRecord.find(plan.id, on: t.db)?.state == .finished)
            #expect(try await centre.post("/exam-plans/\(plan.id!)/results", ["theory:\(own[0].id!)": "95"]).status == .seeOther)
            #expect(try await ExamCandidate.find(own[0].id, on: t.db)?.theoryResult == "95")
        }
    }

    @Test("one centre can't start or finish a plan it shares with another centre")
    func sharedPlanRunsOnSchedule() async throws {
        try await withSafeCert { t in
            let (plan, _, _) = try await sharedPlan(t, state: .inProgress)
            let centre = try await t.loggedIn("centre")
            try await centre.post("/exam-plans/\(plan.id!)/state", ["event": "finish"])
            #expect(try await ExamPlanRecord.find(plan.id, on: t.db)?.state == .inProgress)
        }
    }
}
