import Fluent
import Foundation
import SafeCertCore
import Vapor

/// The security administrator's pages: the password and lockout policy with the locked
/// accounts, and the API keys of integrations.
enum SecurityRoutes {
    static func register(_ routes: any RoutesBuilder) {
        routes.page(.securityPolicy, .viewSecurityPolicy, use: policy)
        routes.page(.apiKeys, .manageAPIKeys, use: apiKeys)
        routes.action(.apiKeys, .manageAPIKeys, use: createKey)
        routes.action(.apiKeyRevoke(.key), .manageAPIKeys, use: revokeKey)
    }

    struct PolicyModel: Encodable, Sendable {
        let rules: [String]
        let locked: [AccountRoutes.Row]
    }

    static func policy(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let p = PasswordPolicy()
        let l = LoginPolicy.standard
        let rules = [
            "密码至少 \(p.minLength) 位，最多 \(p.maxBytes) 个字节；至少包含大写字母、小写字母、数字、符号中的 \(p.requiredClasses) 类；不得包含用户名",
            "密码以 bcrypt 加盐散列保存；由管理员签发或重置的密码首次登录必须修改",
            "同一账号在同一地址 \(Int(l.lockDuration / 60)) 分钟内登录失败 \(l.maxFailures) 次，该账号在此地址暂停登录 \(Int(l.lockDuration / 60)) 分钟，其他地址不受影响",
            "同一地址 \(Int(l.lockDuration / 60)) 分钟内登录失败 \(l.maxFailuresPerAddress) 次（不论用户名），该地址暂停登录 \(Int(l.lockDuration / 60)) 分钟",
            "用户名不存在、密码错误、账号停用或锁定时，登录页的提示与响应完全相同，不泄露用户名是否存在",
            "企业可使用统一社会信用代码代替用户名登录（对应该企业最早开通的账号）",
            "登录须输入图形验证码；管理部门、部中心和管理员须再输入动态口令（TOTP，每个只能使用一次）和短信验证码",
            "会话闲置 \(Int(l.idleTimeout / 60)) 分钟自动失效；登录时更换会话标识；退出即在服务器端销毁会话",
            "短信验证码 \(Int(l.smsCodeLifetime / 60)) 分钟内有效，\(Int(l.smsResendInterval)) 秒内不重复发送；同一手机号每天最多 \(l.smsDailyLimitPerPhone) 条，同一地址每小时最多获取 \(l.smsSendsPerAddress) 条",
            "每个短信验证码输错 \(l.smsMaxWrongTriesPerCode) 次即失效；同一手机号每小时最多输错 \(l.smsWrongTriesPerPhone) 次，同一地址每小时最多输错 \(l.smsWrongTriesPerAddress) 次",
            "修改密码后该账号的其他会话全部结束；管理员重置密码同样结束该账号的全部会话",
            "三员分立：系统管理员、安全管理员、审计管理员账号只能在安装时由 safecert admin 命令创建、重置、解锁或停用，网页上任何管理员都不能管理管理员账号；审计管理员查看审计日志也记入审计日志",
        ]
        let now = req.now
        let locked = try await Account.query(on: req.db).scoped(to: user.scope).filter(\.$lockedUntil > now)
            .sort(\.$username).limit(100).all()
        let rows = try locked.map { account in
            let org = try account.joined(Organization.self)
            return AccountRoutes.Row(
                id: try account.requireID().uuidString, username: account.username, name: account.displayName, role: account.role.label,
                organization: org.name, organizationHref: SiteURL.organization(.id(org.id)).link, phone: Masking.phone(account.phone),
                status: account.status.label, active: account.status == .active, locked: true,
                manageable: AccountRoutes.mayManage(user, .unlock, account: account, organization: org),
                disableHref: "", enableHref: "", resetHref: "", unlockHref: SiteURL.accountUnlock(.id(account.id)).link)
        }
        return try await req.render("security/policy", title: "安全策略", PolicyModel(rules: rules, locked: rows))
    }

    struct KeyRow: Encodable, Sendable {
        let name: String
        let organization: String
        let prefix: String
        let created: String
        let lastUsed: String
        let revoked: Bool
        let revokeHref: String
    }

    struct KeysModel: Encodable, Sendable {
        let rows: [KeyRow]
        let pagination: Pagination
        let organizationOptions: [OrganizationForm.Option]
        var errors = FieldErrors()
        var issuedKey: String?
    }

    static func apiKeys(_ req: Request, _ user: CurrentUser) async throws -> Response {
        try await renderKeys(req, user, errors: FieldErrors(), issuedKey: nil, status: .ok)
    }

    private static func renderKeys(_ req: Request, _ user: CurrentUser, errors: FieldErrors, issuedKey: String?, status: HTTPStatus) async throws -> Response {
        let page = try await APIKey.query(on: req.db).join(parent: \.$organization).sort(\.$createdAt, .descending)
            .page(for: req)
        let rows = try page.items.map { key in
            KeyRow(name: key.name, organization: try key.joined(Organization.self).name, prefix: key.prefix + "…",
                   created: key.createdAt.map(ChinaTime.format) ?? "", lastUsed: key.lastUsedAt.map(ChinaTime.format) ?? "从未使用",
                   revoked: key.revokedAt != nil, revokeHref: SiteURL.apiKeyRevoke(.id(key.id)).link)
        }
        // Integrations belong to exam centres, training institutions and authorities.
        let orgs = try await Organization.query(on: req.db).scoped(to: user.scope)
            .filter(\.$kind ~~ [.examCentre, .trainingInstitution, .authority, .association]).sort(\.$name).limit(300).all()
        return try await req.render("security/api-keys", title: "接口密钥", KeysModel(
            rows: rows, pagination: Pagination(metadata: page.metadata, path: SiteURL.apiKeys.link, filters: []),
            organizationOptions: orgs.map { .init(value: try $0.requireID().uuidString, label: $0.name) },
            errors: errors, issuedKey: issuedKey), status: status)
    }

    static func createKey(_ req: Request, _ user: CurrentUser) async throws -> Response {
        var errors = FieldErrors()
        let name = req.field("name") ?? ""
        if name.isEmpty { errors.add("name", "请填写用途说明") } else if name.count > 100 { errors.add("name", "用途说明不能超过 100 个字") }
        let org = try await req.field("organization_id").flatMap(UUID.init(uuidString:))
            .asyncFlatMap { try await Organization.find($0, in: user.scope, on: req.db) }
        if org == nil { errors.add("organization_id", "请选择单位") }
        guard errors.isEmpty, let org else {
            return try await renderKeys(req, user, errors: errors, issuedKey: nil, status: .unprocessableEntity)
        }
        let secret = "sk_" + Tokens.random()
        let key = APIKey()
        key.name = name
        key.prefix = String(secret.prefix(10))
        key.keyHash = APIKey.hash(secret)
        key.$organization.id = try org.requireID()
        try await req.db.transaction { db in
            try await key.create(on: db)
            try await req.audit(user, "api-key.create", on: db, target: "api_key", key.id?.uuidString,
                                summary: "为「\(org.name)」创建接口密钥 \(key.prefix)…（\(name)）")
        }
        return try await renderKeys(req, user, errors: FieldErrors(), issuedKey: secret, status: .ok)
    }

    static func revokeKey(_ req: Request, _ user: CurrentUser) async throws -> Response {
        guard let key = try await APIKey.find(try req.idParameter(), on: req.db) else { throw Abort(.notFound) }
        if key.revokedAt == nil {
            try await req.db.transaction { db in
                key.revokedAt = req.now
                try await key.save(on: db)
                try await req.audit(user, "api-key.revoke", on: db, target: "api_key", key.id?.uuidString,
                                    summary: "吊销接口密钥 \(key.prefix)…（\(key.name)）")
            }
        }
        try await req.flash(.success, "接口密钥已吊销")
        return req.redirect(.apiKeys)
    }
}

extension Optional {
    func asyncFlatMap<U>(_ transform: (Wrapped) async throws -> U?) async rethrows -> U? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
