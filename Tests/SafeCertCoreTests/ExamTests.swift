import Foundation
import Testing
@testable import SafeCertCore

private func date(_ iso: String) -> CalendarDate { CalendarDate(iso: iso)! }

private func schedule(_ start: String, minutes: Int = 120) -> ExamSchedule {
    try! ExamSchedule(start: beijing(start), durationMinutes: minutes)
}

@Suite("考核类型与时间")
struct ExamScheduleTests {
    @Test func typesAndLabels() {
        #expect(ExamPlanType.allCases.map(\.label) == ["新取证（线上）", "新取证（线下）", "继续教育（线上）", "实操"])
        #expect(ExamPlanType.allCases.filter { !$0.usesExamRooms } == [.continuingOnline])
    }

    @Test func theEndFollowsFromStartAndDuration() throws {
        let plan = schedule("2020-06-11 11:40", minutes: 120)
        #expect(ExamSchedule.beijingText(plan.end) == "2020-06-11 13:40")
        // Across midnight.
        #expect(ExamSchedule.beijingText(schedule("2026-12-31 23:30", minutes: 90).end) == "2027-01-01 01:00")
        #expect(throws: ExamPlanError.invalidDuration(0)) { try ExamSchedule(start: plan.start, durationMinutes: 0) }
        #expect(throws: ExamPlanError.invalidDuration(1441)) { try ExamSchedule(start: plan.start, durationMinutes: 1441) }
        #expect(ExamPlanError.invalidDuration(0).message == "考试时长应在 1–1440 分钟之间（填写的是 0）")
    }

    /// Exactly 48 hours before the start is the last moment candidates may change.
    @Test func theFortyEightHourCutoff() {
        let start = beijing("2026-06-11 09:00")
        #expect(ExamSchedule.candidatesEditable(start: start, now: beijing("2026-06-01 09:00")))
        #expect(ExamSchedule.candidatesEditable(start: start, now: beijing("2026-06-09 08:59")))
        #expect(ExamSchedule.candidatesEditable(start: start, now: beijing("2026-06-09 09:00")))
        #expect(!ExamSchedule.candidatesEditable(start: start, now: beijing("2026-06-09 09:00").addingTimeInterval(0.001)))
        #expect(!ExamSchedule.candidatesEditable(start: start, now: beijing("2026-06-10 09:00")))
        #expect(!ExamSchedule.candidatesEditable(start: start, now: start.addingTimeInterval(3600)))
        #expect(schedule("2026-06-11 09:00").candidatesEditableUntil == beijing("2026-06-09 09:00"))

        #expect(throws: ExamPlanError.candidatesLocked(since: beijing("2026-06-09 09:00"))) {
            try ExamSchedule.checkCandidatesEditable(start: start, now: beijing("2026-06-09 09:01"))
        }
        #expect(ExamPlanError.candidatesLocked(since: beijing("2026-06-09 09:00")).message
            == "距考试开始已不足 48 小时（2026-06-09 09:00 起），不能再导入、添加、修改或删除考生")
    }
}

@Suite("考试计划状态")
struct ExamPlanWorkflowTests {
    private static let start = beijing("2026-06-11 09:00")
    private static let beforeCutoff = beijing("2026-06-01 10:00")

    private static func context(_ level: ExamPlanLevel, now: Date = beforeCutoff, openAfterApproval: Bool = false) -> ExamPlanContext {
        ExamPlanContext(level: level, schedule: schedule("2026-06-11 09:00"), now: now, candidatesOpenAfterApproval: openAfterApproval)
    }

    private static let events: [ExamPlanEvent] = [
        .edit, .editCandidates, .submit, .returnToDraft(reason: "考场冲突"), .approve, .delete,
        .start, .finish, .submitResults, .returnResults(reason: "实操成绩漏录"), .approveResults,
    ]

    private struct Allowed {
        var actors: [ExamPlanActor]
        var next: ExamPlanState
        var audited = false
    }

    /// Who may do what, per state, for a plan of `level`; everything not listed is refused.
    private static func table(_ level: ExamPlanLevel) -> [ExamPlanState: [ExamPlanEvent: Allowed]] {
        let owner = level.owner
        let approvers = level.approvers
        let national = Allowed(actors: [.nationalCentre], next: .approved, audited: true)
        func nationalOnly(_ state: ExamPlanState) -> [ExamPlanEvent: Allowed] {
            var rule = national
            rule.next = state
            return [.edit: rule, .editCandidates: rule]
        }
        return [
            .draft: [
                .edit: Allowed(actors: [.institution, owner], next: .draft),
                .editCandidates: Allowed(actors: [.institution, owner], next: .draft),
                .submit: Allowed(actors: [owner], next: .submitted),
                .delete: Allowed(actors: [owner], next: .deleted),
            ],
            .submitted: [
                .editCandidates: Allowed(actors: [owner], next: .submitted),
                .delete: Allowed(actors: [owner], next: .deleted),
                .approve: Allowed(actors: approvers, next: .approved),
                .returnToDraft(reason: "考场冲突"): Allowed(actors: approvers, next: .draft),
            ],
            .approved: nationalOnly(.approved).merging([
                .start: Allowed(actors: [.examCentre, .nationalCentre], next: .inProgress),
            ]) { $1 },
            .inProgress: nationalOnly(.inProgress).merging([
                .finish: Allowed(actors: [.examCentre, .nationalCentre], next: .finished),
            ]) { $1 },
            .finished: nationalOnly(.finished).merging([
                .submitResults: Allowed(actors: [.examCentre], next: .resultsUnderReview),
            ]) { $1 },
            .resultsUnderReview: nationalOnly(.resultsUnderReview).merging([
                .approveResults: Allowed(actors: [.provinceAuthority], next: .closed),
                .returnResults(reason: "实操成绩漏录"): Allowed(actors: [.provinceAuthority], next: .finished),
            ]) { $1 },
            .closed: [:],
            .deleted: [:],
        ]
    }

    @Test func everyStateEventAndActor() {
        #expect(Self.table(.city).count == ExamPlanState.allCases.count)
        for level in ExamPlanLevel.allCases {
            let table = Self.table(level)
            for state in ExamPlanState.allCases {
                for event in Self.events {
                    for actor in ExamPlanActor.allCases {
                        let label = "\(level) \(state) \(event) \(actor)"
                        let rule = table[state]?[event]
                        let result = Result { () throws(ExamPlanError) in
                            try ExamPlanWorkflow.transition(state, event, by: actor, context: Self.context(level))
                        }
                        switch (rule, result) {
                        case (let rule?, .success(let transition)) where rule.actors.contains(actor):
                            #expect(transition == ExamPlanTransition(state: rule.next, requiresAudit: rule.audited), "\(label)")
                        case (let rule?, .failure(let error)) where !rule.actors.contains(actor):
                            let expected: ExamPlanError = state.isLocked && rule.audited
                                ? .readOnly(state)
                                : .forbidden(actor, action: event.action, allowed: rule.actors)
                            #expect(error == expected, "\(label)")
                        case (nil, .failure(let error)):
                            #expect(error == .notAllowed(from: state, action: event.action), "\(label)")
                        default:
                            Issue.record("\(label): expected \(String(describing: rule)), got \(result)")
                        }
                    }
                }
            }
        }
    }

    @Test func onlyTheInstitutionAndTheOwnerCreateDrafts() throws {
        #expect(try ExamPlanWorkflow.create(by: .institution, level: .city) == .draft)
        #expect(try ExamPlanWorkflow.create(by: .provinceAuthority, level: .province) == .draft)
        #expect(throws: ExamPlanError.forbidden(.examCentre, action: "制定考试计划", allowed: [.institution, .cityAuthority])) {
            try ExamPlanWorkflow.create(by: .examCentre, level: .city)
        }
    }

    @Test func messagesNameTheRightPeople() {
        let context = Self.context(.city)
        #expect(throws: ExamPlanError.forbidden(.institution, action: "提交考试计划", allowed: [.cityAuthority])) {
            try ExamPlanWorkflow.transition(.draft, .submit, by: .institution, context: context)
        }
        #expect(ExamPlanError.forbidden(.institution, action: "提交考试计划", allowed: [.cityAuthority]).message
            == "培训机构不能提交考试计划，应由市/州管理部门办理")
        #expect(ExamPlanError.forbidden(.cityAuthority, action: "审核通过考试计划", allowed: [.provinceAuthority, .nationalCentre]).message
            == "市/州管理部门不能审核通过考试计划，应由省级管理部门或部中心办理")
        #expect(ExamPlanError.readOnly(.approved).message == "考试计划已审核通过（当前状态「审核通过」），不能修改；如需变更请联系部中心")
        #expect(ExamPlanError.notAllowed(from: .closed, action: "删除考试计划").message == "考试计划当前状态为「已办结」，不能删除考试计划")
    }

    /// A province's own plan goes to the national centre; the province can't approve what it submitted.
    @Test func approvalComesFromAboveTheOwner() throws {
        #expect(try ExamPlanWorkflow.transition(.submitted, .approve, by: .provinceAuthority, context: Self.context(.city)).state == .approved)
        #expect(throws: ExamPlanError.forbidden(.provinceAuthority, action: "审核通过考试计划", allowed: [.nationalCentre])) {
            try ExamPlanWorkflow.transition(.submitted, .approve, by: .provinceAuthority, context: Self.context(.province))
        }
    }

    @Test func returningNeedsAReason() {
        for reason in ["", "  \n"] {
            #expect(throws: ExamPlanError.reasonRequired) {
                try ExamPlanWorkflow.transition(.submitted, .returnToDraft(reason: reason), by: .nationalCentre, context: Self.context(.city))
            }
            #expect(throws: ExamPlanError.reasonRequired) {
                try ExamPlanWorkflow.transition(.resultsUnderReview, .returnResults(reason: reason), by: .provinceAuthority,
                                                context: Self.context(.city))
            }
        }
    }

    @Test func candidatesChangeOnlyUntilTheCutoff() throws {
        let late = Self.context(.city, now: beijing("2026-06-09 09:01"))
        #expect(throws: ExamPlanError.candidatesLocked(since: beijing("2026-06-09 09:00"))) {
            try ExamPlanWorkflow.transition(.draft, .editCandidates, by: .institution, context: late)
        }
        #expect(throws: ExamPlanError.candidatesLocked(since: beijing("2026-06-09 09:00"))) {
            try ExamPlanWorkflow.transition(.submitted, .editCandidates, by: .cityAuthority, context: late)
        }
        let lastMoment = Self.context(.city, now: beijing("2026-06-09 09:00"))
        #expect(try ExamPlanWorkflow.transition(.draft, .editCandidates, by: .institution, context: lastMoment).state == .draft)
        // The plan's other details are not bound by the cutoff.
        #expect(try ExamPlanWorkflow.transition(.draft, .edit, by: .institution, context: late).state == .draft)
        // The national centre corrects a locked plan's candidates at any time, audited.
        #expect(try ExamPlanWorkflow.transition(.approved, .editCandidates, by: .nationalCentre, context: late)
            == ExamPlanTransition(state: .approved, requiresAudit: true))
    }

    /// Seed 004: a telecom batch is approved, then the provincial office imports its candidates
    /// until 48 hours before the exam; the batch itself stays locked.
    @Test func batchesWhoseCandidatesAreImportedAfterApproval() throws {
        let open = Self.context(.province, openAfterApproval: true)
        #expect(try ExamPlanWorkflow.transition(.approved, .editCandidates, by: .provinceAuthority, context: open)
            == ExamPlanTransition(state: .approved))
        #expect(throws: ExamPlanError.readOnly(.approved)) {
            try ExamPlanWorkflow.transition(.approved, .edit, by: .provinceAuthority, context: open)
        }
        #expect(throws: ExamPlanError.readOnly(.approved)) {
            try ExamPlanWorkflow.transition(.approved, .editCandidates, by: .cityAuthority, context: open)
        }
        #expect(throws: ExamPlanError.readOnly(.inProgress)) {
            try ExamPlanWorkflow.transition(.inProgress, .editCandidates, by: .provinceAuthority, context: open)
        }
        let late = Self.context(.province, now: beijing("2026-06-10 09:00"), openAfterApproval: true)
        #expect(throws: ExamPlanError.candidatesLocked(since: beijing("2026-06-09 09:00"))) {
            try ExamPlanWorkflow.transition(.approved, .editCandidates, by: .provinceAuthority, context: late)
        }
    }

    @Test func theClockStartsAndEndsTheExam() {
        let plan = schedule("2026-06-11 09:00", minutes: 120)
        #expect(ExamPlanWorkflow.dueEvent(.approved, schedule: plan, now: beijing("2026-06-11 08:59")) == nil)
        #expect(ExamPlanWorkflow.dueEvent(.approved, schedule: plan, now: beijing("2026-06-11 09:00")) == .start)
        #expect(ExamPlanWorkflow.dueEvent(.inProgress, schedule: plan, now: beijing("2026-06-11 10:59")) == nil)
        #expect(ExamPlanWorkflow.dueEvent(.inProgress, schedule: plan, now: beijing("2026-06-11 11:00")) == .finish)
        #expect(ExamPlanWorkflow.dueEvent(.submitted, schedule: plan, now: beijing("2026-06-12 09:00")) == nil)
    }

    @Test func actorsFromRoles() {
        #expect(ExamPlanActor.allCases.allSatisfy { ExamPlanActor(role: $0.role) == $0 })
        #expect(ExamPlanActor(role: .enterprise) == nil)
        #expect(ExamPlanActor(role: .association) == nil)
        #expect(ExamPlanActor.institution.label == "培训机构")
    }
}

@Suite("成绩判定")
struct ExamGradingTests {
    private static let specialOperations = QualificationCatalogue.defaults.terms(for: "TZ-DG", province: nil, on: date("2026-01-01"))!

    @Test func passMarksComeFromTheCatalogue() throws {
        let theory = try #require(Self.specialOperations.subject(.theory))
        #expect(try ExamGrading.outcome(of: .score(80), in: theory) == .passed)
        #expect(try ExamGrading.outcome(of: .score(79.5), in: theory) == .failed)
        #expect(try ExamGrading.outcome(of: .score(100), in: theory) == .passed)
        #expect(try ExamGrading.outcome(of: .score(0), in: theory) == .failed)
        #expect(try ExamGrading.outcome(of: .absent, in: theory) == .absent)
        for bad in [-1, 100.5, .infinity] {
            #expect(throws: ExamResultError.scoreOutOfRange(.theory, score: bad, fullMarks: 100)) {
                try ExamGrading.outcome(of: .score(bad), in: theory)
            }
        }
        #expect(throws: ExamResultError.self) { try ExamGrading.outcome(of: .score(.nan), in: theory) }
        #expect(ExamResultError.scoreOutOfRange(.theory, score: 101, fullMarks: 100).message == "理论成绩 101 不在 0–100 分之间")
        #expect(ExamResultError.scoreOutOfRange(.theory, score: 100.5, fullMarks: 100).message == "理论成绩 100.5 不在 0–100 分之间")
    }

    @Test func overallOutcome() throws {
        let subjects = Self.specialOperations.subjects
        #expect(try ExamGrading.grade([.theory: .score(92), .practical: .score(85)], subjects: subjects).overall == .passed)
        #expect(try ExamGrading.grade([.theory: .score(92), .practical: .score(60)], subjects: subjects)
            == ExamGrade(outcomes: [.theory: .passed, .practical: .failed], overall: .failed))
        #expect(try ExamGrading.grade([.theory: .score(92), .practical: .absent], subjects: subjects).overall == .failed)
        #expect(try ExamGrading.grade([.theory: .absent, .practical: .absent], subjects: subjects).overall == .absent)
        #expect(throws: ExamResultError.missingResult(.practical)) {
            try ExamGrading.grade([.theory: .score(92)], subjects: subjects)
        }
        // A resit of the practical alone.
        let practical = subjects.filter { $0.kind == .practical }
        #expect(try ExamGrading.grade([.practical: .score(88)], subjects: practical).overall == .passed)
        #expect(throws: ExamResultError.unknownSubject(.theory)) {
            try ExamGrading.grade([.theory: .score(92), .practical: .score(88)], subjects: practical)
        }
        #expect(ExamResultError.missingResult(.practical).message == "缺少实操成绩（未参加考试请记为缺考）")
    }
}

@Suite("补考规则")
struct ResitRuleTests {
    private static let terms = QualificationCatalogue.defaults.terms(for: "TZ-DG", province: nil, on: date("2026-01-01"))!

    private func attempt(_ day: String, _ outcomes: [ExamSubjectKind: SubjectOutcome]) -> ExamAttempt {
        ExamAttempt(date: date(day), outcomes: outcomes)
    }

    private func decide(_ history: [ExamAttempt], on day: String, terms: QualificationTerms = ResitRuleTests.terms) -> ResitDecision {
        ResitRule.decide(history: history, terms: terms, on: date(day))
    }

    @Test func theCatalogueGivesOneResitAndTwelveMonths() {
        #expect(Self.terms.resitsAllowed == 1)
        #expect(Self.terms.passValidMonths == 12)
    }

    @Test func noHistoryMeansTheFirstExam() {
        #expect(decide([], on: "2026-01-01") == .firstExam)
        #expect(ResitDecision.firstExam.subjects(of: Self.terms) == [.theory, .practical])
    }

    @Test func passingEverySubjectEarnsTheQualification() {
        #expect(decide([attempt("2025-03-15", [.theory: .passed, .practical: .passed])], on: "2026-01-01") == .passed(on: date("2025-03-15")))
        // The theory passed first, the practical at the resit.
        let history = [attempt("2025-03-15", [.theory: .passed, .practical: .failed]), attempt("2025-05-10", [.practical: .passed])]
        #expect(decide(history, on: "2026-01-01") == .passed(on: date("2025-05-10")))
    }

    @Test func onlyTheFailedSubjectIsResat() {
        let history = [attempt("2025-03-15", [.theory: .passed, .practical: .failed])]
        let decision = decide(history, on: "2025-05-10")
        #expect(decision == .resit(subjects: [.practical], number: 1, allowed: 1))
        #expect(decision.allowsResit)
        #expect(decision.message == "可参加第 1 次补考（共 1 次），补考科目：实操")
        #expect(decide([attempt("2025-03-15", [.theory: .failed, .practical: .failed])], on: "2025-05-10")
            == .resit(subjects: [.theory, .practical], number: 1, allowed: 1))
    }

    @Test func anAbsenceUsesTheSittingLikeAFailure() {
        let history = [attempt("2025-03-15", [.theory: .absent, .practical: .passed])]
        #expect(decide(history, on: "2025-05-10") == .resit(subjects: [.theory], number: 1, allowed: 1))
        let twice = history + [attempt("2025-05-10", [.theory: .absent])]
        #expect(decide(twice, on: "2025-07-01") == .retrain(reason: "已补考 1 次仍未通过（理论缺考），须重新参加培训"))
    }

    @Test func failingTheResitMeansRetraining() {
        let history = [attempt("2025-03-15", [.theory: .passed, .practical: .failed]), attempt("2025-05-10", [.practical: .failed])]
        let decision = decide(history, on: "2025-07-01")
        #expect(decision == .retrain(reason: "已补考 1 次仍未通过（实操不合格），须重新参加培训"))
        #expect(!decision.allowsResit)
        #expect(decision.subjects(of: Self.terms).isEmpty)
    }

    /// A pass on 2025-03-15 holds through 2026-03-15 and lapses on 2026-03-16.
    @Test func aPassHoldsExactlyTwelveMonths() {
        let history = [attempt("2025-03-15", [.theory: .passed, .practical: .failed])]
        #expect(decide(history, on: "2026-03-15") == .resit(subjects: [.practical], number: 1, allowed: 1))
        #expect(decide(history, on: "2026-03-16") == .resit(subjects: [.theory, .practical], number: 1, allowed: 1))
        // The resit on the last day completes the qualification; a day later it can't.
        #expect(decide(history + [attempt("2026-03-15", [.practical: .passed])], on: "2026-04-01") == .passed(on: date("2026-03-15")))
        #expect(decide(history + [attempt("2026-03-16", [.practical: .passed])], on: "2026-04-01")
            == .retrain(reason: "已补考 1 次仍未通过（理论合格成绩有效期至 2026-03-15，已失效），须重新参加培训"))
    }

    @Test func monthEndsAndLeapDays() {
        #expect(date("2024-02-29").adding(months: 12) == date("2025-02-28"))
        #expect(date("2025-01-31").adding(months: 1) == date("2025-02-28"))
        #expect(date("2025-11-30").adding(months: 3) == date("2026-02-28"))
        #expect(date("2025-12-15").adding(months: 1) == date("2026-01-15"))
        // Passed on a leap day: the last day it holds is 28 February of the next year.
        let history = [attempt("2024-02-29", [.theory: .passed, .practical: .failed])]
        #expect(decide(history, on: "2025-02-28").subjects(of: Self.terms) == [.practical])
        #expect(decide(history, on: "2025-03-01").subjects(of: Self.terms) == [.theory, .practical])
    }

    @Test func withoutResitsAFailureMeansRetraining() {
        var terms = Self.terms
        terms.resitsAllowed = 0
        #expect(decide([attempt("2025-03-15", [.theory: .passed, .practical: .failed])], on: "2025-05-10", terms: terms)
            == .retrain(reason: "考试未通过，该资格不设补考（实操不合格），须重新参加培训"))
    }

    @Test func withoutAPassLimitPassesHoldIndefinitely() {
        var terms = Self.terms
        terms.passValidMonths = nil
        terms.resitsAllowed = 2
        let history = [attempt("2020-03-15", [.theory: .passed, .practical: .failed]), attempt("2020-05-10", [.practical: .failed])]
        #expect(decide(history, on: "2026-01-01", terms: terms) == .resit(subjects: [.practical], number: 2, allowed: 2))
    }

    @Test func theHistoryMayComeInAnyOrder() {
        let history = [attempt("2025-05-10", [.practical: .passed]), attempt("2025-03-15", [.theory: .passed, .practical: .failed])]
        #expect(decide(history, on: "2026-01-01") == .passed(on: date("2025-05-10")))
    }
}

@Suite("修改考试计划：考场")
struct ExamPlanRoomsTests {
    let centre = UUID()

    func room(_ name: String, capacity: Int = 30, enabled: Bool = true) -> SeatingRoom {
        SeatingRoom(id: UUID(), centreID: centre, name: name, capacity: capacity, isEnabled: enabled)
    }

    @Test("rooms are added and empty rooms removed; the plan keeps at least one")
    func addAndRemove() throws {
        let a = room("一号考场"), b = room("二号考场"), c = room("三号考场")
        let change = try ExamPlanRooms.change(current: [PlanRoomLoad(room: a, seated: 5, highestSeat: 5), PlanRoomLoad(room: b, seated: 0, highestSeat: 0)],
                                              proposed: [a, c, c], usesRooms: true)
        #expect(change.added == [c])
        #expect(change.removed == [b])
        #expect(throws: ExamPlanRoomsError.noRooms) {
            try ExamPlanRooms.change(current: [PlanRoomLoad(room: b, seated: 0, highestSeat: 0)], proposed: [], usesRooms: true)
        }
        // An online continuing-education plan may have no rooms at all.
        #expect(try ExamPlanRooms.change(current: [], proposed: [], usesRooms: false) == .init(added: [], removed: []))
    }

    @Test("a room with candidates stays; a disabled room isn't added; capacity holds")
    func candidatesKeepTheirSeats() {
        let a = room("一号考场", capacity: 4), b = room("二号考场")
        #expect(throws: ExamPlanRoomsError.roomsHaveCandidates(["二号考场"])) {
            try ExamPlanRooms.change(current: [PlanRoomLoad(room: a, seated: 1, highestSeat: 1), PlanRoomLoad(room: b, seated: 2, highestSeat: 2)],
                                     proposed: [a], usesRooms: true)
        }
        #expect(throws: ExamPlanRoomsError.roomDisabled(room: "停用考场")) {
            try ExamPlanRooms.change(current: [PlanRoomLoad(room: a, seated: 1, highestSeat: 1)], proposed: [a, room("停用考场", enabled: false)],
                                     usesRooms: true)
        }
        // A disabled room already in the plan with its candidates may stay.
        let disabled = room("旧考场", enabled: false)
        #expect(throws: Never.self) {
            try ExamPlanRooms.change(current: [PlanRoomLoad(room: disabled, seated: 3, highestSeat: 3)], proposed: [disabled], usesRooms: true)
        }
        #expect(throws: ExamPlanRoomsError.overCapacity(room: "一号考场", capacity: 4, seated: 5)) {
            try ExamPlanRooms.change(current: [PlanRoomLoad(room: a, seated: 5, highestSeat: 5)], proposed: [a], usesRooms: true)
        }
        #expect(throws: ExamPlanRoomsError.overCapacity(room: "一号考场", capacity: 4, seated: 2)) {
            try ExamPlanRooms.change(current: [PlanRoomLoad(room: a, seated: 2, highestSeat: 7)], proposed: [a], usesRooms: true)
        }
        #expect(ExamPlanRoomsError.roomsHaveCandidates(["二号考场"]).message.contains("修改考生"))
    }

    @Test("修改考试计划 only in draft, by the institution or the owner; the national centre still corrects a locked plan")
    func editOnlyInDraft() throws {
        let context = ExamPlanContext(level: .city, schedule: try ExamSchedule(start: Date(timeIntervalSince1970: 2_000_000_000), durationMinutes: 60),
                                      now: Date(timeIntervalSince1970: 1_900_000_000))
        #expect(try ExamPlanWorkflow.transition(.draft, .edit, by: .institution, context: context).state == .draft)
        #expect(try ExamPlanWorkflow.transition(.draft, .edit, by: .cityAuthority, context: context).state == .draft)
        #expect(throws: ExamPlanError.forbidden(.examCentre, action: "修改考试计划", allowed: [.institution, .cityAuthority])) {
            try ExamPlanWorkflow.transition(.draft, .edit, by: .examCentre, context: context)
        }
        for actor in ExamPlanActor.allCases {
            #expect(throws: ExamPlanError.notAllowed(from: .submitted, action: "修改考试计划")) {
                try ExamPlanWorkflow.transition(.submitted, .edit, by: actor, context: context)
            }
        }
        #expect(try ExamPlanWorkflow.transition(.approved, .edit, by: .nationalCentre, context: context).requiresAudit)
    }
}
