import Foundation

/// Seed 003 (吉林): the authority publishes exam rooms (发布考场) with a number of seats; a learner
/// who has reached the required hours applies for one (学员申请考场), prints the admission ticket
/// and sits. Taking the last seat atomically is the database's job; this is the rule it applies.
public struct SeatApplicationFacts: Sendable, Hashable {
    /// Whether the session is published and open for applications.
    public var sessionOpen: Bool
    public var seats: Int
    public var seatsTaken: Int
    public var study: StudyProgress
    public var blacklistedUntil: CalendarDate?
    /// The session (this or another for the same qualification) where the person already holds
    /// a seat, if any.
    public var heldSession: String?
    public var today: CalendarDate

    public init(sessionOpen: Bool, seats: Int, seatsTaken: Int, study: StudyProgress, blacklistedUntil: CalendarDate? = nil,
                heldSession: String? = nil, today: CalendarDate) {
        self.sessionOpen = sessionOpen
        self.seats = seats
        self.seatsTaken = seatsTaken
        self.study = study
        self.blacklistedUntil = blacklistedUntil
        self.heldSession = heldSession
        self.today = today
    }
}

/// Where the applicant's online study stands, as the handler finds it.
public enum SeatStudyStanding: Sendable, Hashable {
    /// Training is over (trained, or a resit after failing or missing the exam): hours don't count.
    case notNeeded
    /// In training, and the class has an online course: its progress.
    case progress(StudyProgress)
    /// In training, with no online course to measure: the hours can't have been reached.
    case noCourse

    /// The progress the rule checks: nothing needed, the course's, or an hour short.
    public var progress: StudyProgress {
        switch self {
        case .notNeeded: StudyProgress(creditedSeconds: 0, requiredHours: 0)
        case .progress(let progress): progress
        case .noCourse: StudyProgress(creditedSeconds: 0, requiredHours: 1)
        }
    }
}

extension SeatApplicationFacts {
    /// The facts from what the handler gathered: the session's own fields decide whether it is
    /// open (`ExamPlanPolicy.sessionOpen`), the enrolment's study standing the hours.
    public init(applicationsOpen: Bool?, state: ExamPlanState, start: Date, now: Date, seats: Int, seatsTaken: Int,
                study: SeatStudyStanding, blacklistedUntil: CalendarDate?, heldSession: String?) {
        self.init(sessionOpen: ExamPlanPolicy.sessionOpen(applicationsOpen: applicationsOpen, state: state, start: start, now: now),
                  seats: seats, seatsTaken: seatsTaken, study: study.progress, blacklistedUntil: blacklistedUntil,
                  heldSession: heldSession, today: CalendarDate.today(now: now))
    }
}

/// Who takes a person off a session.
public enum SeatApplicationActor: String, Sendable, Codable, CaseIterable {
    /// The learner, or their enterprise on their behalf (申请退考).
    case applicant
    /// The authority that published the session (主管部门删除申请信息).
    case authority

    /// The applicant's side of a ticket (退考 from the ticket list): the learner and their
    /// enterprise. The authority removes applications from the session page instead, so no
    /// other role withdraws from a ticket (nil).
    public init?(ticketHolder role: Role) {
        switch role {
        case .individual, .enterprise: self = .applicant
        default: return nil
        }
    }
}

public enum SeatApplicationError: Error, Sendable, Equatable, CustomStringConvertible {
    case sessionNotOpen
    case full(seats: Int)
    case hoursNotReached(earnedTenths: Int, requiredHours: Int)
    case suspended(until: CalendarDate)
    case alreadyHoldsSeat(session: String)
    case ticketPrinted

    public var message: String {
        switch self {
        case .sessionNotOpen: "该考场未发布或已停止申请"
        case .full(let seats): "该考场 \(seats) 个座位已满"
        case .hoursNotReached(let earned, let required):
            "学时未达到要求（已完成 \(StudyProgress.label(tenths: earned))，需 \(StudyProgress.label(tenths: required * 10))），不能申请考场"
        case .suspended(let until): EligibilityFailure.suspended(until: until).message + "，不能申请考场"
        case .alreadyHoldsSeat(let session): "已申请考场「\(session)」，须先退考才能另行申请"
        case .ticketPrinted: "准考证已打印，不能退考；确需取消请联系主管部门"
        }
    }

    public var description: String { message }
}

public enum SeatApplicationRule {
    /// Every reason the person can't apply, the session's first (when it is closed or full
    /// nothing else matters); empty when they may.
    public static func refusals(_ facts: SeatApplicationFacts) -> [SeatApplicationError] {
        guard facts.sessionOpen else { return [.sessionNotOpen] }
        guard facts.seatsTaken < facts.seats else { return [.full(seats: facts.seats)] }
        var reasons: [SeatApplicationError] = []
        if !facts.study.isReached {
            reasons.append(.hoursNotReached(earnedTenths: facts.study.earnedTenths, requiredHours: facts.study.requiredHours))
        }
        if BlacklistCheck.isSuspended(until: facts.blacklistedUntil, on: facts.today), let until = facts.blacklistedUntil {
            reasons.append(.suspended(until: until))
        }
        if let held = facts.heldSession { reasons.append(.alreadyHoldsSeat(session: held)) }
        return reasons
    }

    /// The session list's 申请 button: shown to a learner while the session takes applications,
    /// they hold no seat in it and a seat is left (the booking then decides with every fact).
    public static func offersApplication(applicationsOpen: Bool, holdsSeat: Bool, seats: Int, taken: Int) -> Bool {
        applicationsOpen && !holdsSeat && taken < seats
    }

    /// Throws the first of `refusals`.
    public static func mayApply(_ facts: SeatApplicationFacts) throws(SeatApplicationError) {
        if let first = refusals(facts).first { throw first }
    }

    /// Seed 003: "若学员未打印准考证可…取消该学员的本次考试，已打印准考证的学员无法取消". The
    /// applicant withdraws only until the ticket is printed; afterwards only the authority
    /// removes the application.
    public static func mayWithdraw(ticketPrinted: Bool, by actor: SeatApplicationActor) throws(SeatApplicationError) {
        if ticketPrinted && actor == .applicant { throw .ticketPrinted }
    }
}
