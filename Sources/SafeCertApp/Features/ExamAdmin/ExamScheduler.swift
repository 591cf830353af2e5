import Fluent
import Foundation
import NIOCore
import SafeCertCore
import SQLKit
import Vapor

/// Starts approved plans at their start time and finishes running ones at their end
/// (`ExamPlanWorkflow.dueEvent`): from the start the exam client's reports count, and at the
/// end whoever never passed the identity check is absent. Runs every minute on each instance;
/// each change locks the plan row and re-reads its state, so two instances never apply it twice.
enum ExamScheduler {
    static let actor = AuditActor.system("考试计划定时任务")

    /// One pass; returns the plans changed.
    @discardableResult
    static func tick(_ app: Application) async throws -> Int {
        let now = app.appServices.clock.now()
        let due = try await ExamPlanRecord.query(on: app.db).filter(\.$state ~~ [.approved, .inProgress])
            .filter(\.$startAt <= now).sort(\.$startAt).limit(500).all()
        var changed = 0
        for candidate in due {
            let applied = try await app.db.transaction { db -> Bool in
                if let sql = db as? any SQLDatabase {
                    try await sql.update(ExamPlanRecord.schema).set("duration_minutes", to: SQLColumn("duration_minutes"))
                        .where("id", .equal, candidate.requireID()).run()
                }
                guard let plan = try await ExamPlanRecord.find(candidate.id, on: db), let schedule = plan.schedule,
                      let event = ExamPlanWorkflow.dueEvent(plan.state, schedule: schedule, now: now),
                      let transition = try? ExamPlanWorkflow.transition(plan.state, event, by: .examCentre,
                                                                        context: ExamPlanContext(level: plan.level, schedule: schedule, now: now))
                else { return false }
                let before = plan.state
                plan.state = transition.state
                if case .finish = event { try await markAbsentAtFinish(plan, on: db) }
                try await plan.save(on: db)
                try await Audit.record(on: db, actor: actor, action: "exam-plan.\(event == .start ? "start" : "finish")", targetType: "exam-plan",
                                       targetID: plan.id?.uuidString, summary: "\(event.action)（到时自动）：\(before.label) → \(plan.state.label)", at: now)
                return true
            }
            if applied { changed += 1 }
        }
        return changed
    }

    /// No check, no exam: at the end, whoever never passed the identity check is absent.
    static func markAbsentAtFinish(_ plan: ExamPlanRecord, on db: any Database) async throws {
        let missing = try await ExamCandidate.query(on: db).filter(\.$plan.$id == plan.requireID()).group(.or) {
            $0.filter(\.$attendance == nil).filter(\.$attendance == .notArrived)
        }.all()
        for c in missing {
            c.attendance = ExamAttendanceRule.atFinish(c.state)
            try await c.save(on: db)
        }
    }
}

/// Runs `ExamScheduler.tick` every minute while the app runs (not in test mode, where tests call
/// it with their own clock).
struct ExamSchedulerLifecycle: LifecycleHandler {
    final class Box: @unchecked Sendable { var task: RepeatedTask? }
    let box = Box()

    func didBoot(_ app: Application) throws {
        guard app.runsPeriodicJobs else { return }
        box.task = app.eventLoopGroup.next().scheduleRepeatedAsyncTask(initialDelay: .seconds(20), delay: .seconds(60)) { _ in
            app.eventLoopGroup.next().makeFutureWithTask {
                do { try await ExamScheduler.tick(app) } catch { app.logger.error("exam scheduler: \(String(describing: error))") }
            }
        }
    }

    func shutdown(_ app: Application) {
        box.task?.cancel()
    }
}
