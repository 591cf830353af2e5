import Fluent
import Foundation
import SafeCertCore
import Vapor

/// 个人注册 and 个人信息维护 (seed 002 2.1): an individual registers with ID number, name, phone
/// and an SMS code, then logs in with the ID number and keeps their own data and photo (2.1.6:
/// "每个考生登录到系统，可以对本人的相关信息进行维护修改"). The document itself stays as registered;
/// an edit of an approved record waits for the authority like an enterprise's (seed 003:
/// "已审核的学员不可修改" directly).
enum SelfServiceRoutes {
    static func register(_ routes: any RoutesBuilder) {
        routes.publicPage(.register, use: showRegister)
        routes.publicAction(.registerSMS, use: sendCode)
        routes.publicAction(.register, use: registerPerson)
        routes.page(.me, .manageOwnProfile, use: me)
        routes.page(.meEdit, .manageOwnProfile, use: editOwn)
        routes.action(.me, .manageOwnProfile, use: updateOwn)
        routes.upload(.mePhoto, .manageOwnProfile, maxBody: "3mb", use: uploadOwnPhoto)
    }

    struct RegisterModel: Encodable, Sendable {
        var idNumber = ""
        var name = ""
        var phone = ""
        var regionCode = ""
        var regionOptions: [OrganizationForm.Option] = []
        var errors = FieldErrors()
        var rules = LoginRoutes.passwordRules
        var codeSent = false
    }

    static func regionOptions(selected: String) -> [OrganizationForm.Option] { Choices.regions(selected: selected) }

    static func readModel(_ req: Request) -> RegisterModel {
        var model = RegisterModel(idNumber: req.field("id_number") ?? "", name: req.field("name") ?? "",
                                  phone: req.field("phone") ?? "", regionCode: req.field("region_code") ?? "")
        model.regionOptions = regionOptions(selected: model.regionCode)
        model.codeSent = req.webSession?.smsSentAt != nil
        return model
    }

    static func showRegister(_ req: Request) async throws -> Response {
        if req.currentUser != nil { return req.redirect(.home) }
        var model = RegisterModel()
        model.regionOptions = regionOptions(selected: "")
        return try await req.render("people/register", title: "个人注册", model)
    }

    /// Sends the code to the phone typed; the session remembers the hash of phone and code.
    static func sendCode(_ req: Request) async throws -> Response {
        var model = readModel(req)
        let session = try await req.ensureSession()
        let phone: PhoneNumber
        do { phone = try PhoneNumber(model.phone) } catch {
            model.errors.add("phone", error.message)
            return try await req.render("people/register", title: "个人注册", model, status: .unprocessableEntity)
        }
        let now = req.now
        if let sent = session.smsSentAt, now.timeIntervalSince(sent) < LoginPolicy.standard.smsResendInterval {
            model.errors.add("sms", "验证码已发送，请 60 秒后再重新获取")
            return try await req.render("people/register", title: "个人注册", model, status: .tooManyRequests)
        }
        var rng = SystemRandomNumberGenerator()
        let code = String(format: "%06d", Int.random(in: 0...999_999, using: &rng))
        do {
            try await VerificationSMS.checkAddress(req.clientIP, phone: phone.value, on: req.db, now: now)
            try await req.db.transaction { db in
                session.smsCodeHash = Tokens.sha256(phone.value + ":" + code)
                session.smsSentAt = now
                try await session.save(on: db)
                try await VerificationSMS.send(to: phone.value, text: "【SafeCert】您的注册验证码为 \(code)，5 分钟内有效。",
                                               on: db, gateway: req.appServices.sms, now: now)
            }
        } catch let abort as Abort where abort.status == .tooManyRequests {
            model.errors.add("sms", abort.reason)
            return try await req.render("people/register", title: "个人注册", model, status: .tooManyRequests)
        }
        model.codeSent = true
        return try await req.render("people/register", title: "个人注册", model)
    }

    /// The SMS code is checked before anything else, and the register is looked at only once
    /// it is right: a wrong code tells nothing about an ID number. A right code is never blamed
    /// for another field: the error goes on that field and the code stays valid for the
    /// corrected form.
    static func registerPerson(_ req: Request) async throws -> Response {
        var model = readModel(req)
        let session = try await req.ensureSession()
        let now = req.now
        let password = (try? req.content.get(String.self, at: "password")) ?? ""
        let confirm = (try? req.content.get(String.self, at: "confirm")) ?? ""
        let code = try await checkCode(req, session, now: now, &model)
        let draft = validateRegistration(&model, password: password, confirm: confirm, today: CalendarDate.today(now: now))
        if code.valid, let draft, try await Person.holding(draft.identity.type, draft.identity.number, on: req.db) != nil {
            model.errors.add("id_number", "该证件号码已登记。如需登录账号，请联系所在单位或管理部门；忘记密码请联系管理部门重置。")
        }
        guard code.valid, model.errors.isEmpty, let draft else {
            return try await req.render("people/register", title: "个人注册", model, status: code.status)
        }
        let hash = try await req.hashing.hash(password)
        let person = Person(draft: draft, regionCode: model.regionCode, employerID: nil, registeredByID: nil)
        try await req.db.transaction { db in
            try await person.create(on: db)
            let account = Account(username: draft.identity.number, displayName: draft.name, passwordHash: hash, role: .individual,
                                  phone: draft.phone.value, organizationID: nil, personID: person.id, mustChangePassword: false)
            try await account.create(on: db)
            session.smsCodeHash = nil
            try await session.save(on: db)
            try await Audit.record(on: db, actor: .init(accountID: account.id, name: "\(draft.name)（本人注册）", organizationID: nil,
                                                        organizationName: "个人", ip: req.clientIP),
                                   action: "person.self-register", targetType: "person", targetID: person.id?.uuidString,
                                   summary: "个人注册：\(person.auditSummary)", at: now)
        }
        try await req.flash(.success, "注册成功，请使用证件号码登录。您的信息待管理部门审批。")
        return req.redirect(.login)
    }

    /// The SMS code for the typed phone number; a refusal (too many tries) answers 429.
    private static func checkCode(_ req: Request, _ session: WebSession, now: Date,
                                  _ model: inout RegisterModel) async throws -> (valid: Bool, status: HTTPStatus) {
        let phone: PhoneNumber
        do throws(PhoneNumberError) { phone = try PhoneNumber(model.phone) } catch {
            model.errors.add("phone", error.message)
            return (false, .unprocessableEntity)
        }
        switch try await VerificationSMS.check(req.field("sms") ?? "", hash: { Tokens.sha256(phone.value + ":" + $0) },
                                               session: session, phone: phone.value, address: req.clientIP, on: req.db, now: now) {
        case .valid: return (true, .unprocessableEntity)
        case .wrong: model.errors.add("sms", "短信验证码错误或已过期")
        case .missing: model.errors.add("sms", "请先获取短信验证码")
        case .refused(let reason):
            model.errors.add("sms", reason)
            return (false, .tooManyRequests)
        }
        return (false, .unprocessableEntity)
    }

    /// The person's fields, region and password; problems go on their fields.
    private static func validateRegistration(_ model: inout RegisterModel, password: String, confirm: String,
                                             today: CalendarDate) -> PersonDraft? {
        var form = PersonForm()
        form.idNumber = model.idNumber
        form.name = model.name
        form.phone = model.phone
        let draft = form.validate(today: today)
        for (field, message) in form.errors.messages where ["id_number", "name", "phone"].contains(field) {
            model.errors.add(field, message)
        }
        if RegionCatalog.shared.region(code: model.regionCode) == nil { model.errors.add("region_code", "请选择所在地区") }
        if let draft, let problem = PasswordPolicy().violations(password: password, username: draft.identity.number).first {
            model.errors.add("password", problem)
        }
        if password != confirm { model.errors.add("confirm", "两次输入的密码不一致") }
        return draft
    }

    struct MeModel: Encodable, Sendable {
        let fields: [PersonRoutes.ComparedField]
        let status: String
        let statusKey: String
        let statusReason: String?
        let employer: String
        let photo: String?
        let pendingComparison: [PersonRoutes.ComparedField]
        let canEdit: Bool
        let editHref: String
        let photoAction: String
    }

    static func ownPerson(_ req: Request, _ user: CurrentUser) async throws -> Person {
        guard case .person(let id) = user.scope, let person = try await Person.find(id, in: user.scope, on: req.db) else {
            throw Abort(.notFound)
        }
        return person
    }

    static func meModel(_ person: Person, on db: any Database) async throws -> MeModel {
        let pending = try await PersonChange.query(on: db).filter(\.$person.$id == person.requireID()).filter(\.$status == .pending)
            .filter(\.$kind == .edit).first()
        return MeModel(fields: PersonSnapshot.comparison(person.snapshot, person.snapshot), status: person.status.label,
                       statusKey: person.status.rawValue, statusReason: person.statusReason,
                       employer: try await person.$employer.get(on: db)?.name ?? "个人注册",
                       photo: person.hasPhoto ? SiteURL.personPhoto(.id(person.id)).link : nil,
                       pendingComparison: pending?.proposed.map { PersonSnapshot.comparison(person.snapshot, $0).filter(\.changed) } ?? [],
                       canEdit: person.status != .cancelled, editHref: SiteURL.meEdit.link, photoAction: SiteURL.mePhoto.link)
    }

    static func me(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let person = try await ownPerson(req, user)
        return try await req.render("people/me", title: "个人信息", try await meModel(person, on: req.db))
    }

    /// The person form for the person: everything but the document, which stays as registered.
    static func ownForm(_ person: Person, on db: any Database) async throws -> PersonForm {
        var form = try await PersonRoutes.editForm(person, on: db)
        form.id = nil
        form.documentLocked = true
        form.action = SiteURL.me.link
        form.back = SiteURL.me.link
        form.idType = person.idType.rawValue
        form.idNumber = Masking.idNumber(person.idNumber)
        return form
    }

    static func editOwn(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let person = try await ownPerson(req, user)
        var form = try await ownForm(person, on: req.db)
        form.fillOptions()
        return try await req.render("people/form", title: "修改个人信息", form)
    }

    /// 个人信息维护: the form as the unit's, judged the same way, saved by the same workflow.
    static func updateOwn(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let person = try await ownPerson(req, user)
        var form = PersonForm.read(req)
        // The document is the person's registration: never taken from the request.
        form.idType = person.idType.rawValue
        form.idNumber = person.idNumber
        if person.idType.derivesGenderAndBirthDate {
            form.gender = ""
            form.birthDate = ""
        }
        form.employerCreditCode = ""
        let draft = form.validate(today: CalendarDate.today(now: req.now))
        form.documentLocked = true
        form.action = SiteURL.me.link
        form.back = SiteURL.me.link
        form.idNumber = Masking.idNumber(person.idNumber)
        guard form.errors.isEmpty, let draft else {
            form.fillOptions()
            return try await req.render("people/form", title: "修改个人信息", form, status: .unprocessableEntity)
        }
        let outcome: PersonRoutes.EditOutcome
        do {
            outcome = try await PersonRoutes.saveEdit(person, draft: draft, requestedBy: "本人 \(user.displayName)", organizationID: nil,
                                                      actor: req.auditActor(user), now: req.now, on: req.db)
        } catch let refusal as PersonRoutes.EditRefusal {
            throw Abort(.conflict, reason: refusal.message)
        }
        // A record not yet approved changes at once: the login's phone follows.
        if case .saved = outcome {
            try await Account.query(on: req.db).filter(\.$id == user.accountID).set(\.$phone, to: person.phone).update()
        }
        try await req.flash(.success, outcome.message)
        return req.redirect(.me)
    }

    /// 上传一寸照片 by the person: checked like every photo, audited.
    static func uploadOwnPhoto(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let person = try await ownPerson(req, user)
        guard person.status != .cancelled else { throw Abort(.conflict, reason: "人员已注销，不能上传照片") }
        guard let file = req.uploadedFile("photo"), file.data.readableBytes > 0 else {
            try await req.flash(.error, "照片：请选择要上传的照片文件")
            return req.redirect(.me)
        }
        switch try await PersonPhotoRoutes.store(Data(file.data.readableBytesView), for: person, on: req.db, pool: req.application.documentPool,
                                                 audit: .init(actor: req.auditActor(user), note: "本人", at: req.now)) {
        case .failure(let error): try await req.flash(.error, "照片：" + error.message)
        case .success: try await req.flash(.success, "照片已上传")
        }
        return req.redirect(.me)
    }
}
