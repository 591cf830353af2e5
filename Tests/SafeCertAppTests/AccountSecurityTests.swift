import ConsoleKit
import Fluent
import Foundation
import SafeCertCore
import SafeCertDocuments
import Synchronization
import Testing
import Vapor
import VaporTesting
@testable import SafeCertApp

/// A console that keeps what a command prints.
final class RecordingConsole: Console {
    private let state = Mutex<(text: String, userInfo: [AnySendableHashable: any Sendable])>(("", [:]))
    var size: (width: Int, height: Int) { (120, 40) }
    var supportsANSICommands: Bool { false }
    var userInfo: [AnySendableHashable: any Sendable] {
        get { state.withLock { $0.userInfo } }
        set { state.withLock { $0.userInfo = newValue } }
    }
    var text: String { state.withLock { $0.text } }
    func input(isSecure: Bool) -> String { "" }
    func output(_ text: ConsoleText, newLine: Bool) {
        state.withLock { $0.text += text.description + (newLine ? "\n" : "") }
    }
    func report(error: String, newLine: Bool) {
        state.withLock { $0.text += error + (newLine ? "\n" : "") }
    }
    func clear(_ type: ConsoleClear) {}
}

extension TestApp {
    /// Runs `safecert admin …` and returns what it printed.
    func runAdmin(_ arguments: [String]) async throws -> String {
        let console = RecordingConsole()
        var context = CommandContext(console: console, input: CommandInput(arguments: ["safecert admin"] + arguments))
        context.application = app
        try await AdminCommand().run(using: &context)
        return console.text
    }
}

/// The text after a label on the admin command's output ("一次性密码：…").
func printed(_ label: String, in output: String) -> String? {
    guard let line = output.split(separator: "\n").first(where: { $0.contains(label + "：") }) else { return nil }
    let value = line.components(separatedBy: label + "：").last ?? ""
    return String(value.split(separator: "（").first ?? "").trimmingCharacters(in: .whitespaces)
}

func loginError(_ html: String) -> String? {
    guard let range = html.range(of: #"data-testid="login-error">[^<]*<"#, options: .regularExpression) else { return nil }
    return String(html[range].dropFirst(#"data-testid="login-error">"#.count).dropLast())
}

@Suite("三员分立") struct SeparationOfDutiesTests {
    @Test("the system admin can't issue, reset or disable an admin account through the web")
    func systemAdminCannotTouchAdmins() async throws {
        try await withSafeCert { t in
            let sysadmin = try await t.loggedIn("sysadmin")
            let platform = try await t.organization(named: "SafeCert 平台运营中心")
            let issued = try await sysadmin.post("/accounts", ["organization_id": platform.id!.uuidString, "username": "secadmin2",
                                                               "display_name": "冒名安全员", "phone": "13900009999", "role": "security_admin"])
            #expect(issued.status == .notFound)
            #expect(try await Account.query(on: t.db).filter(\.$username == "secadmin2").first() == nil)
            #expect(!(try await sysadmin.get("/accounts/new").body.string.contains(platform.id!.uuidString)))
            let secadmin = try await t.account("secadmin")
            let auditor = try await t.account("auditor")
            for target in [secadmin, auditor] {
                #expect(try await sysadmin.post("/accounts/\(target.id!)/reset-password").status == .forbidden)
                #expect(try await sysadmin.post("/accounts/\(target.id!)/disable").status == .forbidden)
            }
            #expect(try await t.account("secadmin").status == .active)
            #expect(try await t.account("secadmin").passwordHash == secadmin.passwordHash)
            let list = try await sysadmin.get("/accounts?role=security_admin").body.string
            #expect(list.contains("secadmin"))
            #expect(!list.contains("/accounts/\(secadmin.id!)/"))
            // Ordinary accounts are still the system admin's to manage.
            let enterprise = try await t.account("enterprise")
            #expect(try await sysadmin.post("/accounts/\(enterprise.id!)/reset-password").status == .ok)
        }
    }

    @Test("the security admin unlocks ordinary accounts, never an admin's")
    func securityAdminUnlocksOrdinaryOnly() async throws {
        try await withSafeCert { t in
            let until = t.clock.now().addingTimeInterval(600)
            for name in ["sysadmin", "group"] {
                let account = try await t.account(name)
                account.lockedUntil = until
                try await account.save(on: t.db)
            }
            let secadmin = try await t.loggedIn("secadmin")
            let sysadmin = try await t.account("sysadmin")
            #expect(try await secadmin.post("/accounts/\(sysadmin.id!)/unlock").status == .forbidden)
            #expect(try await t.account("sysadmin").lockedUntil == until)
            let policy = try await secadmin.get("/security/policy").body.string
            #expect(!policy.contains("/accounts/\(sysadmin.id!)/unlock"))
            #expect(policy.contains("safecert admin"))
            let group = try await t.account("group")
            #expect(policy.contains("/accounts/\(group.id!)/unlock"))
            #expect(try await secadmin.post("/accounts/\(group.id!)/unlock").status == .seeOther)
        }
    }

    @Test("safecert admin create prints the one-time password and TOTP secret once and is audited as the installation")
    func adminCommandCreates() async throws {
        try await withSafeCert { t in
            let output = try await t.runAdmin(["create", "--role", "audit", "--username", "auditor2", "--phone", "13800000031", "--name", "第二审计员"])
            let password = try #require(printed("一次性密码", in: output))
            let secret = try #require(printed("动态口令密钥", in: output))
            let account = try await t.account("auditor2")
            #expect(account.role == .auditAdmin)
            #expect(account.mustChangePassword)
            #expect(account.phone == "13800000031")
            #expect(account.totpSecret == secret)
            #expect(!account.passwordHash.contains(password))
            let entry = try #require(try await AuditEntry.query(on: t.db).filter(\.$action == "admin.create").first())
            #expect(entry.actor.contains("safecert admin"))
            #expect(entry.accountID == nil)
            // The new admin logs in with what was printed, and must change the password first.
            let web = t.client()
            #expect(try await web.submitPassword("auditor2", password: password).headers.first(name: .location) == "/login/verify")
            let verified = try await web.submitSecondFactor(secret: secret)
            #expect(verified.headers.first(name: .location) == "/account/password")

            // Recovery: a new password and secret; the old session ends.
            let reset = try await t.runAdmin(["reset-password", "--username", "auditor2"])
            #expect(printed("一次性密码", in: reset) != password)
            #expect(try await t.account("auditor2").totpSecret != secret)
            #expect(try await web.get("/account/password").headers.first(name: .location) == "/login")
            #expect(try await t.auditCount("admin.reset-password") == 1)
        }
    }

    @Test("safecert admin refuses other roles, taken names and bad phones, and keeps to admin accounts")
    func adminCommandRefusals() async throws {
        try await withSafeCert { t in
            let out1 = try await t.runAdmin(["create", "--role", "enterprise", "--username", "x-admin", "--phone", "13800000032"])
            #expect(out1.contains("--role"))
            let out2 = try await t.runAdmin(["create", "--role", "system", "--username", "sysadmin", "--phone", "13800000032"])
            #expect(out2.contains("已被使用"))
            let out3 = try await t.runAdmin(["create", "--role", "system", "--username", "sys2", "--phone", "123"])
            #expect(out3.contains("手机号码"))
            let out4 = try await t.runAdmin(["reset-password", "--username", "enterprise"])
            #expect(out4.contains("不是管理员账号"))
            #expect(try await Account.query(on: t.db).filter(\.$username ~~ ["x-admin", "sys2"]).count() == 0)
            let out5 = try await t.runAdmin(["disable", "--username", "secadmin"])
            #expect(out5.contains("已停用"))
            #expect(try await t.account("secadmin").status == .disabled)
            #expect(try await t.auditCount("admin.disable") == 1)
        }
    }

    @Test("the audit admin's reading of the log is audited with its filters")
    func auditViewIsAudited() async throws {
        try await withSafeCert { t in
            let auditor = try await t.loggedIn("auditor")
            #expect(try await t.auditCount("audit.view") == 0)
            #expect(try await auditor.get("/audit?action=login.failure&actor=%E5%BC%A0").status == .ok)
            let entry = try #require(try await AuditEntry.query(on: t.db).filter(\.$action == "audit.view").first())
            #expect(entry.summary.contains("login.failure"))
            #expect(entry.summary.contains("操作人=张"))
            #expect(entry.accountID == (try await t.account("auditor")).id)
            _ = try await auditor.get("/audit")
            #expect(try await t.auditCount("audit.view") == 2)
        }
    }
}

@Suite("登录限制") struct LoginThrottleTests {
    static func proxied(_ settings: inout Settings) { settings.trustedProxies = ["-"] }

    @Test("an attacker at one address doesn't lock the owner out at another")
    func ownerElsewhereStillLogsIn() async throws {
        try await withSafeCert(settings: Self.proxied) { t in
            let attacker = t.client(at: "198.51.100.7")
            for attempt in 1...5 {
                let r = try await attacker.submitPassword("enterprise", password: "Wrong#pass\(attempt)")
                #expect(r.status == .unauthorized)
            }
            // At the attacker's address even the right password is refused, with the same answer.
            let barred = try await attacker.submitPassword("enterprise", password: DemoSeed.password)
            #expect(barred.status == .unauthorized)
            #expect(loginError(barred.body.string) == LoginPolicy.genericFailureMessage)
            #expect(try await t.auditCount("login.locked") == 1)
            // The owner at the office logs in.
            let owner = t.client(at: "203.0.113.20")
            let ok = try await owner.submitPassword("enterprise", password: DemoSeed.password)
            #expect(ok.status == .seeOther)
            #expect(ok.headers.first(name: .location) == "/")
            // The bar at the attacker's address lifts after 15 minutes.
            t.clock.advance(by: 15 * 60 + 1)
            #expect(try await attacker.submitPassword("enterprise", password: DemoSeed.password).status == .seeOther)
        }
    }

    @Test("unknown, barred and wrong-password answers are the same page and status")
    func answersAlike() async throws {
        try await withSafeCert(settings: Self.proxied) { t in
            let web = t.client(at: "198.51.100.8")
            for attempt in 1...5 { _ = try await web.submitPassword("group", password: "Wrong#pass\(attempt)") }
            let barred = try await web.submitPassword("group", password: DemoSeed.password)
            let unknown = try await web.submitPassword("nobody-at-all", password: DemoSeed.password)
            let wrong = try await web.submitPassword("branch", password: "Wrong#pass9")
            let disabled = try await t.account("centre2")
            disabled.status = .disabled
            try await disabled.save(on: t.db)
            let off = try await web.submitPassword("centre2", password: DemoSeed.password)
            for response in [barred, unknown, wrong, off] {
                #expect(response.status == .unauthorized)
                #expect(loginError(response.body.string) == LoginPolicy.genericFailureMessage)
            }
            // An unknown name tried five times is barred exactly like an account.
            for attempt in 1...5 { _ = try await web.submitPassword("ghost", password: "Wrong#pass\(attempt)") }
            let ghost = try await web.submitPassword("ghost", password: DemoSeed.password)
            #expect(ghost.status == barred.status)
            #expect(loginError(ghost.body.string) == loginError(barred.body.string))
        }
    }

    @Test("twenty failures from one address bar it with 429 and a Chinese message; other addresses go on")
    func addressThrottled() async throws {
        try await withSafeCert(settings: Self.proxied) { t in
            let noisy = t.client(at: "192.0.2.50")
            for n in 1...LoginPolicy.standard.maxFailuresPerAddress {
                let r = try await noisy.submitPassword("guess\(n)", password: "Wrong#pass1")
                #expect(r.status == .unauthorized)
            }
            let next = try await noisy.submitPassword("association", password: DemoSeed.password)
            #expect(next.status == .tooManyRequests)
            #expect(loginError(next.body.string) == LoginPolicy.addressThrottledMessage)
            #expect(try await t.auditCount("login.address-throttled") == 1)
            #expect(try await t.client(at: "192.0.2.51").submitPassword("association", password: DemoSeed.password).status == .seeOther)
        }
    }

    @Test("a burst of parallel guesses from one address checks no more passwords than the limit")
    func parallelBurst() async throws {
        try await withSafeCert(settings: Self.proxied) { t in
            // Each guess needs its own visitor cookie and captcha, as a script would make them.
            var clients: [WebClient] = []
            var forms: [[String: String]] = []
            for n in 0..<30 {
                let web = t.client(at: "198.51.100.77")
                try await web.get("/login")
                let answer = try #require(WebClient.meta("test-captcha", in: web.lastBody))
                forms.append(["username": "institution", "password": "Wrong#pass\(n)", "captcha": answer, "_csrf": try #require(web.csrf)])
                clients.append(web)
            }
            let requests = zip(clients, forms).map { web, form in
                let body = form.map { "\(WebClient.encode($0.key))=\(WebClient.encode($0.value))" }.joined(separator: "&")
                var headers = HTTPHeaders()
                headers.contentType = .urlEncodedForm
                // The login page keeps its captcha and form token in the visitor cookie (no session yet).
                headers.add(name: .cookie, value: "\(VisitorState.cookieName)=\(web.visitorCookie ?? "")")
                headers.add(name: .xForwardedFor, value: "198.51.100.77")
                return TestingHTTPRequest(method: .POST, url: URI(path: "/login"), headers: headers, body: ByteBuffer(string: body))
            }
            let app = t.app
            try await withThrowingTaskGroup(of: Void.self) { group in
                for request in requests {
                    group.addTask { _ = try await app.testing().performTest(request: request) }
                }
                try await group.waitForAll()
            }
            let judged = try await AuditEntry.query(on: t.db).filter(\.$action == "login.failure").filter(\.$summary == "密码错误").count()
            #expect(judged <= LoginPolicy.standard.maxFailures)
            // Thirty failures from the address: it is barred, even with the right password.
            #expect(try await t.client(at: "198.51.100.77").submitPassword("institution", password: DemoSeed.password).status == .tooManyRequests)
        }
    }

    @Test("an enterprise logs in with its unified social credit code, and a wrong one answers like an unknown name")
    func creditCodeLogin() async throws {
        try await withSafeCert { t in
            let code = try #require(try await t.organization(named: "长春安达建筑工程有限公司").creditCode)
            let web = t.client()
            let ok = try await web.submitPassword(code.lowercased(), password: DemoSeed.password)
            #expect(ok.status == .seeOther)
            #expect(ok.headers.first(name: .location) == "/")
            #expect(try await web.get("/").body.string.contains("长春安达建筑工程有限公司"))
            let wrong = try await t.client().submitPassword(code, password: "Wrong#pass1")
            let unknown = try await t.client().submitPassword(CreditCode.generate(region: "220100", serial: 9999).value, password: DemoSeed.password)
            for response in [wrong, unknown] {
                #expect(response.status == .unauthorized)
                #expect(loginError(response.body.string) == LoginPolicy.genericFailureMessage)
            }
            // The credit code and the username count as one account.
            let subject = try await t.account("enterprise").requireID().uuidString
            #expect(try await ThrottleEvent.query(on: t.db).filter(\.$subject == subject).count() == 1)
        }
    }
}

@Suite("会话与密码") struct SessionSecurityTests {
    @Test("changing one's password ends the account's other sessions and keeps this one")
    func passwordChangeEndsOtherSessions() async throws {
        try await withSafeCert { t in
            let here = try await t.loggedIn("enterprise")
            let elsewhere = try await t.loggedIn("enterprise")
            let oldCookie = try #require(here.cookie)
            #expect(try await elsewhere.get("/").status == .ok)
            let changed = try await here.post("/account/password", ["current": DemoSeed.password, "new": "Safe#Cert2027", "confirm": "Safe#Cert2027"])
            #expect(changed.status == .seeOther)
            #expect(try await here.get("/").status == .ok)
            #expect(here.cookie != oldCookie)
            #expect(try await elsewhere.get("/").headers.first(name: .location) == "/login")
            let entry = try #require(try await AuditEntry.query(on: t.db).filter(\.$action == "password.change").first())
            #expect(entry.summary.contains("其他 1 个会话"))
        }
    }

    @Test("an admin's password reset ends every session of the account")
    func resetEndsSessions() async throws {
        try await withSafeCert { t in
            let enterprise = try await t.loggedIn("enterprise")
            let province = try await t.loggedIn("province")
            let id = try await t.account("enterprise").requireID()
            #expect(try await province.post("/accounts/\(id)/reset-password").status == .ok)
            #expect(try await enterprise.get("/").headers.first(name: .location) == "/login")
        }
    }
}

@Suite("短信验证码与个人注册") struct RegistrationSecurityTests {
    static let phone = "13611112222"

    static func form(_ id: String, phone: String = phone) -> [String: String] {
        ["id_number": id, "name": "注册人", "phone": phone, "region_code": "220100", "password": "Safe#Cert2026", "confirm": "Safe#Cert2026"]
    }

    /// A fresh session that asked for a code; returns the client and the code.
    static func codeSent(_ t: TestApp, _ form: [String: String], at address: String? = nil) async throws -> (WebClient, String) {
        let web = t.client(at: address)
        try await web.get("/register")
        let sent = try await web.post("/register/sms", form)
        #expect(sent.status == .ok, "send: \(sent.status)")
        return (web, try #require(t.sms.lastCode()))
    }

    static func wrong(_ code: String, _ n: Int) -> String {
        let candidate = String(format: "%06d", (Int(code) ?? 0) + 1 + n)
        return String(candidate.suffix(6))
    }

    @Test("a wrong code doesn't tell whether the ID number is registered")
    func wrongCodeRevealsNothing() async throws {
        try await withSafeCert { t in
            let taken = DemoSeed.people[0].idNumber.value
            let (web, code) = try await Self.codeSent(t, Self.form(taken))
            var bad = Self.form(taken)
            bad["sms"] = Self.wrong(code, 0)
            let refused = try await web.post("/register", bad)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("短信验证码错误"))
            #expect(!refused.body.string.contains("已登记"))
            // With the right code the number is said to be registered — and nothing about whom.
            var good = bad
            good["sms"] = code
            let told = try await web.post("/register", good)
            #expect(told.body.string.contains("已登记"))
            #expect(!told.body.string.contains(DemoSeed.people[0].name))
        }
    }

    @Test("a right code is never blamed for another field, and still works for the corrected form")
    func rightCodeNotBlamed() async throws {
        try await withSafeCert { t in
            let id = TestIDs.make(61)
            let (web, code) = try await Self.codeSent(t, Self.form(id))
            var typo = Self.form(String(id.dropLast()) + (id.hasSuffix("1") ? "2" : "1"))
            typo["sms"] = code
            typo["confirm"] = "Different#2026"
            let refused = try await web.post("/register", typo)
            #expect(refused.status == .unprocessableEntity)
            let html = refused.body.string
            #expect(html.contains("校验位"))
            #expect(html.contains("两次输入的密码不一致"))
            #expect(!html.contains("短信验证码错误"))
            var fixed = Self.form(id)
            fixed["sms"] = code
            #expect(try await web.post("/register", fixed).status == .seeOther)
            #expect(try await Person.query(on: t.db).filter(\.$idNumber == id).count() == 1)
        }
    }

    @Test("a code dies after five wrong tries, even if the sixth is right")
    func codeDiesAfterFiveWrong() async throws {
        try await withSafeCert { t in
            let id = TestIDs.make(62)
            let (web, code) = try await Self.codeSent(t, Self.form(id))
            for n in 0..<5 {
                var f = Self.form(id)
                f["sms"] = Self.wrong(code, n)
                #expect(try await web.post("/register", f).status == .unprocessableEntity)
            }
            var right = Self.form(id)
            right["sms"] = code
            let late = try await web.post("/register", right)
            #expect(late.status == .tooManyRequests)
            #expect(late.body.string.contains("已失效"))
            #expect(try await Person.query(on: t.db).filter(\.$idNumber == id).count() == 0)
        }
    }

    @Test("a burst of parallel guesses gets no more than five tries at one code")
    func parallelGuesses() async throws {
        try await withSafeCert { t in
            let id = TestIDs.make(63)
            let (web, code) = try await Self.codeSent(t, Self.form(id))
            try await web.refreshCSRF()
            let cookie = try #require(web.cookie)
            let csrf = try #require(web.csrf)
            let requests = (0..<60).map { n in
                var f = Self.form(id)
                f["sms"] = Self.wrong(code, n)
                f["_csrf"] = csrf
                let body = f.map { "\(WebClient.encode($0.key))=\(WebClient.encode($0.value))" }.joined(separator: "&")
                var headers = HTTPHeaders()
                headers.contentType = .urlEncodedForm
                headers.add(name: .cookie, value: "\(WebSessionMiddleware.cookieName)=\(cookie)")
                return TestingHTTPRequest(method: .POST, url: URI(path: "/register"), headers: headers, body: ByteBuffer(string: body))
            }
            let app = t.app
            try await withThrowingTaskGroup(of: Void.self) { group in
                for request in requests { group.addTask { _ = try await app.testing().performTest(request: request) } }
                try await group.waitForAll()
            }
            var right = Self.form(id)
            right["sms"] = code
            #expect(try await web.post("/register", right).status == .tooManyRequests)
            #expect(try await ThrottleEvent.query(on: t.db).filter(\.$kind == .smsCode).count() <= LoginPolicy.standard.smsMaxWrongTriesPerCode)
        }
    }

    @Test("wrong codes are limited per phone across sessions, and per address across phones")
    func limitsPerPhoneAndAddress() async throws {
        try await withSafeCert(settings: LoginThrottleTests.proxied) { t in
            let policy = LoginPolicy.standard
            // Per phone: new sessions (and new addresses) buy no more tries.
            let id = TestIDs.make(64)
            for round in 0..<(policy.smsWrongTriesPerPhone / policy.smsMaxWrongTriesPerCode) {
                let (web, code) = try await Self.codeSent(t, Self.form(id), at: "198.51.100.\(round + 1)")
                for n in 0..<policy.smsMaxWrongTriesPerCode {
                    var f = Self.form(id)
                    f["sms"] = Self.wrong(code, n)
                    _ = try await web.post("/register", f)
                }
                t.clock.advance(by: 61)
            }
            let (fresh, code) = try await Self.codeSent(t, Self.form(id), at: "198.51.100.99")
            var right = Self.form(id)
            right["sms"] = code
            let refused = try await fresh.post("/register", right)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.body.string.contains("该手机号"))

            // Per address: thirty wrong tries over six phones, then even a right code waits.
            for p in 0..<(policy.smsWrongTriesPerAddress / policy.smsMaxWrongTriesPerCode) {
                let phone = "1371111000\(p)"
                let (web, code) = try await Self.codeSent(t, Self.form(TestIDs.make(70 + p), phone: phone), at: "192.0.2.9")
                for n in 0..<policy.smsMaxWrongTriesPerCode {
                    var f = Self.form(TestIDs.make(70 + p), phone: phone)
                    f["sms"] = Self.wrong(code, n)
                    _ = try await web.post("/register", f)
                }
            }
            let other = Self.form(TestIDs.make(80), phone: "13722220000")
            let (here, hereCode) = try await Self.codeSent(t, other, at: "192.0.2.9")
            var attempt = other
            attempt["sms"] = hereCode
            let barred = try await here.post("/register", attempt)
            #expect(barred.status == .tooManyRequests)
            #expect(barred.body.string.contains("本地址"))
        }
    }

    @Test("the login's SMS code dies after five wrong tries too")
    func loginCodeDies() async throws {
        try await withSafeCert(settings: LoginThrottleTests.proxied) { t in
            let web = t.client(at: "203.0.113.5")
            _ = try await web.submitPassword("jilincity", password: DemoSeed.password)
            try await web.post("/login/sms")
            let sms = try #require(t.sms.lastCode())
            // Wrong codes from the session copied to other addresses count against the same code.
            for n in 0..<5 {
                web.address = "203.0.113.\(10 + n)"
                let totp = try #require(TOTP(base32: DemoSeed.totpSecret)).code(at: t.clock.now())
                #expect(try await web.post("/login/verify", ["totp": totp, "sms": Self.wrong(sms, n)]).status == .unauthorized)
            }
            web.address = "203.0.113.30"
            let totp = try #require(TOTP(base32: DemoSeed.totpSecret)).code(at: t.clock.now())
            let late = try await web.post("/login/verify", ["totp": totp, "sms": sms])
            #expect(late.status == .unauthorized)
            #expect(late.body.string.contains("已失效"))
        }
    }
}

@Suite("证件号码不外泄") struct DisclosureTests {
    @Test("another unit's employee's ID number is only said to be registered elsewhere, with the transfer offered")
    func personFormOutsideScope() async throws {
        try await withSafeCert { t in
            let enterprise = try await t.loggedIn("enterprise")
            let id = TestIDs.make(65)
            _ = try await t.register(enterprise, idNumber: id, name: "孙一")
            let group = try await t.loggedIn("group")
            let second = try await group.post("/people", ["id_type": "residentID", "id_number": id, "name": "某某", "phone": "13900139001"])
            #expect(second.status == .unprocessableEntity)
            let html = second.body.string
            #expect(html.contains(ExistingPersonNotice.registeredElsewhere))
            #expect(!html.contains("孙一"))
            #expect(!html.contains("长春安达建筑工程有限公司"))
            #expect(!html.contains(PersonStatus.submitted.label))
            #expect(html.contains("data-testid=\"transfer-link\""))
            // Inside one's own scope the helpful message stays.
            let again = try await enterprise.post("/people", ["id_type": "residentID", "id_number": id, "name": "孙一", "phone": "13900139001"])
            #expect(again.body.string.contains("长春安达建筑工程有限公司"))
        }
    }

    @Test("an import row with another unit's employee says only that the number is registered elsewhere")
    func importOutsideScope() async throws {
        try await withSafeCert { t in
            let enterprise = try await t.loggedIn("enterprise")
            let theirs = TestIDs.make(66)
            _ = try await t.register(enterprise, idNumber: theirs, name: "外单位人")
            let group = try await t.loggedIn("group")
            let writer = XLSXWriter(sheetName: "人员信息", columns: PersonImportTemplate.Column.allCases.map { XLSXColumn(title: $0.title) })
            writer.append(["外单位人", nil, theirs, nil, nil, "13900000201"])
            writer.append(["新员工", nil, TestIDs.make(67), nil, nil, "13900000202"])
            let upload = try await group.upload("/people/import", files: [("file", "people.xlsx", try writer.finish())])
            let job = try await PeopleFilesTests.waitForJob(group, try #require(upload.headers.first(name: .location)))
            #expect(job.body.string.contains("已完成"))
            let problems = try #require(try await ImportJob.query(on: t.db).first()).decodedProblems
            let reason = try #require(problems.first { $0.row == 2 }).reason
            #expect(reason.contains(ExistingPersonNotice.registeredElsewhere))
            #expect(!reason.contains("长春安达"))
            #expect(!reason.contains(PersonStatus.submitted.label))
            #expect(!job.body.string.contains("外单位人（"))
            #expect(try await Person.query(on: t.db).filter(\.$idNumber == TestIDs.make(67)).count() == 1)
        }
    }
}

@Suite("信用代码校验位确认") struct CreditCodeConfirmationHTTPTests {
    static func failingCode(_ serial: Int) throws -> String {
        var characters = Array(try CreditCode.generate(region: "220100", serial: serial).value)
        characters[17] = characters[17] == "0" ? "1" : "0"
        return String(characters)
    }

    @Test("a bad check character asks for confirmation first; ticking 确认保存 saves it, audited")
    func confirmBeforeSaving() async throws {
        try await withSafeCert { t in
            let web = try await t.loggedIn("province")
            let code = try Self.failingCode(4343)
            let form = ["name": "早期试点企业", "kind": "enterprise", "region_code": "220100", "credit_code": code]
            let first = try await web.post("/organizations", form)
            #expect(first.status == .unprocessableEntity)
            #expect(first.body.string.contains(CreditCode.confirmationRequest))
            #expect(first.body.string.contains("name=\"confirm_check_character\""))
            #expect(try await Organization.query(on: t.db).filter(\.$creditCode == code).count() == 0)
            var confirmed = form
            confirmed["confirm_check_character"] = "1"
            let second = try await web.post("/organizations", confirmed)
            #expect(second.status == .seeOther)
            let org = try #require(try await Organization.query(on: t.db).filter(\.$creditCode == code).first())
            let entry = try #require(try await AuditEntry.query(on: t.db).filter(\.$action == "organization.create")
                .filter(\.$targetID == org.id!.uuidString).first())
            #expect(entry.summary.contains("校验位未通过"))
            // Editing it later doesn't ask again for the code on file.
            let edit = try await web.post("/organizations/\(org.id!)", ["name": "早期试点企业（更名）", "region_code": "220100", "credit_code": code])
            #expect(edit.status == .seeOther)
        }
    }

    @Test("a wrong length or character stays a hard error, confirmed or not")
    func formatErrorsStayHard() async throws {
        try await withSafeCert { t in
            let web = try await t.loggedIn("province")
            let response = try await web.post("/organizations", ["name": "格式错误企业", "kind": "enterprise", "region_code": "220100",
                                                                 "credit_code": "9122010000000000", "confirm_check_character": "1"])
            #expect(response.status == .unprocessableEntity)
            #expect(response.body.string.contains("应为 18 位"))
            #expect(!response.body.string.contains("name=\"confirm_check_character\""))
            #expect(try await Organization.query(on: t.db).filter(\.$name == "格式错误企业").count() == 0)
        }
    }
}
