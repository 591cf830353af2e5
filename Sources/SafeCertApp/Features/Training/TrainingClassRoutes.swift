import Fluent
import SQLKit
import Foundation
import SafeCertCore
import Vapor

/// 开班管理 / 培训班查询 (seed 001 发布培训班通知): the association opens initial classes, the
/// provincial authority re-training, renewal and continuing-education classes; everyone in the
/// flow finds them here.
enum TrainingClassRoutes {
    static func register(_ routes: any RoutesBuilder) {
        routes.page(.classes, .viewClasses, use: list)
        routes.page(.classNew, .manageClasses, use: new)
        routes.action(.classes, .manageClasses, use: create)
        routes.page(.trainingClass(.key), .viewClasses, use: show)
        routes.page(.classEdit(.key), .manageClasses, use: edit)
        routes.action(.trainingClass(.key), .manageClasses, use: update)
        routes.action(.classState(.key), .manageClasses, use: changeState)
    }

    // MARK: List

    struct Row: Encodable, Sendable {
        let code: String
        let name: String
        let type: String
        let qualification: String
        let institution: String
        let dates: String
        let deadline: String
        let places: String
        let fee: String
        let state: String
        let stateKey: String
        let href: String
        let enrolHref: String?
    }

    struct ListModel: Encodable, Sendable {
        let rows: [Row]
        let pagination: Pagination
        let keyword: String
        let typeOptions: [OrganizationForm.Option]
        let stateOptions: [OrganizationForm.Option]
        let qualificationOptions: [OrganizationForm.Option]
        let canManage: Bool
    }

    static func list(_ req: Request, _ user: CurrentUser) async throws -> Response {
        var query = TrainingClass.query(on: req.db).scoped(to: user.scope, role: user.role)
        let keyword = req.queryText("q")
        if let keyword { query = query.group(.or) { $0.filter(\.$name ~~ keyword).filter(\.$code == keyword) } }
        let type = req.queryText("type").flatMap(TrainingClassType.init(rawValue:))
        if let type { query = query.filter(\.$classType == type) }
        let state = req.queryText("state").flatMap(TrainingClassState.init(rawValue:))
        if let state { query = query.filter(\.$state == state) }
        let qualification = req.queryText("qualification")
        if let qualification { query = query.filter(\.$qualificationCode == qualification) }
        let page = try await query.sort(\.$startDate, .descending).sort(\.$id).with(\.$institution).page(for: req)
        let catalogue = try await CatalogueStore.load(on: req.db)
        let counts = try await EnrolmentCounts.taken(classIDs: page.items.compactMap(\.id), on: req.db)
        let mayEnrol = user.may(.enrolPeople) || user.may(.enrolSchoolStudents)
        let rows = try page.items.map { c in
            Row(code: c.code, name: c.name, type: c.classType.label,
                qualification: catalogue.type(code: c.qualificationCode)?.name ?? c.qualificationCode,
                institution: c.institution.name, dates: "\(c.startDate) 至 \(c.endDate)", deadline: c.enrolmentDeadline,
                places: "\(counts[try c.requireID()] ?? 0) / \(c.capacity)", fee: c.feeLabel, state: c.state.label, stateKey: c.state.rawValue,
                href: SiteURL.trainingClass(.id(c.id)).link,
                enrolHref: c.state == .published ? (mayEnrol ? SiteURL.classEnrol(.id(c.id)).link
                                                    : user.may(.enrolSelf) ? SiteURL.enrolSelfClass(.id(c.id)).link : nil) : nil)
        }
        return try await req.render("training/classes", title: user.may(.manageClasses) ? "开班管理" : "培训班查询", ListModel(
            rows: rows,
            pagination: Pagination(metadata: page.metadata, path: SiteURL.classes.link,
                                   filters: [("q", keyword), ("type", type?.rawValue), ("state", state?.rawValue), ("qualification", qualification)]),
            keyword: keyword ?? "",
            typeOptions: TrainingClassType.allCases.map { .init(value: $0.rawValue, label: $0.label, selected: $0 == type) },
            stateOptions: TrainingClassState.allCases.map { .init(value: $0.rawValue, label: $0.label, selected: $0 == state) },
            qualificationOptions: catalogue.types.map { .init(value: $0.code, label: $0.name, selected: $0.code == qualification) },
            canManage: user.may(.manageClasses)))
    }

    // MARK: Form

    struct Form: Encodable, Sendable {
        var name = ""
        var classType = ""
        var qualification = ""
        var institution = ""
        var startDate = ""
        var endDate = ""
        var deadline = ""
        var place = ""
        var capacity = "50"
        var fee = "0"
        var institutionChecksIn = false
        var errors = FieldErrors()

        init() {}

        init(_ c: TrainingClass) {
            name = c.name
            classType = c.classType.rawValue
            qualification = c.qualificationCode
            institution = c.$institution.id.uuidString
            startDate = c.startDate
            endDate = c.endDate
            deadline = c.enrolmentDeadline
            place = c.place
            capacity = String(c.capacity)
            fee = String(format: "%.2f", Double(c.feeFen) / 100)
            institutionChecksIn = c.institutionChecksIn
        }

        static func read(_ req: Request) -> Form {
            var f = Form()
            f.name = req.field("name") ?? ""
            f.classType = req.field("class_type") ?? ""
            f.qualification = req.field("qualification") ?? ""
            f.institution = req.field("institution") ?? ""
            f.startDate = req.field("start_date") ?? ""
            f.endDate = req.field("end_date") ?? ""
            f.deadline = req.field("deadline") ?? ""
            f.place = req.field("place") ?? ""
            f.capacity = req.field("capacity") ?? ""
            f.fee = req.field("fee") ?? ""
            f.institutionChecksIn = req.field("institution_checks_in") != nil
            return f
        }
    }

    struct Validated: Sendable {
        let type: TrainingClassType
        let institution: Organization
        let start: CalendarDate
        let end: CalendarDate
        let deadline: CalendarDate
        let capacity: Int
        let feeFen: Int
    }

    static func validate(_ form: inout Form, _ req: Request, _ user: CurrentUser, catalogue: QualificationCatalogue) async throws -> Validated? {
        if form.name.isEmpty { form.errors.add("name", "请填写培训班名称") } else if form.name.count > 60 { form.errors.add("name", "名称不超过 60 个字") }
        let type = TrainingClassType(rawValue: form.classType)
        if let type {
            do { try TrainingClassWorkflow.checkPublisher(user.role, type: type) } catch { form.errors.add("class_type", error.message) }
        } else {
            form.errors.add("class_type", "请选择培训类型")
        }
        if catalogue.type(code: form.qualification) == nil { form.errors.add("qualification", "请选择资格类型") }
        var institution: Organization?
        if let id = UUID(uuidString: form.institution) {
            institution = try await Organization.find(id, in: user.scope, on: req.db)
            if let found = institution, found.kind != .trainingInstitution { institution = nil }
        }
        if institution == nil { form.errors.add("institution", "请选择本辖区内的培训机构") }
        let start = CalendarDate(iso: form.startDate)
        let end = CalendarDate(iso: form.endDate)
        let deadline = CalendarDate(iso: form.deadline)
        if start == nil { form.errors.add("start_date", "请填写开班日期（YYYY-MM-DD）") }
        if end == nil { form.errors.add("end_date", "请填写结束日期（YYYY-MM-DD）") }
        if deadline == nil { form.errors.add("deadline", "请填写报名截止日期（YYYY-MM-DD）") }
        if let start, let end, end < start { form.errors.add("end_date", "结束日期不能早于开班日期") }
        if let start, let deadline, deadline > start { form.errors.add("deadline", "报名截止日期不能晚于开班日期") }
        if let deadline, deadline < CalendarDate.today(now: req.now) { form.errors.add("deadline", "报名截止日期不能早于今天") }
        if form.place.isEmpty { form.errors.add("place", "请填写培训地点") } else if form.place.count > 120 { form.errors.add("place", "地点不超过 120 个字") }
        let capacity = Int(form.capacity)
        if !(1...2000).contains(capacity ?? 0) { form.errors.add("capacity", "名额须为 1–2000 的整数") }
        let fee = Money.parseFen(form.fee)
        if fee == nil { form.errors.add("fee", "培训费须为不小于 0 的金额，最多两位小数") }
        guard form.errors.isEmpty, let type, let institution, let start, let end, let deadline, let capacity, let fee else { return nil }
        return Validated(type: type, institution: institution, start: start, end: end, deadline: deadline, capacity: capacity, feeFen: fee)
    }

    struct FormModel: Encodable, Sendable {
        let form: Form
        let action: String
        let isNew: Bool
        let typeOptions: [OrganizationForm.Option]
        let qualificationOptions: [OrganizationForm.Option]
        let institutionOptions: [OrganizationForm.Option]
    }

    static func renderForm(_ req: Request, _ user: CurrentUser, form: Form, action: SiteURL, isNew: Bool, status: HTTPStatus = .ok) async throws -> Response {
        let catalogue = try await CatalogueStore.load(on: req.db)
        let institutions = try await Organization.query(on: req.db).scoped(to: user.scope).filter(\.$kind == .trainingInstitution)
            .sort(\.$name).limit(300).all()
        return try await req.render("training/class-form", title: isNew ? "新建培训班" : "修改培训班", FormModel(
            form: form, action: action.link, isNew: isNew,
            typeOptions: TrainingClassType.publishable(by: user.role == .systemAdmin ? .association : user.role)
                .map { .init(value: $0.rawValue, label: $0.label, selected: $0.rawValue == form.classType) },
            qualificationOptions: catalogue.types.map { .init(value: $0.code, label: "\($0.name)（\($0.scheme.label)）", selected: $0.code == form.qualification) },
            institutionOptions: institutions.map { .init(value: try $0.requireID().uuidString, label: $0.name, selected: try $0.requireID().uuidString == form.institution) }),
            status: status)
    }

    static func new(_ req: Request, _ user: CurrentUser) async throws -> Response {
        var form = Form()
        let today = CalendarDate.today(now: req.now)
        form.deadline = today.adding(days: 14).iso
        form.startDate = today.adding(days: 21).iso
        form.endDate = today.adding(days: 25).iso
        form.classType = TrainingClassType.publishable(by: user.role).first?.rawValue ?? ""
        return try await renderForm(req, user, form: form, action: .classes, isNew: true)
    }

    static func create(_ req: Request, _ user: CurrentUser) async throws -> Response {
        var form = Form.read(req)
        let catalogue = try await CatalogueStore.load(on: req.db)
        guard let v = try await validate(&form, req, user, catalogue: catalogue), let publisherID = user.organizationID else {
            return try await renderForm(req, user, form: form, action: .classes, isNew: true, status: .unprocessableEntity)
        }
        let c = TrainingClass()
        c.code = "PX" + CalendarDate.today(now: req.now).iso.replacingOccurrences(of: "-", with: "") + String(Tokens.digits(4))
        c.$publisher.id = publisherID
        try apply(v, form, to: c)
        c.state = .draft
        try await req.db.transaction { db in
            try await c.create(on: db)
            try await req.audit(user, "class.create", on: db, target: "class", c.id?.uuidString, summary: c.auditSummary)
        }
        try await req.flash(.success, "已新建培训班（草稿），核对后请发布")
        return req.redirect(.trainingClass(.id(c.id)))
    }

    /// The form's checked values onto the class (new or draft).
    static func apply(_ v: Validated, _ form: Form, to c: TrainingClass) throws {
        c.name = form.name
        c.classType = v.type
        c.qualificationCode = form.qualification
        c.$institution.id = try v.institution.requireID()
        c.regionCode = v.institution.regionCode
        c.startDate = v.start.iso
        c.endDate = v.end.iso
        c.enrolmentDeadline = v.deadline.iso
        c.place = form.place
        c.capacity = v.capacity
        c.feeFen = v.feeFen
        c.institutionChecksIn = form.institutionChecksIn
    }

    static func editable(_ req: Request, _ user: CurrentUser) async throws -> TrainingClass {
        guard let c = try await TrainingClass.find(try req.idParameter(), for: user, on: req.db) else { throw Abort(.notFound) }
        do { try TrainingClassWorkflow.checkPublisher(user.role, type: c.classType) } catch { throw Abort(.forbidden, reason: error.message) }
        return c
    }

    static func edit(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let c = try await editable(req, user)
        guard c.state == .draft else {
            try await req.flash(.error, TrainingClassError.notEditable(c.state).message)
            return req.redirect(.trainingClass(.id(c.id)))
        }
        return try await renderForm(req, user, form: Form(c), action: .trainingClass(.id(c.id)), isNew: false)
    }

    static func update(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let c = try await editable(req, user)
        guard c.state == .draft else { throw Abort(.conflict, reason: TrainingClassError.notEditable(c.state).message) }
        var form = Form.read(req)
        let catalogue = try await CatalogueStore.load(on: req.db)
        guard let v = try await validate(&form, req, user, catalogue: catalogue) else {
            return try await renderForm(req, user, form: form, action: .trainingClass(.id(c.id)), isNew: false, status: .unprocessableEntity)
        }
        try apply(v, form, to: c)
        try await req.db.transaction { db in
            try await c.save(on: db)
            try await req.audit(user, "class.update", on: db, target: "class", c.id?.uuidString, summary: c.auditSummary)
        }
        try await req.flash(.success, "已保存")
        return req.redirect(.trainingClass(.id(c.id)))
    }

    static func changeState(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let c = try await editable(req, user)
        guard let event = req.field("event").flatMap(TrainingClassEvent.init(rawValue:)) else { throw Abort(.badRequest, reason: "未知的操作") }
        let checkedIn = try await Enrolment.query(on: req.db).filter(\.$trainingClass.$id == c.requireID())
            .filter(\.$state ~~ [.inTraining, .trainingRecorded, .trained]).count()
        do {
            c.state = try TrainingClassWorkflow.transition(c.state, event, checkedIn: event == .cancel ? checkedIn : 0)
        } catch {
            try await req.flash(.error, error.message)
            return req.redirect(.trainingClass(.id(c.id)))
        }
        try await req.db.transaction { db in
            try await c.save(on: db)
            try await req.audit(user, "class.\(event.rawValue)", on: db, target: "class", c.id?.uuidString, summary: c.auditSummary)
        }
        try await req.flash(.success, "培训班已\(event.label)")
        return req.redirect(.trainingClass(.id(c.id)))
    }

    // MARK: Detail

    struct StateCount: Encodable, Sendable {
        let label: String
        let count: Int
        let href: String
    }

    struct EventButton: Encodable, Sendable {
        let event: String
        let label: String
        let danger: Bool
    }

    struct DetailModel: Encodable, Sendable {
        let id: String
        let fields: [PersonRoutes.ComparedField]
        let state: String
        let stateKey: String
        let counts: [StateCount]
        let events: [EventButton]
        let canEdit: Bool
        let editHref: String
        let stateAction: String
        let enrolHref: String?
        let batchHref: String?
        let selfEnrolHref: String?
        let resultsHref: String?
        let enrolmentsHref: String
    }

    static func show(_ req: Request, _ user: CurrentUser) async throws -> Response {
        guard let c = try await TrainingClass.find(try req.idParameter(), for: user, on: req.db) else { throw Abort(.notFound) }
        try await c.$institution.load(on: req.db)
        try await c.$publisher.load(on: req.db)
        let catalogue = try await CatalogueStore.load(on: req.db)
        let fields: [(String, String)] = [
            ("班级编号", c.code), ("培训班名称", c.name), ("培训类型", c.classType.label),
            ("资格类型", catalogue.type(code: c.qualificationCode)?.name ?? c.qualificationCode),
            ("培训机构", c.institution.name), ("发布单位", c.publisher.name),
            ("培训时间", "\(c.startDate) 至 \(c.endDate)"), ("报名截止", c.enrolmentDeadline), ("培训地点", c.place),
            ("名额", "\(c.capacity) 人"), ("培训费", c.feeLabel), ("报到", c.institutionChecksIn ? "由培训机构办理" : "由协会办理"),
        ]
        // Counts by state inside the account's scope only.
        let visible = try await Enrolment.query(on: req.db).scoped(to: user.scope).filter(\.$trainingClass.$id == c.requireID())
            .field(\.$state).all()
        var byState: [EnrolmentState: Int] = [:]
        for e in visible { byState[e.state, default: 0] += 1 }
        let counts = try EnrolmentState.allCases.compactMap { s -> StateCount? in
            guard let n = byState[s] else { return nil }
            return StateCount(label: s.label, count: n, href: SiteURL.enrolments.link + "?class=\(try c.requireID().uuidString)&state=\(s.rawValue)")
        }
        let mayPublish = user.may(.manageClasses) && (try? TrainingClassWorkflow.checkPublisher(user.role, type: c.classType)) != nil
        let isOwnInstitution = user.organizationID == c.$institution.id
        let open = c.state == .published
        return try await req.render("training/class", title: c.name, DetailModel(
            id: c.requireID().uuidString,
            fields: fields.map { .init(label: $0.0, old: $0.1, new: $0.1, changed: false) },
            state: c.state.label, stateKey: c.state.rawValue, counts: counts,
            events: mayPublish ? TrainingClassWorkflow.events(from: c.state).map { .init(event: $0.rawValue, label: $0.label, danger: $0 == .cancel) } : [],
            canEdit: mayPublish && c.state == .draft, editHref: SiteURL.classEdit(.id(c.id)).link, stateAction: SiteURL.classState(.id(c.id)).link,
            enrolHref: open && (user.may(.enrolPeople) || user.may(.enrolSchoolStudents)) ? SiteURL.classEnrol(.id(c.id)).link : nil,
            batchHref: open && (user.may(.enrolPeople) || user.may(.enrolSchoolStudents)) ? SiteURL.classEnrolBatch(.id(c.id)).link : nil,
            selfEnrolHref: open && user.may(.enrolSelf) ? SiteURL.enrolSelfClass(.id(c.id)).link : nil,
            resultsHref: user.may(.recordTrainingResults) && isOwnInstitution ? SiteURL.classResults(.id(c.id)).link : nil,
            enrolmentsHref: SiteURL.enrolments.link + "?class=\(c.requireID().uuidString)"))
    }
}

enum EnrolmentCounts {
    /// Places taken per class: every enrolment still in progress, counted by the database.
    static func taken(classIDs: [UUID], on db: any Database) async throws -> [UUID: Int] {
        guard !classIDs.isEmpty, let sql = db as? any SQLDatabase else { return [:] }
        struct Row: Decodable { let class_id: UUID; let n: Int }
        let rows = try await sql.select().column("class_id").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from(Enrolment.schema)
            .where("class_id", .in, classIDs)
            .where("state", .in, EnrolmentState.inProgress.map(\.rawValue))
            .groupBy("class_id")
            .all(decoding: Row.self)
        return Dictionary(rows.map { ($0.class_id, $0.n) }, uniquingKeysWith: +)
    }
}
