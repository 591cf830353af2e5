import Foundation
import Testing
@testable import SafeCertCore

@Suite("报名状态：可安排考试")
struct EnrolmentSeatStatesTests {
    @Test func whoWaitsForAnExamAndWhoMayBeSeated() {
        #expect(EnrolmentState.sorted(EnrolmentState.awaitingExam) == [.inTraining, .trained, .failed, .absent])
        #expect(EnrolmentState.sorted(EnrolmentState.seatEligible) == [.trained, .failed, .absent])
        #expect(EnrolmentState.seatEligible.isSubset(of: EnrolmentState.awaitingExam))
        #expect(EnrolmentState.sorted(EnrolmentState.holdingSeat) == [.scheduled, .ticketed])
    }

    /// Taking someone off a plan returns them to where they waited, and nowhere else.
    @Test func unschedulingReturnsOnlyToAWaitingState() throws {
        for back in EnrolmentState.allCases {
            let result = try? EnrolmentWorkflow.transition(.scheduled, .unschedule(back: back), context: EnrolmentContext())
            #expect((result != nil) == EnrolmentState.awaitingExam.contains(back), "\(back)")
            let printed = try? EnrolmentWorkflow.transition(.ticketed, .unschedule(back: back), context: EnrolmentContext(actor: .authority))
            #expect((printed != nil) == EnrolmentState.awaitingExam.contains(back), "\(back)")
        }
    }
}

@Suite("考试计划规则")
struct ExamPlanPolicyTests {
    let schedule = try! ExamSchedule(start: beijing("2026-12-10 09:00"), durationMinutes: 120)

    @Test func statesForEachPage() {
        #expect(ExamPlanPolicy.sorted(ExamPlanPolicy.ticketStates) == [.approved, .inProgress, .finished, .resultsUnderReview, .closed])
        #expect(ExamPlanPolicy.sorted(ExamPlanPolicy.dayStates) == [.approved, .inProgress, .finished])
        #expect(ExamPlanPolicy.sorted(ExamPlanPolicy.entryStates) == [.inProgress, .finished])
        #expect(ExamPlanPolicy.sorted(ExamPlanPolicy.resultStates) == [.inProgress, .finished, .resultsUnderReview, .closed])
        #expect(ExamPlanPolicy.sorted(ExamPlanPolicy.seatHoldingStates) == [.draft, .submitted, .approved, .inProgress])
        #expect(ExamPlanPolicy.sorted(ExamPlanPolicy.applicationStates) == [.approved, .inProgress])
        // No ticket before approval, none for a deleted plan.
        #expect(ExamPlanPolicy.ticketStates.allSatisfy { $0.isLocked })
    }

    @Test func aSessionIsOpenWhileApprovedOpenAndNotStarted() {
        let start = beijing("2026-12-10 09:00")
        let before = start.addingTimeInterval(-60)
        #expect(ExamPlanPolicy.sessionOpen(applicationsOpen: true, state: .approved, start: start, now: before))
        #expect(!ExamPlanPolicy.sessionOpen(applicationsOpen: true, state: .approved, start: start, now: start))
        #expect(!ExamPlanPolicy.sessionOpen(applicationsOpen: false, state: .approved, start: start, now: before))
        #expect(!ExamPlanPolicy.sessionOpen(applicationsOpen: nil, state: .approved, start: start, now: before))
        #expect(!ExamPlanPolicy.sessionOpen(applicationsOpen: true, state: .inProgress, start: start, now: before))
    }

    @Test func theAuthorityRemovesApplicationsInItsRegionBeforeTheExam() {
        #expect(ExamPlanPolicy.mayRemoveApplication(inJurisdiction: true, state: .approved))
        #expect(!ExamPlanPolicy.mayRemoveApplication(inJurisdiction: false, state: .approved))
        #expect(!ExamPlanPolicy.mayRemoveApplication(inJurisdiction: true, state: .inProgress))
    }

    @Test func jurisdiction() {
        // The workflow: authorities only in their region; the institution and the exam centre by whose plan it is.
        #expect(ExamPlanPolicy.actsOnWorkflow(.institution, inJurisdiction: false))
        #expect(ExamPlanPolicy.actsOnWorkflow(.examCentre, inJurisdiction: false))
        #expect(!ExamPlanPolicy.actsOnWorkflow(.cityAuthority, inJurisdiction: false))
        #expect(!ExamPlanPolicy.actsOnWorkflow(.nationalCentre, inJurisdiction: false))
        #expect(ExamPlanPolicy.actsOnWorkflow(.provinceAuthority, inJurisdiction: true))
        // Changes: the national centre everywhere, the exam centre never outside.
        #expect(ExamPlanPolicy.changesPlan(.nationalCentre, inJurisdiction: false))
        #expect(ExamPlanPolicy.changesPlan(.institution, inJurisdiction: false))
        #expect(!ExamPlanPolicy.changesPlan(.examCentre, inJurisdiction: false))
        #expect(!ExamPlanPolicy.changesPlan(.cityAuthority, inJurisdiction: false))
    }

    @Test func anAuthorityOutsideItsRegionDoesNotChangeCandidates() throws {
        let now = beijing("2026-12-01 09:00")
        try ExamPlanPolicy.checkCandidateChange(state: .draft, level: .city, schedule: schedule, by: .cityAuthority, inJurisdiction: true, now: now)
        #expect(throws: ExamPlanError.forbidden(.cityAuthority, action: "修改考生名单", allowed: [.cityAuthority])) {
            try ExamPlanPolicy.checkCandidateChange(state: .draft, level: .city, schedule: schedule, by: .cityAuthority, inJurisdiction: false, now: now)
        }
        // After approval the owner still may, until the 48-hour cutoff.
        try ExamPlanPolicy.checkCandidateChange(state: .approved, level: .city, schedule: schedule, by: .cityAuthority, inJurisdiction: true, now: now)
        #expect(throws: ExamPlanError.candidatesLocked(since: beijing("2026-12-08 09:00"))) {
            try ExamPlanPolicy.checkCandidateChange(state: .approved, level: .city, schedule: schedule, by: .cityAuthority, inJurisdiction: true,
                                                    now: beijing("2026-12-09 09:00"))
        }
    }

    @Test func anAuthorityOutsideItsRegionDoesNotEditThePlan() throws {
        let now = beijing("2026-12-01 09:00")
        let transition = try ExamPlanPolicy.checkPlanEdit(state: .draft, level: .city, schedule: schedule, by: .institution, inJurisdiction: false, now: now)
        #expect(transition.state == .draft)
        #expect(throws: ExamPlanError.forbidden(.provinceAuthority, action: "修改考试计划", allowed: [.institution, .provinceAuthority])) {
            try ExamPlanPolicy.checkPlanEdit(state: .draft, level: .province, schedule: schedule, by: .provinceAuthority, inJurisdiction: false, now: now)
        }
    }
}

@Suite("准考证号与流水号")
struct TicketNumberTests {
    @Test func serialRoomAndSeat() {
        #expect(TicketNumber(serial: "KS2026120112345", room: 1, seat: 7).text == "KS202612011234501007")
        #expect(TicketNumber(serial: "KC2026120100001", room: 12, seat: 120).description == "KC202612010000112120")
        // As the format "%02d%03d" wrote it.
        for (room, seat) in [(1, 1), (9, 99), (10, 100), (99, 999)] {
            #expect(TicketNumber(serial: "S", room: room, seat: seat).text == "S" + String(format: "%02d%03d", room, seat))
        }
    }

    @Test func planAndSessionSerials() {
        let day = CalendarDate(iso: "2026-12-01")!
        #expect(ExamPlanSerial(.plan, day: day, digits: "12345").text == "KS2026120112345")
        #expect(ExamPlanSerial(.session, day: day, digits: "00001").text == "KC2026120100001")
    }

    @Test func importLimits() {
        #expect(ImportLimits.candidates == 5_000)
        #expect(ImportLimits.enrolments == 2_000)
        #expect(ImportLimits.scores == 5_000)
        #expect(ImportLimits.manualPlacement == 500)
    }
}
