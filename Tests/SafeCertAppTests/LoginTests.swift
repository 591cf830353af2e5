import Fluent
import Foundation
import SafeCertCore
import Testing
import Vapor
import VaporTesting
@testable import SafeCertApp

@Suite("登录") struct LoginTests {
    @Test("the login page carries a captcha image drawn on the server")
    func loginPageAndCaptcha() async throws {
        try await withSafeCert { t in
            let web = t.client()
            let page = try await web.get("/login")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("用户登录"))
            let image = try await web.get("/login/captcha.png")
            #expect(image.headers.contentType == .png)
            #expect(Array(image.body.readableBytesView.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        }
    }

    @Test("a wrong captcha is refused before the password is looked at")
    func wrongCaptcha() async throws {
        try await withSafeCert { t in
            let web = t.client()
            try await web.get("/login")
            let answer = try #require(WebClient.meta("test-captcha", in: web.lastBody))
            let wrong = answer == "0000" ? "1111" : "0000"
            let response = try await web.post("/login", ["username": "enterprise", "password": DemoSeed.password, "captcha": wrong])
            #expect(response.status == .unprocessableEntity)
            #expect(response.body.string.contains("验证码错误"))
            // Not logged in, and the password step did not count as a failure.
            #expect(try await web.get("/").headers.first(name: .location) == "/login")
            #expect(try await ThrottleEvent.query(on: t.db).filter(\.$kind == .login).count() == 0)
        }
    }

    @Test("the captcha answer can't be reused for a second attempt")
    func captchaSingleUse() async throws {
        try await withSafeCert { t in
            let web = t.client()
            try await web.get("/login")
            let answer = try #require(WebClient.meta("test-captcha", in: web.lastBody))
            _ = try await web.post("/login", ["username": "enterprise", "password": "wrong-Pass1", "captcha": answer])
            let second = try await web.post("/login", ["username": "enterprise", "password": DemoSeed.password, "captcha": answer])
            // The failed attempt's page drew a new captcha; the old answer only works if they happen to match.
            if WebClient.meta("test-captcha", in: web.lastBody) != answer {
                #expect(second.status == .unprocessableEntity)
            }
        }
    }

    @Test("an unknown user and a wrong password get the same generic message")
    func genericMessage() async throws {
        try await withSafeCert { t in
            let web = t.client()
            let unknown = try await web.submitPassword("nobody-here", password: "Whatever#2026")
            let wrong = try await web.submitPassword("enterprise", password: "Whatever#2026")
            #expect(unknown.status == .unauthorized)
            #expect(wrong.status == .unauthorized)
            #expect(unknown.body.string.contains(LoginPolicy.genericFailureMessage))
            #expect(wrong.body.string.contains(LoginPolicy.genericFailureMessage))
        }
    }

    @Test("five failures bar the account at that address for 15 minutes, answered like a wrong password")
    func lockout() async throws {
        try await withSafeCert { t in
            let web = t.client()
            for attempt in 1...5 {
                let r = try await web.submitPassword("enterprise", password: "Wrong#pass\(attempt)")
                #expect(r.status == .unauthorized)
            }
            // Even the right password is refused at this address while barred, with the same answer.
            let other = t.client()
            let right = try await other.submitPassword("enterprise", password: DemoSeed.password)
            #expect(right.status == .unauthorized)
            #expect(right.body.string.contains(LoginPolicy.genericFailureMessage))
            // Another account at the same address is unaffected.
            let neighbour = try await t.client().submitPassword("group", password: DemoSeed.password)
            #expect(neighbour.status == .seeOther)
            #expect(try await t.auditCount("login.locked") == 1)
            #expect(try await t.account("enterprise").lockedUntil != nil)
            t.clock.advance(by: 15 * 60 + 1)
            let later = try await other.submitPassword("enterprise", password: DemoSeed.password)
            #expect(later.status == .seeOther)
            #expect(later.headers.first(name: .location) == "/")
        }
    }

    @Test("the login page writes no session; login issues one, and logout destroys it on the server")
    func sessionRotationAndLogout() async throws {
        try await withSafeCert { t in
            let web = t.client()
            let sessionsBefore = try await WebSession.query(on: t.db).count()
            try await web.get("/login")
            // The login page keeps its captcha and form token in the sealed visitor cookie, not a session.
            #expect(web.cookie == nil)
            #expect(web.visitorCookie != nil)
            #expect(try await WebSession.query(on: t.db).count() == sessionsBefore)
            try await web.login("enterprise", password: DemoSeed.password)
            let loggedIn = try #require(web.cookie)
            #expect(try await WebSession.find(Tokens.sha256(loggedIn), on: t.db)?.stage == .authenticated)
            #expect(try await web.get("/").status == .ok)
            let cookie = try await web.get("/")
            #expect(cookie.status == .ok)
            try await web.post("/logout")
            #expect(try await WebSession.find(Tokens.sha256(loggedIn), on: t.db) == nil)
            // Replaying the old cookie opens nothing.
            let replay = t.client()
            var headers = HTTPHeaders()
            headers.add(name: .cookie, value: "sc_session=\(loggedIn)")
            #expect(try await replay.get("/", headers: headers).headers.first(name: .location) == "/login")
        }
    }

    @Test("the session cookie is HttpOnly and SameSite, and Secure when configured for TLS")
    func cookieFlags() async throws {
        try await withSafeCert(settings: { $0.secureCookies = true }) { t in
            let response = try await t.client().get("/login")
            let cookie = try #require(response.headers[.setCookie].first)
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Lax"))
            #expect(cookie.contains("Secure"))
        }
    }

    @Test("a session idle for 30 minutes ends")
    func idleTimeout() async throws {
        try await withSafeCert { t in
            let web = try await t.loggedIn("enterprise")
            t.clock.advance(by: 29 * 60)
            #expect(try await web.get("/").status == .ok)
            t.clock.advance(by: 31 * 60)
            #expect(try await web.get("/").headers.first(name: .location) == "/login")
        }
    }

    @Test("authorities need a dynamic code and an SMS code; a dynamic code can't be used twice")
    func secondFactorAndReplay() async throws {
        try await withSafeCert { t in
            let web = t.client()
            let password = try await web.submitPassword("province", password: DemoSeed.password)
            #expect(password.headers.first(name: .location) == "/login/verify")
            // Not logged in yet.
            #expect(try await web.get("/").headers.first(name: .location) == "/login")
            let code = TOTP(base32: DemoSeed.totpSecret)!.code(at: t.clock.now())
            let ok = try await web.submitSecondFactor(totp: code)
            #expect(ok.status == .seeOther)
            #expect(ok.headers.first(name: .location) == "/")
            #expect(try await web.get("/").status == .ok)
            #expect(t.sms.messages.last?.phone == "13800000005")

            // The same code again, within its 30 seconds: refused.
            let again = t.client()
            _ = try await again.submitPassword("province", password: DemoSeed.password)
            t.clock.advance(by: 61) // past the SMS resend interval, still inside the code's window
            let replay = try await again.submitSecondFactor(totp: code)
            #expect(replay.status == .unauthorized)
            #expect(replay.body.string.contains("动态码"))
            // A fresh code is accepted.
            t.clock.advance(by: 30)
            let fresh = try await again.submitSecondFactor()
            #expect(fresh.status == .seeOther)
        }
    }

    @Test("SMS codes to one phone are limited, whichever session asks")
    func smsThrottle() async throws {
        try await withSafeCert { t in
            let first = t.client()
            _ = try await first.submitPassword("changchun", password: DemoSeed.password)
            try await first.post("/login/sms")
            #expect(t.sms.messages.count == 1)
            // A fresh session asking at once gets no second message.
            let second = t.client()
            _ = try await second.submitPassword("changchun", password: DemoSeed.password)
            try await second.post("/login/sms")
            #expect(t.sms.messages.count == 1)
            #expect(try await second.get("/login/verify").body.string.contains("秒后再重新获取"))
            // At most ten a day.
            for _ in 0..<12 {
                t.clock.advance(by: 61)
                let client = t.client()
                _ = try await client.submitPassword("changchun", password: DemoSeed.password)
                try await client.post("/login/sms")
            }
            #expect(t.sms.messages.count == LoginPolicy.standard.smsDailyLimitPerPhone)
        }
    }

    @Test("a wrong SMS code is refused and counts toward the lockout")
    func wrongSMSCode() async throws {
        try await withSafeCert { t in
            let web = t.client()
            _ = try await web.submitPassword("changchun", password: DemoSeed.password)
            try await web.post("/login/sms")
            let code = TOTP(base32: DemoSeed.totpSecret)!.code(at: t.clock.now())
            let sms = try #require(t.sms.lastCode())
            let wrong = sms == "000000" ? "111111" : "000000"
            let response = try await web.post("/login/verify", ["totp": code, "sms": wrong])
            #expect(response.status == .unauthorized)
            let subject = try await t.account("changchun").requireID().uuidString
            #expect(try await ThrottleEvent.query(on: t.db).filter(\.$kind == .login).filter(\.$subject == subject).count() == 1)
        }
    }

    @Test("a disabled account can't log in, and loses the session it had")
    func disabledAccount() async throws {
        try await withSafeCert { t in
            let enterprise = try await t.loggedIn("enterprise")
            #expect(try await enterprise.get("/").status == .ok)
            let province = try await t.loggedIn("province")
            let id = try await t.account("enterprise").requireID()
            let disabled = try await province.post("/accounts/\(id)/disable")
            #expect(disabled.status == .seeOther)
            #expect(try await t.account("enterprise").status == .disabled)
            #expect(try await enterprise.get("/").headers.first(name: .location) == "/login")
            let again = try await t.client().submitPassword("enterprise", password: DemoSeed.password)
            #expect(again.status == .unauthorized)
            #expect(again.body.string.contains(LoginPolicy.genericFailureMessage))
        }
    }

    @Test("an issued account must change its password at first login; the policy is enforced")
    func firstLoginPasswordChange() async throws {
        try await withSafeCert { t in
            let province = try await t.loggedIn("province")
            let org = try await t.organization(named: "长春安达建筑工程有限公司")
            let created = try await province.post("/accounts", [
                "organization_id": org.id!.uuidString, "username": "anda2", "display_name": "赵六",
                "phone": "13912345678", "role": "enterprise",
            ])
            #expect(created.status == .ok)
            let temporary = try #require(Self.issuedPassword(in: province.lastBody))
            let user = t.client()
            let first = try await user.submitPassword("anda2", password: temporary)
            #expect(first.headers.first(name: .location) == "/account/password")
            #expect(try await user.get("/").headers.first(name: .location) == "/account/password")
            let weak = try await user.post("/account/password", ["current": temporary, "new": "abcdefgh", "confirm": "abcdefgh"])
            #expect(weak.status == .unprocessableEntity)
            #expect(weak.body.string.contains("三类"))
            let tooLong = String(repeating: "密", count: 25) + "Aa1"
            let long = try await user.post("/account/password", ["current": temporary, "new": tooLong, "confirm": tooLong])
            #expect(long.status == .unprocessableEntity)
            #expect(long.body.string.contains("72"))
            let good = try await user.post("/account/password", ["current": temporary, "new": "Safe#Cert2026", "confirm": "Safe#Cert2026"])
            #expect(good.status == .seeOther)
            #expect(try await user.get("/").status == .ok)
            #expect(try await t.auditCount("password.change") == 1)
        }
    }

    static func issuedPassword(in html: String) -> String? {
        guard let range = html.range(of: #"data-testid="issued-password">[^<]+<"#, options: .regularExpression) else { return nil }
        return String(html[range].dropFirst(#"data-testid="issued-password">"#.count).dropLast())
            .replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&#39;", with: "'")
    }
}
