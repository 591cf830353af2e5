import Foundation
import NIOPosix
import Testing
import Vapor
@testable import SafeCertApp

/// CPU-heavy work (bcrypt, PDF, XLSX, images) runs on pools whose queues are bounded: past the
/// limit a request is refused at once with 503 instead of waiting behind everything before it.
@Suite("bounded work pools")
struct PoolAdmissionTests {
    @Test("an admission takes up to its limit, refuses the next, and frees a place on leave")
    func admission() {
        let gate = PoolAdmission(limit: 2)
        #expect(gate.enter())
        #expect(gate.enter())
        #expect(!gate.enter(), "a third job past a limit of two")
        #expect(gate.count == 2, "a refused job holds no place")
        gate.leave()
        #expect(gate.enter())
        #expect(PoolAdmission(limit: 0).limit == 1, "a pool always takes one job")
    }

    @Test("a full pool answers 503 系统繁忙 at once; once work drains it takes jobs again")
    func fullPoolRefuses() async throws {
        let threads = NIOThreadPool(numberOfThreads: 1)
        threads.start()
        let pool = DocumentPool(threads: threads, queueLimit: 2)
        let release = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        // given: one job running (blocked) and one waiting behind it
        let running = Task { try await pool.run { started.signal(); release.wait(); return 1 } }
        started.wait()
        let waiting = Task { try await pool.run { 2 } }
        while pool.admission.count < 2 { try await Task.sleep(for: .milliseconds(5)) }
        // when: a third arrives
        do {
            _ = try await pool.run { 3 }
            Issue.record("a third job was taken past the limit")
        } catch let abort as Abort {
            // then: refused, with the reason and a Retry-After
            #expect(abort.status == .serviceUnavailable)
            #expect(abort.reason == "系统繁忙，请稍后再试")
            #expect(abort.headers.first(name: "Retry-After") == "5")
        }
        release.signal()
        #expect(try await running.value == 1)
        #expect(try await waiting.value == 2)
        #expect(try await pool.run { 4 } == 4)
        #expect(pool.admission.count == 0)
        try await threads.shutdownGracefully()
    }

    @Test("the password and document pools of a configured app are bounded")
    func configuredPoolsAreBounded() async throws {
        try await withSafeCert(seed: false) { t in
            #expect(t.app.documentPool.admission.limit == DocumentPool.defaultQueueLimit)
            #expect(t.app.hashing.pool.admission.limit == DocumentPool.defaultQueueLimit)
            #expect(t.app.hashing.pool.threads !== t.app.documentPool.threads)
        }
    }
}
