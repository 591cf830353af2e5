import Fluent
import Foundation
import SafeCertCore
import Vapor

/// 首页: a home page per role with the figures that role watches.
enum HomeRoutes {
    static func register(_ routes: any RoutesBuilder) {
        routes.page(.home, .viewHome, use: home)
        routes.publicPage(.smsOutbox, use: smsOutbox)
    }

    struct Card: Encodable, Sendable {
        let label: String
        let value: String
        let href: String?
    }

    struct HomeModel: Encodable, Sendable {
        let greeting: String
        let role: String
        let organization: String
        let region: String
        let lastLogin: String
        let cards: [Card]
        let shortcuts: [MenuItem]
    }

    static func home(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let account = try await Account.find(user.accountID, on: req.db)
        var cards = try await organizationCards(req, user) + administrationCards(req, user)
        cards += try await TrainingTodos.cards(req, user)
        cards += try await ExamTodos.cards(req, user)
        var organization = user.organizationName
        if let personID = user.personID, let person = try await Person.find(personID, on: req.db) {
            cards.append(Card(label: "姓名", value: person.name, href: nil))
            cards.append(Card(label: person.idType == .residentID ? "身份证号" : person.idType.label, value: Masking.idNumber(person.idNumber), href: nil))
            cards.append(Card(label: "手机号", value: Masking.phone(person.phone), href: nil))
            // An individual's unit is their employer, if any — never their own name.
            organization = try await person.$employer.get(on: req.db)?.name ?? "个人注册"
        }
        let shortcuts = Menu.sections(for: user.role, currentPath: "").flatMap(\.items).filter { $0.href != "/" }
        return try await req.render("home/home", title: "首页", HomeModel(
            greeting: "欢迎您，\(user.displayName)", role: user.role.label, organization: organization,
            region: RegionCatalog.shared.fullName(code: user.regionCode),
            lastLogin: account?.previousLoginAt.map(ChinaTime.format) ?? "首次登录", cards: cards, shortcuts: shortcuts))
    }

    /// The units in scope; a plain enterprise is one unit: its own, not a group's count.
    private static func organizationCards(_ req: Request, _ user: CurrentUser) async throws -> [Card] {
        guard user.may(.viewOrganizations) else { return [] }
        var own: Organization?
        if user.role == .enterprise, let id = user.organizationID { own = try await Organization.find(id, on: req.db) }
        if let own, !own.isGroup {
            return [Card(label: "本单位", value: own.name, href: SiteURL.myOrganization.link)]
        }
        let count = try await Organization.query(on: req.db).scoped(to: user.scope).count()
        let enterprises = try await Organization.query(on: req.db).scoped(to: user.scope).filter(\.$kind == .enterprise).count()
        return [Card(label: user.role == .enterprise ? "本集团单位数" : "管辖单位数", value: String(count), href: SiteURL.organizations.link),
                Card(label: "企业数", value: String(enterprises), href: SiteURL.organizations.link + "?kind=enterprise")]
    }

    /// Accounts, today's audit entries and API keys, for those who keep them.
    private static func administrationCards(_ req: Request, _ user: CurrentUser) async throws -> [Card] {
        var cards: [Card] = []
        if user.may(.viewAccounts) {
            let count = try await Account.query(on: req.db).scoped(to: user.scope).count()
            cards.append(Card(label: "用户数", value: String(count), href: SiteURL.accounts.link))
            let locked = try await Account.query(on: req.db).scoped(to: user.scope).filter(\.$lockedUntil > req.now).count()
            cards.append(Card(label: "锁定中的账号", value: String(locked), href: SiteURL.accounts.link + "?locked=1"))
        }
        if user.may(.viewAuditLog) {
            let today = CalendarDate.today(now: req.now)
            let count = try await AuditEntry.query(on: req.db).filter(\.$at >= ChinaTime.startOfDay(today)).count()
            cards.append(Card(label: "今日审计记录", value: String(count), href: SiteURL.audit.link + "?from=" + today.iso))
        }
        if user.may(.manageAPIKeys) {
            let count = try await APIKey.query(on: req.db).filter(\.$revokedAt == nil).count()
            cards.append(Card(label: "有效接口密钥", value: String(count), href: SiteURL.apiKeys.link))
        }
        return cards
    }

    struct OutboxModel: Encodable, Sendable {
        struct Message: Encodable, Sendable { let at: String; let phone: String; let text: String }
        let messages: [Message]
        let totpCode: String
        let totpSecret: String
        let secondsLeft: Int
    }

    /// Demo mode only: the SMS messages the outbox gateway "sent", and the current dynamic code
    /// of the demo accounts, so the README alone gets a visitor through the second step.
    static func smsOutbox(_ req: Request) async throws -> Response {
        guard req.application.settings.demoMode else { throw Abort(.notFound) }
        let messages = try await SMSMessage.query(on: req.db).sort(\.$createdAt, .descending).limit(20).all()
        let totp = TOTP(base32: DemoSeed.totpSecret)!
        let now = req.now
        return try await req.render("demo/outbox", title: "演示短信发件箱", OutboxModel(
            messages: messages.map { .init(at: ChinaTime.format($0.createdAt), phone: $0.phone, text: $0.text) },
            totpCode: totp.code(at: now), totpSecret: DemoSeed.totpSecret,
            secondsLeft: 30 - Int(now.timeIntervalSince1970) % 30))
    }
}
