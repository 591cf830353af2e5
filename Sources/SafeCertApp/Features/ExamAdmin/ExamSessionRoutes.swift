import Fluent
import Foundation
import SafeCertCore
import SQLKit
import Vapor

/// Seed 003 (吉林): the authority publishes exam sessions with seats (发布考场); learners who have
/// finished their training apply for a seat (学员申请考场), first come first served; a learner
/// withdraws until the ticket is printed, afterwards only the authority removes the application.
/// A published session is an exam plan opened for applications, so tickets, the identity check
/// and results work the same.
enum ExamSessionRoutes {
    static func register(_ routes: any RoutesBuilder) {
        routes.page(.examSessions, .viewExamSessions, use: list)
        routes.page(.examSessionNew, .publishExamSessions, use: new)
        routes.action(.examSessions, .publishExamSessions, use: publish)
        routes.action(.examSessionApply(.key), .applyForSeats, use: apply)
        routes.action(.examSessionRemove(.key), .publishExamSessions, use: remove)
    }

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

    static func list(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let catalogue = try await CatalogueStore.load(on: req.db)
        var plans: [ExamPlanRecord] = []
        var applications: [Application] = []
        var awaiting: [Enrolment] = []
        var heldPlans: Set<UUID> = []
        let publisher = user.may(.publishExamSessions)
        if publisher {
            plans = try await ExamPlanStore.scoped(req, user).filter(\.$applicationsOpen != nil).sort(\.$startAt, .descending).limit(100).all()
        } else if case .person(let personID) = user.scope {
            // Sessions of the learner's region for a qualification they have finished training for.
            awaiting = try await Enrolment.query(on: req.db).filter(\.$person.$id == personID)
                .filter(\.$state ~~ EnrolmentState.sorted(EnrolmentState.awaitingExam)).all()
            let mine = try await ExamCandidate.query(on: req.db).filter(\.$person.$id == personID).join(parent: \.$plan).join(parent: \.$room)
                .filter(ExamPlanRecord.self, \.$applicationsOpen != nil).filter(ExamPlanRecord.self, \.$state ~~ ExamPlanPolicy.sorted(ExamPlanPolicy.applicationStates))
                .sort(ExamPlanRecord.self, \.$startAt).limit(50).all()
            for c in mine {
                let plan = try c.joined(ExamPlanRecord.self)
                heldPlans.insert(try plan.requireID())
                applications.append(Application(serial: plan.serial, ticketNumber: c.ticketNumber, room: try c.joined(ExamRoom.self).name,
                                                seat: Seat<UUID>.label(c.seatNumber), start: ExamSchedule.beijingText(plan.startAt),
                                                printed: c.ticketPrintedAt != nil, ticketHref: SiteURL.ticket(.id(c.id)).link,
                                                withdrawAction: c.ticketPrintedAt == nil ? SiteURL.ticketWithdraw(.id(c.id)).link : nil))
            }
            let codes = Array(Set(awaiting.map(\.qualificationCode)))
            if !codes.isEmpty {
                plans = try await ExamPlanRecord.query(on: req.db).filter(\.$applicationsOpen == true).filter(\.$state == .approved)
                    .filter(\.$qualificationCode ~~ codes).filter(\.$startAt > req.now).sort(\.$startAt).limit(200).all()
                    .filter { plan in
                        awaiting.contains { $0.qualificationCode == plan.qualificationCode && $0.regionCode.hasPrefix(Region.scopePrefix(of: plan.regionCode)) }
                    }
            }
        }
        let (seats, taken, rooms) = try await seats(of: plans, on: req.db)
        let rows = try plans.map { p in
            let total = seats[try p.requireID()] ?? 0
            let used = taken[try p.requireID()] ?? 0
            let held = heldPlans.contains(try p.requireID())
            return SessionRow(
                id: try p.requireID().uuidString, serial: p.serial, qualification: catalogue.type(code: p.qualificationCode)?.name ?? p.qualificationCode,
                start: ExamSchedule.beijingText(p.startAt), end: p.schedule.map { ExamSchedule.beijingText($0.end) } ?? "",
                rooms: (rooms[try p.requireID()] ?? []).sorted().joined(separator: "、"), seats: total, taken: used, left: max(0, total - used),
                href: SiteURL.examPlan(.id(p.id)).link,
                applyAction: !publisher && !held && p.applicationsOpen == true && used < total ? SiteURL.examSessionApply(.id(p.id)).link : nil,
                appliedNote: held ? "已申请" : (!publisher && used >= total ? "已满" : nil))
        }
        var note: String? = !publisher && awaiting.isEmpty && applications.isEmpty ? "在线学习学时达到要求或培训合格后才能申请考场" : nil
        for e in awaiting where e.state == .inTraining {
            if let progress = try await EnrolmentService.studyProgress(of: e, on: req.db), !progress.isReached {
                note = "在线学习已完成 \(StudyProgress.label(tenths: progress.earnedTenths))，还需 \(StudyProgress.label(tenths: progress.remainingTenths))，学时达到要求后才能申请考场"
            }
        }
        return try await req.render("exams/sessions", title: publisher ? "发布考场" : "申请考场",
                                    ListModel(publisher: publisher, rows: rows, applications: applications, note: note))
    }

    static func new(_ req: Request, _ user: CurrentUser) async throws -> Response {
        var form = ExamPlanRoutes.Form()
        form.date = CalendarDate.today(now: req.now).adding(days: 14).iso
        return try await ExamPlanRoutes.renderForm(req, user, form: form, session: true)
    }

    static func publish(_ req: Request, _ user: CurrentUser) async throws -> Response {
        guard let actor = ExamPlanActor(role: user.role), let orgID = user.organizationID else { throw Abort(.forbidden) }
        let (form, type, schedule, _, rooms) = try await ExamPlanRoutes.readForm(req, user, session: true)
        guard form.errors.isEmpty, let type, let schedule else {
            return try await ExamPlanRoutes.renderForm(req, user, form: form, status: .unprocessableEntity, session: true)
        }
        let (region, level) = ExamPlanRoutes.planRegion(user)
        let state: ExamPlanState
        do { state = try ExamPlanWorkflow.publish(by: actor, level: level) } catch { throw Abort(.forbidden, reason: error.message) }
        let plan = ExamPlanRecord()
        plan.serial = ExamPlanSerial(.session, day: CalendarDate.today(now: req.now), digits: Tokens.digits(5)).text
        plan.planType = type
        plan.qualificationCode = form.qualification
        plan.level = level
        plan.regionCode = region
        plan.$createdBy.id = orgID
        plan.startAt = schedule.start
        plan.durationMinutes = schedule.durationMinutes
        plan.state = state
        plan.applicationsOpen = true
        try await req.db.transaction { db in
            try await plan.create(on: db)
            try await ExamPlanStore.linkRooms(rooms, to: plan, on: db)
            try await req.audit(user, "exam-session.publish", on: db, target: "exam-plan", plan.id?.uuidString,
                                summary: plan.auditSummary + "；发布考场，座位 \(rooms.reduce(0) { $0 + $1.capacity }) 个")
        }
        try await req.flash(.success, "已发布考场 \(plan.serial)，共 \(rooms.reduce(0) { $0 + $1.capacity }) 个座位")
        return req.redirect(.examSessions)
    }

    /// 学员申请考场: atomic. The plan row is locked first (PostgreSQL; SQLite has one writer), the
    /// seats counted inside the transaction, and the unique (plan, room, seat) index stops any
    /// double booking that slipped through.
    static func apply(_ req: Request, _ user: CurrentUser) async throws -> Response {
        guard case .person(let personID) = user.scope else { throw Abort(.forbidden) }
        let planID = try req.idParameter()
        guard let plan = try await ExamPlanRecord.find(planID, on: req.db), plan.applicationsOpen != nil else { throw Abort(.notFound) }
        let prefix = Region.scopePrefix(of: plan.regionCode)
        guard let enrolment = try await Enrolment.query(on: req.db).filter(\.$person.$id == personID)
            .filter(\.$qualificationCode == plan.qualificationCode).filter(\.$state ~~ EnrolmentState.sorted(EnrolmentState.awaitingExam.union(EnrolmentState.holdingSeat)))
            .filter(\.$regionCode =~ prefix).first() else {
            try await req.flash(.error, "没有该资格在培训中或培训合格、待安排考试的报名，不能申请该考场")
            return req.redirect(.examSessions)
        }
        let outcome: Result<ExamCandidate, Refusal>
        do {
            outcome = try await book(planID: planID, personID: personID, enrolment: enrolment, user: user, req: req)
        } catch let refusal as Refusal {
            outcome = .failure(refusal)
        } catch let refused as CandidateSeating.Refused {
            outcome = .failure(Refusal(refused.message))
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Another application took the same seat in the same instant.
            outcome = .failure(Refusal("该座位刚被其他学员申请，请重新申请"))
        }
        switch outcome {
        case .success(let c):
            try await req.flash(.success, "申请成功：座位 \(Seat<UUID>.label(c.seatNumber))，准考证号 \(c.ticketNumber)；请在“打印准考证”中打印")
            return req.redirect(.examSessions)
        case .failure(let refusal):
            try await req.flash(.error, "申请未成功：\(refusal.message)")
            return req.redirect(.examSessions)
        }
    }

    static func book(planID: UUID, personID: UUID, enrolment: Enrolment, user: CurrentUser,
                     req: Request) async throws -> Result<ExamCandidate, Refusal> {
        try await req.db.transaction { db in
            if let sql = db as? any SQLDatabase {
                try await sql.update(ExamPlanRecord.schema).set("duration_minutes", to: SQLColumn("duration_minutes")).where("id", .equal, planID).run()
            }
            guard let fresh = try await ExamPlanRecord.find(planID, on: db) else { return .failure(Refusal("考场不存在")) }
            let links = try await ExamPlanRoom.query(on: db).filter(\.$plan.$id == planID).with(\.$room).all()
                .sorted { $0.room.name < $1.room.name }
            let existing = try await ExamCandidate.query(on: db).filter(\.$plan.$id == planID).all()
            let held = try await ExamCandidate.query(on: db).filter(\.$enrolment.$id == enrolment.requireID()).join(parent: \.$plan)
                .filter(ExamPlanRecord.self, \.$state ~~ ExamPlanPolicy.sorted(ExamPlanPolicy.seatHoldingStates)).first()
            let study: SeatStudyStanding = enrolment.state == .inTraining
                ? try await EnrolmentService.studyProgress(of: enrolment, on: db).map(SeatStudyStanding.progress) ?? .noCourse
                : .notNeeded
            let facts = SeatApplicationFacts(
                applicationsOpen: fresh.applicationsOpen, state: fresh.state, start: fresh.startAt, now: req.now,
                seats: links.reduce(0) { $0 + $1.room.capacity }, seatsTaken: existing.count, study: study,
                blacklistedUntil: try await EnrolmentService.suspendedUntil(personID: personID, on: db),
                heldSession: try held.map { try $0.joined(ExamPlanRecord.self).serial })
            if let refusal = SeatApplicationRule.refusals(facts).first { return .failure(Refusal(refusal.message)) }
            // The first room with a free seat, and its lowest free number.
            let numbers = try await ExamPlanStore.roomNumbers(planID, on: db)
            for link in links where !link.room.disabled {
                let roomID = try link.room.requireID()
                let used = Set(existing.filter { $0.$room.id == roomID }.map(\.seatNumber))
                guard let number = SeatAssignment.firstFreeSeat(taken: used, capacity: link.room.capacity) else { continue }
                let candidate = try await CandidateSeating.place(
                    enrolment, in: fresh, roomID: roomID, roomNumber: numbers[roomID] ?? 1, seat: number, actor: .registrant,
                    extra: "；申请考场 \(fresh.serial) \(link.room.name) \(Seat<UUID>.label(number))", user: user, req: req, on: db)
                try await req.audit(user, "exam-session.apply", on: db, target: "exam-plan", planID.uuidString,
                                    summary: "申请考场 \(fresh.serial)：\(link.room.name) \(Seat<UUID>.label(number))，准考证号 \(candidate.ticketNumber)")
                return .success(candidate)
            }
            return .failure(Refusal(SeatApplicationError.full(seats: facts.seats).message))
        }
    }

    struct Refusal: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }

    /// 主管部门删除申请信息: the authority takes an application off its session, printed ticket or
    /// not, before the exam starts; the learner may apply again.
    static func remove(_ req: Request, _ user: CurrentUser) async throws -> Response {
        guard let plan = try await ExamPlanStore.scoped(req, user).filter(\.$id == req.idParameter()).filter(\.$applicationsOpen != nil).first()
        else { throw Abort(.notFound) }
        guard ExamPlanPolicy.mayRemoveApplication(inJurisdiction: user.scope.includes(regionCode: plan.regionCode), state: plan.state) else {
            try await req.flash(.error, "考试已开始或考场不属于本辖区，不能删除申请")
            return req.redirect(.examPlan(.id(plan.id)))
        }
        let ids = ((try? req.content.get([String].self, at: "ids")) ?? []).compactMap(UUID.init(uuidString:))
        let candidates = try await ExamCandidate.query(on: req.db).filter(\.$plan.$id == plan.requireID()).filter(\.$id ~~ ids)
            .with(\.$enrolment).with(\.$person).all()
        // A candidate already checked in can't be taken off: the plan page says who, nothing changes.
        return try await ExamPlanRoutes.takeOff(candidates, from: plan, action: "exam-session.remove", summary: "删除考场申请",
                                                note: "主管部门删除考场申请 \(plan.serial)", done: "已删除申请", user: user, req: req)
    }
}
