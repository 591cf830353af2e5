import Foundation

/// 人员类型 of the telecom "三类人员" (seed 004): A 主要负责人, B 项目负责人, C 专职安全生产管理人员.
public enum PersonCategory: String, Sendable, Codable, CaseIterable {
    case a = "A"
    case b = "B"
    case c = "C"

    public var label: String {
        switch self {
        case .a: "A类（主要负责人）"
        case .b: "B类（项目负责人）"
        case .c: "C类（专职安全生产管理人员）"
        }
    }

    /// "A", "a", "A类", "Ａ" → .a
    public init?(text: String) {
        let t = TextNormalization.trimmed(TextNormalization.foldFullWidth(text)).uppercased()
            .replacingOccurrences(of: "类", with: "")
        self.init(rawValue: t)
    }
}

/// Where a candidate stands on the exam day (正在考试, seed 000 5.2.4).
public enum Attendance: String, Sendable, Codable, CaseIterable {
    case notArrived = "not_arrived"
    /// Identity checked, not yet started.
    case admitted
    case inExam = "in_exam"
    case submitted
    case absent

    public var label: String {
        switch self {
        case .notArrived: "未到场"
        case .admitted: "已验证身份"
        case .inExam: "考试中"
        case .submitted: "已交卷"
        case .absent: "缺考"
        }
    }
}

/// How a candidate's identity was checked.
public enum IdentityMethod: String, Sendable, Codable, CaseIterable {
    /// The ID-card reader read the card (身份识别仪).
    case reader
    /// The reader failed or the card is unreadable: the invigilator compared the card by eye
    /// and records why.
    case manual

    public var label: String {
        switch self {
        case .reader: "身份证阅读器"
        case .manual: "人工核验"
        }
    }
}

/// What the exam centre knows when a card is presented (seed 000 5.2.2: "系统自动识别考试人员
/// 身份证是否有效。身份验证失败的人员不能进入考场参加考试").
public struct IdentityFacts: Sendable, Hashable {
    /// The plan's state; checks happen on approved plans and during the exam.
    public var planState: ExamPlanState
    public var schedule: ExamSchedule
    public var now: Date
    /// The registered person of the candidate found by the card's ID number in this plan and
    /// room; nil when the card's number isn't on this room's list.
    public var registeredName: String?
    public var cardName: String
    /// The card's validity end, when the reader gives it.
    public var cardValidUntil: CalendarDate?
    public var blacklistedUntil: CalendarDate?
    public var alreadyChecked: Bool
    public var method: IdentityMethod
    public var manualReason: String
    /// Where the candidate's enrolment stands; the check moves it to admitted.
    public var enrolmentState: EnrolmentState?

    public init(planState: ExamPlanState, schedule: ExamSchedule, now: Date, registeredName: String?, cardName: String,
                cardValidUntil: CalendarDate? = nil, blacklistedUntil: CalendarDate? = nil, alreadyChecked: Bool = false,
                method: IdentityMethod = .reader, manualReason: String = "", enrolmentState: EnrolmentState? = nil) {
        self.planState = planState
        self.schedule = schedule
        self.now = now
        self.registeredName = registeredName
        self.cardName = cardName
        self.cardValidUntil = cardValidUntil
        self.blacklistedUntil = blacklistedUntil
        self.alreadyChecked = alreadyChecked
        self.method = method
        self.manualReason = manualReason
        self.enrolmentState = enrolmentState
    }
}

public enum IdentityRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    case planNotReady(ExamPlanState)
    case tooEarly(opens: Date)
    case over
    case notOnList
    case nameMismatch(card: String, registered: String)
    case cardExpired(CalendarDate)
    case suspended(until: CalendarDate)
    case alreadyChecked
    case reasonRequired
    /// The enrolment can't move to admitted (withdrawn, cancelled, …).
    case enrolment(EnrolmentError)

    public var message: String {
        switch self {
        case .planNotReady(let state): "考试计划当前状态为「\(state.label)」，不能进行实名认证"
        case .tooEarly(let opens): "实名认证自 \(ExamSchedule.beijingText(opens)) 起开放（开考前 \(IdentityCheck.opensBeforeStartHours) 小时）"
        case .over: "考试已结束，不能再进行实名认证"
        case .notOnList: "该证件号码不在本考场的考生名单中，不能进入考场"
        case .nameMismatch(let card, let registered): "身份证姓名「\(card)」与报名登记姓名「\(registered)」不一致，不能进入考场"
        case .cardExpired(let day): "身份证已于 \(day.iso) 过期，不能进入考场"
        case .suspended(let until): EligibilityFailure.suspended(until: until).message + "，不能参加考试"
        case .alreadyChecked: "该考生已通过实名认证"
        case .reasonRequired: "人工核验须填写原因（如：阅读器故障、证件芯片损坏）"
        case .enrolment(let error): error.message + "，不能进入考场"
        }
    }

    public var description: String { message }
}

/// What the check decides: admit, moving the enrolment to this state, or refuse with every reason.
public enum IdentityDecision: Sendable, Equatable {
    case admit(enrolment: EnrolmentState)
    case refuse([IdentityRefusal])
}

public enum IdentityCheck {
    /// Checks open on the exam day: from this many hours before the start until the end.
    public static let opensBeforeStartHours = 3

    /// The whole decision, made before anything is written: the check's own rules, then whether
    /// the enrolment may move to admitted.
    public static func decide(_ f: IdentityFacts) -> IdentityDecision {
        let reasons = refusals(f)
        if !reasons.isEmpty { return .refuse(reasons) }
        guard let state = f.enrolmentState else { return .refuse([.notOnList]) }
        do {
            return .admit(enrolment: try EnrolmentWorkflow.transition(state, .checkIdentity, context: EnrolmentContext(actor: .authority)))
        } catch {
            return .refuse([.enrolment(error)])
        }
    }

    /// Every reason the person may not enter; empty when they may.
    public static func refusals(_ f: IdentityFacts) -> [IdentityRefusal] {
        guard f.planState == .approved || f.planState == .inProgress else { return [.planNotReady(f.planState)] }
        let opens = f.schedule.start.addingTimeInterval(-TimeInterval(opensBeforeStartHours * 3600))
        if f.now < opens { return [.tooEarly(opens: opens)] }
        if f.now >= f.schedule.end { return [.over] }
        guard let registered = f.registeredName else { return [.notOnList] }
        if f.alreadyChecked { return [.alreadyChecked] }
        var reasons: [IdentityRefusal] = []
        if f.method == .manual && f.manualReason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { reasons.append(.reasonRequired) }
        let card = TextNormalization.trimmed(TextNormalization.foldFullWidth(f.cardName))
        if card != TextNormalization.trimmed(registered) { reasons.append(.nameMismatch(card: card, registered: registered)) }
        let today = CalendarDate.today(now: f.now)
        if let valid = f.cardValidUntil, valid < today { reasons.append(.cardExpired(valid)) }
        if BlacklistCheck.isSuspended(until: f.blacklistedUntil, on: today), let until = f.blacklistedUntil { reasons.append(.suspended(until: until)) }
        return reasons
    }
}

/// "No check, no exam": what the exam client may report for a candidate, and what the end of the
/// exam makes of those who never came.
public enum ExamAttendanceRule {
    public enum Report: Sendable, Hashable {
        /// Answered so many of so many questions.
        case progress(answered: Int, total: Int)
        case submit
    }

    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        case notChecked
        case notRunning(ExamPlanState)
        case alreadySubmitted
        case absent
        case badProgress

        public var message: String {
            switch self {
            case .notChecked: "考生未通过实名认证，不能参加考试"
            case .notRunning(let state): "考试计划当前状态为「\(state.label)」，不在考试时间内"
            case .alreadySubmitted: "考生已交卷"
            case .absent: "考生已记为缺考"
            case .badProgress: "答题进度无效：已答题数应在 0 与总题数之间"
            }
        }

        public var description: String { message }
    }

    /// The attendance after the report, or why it is refused.
    public static func apply(_ report: Report, to attendance: Attendance, planState: ExamPlanState) throws(Refusal) -> Attendance {
        guard planState == .inProgress else { throw .notRunning(planState) }
        switch attendance {
        case .notArrived: throw .notChecked
        case .submitted: throw .alreadySubmitted
        case .absent: throw .absent
        case .admitted, .inExam: break
        }
        switch report {
        case .progress(let answered, let total):
            guard total > 0, (0...total).contains(answered) else { throw .badProgress }
            return .inExam
        case .submit:
            return .submitted
        }
    }

    /// When the exam finishes: anyone who never passed the identity check is absent.
    public static func atFinish(_ attendance: Attendance) -> Attendance {
        attendance == .notArrived ? .absent : attendance
    }
}

/// A month of the 考试计划总览 calendar: weeks from Monday, days outside the month nil.
public enum ExamCalendar {
    public static func weeks(year: Int, month: Int) -> [[CalendarDate?]] {
        guard let first = CalendarDate(year: year, month: month, day: 1) else { return [] }
        let days = CalendarDate.daysInMonth(year: year, month: month)
        // 2024-01-01 was a Monday; lead = days before the 1st in its week (0 = Monday).
        let monday = CalendarDate(year: 2024, month: 1, day: 1)!
        let lead = ((monday.days(until: first) % 7) + 7) % 7
        var cells: [CalendarDate?] = Array(repeating: nil, count: lead)
        for d in 1...days { cells.append(CalendarDate(year: year, month: month, day: d)) }
        while cells.count % 7 != 0 { cells.append(nil) }
        return stride(from: 0, to: cells.count, by: 7).map { Array(cells[$0..<$0 + 7]) }
    }

    /// "2026-12" → (2026, 12).
    public static func parseMonth(_ text: String) -> (year: Int, month: Int)? {
        let parts = text.split(separator: "-")
        guard parts.count == 2, let y = Int(parts[0]), let m = Int(parts[1]), (2000...2100).contains(y), (1...12).contains(m) else { return nil }
        return (y, m)
    }

    public static func shift(year: Int, month: Int, by delta: Int) -> (year: Int, month: Int) {
        let total = year * 12 + (month - 1) + delta
        return (total / 12, total % 12 + 1)
    }
}

/// Which subjects a candidate sits in a plan: the plan's type narrows the qualification's
/// subjects (实操 sits the practical, 继续教育（线上） the theory), and a resit only what is due.
public enum ExamSitting {
    public static func subjects(planType: ExamPlanType, terms: QualificationTerms, decision: ResitDecision) -> [ExamSubject] {
        let due = Set(decision.subjects(of: terms))
        let byType = terms.subjects.filter { subject in
            switch planType {
            case .practical: subject.kind == .practical
            case .continuingOnline: subject.kind == .theory
            case .initialOnline, .initialOffline: true
            }
        }
        let narrowed = byType.filter { due.contains($0.kind) }
        return narrowed.isEmpty ? byType : narrowed
    }

    /// The outcome of a sitting: a candidate who never passed the identity check is absent
    /// whatever was entered; otherwise every subject needs a result.
    public static func outcome(attendance: Attendance, results: [ExamSubjectKind: SubjectResult],
                               subjects: [ExamSubject]) throws(ExamResultError) -> ExamGrade {
        if attendance == .notArrived || attendance == .absent {
            return ExamGrade(outcomes: Dictionary(uniqueKeysWithValues: subjects.map { ($0.kind, SubjectOutcome.absent) }), overall: .absent)
        }
        let relevant = results.filter { kind, _ in subjects.contains { $0.kind == kind } }
        return try ExamGrading.grade(relevant, subjects: subjects)
    }
}
