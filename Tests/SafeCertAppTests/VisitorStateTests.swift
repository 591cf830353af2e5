import Fluent
import Foundation
import SafeCertCore
import Testing
import Vapor
import VaporTesting
@testable import SafeCertApp

/// The login page keeps its captcha and form token in a sealed cookie: anonymous visits write
/// nothing, and the cookie can be neither read, forged, replayed nor carried past its lifetime.
@Suite("the visitor cookie")
struct VisitorStateTests {
    @Test("anonymous GET /login and its captcha write no row: no session, no spent captcha")
    func loginPageWritesNothing() async throws {
        try await withSafeCert { t in
            let sessions = try await WebSession.query(on: t.db).count()
            for _ in 0..<5 {
                let web = t.client()
                #expect(try await web.get(SiteURL.login.link).status == .ok)
                #expect(try await web.get(SiteURL.captcha.link).status == .ok)
                #expect(web.cookie == nil)
            }
            #expect(try await WebSession.query(on: t.db).count() == sessions)
            #expect(try await UsedCaptcha.query(on: t.db).count() == 0)
        }
    }

    @Test("the cookie is sealed: it does not show the captcha answer, and an altered one opens nothing")
    func sealed() async throws {
        let keys = VisitorKeys(secret: Data(repeating: 7, count: 32))
        var state = VisitorState.new(now: Date(timeIntervalSince1970: 1_795_000_000))
        state.drawCaptcha(now: state.issuedAt)
        let text = try keys.sealed(state)
        let answer = try #require(state.captcha)
        #expect(!text.contains(answer))
        #expect(keys.opened(text, now: state.issuedAt.addingTimeInterval(60)) == state)
        var altered = Array(text)
        altered[altered.count / 2] = altered[altered.count / 2] == "A" ? "B" : "A"
        #expect(keys.opened(String(altered), now: state.issuedAt) == nil)
        #expect(VisitorKeys(secret: Data(repeating: 8, count: 32)).opened(text, now: state.issuedAt) == nil, "another server's key")
        #expect(keys.opened(text, now: state.issuedAt.addingTimeInterval(VisitorState.lifetime + 1)) == nil, "stale")
        #expect(keys.opened("not-a-cookie", now: state.issuedAt) == nil)
        #expect(keys.opened(String(repeating: "A", count: 5_000), now: state.issuedAt) == nil)
    }

    @Test("a captcha is single-use: replaying the cookie with its right answer is refused")
    func captchaReplay() async throws {
        try await withSafeCert { t in
            let web = t.client()
            try await web.get(SiteURL.login.link)
            let answer = try #require(WebClient.meta("test-captcha", in: web.lastBody))
            let copied = try #require(web.visitorCookie)
            // A first try with a wrong password spends the captcha.
            let first = try await web.post(SiteURL.login.link, ["username": "enterprise", "password": "wrong", "captcha": answer])
            #expect(first.status == .unauthorized)
            // The copied cookie still carries the answer; its captcha is spent all the same.
            web.visitorCookie = copied
            let replay = try await web.post(SiteURL.login.link, ["username": "enterprise", "password": DemoSeed.password, "captcha": answer])
            #expect(replay.status == .unprocessableEntity)
            #expect(replay.body.string.contains("验证码错误"))
            #expect(web.cookie == nil, "no session for a replayed captcha")
            #expect(try await UsedCaptcha.query(on: t.db).count() == 1)
        }
    }

    @Test("the form token belongs to its own visitor and expires with the cookie")
    func formToken() async throws {
        try await withSafeCert { t in
            let alice = t.client(), bob = t.client()
            try await alice.get(SiteURL.login.link)
            try await bob.get(SiteURL.login.link)
            let aliceToken = try #require(alice.csrf)
            #expect(aliceToken != bob.csrf)
            // Bob's cookie with Alice's token: refused.
            let crossed = try await bob.post(SiteURL.login.link, ["username": "enterprise", "password": "x", "captcha": "0000", "_csrf": aliceToken], csrf: false)
            #expect(crossed.status == .forbidden)
            // No cookie at all: refused.
            let bare = t.client()
            #expect(try await bare.post(SiteURL.login.link, ["username": "enterprise", "_csrf": aliceToken], csrf: false).status == .forbidden)
            // Past the cookie's lifetime the form is stale.
            t.clock.advance(by: VisitorState.lifetime + 1)
            let stale = try await alice.post(SiteURL.login.link, ["username": "enterprise", "password": DemoSeed.password, "captcha": "0000"])
            #expect(stale.status == .forbidden)
        }
    }

    @Test("spent captcha ids are purged once their cookies can no longer be opened")
    func purge() async throws {
        try await withSafeCert(seed: false) { t in
            let now = t.clock.now()
            let old = try await UsedCaptcha.spend("a", at: now.addingTimeInterval(-VisitorState.lifetime - 600), on: t.db)
            let fresh = try await UsedCaptcha.spend("b", at: now, on: t.db)
            let again = try await UsedCaptcha.spend("b", at: now, on: t.db)
            #expect(old && fresh)
            #expect(!again, "spent twice")
            let purged = try await UsedCaptcha.purge(on: t.db, now: now)
            #expect(purged == 1)
            let left = try await UsedCaptcha.query(on: t.db).count()
            #expect(left == 1)
        }
    }
}
