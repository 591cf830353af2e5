import Fluent
import Foundation
import SafeCertCore
import Testing
@testable import SafeCertApp

@Suite struct SessionPurgeTests {
    @Test func idleSessionsArePurgedOnTheSchedulesPassAndLiveOnesStay() async throws {
        try await withSafeCert { t in
            let now = t.clock.now()
            // Anonymous login-page visitors: one gone quiet past the idle timeout, one just now.
            _ = try await t.client().get(SiteURL.login.link)
            let before = try await WebSession.query(on: t.db).count()
            let stale = WebSession(id: "stale-" + UUID().uuidString, csrfToken: "x", now: now.addingTimeInterval(-LoginPolicy.standard.idleTimeout - 60))
            try await stale.create(on: t.db)
            let recent = WebSession(id: "recent-" + UUID().uuidString, csrfToken: "y", now: now.addingTimeInterval(-60))
            try await recent.create(on: t.db)
            #expect(try await SessionPurge.run(on: t.db, now: now) == 1)
            #expect(try await WebSession.find(stale.id, on: t.db) == nil)
            #expect(try await WebSession.find(recent.id, on: t.db) != nil)
            #expect(try await WebSession.query(on: t.db).count() == before + 1)
            // An hour on, every one of them has gone.
            #expect(try await SessionPurge.run(on: t.db, now: now.addingTimeInterval(3_600)) == before + 1)
            #expect(try await WebSession.query(on: t.db).count() == 0)
        }
    }
}
