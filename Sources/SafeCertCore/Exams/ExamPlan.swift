import Foundation

/// 考核类型 (seed 004 for the three telecom kinds; 实操 for the practical subject of special
/// operations and construction trades).
public enum ExamPlanType: String, Sendable, Codable, CaseIterable {
    /// 新取证（线上）: centralised online exam — candidates gather at a site and sit on line.
    case initialOnline = "initial_online"
    /// 新取证（线下）: the machine-read answer card (机读卡) exam at a site.
    case initialOffline = "initial_offline"
    /// 继续教育（线上）: non-centralised — each candidate sits from wherever they are.
    case continuingOnline = "continuing_online"
    /// 实操: performed and scored by examiners at a practical site.
    case practical

    public var label: String {
        switch self {
        case .initialOnline: "新取证（线上）"
        case .initialOffline: "新取证（线下）"
        case .continuingOnline: "继续教育（线上）"
        case .practical: "实操"
        }
    }

    /// Whether candidates gather at an exam centre and so need rooms and seats.
    public var usesExamRooms: Bool { self != .continuingOnline }
}

/// When a plan's exam takes place: the end follows from the start and the duration (seed 004:
/// "结束时间自动生成"), so it is never typed and can't disagree.
public struct ExamSchedule: Sendable, Hashable {
    /// 48 hours: candidates are imported, added, edited and removed only until this long before
    /// the start (seed 004).
    public static let candidateCutoff: TimeInterval = 48 * 3600

    public let start: Date
    public let durationMinutes: Int

    /// A duration over a day is taken for a typo (minutes typed as seconds, an extra digit).
    public init(start: Date, durationMinutes: Int) throws(ExamPlanError) {
        guard (1...24 * 60).contains(durationMinutes) else { throw .invalidDuration(durationMinutes) }
        self.start = start
        self.durationMinutes = durationMinutes
    }

    public var end: Date { start.addingTimeInterval(TimeInterval(durationMinutes) * 60) }

    /// The last moment candidates may change.
    public var candidatesEditableUntil: Date { start.addingTimeInterval(-Self.candidateCutoff) }

    public func candidatesEditable(now: Date) -> Bool { Self.candidatesEditable(start: start, now: now) }

    /// "在考核开始48小时之前，可以随时添加、修改和删除考生信息" (seed 004). Exactly 48 hours before
    /// the start is still allowed, one instant later is not: a deadline named by a moment
    /// includes that moment, as a date deadline here includes its day (`checkEnrolmentOpen`,
    /// `BlacklistCheck`), and a user told "48 小时前" who acts at 09:00:00 for a 09:00 exam two
    /// days on has done what they were told.
    public static func candidatesEditable(start: Date, now: Date) -> Bool {
        now <= start.addingTimeInterval(-candidateCutoff)
    }

    public static func checkCandidatesEditable(start: Date, now: Date) throws(ExamPlanError) {
        guard candidatesEditable(start: start, now: now) else {
            throw .candidatesLocked(since: start.addingTimeInterval(-candidateCutoff))
        }
    }

    /// "2026-06-09 09:00" in Beijing time, as the plan pages and messages show a moment.
    public static func beijingText(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = CalendarDate.chinaTimeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        let day = CalendarDate(year: parts.year ?? 1, month: parts.month ?? 1, day: parts.day ?? 1)?.iso ?? "\(date)"
        return day + " " + TextNormalization.zeroPadded(parts.hour ?? 0, width: 2) + ":"
            + TextNormalization.zeroPadded(parts.minute ?? 0, width: 2)
    }
}

/// DESIGN.md §2: draft → submitted → approved (locked) → in progress → finished → results under
/// review → closed; a draft or submitted plan may be deleted.
public enum ExamPlanState: String, Sendable, Codable, CaseIterable {
    case draft
    case submitted
    /// Locked: read-only except for the national centre.
    case approved
    case inProgress = "in_progress"
    /// The exam is over; the exam centre enters practical scores and submits the results.
    case finished
    case resultsUnderReview = "results_under_review"
    case closed
    case deleted

    public var label: String {
        switch self {
        case .draft: "草稿"
        case .submitted: "待审核"
        case .approved: "审核通过"
        case .inProgress: "考试中"
        case .finished: "考试结束"
        case .resultsUnderReview: "成绩待审核"
        case .closed: "已办结"
        case .deleted: "已删除"
        }
    }

    /// States in which the plan is locked (DESIGN.md §2, seed 004 "审核通过则不允许再修改").
    public var isLocked: Bool {
        switch self {
        case .approved, .inProgress, .finished, .resultsUnderReview, .closed: true
        case .draft, .submitted, .deleted: false
        }
    }
}

/// Who acts on an exam plan. Anyone else (enterprises, individuals, associations, administrators)
/// has no part in the plan's lifecycle: `init?(role:)` returns nil for them.
public enum ExamPlanActor: String, Sendable, Codable, CaseIterable {
    case institution
    case cityAuthority
    case provinceAuthority
    case nationalCentre
    case examCentre

    public init?(role: Role) {
        switch role {
        case .trainingInstitution: self = .institution
        case .cityAuthority: self = .cityAuthority
        case .provinceAuthority: self = .provinceAuthority
        case .nationalCentre: self = .nationalCentre
        case .examCentre: self = .examCentre
        case .individual, .enterprise, .association, .systemAdmin, .securityAdmin, .auditAdmin: return nil
        }
    }

    public var role: Role {
        switch self {
        case .institution: .trainingInstitution
        case .cityAuthority: .cityAuthority
        case .provinceAuthority: .provinceAuthority
        case .nationalCentre: .nationalCentre
        case .examCentre: .examCentre
        }
    }

    public var label: String { role.label }
}

/// Whose plan it is: a city's (drafted by an institution in the city, submitted by the city
/// authority) or a province's (seed 004: the provincial office drafts and submits its batches).
/// Approval comes from above the owner.
public enum ExamPlanLevel: String, Sendable, Codable, CaseIterable {
    case city
    case province

    public var label: String {
        switch self {
        case .city: "市/州"
        case .province: "省级"
        }
    }

    /// The authority that submits and may delete the plan.
    public var owner: ExamPlanActor {
        switch self {
        case .city: .cityAuthority
        case .province: .provinceAuthority
        }
    }

    /// A higher authority, or the national centre (部中心审核考核批次).
    public var approvers: [ExamPlanActor] {
        switch self {
        case .city: [.provinceAuthority, .nationalCentre]
        case .province: [.nationalCentre]
        }
    }
}

public enum ExamPlanEvent: Sendable, Hashable {
    /// Times, rooms, seats: anything but the candidate list.
    case edit
    /// Import, add, edit or remove candidates; bound by the 48-hour cutoff.
    case editCandidates
    case submit
    /// The approver sends a submitted plan back to draft (退回).
    case returnToDraft(reason: String)
    case approve
    case delete
    case start
    case finish
    case submitResults
    /// The province sends the results back to the exam centre for correction.
    case returnResults(reason: String)
    case approveResults

    public var action: String {
        switch self {
        case .edit: "修改考试计划"
        case .editCandidates: "修改考生名单"
        case .submit: "提交考试计划"
        case .returnToDraft: "退回考试计划"
        case .approve: "审核通过考试计划"
        case .delete: "删除考试计划"
        case .start: "开始考试"
        case .finish: "结束考试"
        case .submitResults: "提交考试结果"
        case .returnResults: "退回考试结果"
        case .approveResults: "审核通过考试结果"
        }
    }
}

/// Facts outside the plan's state that some transitions depend on; the caller gathers them.
public struct ExamPlanContext: Sendable, Hashable {
    public var level: ExamPlanLevel
    public var schedule: ExamSchedule
    public var now: Date
    /// Seed 004: a telecom batch is approved first and its candidates are imported afterwards,
    /// until the 48-hour cutoff. Where this is false (the default, DESIGN.md §2) the candidates
    /// are fixed on approval like the rest of the plan.
    public var candidatesOpenAfterApproval: Bool

    public init(level: ExamPlanLevel, schedule: ExamSchedule, now: Date, candidatesOpenAfterApproval: Bool = false) {
        self.level = level
        self.schedule = schedule
        self.now = now
        self.candidatesOpenAfterApproval = candidatesOpenAfterApproval
    }
}

public struct ExamPlanTransition: Sendable, Hashable {
    public var state: ExamPlanState
    /// A change to a locked plan, which only the national centre may make: the app records it in
    /// the audit log with the values before and after.
    public var requiresAudit: Bool

    public init(state: ExamPlanState, requiresAudit: Bool = false) {
        self.state = state
        self.requiresAudit = requiresAudit
    }
}

public enum ExamPlanError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Nobody may do this in this state.
    case notAllowed(from: ExamPlanState, action: String)
    /// Someone may, but not this actor.
    case forbidden(ExamPlanActor, action: String, allowed: [ExamPlanActor])
    /// The plan is locked and only the national centre changes it.
    case readOnly(ExamPlanState)
    case candidatesLocked(since: Date)
    case reasonRequired
    case invalidDuration(Int)

    public var message: String {
        switch self {
        case .notAllowed(let from, let action):
            "考试计划当前状态为「\(from.label)」，不能\(action)"
        case .forbidden(let actor, let action, let allowed):
            "\(actor.label)不能\(action)，应由\(allowed.map(\.label).joined(separator: "或"))办理"
        case .readOnly(let state):
            "考试计划已审核通过（当前状态「\(state.label)」），不能修改；如需变更请联系部中心"
        case .candidatesLocked(let since):
            "距考试开始已不足 48 小时（\(ExamSchedule.beijingText(since)) 起），不能再导入、添加、修改或删除考生"
        case .reasonRequired:
            "请填写退回原因"
        case .invalidDuration(let minutes):
            "考试时长应在 1–1440 分钟之间（填写的是 \(minutes)）"
        }
    }

    public var description: String { message }
}

/// The exam plan lifecycle with who may do what (seed 000: 培训机构只能制定和修改考试计划，不能
/// 删除和提交; 管理部门提交、删除; seed 004: approved batches are locked, changes go through the
/// national centre).
public enum ExamPlanWorkflow {
    /// Who may create a draft: the institution (seed 000) or the owning authority (seed 004).
    public static func create(by actor: ExamPlanActor, level: ExamPlanLevel) throws(ExamPlanError) -> ExamPlanState {
        try require(actor, among: [.institution, level.owner], for: "制定考试计划")
        return .draft
    }

    /// Seed 003 (发布考场): the owning authority publishes an exam session that learners apply
    /// to for a seat. Publishing is the authority's approval: the session opens as approved.
    public static func publish(by actor: ExamPlanActor, level: ExamPlanLevel) throws(ExamPlanError) -> ExamPlanState {
        try require(actor, among: [level.owner], for: "发布考场")
        return .approved
    }

    public static func transition(_ state: ExamPlanState, _ event: ExamPlanEvent, by actor: ExamPlanActor,
                                  context: ExamPlanContext) throws(ExamPlanError) -> ExamPlanTransition {
        let owner = context.level.owner
        let approvers = context.level.approvers
        let examRunners: [ExamPlanActor] = [.examCentre, .nationalCentre]
        switch (state, event) {
        // Until the authority submits, the institution and the authority both shape the draft.
        case (.draft, .edit):
            try require(actor, among: [.institution, owner], for: event)
            return ExamPlanTransition(state: .draft)
        case (.draft, .editCandidates):
            try require(actor, among: [.institution, owner], for: event)
            try ExamSchedule.checkCandidatesEditable(start: context.schedule.start, now: context.now)
            return ExamPlanTransition(state: .draft)
        // Seed 000 修改考试计划: "考试计划制定后，管理部门未提交前，可通过此按钮修改" — the date, time,
        // duration and rooms change only in draft; a submitted plan is returned to draft first.
        // Seed 004's "未审核时随时可以修改" still holds for its candidates.
        case (.submitted, .editCandidates):
            try require(actor, among: [owner], for: event)
            try ExamSchedule.checkCandidatesEditable(start: context.schedule.start, now: context.now)
            return ExamPlanTransition(state: .submitted)
        case (.draft, .submit):
            try require(actor, among: [owner], for: event)
            return ExamPlanTransition(state: .submitted)
        case (.draft, .delete), (.submitted, .delete):
            try require(actor, among: [owner], for: event)
            return ExamPlanTransition(state: .deleted)
        case (.submitted, .approve):
            try require(actor, among: approvers, for: event)
            return ExamPlanTransition(state: .approved)
        case (.submitted, .returnToDraft(let reason)):
            try require(actor, among: approvers, for: event)
            try requireReason(reason)
            return ExamPlanTransition(state: .draft)
        case (.approved, .editCandidates) where context.candidatesOpenAfterApproval && actor == owner:
            try ExamSchedule.checkCandidatesEditable(start: context.schedule.start, now: context.now)
            return ExamPlanTransition(state: .approved)
        // Locked: only the national centre changes it, audited, and not bound by the 48-hour
        // cutoff (a mistyped ID number is corrected the day before the exam). A closed plan's
        // record is final.
        case (_, .edit) where state.isLocked && state != .closed,
             (_, .editCandidates) where state.isLocked && state != .closed:
            guard actor == .nationalCentre else { throw .readOnly(state) }
            return ExamPlanTransition(state: state, requiresAudit: true)
        case (.approved, .start):
            try require(actor, among: examRunners, for: event)
            return ExamPlanTransition(state: .inProgress)
        case (.inProgress, .finish):
            try require(actor, among: examRunners, for: event)
            return ExamPlanTransition(state: .finished)
        case (.finished, .submitResults):
            try require(actor, among: [.examCentre], for: event)
            return ExamPlanTransition(state: .resultsUnderReview)
        case (.resultsUnderReview, .approveResults):
            try require(actor, among: [.provinceAuthority], for: event)
            return ExamPlanTransition(state: .closed)
        case (.resultsUnderReview, .returnResults(let reason)):
            try require(actor, among: [.provinceAuthority], for: event)
            try requireReason(reason)
            return ExamPlanTransition(state: .finished)
        default:
            throw .notAllowed(from: state, action: event.action)
        }
    }

    /// What the clock makes due: the start once the start time is reached, the end once the end
    /// time is. The scheduler applies it as the plan's exam centre.
    public static func dueEvent(_ state: ExamPlanState, schedule: ExamSchedule, now: Date) -> ExamPlanEvent? {
        switch state {
        case .approved where now >= schedule.start: .start
        case .inProgress where now >= schedule.end: .finish
        default: nil
        }
    }

    private static func require(_ actor: ExamPlanActor, among allowed: [ExamPlanActor], for event: ExamPlanEvent) throws(ExamPlanError) {
        try require(actor, among: allowed, for: event.action)
    }

    private static func require(_ actor: ExamPlanActor, among allowed: [ExamPlanActor], for action: String) throws(ExamPlanError) {
        guard allowed.contains(actor) else { throw .forbidden(actor, action: action, allowed: allowed) }
    }

    private static func requireReason(_ reason: String) throws(ExamPlanError) {
        if reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw .reasonRequired }
    }
}

/// One of a plan's rooms as it stands when the plan is edited: the room and its candidates.
public struct PlanRoomLoad: Sendable, Hashable {
    public var room: SeatingRoom
    public var seated: Int
    /// The highest seat number taken (0 when empty).
    public var highestSeat: Int

    public init(room: SeatingRoom, seated: Int, highestSeat: Int) {
        self.room = room
        self.seated = seated
        self.highestSeat = highestSeat
    }
}

public enum ExamPlanRoomsError: Error, Sendable, Equatable, CustomStringConvertible {
    case noRooms
    /// Rooms taken off the plan while candidates sit in them.
    case roomsHaveCandidates([String])
    case roomDisabled(room: String)
    case overCapacity(room: String, capacity: Int, seated: Int)

    public var message: String {
        switch self {
        case .noRooms: "请至少选择一个考场"
        case .roomsHaveCandidates(let rooms):
            "考场「\(rooms.joined(separator: "」「"))」已安排考生，不能移出本计划；请先用“修改考生”把考生调整到其他考场，或移出这些考生"
        case .roomDisabled(let room): "考场「\(room)」已停用，不能安排考试"
        case .overCapacity(let room, let capacity, let seated):
            "考场「\(room)」核定 \(capacity) 人，已安排 \(seated) 人，超出核定人数；请先调整考生"
        }
    }

    public var description: String { message }
}

/// 修改考试计划 (seed 000): which rooms a plan may use after an edit. Every placed candidate
/// keeps the seat and ticket number printed or told to them: a room with candidates is never
/// taken off (the candidates are moved first with 修改考生, one by one and audited), rather
/// than re-seated behind the user's back; rooms added must be in use; every room holds its
/// candidates within its approved capacity.
public enum ExamPlanRooms {
    public struct Change: Sendable, Equatable {
        public var added: [SeatingRoom]
        public var removed: [SeatingRoom]
    }

    public static func change(current: [PlanRoomLoad], proposed: [SeatingRoom], usesRooms: Bool) throws(ExamPlanRoomsError) -> Change {
        var seen: Set<UUID> = []
        let proposed = proposed.filter { seen.insert($0.id).inserted }
        if usesRooms && proposed.isEmpty { throw .noRooms }
        let kept = Set(proposed.map(\.id))
        let before = Set(current.map(\.room.id))
        let removed = current.filter { !kept.contains($0.room.id) }
        let occupied = removed.filter { $0.seated > 0 }.map(\.room.name)
        if !occupied.isEmpty { throw .roomsHaveCandidates(occupied) }
        let added = proposed.filter { !before.contains($0.id) }
        if let disabled = added.first(where: { !$0.isEnabled }) { throw .roomDisabled(room: disabled.name) }
        for load in current where kept.contains(load.room.id) {
            if load.seated > load.room.capacity || load.highestSeat > load.room.capacity {
                throw .overCapacity(room: load.room.name, capacity: load.room.capacity, seated: load.seated)
            }
        }
        return Change(added: added, removed: removed.map(\.room))
    }
}
