import Fluent
import Foundation
import SafeCertCore
import Vapor

/// The three admin accounts (三员分立) are made and kept at installation, on the server, by
/// `safecert admin`: no admin can create, reset, unlock or disable an admin account through
/// the web (`AccountPolicy`). Every change is audited as done by the installation.
enum AdminAccounts {
    static let actor = AuditActor.system("安装程序（safecert admin 命令）")

    struct Failure: Error, Sendable {
        let message: String
    }

    /// What the operator reads once: the one-time password and the dynamic-code secret.
    struct Issued: Sendable {
        let username: String
        let role: Role
        let temporaryPassword: String
        let totpSecret: String
        let totpURI: String
    }

    static func create(role: Role, username: String, displayName: String?, phone: String, on app: Application) async throws -> Issued {
        guard role.isPlatformAdmin else { throw Failure(message: "--role 须为 system、security 或 audit") }
        guard AccountRoutes.isValidUsername(username) else {
            throw Failure(message: "用户名须为 3–32 位字母、数字、下划线、点或连字符")
        }
        let number: PhoneNumber
        do { number = try PhoneNumber(phone) } catch { throw Failure(message: "手机号码：" + error.message) }
        let name = (displayName ?? "").trimmingCharacters(in: .whitespaces)
        guard name.count <= 50 else { throw Failure(message: "姓名不能超过 50 个字") }
        let db = app.db
        guard try await Account.query(on: db).filter(\.$username == username).first() == nil else {
            throw Failure(message: "用户名 \(username) 已被使用")
        }
        let (temporary, secret, hash) = try await credentials(app)
        let now = app.appServices.clock.now()
        let account = try await db.transaction { db in
            let platform = try await platformOrganization(on: db, now: now)
            let account = Account(username: username, displayName: name.isEmpty ? role.label : name, passwordHash: hash, role: role,
                                  phone: number.value, organizationID: platform.id, mustChangePassword: true, totpSecret: secret.base32Secret)
            try await account.create(on: db)
            try await Audit.record(on: db, actor: actor, action: "admin.create", targetType: "account", targetID: account.id?.uuidString,
                                   summary: "安装时创建\(role.label)：\(account.auditSummary)", at: now)
            return account
        }
        return issued(account, temporary, secret)
    }

    /// Recovery: a new one-time password and dynamic-code secret; the locks and every session end.
    static func resetPassword(username: String, on app: Application) async throws -> Issued {
        let account = try await adminAccount(username, on: app.db)
        let (temporary, secret, hash) = try await credentials(app)
        let now = app.appServices.clock.now()
        try await app.db.transaction { db in
            account.passwordHash = hash
            account.mustChangePassword = true
            account.totpSecret = secret.base32Secret
            account.totpLastStep = nil
            account.lockedUntil = nil
            try await account.save(on: db)
            try await endSessionsAndLocks(of: account, on: db)
            try await Audit.record(on: db, actor: actor, action: "admin.reset-password", targetType: "account", targetID: account.id?.uuidString,
                                   summary: "重置\(account.role.label)的密码并重新生成动态口令：\(account.username)", at: now)
        }
        return issued(account, temporary, secret)
    }

    static func unlock(username: String, on app: Application) async throws {
        let account = try await adminAccount(username, on: app.db)
        try await app.db.transaction { db in
            account.lockedUntil = nil
            try await account.save(on: db)
            try await Throttle.clear(.login, subject: account.requireID().uuidString, on: db)
            try await Audit.record(on: db, actor: actor, action: "admin.unlock", targetType: "account", targetID: account.id?.uuidString,
                                   summary: "解除\(account.role.label)的锁定：\(account.username)", at: app.appServices.clock.now())
        }
    }

    static func setStatus(username: String, _ status: AccountStatus, on app: Application) async throws {
        let account = try await adminAccount(username, on: app.db)
        try await app.db.transaction { db in
            account.status = status
            try await account.save(on: db)
            if status == .disabled { try await endSessionsAndLocks(of: account, on: db) }
            try await Audit.record(on: db, actor: actor, action: status == .disabled ? "admin.disable" : "admin.enable",
                                   targetType: "account", targetID: account.id?.uuidString, summary: account.auditSummary,
                                   at: app.appServices.clock.now())
        }
    }

    // MARK: Pieces

    private static func adminAccount(_ username: String, on db: any Database) async throws -> Account {
        guard let account = try await Account.query(on: db).filter(\.$username == username).first() else {
            throw Failure(message: "没有用户名为 \(username) 的账号")
        }
        guard account.role.isPlatformAdmin else {
            throw Failure(message: "\(username) 不是管理员账号；其他账号由管理员在网页“用户管理”中办理")
        }
        return account
    }

    private static func credentials(_ app: Application) async throws -> (String, SafeCertCore.TOTP, String) {
        var rng = SystemRandomNumberGenerator()
        let temporary = PasswordPolicy.generateTemporary(using: &rng)
        let secret = TOTP.generateSecret(using: &rng)
        return (temporary, secret, try await app.hashing.hash(temporary))
    }

    private static func issued(_ account: Account, _ temporary: String, _ secret: SafeCertCore.TOTP) -> Issued {
        Issued(username: account.username, role: account.role, temporaryPassword: temporary, totpSecret: secret.base32Secret,
               totpURI: secret.provisioningURI(account: account.username, issuer: "SafeCert"))
    }

    private static func endSessionsAndLocks(of account: Account, on db: any Database) async throws {
        let id = try account.requireID()
        try await WebSession.query(on: db).filter(\.$accountID == id).delete()
        try await Throttle.clear(.login, subject: id.uuidString, on: db)
    }

    /// The platform's own organisation, which the admin accounts belong to; made on first use.
    private static func platformOrganization(on db: any Database, now: Date) async throws -> Organization {
        if let existing = try await Organization.query(on: db).filter(\.$kind == .platform).filter(\.$deleted == false).first() {
            return existing
        }
        let platform = Organization(name: "平台运营中心", kind: .platform, authorityLevel: nil, regionCode: Region.nationwideCode,
                                    creditCode: nil, isGroup: false, parentID: nil)
        try await platform.create(on: db)
        try await Audit.record(on: db, actor: actor, action: "organization.create", targetType: "organization",
                               targetID: platform.id?.uuidString, summary: "安装时新增：\(platform.auditSummary)", at: now)
        return platform
    }
}

/// `safecert admin create --role security --username secadmin2 --phone 13800000021 [--name 张三]`,
/// `safecert admin reset-password|unlock|disable|enable --username …`.
struct AdminCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "create、reset-password、unlock、disable 或 enable")
        var action: String
        @Option(name: "role", help: "create：system（系统管理员）、security（安全管理员）或 audit（审计管理员）")
        var role: String?
        @Option(name: "username", help: "用户名")
        var username: String?
        @Option(name: "phone", help: "create：接收短信验证码的手机号码")
        var phone: String?
        @Option(name: "name", help: "create：姓名（默认为角色名称）")
        var name: String?
    }

    var help: String { "创建和维护系统、安全、审计管理员账号（三员分立，仅在服务器上执行）" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let console = context.console
        guard let username = signature.username, !username.isEmpty else {
            console.error("请用 --username 指定用户名")
            return
        }
        do {
            try await app.autoMigrate()
            switch signature.action {
            case "create":
                guard let role = signature.role.flatMap(Role.init(adminName:)) else {
                    console.error("请用 --role 指定 system、security 或 audit")
                    return
                }
                guard let phone = signature.phone else {
                    console.error("请用 --phone 指定手机号码")
                    return
                }
                let issued = try await AdminAccounts.create(role: role, username: username, displayName: signature.name, phone: phone, on: app)
                print(issued, heading: "已创建\(role.label)账号", to: console)
            case "reset-password":
                let issued = try await AdminAccounts.resetPassword(username: username, on: app)
                print(issued, heading: "已重置\(issued.role.label)账号的密码和动态口令", to: console)
            case "unlock":
                try await AdminAccounts.unlock(username: username, on: app)
                console.print("已解除 \(username) 的锁定")
            case "disable", "enable":
                let status: AccountStatus = signature.action == "disable" ? .disabled : .active
                try await AdminAccounts.setStatus(username: username, status, on: app)
                console.print(status == .disabled ? "已停用 \(username)，其会话已结束" : "已启用 \(username)")
            default:
                console.error("未知操作“\(signature.action)”：应为 create、reset-password、unlock、disable 或 enable")
            }
        } catch let failure as AdminAccounts.Failure {
            console.error(failure.message)
        }
    }

    private func print(_ issued: AdminAccounts.Issued, heading: String, to console: any Console) {
        console.print("\(heading) \(issued.username)。以下内容只显示这一次，请当面交给本人：")
        console.print("  一次性密码：\(issued.temporaryPassword)（首次登录须修改）")
        console.print("  动态口令密钥：\(issued.totpSecret)")
        console.print("  动态口令二维码内容：\(issued.totpURI)")
    }
}
