import Fluent
import Foundation
import SafeCertCore
import SafeCertDocuments
import Vapor

/// 人员信息管理 (seed 001, 002, 003): the registry of people, their approval by the authority of
/// their region, edits that go back for approval, cancellation, and changes of unit.
enum PersonRoutes {
    static func register(_ routes: any RoutesBuilder) {
        routes.page(.people, .viewPeople, use: list)
        routes.page(.peopleExport, .viewPeople, use: export)
        routes.page(.peopleReview, .approvePeople, use: review)
        routes.page(.peopleReviewExport, .approvePeople, use: reviewExport)
        routes.action(.peopleReviewDecide, .approvePeople, use: reviewDecide)
        routes.page(.personNew, .registerPeople, use: new)
        routes.action(.people, .registerPeople, use: create)
        routes.page(.peopleTransfer, .requestPersonTransfer, use: showTransfer)
        routes.action(.peopleTransfer, .requestPersonTransfer, use: requestTransfer)
        routes.page(.person(.key), .viewPeople, use: show)
        routes.page(.personEdit(.key), .registerPeople, use: edit)
        routes.action(.person(.key), .registerPeople, use: update)
        routes.action(.personApprove(.key), .approvePeople, use: approve)
        routes.action(.personReturn(.key), .approvePeople, use: returnForCorrection)
        routes.action(.personChangeDecide(.key), .approvePeople, use: decideChange)
        routes.action(.personCancel(.key), .cancelPeople, use: cancel)
        routes.action(.personUnit(.key), .changePersonUnit, use: changeUnit)
    }

    // MARK: List and export

    struct Row: Encodable, Sendable {
        let id: String
        let name: String
        let gender: String
        let idNumber: String
        let phone: String
        let employer: String
        let status: String
        let statusKey: String
        let thumbnail: String?
        let href: String
    }

    struct ListModel: Encodable, Sendable {
        let rows: [Row]
        let pagination: Pagination
        let filters: Filters
        let statusOptions: [OrganizationForm.Option]
        let regionOptions: [OrganizationForm.Option]
        let exportParts: [OrganizationForm.Option]
        let canRegister: Bool
        let canImport: Bool
        let canTransfer: Bool
    }

    struct Filters: Encodable, Sendable {
        var name = ""
        var idNumber = ""
        var enterprise = ""
        var region = ""
        var status = ""

        var pairs: [(String, String?)] {
            [("name", name.nilIfEmpty), ("id_number", idNumber.nilIfEmpty), ("enterprise", enterprise.nilIfEmpty),
             ("region", region.nilIfEmpty), ("status", status.nilIfEmpty)]
        }

        /// The filters as the audit log records them (an ID number masked).
        var auditText: String {
            Audit.filterText([("姓名", name), ("证件号码", idNumber.isEmpty ? "" : Masking.idNumber(idNumber)), ("所在单位", enterprise),
                              ("地区", region.isEmpty ? "" : RegionCatalog.shared.fullName(code: region)),
                              ("状态", PersonStatus(rawValue: status)?.label ?? "")])
        }
    }

    /// Who exports, for `Masking.exportPolicy`: an authority keeps the register of its region;
    /// a unit keeps the records it registered or employs (a group also its branches').
    static func exportViewer(_ user: CurrentUser) -> Masking.ExportViewer {
        var units: Set<UUID> = []
        if case .organizations(let ids) = user.scope { units = Set(ids) }
        return Masking.ExportViewer(keepsRegister: user.may(.viewFullPersonalData), organizationIDs: units)
    }

    /// One person's ID number and phone as an export shows them to this viewer.
    static func exported(_ p: Person.ExportRow, for viewer: Masking.ExportViewer) -> (idNumber: String, phone: String, full: Bool) {
        switch Masking.exportPolicy(viewer: viewer, owner: p.recordOwner) {
        case .full: return (p.idNumber, p.phone, true)
        case .masked: return (Masking.idNumber(p.idNumber), Masking.phone(p.phone), false)
        }
    }

    static func exposureNote(_ fullCount: Int, of total: Int) -> String {
        fullCount == total ? "完整信息" : fullCount == 0 ? "证件号码和手机号脱敏" : "本单位人员完整、其他人员脱敏"
    }


    /// The people list's query with its filters, inside the account's scope. Export uses it too.
    static func filteredQuery(_ req: Request, _ user: CurrentUser) async throws -> (QueryBuilder<Person>, Filters) {
        try await filteredQuery(req, user, scoped: true)
    }

    /// `scoped: false` leaves the account's scope out — only for `Person.unitPage`, which puts a
    /// unit's scope on each of its two sides itself.
    private static func filteredQuery(_ req: Request, _ user: CurrentUser, scoped: Bool) async throws -> (QueryBuilder<Person>, Filters) {
        var filters = Filters()
        let narrowed = req.queryText("region").flatMap { user.scope.narrowed(toRegionPrefix: Region.scopePrefix(of: $0)) }
        let selective = req.queryText("id_number") != nil || req.queryText("enterprise") != nil
        var query = Person.query(on: req.db)
        if scoped { query = query.scoped(to: narrowed ?? user.scope, regionIndexed: !selective) }
        if let name = req.queryText("name") {
            filters.name = name
            query = query.named(name, in: user.scope)
        }
        if let number = req.queryText("id_number") {
            filters.idNumber = number
            query = query.filter(\.$idNumber == TextNormalizationBridge.idNumber(number))
        }
        if let enterprise = req.queryText("enterprise") {
            filters.enterprise = enterprise
            let code = (try? CreditCode.parse(enterprise))?.value
            var orgs = Organization.query(on: req.db).filter(\.$kind == .enterprise)
            orgs = code.map { orgs.filter(\.$creditCode == $0) } ?? orgs.filter(\.$name ~~ enterprise)
            let ids = try await orgs.limit(500).all(\.$id)
            query = query.filter(\.$employer.$id ~~ ids)
        }
        if let region = req.queryText("region") {
            filters.region = region
            if narrowed == nil { query = query.region(of: Person.self, within: Region.scopePrefix(of: region)) }
        }
        if let status = req.queryText("status").flatMap(PersonStatus.init(rawValue:)) {
            filters.status = status.rawValue
            query = query.status(status, indexed: !selective && user.scope.isRegional)
        }
        return (query, filters)
    }

    static func employerNames(_ people: [Person], on db: any Database) async throws -> [UUID: String] {
        let ids = Array(Set(people.compactMap { $0.$employer.id }))
        guard !ids.isEmpty else { return [:] }
        let orgs = try await Organization.query(on: db).filter(\.$id ~~ ids).all()
        return Dictionary(try orgs.map { (try $0.requireID(), $0.name) }, uniquingKeysWith: { a, _ in a })
    }

    static func list(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let (query, filters) = try await filteredQuery(req, user)
        var unitItems: ((Range<Int>) async throws -> [Person])?
        if case .organizations(let units) = user.scope, units.count == 1, filters.idNumber == nil {
            // A unit's list: each page merged from its employed and its registered people in name
            // order. One unit only: for a group with its branches (several ids) each side would be
            // an IN over several index ranges, no longer in order, and the plain OR query stays.
            let unscoped = try await filteredQuery(req, user, scoped: false).0
            unitItems = { range in try await unscoped.copy().unitPage(units, range) }
        }
        let (page, capped) = try await query.sort(\.$name).sort(\.$id).cappedPage(for: req, items: unitItems)
        let names = try await employerNames(page.items, on: req.db)
        let rows = try page.items.map { p in
            Row(id: try p.requireID().uuidString, name: p.name, gender: p.genderLabel, idNumber: Masking.idNumber(p.idNumber),
                phone: Masking.phone(p.phone), employer: p.$employer.id.flatMap { names[$0] } ?? "个人注册",
                status: p.status.label, statusKey: p.status.rawValue,
                thumbnail: p.hasPhoto ? SiteURL.personThumbnail(.id(p.id)).link : nil, href: SiteURL.person(.id(p.id)).link)
        }
        return try await req.render("people/list", title: "人员信息管理", ListModel(
            rows: rows,
            pagination: Pagination(metadata: page.metadata, path: SiteURL.people.link, filters: filters.pairs, capped: capped),
            filters: filters,
            statusOptions: PersonStatus.allCases.map { .init(value: $0.rawValue, label: $0.label, selected: $0.rawValue == filters.status) },
            regionOptions: user.may(.viewFullPersonalData) || user.role == .association ? Choices.regions(for: user, selected: filters.region) : [],
            exportParts: ExportParts.options(path: SiteURL.peopleExport.link, filters: filters.pairs, total: page.metadata.total, capped: capped),
            canRegister: user.may(.registerPeople), canImport: user.may(.importPeople), canTransfer: user.may(.requestPersonTransfer)))
    }

    /// .xlsx of the filtered list, 5,000 rows a part (seed 004). ID numbers and phones in full for
    /// the data's owner (the authority, the unit keeping the record), masked for anyone else
    /// (`Masking.exportPolicy`); every export is audited with its filters and row count.
    static func export(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let part = req.exportPart()
        let (query, filters) = try await filteredQuery(req, user)
        let people = try await query.sort(\.$name).sort(\.$id).range(ExportParts.range(part: part))
            .plainRows(Person.ExportRow.fields, Person.ExportRow.init)
        let names = try await Organization.names(people.map(\.employerID), on: req.db)
        let viewer = exportViewer(user)
        var fullCount = 0
        let rows: [[String?]] = people.map { p in
            let shown = exported(p, for: viewer)
            if shown.full { fullCount += 1 }
            return [p.name, p.genderLabel, p.idType?.label, shown.idNumber, p.birthDate, shown.phone, p.ethnicGroup, p.education,
                    p.employerID.flatMap { names[$0] } ?? "个人注册", p.status?.label]
        }
        let data = try await req.application.documentPool.run {
            try exportWorkbook(rows)
        }
        try await req.audit(user, "person.export", target: "person", nil,
                            summary: "导出人员信息第 \(part) 部分：\(rows.count) 条；条件：\(filters.auditText)；\(exposureNote(fullCount, of: rows.count))")
        return xlsxResponse(data, fileName: "人员信息-\(part).xlsx")
    }

    static func exportWorkbook(_ rows: [[String?]]) throws -> Data {
        let writer = XLSXWriter(sheetName: "人员信息", columns: [
            XLSXColumn(title: "姓名", width: 12), XLSXColumn(title: "性别", width: 6), XLSXColumn(title: "证件类型", width: 14),
            XLSXColumn(title: "证件号码", width: 22), XLSXColumn(title: "出生日期", width: 12), XLSXColumn(title: "手机号码", width: 14),
            XLSXColumn(title: "民族", width: 8), XLSXColumn(title: "学历", width: 14), XLSXColumn(title: "所在单位", width: 30),
            XLSXColumn(title: "状态", width: 8),
        ])
        for row in rows { writer.append(row) }
        return try writer.finish()
    }

    // MARK: Register

    static func new(_ req: Request, _ user: CurrentUser) async throws -> Response {
        var form = PersonForm()
        form.action = SiteURL.people.link
        form.asksEmployer = user.role == .trainingInstitution
        form.fillOptions()
        return try await req.render("people/form", title: "人员录入", form)
    }

    static func create(_ req: Request, _ user: CurrentUser) async throws -> Response {
        var form = PersonForm.read(req)
        form.action = SiteURL.people.link
        form.asksEmployer = user.role == .trainingInstitution
        let today = CalendarDate.today(now: req.now)
        let draft = form.validate(today: today)
        guard let importerID = user.organizationID, let importer = try await Organization.find(importerID, on: req.db) else { throw Abort(.forbidden) }
        var employer: EmployerResolver.Employer?
        if let draft {
            employer = try await resolveEmployer(draft, importer: importer, &form, on: req.db)
            try await noteRegistered(draft, &form, req, user)
        }
        guard form.errors.isEmpty, let draft, let employer else {
            form.fillOptions()
            return try await req.render("people/form", title: "人员录入", form, status: .unprocessableEntity)
        }
        let person = Person(draft: draft, regionCode: employer.regionCode, employerID: employer.id, registeredByID: importerID)
        do {
            try await req.db.transaction { db in
                try await person.create(on: db)
                try await req.audit(user, "person.register", on: db, target: "person", person.id?.uuidString,
                                    summary: "录入：\(person.auditSummary)")
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Registered by someone else in the same instant.
            form.errors.add("id_number", "该\(draft.identity.type.label)号码已登记")
            form.fillOptions()
            return try await req.render("people/form", title: "人员录入", form, status: .conflict)
        }
        try await req.flash(.success, "已录入「\(person.name)」，待管理部门审批")
        return req.redirect(.person(.id(person.id)))
    }

    /// The unit the person works for, as the form names it (or the enterprise itself).
    private static func resolveEmployer(_ draft: PersonDraft, importer: Organization, _ form: inout PersonForm,
                                        on db: any Database) async throws -> EmployerResolver.Employer? {
        let branches = try await Organization.query(on: db).filter(\.$parent.$id == importer.requireID()).all(\.$id)
        var resolver = EmployerResolver(importer: importer, branchIDs: Set(branches))
        switch try await resolver.resolve(draft.employerCreditCode, on: db) {
        case .success(let e): return e
        case .failure(let reason):
            form.errors.add("employer_credit_code", reason)
            return nil
        }
    }

    /// A document already registered: where the person stands is told only inside the user's
    /// own scope; outside it, the way to ask for the person (申请调入) when the user may.
    private static func noteRegistered(_ draft: PersonDraft, _ form: inout PersonForm, _ req: Request, _ user: CurrentUser) async throws {
        guard let existing = try await Person.holding(draft.identity.type, draft.identity.number, on: req.db) else { return }
        let employer = try await existing.$employer.get(on: req.db)
        let inScope = try await Person.find(existing.requireID(), in: user.scope, on: req.db) != nil
        let mayTransfer = !inScope && user.may(.requestPersonTransfer)
        form.errors.add("id_number", ExistingPersonNotice.forForm(
            .init(name: existing.name, employer: employer?.name, status: existing.status, inScope: inScope),
            mayRequestTransfer: mayTransfer, document: draft.identity.type.label))
        if mayTransfer { form.transferHref = SiteURL.peopleTransfer.link }
    }

    // MARK: Detail

    struct ComparedField: Encodable, Sendable {
        let label: String
        let old: String
        let new: String
        let changed: Bool
    }

    struct HistoryRow: Encodable, Sendable {
        let at: String
        let actor: String
        let action: String
        let summary: String
    }

    struct DetailModel: Encodable, Sendable {
        let id: String
        let fields: [ComparedField]
        let status: String
        let statusKey: String
        let statusReason: String?
        let employer: String
        let registeredBy: String
        let region: String
        let photo: String?
        let pendingKind: String?
        let pendingRequestedBy: String?
        let pendingComparison: [ComparedField]
        let pendingNewEmployer: String?
        let history: [HistoryRow]
        let canEdit: Bool
        let canApprove: Bool
        let canDecideChange: Bool
        let canCancel: Bool
        let canChangeUnit: Bool
        let canUploadPhoto: Bool
        let links: Links
    }

    struct Links: Encodable, Sendable {
        let edit: String
        let approve: String
        let returnHref: String
        let change: String
        let cancel: String
        let unit: String
        let photoUpload: String
    }

    /// Whether the account's own organisation keeps this record (registered or employs the person).
    static func owns(_ user: CurrentUser, _ person: Person) -> Bool {
        guard case .organizations(let ids) = user.scope else { return false }
        return ids.contains { $0 == person.$employer.id || $0 == person.$registeredBy.id }
    }

    static func scopedPerson(_ req: Request, _ user: CurrentUser) async throws -> Person {
        guard let person = try await Person.find(try req.idParameter(), in: user.scope, on: req.db) else { throw Abort(.notFound) }
        return person
    }

    static func show(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let person = try await scopedPerson(req, user)
        let keeps = owns(user, person)
        let full = PersonRecordActions.showsFullData(role: user.role, keepsRecord: keeps, isThePerson: user.personID == person.id)
        let shown = masked(person.snapshot, unless: full)
        let employer = try await person.$employer.get(on: req.db)
        let registeredBy = try await person.$registeredBy.get(on: req.db)
        let pending = try await PersonChange.query(on: req.db).filter(\.$person.$id == person.requireID()).filter(\.$status == .pending)
            .sort(\.$createdAt, .descending).first()
        var newEmployer: String?
        if let id = pending?.newEmployerID { newEmployer = try await Organization.find(id, on: req.db)?.name }
        let history = try await AuditEntry.query(on: req.db).filter(\.$targetType == "person").filter(\.$targetID == person.requireID().uuidString)
            .sort(\.$at, .descending).limit(50).all()
        let may = PersonRecordActions(role: user.role, keepsRecord: keeps, status: person.status, changePending: pending != nil)
        let model = DetailModel(
            id: try person.requireID().uuidString, fields: PersonSnapshot.comparison(shown, shown), status: person.status.label,
            statusKey: person.status.rawValue, statusReason: person.statusReason, employer: employer?.name ?? "个人注册",
            registeredBy: registeredBy?.name ?? "本人注册", region: RegionCatalog.shared.fullName(code: person.regionCode),
            photo: person.hasPhoto ? SiteURL.personPhoto(.id(person.id)).link : nil,
            pendingKind: pending?.kind.label, pendingRequestedBy: pending?.requestedBy,
            pendingComparison: pending?.proposed.map { PersonSnapshot.comparison(shown, masked($0, unless: full)) } ?? [],
            pendingNewEmployer: newEmployer,
            history: history.map { HistoryRow(at: ChinaTime.format($0.at), actor: $0.actor,
                                              action: Audit.actionLabels[$0.action] ?? $0.action, summary: $0.summary) },
            canEdit: may.edit, canApprove: may.approve, canDecideChange: may.decideChange, canCancel: may.cancel,
            canChangeUnit: may.changeUnit, canUploadPhoto: may.edit, links: detailLinks(person))
        return try await req.render("people/show", title: person.name, model)
    }

    /// The snapshot with its ID number and phone masked, unless the reader sees full data.
    private static func masked(_ snapshot: PersonSnapshot, unless full: Bool) -> PersonSnapshot {
        guard !full else { return snapshot }
        var shown = snapshot
        shown.idNumber = Masking.idNumber(shown.idNumber)
        shown.phone = Masking.phone(shown.phone)
        return shown
    }

    private static func detailLinks(_ person: Person) -> Links {
        Links(edit: SiteURL.personEdit(.id(person.id)).link, approve: SiteURL.personApprove(.id(person.id)).link,
              returnHref: SiteURL.personReturn(.id(person.id)).link, change: SiteURL.personChangeDecide(.id(person.id)).link,
              cancel: SiteURL.personCancel(.id(person.id)).link, unit: SiteURL.personUnit(.id(person.id)).link,
              photoUpload: SiteURL.personPhoto(.id(person.id)).link)
    }

    // MARK: Edit

    static func ownedPerson(_ req: Request, _ user: CurrentUser) async throws -> Person {
        let person = try await scopedPerson(req, user)
        guard owns(user, person) else { throw Abort(.forbidden, reason: "只有录入或所在单位可以修改该人员信息") }
        return person
    }

    static func edit(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let person = try await ownedPerson(req, user)
        var form = try await editForm(person, on: req.db)
        form.action = SiteURL.person(.id(person.id)).link
        form.back = SiteURL.person(.id(person.id)).link
        form.fillOptions()
        return try await req.render("people/form", title: "修改人员信息", form)
    }

    /// The form filled with the pending edit, if any, else the data in force.
    static func editForm(_ person: Person, on db: any Database) async throws -> PersonForm {
        let pending = try await PersonChange.query(on: db).filter(\.$person.$id == person.requireID()).filter(\.$status == .pending)
            .filter(\.$kind == .edit).first()
        var form = pending?.proposed.map { PersonForm.from($0, id: person.id) } ?? PersonForm.from(person)
        if person.status == .approved {
            form.pendingNote = pending == nil ? "该人员已审批。修改提交后需管理部门重新审批，审批通过前仍以原信息为准。"
                : "已有一项修改待管理部门审批（以下为申请内容）；再次提交将替换该申请。审批通过前仍以原信息为准。"
        }
        return form
    }

    static func update(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let person = try await ownedPerson(req, user)
        var form = PersonForm.read(req)
        form.id = person.id?.uuidString
        form.action = SiteURL.person(.id(person.id)).link
        form.back = SiteURL.person(.id(person.id)).link
        let draft = form.validate(today: CalendarDate.today(now: req.now))
        if let draft, draft.identity.type != person.idType || draft.identity.number != person.idNumber,
           try await Person.holding(draft.identity.type, draft.identity.number, on: req.db) != nil {
            form.errors.add("id_number", "该\(draft.identity.type.label)号码已被其他人员登记")
        }
        guard form.errors.isEmpty, let draft else {
            form.fillOptions()
            return try await req.render("people/form", title: "修改人员信息", form, status: .unprocessableEntity)
        }
        let outcome: EditOutcome
        do {
            outcome = try await saveEdit(person, draft: draft, requestedBy: "\(user.organizationName) \(user.displayName)",
                                         organizationID: user.organizationID, actor: req.auditActor(user), now: req.now, on: req.db)
        } catch let refusal as EditRefusal {
            throw Abort(.conflict, reason: refusal.message)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            form.errors.add("id_number", "该\(draft.identity.type.label)号码已被其他人员登记")
            form.fillOptions()
            return try await req.render("people/form", title: "修改人员信息", form, status: .conflict)
        }
        try await req.flash(.success, outcome.message)
        return req.redirect(.person(.id(person.id)))
    }

    enum EditOutcome {
        case saved(PersonStatus)
        case pendingApproval

        var message: String {
            switch self {
            case .saved(let status): status == .submitted ? "已保存并提交管理部门审批" : "已保存"
            case .pendingApproval: "修改已提交，管理部门审批通过前仍以原信息为准"
            }
        }
    }

    struct EditRefusal: Error { let message: String }

    /// An edit by the unit keeping the record or by the person (个人信息维护), as `PersonWorkflow`
    /// says: a record not yet approved changes in place and (again) waits for approval; an approved
    /// one keeps its data in force and the edit waits beside it (`PersonChange`). Audited in the
    /// same transaction.
    static func saveEdit(_ person: Person, draft: PersonDraft, requestedBy: String, organizationID: UUID?, actor: AuditActor,
                         now: Date, on db: any Database) async throws -> EditOutcome {
        let outcome: PersonOutcome
        do { outcome = try PersonWorkflow.transition(from: person.status, .edit) } catch { throw EditRefusal(message: error.message) }
        let before = person.auditSummary
        switch outcome {
        case .status(let status):
            try await db.transaction { db in
                person.apply(draft)
                person.status = status
                person.statusReason = nil
                try await person.save(on: db)
                try await Audit.record(on: db, actor: actor, action: "person.update", targetType: "person",
                                       targetID: person.id?.uuidString, summary: "修改前：\(before)\n修改后：\(person.auditSummary)", at: now)
            }
            return .saved(status)
        case .pendingChange:
            let payload = String(decoding: try JSONEncoder().encode(PersonSnapshot(draft)), as: UTF8.self)
            try await db.transaction { db in
                let change = try await PersonChange.query(on: db).filter(\.$person.$id == person.requireID()).filter(\.$status == .pending)
                    .filter(\.$kind == .edit).first() ?? PersonChange()
                change.kind = .edit
                change.status = .pending
                change.payload = payload
                change.requestedBy = requestedBy
                change.requestedByOrganizationID = organizationID
                change.$person.id = try person.requireID()
                try await change.save(on: db)
                try await Audit.record(on: db, actor: actor, action: "person.change-request", targetType: "person",
                                       targetID: person.id?.uuidString, summary: "申请变更：\(PersonSnapshot(draft).name)，待审批", at: now)
            }
            return .pendingApproval
        }
    }

    // MARK: Approval

    static func approve(_ req: Request, _ user: CurrentUser) async throws -> Response {
        try await transition(req, user, .approve, action: "person.approve", done: "已审批通过")
    }

    static func returnForCorrection(_ req: Request, _ user: CurrentUser) async throws -> Response {
        try await transition(req, user, .returnForCorrection(reason: req.field("reason") ?? ""), action: "person.return", done: "已退回")
    }

    static func cancel(_ req: Request, _ user: CurrentUser) async throws -> Response {
        try await transition(req, user, .cancel(reason: req.field("reason") ?? ""), action: "person.cancel", done: "已注销")
    }

    private static func transition(_ req: Request, _ user: CurrentUser, _ event: PersonEvent, action: String, done: String) async throws -> Response {
        let person = try await scopedPerson(req, user)
        let outcome: PersonOutcome
        do { outcome = try PersonWorkflow.transition(from: person.status, event) } catch {
            try await req.flash(.error, error.message)
            return req.redirect(.person(.id(person.id)))
        }
        guard case .status(let status) = outcome else { throw Abort(.conflict) }
        var reason: String?
        if case .returnForCorrection(let r) = event { reason = r }
        if case .cancel(let r) = event { reason = r }
        let before = person.status.label
        let finalReason = reason
        try await req.db.transaction { db in
            person.status = status
            person.statusReason = finalReason
            try await person.save(on: db)
            if status == .cancelled {
                // A cancelled person's pending requests die with the record.
                try await PersonChange.query(on: db).filter(\.$person.$id == person.requireID()).filter(\.$status == .pending)
                    .set(\.$status, to: .returned).set(\.$reason, to: "人员已注销").update()
            }
            try await req.audit(user, action, on: db, target: "person", person.id?.uuidString,
                                summary: "\(person.name)：\(before) → \(status.label)\(finalReason.map { "；原因：\($0)" } ?? "")")
        }
        try await req.flash(.success, "「\(person.name)」\(done)")
        return req.redirect(.person(.id(person.id)))
    }

    /// Whether the change gives the person a document (type and number) someone else holds.
    private static func proposedDocumentTaken(_ change: PersonChange, _ person: Person, on db: any Database) async throws -> Bool {
        guard let proposed = change.proposed, proposed.idNumber != person.idNumber || proposed.idType != person.idType.rawValue else { return false }
        return try await Person.holding(IDDocumentType(rawValue: proposed.idType) ?? person.idType, proposed.idNumber, on: db) != nil
    }

    /// Approve or return the pending edit or unit change of a person.
    static func decideChange(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let person = try await scopedPerson(req, user)
        guard let change = try await PersonChange.query(on: req.db).filter(\.$person.$id == person.requireID()).filter(\.$status == .pending)
            .sort(\.$createdAt, .descending).first() else { throw Abort(.notFound) }
        let approve = req.field("decision") == "approve"
        let reason = req.field("reason")
        if !approve && reason == nil {
            try await req.flash(.error, "退回变更请填写原因")
            return req.redirect(.person(.id(person.id)))
        }
        if approve, try await proposedDocumentTaken(change, person, on: req.db) {
            try await req.flash(.error, "变更后的证件号码已被其他人员登记，请退回")
            return req.redirect(.person(.id(person.id)))
        }
        var newEmployer: Organization?
        if approve, let id = change.newEmployerID { newEmployer = try await Organization.find(id, on: req.db) }
        let before = person.auditSummary
        let employerToSet = newEmployer
        try await req.db.transaction { db in
            change.status = approve ? .approved : .returned
            change.reason = reason
            change.decidedAt = req.now
            try await change.save(on: db)
            if approve {
                if let p = change.proposed { person.take(p) }
                if let employerToSet {
                    person.$employer.id = employerToSet.id
                    person.regionCode = employerToSet.regionCode
                }
                try await person.save(on: db)
                // The person's own login keeps the phone in force.
                try await Account.query(on: db).filter(\.$person.$id == person.requireID()).set(\.$phone, to: person.phone).update()
            }
            try await req.audit(user, approve ? "person.change-approve" : "person.change-return", on: db, target: "person", person.id?.uuidString,
                                summary: approve ? "\(change.kind.label)通过：\(before) → \(person.auditSummary)"
                                                    : "\(change.kind.label)退回：\(reason ?? "")")
        }
        try await req.flash(.success, approve ? "变更已审批通过" : "变更已退回，原信息保持不变")
        return req.redirect(.person(.id(person.id)))
    }

    /// 人员变更单位 by the association or the authority (seed 001).
    static func changeUnit(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let person = try await scopedPerson(req, user)
        guard person.status == .approved else {
            try await req.flash(.error, "只有已审批的人员可以变更单位")
            return req.redirect(.person(.id(person.id)))
        }
        let code = (try? CreditCode.parse(req.field("credit_code") ?? ""))?.value
        guard let code, let org = try await Organization.query(on: req.db).filter(\.$creditCode == code)
            .filter(\.$kind ~~ OrganizationKind.allCases.filter(\.employsPeople)).filter(\.$deleted == false).first() else {
            try await req.flash(.error, "新单位：未找到该统一社会信用代码对应的企业或院校")
            return req.redirect(.person(.id(person.id)))
        }
        let old = try await person.$employer.get(on: req.db)?.name ?? "个人注册"
        try await req.db.transaction { db in
            person.$employer.id = org.id
            person.regionCode = org.regionCode
            try await person.save(on: db)
            try await req.audit(user, "person.change-unit", on: db, target: "person", person.id?.uuidString,
                                summary: "\(person.name)：\(old) → \(org.name)")
        }
        try await req.flash(.success, "已将「\(person.name)」变更到「\(org.name)」")
        return req.redirect(.person(.id(person.id)))
    }

    // MARK: Transfer requested by the new employer

    struct TransferModel: Encodable, Sendable {
        var idType = IDDocumentType.residentID.rawValue
        var idNumber = ""
        var name = ""
        var errors = FieldErrors()
        var idTypeOptions: [OrganizationForm.Option] = []

        mutating func fillOptions() {
            idTypeOptions = IDDocumentType.allCases.map { .init(value: $0.rawValue, label: $0.label, selected: $0.rawValue == idType) }
        }
    }

    static func showTransfer(_ req: Request, _ user: CurrentUser) async throws -> Response {
        var model = TransferModel()
        model.fillOptions()
        return try await req.render("people/transfer", title: "申请调入人员", model)
    }

    static func requestTransfer(_ req: Request, _ user: CurrentUser) async throws -> Response {
        var model = TransferModel(idType: req.field("id_type") ?? IDDocumentType.residentID.rawValue, idNumber: req.field("id_number") ?? "",
                                  name: req.field("name") ?? "")
        model.fillOptions()
        let type = IDDocumentType(rawValue: model.idType) ?? .residentID
        let number = (try? PersonIdentity(type: type, number: model.idNumber))?.number ?? TextNormalizationBridge.idNumber(model.idNumber)
        // The document and the name must match, so the form can't be used to probe the registry.
        let person = try await Person.holding(type, number, on: req.db)
        guard let person, person.name == model.name.trimmingCharacters(in: .whitespaces) else {
            model.errors.add("id_number", "未找到证件号码与姓名相符的已登记人员；新人员请直接录入")
            return try await req.render("people/transfer", title: "申请调入人员", model, status: .unprocessableEntity)
        }
        guard person.status == .approved, person.$employer.id != user.organizationID else {
            model.errors.add("id_number", person.$employer.id == user.organizationID ? "该人员已在本单位" : "该人员当前状态为「\(person.status.label)」，不能调入")
            return try await req.render("people/transfer", title: "申请调入人员", model, status: .unprocessableEntity)
        }
        let exists = try await PersonChange.query(on: req.db).filter(\.$person.$id == person.requireID()).filter(\.$status == .pending)
            .filter(\.$kind == .unit).first()
        if exists != nil {
            model.errors.add("id_number", "该人员已有待审批的调入申请")
            return try await req.render("people/transfer", title: "申请调入人员", model, status: .unprocessableEntity)
        }
        try await req.db.transaction { db in
            let change = PersonChange()
            change.kind = .unit
            change.status = .pending
            change.newEmployerID = user.organizationID
            change.requestedBy = "\(user.organizationName) \(user.displayName)"
            change.requestedByOrganizationID = user.organizationID
            change.$person.id = try person.requireID()
            try await change.create(on: db)
            try await req.audit(user, "person.transfer-request", on: db, target: "person", person.id?.uuidString,
                                summary: "\(user.organizationName) 申请调入 \(person.name)")
        }
        try await req.flash(.success, "已提交调入申请，待管理部门审批")
        return req.redirect(.people)
    }

    // MARK: Review queue (人员信息审批, seed 001: 查询、审批、导出)

    struct ReviewRow: Encodable, Sendable {
        let id: String
        let name: String
        let idType: String
        let idNumber: String
        let employer: String
        let registeredBy: String
        let region: String
        let kind: String
        let requestedBy: String
        let at: String
        let href: String
    }

    struct ReviewFilters: Encodable, Sendable {
        var name = ""
        var idNumber = ""
        var region = ""
        var registeredBy = ""
        var from = ""
        var to = ""

        var pairs: [(String, String?)] {
            [("name", name.nilIfEmpty), ("id_number", idNumber.nilIfEmpty), ("region", region.nilIfEmpty),
             ("registered_by", registeredBy.nilIfEmpty), ("from", from.nilIfEmpty), ("to", to.nilIfEmpty)]
        }

        var auditText: String {
            Audit.filterText([("姓名", name), ("证件号码", idNumber.isEmpty ? "" : Masking.idNumber(idNumber)),
                              ("地区", region.isEmpty ? "" : RegionCatalog.shared.fullName(code: region)), ("录入单位", registeredBy),
                              ("登记日期起", from), ("登记日期止", to)])
        }

        /// The page's address with the filters, for the batch form to come back to.
        var link: String {
            var components = URLComponents()
            components.path = SiteURL.peopleReview.link
            let items = pairs.compactMap { name, value in value.map { URLQueryItem(name: name, value: $0) } }
            components.queryItems = items.isEmpty ? nil : items
            return components.string ?? SiteURL.peopleReview.link
        }
    }

    struct ReviewModel: Encodable, Sendable {
        let submitted: [ReviewRow]
        let pagination: Pagination
        let changes: [ReviewRow]
        let changesPagination: Pagination
        let filters: ReviewFilters
        let regionOptions: [OrganizationForm.Option]
        let exportParts: [OrganizationForm.Option]
        let decideAction: String
        let back: String
    }

    /// "本人" (or 个人注册) for self-registration.
    static let selfRegisteredWords: Set<String> = ["本人", "本人注册", "个人", "个人注册"]

    /// The new registrations waiting for this authority (its region's), with the page's filters:
    /// name, ID number, region, the unit that registered them (name or credit code, or 本人), and
    /// the registration date. The page and its export both read it.
    static func reviewQuery(_ req: Request, _ user: CurrentUser) async throws -> (QueryBuilder<Person>, ReviewFilters) {
        var f = ReviewFilters()
        let narrowed = req.queryText("region").flatMap { code -> AccessScope? in
            RegionCatalog.shared.region(code: code) == nil ? nil : user.scope.narrowed(toRegionPrefix: Region.scopePrefix(of: code))
        }
        let selective = req.queryText("id_number") != nil || req.queryText("registered_by") != nil
        var query = Person.query(on: req.db).scoped(to: narrowed ?? user.scope, regionIndexed: !selective).filter(\.$status == .submitted)
        if let name = req.queryText("name") {
            f.name = name
            query = query.named(name, in: user.scope)
        }
        if let number = req.queryText("id_number") {
            f.idNumber = number
            query = query.filter(\.$idNumber == TextNormalizationBridge.idNumber(number))
        }
        if let region = req.queryText("region"), RegionCatalog.shared.region(code: region) != nil {
            f.region = region
            if narrowed == nil { query = query.region(of: Person.self, within: Region.scopePrefix(of: region)) }
        }
        if let unit = req.queryText("registered_by") {
            f.registeredBy = unit
            if selfRegisteredWords.contains(unit) {
                query = query.filter(\.$registeredBy.$id == nil)
            } else {
                let code = (try? CreditCode.parse(unit))?.value
                var orgs = Organization.query(on: req.db)
                orgs = code.map { orgs.filter(\.$creditCode == $0) } ?? orgs.filter(\.$name ~~ unit)
                query = query.filter(\.$registeredBy.$id ~~ (try await orgs.limit(500).all(\.$id)))
            }
        }
        if let from = try req.queryDate("from", label: "登记日期（起）") {
            f.from = from.iso
            query = query.filter(\.$createdAt >= from.startOfDay())
        }
        if let to = try req.queryDate("to", label: "登记日期（止）") {
            f.to = to.iso
            query = query.filter(\.$createdAt < to.adding(days: 1).startOfDay())
        }
        return (query, f)
    }

    static func organizationNames(_ ids: [UUID?], on db: any Database) async throws -> [UUID: String] {
        let wanted = Array(Set(ids.compactMap { $0 }))
        guard !wanted.isEmpty else { return [:] }
        let orgs = try await Organization.query(on: db).filter(\.$id ~~ wanted).all()
        return Dictionary(try orgs.map { (try $0.requireID(), $0.name) }, uniquingKeysWith: { a, _ in a })
    }

    static func review(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let (query, filters) = try await reviewQuery(req, user)
        let (page, capped) = try await query.sort(\.$createdAt).sort(\.$id).cappedPage(for: req)
        let names = try await organizationNames(page.items.flatMap { [$0.$employer.id, $0.$registeredBy.id] }, on: req.db)
        let changes = try await PersonChange.query(on: req.db).filter(\.$status == .pending)
            .join(Person.self, on: \PersonChange.$person.$id == \Person.$id)
            .scopedByJoinedPerson(user.scope)
            .sort(\.$createdAt).sort(\.$id).page(for: req, parameter: "changes_page")
        var changeRows: [ReviewRow] = []
        for change in changes.items {
            let person = try change.joined(Person.self)
            changeRows.append(ReviewRow(id: try change.requireID().uuidString, name: person.name, idType: person.idType.label,
                                        idNumber: Masking.idNumber(person.idNumber), employer: "", registeredBy: "",
                                        region: RegionCatalog.shared.fullName(code: person.regionCode), kind: change.kind.label,
                                        requestedBy: change.requestedBy, at: change.createdAt.map(ChinaTime.format) ?? "",
                                        href: SiteURL.person(.id(person.id)).link))
        }
        let rows = try page.items.map { p in
            ReviewRow(id: try p.requireID().uuidString, name: p.name, idType: p.idType.label, idNumber: Masking.idNumber(p.idNumber),
                      employer: p.$employer.id.flatMap { names[$0] } ?? "个人注册",
                      registeredBy: p.$registeredBy.id.flatMap { names[$0] } ?? "本人注册",
                      region: RegionCatalog.shared.fullName(code: p.regionCode), kind: "新登记", requestedBy: "",
                      at: p.createdAt.map(ChinaTime.format) ?? "", href: SiteURL.person(.id(p.id)).link)
        }
        return try await req.render("people/review", title: "人员信息审批", ReviewModel(
            submitted: rows,
            pagination: Pagination(metadata: page.metadata, path: SiteURL.peopleReview.link, filters: filters.pairs, capped: capped),
            changes: changeRows,
            changesPagination: Pagination(metadata: changes.metadata, path: SiteURL.peopleReview.link, filters: filters.pairs,
                                          parameter: "changes_page"),
            filters: filters,
            regionOptions: Choices.regions(for: user, selected: filters.region),
            exportParts: ExportParts.options(path: SiteURL.peopleReviewExport.link, filters: filters.pairs, total: page.metadata.total, capped: capped),
            decideAction: SiteURL.peopleReviewDecide.link, back: filters.link))
    }

    /// The filtered queue as .xlsx, 5,000 rows a part; audited with the filters and the count.
    static func reviewExport(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let part = req.exportPart()
        let (query, filters) = try await reviewQuery(req, user)
        let people = try await query.sort(\.$createdAt).sort(\.$id).range(ExportParts.range(part: part))
            .plainRows(Person.ExportRow.fields, Person.ExportRow.init)
        let names = try await Organization.names(people.flatMap { [$0.employerID, $0.registeredByID] }, on: req.db)
        var regions: [String: String] = [:]
        let viewer = exportViewer(user)
        var fullCount = 0
        let rows: [[String?]] = people.map { p in
            let shown = exported(p, for: viewer)
            if shown.full { fullCount += 1 }
            return [p.name, p.genderLabel, p.idType?.label, shown.idNumber, p.birthDate, shown.phone,
                    p.employerID.flatMap { names[$0] } ?? "个人注册", p.registeredByID.flatMap { names[$0] } ?? "本人注册",
                    regions.cached(p.regionCode) { RegionCatalog.shared.fullName(code: $0) }, p.createdAt.map(ChinaTime.format)]
        }
        let data = try await req.application.documentPool.run {
            let writer = XLSXWriter(sheetName: "待审批人员", columns: [
                XLSXColumn(title: "姓名", width: 12), XLSXColumn(title: "性别", width: 6), XLSXColumn(title: "证件类型", width: 14),
                XLSXColumn(title: "证件号码", width: 22), XLSXColumn(title: "出生日期", width: 12), XLSXColumn(title: "手机号码", width: 14),
                XLSXColumn(title: "所在单位", width: 30), XLSXColumn(title: "录入单位", width: 30), XLSXColumn(title: "所在地区", width: 18),
                XLSXColumn(title: "登记时间", width: 18),
            ])
            for row in rows { writer.append(row) }
            return try writer.finish()
        }
        try await req.audit(user, "person.review-export", target: "person", nil,
                            summary: "导出待审批人员第 \(part) 部分：\(rows.count) 条；条件：\(filters.auditText)；\(exposureNote(fullCount, of: rows.count))")
        return xlsxResponse(data, fileName: "待审批人员-\(part).xlsx")
    }

    /// 批量通过 / 批量退回 of the ticked registrations. Each is judged by `PersonWorkflow` first;
    /// those it refuses (or that aren't in the queue) are named and left alone, the rest are
    /// written in one transaction with an audit entry each. A record changed by someone else
    /// in the meantime rolls the whole batch back.
    static func reviewDecide(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let back = req.field("back").flatMap { $0.hasPrefix(SiteURL.peopleReview.link) ? $0 : nil } ?? SiteURL.peopleReview.link
        let raw = (try? req.content.get([String].self, at: "ids")) ?? req.field("ids").map { [$0] } ?? []
        let ids = Array(Set(raw.compactMap(UUID.init(uuidString:))))
        let maximum = PersonBatchReview<Person>.maximum
        if let problem = ids.isEmpty ? "请先勾选要审批的人员" : ids.count > maximum ? "一次最多审批 \(maximum) 人" : nil {
            try await req.flash(.error, problem)
            return req.redirect(to: back)
        }
        let approve = req.field("decision") != "return"
        let reason = req.field("reason") ?? ""
        let found = try await Person.query(on: req.db).scoped(to: user.scope).filter(\.$id ~~ ids).all()
        let review: PersonBatchReview<Person>
        do {
            review = try PersonBatchReview(found, ticked: ids.count, event: approve ? .approve : .returnForCorrection(reason: reason),
                                           status: \.status, name: \.name)
        } catch {
            try await req.flash(.error, "批量退回须填写退回原因")
            return req.redirect(to: back)
        }
        let label = approve ? "批量通过" : "批量退回"
        do {
            try await writeReview(review.decided, approve: approve, reason: reason, label: label, req, user)
        } catch let refusal as EditRefusal {
            try await req.flash(.error, refusal.message)
            return req.redirect(to: back)
        }
        if !review.decided.isEmpty { try await req.flash(.success, "\(label)：已处理 \(review.decided.count) 人") }
        if !review.refused.isEmpty { try await req.flash(.error, "以下人员未处理——" + review.refused.prefix(20).joined(separator: "；")) }
        return req.redirect(to: back)
    }

    /// The decided records in one transaction, an audit entry each; a record someone else changed
    /// in the meantime refuses (and rolls back) the whole batch.
    private static func writeReview(_ decided: [(record: Person, next: PersonStatus)], approve: Bool, reason: String, label: String,
                                    _ req: Request, _ user: CurrentUser) async throws {
        try await req.db.transaction { db in
            for (person, next) in decided {
                guard let fresh = try await Person.find(person.requireID(), on: db), fresh.status == person.status else {
                    throw EditRefusal(message: "「\(person.name)」刚被其他人处理，本次审批未生效，请刷新后重试")
                }
                let before = fresh.status.label
                fresh.status = next
                fresh.statusReason = approve ? nil : reason
                try await fresh.save(on: db)
                try await req.audit(user, approve ? "person.approve" : "person.return", on: db, target: "person", fresh.id?.uuidString,
                                    summary: "\(label)：\(fresh.name)：\(before) → \(next.label)\(approve ? "" : "；原因：\(reason)")")
            }
        }
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}

/// ID numbers typed into filters: trimmed, full-width folded, x upper-cased.
enum TextNormalizationBridge {
    static func idNumber(_ raw: String) -> String {
        (try? IDNumber(raw))?.value ?? raw.trimmingCharacters(in: .whitespaces).uppercased()
    }
}
