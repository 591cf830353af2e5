import Foundation

/// Which plan states open which pages and actions, who may change a plan inside a jurisdiction,
/// and when a published session takes applications — the rules the exam-administration
/// handlers ask instead of keeping their own lists.
public enum ExamPlanPolicy {
    /// Tickets exist once a plan is approved, and stay printable afterwards.
    public static let ticketStates: Set<ExamPlanState> = [.approved, .inProgress, .finished, .resultsUnderReview, .closed]
    /// The exam day's pages (实名认证, 正在考试) and the exam centre's entries on them.
    public static let dayStates: Set<ExamPlanState> = [.approved, .inProgress, .finished]
    /// The exam centre enters scores while the exam runs and after it has finished.
    public static let entryStates: Set<ExamPlanState> = [.inProgress, .finished]
    /// Results can be looked at from the start of the exam on.
    public static let resultStates: Set<ExamPlanState> = [.inProgress, .finished, .resultsUnderReview, .closed]
    /// A seat in a plan in one of these states is held: the person can't apply for another.
    public static let seatHoldingStates: Set<ExamPlanState> = [.draft, .submitted, .approved, .inProgress]
    /// A learner's applications are listed while the session is approved or running.
    public static let applicationStates: Set<ExamPlanState> = [.approved, .inProgress]

    /// The states in a stable order, for a database filter.
    public static func sorted(_ states: Set<ExamPlanState>) -> [ExamPlanState] {
        ExamPlanState.allCases.filter(states.contains)
    }

    /// Seed 003: a published session takes applications while it is approved, open for them and
    /// has not started.
    public static func sessionOpen(applicationsOpen: Bool?, state: ExamPlanState, start: Date, now: Date) -> Bool {
        applicationsOpen == true && state == .approved && start > now
    }

    /// 主管部门删除申请信息: the authority of the session's region, while it is approved (before the
    /// exam starts), printed ticket or not.
    public static func mayRemoveApplication(inJurisdiction: Bool, state: ExamPlanState) -> Bool {
        inJurisdiction && state == .approved
    }

    /// An authority acts on a plan's workflow (submit, approve, start, …) only in its region; the
    /// drafting institution and the exam centres are limited by whose plan it is instead.
    public static func actsOnWorkflow(_ actor: ExamPlanActor, inJurisdiction: Bool) -> Bool {
        actor == .institution || actor == .examCentre || inJurisdiction
    }

    /// An authority changes a plan or its candidates only in its region; the drafting institution
    /// is limited by whose plan it is, the national centre acts everywhere.
    public static func changesPlan(_ actor: ExamPlanActor, inJurisdiction: Bool) -> Bool {
        actor == .institution || actor == .nationalCentre || inJurisdiction
    }

    /// Whether the actor may change the plan's candidates now: the jurisdiction, then the
    /// workflow's `editCandidates` with the 48-hour cutoff; after approval the owning authority
    /// still may (seed 004: "在考核开始48小时之前，可以随时添加、修改和删除考生信息").
    public static func checkCandidateChange(state: ExamPlanState, level: ExamPlanLevel, schedule: ExamSchedule, by actor: ExamPlanActor,
                                            inJurisdiction: Bool, now: Date) throws(ExamPlanError) {
        guard changesPlan(actor, inJurisdiction: inJurisdiction) else {
            throw .forbidden(actor, action: ExamPlanEvent.editCandidates.action, allowed: [level.owner])
        }
        _ = try ExamPlanWorkflow.transition(state, .editCandidates, by: actor,
                                            context: ExamPlanContext(level: level, schedule: schedule, now: now, candidatesOpenAfterApproval: true))
    }

    /// Whether the actor may change the plan's date, time, duration and rooms now: the
    /// jurisdiction, then the workflow's `edit` (a locked plan only by the national centre).
    public static func checkPlanEdit(state: ExamPlanState, level: ExamPlanLevel, schedule: ExamSchedule, by actor: ExamPlanActor,
                                     inJurisdiction: Bool, now: Date) throws(ExamPlanError) -> ExamPlanTransition {
        guard changesPlan(actor, inJurisdiction: inJurisdiction) else {
            throw .forbidden(actor, action: ExamPlanEvent.edit.action, allowed: [.institution, level.owner])
        }
        return try ExamPlanWorkflow.transition(state, .edit, by: actor, context: ExamPlanContext(level: level, schedule: schedule, now: now))
    }
}

/// A plan's serial: "KS" (a drawn plan, 考试计划) or "KC" (a published session, 考场) + the
/// Beijing date + five random digits the caller draws.
public struct ExamPlanSerial: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        case plan = "KS"
        case session = "KC"
    }

    public let text: String

    public init(_ kind: Kind, day: CalendarDate, digits: String) {
        text = kind.rawValue + day.iso.replacingOccurrences(of: "-", with: "") + digits
    }

    public var description: String { text }
}

/// 准考证号: the plan's serial, the room's number in the plan (two digits) and the seat (three).
public struct TicketNumber: Sendable, Hashable, CustomStringConvertible {
    public let serial: String
    public let room: Int
    public let seat: Int

    public init(serial: String, room: Int, seat: Int) {
        self.serial = serial
        self.room = room
        self.seat = seat
    }

    public var text: String {
        serial + TextNormalization.zeroPadded(room, width: 2) + TextNormalization.zeroPadded(seat, width: 3)
    }

    public var description: String { text }
}

/// How many rows one upload or one request may bring; past these the rest is refused with a
/// message naming the limit.
public enum ImportLimits {
    /// 导入考生信息.
    public static let candidates = 5_000
    /// 批量报名.
    public static let enrolments = 2_000
    /// 导入考试成绩, as a workbook or through the API.
    public static let scores = 5_000
    /// 手动分配: ID numbers typed into one form.
    public static let manualPlacement = 500
}
