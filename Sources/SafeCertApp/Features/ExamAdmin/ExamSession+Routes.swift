import Fluent
import Foundation
import SafeCertCore
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

    static func list(_ req: Request, _ user: CurrentUser) async throws -> Response {
        try await req.render("exams/sessions", title: user.may(.publishExamSessions) ? "发布考场" : "申请考场",
                             try await ListModel.load(req, user))
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
        let plan = ExamPlanRecord(serial: ExamPlanSerial(.session, day: CalendarDate.today(now: req.now), digits: Tokens.digits(5)).text,
                                  type: type, qualification: form.qualification, level: level, region: region, schedule: schedule,
                                  state: state, createdBy: orgID)
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

    /// 学员申请考场: the learner's enrolment for the session's qualification, then the booking
    /// (`SeatApplicationStore.book`: the rule decides inside the transaction that writes the seat).
    static func apply(_ req: Request, _ user: CurrentUser) async throws -> Response {
        guard case .person(let personID) = user.scope else { throw Abort(.forbidden) }
        let planID = try req.idParameter()
        guard let plan = try await ExamPlanRecord.find(planID, on: req.db), plan.applicationsOpen != nil else { throw Abort(.notFound) }
        guard let enrolment = try await SeatApplicationStore.enrolment(of: personID, for: plan, on: req.db) else {
            try await req.flash(.error, "没有该资格在培训中或培训合格、待安排考试的报名，不能申请该考场")
            return req.redirect(.examSessions)
        }
        do {
            let c = try await SeatApplicationStore.book(planID: planID, personID: personID, enrolment: enrolment, user: user, req: req)
            try await req.flash(.success, "申请成功：座位 \(Seat<UUID>.label(c.seatNumber))，准考证号 \(c.ticketNumber)；请在“打印准考证”中打印")
        } catch let refusal as SeatApplicationStore.Refusal {
            try await req.flash(.error, "申请未成功：\(refusal.message)")
        }
        return req.redirect(.examSessions)
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
