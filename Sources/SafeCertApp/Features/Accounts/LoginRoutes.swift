import Fluent
import Foundation
import SafeCertCore
import SafeCertDocuments
import Synchronization
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
        var visitor = req.ensureVisitor()
        visitor.drawCaptcha(now: req.now)
        req.setVisitor(visitor)
        let model = LoginModel(
            username: username, error: error,
            captchaURL: SiteURL.captcha.link + "?v=" + Tokens.random(bytes: 6),
            testCaptcha: req.application.settings.testMode ? visitor.captcha : nil)
        return try await req.render("login/login", title: "用户登录", model, status: status)
    }

    static func captcha(_ req: Request) async throws -> Response {
        var visitor = req.ensureVisitor()
        if visitor.captcha == nil || req.queryText("refresh") != nil {
            visitor.drawCaptcha(now: req.now)
            req.setVisitor(visitor)
        }
        var rng = SystemRandomNumberGenerator()
        let png = CaptchaImage.png(text: visitor.captcha ?? "0000", using: &rng)
        var headers = HTTPHeaders()
        headers.contentType = .png
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return Response(status: .ok, headers: headers, body: .init(data: Data(png)))
    }

    static func login(_ req: Request) async throws -> Response {
        let username = normaliseUsername(req.field("username") ?? "")
        let password = (try? req.content.get(String.self, at: "password")) ?? ""
        let typedCaptcha = req.field("captcha") ?? ""
        guard CaptchaChallenge.matches(answer: try await spendCaptcha(req), typed: typedCaptcha) else {
            return try await renderLogin(req, username: username, error: "验证码错误，请重新输入", status: .unprocessableEntity)
        }
        guard !username.isEmpty, !password.isEmpty else {
            return try await renderLogin(req, username: username, error: "请输入用户名和密码", status: .unprocessableEntity)
        }

        let account = try await findAccount(username, on: req.db)
        // Unknown names are counted like accounts, so a bar tells nobody which names exist.
        let attempt = try await countAttempt(req, subject: account?.id?.uuidString ?? "name:" + Tokens.sha256(username))
        let actor = account.map { auditActor(req, $0) }
            ?? AuditActor(accountID: nil, name: username, organizationID: nil, organizationName: "-", ip: req.clientIP)
        let failed = { () async throws -> Response in
            try await renderLogin(req, username: username, error: LoginPolicy.genericFailureMessage, status: .unauthorized)
        }
        if let barred = try await barredLogin(req, account, username: username, password: password, actor: actor, attempt: attempt) {
            return barred
        }
        guard let account else {
            await spendCheckTime(req, password)
            try await recordFailure(req, account: nil, actor: actor, attempt: attempt, reason: "用户名不存在")
            return try await failed()
        }
        let passwordMatches = (try? await req.hashing.verify(password, created: account.passwordHash)) ?? false
        guard passwordMatches, account.status == .active else {
            try await recordFailure(req, account: account, actor: actor, attempt: attempt, reason: passwordMatches ? "账号已停用" : "密码错误")
            return try await failed()
        }
        if account.role.requiresSecondFactor {
            // Failures here are cleared only once the second step succeeds too.
            try await Throttle.withdraw(attempt.id, on: req.db)
            try await req.startSession(stage: .secondFactor, accountID: account.id)
            return req.redirect(.loginVerify)
        }
        return try await completeLogin(req, account: account, actor: actor)
    }

    /// The login refused before the password is checked: too many failures from the address, or
    /// for the account here (answered like a wrong password, in the time a check takes).
    private static func barredLogin(_ req: Request, _ account: Account?, username: String, password: String, actor: AuditActor,
                                    attempt: Throttle.Counted) async throws -> Response? {
        switch LoginPolicy.standard.gate(failuresHere: attempt.bySubject, failuresFromAddress: attempt.byAddress) {
        case .addressThrottled:
            try await Audit.record(on: req.db, actor: actor, action: "login.failure", targetType: "account", targetID: account?.id?.uuidString,
                                   summary: "本地址登录失败次数过多，未核对密码", at: req.now)
            return try await renderLogin(req, username: username, error: LoginPolicy.addressThrottledMessage, status: .tooManyRequests)
        case .lockedHere:
            await spendCheckTime(req, password)
            try await Audit.record(on: req.db, actor: actor, action: "login.failure", targetType: "account", targetID: account?.id?.uuidString,
                                   summary: "该账号在本地址已锁定，未核对密码", at: req.now)
            return try await renderLogin(req, username: username, error: LoginPolicy.genericFailureMessage, status: .unauthorized)
        case .open:
            return nil
        }
    }

    /// The answer of the visitor's captcha, spent whatever the outcome: cleared from the cookie and
    /// its id recorded, so a replayed copy of the cookie answers nothing ("" never matches).
    private static func spendCaptcha(_ req: Request) async throws -> String {
        guard var visitor = req.visitor, let id = visitor.captchaID, let answer = visitor.captcha else { return "" }
        visitor.captchaID = nil
        visitor.captcha = nil
        req.setVisitor(visitor)
        return try await UsedCaptcha.spend(id, at: req.now, on: req.db) ? answer : ""
    }

    /// The account a login name names: a username (an individual's is the ID number) or an
    /// enterprise's unified social credit code (seed 002), which stands for the enterprise's
    /// first active account.
    static func findAccount(_ name: String, on db: any Database) async throws -> Account? {
        if let account = try await Account.query(on: db).filter(\.$username == name).with(\.$organization).first() {
            return account
        }
        guard let code = try? CreditCode.parse(name),
              let enterprise = try await Organization.query(on: db).filter(\.$creditCode == code.value)
                  .filter(\.$kind == .enterprise).filter(\.$deleted == false).first()
        else { return nil }
        return try await Account.query(on: db).filter(\.$organization.$id == enterprise.requireID())
            .filter(\.$role == .enterprise).filter(\.$status == .active)
            .sort(\.$createdAt).sort(\.$username).with(\.$organization).first()
    }

    private static func auditActor(_ req: Request, _ account: Account) -> AuditActor {
        AuditActor(accountID: account.id, name: "\(account.displayName)（\(account.username)）",
                   organizationID: account.$organization.id, organizationName: account.organization?.name ?? "-", ip: req.clientIP)
    }

    /// Records this attempt against the account (or typed name) at this address and against
    /// the address, before it is judged.
    private static func countAttempt(_ req: Request, subject: String) async throws -> Throttle.Counted {
        let since = req.now.addingTimeInterval(-LoginPolicy.standard.lockDuration)
        return try await Throttle.record(.login, subject: subject, address: req.clientIP, at: req.now,
                                         subjectSince: since, addressSince: since, sameAddress: true, on: req.db)
    }

    /// Audits a failure already counted; notes when it is the one that bars the account here or
    /// the address. Returns whether the account is now barred here.
    @discardableResult
    private static func recordFailure(_ req: Request, account: Account?, actor: AuditActor, attempt: Throttle.Counted,
                                      reason: String) async throws -> Bool {
        let now = req.now
        let policy = LoginPolicy.standard
        let address = req.clientIP
        let locks = policy.failureLocks(failuresHere: attempt.bySubject + 1)
        return try await req.db.transaction { db in
            try await Audit.record(on: db, actor: actor, action: "login.failure", targetType: "account",
                                   targetID: account?.id?.uuidString, summary: reason, at: now)
            if locks {
                if let account {
                    account.lockedUntil = now.addingTimeInterval(policy.lockDuration)
                    try await account.save(on: db)
                }
                try await Audit.record(on: db, actor: actor, action: "login.locked", targetType: "account", targetID: account?.id?.uuidString,
                                       summary: "在地址 \(address) 连续 \(policy.maxFailures) 次失败，该账号在此地址锁定 \(Int(policy.lockDuration / 60)) 分钟（其他地址不受影响）",
                                       at: now)
            }
            if policy.failureThrottlesAddress(failuresFromAddress: attempt.byAddress + 1) {
                try await Audit.record(on: db, actor: actor, action: "login.address-throttled", targetType: "address", targetID: address,
                                       summary: "地址 \(address) \(Int(policy.lockDuration / 60)) 分钟内登录失败 \(policy.maxFailuresPerAddress) 次，暂停该地址登录", at: now)
            }
            return locks
        }
    }

    private static func completeLogin(_ req: Request, account: Account, actor: AuditActor, totpStep: UInt64? = nil) async throws -> Response {
        let now = req.now
        let accountID = try account.requireID()
        try await req.db.transaction { db in
            account.previousLoginAt = account.lastLoginAt
            account.lastLoginAt = now
            if let totpStep { account.totpLastStep = Int64(totpStep) }
            try await account.save(on: db)
            try await Throttle.clear(.login, subject: accountID.uuidString, address: req.clientIP, on: db)
            try await Audit.record(on: db, actor: actor, action: "login.success", targetType: "account",
                                   targetID: accountID.uuidString, summary: totpStep == nil ? "密码登录" : "密码 + 动态码 + 短信验证码", at: now)
            try await WebSession.query(on: db).filter(\.$lastSeenAt < now.addingTimeInterval(-LoginPolicy.standard.idleTimeout)).delete()
            try await Throttle.prune(before: now.addingTimeInterval(-86_400), on: db)
        }
        try await req.startSession(stage: .authenticated, accountID: accountID)
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
        do {
            try await VerificationSMS.checkAddress(req.clientIP, phone: account.phone, on: req.db, now: now)
            try await req.db.transaction { db in
                session.smsCodeHash = Tokens.sha256(code)
                session.smsSentAt = now
                try await session.save(on: db)
                try await VerificationSMS.send(to: account.phone, text: "【SafeCert】您的登录验证码为 \(code)，5 分钟内有效。如非本人操作，请忽略。",
                                               on: db, gateway: req.appServices.sms, now: now)
                try await Audit.record(on: db, actor: auditActor(req, account), action: "sms.send", targetType: "account",
                                       targetID: account.id?.uuidString, summary: "登录验证码发送至 \(Masking.phone(account.phone))", at: now)
            }
        } catch let abort as Abort where abort.status == .tooManyRequests {
            try await req.flash(.warning, abort.reason)
            return req.redirect(.loginVerify)
        }
        try await req.flash(.success, "验证码已发送至 \(Masking.phone(account.phone))")
        return req.redirect(.loginVerify)
    }

    /// The second step refused before its codes are compared — too many failures for the account
    /// here or from the address, or a disabled account: the session ends, the login page answers.
    private static func barredSecondStep(_ req: Request, _ account: Account, actor: AuditActor,
                                         attempt: Throttle.Counted) async throws -> Response? {
        switch LoginPolicy.standard.gate(failuresHere: attempt.bySubject, failuresFromAddress: attempt.byAddress) {
        case .addressThrottled:
            try await req.destroySession()
            return try await renderLogin(req, username: account.username, error: LoginPolicy.addressThrottledMessage, status: .tooManyRequests)
        case .lockedHere:
            try await req.destroySession()
            return try await renderLogin(req, username: account.username, error: LoginPolicy.genericFailureMessage, status: .unauthorized)
        case .open:
            break
        }
        guard account.status == .active else {
            try await recordFailure(req, account: account, actor: actor, attempt: attempt, reason: "账号已停用")
            try await req.destroySession()
            return try await renderLogin(req, username: account.username, error: LoginPolicy.genericFailureMessage, status: .unauthorized)
        }
        return nil
    }

    static func verify(_ req: Request) async throws -> Response {
        guard let account = try await pendingAccount(req), let session = req.webSession else { return req.redirect(.login) }
        let now = req.now
        let actor = auditActor(req, account)
        func refuse(_ message: String, status: HTTPStatus) async throws -> Response {
            try await req.render("login/verify", title: "二次验证",
                                 VerifyModel(maskedPhone: Masking.phone(account.phone), error: message, smsSent: session.smsSentAt != nil),
                                 status: status)
        }
        let attempt = try await countAttempt(req, subject: try account.requireID().uuidString)
        if let barred = try await barredSecondStep(req, account, actor: actor, attempt: attempt) { return barred }
        guard let secret = account.totpSecret, let totp = TOTP(base32: secret) else {
            try await Throttle.withdraw(attempt.id, on: req.db)
            return try await refuse("账号未配置动态口令，请联系管理员", status: .forbidden)
        }
        let step = totp.verify(req.field("totp") ?? "", at: now, lastUsedStep: account.totpLastStep.map { UInt64($0) })
        let sms = try await VerificationSMS.check(req.field("sms") ?? "", hash: { Tokens.sha256($0) }, session: session,
                                                  phone: account.phone, address: req.clientIP, on: req.db, now: now)
        switch SecondFactorFailure.judge(totpStep: step, sms: sms) {
        case .success(let step):
            return try await completeLogin(req, account: account, actor: actor, totpStep: step)
        case .failure(let failure):
            if try await recordFailure(req, account: account, actor: actor, attempt: attempt, reason: failure.reason) {
                try await req.destroySession()
                return try await renderLogin(req, username: account.username, error: LoginPolicy.genericFailureMessage, status: .unauthorized)
            }
            return try await refuse(failure.message, status: .unauthorized)
        }
    }

    static func logout(_ req: Request) async throws -> Response {
        if let user = req.currentUser {
            try await req.audit(user, "logout", target: "account", user.accountID.uuidString, summary: "退出登录")
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
        if !((try? await req.hashing.verify(current, created: account.passwordHash)) ?? false) {
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
        let hash = try await req.hashing.hash(new)
        let thisSession = req.webSession?.id ?? ""
        try await req.db.transaction { db in
            account.passwordHash = hash
            account.mustChangePassword = false
            try await account.save(on: db)
            // Whoever else was logged in with the old password is logged out.
            func others() -> QueryBuilder<WebSession> {
                WebSession.query(on: db).filter(\.$accountID == user.accountID).filter(\.$id != thisSession)
            }
            let ended = try await others().count()
            try await others().delete()
            try await req.audit(user, "password.change", on: db, target: "account", user.accountID.uuidString,
                                summary: ended == 0 ? "本人修改密码" : "本人修改密码，结束该账号的其他 \(ended) 个会话")
        }
        // The current session continues under a new id.
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

    /// Bcrypt hashes of a random string at the configured cost, made once: unknown and barred
    /// names spend the time of a real check.
    private static let dummyHashes = Mutex<[Int: String]>([:])

    /// Checks the password against nothing, in the time a real check takes.
    static func spendCheckTime(_ req: Request, _ password: String) async {
        let cost = req.application.settings.bcryptCost
        var hash = dummyHashes.withLock { $0[cost] }
        if hash == nil, let made = try? await req.hashing.hash(Tokens.random()) {
            dummyHashes.withLock { $0[cost] = made }
            hash = made
        }
        _ = try? await req.hashing.verify(password, created: hash ?? "")
    }
}
