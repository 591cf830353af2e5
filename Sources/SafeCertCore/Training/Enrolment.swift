import Foundation

/// School students (院校人员) are enrolled by the institution or association without the
/// authority's confirmation (seed 001).
public enum EnrolmentKind: String, Sendable, Codable, CaseIterable {
    case standard
    case school
}

/// Who acts on the enrolment; it matters only for cancelling a paid one.
public enum EnrolmentActor: String, Sendable, Codable, CaseIterable {
    /// Whoever enrolled the person: the enterprise, the person, or the training institution.
    case registrant
    /// The authority (管理部门) or the association.
    case authority
}

/// DESIGN.md §2: submitted → confirmed → in training → trained → scheduled → ticketed →
/// admitted → examined → passed | failed | absent.
public enum EnrolmentState: String, Sendable, Codable, CaseIterable {
    case submitted
    case confirmed
    /// The authority declined to confirm; the registrant may correct and resubmit.
    case refused
    /// Checked in (报到) for the class.
    case inTraining
    /// A passing training result is recorded and waits for review (成绩确认).
    case trainingRecorded
    case trained
    /// Training failed, or its review was returned: the enterprise decides to retrain or resubmit.
    case returnedToEnterprise
    case scheduled
    case ticketed
    /// Identity checked at the exam centre.
    case admitted
    case examined
    case passed
    case failed
    case absent
    case withdrawn
    case cancelled

    public var label: String {
        switch self {
        case .submitted: "待确认"
        case .confirmed: "已确认"
        case .refused: "不予确认"
        case .inTraining: "培训中"
        case .trainingRecorded: "培训成绩待审核"
        case .trained: "培训合格"
        case .returnedToEnterprise: "已退回企业"
        case .scheduled: "已安排考试"
        case .ticketed: "已打印准考证"
        case .admitted: "已验证身份"
        case .examined: "已考试"
        case .passed: "考核合格"
        case .failed: "考核不合格"
        case .absent: "缺考"
        case .withdrawn: "已退考"
        case .cancelled: "已撤销"
        }
    }

    /// Waiting for an exam: in training (seed 003: a learner whose study hours are reached may
    /// apply for a seat), trained, or failed or absent with a resit to come. Taking a person off a
    /// plan (`unschedule`) returns them to one of these.
    public static let awaitingExam: Set<EnrolmentState> = [.inTraining, .trained, .failed, .absent]

    /// Those the authority may seat in a plan by hand or by import: trained, or failed or absent
    /// (a resit). Someone still in training gets a seat only by applying for one.
    public static let seatEligible: Set<EnrolmentState> = [.trained, .failed, .absent]

    /// Holding a seat: placed in a plan, ticket printed or not.
    public static let holdingSeat: Set<EnrolmentState> = [.scheduled, .ticketed]

    /// The states in a stable order, for a database filter.
    public static func sorted(_ states: Set<EnrolmentState>) -> [EnrolmentState] {
        allCases.filter(states.contains)
    }
}

public enum ExamOutcome: String, Sendable, Codable, CaseIterable {
    case passed
    case failed
    case absent
}

public enum EnrolmentEvent: Sendable, Hashable {
    /// The first submission is `EnrolmentWorkflow.submit`; this event resubmits a refused or
    /// returned enrolment.
    case submit
    case confirm
    case refuse(reason: String)
    case checkIn
    case recordTrainingResult(passed: Bool)
    case reviewPass
    case reviewReturn(reason: String)
    /// Placed in an exam plan (again, when moved to another plan or resitting).
    case schedule
    /// Taken out of an exam plan before the ticket is printed (the plan deleted, the candidate
    /// removed): back to where the person stood before it.
    case unschedule(back: EnrolmentState)
    /// Printing again is allowed: a lost ticket can be reprinted.
    case printTicket
    case withdraw
    case checkIdentity
    case takeExam
    case approveResult(ExamOutcome)
    case cancel(reason: String)

    public var action: String {
        switch self {
        case .submit: "提交报名"
        case .confirm: "确认报名"
        case .refuse: "不予确认"
        case .checkIn: "报到"
        case .recordTrainingResult: "录入培训结果"
        case .reviewPass: "审核通过培训结果"
        case .reviewReturn: "退回培训结果"
        case .schedule: "安排考试"
        case .unschedule: "移出考试计划"
        case .printTicket: "打印准考证"
        case .withdraw: "退考"
        case .checkIdentity: "验证身份"
        case .takeExam: "参加考试"
        case .approveResult(.passed): "确认考核合格"
        case .approveResult(.failed): "确认考核不合格"
        case .approveResult(.absent): "确认缺考"
        case .cancel: "撤销报名"
        }
    }
}

/// Facts outside the enrolment that some transitions depend on; the caller gathers them.
public struct EnrolmentContext: Sendable, Hashable {
    public var kind: EnrolmentKind
    public var actor: EnrolmentActor
    public var paid: Bool
    /// `BlacklistCheck.isSuspended` for the person today.
    public var suspended: Bool
    /// Whether the catalogue's `resitsAllowed` leaves an attempt after this failure (the caller counts).
    public var resitAvailable: Bool
    /// Seed 003: a learner in training whose online study has reached the required hours may
    /// apply for an exam seat before the training result is recorded.
    public var studyHoursReached: Bool

    public init(kind: EnrolmentKind = .standard, actor: EnrolmentActor = .registrant, paid: Bool = false,
                suspended: Bool = false, resitAvailable: Bool = false, studyHoursReached: Bool = false) {
        self.kind = kind
        self.actor = actor
        self.paid = paid
        self.suspended = suspended
        self.resitAvailable = resitAvailable
        self.studyHoursReached = studyHoursReached
    }
}

public enum EnrolmentError: Error, Sendable, Equatable, CustomStringConvertible {
    case notAllowed(from: EnrolmentState, action: String)
    case reasonRequired
    case ticketAlreadyPrinted
    case paidCannotBeCancelled
    case suspended
    case noResitLeft

    public var message: String {
        switch self {
        case .notAllowed(let from, let action): "报名当前状态为「\(from.label)」，不能\(action)"
        case .reasonRequired: "请填写原因"
        case .ticketAlreadyPrinted: "准考证已打印，不能退考或撤销报名"
        case .paidCannotBeCancelled: "报名已缴费，报名单位不能撤销，请联系主管部门"
        case .suspended: "处于黑名单停考期，不能报名或安排考试"
        case .noResitLeft: "补考机会已用完，须重新参加培训"
        }
    }

    public var description: String { message }
}

public enum EnrolmentWorkflow {
    /// The initial transition: a school enrolment is confirmed on submission.
    public static func submit(_ context: EnrolmentContext) throws(EnrolmentError) -> EnrolmentState {
        if context.suspended { throw .suspended }
        switch context.kind {
        case .standard: return .submitted
        case .school: return .confirmed
        }
    }

    /// States from which the person can still leave before the admission ticket is printed.
    private static let beforeTicket: Set<EnrolmentState> = [.confirmed, .inTraining, .trainingRecorded, .trained, .scheduled]
    /// Cancelling also covers enrolments not yet confirmed or returned (a mistaken entry).
    private static let cancellable = beforeTicket.union([.submitted, .returnedToEnterprise])
    private static let ticketInHand: Set<EnrolmentState> = [.ticketed, .admitted]

    public static func transition(_ state: EnrolmentState, _ event: EnrolmentEvent, context: EnrolmentContext) throws(EnrolmentError) -> EnrolmentState {
        switch (state, event) {
        case (.refused, .submit), (.returnedToEnterprise, .submit):
            return try submit(context)
        case (.submitted, .confirm):
            return .confirmed
        case (.submitted, .refuse(let reason)):
            try requireReason(reason)
            return .refused
        case (.confirmed, .checkIn):
            return .inTraining
        case (.inTraining, .recordTrainingResult(let passed)), (.trainingRecorded, .recordTrainingResult(let passed)):
            // Re-recording before the review corrects a mistyped result.
            return passed ? .trainingRecorded : .returnedToEnterprise
        case (.trainingRecorded, .reviewPass):
            return .trained
        case (.trainingRecorded, .reviewReturn(let reason)):
            try requireReason(reason)
            return .returnedToEnterprise
        case (.trained, .schedule), (.scheduled, .schedule):
            if context.suspended { throw .suspended }
            return .scheduled
        case (.inTraining, .schedule) where context.studyHoursReached:
            if context.suspended { throw .suspended }
            return .scheduled
        case (.failed, .schedule), (.absent, .schedule):
            if context.suspended { throw .suspended }
            guard context.resitAvailable else { throw .noResitLeft }
            return .scheduled
        case (.scheduled, .unschedule(let back)) where EnrolmentState.awaitingExam.contains(back):
            return back
        // Seed 003: once the ticket is printed only the authority takes the person off.
        case (.ticketed, .unschedule(let back)) where EnrolmentState.awaitingExam.contains(back) && context.actor == .authority:
            return back
        case (.scheduled, .printTicket), (.ticketed, .printTicket):
            return .ticketed
        case (_, .withdraw) where beforeTicket.contains(state):
            return .withdrawn
        case (_, .withdraw) where ticketInHand.contains(state):
            throw .ticketAlreadyPrinted
        // A candidate may come without a printed ticket: the exam centre has the list.
        case (.scheduled, .checkIdentity), (.ticketed, .checkIdentity):
            return .admitted
        case (.admitted, .takeExam):
            return .examined
        case (.examined, .approveResult(.passed)):
            return .passed
        case (.examined, .approveResult(.failed)):
            return .failed
        case (.scheduled, .approveResult(.absent)), (.ticketed, .approveResult(.absent)), (.admitted, .approveResult(.absent)):
            return .absent
        case (_, .cancel(let reason)) where cancellable.contains(state):
            try requireReason(reason)
            if context.paid && context.actor == .registrant { throw .paidCannotBeCancelled }
            return .cancelled
        case (_, .cancel) where ticketInHand.contains(state):
            throw .ticketAlreadyPrinted
        default:
            throw .notAllowed(from: state, action: event.action)
        }
    }

    private static func requireReason(_ reason: String) throws(EnrolmentError) {
        if reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw .reasonRequired }
    }
}
