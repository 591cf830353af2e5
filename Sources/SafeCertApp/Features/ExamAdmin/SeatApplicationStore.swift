import Fluent
import Foundation
import SafeCertCore
import SQLKit
import Vapor

/// 学员申请考场 in the database: the facts `SeatApplicationRule` decides on, gathered inside the
/// booking's transaction, and the seat written by `CandidateSeating` when the rule allows it.
enum SeatApplicationStore {
    /// Why an application did not go through, in words for the learner. Thrown inside the
    /// transaction, so nothing of the attempt stays.
    struct Refusal: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }

    /// The learner's enrolment a session can seat: the session's qualification, in the session's
    /// region, waiting for an exam or holding a seat (the rule then names the seat held).
    static func enrolment(of personID: UUID, for plan: ExamPlanRecord, on db: any Database) async throws -> Enrolment? {
        try await Enrolment.query(on: db).filter(\.$person.$id == personID).filter(\.$qualificationCode == plan.qualificationCode)
            .filter(\.$state ~~ EnrolmentState.sorted(EnrolmentState.awaitingExam.union(EnrolmentState.holdingSeat)))
            .filter(\.$regionCode =~ Region.scopePrefix(of: plan.regionCode)).first()
    }

    /// Atomic: the plan row is locked first (PostgreSQL; SQLite has one writer), the seats counted
    /// inside the transaction, and the unique (plan, room, seat) index stops any double booking
    /// that slipped through. Throws `Refusal` when the rule, the workflow or a race refuses.
    static func book(planID: UUID, personID: UUID, enrolment: Enrolment, user: CurrentUser, req: Request) async throws -> ExamCandidate {
        do {
            return try await req.db.transaction { db in
                try await lock(planID, on: db)
                guard let plan = try await ExamPlanRecord.find(planID, on: db) else { throw Refusal("考场不存在") }
                let links = try await ExamPlanRoom.query(on: db).filter(\.$plan.$id == planID).with(\.$room).all()
                    .sorted { $0.room.name < $1.room.name }
                let existing = try await ExamCandidate.query(on: db).filter(\.$plan.$id == planID).all()
                let facts = try await facts(plan, enrolment: enrolment, personID: personID, seats: links.reduce(0) { $0 + $1.room.capacity },
                                            taken: existing.count, now: req.now, on: db)
                if let refusal = SeatApplicationRule.refusals(facts).first { throw Refusal(refusal.message) }
                guard let candidate = try await seat(enrolment, in: plan, links: links, existing: existing, user: user, req: req, on: db) else {
                    throw Refusal(SeatApplicationError.full(seats: facts.seats).message)
                }
                return candidate
            }
        } catch let refused as CandidateSeating.Refused {
            throw Refusal(refused.message)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Another application took the same seat in the same instant.
            throw Refusal("该座位刚被其他学员申请，请重新申请")
        }
    }

    /// A no-op update that takes the plan row's lock until the transaction ends.
    private static func lock(_ planID: UUID, on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.update(ExamPlanRecord.schema).set("duration_minutes", to: SQLColumn("duration_minutes")).where("id", .equal, planID).run()
    }

    /// What the rule needs to know: the session's own fields, its seats, the learner's study
    /// standing, suspension and any seat they already hold.
    private static func facts(_ plan: ExamPlanRecord, enrolment: Enrolment, personID: UUID, seats: Int, taken: Int, now: Date,
                              on db: any Database) async throws -> SeatApplicationFacts {
        let held = try await ExamCandidate.query(on: db).filter(\.$enrolment.$id == enrolment.requireID()).join(parent: \.$plan)
            .filter(ExamPlanRecord.self, \.$state ~~ ExamPlanPolicy.sorted(ExamPlanPolicy.seatHoldingStates)).first()
        let study: SeatStudyStanding = enrolment.state == .inTraining
            ? try await EnrolmentService.studyProgress(of: enrolment, on: db).map(SeatStudyStanding.progress) ?? .noCourse
            : .notNeeded
        return SeatApplicationFacts(
            applicationsOpen: plan.applicationsOpen, state: plan.state, start: plan.startAt, now: now, seats: seats, seatsTaken: taken,
            study: study, blacklistedUntil: try await EnrolmentService.suspendedUntil(personID: personID, on: db),
            heldSession: try held.map { try $0.joined(ExamPlanRecord.self).serial })
    }

    /// The first room with a free seat and its lowest free number; nil when every room is full.
    private static func seat(_ enrolment: Enrolment, in plan: ExamPlanRecord, links: [ExamPlanRoom], existing: [ExamCandidate],
                             user: CurrentUser, req: Request, on db: any Database) async throws -> ExamCandidate? {
        let planID = try plan.requireID()
        let numbers = try await ExamPlanStore.roomNumbers(planID, on: db)
        for link in links where !link.room.disabled {
            let roomID = try link.room.requireID()
            let used = Set(existing.filter { $0.$room.id == roomID }.map(\.seatNumber))
            guard let number = SeatAssignment.firstFreeSeat(taken: used, capacity: link.room.capacity) else { continue }
            let place = "\(plan.serial) \(link.room.name) \(Seat<UUID>.label(number))"
            let candidate = try await CandidateSeating.place(
                enrolment, in: plan, roomID: roomID, roomNumber: numbers[roomID] ?? 1, seat: number, actor: .registrant,
                extra: "；申请考场 \(place)", user: user, req: req, on: db)
            try await req.audit(user, "exam-session.apply", on: db, target: "exam-plan", planID.uuidString,
                                summary: "申请考场 \(plan.serial)：\(link.room.name) \(Seat<UUID>.label(number))，准考证号 \(candidate.ticketNumber)")
            return candidate
        }
        return nil
    }

    /// 退考: the enrolment goes back (an applied-for session: to where it stood, so the learner may
    /// apply again) or is withdrawn (a drawn plan), and the seat is freed. Throws
    /// `CandidateSeating.Refused` when the workflow refuses; nothing is written then.
    static func withdraw(_ c: ExamCandidate, enrolment e: Enrolment, fromSession session: Bool, user: CurrentUser, req: Request) async throws {
        let event: EnrolmentEvent = session ? .unschedule(back: c.previousState) : .withdraw
        try await req.db.transaction { db in
            if let problem = try await EnrolmentService.apply(event, to: e, actor: .registrant, user: user, req: req, on: db,
                                                              extra: "；准考证号 \(c.ticketNumber)") {
                throw CandidateSeating.Refused(message: problem)
            }
            try await c.delete(on: db)
        }
    }
}

extension ExamCandidate {
    /// Whether the ticket's holder side may withdraw now (`SeatApplicationRule.mayWithdraw`): nil
    /// is a role that never withdraws from a ticket.
    func mayWithdraw(by holder: SeatApplicationActor?) -> Bool {
        guard let holder else { return false }
        return (try? SeatApplicationRule.mayWithdraw(ticketPrinted: ticketPrintedAt != nil, by: holder)) != nil
    }
}
