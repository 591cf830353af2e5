import Fluent
import Foundation
import SafeCertCore
import SafeCertDocuments
import Vapor

/// Login with password and image captcha (seed 002), the second step with dynamic and SMS codes
/// for authorities and administrators (seed 004), logout and the password change.
enum LoginRoutes {
    static func register(_ routes: any RoutesBuilder) {
        routes.publicPage(.login, use: showLogin)
        routes.publicPage(.captcha, use: captcha)
        routes.publicAction(.login, use: login)
        routes.publicPage(.loginVerify, use: showVerify)
        routes.publicAction(.loginSendSMS, use: sendSMS)
        routes.publicAction(.loginVerify, use: verify)
        routes.publicAction(.logout, use: logout)
        routes.page(.password, .changeOwnPassword, use: showPassword)
        routes.action(.password, .changeOwnPassword, use: changePassword)
    }

    struct LoginModel: Encodable, Sendable {
        var username = ""
        var error: String?
        var captchaURL: String
        /// Only in test mode, so automated tests can pass the captcha.
        var testCaptcha: String?
    }

    static func showLogin(_ req: Request) async throws -> Response {
        if req.currentUser != nil { return req.redirect(.home) }
        return try await renderLogin(req, username: "", error: nil, status: .ok)
    }

    private static func renderLogin(_ req: Request, username: String, error: String?, status: HTTPStatus) async throws -> Response {
        let session = try await req.ensureSession()
        var rng = SystemRandomNumberGenerator()
        session.captchaAnswer = CaptchaChallenge.newAnswer(using: &rng)
        try await session.save(on: req.db)
        let model = LoginModel(
            username: username, error: error,
            captchaURL: SiteURL.captcha.path + "?v=" + Tokens.random(bytes: 6),
            testCaptcha: req.application.settings.testMode ? session.captchaAnswer : nil)
        return try await req.render("login/login", title: "用户登录", model, status: status)
    }

    static func captcha(_ req: Request) async throws -> Response {
        let session = try await req.ensureSession()
        var rng = SystemRandomNumberGenerator()
        if session.captchaAnswer == nil || req.queryText("refresh") != nil {
            session.captchaAnswer = CaptchaChallenge.newAnswer(using: &rng)
            try await session.save(on: req.db)
        }
        let png = CaptchaImage.png(text: session.captchaAnswer ?? "0000", using: &rng)
        var headers = HTTPHeaders()
        headers.contentType = .png
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return Response(status: .ok, headers: headers, body: .init(data: Data(png)))
    }

    static func login(_ req: Request) async throws -> Response {
        let username = normaliseUsername(req.field("username") ?? "")
        let password = (try? req.content.get(String.self, at: "password")) ?? ""
        let typedCaptcha = req.field("captcha") ?? ""
        guard let session = req.webSession else { throw Abort(.forbidden) }

        // The captcha is single-use, whatever the outcome.
        let answer = session.captchaAnswer ?? ""
        session.captchaAnswer = nil
        try await session.save(on: req.db)
        guard CaptchaChallenge.matches(answer: answer, typed: typedCaptcha) else {
            return try await renderLogin(req, username: username, error: "验证码错误，请重新输入", status: .unprocessableEntity)
        }
        guard !username.isEmpty, !password.isEmpty else {
            return try await renderLogin(req, username: username, error: "请输入用户名和密码", status: .unprocessableEntity)
        }

        let now = req.now
        guard let account = try await Account.query(on: req.db).filter(\.$username == username).with(\.$organization).first() else {
            // Spend the same time as a real check so the answer doesn't tell which names exist.
            _ = try? await req.password.async.verify(password, created: dummyHash)
            try await Audit.record(on: req.db, actor: .init(accountID: nil, name: username, organizationID: nil, organizationName: "-", ip: req.clientIP),
                                   action: "login.failure", targetType: "account", targetID: nil, summary: "用户名不存在", at: now)
            return try await renderLogin(req, username: username, error: LoginPolicy.genericFailureMessage, status: .unauthorized)
        }
        let actor = AuditActor(accountID: account.id, name: "\(account.displayName)（\(account.username)）",
                               organizationID: account.$organization.id, organizationName: account.organization?.name ?? "-", ip: req.clientIP)
        if LoginPolicy.standard.isLocked(lockedUntil: account.lockedUntil, now: now) {
            return try await renderLogin(req, username: username, error: LoginPolicy.lockedMessage, status: .tooManyRequests)
        }
        let passwordMatches = (try? await req.password.async.verify(password, created: account.passwordHash)) ?? false
        guard passwordMatches, account.status == .active else {
            let locked = try await recordFailure(req, account: account, actor: actor, reason: passwordMatches ? "账号已停用" : "密码错误")
            return try await renderLogin(req, username: username, error: locked ? LoginPolicy.lockedMessage : LoginPolicy.genericFailureMessage,
                                         status: locked ? .tooManyRequests : .unauthorized)
        }
        if account.role.requiresSecondFactor {
            try await req.startSession(stage: .secondFactor, accountID: account.id)
            return req.redirect(.loginVerify)
        }
        return try await completeLogin(req, account: account, actor: actor)
    }

    /// Counts a failure; returns whether this one locked the account.
    private static func recordFailure(_ req: Request, account: Account, actor: AuditActor, reason: String) async throws -> Bool {
        let now = req.now
        return try await req.db.transaction { db in
            let outcome = LoginPolicy.standard.afterFailure(previousFailures: account.failedAttempts, now: now)
            switch outcome {
            case .stillOpen(let failures):
                account.failedAttempts = failures
            case .locked(let until):
                account.failedAttempts = 0
                account.lockedUntil = until
            }
            try await account.save(on: db)
            try await Audit.record(on: db, actor: actor, action: "login.failure", targetType: "account",
                                   targetID: account.id?.uuidString, summary: reason, at: now)
            if case .locked = outcome {
                try await Audit.record(on: db, actor: actor, action: "login.locked", targetType: "account",
                                       targetID: account.id?.uuidString, summary: "连续 \(LoginPolicy.standard.maxFailures) 次失败，锁定 15 分钟", at: now)
                return true
            }
            return false
        }
    }

    private static func completeLogin(_ req: Request, account: Account, actor: AuditActor, totpStep: UInt64? = nil) async throws -> Response {
        let now = req.now
        try await req.db.transaction { db in
            account.failedAttempts = 0
            account.lockedUntil = nil
            account.previousLoginAt = account.lastLoginAt
            account.lastLoginAt = now
            if let totpStep { account.totpLastStep = Int64(totpStep) }
            try await account.save(on: db)
            try await Audit.record(on: db, actor: actor, action: "login.success", targetType: "account",
                                   targetID: account.id?.uuidString, summary: totpStep == nil ? "密码登录" : "密码 + 动态码 + 短信验证码", at: now)
            try await WebSession.query(on: db).filter(\.$lastSeenAt < now.addingTimeInterval(-LoginPolicy.standard.idleTimeout)).delete()
        }
        try await req.startSession(stage: .authenticated, accountID: account.id)
        return account.mustChangePassword ? req.redirect(.password) : req.redirect(.home)
    }

    struct VerifyModel: Encodable, Sendable {
        let maskedPhone: String
        let error: String?
        let smsSent: Bool
    }

    private static func pendingAccount(_ req: Request) async throws -> Account? {
        guard let session = req.webSession, session.stage == .secondFactor, let id = session.accountID else { return nil }
        return try await Account.query(on: req.db).filter(\.$id == id).with(\.$organization).first()
    }

    static func showVerify(_ req: Request) async throws -> Response {
        guard let account = try await pendingAccount(req) else { return req.redirect(.login) }
        return try await req.render("login/verify", title: "二次验证",
                                    VerifyModel(maskedPhone: Masking.phone(account.phone), error: nil, smsSent: req.webSession?.smsSentAt != nil))
    }

    static func sendSMS(_ req: Request) async throws -> Response {
        guard let account = try await pendingAccount(req), let session = req.webSession else { return req.redirect(.login) }
        let now = req.now
        if let sent = session.smsSentAt, now.timeIntervalSince(sent) < LoginPolicy.standard.smsResendInterval {
            try await req.flash(.warning, "短信验证码已发送，请 60 秒后再重新获取")
            return req.redirect(.loginVerify)
        }
        var rng = SystemRandomNumberGenerator()
        let code = String(format: "%06d", Int.random(in: 0...999_999, using: &rng))
        session.smsCodeHash = Tokens.sha256(code)
        session.smsSentAt = now
        do {
        try await req.db.transaction { db in
            try await session.save(on: db)
            try await VerificationSMS.send(to: account.phone, text: "【SafeCert】您的登录验证码为 \(code)，5 分钟内有效。如非本人操作，请忽略。",
                                           on: db, gateway: req.appServices.sms, now: now)
            try await Audit.record(on: db, actor: .init(accountID: account.id, name: account.username, organizationID: account.$organization.id,
                                                        organizationName: account.organization?.name ?? "-", ip: req.clientIP),
                                   action: "sms.send", targetType: "account", targetID: account.id?.uuidString,
                                   summary: "登录验证码发送至 \(Masking.phone(account.phone))", at: now)
        }
        } catch let abort as Abort where abort.status == .tooManyRequests {
            try await req.flash(.warning, abort.reason)
            return req.redirect(.loginVerify)
        }
        try await req.flash(.success, "验证码已发送至 \(Masking.phone(account.phone))")
        return req.redirect(.loginVerify)
    }

    static func verify(_ req: Request) async throws -> Response {
        guard let account = try await pendingAccount(req), let session = req.webSession else { return req.redirect(.login) }
        let now = req.now
        let actor = AuditActor(accountID: account.id, name: "\(account.displayName)（\(account.username)）",
                               organizationID: account.$organization.id, organizationName: account.organization?.name ?? "-", ip: req.clientIP)
        func refuse(_ message: String, status: HTTPStatus) async throws -> Response {
            try await req.render("login/verify", title: "二次验证",
                                 VerifyModel(maskedPhone: Masking.phone(account.phone), error: message, smsSent: session.smsSentAt != nil),
                                 status: status)
        }
        if LoginPolicy.standard.isLocked(lockedUntil: account.lockedUntil, now: now) || account.status != .active {
            try await req.destroySession()
            return try await renderLogin(req, username: account.username, error: LoginPolicy.lockedMessage, status: .tooManyRequests)
        }
        let totpCode = req.field("totp") ?? ""
        let smsCode = req.field("sms") ?? ""
        guard let secret = account.totpSecret, let totp = TOTP(base32: secret) else {
            return try await refuse("账号未配置动态口令，请联系管理员", status: .forbidden)
        }
        let step = totp.verify(totpCode, at: now, lastUsedStep: account.totpLastStep.map { UInt64($0) })
        let smsValid = session.smsCodeHash.map { Tokens.constantTimeEquals($0, Tokens.sha256(smsCode)) } ?? false
            && (session.smsSentAt.map { now.timeIntervalSince($0) <= LoginPolicy.standard.smsCodeLifetime } ?? false)
        guard let step, smsValid else {
            let reason = step == nil ? "动态码错误或已使用" : "短信验证码错误或已过期"
            let locked = try await recordFailure(req, account: account, actor: actor, reason: reason)
            if locked {
                try await req.destroySession()
                return try await renderLogin(req, username: account.username, error: LoginPolicy.lockedMessage, status: .tooManyRequests)
            }
            return try await refuse("动态码或短信验证码错误（动态码每个只能使用一次）", status: .unauthorized)
        }
        return try await completeLogin(req, account: account, actor: actor, totpStep: step)
    }

    static func logout(_ req: Request) async throws -> Response {
        if let user = req.currentUser {
            try await Audit.record(on: req.db, actor: req.auditActor(user), action: "logout", targetType: "account",
                                   targetID: user.accountID.uuidString, summary: "退出登录", at: req.now)
        }
        try await req.destroySession()
        return req.redirect(.login)
    }

    struct PasswordModel: Encodable, Sendable {
        let forced: Bool
        var errors = FieldErrors()
        let rules: [String]
    }

    static let passwordRules = [
        "至少 8 位，最多 72 个字节（约 24 个汉字）",
        "包含大写字母、小写字母、数字、符号中的至少三类",
        "不得包含用户名",
    ]

    static func showPassword(_ req: Request, _ user: CurrentUser) async throws -> Response {
        try await req.render("login/password", title: "密码修改", PasswordModel(forced: user.mustChangePassword, rules: passwordRules))
    }

    static func changePassword(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let current = (try? req.content.get(String.self, at: "current")) ?? ""
        let new = (try? req.content.get(String.self, at: "new")) ?? ""
        let confirm = (try? req.content.get(String.self, at: "confirm")) ?? ""
        guard let account = try await Account.find(user.accountID, on: req.db) else { throw Abort(.notFound) }
        var errors = FieldErrors()
        if !((try? await req.password.async.verify(current, created: account.passwordHash)) ?? false) {
            errors.add("current", "当前密码不正确")
        }
        if let problem = PasswordPolicy().violations(password: new, username: account.username).first {
            errors.add("new", problem)
        } else if new == current {
            errors.add("new", "新密码不能与当前密码相同")
        }
        if new != confirm { errors.add("confirm", "两次输入的新密码不一致") }
        guard errors.isEmpty else {
            return try await req.render("login/password", title: "密码修改",
                                        PasswordModel(forced: user.mustChangePassword, errors: errors, rules: passwordRules),
                                        status: .unprocessableEntity)
        }
        let hash = try await req.password.async.hash(new)
        try await req.db.transaction { db in
            account.passwordHash = hash
            account.mustChangePassword = false
            try await account.save(on: db)
            try await Audit.record(on: db, actor: req.auditActor(user), action: "password.change", targetType: "account",
                                   targetID: user.accountID.uuidString, summary: "本人修改密码", at: req.now)
        }
        try await req.startSession(stage: .authenticated, accountID: user.accountID)
        try await req.flash(.success, "密码已修改")
        return req.redirect(.home)
    }

    /// Individuals log in with their ID number: accept a lower-case x.
    static func normaliseUsername(_ raw: String) -> String {
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.count == 18, trimmed.dropLast().allSatisfy(\.isNumber) { return trimmed.uppercased() }
        return trimmed
    }

    /// A bcrypt hash of a random string, to spend equal time on unknown users.
    static let dummyHash = "$2b$12$C6UzMDM.H6dfI/f/IKxGhuWv0vDqLUG3dZ1bX7xJ8p2Wq2mX5e6kW"
}
