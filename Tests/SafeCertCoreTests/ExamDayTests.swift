import Foundation
import Testing
@testable import SafeCertCore

@Suite("实名认证与考试现场")
struct IdentityCheckTests {
    let schedule = try! ExamSchedule(start: beijing("2026-12-10 09:00"), durationMinutes: 120)

    func facts(now: String = "2026-12-10 08:30", state: ExamPlanState = .approved, registered: String? = "张三", card: String = "张三",
               valid: String? = nil, blacklisted: String? = nil, checked: Bool = false, method: IdentityMethod = .reader,
               reason: String = "") -> IdentityFacts {
        IdentityFacts(planState: state, schedule: schedule, now: beijing(now), registeredName: registered, cardName: card,
                      cardValidUntil: valid.flatMap(CalendarDate.init(iso:)), blacklistedUntil: blacklisted.flatMap(CalendarDate.init(iso:)),
                      alreadyChecked: checked, method: method, manualReason: reason)
    }

    @Test func aMatchingCardOnTheListIsAdmitted() {
        #expect(IdentityCheck.refusals(facts()).isEmpty)
        // Full-width spaces around the card's name don't matter.
        #expect(IdentityCheck.refusals(facts(card: "　张三 ")).isEmpty)
        // During the exam, latecomers are still checked.
        #expect(IdentityCheck.refusals(facts(now: "2026-12-10 10:59", state: .inProgress)).isEmpty)
    }

    @Test func theWindowIsTheExamDay() {
        #expect(IdentityCheck.refusals(facts(now: "2026-12-10 05:59")) == [.tooEarly(opens: beijing("2026-12-10 06:00"))])
        #expect(IdentityCheck.refusals(facts(now: "2026-12-10 06:00")).isEmpty)
        #expect(IdentityCheck.refusals(facts(now: "2026-12-10 11:00", state: .inProgress)) == [.over])
        #expect(IdentityCheck.refusals(facts(state: .submitted)) == [.planNotReady(.submitted)])
        #expect(IdentityCheck.refusals(facts(state: .finished)) == [.planNotReady(.finished)])
        #expect(IdentityRefusal.tooEarly(opens: beijing("2026-12-10 06:00")).message == "实名认证自 2026-12-10 06:00 起开放（开考前 3 小时）")
    }

    @Test func everyFailedRuleIsNamed() {
        #expect(IdentityCheck.refusals(facts(registered: nil)) == [.notOnList])
        #expect(IdentityCheck.refusals(facts(checked: true)) == [.alreadyChecked])
        let all = IdentityCheck.refusals(facts(card: "张山", valid: "2026-12-09", blacklisted: "2027-01-31", method: .manual))
        #expect(all == [.reasonRequired, .nameMismatch(card: "张山", registered: "张三"), .cardExpired(CalendarDate(iso: "2026-12-09")!),
                        .suspended(until: CalendarDate(iso: "2027-01-31")!)])
        #expect(all[1].message == "身份证姓名「张山」与报名登记姓名「张三」不一致，不能进入考场")
        // The card valid through today, a suspension that ended yesterday, a manual check with a reason.
        #expect(IdentityCheck.refusals(facts(valid: "2026-12-10", blacklisted: "2026-12-09", method: .manual, reason: "阅读器故障")).isEmpty)
    }

    @Test("the decision includes the enrolment: admitted only from scheduled or ticketed, before anything is written")
    func decisionCoversTheEnrolment() {
        func decide(_ state: EnrolmentState?, card: String = "张三") -> IdentityDecision {
            var f = facts(card: card)
            f.enrolmentState = state
            return IdentityCheck.decide(f)
        }
        #expect(decide(.scheduled) == .admit(enrolment: .admitted))
        #expect(decide(.ticketed) == .admit(enrolment: .admitted))
        let cancelled = decide(.cancelled)
        #expect(cancelled == .refuse([.enrolment(.notAllowed(from: .cancelled, action: "验证身份"))]))
        if case .refuse(let reasons) = cancelled {
            #expect(reasons.first?.message == "报名当前状态为「已撤销」，不能验证身份，不能进入考场")
        }
        #expect(decide(.withdrawn) == .refuse([.enrolment(.notAllowed(from: .withdrawn, action: "验证身份"))]))
        // The check's own refusals come first; no enrolment state is no candidate.
        #expect(decide(.scheduled, card: "李四") == .refuse([.nameMismatch(card: "李四", registered: "张三")]))
        #expect(decide(nil) == .refuse([.notOnList]))
    }
}

@Suite("考试进度：未验证不得考试")
struct AttendanceTests {
    @Test func onlyCheckedCandidatesSitTheExam() throws {
        #expect(throws: ExamAttendanceRule.Refusal.notChecked) {
            try ExamAttendanceRule.apply(.progress(answered: 1, total: 100), to: .notArrived, planState: .inProgress)
        }
        #expect(throws: ExamAttendanceRule.Refusal.notRunning(.approved)) {
            try ExamAttendanceRule.apply(.progress(answered: 1, total: 100), to: .admitted, planState: .approved)
        }
        #expect(try ExamAttendanceRule.apply(.progress(answered: 0, total: 100), to: .admitted, planState: .inProgress) == .inExam)
        #expect(try ExamAttendanceRule.apply(.progress(answered: 100, total: 100), to: .inExam, planState: .inProgress) == .inExam)
        #expect(throws: ExamAttendanceRule.Refusal.badProgress) {
            try ExamAttendanceRule.apply(.progress(answered: 101, total: 100), to: .inExam, planState: .inProgress)
        }
        #expect(try ExamAttendanceRule.apply(.submit, to: .inExam, planState: .inProgress) == .submitted)
        #expect(throws: ExamAttendanceRule.Refusal.alreadySubmitted) {
            try ExamAttendanceRule.apply(.submit, to: .submitted, planState: .inProgress)
        }
        #expect(throws: ExamAttendanceRule.Refusal.absent) {
            try ExamAttendanceRule.apply(.submit, to: .absent, planState: .inProgress)
        }
    }

    @Test func whoNeverCameIsAbsentAtTheEnd() {
        #expect(Attendance.allCases.map(ExamAttendanceRule.atFinish) == [.absent, .admitted, .inExam, .submitted, .absent])
    }

    @Test func theEnrolmentMayBeCheckedWithoutAPrintedTicket() throws {
        #expect(try EnrolmentWorkflow.transition(.scheduled, .checkIdentity, context: .init()) == .admitted)
        #expect(try EnrolmentWorkflow.transition(.scheduled, .approveResult(.absent), context: .init()) == .absent)
        // After printing, only the authority removes the person (seed 003).
        #expect(try EnrolmentWorkflow.transition(.ticketed, .unschedule(back: .trained), context: .init(actor: .authority)) == .trained)
        #expect(throws: EnrolmentError.notAllowed(from: .ticketed, action: "移出考试计划")) {
            try EnrolmentWorkflow.transition(.ticketed, .unschedule(back: .trained), context: .init(actor: .registrant))
        }
    }

    /// Seed 003: reaching the study hours is enough to apply for a seat; taking it back returns
    /// the learner to training.
    @Test func studyHoursOpenTheExamDuringTraining() throws {
        #expect(throws: EnrolmentError.notAllowed(from: .inTraining, action: "安排考试")) {
            try EnrolmentWorkflow.transition(.inTraining, .schedule, context: .init())
        }
        #expect(try EnrolmentWorkflow.transition(.inTraining, .schedule, context: .init(studyHoursReached: true)) == .scheduled)
        #expect(throws: EnrolmentError.suspended) {
            try EnrolmentWorkflow.transition(.inTraining, .schedule, context: .init(suspended: true, studyHoursReached: true))
        }
        #expect(try EnrolmentWorkflow.transition(.scheduled, .unschedule(back: .inTraining), context: .init()) == .inTraining)
    }

    @Test func onlyTheOwnerPublishesASession() throws {
        #expect(try ExamPlanWorkflow.publish(by: .cityAuthority, level: .city) == .approved)
        #expect(try ExamPlanWorkflow.publish(by: .provinceAuthority, level: .province) == .approved)
        #expect(throws: ExamPlanError.forbidden(.institution, action: "发布考场", allowed: [.cityAuthority])) {
            try ExamPlanWorkflow.publish(by: .institution, level: .city)
        }
    }
}

@Suite("考生与成绩导入")
struct ExamImportTests {
    @Test func aCandidateRow() {
        let row = CandidateImportTemplate.parse([.text("220102199001011234"), .text("张三"), .text("ｂ类"), .text("91220101MA0000000X"),
                                                 .number(raw: "13800000000"), .text("第一机考室")])
        #expect(row == .row(.init(idNumber: "220102199001011234", name: "张三", category: .b, creditCode: "91220101MA0000000X",
                                  phone: "13800000000", room: "第一机考室")))
        #expect(CandidateImportTemplate.parse([.empty, .text(" ")]) == .empty)
        #expect(CandidateImportTemplate.parse([.text("220102199001011234"), .text("张三")])
            == .row(.init(idNumber: "220102199001011234", name: "张三", category: nil, creditCode: nil, phone: nil, room: nil)))
    }

    @Test func everyCandidateProblemNamesItsColumn() {
        guard case .invalid(let issues) = CandidateImportTemplate.parse([.number(raw: "2.20102199001011E+17"), .empty, .text("D"),
                                                                         .text("123"), .text("010-1234")]) else {
            Issue.record("expected problems")
            return
        }
        #expect(issues.map(\.column) == ["证件号码", "姓名", "人员类型（A/B/C）", "统一社会信用代码", "联系电话"])
        #expect(issues[2].reason == "人员类型应填 A、B 或 C（填写的是「D」）")
        // The registry's own phone rule speaks for the phone column.
        #expect(issues[4].reason == PhoneNumberError.wrongLength(7).message)
    }

    @Test func scores() throws {
        #expect(try ScoreImportTemplate.result("85") == .score(85))
        #expect(try ScoreImportTemplate.result("85.5") == .score(85.5))
        #expect(try ScoreImportTemplate.result("缺考") == .absent)
        #expect(try ScoreImportTemplate.result(nil) == nil)
        #expect(throws: ExamResultParseError.notAScore("优")) { try ScoreImportTemplate.result("优") }
        #expect(throws: ExamResultParseError.notAScore("-1")) { try ScoreImportTemplate.result("-1") }
        #expect(throws: ExamResultParseError.tooPrecise("85.25")) { try ScoreImportTemplate.result("85.25") }
        let row = ScoreImportTemplate.parse([.text("ks1"), .text("220102199001011234"), .text("张三"), .empty, .number(raw: "92")])
        #expect(row == .row(.init(ticketNumber: "KS1", idNumber: "220102199001011234", results: [.practical: .score(92)])))
        guard case .invalid(let issues) = ScoreImportTemplate.parse([.text("KS1"), .text("220102199001011234"), .text("张三")]) else {
            Issue.record("a row without any score is a problem")
            return
        }
        #expect(issues == [RowIssue(column: "理论成绩", reason: "理论成绩和实操成绩至少填写一项（未参加考试填“缺考”）")])
        #expect(SubjectResult(stored: SubjectResult.score(85.5).stored) == .score(85.5))
        #expect(SubjectResult(stored: SubjectResult.absent.stored) == .absent)
    }

    @Test func theFirstFreeSeat() {
        #expect(SeatAssignment.firstFreeSeat(taken: [], capacity: 3) == 1)
        #expect(SeatAssignment.firstFreeSeat(taken: [1, 3], capacity: 3) == 2)
        #expect(SeatAssignment.firstFreeSeat(taken: [1, 2, 3], capacity: 3) == nil)
        #expect(SeatAssignment.firstFreeSeat(taken: [], capacity: 0) == nil)
    }

    @Test func personCategories() {
        #expect(PersonCategory(text: "a") == .a)
        #expect(PersonCategory(text: "C类") == .c)
        #expect(PersonCategory(text: "AB") == nil)
    }
}

@Suite("考试计划总览日历")
struct ExamCalendarTests {
    @Test func monthsStartOnMonday() {
        // 2026-12-01 is a Tuesday; December has 31 days.
        let weeks = ExamCalendar.weeks(year: 2026, month: 12)
        #expect(weeks.count == 5)
        #expect(weeks[0][0] == nil)
        #expect(weeks[0][1] == CalendarDate(iso: "2026-12-01"))
        #expect(weeks.flatMap { $0 }.compactMap { $0 }.count == 31)
        #expect(weeks.allSatisfy { $0.count == 7 })
        // 2027-02-01 is a Monday and February 2027 fills exactly four weeks.
        let feb = ExamCalendar.weeks(year: 2027, month: 2)
        #expect(feb.count == 4 && feb[0][0] == CalendarDate(iso: "2027-02-01") && feb[3][6] == CalendarDate(iso: "2027-02-28"))
        #expect(ExamCalendar.parseMonth("2026-12")! == (2026, 12))
        #expect(ExamCalendar.parseMonth("2026-13") == nil)
        #expect(ExamCalendar.shift(year: 2026, month: 12, by: 1) == (2027, 1))
        #expect(ExamCalendar.shift(year: 2026, month: 1, by: -1) == (2025, 12))
    }
}

@Suite("考试科目与结果")
struct ExamSittingTests {
    let terms: QualificationTerms = {
        var t = QualificationCatalogue.defaults.entries[0].terms
        t.subjects = [ExamSubject(kind: .theory, delivery: .computerAtCentre, passMarks: 80, durationMinutes: 120),
                      ExamSubject(kind: .practical, delivery: .computerAtCentre, passMarks: 80, durationMinutes: nil)]
        return t
    }()

    @Test func thePlanTypeAndTheResitNarrowTheSubjects() {
        #expect(ExamSitting.subjects(planType: .initialOffline, terms: terms, decision: .firstExam).map(\.kind) == [.theory, .practical])
        #expect(ExamSitting.subjects(planType: .practical, terms: terms, decision: .firstExam).map(\.kind) == [.practical])
        #expect(ExamSitting.subjects(planType: .continuingOnline, terms: terms, decision: .firstExam).map(\.kind) == [.theory])
        #expect(ExamSitting.subjects(planType: .initialOffline, terms: terms, decision: .resit(subjects: [.practical], number: 1, allowed: 1))
            .map(\.kind) == [.practical])
    }

    @Test func noCheckMeansAbsentWhateverWasEntered() throws {
        let grade = try ExamSitting.outcome(attendance: .notArrived, results: [.theory: .score(95)], subjects: terms.subjects)
        #expect(grade.overall == .absent)
        let sat = try ExamSitting.outcome(attendance: .submitted, results: [.theory: .score(85), .practical: .score(79.5)], subjects: terms.subjects)
        #expect(sat.overall == .failed && sat.outcomes[.theory] == .passed && sat.outcomes[.practical] == .failed)
        #expect(throws: ExamResultError.missingResult(.practical)) {
            try ExamSitting.outcome(attendance: .admitted, results: [.theory: .score(85)], subjects: terms.subjects)
        }
        #expect(try ExamSitting.outcome(attendance: .admitted, results: [.theory: .score(80), .practical: .score(80)], subjects: terms.subjects).overall == .passed)
    }
}
