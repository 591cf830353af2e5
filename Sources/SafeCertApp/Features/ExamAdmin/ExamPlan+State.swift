import Fluent
import Foundation
import SafeCertCore
import SQLKit
import Vapor

/// The plan's workflow steps (submit, approve, start, finish, results), with the exam centres' part.
extension ExamPlanRoutes {
    /// An exam centre's part in starting, finishing and submitting results (a shared plan runs on
    /// its schedule; each centre submits its own rooms), and the results' completeness before
    /// submitting: the answer when the step ends here, nil to go on with the transition.
    static func centreStep(_ name: String, plan: ExamPlanRecord, centre: UUID?, back: SiteURL, user: CurrentUser,
                           req: Request) async throws -> Response? {
        var submission: ExamCentreResults.Submission?
        if let centre {
            let (centres, submitted) = try await ExamResultRoutes.centres(of: plan, on: req.db)
            do throws(ExamCentreResultsError) {
                if name == "start" || name == "finish", !ExamCentreResults.mayRunByHand(centre: centre, centres: centres) {
                    throw .sharedPlanRunsOnSchedule
                }
                if name == "submit_results" {
                    submission = try ExamCentreResults.submit(centre: centre, centres: centres, submitted: submitted, state: plan.state)
                }
            } catch {
                try await req.flash(.error, error.message)
                return req.redirect(back)
            }
        }
        if name == "submit_results" {
            let problems = try await ExamResultRoutes.submissionProblems(plan, centre: centre, on: req.db)
            if !problems.isEmpty {
                try await req.flash(.error, "不能提交考试结果：" + problems.prefix(10).joined(separator: "；") + (problems.count > 10 ? "……共 \(problems.count) 处" : ""))
                return req.redirect(back)
            }
        }
        if let centre, case .centreSubmitted(let waiting) = submission {
            try await ExamResultRoutes.markSubmitted(plan, centre: centre, user: user, req: req, waitingFor: waiting)
            try await req.flash(.success, "已提交本考核点的考试结果，等待其他 \(waiting) 个考核点提交")
            return req.redirect(back)
        }
        return nil
    }

    /// What a transition writes besides the plan's state, inside its transaction: absences at the
    /// finish, the centres' submission marks, the published results, and on deletion everyone
    /// placed back where they stood.
    static func sideEffects(of name: String, to state: ExamPlanState, plan: ExamPlanRecord, centre: UUID?, user: CurrentUser, req: Request,
                            on db: any Database) async throws -> (passed: Int, failed: Int, absent: Int)? {
        var published: (passed: Int, failed: Int, absent: Int)?
        if name == "finish" { try await ExamScheduler.markAbsentAtFinish(plan, on: db) }
        if name == "submit_results", let centre {
            try await ExamPlanRoom.query(on: db).filter(\.$plan.$id == plan.requireID()).filter(\.$centreID == centre)
                .set(\.$resultsSubmittedAt, to: req.now).update()
        }
        if name == "return_results" {
            try await ExamPlanRoom.query(on: db).filter(\.$plan.$id == plan.requireID()).set(\.$resultsSubmittedAt, to: nil).update()
        }
        if name == "approve_results" {
            published = try await ExamResultRoutes.publish(plan, user: user, req: req, on: db)
        }
        if state == .deleted {
            let candidates = try await ExamCandidate.query(on: db).filter(\.$plan.$id == plan.requireID()).with(\.$enrolment).all()
            for c in candidates {
                _ = try await EnrolmentService.apply(.unschedule(back: c.previousState), to: c.enrolment, actor: .authority, user: user,
                                                     req: req, on: db, extra: "；考试计划 \(plan.serial) 已删除")
            }
        }
        return published
    }

    static func changeState(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let plan = try await ExamPlanStore.findPlan(req, user)
        guard let actor = ExamPlanActor(role: user.role), let schedule = plan.schedule else { throw Abort(.forbidden) }
        let name = req.field("event") ?? ""
        let reason = req.field("reason") ?? ""
        guard let (_, template, _) = eventNames.first(where: { $0.0 == name }) else { throw Abort(.badRequest, reason: "未知的操作") }
        let event: ExamPlanEvent = name == "return" ? .returnToDraft(reason: reason)
            : name == "return_results" ? .returnResults(reason: reason) : template
        let back: SiteURL = req.field("back") == "results" ? .examPlanResults(.id(plan.id)) : .examPlan(.id(plan.id))
        if !ExamPlanPolicy.actsOnWorkflow(actor, inJurisdiction: user.scope.includes(regionCode: plan.regionCode)) { throw Abort(.notFound) }
        let transition: ExamPlanTransition
        do {
            transition = try ExamPlanWorkflow.transition(plan.state, event, by: actor, context: ExamPlanContext(level: plan.level, schedule: schedule, now: req.now))
        } catch {
            try await req.flash(.error, error.message)
            return req.redirect(back)
        }
        let centre = ExamResultRoutes.actingCentre(user)
        if let answered = try await centreStep(name, plan: plan, centre: centre, back: back, user: user, req: req) { return answered }
        let before = plan.state
        plan.state = transition.state
        plan.stateReason = name == "return" || name == "return_results" ? reason : nil
        let published = try await req.db.transaction { db -> (passed: Int, failed: Int, absent: Int)? in
            let published = try await sideEffects(of: name, to: transition.state, plan: plan, centre: centre, user: user, req: req, on: db)
            try await plan.save(on: db)
            try await req.audit(user, "exam-plan.\(name)", on: db, target: "exam-plan", plan.id?.uuidString,
                                summary: "\(event.action)：\(before.label) → \(plan.state.label)" + (reason.isEmpty ? "" : "；原因：\(reason)")
                                       + (transition.requiresAudit ? "；部中心对已锁定计划的变更" : "")
                                       + (published.map { "；合格 \($0.passed) 人，不合格 \($0.failed) 人，缺考 \($0.absent) 人" } ?? ""))
            return published
        }
        if transition.state == .deleted {
            // The plan is gone: back to the list, which says so.
            try await req.flash(.success, "考试计划 \(plan.serial) 已删除，已安排的考生回到待安排考试状态")
            return req.redirect(.examPlans)
        }
        try await req.flash(.success, "\(event.action)：\(plan.state.label)" + (published.map { "，已发布：合格 \($0.passed) 人，不合格 \($0.failed) 人，缺考 \($0.absent) 人" } ?? ""))
        return req.redirect(back)
    }
}
