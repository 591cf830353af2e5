import Foundation
import Testing
@testable import SafeCertCore

// 学员申请考场 (seed 003): who may apply for a seat in a published session, and who may withdraw.
// The HTTP side is Tests/SafeCertAppTests/ExamSessionTests.swift.

private func date(_ iso: String) -> CalendarDate { CalendarDate(iso: iso)! }

@Suite("申请考场与退考")
struct SeatApplicationTests {
    private static let today = date("2026-11-23")
    private static let reached = StudyProgress(creditedSeconds: 24 * 45 * 60, requiredHours: 24)

    private func facts(sessionOpen: Bool = true, seats: Int = 30, taken: Int = 10, study: StudyProgress = SeatApplicationTests.reached,
                       blacklistedUntil: CalendarDate? = nil, held: String? = nil) -> SeatApplicationFacts {
        SeatApplicationFacts(sessionOpen: sessionOpen, seats: seats, seatsTaken: taken, study: study, blacklistedUntil: blacklistedUntil,
                             heldSession: held, today: Self.today)
    }

    @Test func aLearnerWhoReachedTheHoursMayApply() throws {
        try SeatApplicationRule.mayApply(facts())
        #expect(SeatApplicationRule.refusals(facts(taken: 29)).isEmpty)
    }

    @Test func everyReasonIsGiven() {
        let short = StudyProgress(creditedSeconds: 20 * 45 * 60 + 100, requiredHours: 24)
        let reasons = SeatApplicationRule.refusals(facts(study: short, blacklistedUntil: Self.today, held: "长春第一考场（2026-12-05）"))
        #expect(reasons == [.hoursNotReached(earnedTenths: 200, requiredHours: 24), .suspended(until: Self.today),
                            .alreadyHoldsSeat(session: "长春第一考场（2026-12-05）")])
        #expect(reasons.map(\.message) == [
            "学时未达到要求（已完成 20.0 学时，需 24.0 学时），不能申请考场",
            "处于黑名单停考期，至 2026-11-23 止，不能申请考场",
            "已申请考场「长春第一考场（2026-12-05）」，须先退考才能另行申请",
        ])
        #expect(throws: SeatApplicationError.hoursNotReached(earnedTenths: 200, requiredHours: 24)) {
            try SeatApplicationRule.mayApply(facts(study: short))
        }
    }

    @Test func aSuspensionEndsWithItsLastDay() {
        #expect(SeatApplicationRule.refusals(facts(blacklistedUntil: date("2026-11-22"))).isEmpty)
    }

    @Test func aClosedOrFullSessionRefusesFirst() {
        let short = StudyProgress(creditedSeconds: 0, requiredHours: 24)
        #expect(SeatApplicationRule.refusals(facts(sessionOpen: false, study: short)) == [.sessionNotOpen])
        #expect(SeatApplicationRule.refusals(facts(seats: 30, taken: 30, study: short)) == [.full(seats: 30)])
        #expect(SeatApplicationError.full(seats: 30).message == "该考场 30 个座位已满")
    }

    @Test func theListOffersApplicationOnlyWhereOneCouldSucceed() {
        #expect(SeatApplicationRule.offersApplication(applicationsOpen: true, holdsSeat: false, seats: 30, taken: 29))
        #expect(!SeatApplicationRule.offersApplication(applicationsOpen: true, holdsSeat: false, seats: 30, taken: 30))
        #expect(!SeatApplicationRule.offersApplication(applicationsOpen: true, holdsSeat: true, seats: 30, taken: 1))
        #expect(!SeatApplicationRule.offersApplication(applicationsOpen: false, holdsSeat: false, seats: 30, taken: 1))
    }

    @Test func withdrawalOnlyUntilTheTicketIsPrinted() throws {
        try SeatApplicationRule.mayWithdraw(ticketPrinted: false, by: .applicant)
        try SeatApplicationRule.mayWithdraw(ticketPrinted: false, by: .authority)
        try SeatApplicationRule.mayWithdraw(ticketPrinted: true, by: .authority)
        #expect(throws: SeatApplicationError.ticketPrinted) {
            try SeatApplicationRule.mayWithdraw(ticketPrinted: true, by: .applicant)
        }
        #expect(SeatApplicationError.ticketPrinted.message == "准考证已打印，不能退考；确需取消请联系主管部门")
    }
}

@Suite("申请考场：学时与退考")
struct SeatApplicationStandingTests {
    @Test func theStudyStandingDecidesTheHours() {
        #expect(SeatStudyStanding.notNeeded.progress.isReached)
        #expect(!SeatStudyStanding.noCourse.progress.isReached)
        let half = StudyProgress(creditedSeconds: 3600, requiredHours: 2)
        #expect(SeatStudyStanding.progress(half).progress == half)
    }

    @Test func factsFromTheSession() {
        let start = beijing("2026-12-10 09:00")
        let now = beijing("2026-12-01 09:00")
        let open = SeatApplicationFacts(applicationsOpen: true, state: .approved, start: start, now: now, seats: 2, seatsTaken: 1,
                                        study: .notNeeded, blacklistedUntil: nil, heldSession: nil)
        #expect(SeatApplicationRule.refusals(open).isEmpty)
        #expect(open.today == CalendarDate(iso: "2026-12-01"))
        let closed = SeatApplicationFacts(applicationsOpen: true, state: .inProgress, start: start, now: now, seats: 2, seatsTaken: 1,
                                          study: .notNeeded, blacklistedUntil: nil, heldSession: nil)
        #expect(SeatApplicationRule.refusals(closed) == [.sessionNotOpen])
        let untrained = SeatApplicationFacts(applicationsOpen: true, state: .approved, start: start, now: now, seats: 2, seatsTaken: 1,
                                             study: .noCourse, blacklistedUntil: nil, heldSession: nil)
        #expect(SeatApplicationRule.refusals(untrained) == [.hoursNotReached(earnedTenths: 0, requiredHours: 1)])
    }

    /// The ticket's holder side is the learner and their enterprise (申请退考 on their behalf).
    @Test func theEnterpriseWithdrawsForItsEmployee() throws {
        #expect(SeatApplicationActor(ticketHolder: .individual) == .applicant)
        #expect(SeatApplicationActor(ticketHolder: .enterprise) == .applicant)
        #expect(SeatApplicationActor(ticketHolder: .cityAuthority) == nil)
        #expect(SeatApplicationActor(ticketHolder: .trainingInstitution) == nil)
        let enterprise = try #require(SeatApplicationActor(ticketHolder: .enterprise))
        try SeatApplicationRule.mayWithdraw(ticketPrinted: false, by: enterprise)
        #expect(throws: SeatApplicationError.ticketPrinted) { try SeatApplicationRule.mayWithdraw(ticketPrinted: true, by: enterprise) }
    }
}
