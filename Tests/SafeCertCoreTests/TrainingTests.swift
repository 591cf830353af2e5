import Foundation
import Testing
@testable import SafeCertCore

private func date(_ iso: String) -> CalendarDate { CalendarDate(iso: iso)! }

private let examDay = date("2026-11-23")
private let specialOperations = QualificationCatalogue.defaults.terms(for: "TZ-DG", province: nil, on: examDay)!.eligibility
private let safetyManager = QualificationCatalogue.defaults.terms(for: "JZ-C3", province: nil, on: examDay)!.eligibility

/// Someone who meets every default rule on `examDay`.
private func fitWorker(bornOn birth: String = "1990-05-01") -> Applicant {
    Applicant(birthDate: date(birth), education: .seniorHighOrVocational, yearsOfExperience: 5,
              hasMedicalCheck: true, hasHealthCommitment: true)
}

@Suite("报考条件")
struct EligibilityTests {
    @Test func aFitWorkerIsEligibleForEveryDefaultQualification() {
        for type in QualificationCatalogue.defaults.types {
            let rule = QualificationCatalogue.defaults.terms(for: type.code, province: nil, on: examDay)!.eligibility
            #expect(Eligibility.check(fitWorker(), against: rule, on: examDay) == [], "\(type.code)")
        }
    }

    @Test func ageCountsCompletedYearsUpToTheBirthday() {
        #expect(Eligibility.check(fitWorker(bornOn: "2008-11-23"), against: specialOperations, on: examDay) == [])
        let failures = Eligibility.check(fitWorker(bornOn: "2008-11-24"), against: specialOperations, on: examDay)
        #expect(failures == [.tooYoung(age: 17, minimum: 18)])
        #expect(failures.map(\.message) == ["年龄 17 岁，低于 18 岁"])
    }

    @Test func theUpperAgeBoundIsInclusive() {
        // Special operations: up to 60; construction safety managers: 未满 60 周岁.
        #expect(Eligibility.check(fitWorker(bornOn: "1965-11-24"), against: specialOperations, on: examDay) == [])
        #expect(Eligibility.check(fitWorker(bornOn: "1965-11-23"), against: specialOperations, on: examDay).map(\.message)
            == ["年龄 61 岁，超过 60 岁"])
        #expect(Eligibility.check(fitWorker(bornOn: "1966-11-23"), against: safetyManager, on: examDay).map(\.message)
            == ["年龄 60 岁，超过 59 岁"])
    }

    @Test func educationBelowTheMinimumFailsUnlessATechnicalTitleStandsIn() {
        var applicant = fitWorker()
        applicant.education = .juniorHighOrBelow
        #expect(Eligibility.check(applicant, against: safetyManager, on: examDay).map(\.message)
            == ["学历为初中及以下，低于要求的高中/中专/技校，且无初级及以上技术职称"])
        applicant.hasTechnicalTitle = true
        #expect(Eligibility.check(applicant, against: safetyManager, on: examDay) == [])

        let strict = EligibilityRule(minimumEducation: .bachelor)
        #expect(Eligibility.check(applicant, against: strict, on: examDay).map(\.message) == ["学历为初中及以下，低于要求的本科"])
    }

    @Test func missingEducationIsAFailureWhenARuleNeedsIt() {
        var applicant = fitWorker()
        applicant.education = nil
        #expect(Eligibility.check(applicant, against: specialOperations, on: examDay).map(\.message) == ["未填写学历"])
        #expect(Eligibility.check(applicant, against: safetyManager, on: examDay).map(\.message)
            == ["未填写学历，要求高中/中专/技校及以上或初级及以上技术职称"])
        #expect(Eligibility.check(applicant, against: EligibilityRule(minimumEducation: .juniorCollege), on: examDay).map(\.message)
            == ["未填写学历，要求大专及以上"])
        #expect(Eligibility.check(applicant, against: EligibilityRule(), on: examDay) == [])
    }

    @Test func experienceIsCheckedInWholeYears() {
        var applicant = fitWorker()
        applicant.yearsOfExperience = 2
        #expect(Eligibility.check(applicant, against: safetyManager, on: examDay) == []) // 两年以上 includes two
        applicant.yearsOfExperience = 1
        #expect(Eligibility.check(applicant, against: safetyManager, on: examDay).map(\.message) == ["从业年限 1 年，少于要求的 2 年"])
        applicant.yearsOfExperience = nil
        #expect(Eligibility.check(applicant, against: safetyManager, on: examDay).map(\.message) == ["未填写从业年限，要求不少于 2 年"])
    }

    @Test func healthEvidence() {
        var applicant = fitWorker()
        applicant.hasMedicalCheck = false
        #expect(Eligibility.check(applicant, against: specialOperations, on: examDay).map(\.message) == ["缺少体检合格证明"])
        #expect(Eligibility.check(applicant, against: safetyManager, on: examDay) == [])
        applicant.hasHealthCommitment = false
        #expect(Eligibility.check(applicant, against: safetyManager, on: examDay).map(\.message) == ["缺少健康承诺"])
        applicant.hasMedicalCheck = true // a medical check also answers a commitment requirement
        #expect(Eligibility.check(applicant, against: safetyManager, on: examDay) == [])
    }

    @Test func aBlacklistedPersonIsIneligibleThroughTheLastDayOfSuspension() {
        var applicant = fitWorker()
        applicant.blacklistedUntil = examDay
        #expect(Eligibility.check(applicant, against: EligibilityRule(), on: examDay).map(\.message) == ["处于黑名单停考期，至 2026-11-23 止"])
        #expect(Eligibility.check(applicant, against: EligibilityRule(), on: examDay.adding(days: 1)) == [])
    }

    @Test func blacklistCheck() {
        #expect(!BlacklistCheck.isSuspended(until: nil, on: examDay))
        #expect(BlacklistCheck.isSuspended(until: examDay, on: examDay.adding(days: -30)))
        #expect(BlacklistCheck.isSuspended(until: examDay, on: examDay))
        #expect(!BlacklistCheck.isSuspended(until: examDay, on: examDay.adding(days: 1)))
    }

    @Test func everyFailureIsReportedInRuleOrder() {
        let applicant = Applicant(birthDate: date("2010-01-01"), blacklistedUntil: date("2027-01-01"))
        #expect(Eligibility.check(applicant, against: safetyManager, on: examDay).map(\.message) == [
            "年龄 16 岁，低于 18 岁",
            "未填写学历，要求高中/中专/技校及以上或初级及以上技术职称",
            "未填写从业年限，要求不少于 2 年",
            "缺少健康承诺",
            "处于黑名单停考期，至 2027-01-01 止",
        ])
    }
}

// MARK: - Enrolment

/// The events as the rule table names them; the reason-bearing ones come with a real and a blank reason.
private enum Step: Hashable, CaseIterable {
    case submit, confirm, refuse, checkIn, recordPass, recordFail, reviewPass, reviewReturn, schedule, printTicket
    case withdraw, checkIdentity, takeExam, approvePassed, approveFailed, approveAbsent, cancel, unschedule

    var needsReason: Bool { [.refuse, .reviewReturn, .cancel].contains(self) }

    func event(reason: String) -> EnrolmentEvent {
        switch self {
        case .submit: .submit
        case .confirm: .confirm
        case .refuse: .refuse(reason: reason)
        case .checkIn: .checkIn
        case .recordPass: .recordTrainingResult(passed: true)
        case .recordFail: .recordTrainingResult(passed: false)
        case .reviewPass: .reviewPass
        case .reviewReturn: .reviewReturn(reason: reason)
        case .schedule: .schedule
        case .printTicket: .printTicket
        case .withdraw: .withdraw
        case .checkIdentity: .checkIdentity
        case .takeExam: .takeExam
        case .approvePassed: .approveResult(.passed)
        case .approveFailed: .approveResult(.failed)
        case .approveAbsent: .approveResult(.absent)
        case .cancel: .cancel(reason: reason)
        case .unschedule: .unschedule(back: .trained)
        }
    }
}

/// Every allowed transition, for a standard enrolment with a reason given, not paid, not
/// blacklisted, a resit left. Anything not listed must be refused.
private let allowedTransitions: [EnrolmentState: [Step: EnrolmentState]] = [
    .submitted: [.confirm: .confirmed, .refuse: .refused, .cancel: .cancelled],
    .refused: [.submit: .submitted],
    .confirmed: [.checkIn: .inTraining, .withdraw: .withdrawn, .cancel: .cancelled],
    .inTraining: [.recordPass: .trainingRecorded, .recordFail: .returnedToEnterprise, .withdraw: .withdrawn, .cancel: .cancelled],
    .trainingRecorded: [.recordPass: .trainingRecorded, .recordFail: .returnedToEnterprise, .reviewPass: .trained,
                        .reviewReturn: .returnedToEnterprise, .withdraw: .withdrawn, .cancel: .cancelled],
    .trained: [.schedule: .scheduled, .withdraw: .withdrawn, .cancel: .cancelled],
    .returnedToEnterprise: [.submit: .submitted, .cancel: .cancelled],
    .scheduled: [.schedule: .scheduled, .printTicket: .ticketed, .withdraw: .withdrawn, .cancel: .cancelled, .unschedule: .trained,
                 .checkIdentity: .admitted, .approveAbsent: .absent],
    .ticketed: [.printTicket: .ticketed, .checkIdentity: .admitted, .approveAbsent: .absent, .unschedule: .trained],
    .admitted: [.takeExam: .examined, .approveAbsent: .absent],
    .examined: [.approvePassed: .passed, .approveFailed: .failed],
    .passed: [:],
    .failed: [.schedule: .scheduled],
    .absent: [.schedule: .scheduled],
    .withdrawn: [:],
    .cancelled: [:],
]

/// What the table says should happen, with the facts that override a listed transition.
private func expectedOutcome(_ state: EnrolmentState, _ step: Step, reasonGiven: Bool,
                             _ context: EnrolmentContext) -> Result<EnrolmentState, EnrolmentError> {
    let afterTicket: Set<EnrolmentState> = [.ticketed, .admitted]
    guard var target = allowedTransitions[state]?[step] else {
        if (step == .withdraw || step == .cancel) && afterTicket.contains(state) { return .failure(.ticketAlreadyPrinted) }
        return .failure(.notAllowed(from: state, action: step.event(reason: "x").action))
    }
    if step.needsReason && !reasonGiven { return .failure(.reasonRequired) }
    if state == .ticketed && step == .unschedule && context.actor != .authority {
        return .failure(.notAllowed(from: state, action: step.event(reason: "x").action))
    }
    if (step == .submit || step == .schedule) && context.suspended { return .failure(.suspended) }
    if step == .schedule && (state == .failed || state == .absent) && !context.resitAvailable { return .failure(.noResitLeft) }
    if step == .cancel && context.paid && context.actor == .registrant { return .failure(.paidCannotBeCancelled) }
    if step == .submit && context.kind == .school { target = .confirmed }
    return .success(target)
}

private let allContexts: [EnrolmentContext] = EnrolmentKind.allCases.flatMap { kind in
    EnrolmentActor.allCases.flatMap { actor in
        [false, true].flatMap { paid in
            [false, true].flatMap { suspended in
                [false, true].map { resit in
                    EnrolmentContext(kind: kind, actor: actor, paid: paid, suspended: suspended, resitAvailable: resit)
                }
            }
        }
    }
}

@Suite("报名流程")
struct EnrolmentTests {
    @Test(arguments: EnrolmentState.allCases)
    func everyEventFromEveryStateFollowsTheTable(state: EnrolmentState) {
        for step in Step.allCases {
            for reasonGiven in step.needsReason ? [true, false] : [true] {
                let event = step.event(reason: reasonGiven ? "材料不全" : "  ")
                for context in allContexts {
                    let actual = Result { () throws(EnrolmentError) -> EnrolmentState in
                        try EnrolmentWorkflow.transition(state, event, context: context)
                    }
                    #expect(actual == expectedOutcome(state, step, reasonGiven: reasonGiven, context),
                            "\(state) + \(event) with \(context)")
                }
            }
        }
    }

    @Test func everyStateIsReachable() {
        var reached: Set<EnrolmentState> = [.submitted, .confirmed]
        var frontier = Array(reached)
        while let state = frontier.popLast() {
            for target in allowedTransitions[state, default: [:]].values where reached.insert(target).inserted {
                frontier.append(target)
            }
        }
        #expect(reached == Set(EnrolmentState.allCases))
    }

    @Test func aSchoolEnrolmentSkipsConfirmation() throws {
        #expect(try EnrolmentWorkflow.submit(EnrolmentContext(kind: .school)) == .confirmed)
        #expect(try EnrolmentWorkflow.submit(EnrolmentContext(kind: .standard)) == .submitted)
    }

    @Test func aBlacklistedPersonCannotEnrolOrBeScheduled() {
        let suspended = EnrolmentContext(suspended: true)
        #expect(throws: EnrolmentError.suspended) { try EnrolmentWorkflow.submit(suspended) }
        #expect(throws: EnrolmentError.suspended) { try EnrolmentWorkflow.transition(.trained, .schedule, context: suspended) }
        #expect(EnrolmentError.suspended.message == "处于黑名单停考期，不能报名或安排考试")
    }

    @Test func withdrawalIsAllowedOnlyUntilTheTicketIsPrinted() throws {
        let context = EnrolmentContext()
        #expect(try EnrolmentWorkflow.transition(.scheduled, .withdraw, context: context) == .withdrawn)
        let error = #expect(throws: EnrolmentError.self) { try EnrolmentWorkflow.transition(.ticketed, .withdraw, context: context) }
        #expect(error?.message == "准考证已打印，不能退考或撤销报名")
    }

    @Test func anEnterpriseCannotCancelAPaidEnrolmentButTheAuthorityCan() throws {
        let byEnterprise = EnrolmentContext(actor: .registrant, paid: true)
        let error = #expect(throws: EnrolmentError.self) {
            try EnrolmentWorkflow.transition(.confirmed, .cancel(reason: "重复报名"), context: byEnterprise)
        }
        #expect(error?.message == "报名已缴费，报名单位不能撤销，请联系主管部门")
        #expect(try EnrolmentWorkflow.transition(.confirmed, .cancel(reason: "重复报名"), context: EnrolmentContext(actor: .authority, paid: true))
            == .cancelled)
        #expect(try EnrolmentWorkflow.transition(.confirmed, .cancel(reason: "重复报名"), context: EnrolmentContext(actor: .registrant, paid: false))
            == .cancelled)
    }

    @Test func aResitNeedsARemainingAttempt() throws {
        #expect(try EnrolmentWorkflow.transition(.failed, .schedule, context: EnrolmentContext(resitAvailable: true)) == .scheduled)
        let error = #expect(throws: EnrolmentError.self) {
            try EnrolmentWorkflow.transition(.failed, .schedule, context: EnrolmentContext(resitAvailable: false))
        }
        #expect(error?.message == "补考机会已用完，须重新参加培训")
    }

    @Test func refusalsNeedAReasonAndMessagesNameTheState() {
        let blank = #expect(throws: EnrolmentError.self) {
            try EnrolmentWorkflow.transition(.submitted, .refuse(reason: " \n"), context: EnrolmentContext())
        }
        #expect(blank?.message == "请填写原因")
        let wrongState = #expect(throws: EnrolmentError.self) {
            try EnrolmentWorkflow.transition(.passed, .checkIn, context: EnrolmentContext())
        }
        #expect(wrongState?.message == "报名当前状态为「考核合格」，不能报到")
    }

    @Test func theWholeWayFromSubmissionToAPass() throws {
        let context = EnrolmentContext()
        var state = try EnrolmentWorkflow.submit(context)
        let path: [(EnrolmentEvent, EnrolmentState)] = [
            (.confirm, .confirmed), (.checkIn, .inTraining), (.recordTrainingResult(passed: true), .trainingRecorded),
            (.reviewPass, .trained), (.schedule, .scheduled), (.printTicket, .ticketed), (.checkIdentity, .admitted),
            (.takeExam, .examined), (.approveResult(.passed), .passed),
        ]
        for (event, expected) in path {
            state = try EnrolmentWorkflow.transition(state, event, context: context)
            #expect(state == expected)
        }
    }

    @Test func aReturnedTrainingReviewGoesBackToTheEnterpriseWhichMayResubmit() throws {
        let context = EnrolmentContext()
        let returned = try EnrolmentWorkflow.transition(.trainingRecorded, .reviewReturn(reason: "学时不足"), context: context)
        #expect(returned == .returnedToEnterprise)
        #expect(try EnrolmentWorkflow.transition(returned, .submit, context: context) == .submitted)
    }

    @Test func everyStateHasAChineseLabel() {
        let labels = EnrolmentState.allCases.map(\.label)
        #expect(Set(labels).count == labels.count)
        #expect(labels.allSatisfy { !$0.isEmpty && $0.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) } })
    }
}
