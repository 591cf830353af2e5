import Fluent
import Foundation
import SafeCertCore
import Vapor

/// Places a candidate in a plan — the one way for the automatic draw, 手动分配, 导入考生信息 and
/// 学员申请考场 — and moves one to another room (修改考生). The seat itself is chosen by the
/// caller (`SeatAssignment`); this writes it.
enum CandidateSeating {
    /// The enrolment workflow refused to schedule the person: a 409 with its message, unless the
    /// caller answers otherwise.
    struct Refused: AbortError {
        let message: String
        var status: HTTPResponseStatus { .conflict }
        var reason: String { message }
    }

    /// One seat in the plan: the candidate row with its ticket number (`TicketNumber`: serial +
    /// room number + seat) and the enrolment moved to scheduled, remembering where it stood. Call
    /// inside the transaction that should undo it; throws `Refused` when the workflow refuses.
    @discardableResult
    static func place(_ e: Enrolment, in plan: ExamPlanRecord, roomID: UUID, roomNumber: Int, seat: Int, actor: EnrolmentActor,
                      extra: String, user: CurrentUser, req: Request, on db: any Database) async throws -> ExamCandidate {
        let candidate = ExamCandidate()
        candidate.$plan.id = try plan.requireID()
        candidate.$enrolment.id = try e.requireID()
        candidate.$person.id = e.$person.id
        candidate.$room.id = roomID
        candidate.seatNumber = seat
        candidate.previousState = e.state
        candidate.ticketNumber = TicketNumber(serial: plan.serial, room: roomNumber, seat: seat).text
        try await candidate.create(on: db)
        if let problem = try await EnrolmentService.apply(.schedule, to: e, actor: actor, user: user, req: req, on: db, extra: extra) {
            throw Refused(message: problem)
        }
        return candidate
    }

    /// Another room's seat for a placed candidate: the ticket number follows (not saved here).
    static func move(_ c: ExamCandidate, in plan: ExamPlanRecord, roomID: UUID, roomNumber: Int, seat: Int) {
        c.$room.id = roomID
        c.seatNumber = seat
        c.ticketNumber = TicketNumber(serial: plan.serial, room: roomNumber, seat: seat).text
    }
}
