import Foundation

/// 培训班类型 (seed 001): initial training for a new certificate, re-training and renewal for
/// holders, and continuing education.
public enum TrainingClassType: String, Sendable, Codable, CaseIterable {
    /// 取证: published by the association.
    case initial
    /// 再培训: published by the provincial authority.
    case retraining
    /// 换证: published by the provincial authority.
    case renewal
    /// 继续教育: published by the provincial authority.
    case continuing

    public var label: String {
        switch self {
        case .initial: "取证培训"
        case .retraining: "再培训"
        case .renewal: "换证培训"
        case .continuing: "继续教育"
        }
    }

    /// Who may open (draft and publish) a class of this type.
    public var publisher: Role {
        switch self {
        case .initial: .association
        case .retraining, .renewal, .continuing: .provinceAuthority
        }
    }

    /// The types a role may open.
    public static func publishable(by role: Role) -> [TrainingClassType] {
        allCases.filter { $0.publisher == role }
    }
}

/// 培训班状态: drafted, published (open for enrolment), closed for enrolment, running,
/// finished, or cancelled.
public enum TrainingClassState: String, Sendable, Codable, CaseIterable {
    case draft
    case published
    case enrolmentClosed = "enrolment_closed"
    case running
    case finished
    case cancelled

    public var label: String {
        switch self {
        case .draft: "草稿"
        case .published: "报名中"
        case .enrolmentClosed: "报名截止"
        case .running: "培训中"
        case .finished: "已结束"
        case .cancelled: "已取消"
        }
    }
}

public enum TrainingClassEvent: String, Sendable, Codable, CaseIterable {
    case publish
    case closeEnrolment = "close"
    case start
    case finish
    case cancel

    public var label: String {
        switch self {
        case .publish: "发布"
        case .closeEnrolment: "截止报名"
        case .start: "开班"
        case .finish: "结束培训"
        case .cancel: "取消培训班"
        }
    }
}

public enum TrainingClassError: Error, Sendable, Equatable, CustomStringConvertible {
    case notAllowed(from: TrainingClassState, event: TrainingClassEvent)
    case wrongPublisher(TrainingClassType)
    case notEditable(TrainingClassState)
    case enrolmentNotOpen(TrainingClassState)
    case deadlinePassed(CalendarDate)
    case full(capacity: Int)
    case hasActiveEnrolments(Int)

    public var message: String {
        switch self {
        case .notAllowed(let from, let event): "培训班当前状态为「\(from.label)」，不能\(event.label)"
        case .wrongPublisher(let type): "\(type.label)班由\(type.publisher.label)发布"
        case .notEditable(let state): "培训班状态为「\(state.label)」，只有草稿可以修改"
        case .enrolmentNotOpen(let state): "培训班状态为「\(state.label)」，不接受报名"
        case .deadlinePassed(let deadline): "报名已于 \(deadline.iso) 截止"
        case .full(let capacity): "培训班已满（\(capacity) 人）"
        case .hasActiveEnrolments(let count): "培训班已有 \(count) 名学员报到，不能取消"
        }
    }

    public var description: String { message }
}

/// The class lifecycle. Enrolment checks (open, deadline, capacity) live here too so the
/// handlers and the batch enrolment judge a class the same way.
public enum TrainingClassWorkflow {
    public static func transition(_ state: TrainingClassState, _ event: TrainingClassEvent,
                                  checkedIn: Int = 0) throws(TrainingClassError) -> TrainingClassState {
        switch (state, event) {
        case (.draft, .publish): return .published
        case (.published, .closeEnrolment): return .enrolmentClosed
        case (.published, .start), (.enrolmentClosed, .start): return .running
        case (.running, .finish): return .finished
        case (.draft, .cancel), (.published, .cancel), (.enrolmentClosed, .cancel):
            if checkedIn > 0 { throw .hasActiveEnrolments(checkedIn) }
            return .cancelled
        default:
            throw .notAllowed(from: state, event: event)
        }
    }

    /// Events offered from a state (for the buttons).
    public static func events(from state: TrainingClassState) -> [TrainingClassEvent] {
        TrainingClassEvent.allCases.filter { (try? transition(state, $0)) != nil }
    }

    /// Whether a new enrolment may join the class on `date` with `enrolled` places taken.
    public static func checkEnrolmentOpen(state: TrainingClassState, deadline: CalendarDate, capacity: Int,
                                          enrolled: Int, on date: CalendarDate) throws(TrainingClassError) {
        guard state == .published else { throw .enrolmentNotOpen(state) }
        if date > deadline { throw .deadlinePassed(deadline) }
        if enrolled >= capacity { throw .full(capacity: capacity) }
    }

    public static func checkPublisher(_ role: Role, type: TrainingClassType) throws(TrainingClassError) {
        if role != type.publisher && role != .systemAdmin { throw .wrongPublisher(type) }
    }
}

/// What a certificate holder may join (seed 001, DESIGN.md §2): take 1 March of the year after
/// today; a certificate that expires before that date goes to a renewal class (换证), otherwise
/// to re-training (再培训). A certificate obtained this year can't join re-training, and an
/// expired one joins neither: it must be cancelled by the authority before the person trains
/// for a new certificate.
public enum HolderClassRule {
    public enum Decision: Sendable, Equatable {
        case allowed(TrainingClassType)
        case refused(String)

        public var classType: TrainingClassType? {
            if case .allowed(let type) = self { return type }
            return nil
        }
    }

    /// 1 March of the year after `today`: the manual's 标准点.
    public static func referenceDate(today: CalendarDate) -> CalendarDate {
        CalendarDate(year: today.year + 1, month: 3, day: 1)!
    }

    public static func decide(expires: CalendarDate, issued: CalendarDate, today: CalendarDate) -> Decision {
        if expires < today {
            return .refused("证书已于 \(expires.iso) 过期，须由管理部门注销后重新参加取证培训")
        }
        let reference = referenceDate(today: today)
        if expires < reference { return .allowed(.renewal) }
        if issued.year == today.year {
            return .refused("证书于 \(issued.year) 年取得，取证当年不能参加再培训")
        }
        return .allowed(.retraining)
    }

    /// What 我要报名 says beside a held certificate: the class type to join, or why none.
    public static func advice(expires: CalendarDate, issued: CalendarDate, today: CalendarDate) -> String {
        switch decide(expires: expires, issued: issued, today: today) {
        case .allowed(let type): "应参加\(type.label)班（以 \(referenceDate(today: today).iso) 为标准点）"
        case .refused(let reason): reason
        }
    }

    /// The class types a holder may join for the qualification held: the one the rule allows,
    /// and continuing education always.
    public static func joinableTypes(expires: CalendarDate, issued: CalendarDate, today: CalendarDate) -> [TrainingClassType] {
        (decide(expires: expires, issued: issued, today: today).classType.map { [$0] } ?? []) + [.continuing]
    }

    /// Why a holder can't join a class of `type`, or nil when the rule allows it. Initial and
    /// continuing-education classes aren't governed by the rule.
    public static func refusal(joining type: TrainingClassType, expires: CalendarDate, issued: CalendarDate,
                               today: CalendarDate) -> String? {
        guard type == .retraining || type == .renewal else { return nil }
        switch decide(expires: expires, issued: issued, today: today) {
        case .refused(let reason): return reason
        case .allowed(let allowed) where allowed == type: return nil
        case .allowed(let allowed):
            return "证书有效期至 \(expires.iso)，以 \(referenceDate(today: today).iso) 为标准点，应参加\(allowed.label)班，不能参加\(type.label)班"
        }
    }
}

/// 培训结果: what the institution records for a trainee.
public struct TrainingResult: Sendable, Hashable, Codable {
    public var hoursAttended: Double
    public var passed: Bool
    public var remarks: String

    public init(hoursAttended: Double, passed: Bool, remarks: String = "") {
        self.hoursAttended = hoursAttended
        self.passed = passed
        self.remarks = remarks
    }

    public enum Problem: Sendable, Equatable {
        case hoursOutOfRange
        case passedWithoutHours(required: Int)

        public var message: String {
            switch self {
            case .hoursOutOfRange: "学时须在 0 到 1000 之间"
            case .passedWithoutHours(let required): "学时不足 \(required) 学时，不能记为合格"
            }
        }
    }

    /// What the results form holds for one trainee: nothing typed, a refusal, or a result.
    public enum Entry: Sendable, Equatable {
        case blank
        case refused(String)
        case entered(TrainingResult)
    }

    public static let maximumRemarks = 200

    /// Reads one trainee's row of 录入培训结果: the hours as typed, `pass` or `fail`, and remarks;
    /// a row with neither hours nor result was left alone.
    public static func entry(hours: String?, result: String?, remarks: String, requiredHours: Int?) -> Entry {
        if hours == nil && result == nil { return .blank }
        guard let hours, let attended = Double(hours) else { return .refused("请填写学时（数字）") }
        guard let result, result == "pass" || result == "fail" else { return .refused("请选择合格或不合格") }
        if remarks.count > maximumRemarks { return .refused("备注不超过 \(maximumRemarks) 字") }
        let entered = TrainingResult(hoursAttended: attended, passed: result == "pass", remarks: remarks)
        if let problem = entered.problems(requiredHours: requiredHours).first { return .refused(problem.message) }
        return .entered(entered)
    }

    /// A pass needs the required hours (when the catalogue sets them).
    public func problems(requiredHours: Int?) -> [Problem] {
        guard hoursAttended.isFinite, (0...1000).contains(hoursAttended) else { return [.hoursOutOfRange] }
        if passed, let required = requiredHours, hoursAttended < Double(required) { return [.passedWithoutHours(required: required)] }
        return []
    }
}

/// States in which a person is "in progress" for a qualification: a second enrolment for the
/// same qualification is refused while one of these exists.
extension EnrolmentState {
    public static let inProgress: Set<EnrolmentState> = [
        .submitted, .confirmed, .inTraining, .trainingRecorded, .trained, .scheduled, .ticketed, .admitted, .examined,
    ]

    public var isInProgress: Bool { Self.inProgress.contains(self) }
}

/// Who does the class's steps (seed 001): 报到 by the association, or by the class's own
/// training institution when the class says so; payment is recorded by that institution.
public enum TrainingStepRules {
    public static func mayCheckIn(role: Role, institutionChecksIn: Bool, isClassInstitution: Bool, classInScope: Bool) -> Bool {
        if institutionChecksIn { return role == .trainingInstitution && isClassInstitution }
        return role == .association && classInScope
    }

    public static func mayRecordPayment(role: Role, isClassInstitution: Bool) -> Bool {
        role == .trainingInstitution && isClassInstitution
    }
}

/// The class's own steps after enrolment (seed 001: 开班 → 报名 → 报名确认 → 报到 → 录入成绩 →
/// 成绩确认; seed 000: 管理培训结果 records the training that took place).
public enum TrainingStep: String, Sendable, CaseIterable {
    /// 报到: the trainee arrives.
    case checkIn
    /// 录入培训结果 (and submitting them).
    case recordResults
    /// 培训结果审核.
    case reviewResults

    public var label: String {
        switch self {
        case .checkIn: "报到"
        case .recordResults: "录入培训结果"
        case .reviewResults: "审核培训结果"
        }
    }
}

public enum TrainingStepTimingError: Error, Sendable, Equatable, CustomStringConvertible {
    case classNotHeld(TrainingClassState, TrainingStep)
    case notStarted(start: CalendarDate, TrainingStep)
    case ended(end: CalendarDate)
    case finished

    public var message: String {
        switch self {
        case .classNotHeld(let state, let step): "培训班状态为「\(state.label)」，不能\(step.label)"
        case .notStarted(let start, let step): "培训班 \(start.iso) 开班，开班后才能\(step.label)"
        case .ended(let end): "培训班已于 \(end.iso) 结束，不能再报到"
        case .finished: "培训班已结束，不能再报到"
        }
    }

    public var description: String { message }
}

/// When the class's dates and state allow its steps. 报到 happens while the class is held: from
/// its start date to its end date, or whenever it has been opened (开班, state running). Results
/// and their review describe training that took place, so they wait for the class to start (by
/// date or by 开班) and stay open after it ends. A draft or cancelled class has none of these.
public enum TrainingStepTiming {
    public static func check(_ step: TrainingStep, state: TrainingClassState, start: CalendarDate, end: CalendarDate,
                             today: CalendarDate) throws(TrainingStepTimingError) {
        switch state {
        case .draft, .cancelled:
            throw .classNotHeld(state, step)
        case .running:
            return
        case .finished:
            if step == .checkIn { throw .finished }
        case .published, .enrolmentClosed:
            if today < start { throw .notStarted(start: start, step) }
            if step == .checkIn, today > end { throw .ended(end: end) }
        }
    }

    /// The refusal as a sentence, or nil when the step is allowed.
    public static func refusal(_ step: TrainingStep, state: TrainingClassState, start: CalendarDate, end: CalendarDate,
                               today: CalendarDate) -> String? {
        do {
            try check(step, state: state, start: start, end: end, today: today)
            return nil
        } catch {
            return error.message
        }
    }
}
