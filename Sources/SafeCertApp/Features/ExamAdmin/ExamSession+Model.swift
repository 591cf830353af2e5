import Fluent
import Foundation
import SafeCertCore
import Vapor

/// The 发布考场 / 申请考场 page's model and the queries that load it: the publishing authority's
/// sessions, or for a learner the sessions of their region open to a qualification they finished
/// training for, with their own applications.
extension ExamSessionRoutes {
    struct SessionRow: Encodable, Sendable {
        let id: String
        let serial: String
        let qualification: String
        let start: String
        let end: String
        let rooms: String
        let seats: Int
        let taken: Int
        let left: Int
        let href: String
        let applyAction: String?
        let appliedNote: String?
    }

    struct Application: Encodable, Sendable {
        let serial: String
        let ticketNumber: String
        let room: String
        let seat: String
        let start: String
        let printed: Bool
        let ticketHref: String
        let withdrawAction: String?
    }

    struct ListModel: Encodable, Sendable {
        let publisher: Bool
        let rows: [SessionRow]
        let applications: [Application]
        let note: String?

        static func load(_ req: Request, _ user: CurrentUser) async throws -> ListModel {
            if user.may(.publishExamSessions) {
                let plans = try await ExamPlanStore.scoped(req, user).filter(\.$applicationsOpen != nil)
                    .sort(\.$startAt, .descending).limit(100).all()
                return ListModel(publisher: true, rows: try await rows(plans, held: [], publisher: true, req), applications: [], note: nil)
            }
            guard case .person(let personID) = user.scope else {
                return ListModel(publisher: false, rows: [], applications: [], note: studyNote)
            }
            return try await learner(personID, req)
        }

        static let studyNote = "在线学习学时达到要求或培训合格后才能申请考场"

        /// The learner's applications, the sessions open to them, and how far their study is.
        private static func learner(_ personID: UUID, _ req: Request) async throws -> ListModel {
            let awaiting = try await Enrolment.query(on: req.db).filter(\.$person.$id == personID)
                .filter(\.$state ~~ EnrolmentState.sorted(EnrolmentState.awaitingExam)).all()
            let mine = try await ExamCandidate.query(on: req.db).filter(\.$person.$id == personID).join(parent: \.$plan).join(parent: \.$room)
                .filter(ExamPlanRecord.self, \.$applicationsOpen != nil)
                .filter(ExamPlanRecord.self, \.$state ~~ ExamPlanPolicy.sorted(ExamPlanPolicy.applicationStates))
                .sort(ExamPlanRecord.self, \.$startAt).limit(50).all()
            let held = Set(try mine.map { try $0.joined(ExamPlanRecord.self).requireID() })
            let plans = try await openSessions(for: awaiting, req)
            var note: String? = awaiting.isEmpty && mine.isEmpty ? studyNote : nil
            for e in awaiting where e.state == .inTraining {
                if let progress = try await EnrolmentService.studyProgress(of: e, on: req.db), !progress.isReached {
                    note = "在线学习已完成 \(StudyProgress.label(tenths: progress.earnedTenths))，还需 \(StudyProgress.label(tenths: progress.remainingTenths))，学时达到要求后才能申请考场"
                }
            }
            return ListModel(publisher: false, rows: try await rows(plans, held: held, publisher: false, req),
                             applications: try mine.map(Application.init), note: note)
        }

        /// Sessions of the learner's region for a qualification they wait to be examined in.
        private static func openSessions(for awaiting: [Enrolment], _ req: Request) async throws -> [ExamPlanRecord] {
            let codes = Array(Set(awaiting.map(\.qualificationCode)))
            if codes.isEmpty { return [] }
            return try await ExamPlanRecord.query(on: req.db).filter(\.$applicationsOpen == true).filter(\.$state == .approved)
                .filter(\.$qualificationCode ~~ codes).filter(\.$startAt > req.now).sort(\.$startAt).limit(200).all()
                .filter { plan in
                    awaiting.contains { $0.qualificationCode == plan.qualificationCode && $0.regionCode.hasPrefix(Region.scopePrefix(of: plan.regionCode)) }
                }
        }

        private static func rows(_ plans: [ExamPlanRecord], held: Set<UUID>, publisher: Bool, _ req: Request) async throws -> [SessionRow] {
            let catalogue = try await CatalogueStore.load(on: req.db)
            let (seats, taken, rooms) = try await ExamSessionRoutes.seats(of: plans, on: req.db)
            return try plans.map { p in
                let id = try p.requireID()
                let total = seats[id] ?? 0, used = taken[id] ?? 0, holds = held.contains(id)
                return SessionRow(
                    id: id.uuidString, serial: p.serial, qualification: catalogue.type(code: p.qualificationCode)?.name ?? p.qualificationCode,
                    start: ExamSchedule.beijingText(p.startAt), end: p.schedule.map { ExamSchedule.beijingText($0.end) } ?? "",
                    rooms: (rooms[id] ?? []).sorted().joined(separator: "、"), seats: total, taken: used, left: max(0, total - used),
                    href: SiteURL.examPlan(.id(p.id)).link,
                    applyAction: !publisher && SeatApplicationRule.offersApplication(applicationsOpen: p.applicationsOpen == true, holdsSeat: holds,
                                                                                     seats: total, taken: used)
                        ? SiteURL.examSessionApply(.id(p.id)).link : nil,
                    appliedNote: holds ? "已申请" : (!publisher && used >= total ? "已满" : nil))
            }
        }
    }

    /// Seats: the rooms' approved capacity; taken: the candidates.
    static func seats(of plans: [ExamPlanRecord], on db: any Database) async throws -> (seats: [UUID: Int], taken: [UUID: Int], rooms: [UUID: [String]]) {
        let ids = try plans.map { try $0.requireID() }
        let links = try await ExamPlanRoom.query(on: db).filter(\.$plan.$id ~~ ids).with(\.$room).all()
        var seats: [UUID: Int] = [:]
        var rooms: [UUID: [String]] = [:]
        for l in links {
            seats[l.$plan.id, default: 0] += l.room.capacity
            rooms[l.$plan.id, default: []].append(l.room.name)
        }
        let taken = try await ExamPlanStore.candidateCounts(ids, on: db)
        return (seats, taken, rooms)
    }
}

extension ExamSessionRoutes.Application {
    /// A candidate row joined with its plan and room; the learner may withdraw until printed.
    init(_ c: ExamCandidate) throws {
        let plan = try c.joined(ExamPlanRecord.self)
        serial = plan.serial
        ticketNumber = c.ticketNumber
        room = try c.joined(ExamRoom.self).name
        seat = Seat<UUID>.label(c.seatNumber)
        start = ExamSchedule.beijingText(plan.startAt)
        printed = c.ticketPrintedAt != nil
        ticketHref = SiteURL.ticket(.id(c.id)).link
        withdrawAction = c.mayWithdraw(by: .applicant) ? SiteURL.ticketWithdraw(.id(c.id)).link : nil
    }
}
