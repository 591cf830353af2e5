import Foundation
import Testing
@testable import SafeCertCore

private func date(_ iso: String) -> CalendarDate { CalendarDate(iso: iso)! }

@Suite("3月1日规则")
struct HolderClassRuleTests {
    @Test func theReferenceIsFirstMarchOfTheNextYear() {
        #expect(HolderClassRule.referenceDate(today: date("2013-05-08")) == date("2014-03-01"))
        #expect(HolderClassRule.referenceDate(today: date("2013-12-31")) == date("2014-03-01"))
        #expect(HolderClassRule.referenceDate(today: date("2014-01-01")) == date("2015-03-01"))
    }

    /// The manual's example (seed 001, slide 15–16): judged on 2013-05-08 the reference is
    /// 2014-03-01. Its two compared expiries: 2013-10-31 lies before the reference → renewal;
    /// 2014-10-31 lies after it → re-training, the manual's conclusion ("参加再培训班即可").
    @Test func theManualsExample() {
        let today = date("2013-05-08")
        #expect(HolderClassRule.decide(expires: date("2013-10-31"), issued: date("2010-10-31"), today: today) == .allowed(.renewal))
        #expect(HolderClassRule.decide(expires: date("2014-10-31"), issued: date("2011-10-31"), today: today) == .allowed(.retraining))
    }

    @Test func edgeDatesAroundTheReference() {
        let today = date("2026-11-23")
        let issued = date("2022-06-01")
        #expect(HolderClassRule.decide(expires: date("2027-02-28"), issued: issued, today: today) == .allowed(.renewal))
        // "在此时间之前" is strictly before: expiring on the reference day itself is re-training.
        #expect(HolderClassRule.decide(expires: date("2027-03-01"), issued: issued, today: today) == .allowed(.retraining))
        #expect(HolderClassRule.decide(expires: date("2027-03-02"), issued: issued, today: today) == .allowed(.retraining))
        // Expiring today still counts as valid today: renewal.
        #expect(HolderClassRule.decide(expires: today, issued: issued, today: today) == .allowed(.renewal))
        // A leap-year reference: judged in 2027, the reference is 2028-03-01; 2028-02-29 is before it.
        #expect(HolderClassRule.decide(expires: date("2028-02-29"), issued: issued, today: date("2027-01-10")) == .allowed(.renewal))
    }

    @Test func anExpiredCertificateJoinsNeither() {
        let decision = HolderClassRule.decide(expires: date("2026-11-22"), issued: date("2020-11-22"), today: date("2026-11-23"))
        #expect(decision.classType == nil)
        #expect(decision == .refused("证书已于 2026-11-22 过期，须由管理部门注销后重新参加取证培训"))
    }

    @Test func noRetrainingInTheYearOfIssue() {
        let today = date("2026-11-23")
        let decision = HolderClassRule.decide(expires: date("2032-05-01"), issued: date("2026-05-01"), today: today)
        #expect(decision == .refused("证书于 2026 年取得，取证当年不能参加再培训"))
        // Issued last year: allowed.
        #expect(HolderClassRule.decide(expires: date("2031-05-01"), issued: date("2025-05-01"), today: today) == .allowed(.retraining))
        // Issued this year but expiring before the reference (a short validity): renewal is not re-training.
        #expect(HolderClassRule.decide(expires: date("2027-01-01"), issued: date("2026-01-01"), today: today) == .allowed(.renewal))
    }

    @Test func refusalNamesTheRightClass() {
        let today = date("2013-05-08")
        #expect(HolderClassRule.refusal(joining: .renewal, expires: date("2013-10-31"), issued: date("2010-10-31"), today: today) == nil)
        #expect(HolderClassRule.refusal(joining: .retraining, expires: date("2013-10-31"), issued: date("2010-10-31"), today: today)
            == "证书有效期至 2013-10-31，以 2014-03-01 为标准点，应参加换证培训班，不能参加再培训班")
        #expect(HolderClassRule.refusal(joining: .initial, expires: date("2013-10-31"), issued: date("2010-10-31"), today: today) == nil)
        #expect(HolderClassRule.refusal(joining: .continuing, expires: date("2013-10-31"), issued: date("2010-10-31"), today: today) == nil)
    }
}

@Suite("培训班状态")
struct TrainingClassWorkflowTests {
    @Test func everyTransitionAllowedAndRefused() {
        let allowed: [TrainingClassState: [TrainingClassEvent: TrainingClassState]] = [
            .draft: [.publish: .published, .cancel: .cancelled],
            .published: [.closeEnrolment: .enrolmentClosed, .start: .running, .cancel: .cancelled],
            .enrolmentClosed: [.start: .running, .cancel: .cancelled],
            .running: [.finish: .finished],
            .finished: [:],
            .cancelled: [:],
        ]
        for state in TrainingClassState.allCases {
            for event in TrainingClassEvent.allCases {
                let expected = allowed[state]?[event]
                let result = try? TrainingClassWorkflow.transition(state, event)
                #expect(result == expected, "\(state) + \(event)")
                if expected == nil {
                    #expect(throws: TrainingClassError.notAllowed(from: state, event: event)) {
                        try TrainingClassWorkflow.transition(state, event)
                    }
                }
            }
        }
    }

    @Test func aClassWithCheckedInTraineesCantBeCancelled() {
        #expect(throws: TrainingClassError.hasActiveEnrolments(3)) {
            try TrainingClassWorkflow.transition(.enrolmentClosed, .cancel, checkedIn: 3)
        }
    }

    @Test func publishers() {
        #expect(TrainingClassType.publishable(by: .association) == [.initial])
        #expect(TrainingClassType.publishable(by: .provinceAuthority) == [.retraining, .renewal, .continuing])
        #expect(TrainingClassType.publishable(by: .enterprise).isEmpty)
        #expect(throws: TrainingClassError.wrongPublisher(.initial)) {
            try TrainingClassWorkflow.checkPublisher(.provinceAuthority, type: .initial)
        }
        #expect(TrainingClassError.wrongPublisher(.renewal).message == "换证培训班由省级管理部门发布")
    }

    @Test func enrolmentOpensOnlyWhilePublishedBeforeTheDeadlineAndWithRoom() throws {
        let deadline = date("2026-12-01")
        try TrainingClassWorkflow.checkEnrolmentOpen(state: .published, deadline: deadline, capacity: 2, enrolled: 1, on: deadline)
        #expect(throws: TrainingClassError.deadlinePassed(deadline)) {
            try TrainingClassWorkflow.checkEnrolmentOpen(state: .published, deadline: deadline, capacity: 2, enrolled: 0, on: date("2026-12-02"))
        }
        #expect(throws: TrainingClassError.full(capacity: 2)) {
            try TrainingClassWorkflow.checkEnrolmentOpen(state: .published, deadline: deadline, capacity: 2, enrolled: 2, on: deadline)
        }
        #expect(throws: TrainingClassError.enrolmentNotOpen(.draft)) {
            try TrainingClassWorkflow.checkEnrolmentOpen(state: .draft, deadline: deadline, capacity: 2, enrolled: 0, on: deadline)
        }
    }

    @Test func trainingResults() {
        #expect(TrainingResult(hoursAttended: 24, passed: true).problems(requiredHours: 24) == [])
        #expect(TrainingResult(hoursAttended: 20, passed: true).problems(requiredHours: 24) == [.passedWithoutHours(required: 24)])
        #expect(TrainingResult(hoursAttended: 20, passed: false).problems(requiredHours: 24) == [])
        #expect(TrainingResult(hoursAttended: -1, passed: false).problems(requiredHours: nil) == [.hoursOutOfRange])
        #expect(TrainingResult(hoursAttended: .nan, passed: false).problems(requiredHours: nil) == [.hoursOutOfRange])
    }

    @Test func inProgressStates() {
        #expect(EnrolmentState.submitted.isInProgress)
        #expect(EnrolmentState.examined.isInProgress)
        for state: EnrolmentState in [.refused, .returnedToEnterprise, .passed, .failed, .absent, .withdrawn, .cancelled] {
            #expect(!state.isInProgress, "\(state)")
        }
    }
}

@Suite("报名检查")
struct EnrolmentCheckTests {
    static let today = date("2026-11-23")
    static let rule = QualificationCatalogue.defaults.terms(for: "TZ-DG", province: nil, on: today)!.eligibility

    func facts(_ type: TrainingClassType = .initial, state: TrainingClassState = .published, enrolled: Int = 0,
               approved: Bool = true, existing: [EnrolmentFacts.ExistingEnrolment] = [],
               certificate: EnrolmentFacts.HeldCertificate? = nil, applicant: Applicant? = nil) -> EnrolmentFacts {
        EnrolmentFacts(classType: type, classState: state, deadline: date("2026-12-01"), capacity: 30, enrolled: enrolled,
                       personApproved: approved, existing: existing, certificate: certificate,
                       applicant: applicant ?? Applicant(birthDate: date("1990-01-01"), education: .bachelor, yearsOfExperience: 3,
                                                         hasMedicalCheck: true, hasHealthCommitment: true),
                       rule: Self.rule, today: Self.today)
    }

    @Test func aFitApprovedPersonMayJoin() {
        #expect(EnrolmentCheck.refusals(facts()) == [])
    }

    @Test func aFullOrClosedClassSaysOnlyThat() {
        #expect(EnrolmentCheck.refusals(facts(enrolled: 30, approved: false)) == ["培训班已满（30 人）"])
        #expect(EnrolmentCheck.refusals(facts(state: .running)) == ["培训班状态为「培训中」，不接受报名"])
    }

    @Test func duplicatesSayWhereThePersonStands() {
        let same = EnrolmentFacts.ExistingEnrolment(className: "电工取证一班", sameClass: true, state: .confirmed)
        #expect(EnrolmentCheck.refusals(facts(existing: [same])) == ["已报名本培训班，当前处于「已确认」阶段"])
        let other = EnrolmentFacts.ExistingEnrolment(className: "电工取证二班", sameClass: false, state: .inTraining)
        #expect(EnrolmentCheck.refusals(facts(existing: [other]))
            == ["已报名同一资格的培训班「电工取证二班」，当前处于「培训中」阶段，不能重复报名"])
        // A finished attempt elsewhere doesn't block a new one.
        let old = EnrolmentFacts.ExistingEnrolment(className: "旧班", sameClass: false, state: .failed)
        #expect(EnrolmentCheck.refusals(facts(existing: [old])) == [])
    }

    @Test func everyFailedRuleHasItsReason() {
        let young = Applicant(birthDate: date("2010-01-01"), education: nil, yearsOfExperience: nil, hasMedicalCheck: false,
                              blacklistedUntil: date("2027-01-01"))
        let reasons = EnrolmentCheck.refusals(facts(approved: false, applicant: young))
        #expect(reasons.first == "人员信息尚未审批通过，不能报名")
        #expect(reasons.contains("年龄 16 岁，低于 18 岁"))
        #expect(reasons.contains("缺少体检合格证明"))
        #expect(reasons.contains("处于黑名单停考期，至 2027-01-01 止"))
    }

    @Test func holdersFollowTheFirstOfMarchRule() {
        let renewalDue = EnrolmentFacts.HeldCertificate(number: "T1", issued: date("2021-01-10"), expires: date("2027-01-10"))
        #expect(EnrolmentCheck.refusals(facts(.renewal, certificate: renewalDue)) == [])
        #expect(EnrolmentCheck.refusals(facts(.retraining, certificate: renewalDue))
            == ["证书有效期至 2027-01-10，以 2027-03-01 为标准点，应参加换证培训班，不能参加再培训班"])
        #expect(EnrolmentCheck.refusals(facts(.initial, certificate: renewalDue))
            == ["已持有该资格的有效证书（T1，有效期至 2027-01-10），不能参加取证培训"])
        #expect(EnrolmentCheck.refusals(facts(.retraining)) == ["未持有该资格的有效证书，不能参加再培训"])
        let issuedThisYear = EnrolmentFacts.HeldCertificate(number: "T2", issued: date("2026-04-01"), expires: date("2032-04-01"))
        #expect(EnrolmentCheck.refusals(facts(.retraining, certificate: issuedThisYear)) == ["证书于 2026 年取得，取证当年不能参加再培训"])
    }
}

@Suite("移出考试计划")
struct UnscheduleTests {
    @Test func backToWhereThePersonStood() throws {
        #expect(try EnrolmentWorkflow.transition(.scheduled, .unschedule(back: .failed), context: .init()) == .failed)
        #expect(try EnrolmentWorkflow.transition(.scheduled, .unschedule(back: .trained), context: .init()) == .trained)
        #expect(throws: EnrolmentError.notAllowed(from: .scheduled, action: "移出考试计划")) {
            try EnrolmentWorkflow.transition(.scheduled, .unschedule(back: .confirmed), context: .init())
        }
        #expect(throws: EnrolmentError.notAllowed(from: .ticketed, action: "移出考试计划")) {
            try EnrolmentWorkflow.transition(.ticketed, .unschedule(back: .trained), context: .init())
        }
    }
}

@Suite("报到与缴费由谁办理")
struct TrainingStepRulesTests {
    @Test func checkInFollowsTheClass() {
        #expect(TrainingStepRules.mayCheckIn(role: .association, institutionChecksIn: false, isClassInstitution: false, classInScope: true))
        #expect(!TrainingStepRules.mayCheckIn(role: .association, institutionChecksIn: false, isClassInstitution: false, classInScope: false))
        #expect(!TrainingStepRules.mayCheckIn(role: .trainingInstitution, institutionChecksIn: false, isClassInstitution: true, classInScope: true))
        #expect(TrainingStepRules.mayCheckIn(role: .trainingInstitution, institutionChecksIn: true, isClassInstitution: true, classInScope: true))
        #expect(!TrainingStepRules.mayCheckIn(role: .trainingInstitution, institutionChecksIn: true, isClassInstitution: false, classInScope: true))
        #expect(!TrainingStepRules.mayCheckIn(role: .association, institutionChecksIn: true, isClassInstitution: false, classInScope: true))
    }

    @Test func paymentByTheClassInstitutionOnly() {
        #expect(TrainingStepRules.mayRecordPayment(role: .trainingInstitution, isClassInstitution: true))
        #expect(!TrainingStepRules.mayRecordPayment(role: .trainingInstitution, isClassInstitution: false))
        #expect(!TrainingStepRules.mayRecordPayment(role: .enterprise, isClassInstitution: true))
    }
}

@Suite("3月1日规则：我要报名的提示与可报班型")
struct HolderClassAdviceTests {
    @Test func theAdviceNamesTheClassTypeAndTheReference() {
        let today = date("2026-11-23")
        #expect(HolderClassRule.advice(expires: date("2027-02-28"), issued: date("2022-06-01"), today: today)
                == "应参加\(TrainingClassType.renewal.label)班（以 2027-03-01 为标准点）")
        #expect(HolderClassRule.advice(expires: date("2026-11-22"), issued: date("2020-11-22"), today: today)
                == "证书已于 2026-11-22 过期，须由管理部门注销后重新参加取证培训")
    }

    @Test func aHolderMayJoinTheAllowedTypeAndContinuingEducation() {
        let today = date("2026-11-23")
        #expect(HolderClassRule.joinableTypes(expires: date("2027-02-28"), issued: date("2022-06-01"), today: today) == [.renewal, .continuing])
        #expect(HolderClassRule.joinableTypes(expires: date("2029-06-01"), issued: date("2023-06-01"), today: today) == [.retraining, .continuing])
        // An expired certificate, or one obtained this year: continuing education only.
        #expect(HolderClassRule.joinableTypes(expires: date("2026-11-22"), issued: date("2020-11-22"), today: today) == [.continuing])
        #expect(HolderClassRule.joinableTypes(expires: date("2032-06-01"), issued: date("2026-06-01"), today: today) == [.continuing])
    }
}

@Suite("录入培训结果：一行的读取")
struct TrainingResultEntryTests {
    @Test func aRowLeftAloneIsBlank() {
        #expect(TrainingResult.entry(hours: nil, result: nil, remarks: "", requiredHours: 24) == .blank)
    }

    @Test func hoursMustBeANumberAndTheResultChosen() {
        #expect(TrainingResult.entry(hours: "二十", result: "pass", remarks: "", requiredHours: 24) == .refused("请填写学时（数字）"))
        #expect(TrainingResult.entry(hours: nil, result: "pass", remarks: "", requiredHours: 24) == .refused("请填写学时（数字）"))
        #expect(TrainingResult.entry(hours: "24", result: nil, remarks: "", requiredHours: 24) == .refused("请选择合格或不合格"))
        #expect(TrainingResult.entry(hours: "24", result: "maybe", remarks: "", requiredHours: 24) == .refused("请选择合格或不合格"))
    }

    @Test func remarksAreLimitedTo200Characters() {
        let long = String(repeating: "备", count: 201)
        #expect(TrainingResult.entry(hours: "24", result: "pass", remarks: long, requiredHours: 24) == .refused("备注不超过 200 字"))
        let fits = String(repeating: "备", count: 200)
        #expect(TrainingResult.entry(hours: "24", result: "pass", remarks: fits, requiredHours: 24)
                == .entered(TrainingResult(hoursAttended: 24, passed: true, remarks: fits)))
    }

    @Test func aPassNeedsTheRequiredHours() {
        #expect(TrainingResult.entry(hours: "20", result: "pass", remarks: "", requiredHours: 24) == .refused("学时不足 24 学时，不能记为合格"))
        #expect(TrainingResult.entry(hours: "20", result: "fail", remarks: "缺课", requiredHours: 24)
                == .entered(TrainingResult(hoursAttended: 20, passed: false, remarks: "缺课")))
        #expect(TrainingResult.entry(hours: "2000", result: "fail", remarks: "", requiredHours: nil) == .refused("学时须在 0 到 1000 之间"))
    }
}
