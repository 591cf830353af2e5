import Fluent
import Foundation
import NIOCore
import SafeCertCore
import Synchronization
import Vapor

/// Sessions idle past `LoginPolicy.idleTimeout` can't be used again (`WebSessionMiddleware`
/// refuses them), so their rows are deleted on a schedule — not only after someone's later
/// login, which left thousands of anonymous login-page sessions lying for hours (issue 11).
enum SessionPurge {
    static let interval: TimeAmount = .minutes(5)

    /// Deletes the sessions last seen before the idle timeout; returns how many.
    @discardableResult
    static func run(on db: any Database, now: Date) async throws -> Int {
        let cutoff = now.addingTimeInterval(-LoginPolicy.standard.idleTimeout)
        let stale = WebSession.query(on: db).filter(\.$lastSeenAt < cutoff)
        let count = try await stale.copy().count()
        if count > 0 { try await stale.delete() }
        return count
    }
}

/// Runs `SessionPurge` every five minutes while the app runs (not in test mode, where tests
/// call it with their own clock).
struct SessionPurgeLifecycle: LifecycleHandler {
    final class Box: Sendable { let task = Mutex<RepeatedTask?>(nil) }
    let box = Box()

    func didBoot(_ app: Application) throws {
        guard app.runsPeriodicJobs else { return }
        let task = app.eventLoopGroup.next().scheduleRepeatedAsyncTask(initialDelay: .seconds(30), delay: SessionPurge.interval) { _ in
            app.eventLoopGroup.next().makeFutureWithTask {
                do {
                    try await SessionPurge.run(on: app.db, now: app.appServices.clock.now())
                    try await UsedCaptcha.purge(on: app.db, now: app.appServices.clock.now())
                } catch {
                    app.logger.error("session purge: \(String(describing: error))")
                }
            }
        }
        box.task.withLock { $0 = task }
    }

    func shutdown(_ app: Application) {
        box.task.withLock { $0?.cancel() }
    }
}
