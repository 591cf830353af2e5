#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Vapor

/// Document work — upload bodies, ZIP archives, spreadsheets, JPEG checks, PDFs — runs on its
/// own threads, not on `app.threadPool`: SQLite's queries run there, so a 200 MB photo upload on
/// it would hold up the session lookup of every other page. Its threads also yield the CPU to
/// the rest (nice 10 on Linux): a page waits for no upload, an upload only for spare cycles.
///
/// Its queue is bounded: past `queueLimit` jobs waiting or running, more work is refused at once
/// with 503 "系统繁忙，请稍后再试" instead of queueing behind minutes of earlier work.
struct DocumentPool: Sendable {
    let threads: NIOThreadPool
    let admission: PoolAdmission

    init(threads: NIOThreadPool, queueLimit: Int = DocumentPool.defaultQueueLimit) {
        self.threads = threads
        self.admission = PoolAdmission(limit: queueLimit)
    }

    static let defaultQueueLimit = 32

    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        guard admission.enter() else { throw Self.busy }
        defer { admission.leave() }
        return try await threads.runIfActive {
            Self.yieldToInteractiveWork()
            return try work()
        }
    }

    static var busy: Abort {
        Abort(.serviceUnavailable, headers: ["Retry-After": "5"], reason: "系统繁忙，请稍后再试")
    }

    /// Lowers the calling thread's priority, once (on Linux `setpriority` with who 0 is the
    /// calling thread, and an unprivileged thread can't raise it back, so it stays put).
    private static func yieldToInteractiveWork() {
        #if os(Linux)
        if getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) < backgroundNice {
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, backgroundNice)
        }
        #endif
    }

    static let backgroundNice: Int32 = 10
}

struct DocumentPoolKey: StorageKey { typealias Value = DocumentPool }

extension Application {
    /// Started by `configure`, shut down with the application.
    var documentPool: DocumentPool {
        // Only an application that `configure` didn't build has none; it shares the main pool.
        storage[DocumentPoolKey.self] ?? DocumentPool(threads: threadPool)
    }

    func startDocumentPool() async {
        let threads = NIOThreadPool(numberOfThreads: max(2, System.coreCount))
        threads.start()
        await storage.setWithAsyncShutdown(DocumentPoolKey.self, to: DocumentPool(threads: threads)) {
            try await $0.threads.shutdownGracefully()
        }
    }
}

/// A count of the jobs a pool holds (waiting or running), refusing past its limit.
final class PoolAdmission: Sendable {
    let limit: Int
    private let held = Atomic<Int>(0)

    init(limit: Int) { self.limit = max(1, limit) }

    /// Takes a place if one is free.
    func enter() -> Bool {
        if held.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue > limit {
            held.wrappingSubtract(1, ordering: .acquiringAndReleasing)
            return false
        }
        return true
    }

    func leave() { held.wrappingSubtract(1, ordering: .acquiringAndReleasing) }

    var count: Int { held.load(ordering: .acquiring) }
}
