import Fluent
import Foundation
import SafeCertCore
import Vapor

/// 用户管理: authorities and the system admin issue accounts for organisations below them,
/// disable (never delete) them and reset passwords; the security admin unlocks. Admin accounts
/// are out of reach here (`AccountPolicy`; they come from `safecert admin`). All audited.
enum AccountRoutes {
    static func register(_ routes: any RoutesBuilder) {
        routes.page(.accounts, .viewAccounts, use: list)
        routes.page(.accountNew, .issueAccounts, use: new)
        routes.action(.accounts, .issueAccounts, use: create)
        routes.action(.accountDisable(.key), .disableAccounts) { req, user in try await setStatus(req, user, .disabled) }
        routes.action(.accountEnable(.key), .disableAccounts) { req, user in try await setStatus(req, user, .active) }
        routes.action(.accountResetPassword(.key), .resetPasswords, use: resetPassword)
        routes.action(.accountUnlock(.key), .unlockAccounts, use: unlock)
    }

    struct Row: Encodable, Sendable {
        let id: String
        let username: String
        let name: String
        let role: String
        let organization: String
        let organizationHref: String
        let phone: String
        let status: String
        let active: Bool
        let locked: Bool
        /// Whether this account may act on the row: the same rule the server applies.
        let manageable: Bool
        let disableHref: String
        let enableHref: String
        let resetHref: String
        let unlockHref: String
    }

    struct ListModel: Encodable, Sendable {
        let rows: [Row]
        let pagination: Pagination
        let q: String
        let roleOptions: [OrganizationForm.Option]
        let canDisable: Bool
        let canReset: Bool
        let canUnlock: Bool
        let canIssue: Bool
    }

    static func list(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let q = req.queryText("q")
        let role = req.queryText("role").flatMap(Role.init(rawValue:))
        let lockedOnly = req.queryText("locked") == "1"
        var query = Account.query(on: req.db).scoped(to: user.scope)
        if let q {
            query = query.group(.or) { $0.filter(\.$username ~~ q).filter(\.$displayName ~~ q) }
        }
        if let role { query = query.filter(\.$role == role) }
        if lockedOnly { query = query.filter(\.$lockedUntil > req.now) }
        let page = try await query.sort(\.$username).page(for: req)
        let now = req.now
        let rows = try page.items.map { account in
            let org = try account.joined(Organization.self)
            return Row(
                id: try account.requireID().uuidString, username: account.username, name: account.displayName, role: account.role.label,
                organization: org.name, organizationHref: SiteURL.organization(.id(org.id)).link,
                phone: Masking.phone(account.phone), status: account.status.label, active: account.status == .active,
                locked: LoginPolicy.standard.isLocked(lockedUntil: account.lockedUntil, now: now),
                manageable: heldActions(user).contains { mayManage(user, $0, account: account, organization: org) },
                disableHref: SiteURL.accountDisable(.id(account.id)).link, enableHref: SiteURL.accountEnable(.id(account.id)).link,
                resetHref: SiteURL.accountResetPassword(.id(account.id)).link, unlockHref: SiteURL.accountUnlock(.id(account.id)).link)
        }
        return try await req.render("accounts/list", title: "用户管理", ListModel(
            rows: rows,
            pagination: Pagination(metadata: page.metadata, path: SiteURL.accounts.link,
                                   filters: [("q", q), ("role", role?.rawValue), ("locked", lockedOnly ? "1" : nil)]),
            q: q ?? "", roleOptions: Role.allCases.map { .init(value: $0.rawValue, label: $0.label, selected: $0 == role) },
            canDisable: user.may(.disableAccounts), canReset: user.may(.resetPasswords), canUnlock: user.may(.unlockAccounts),
            canIssue: user.may(.issueAccounts)))
    }

    struct FormModel: Encodable, Sendable {
        var organizationID = ""
        var organizationName = ""
        var username = ""
        var displayName = ""
        var phone = ""
        var role = ""
        var roleOptions: [OrganizationForm.Option] = []
        var errors = FieldErrors()
        /// Without an organisation chosen, the page lists candidates to pick from.
        var candidates: [OrganizationRoutes.Row] = []
        var pagination: Pagination?
        var q = ""
    }

    /// The organisation an account may be issued for, inside the scope.
    private static func issuableOrganization(_ req: Request, _ user: CurrentUser, id: String?) async throws -> Organization? {
        guard let id, let uuid = UUID(uuidString: id),
              let org = try await Organization.find(uuid, in: user.scope, on: req.db),
              !issuableRoles(user, org).isEmpty
        else { return nil }
        return org
    }

    static func issuableRoles(_ user: CurrentUser, _ org: Organization) -> [Role] {
        AccountPolicy.issuableRoles(by: user.role, for: .init(org.kind, org.authorityLevel))
    }

    static func new(_ req: Request, _ user: CurrentUser) async throws -> Response {
        var model = FormModel()
        if let org = try await issuableOrganization(req, user, id: req.queryText("organization")) {
            model.organizationID = try org.requireID().uuidString
            model.organizationName = org.name
            model.roleOptions = issuableRoles(user, org).map { .init(value: $0.rawValue, label: $0.label, selected: false) }
            return try await req.render("accounts/form", title: "添加用户", model)
        }
        // Choose the organisation first: those in scope whose kind the user may issue for.
        let kinds = Set(OrganizationPolicy.creatableKinds(by: user.role).map(\.kind))
        let q = req.queryText("q")
        var query = Organization.query(on: req.db).scoped(to: user.scope).filter(\.$kind ~~ Array(kinds))
        if let q { query = query.filter(\.$name ~~ q) }
        let page = try await query.sort(\.$name).page(for: req)
        let catalog = RegionCatalog.shared
        model.candidates = try page.items
            .filter { !issuableRoles(user, $0).isEmpty }
            .map { org in
                let id = try org.requireID().uuidString
                return OrganizationRoutes.Row(id: id, name: org.name, kind: org.kindLabel,
                                              region: catalog.fullName(code: org.regionCode), creditCode: org.creditCode ?? "",
                                              href: SiteURL.accountNew.link + "?organization=" + id)
            }
        model.pagination = Pagination(metadata: page.metadata, path: SiteURL.accountNew.link, filters: [("q", q)])
        model.q = q ?? ""
        return try await req.render("accounts/choose", title: "添加用户", model)
    }

    struct IssuedModel: Encodable, Sendable {
        let heading: String
        let username: String
        let displayName: String
        let organization: String
        let temporaryPassword: String
        let totpSecret: String?
        let totpURI: String?
    }

    static func create(_ req: Request, _ user: CurrentUser) async throws -> Response {
        guard let org = try await issuableOrganization(req, user, id: req.field("organization_id")) else { throw Abort(.notFound) }
        let roles = issuableRoles(user, org)
        var model = FormModel(organizationID: try org.requireID().uuidString, organizationName: org.name,
                              username: req.field("username") ?? "", displayName: req.field("display_name") ?? "",
                              phone: req.field("phone") ?? "", role: req.field("role") ?? "")
        model.roleOptions = roles.map { .init(value: $0.rawValue, label: $0.label, selected: $0.rawValue == model.role) }
        let role = Role(rawValue: model.role).flatMap { roles.contains($0) ? $0 : nil }
        if role == nil { model.errors.add("role", "请选择角色") }
        if model.username.isEmpty { model.errors.add("username", "请填写用户名") }
        else if !isValidUsername(model.username) { model.errors.add("username", "用户名须为 3–32 位字母、数字、下划线、点或连字符") }
        else if try await Account.query(on: req.db).filter(\.$username == model.username).first() != nil {
            model.errors.add("username", "该用户名已被使用")
        }
        if model.displayName.isEmpty { model.errors.add("display_name", "请填写姓名") }
        else if model.displayName.count > 50 { model.errors.add("display_name", "姓名不能超过 50 个字") }
        var phone: PhoneNumber?
        do { phone = try PhoneNumber(model.phone) } catch { model.errors.add("phone", error.message) }
        guard model.errors.isEmpty, let role, let phone else {
            return try await req.render("accounts/form", title: "添加用户", model, status: .unprocessableEntity)
        }
        var rng = SystemRandomNumberGenerator()
        let temporary = PasswordPolicy.generateTemporary(using: &rng)
        let totp = role.requiresSecondFactor ? TOTP.generateSecret(using: &rng) : nil
        let hash = try await req.hashing.hash(temporary)
        let account = Account(username: model.username, displayName: model.displayName, passwordHash: hash, role: role,
                              phone: phone.value, organizationID: org.id, mustChangePassword: true, totpSecret: totp?.base32Secret)
        try await req.db.transaction { db in
            try await account.create(on: db)
            try await req.audit(user, "account.create", on: db, target: "account", account.id?.uuidString,
                                summary: "为「\(org.name)」添加：\(account.auditSummary)")
        }
        return try await req.render("accounts/issued", title: "用户已添加", IssuedModel(
            heading: "用户已添加", username: account.username, displayName: account.displayName, organization: org.name,
            temporaryPassword: temporary, totpSecret: totp?.base32Secret,
            totpURI: totp?.provisioningURI(account: account.username, issuer: "SafeCert")))
    }

    static func isValidUsername(_ name: String) -> Bool {
        (3...32).contains(name.count) && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }
    }

    /// The account if it is inside the scope; never one's own (no self-lockout).
    private static func scopedAccount(_ req: Request, _ user: CurrentUser, for action: AccountAction) async throws -> Account {
        let id = try req.idParameter()
        guard id != user.accountID,
              let account = try await Account.query(on: req.db).scoped(to: user.scope).filter(\.$id == id).first()
        else { throw Abort(.notFound) }
        guard mayManage(user, action, account: account, organization: try account.joined(Organization.self)) else {
            throw Abort(.forbidden, reason: account.role.isPlatformAdmin
                ? "管理员账号只能在安装时由 safecert admin 命令创建和维护" : "无权管理该用户")
        }
        return account
    }

    /// The rule of `AccountPolicy`: only accounts one could issue (a province can't disable the
    /// national centre), never one's own, never an admin's; the security admin unlocks.
    static func mayManage(_ user: CurrentUser, _ action: AccountAction, account: Account, organization org: Organization) -> Bool {
        AccountPolicy.mayAct(action, actor: user.role, onOwnAccount: account.id == user.accountID, target: account.role,
                             organization: .init(org.kind, org.authorityLevel))
    }

    /// The account actions this user's role holds.
    static func heldActions(_ user: CurrentUser) -> [AccountAction] {
        var actions: [AccountAction] = []
        if user.may(.disableAccounts) { actions += [.disable, .enable] }
        if user.may(.resetPasswords) { actions.append(.resetPassword) }
        if user.may(.unlockAccounts) { actions.append(.unlock) }
        return actions
    }

    static func setStatus(_ req: Request, _ user: CurrentUser, _ status: AccountStatus) async throws -> Response {
        let account = try await scopedAccount(req, user, for: status == .disabled ? .disable : .enable)
        try await req.db.transaction { db in
            account.status = status
            try await account.save(on: db)
            if status == .disabled {
                try await WebSession.query(on: db).filter(\.$accountID == account.requireID()).delete()
            }
            try await req.audit(user, status == .disabled ? "account.disable" : "account.enable", on: db, target: "account", account.id?.uuidString,
                                summary: account.auditSummary)
        }
        try await req.flash(.success, status == .disabled ? "已停用用户 \(account.username)" : "已启用用户 \(account.username)")
        return req.redirect(to: req.headers.first(name: .referer).flatMap(localPath) ?? SiteURL.accounts.link)
    }

    static func resetPassword(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let account = try await scopedAccount(req, user, for: .resetPassword)
        let organizationName = try account.joined(Organization.self).name
        var rng = SystemRandomNumberGenerator()
        let temporary = PasswordPolicy.generateTemporary(using: &rng)
        let totp = account.role.requiresSecondFactor ? TOTP.generateSecret(using: &rng) : nil
        let hash = try await req.hashing.hash(temporary)
        try await req.db.transaction { db in
            account.passwordHash = hash
            account.mustChangePassword = true
            account.failedAttempts = 0
            account.lockedUntil = nil
            if let totp {
                account.totpSecret = totp.base32Secret
                account.totpLastStep = nil
            }
            try await account.save(on: db)
            try await WebSession.query(on: db).filter(\.$accountID == account.requireID()).delete()
            try await Throttle.clear(.login, subject: account.requireID().uuidString, on: db)
            try await req.audit(user, "account.reset-password", on: db, target: "account", account.id?.uuidString,
                                summary: "重置密码\(totp == nil ? "" : "并重新生成动态口令")：\(account.username)")
        }
        return try await req.render("accounts/issued", title: "密码已重置", IssuedModel(
            heading: "密码已重置", username: account.username, displayName: account.displayName, organization: organizationName,
            temporaryPassword: temporary, totpSecret: totp?.base32Secret,
            totpURI: totp?.provisioningURI(account: account.username, issuer: "SafeCert")))
    }

    static func unlock(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let account = try await scopedAccount(req, user, for: .unlock)
        try await req.db.transaction { db in
            account.failedAttempts = 0
            account.lockedUntil = nil
            try await account.save(on: db)
            try await Throttle.clear(.login, subject: account.requireID().uuidString, on: db)
            try await req.audit(user, "account.unlock", on: db, target: "account", account.id?.uuidString,
                                summary: "解除锁定：\(account.username)")
        }
        try await req.flash(.success, "已解除 \(account.username) 的锁定")
        return req.redirect(to: req.headers.first(name: .referer).flatMap(localPath) ?? SiteURL.accounts.link)
    }

    /// Only same-site paths are followed back (no open redirect through the Referer).
    static func localPath(_ referer: String) -> String? {
        guard let url = URLComponents(string: referer) else { return nil }
        let path = url.path
        guard path.hasPrefix("/"), !path.hasPrefix("//") else { return nil }
        return url.query.map { path + "?" + $0 } ?? path
    }
}
