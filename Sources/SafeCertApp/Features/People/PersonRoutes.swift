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
        routes.page(.personNew, .registerPeople, use: new)
        routes.action(.people, .registerPeople, use: create)
        routes.page(.peopleTransfer, .requestPersonTransfer, use: showTransfer)
        routes.action(.peopleTransfer, .requestPersonTransfer, use: requestTransfer)
        routes.page(.person(nil), .viewPeople, use: show)
        routes.page(.personEdit(nil), .registerPeople, use: edit)
        routes.action(.person(nil), .registerPeople, use: update)
        routes.action(.personApprove(nil), .approvePeople, use: approve)
        routes.action(.personReturn(nil), .approvePeople, use: returnForCorrection)
        routes.action(.personChangeDecide(nil), .approvePeople, use: decideChange)
        routes.action(.personCancel(nil), .cancelPeople, use: cancel)
        routes.action(.personUnit(nil), .changePersonUnit, use: changeUnit)
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
    }


    /// The people list's query with its filters, inside the account's scope. Export uses it too.
    static func filteredQuery(_ req: Request, _ user: CurrentUser) async throws -> (QueryBuilder<Person>, Filters) {
        var filters = Filters()
        var query = Person.query(on: req.db).scoped(to: user.scope)
        if let name = req.queryText("name") {
            filters.name = name
            query = query.filter(\.$name ~~ name)
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
            query = query.filter(\.$regionCode =~ Region.scopePrefix(of: region))
        }
        if let status = req.queryText("status").flatMap(PersonStatus.init(rawValue:)) {
            filters.status = status.rawValue
            query = query.filter(\.$status == status)
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
        let page = try await query.sort(\.$name).sort(\.$id).page(for: req)
        let names = try await employerNames(page.items, on: req.db)
        let rows = try page.items.map { p in
            Row(id: try p.requireID().uuidString, name: p.name, gender: p.genderLabel, idNumber: Masking.idNumber(p.idNumber),
                phone: Masking.phone(p.phone), employer: p.$employer.id.flatMap { names[$0] } ?? "个人注册",
                status: p.status.label, statusKey: p.status.rawValue,
                thumbnail: p.hasPhoto ? SiteURL.personThumbnail(p.id).link : nil, href: SiteURL.person(p.id).link)
        }
        return try await req.render("people/list", title: "人员信息管理", ListModel(
            rows: rows,
            pagination: Pagination(metadata: page.metadata, path: SiteURL.people.path, filters: filters.pairs),
            filters: filters,
            statusOptions: PersonStatus.allCases.map { .init(value: $0.rawValue, label: $0.label, selected: $0.rawValue == filters.status) },
            regionOptions: user.may(.viewFullPersonalData) || user.role == .association ? Choices.regions(for: user, selected: filters.region) : [],
            exportParts: ExportParts.options(path: SiteURL.peopleExport.path, filters: filters.pairs, total: page.metadata.total),
            canRegister: user.may(.registerPeople), canImport: user.may(.importPeople), canTransfer: user.may(.requestPersonTransfer)))
    }

    /// .xlsx of the filtered list, 5,000 rows a part (seed 004); ID numbers and phones masked for
    /// anyone outside the authority.
    static func export(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let part = req.exportPart()
        let (query, _) = try await filteredQuery(req, user)
        let people = try await query.sort(\.$name).sort(\.$id).range(ExportParts.range(part: part)).all()
        let names = try await employerNames(people, on: req.db)
        let full = user.may(.viewFullPersonalData)
        let rows: [[String?]] = people.map { p in
            [p.name, p.genderLabel, p.idType.label, full ? p.idNumber : Masking.idNumber(p.idNumber), p.birthDate,
             full ? p.phone : Masking.phone(p.phone), p.ethnicGroup, p.education,
             p.$employer.id.flatMap { names[$0] } ?? "个人注册", p.status.label]
        }
        let data = try await req.application.threadPool.runIfActive {
            try exportWorkbook(rows)
        }
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
        form.asksEmployer = user.role == .trainingInstitution
        form.fillOptions()
        return try await req.render("people/form", title: "人员录入", form)
    }

    static func create(_ req: Request, _ user: CurrentUser) async throws -> Response {
        var form = PersonForm.read(req)
        form.asksEmployer = user.role == .trainingInstitution
        let today = CalendarDate.today(now: req.now)
        let draft = form.validate(today: today)
        guard let importerID = user.organizationID, let importer = try await Organization.find(importerID, on: req.db) else { throw Abort(.forbidden) }
        var employer: EmployerResolver.Employer?
        if let draft {
            let branches = try await Organization.query(on: req.db).filter(\.$parent.$id == importerID).all(\.$id)
            var resolver = EmployerResolver(importer: importer, branchIDs: Set(branches))
            switch try await resolver.resolve(draft.employerCreditCode, on: req.db) {
            case .success(let e): employer = e
            case .failure(let reason): form.errors.add("employer_credit_code", reason)
            }
            if let existing = try await Person.query(on: req.db).filter(\.$idNumber == draft.identity.number).with(\.$employer).first() {
                // Where the person stands is told only inside the user's own scope.
                let inScope = try await Person.find(existing.requireID(), in: user.scope, on: req.db) != nil
                let mayTransfer = !inScope && user.may(.requestPersonTransfer)
                form.errors.add("id_number", ExistingPersonNotice.forForm(
                    .init(name: existing.name, employer: existing.employer?.name, status: existing.status, inScope: inScope),
                    mayRequestTransfer: mayTransfer))
                if mayTransfer { form.transferHref = SiteURL.peopleTransfer.path }
            }
        }
        guard form.errors.isEmpty, let draft, let employer else {
            form.fillOptions()
            return try await req.render("people/form", title: "人员录入", form, status: .unprocessableEntity)
        }
        let person = Person(draft: draft, regionCode: employer.regionCode, employerID: employer.id, registeredByID: importerID)
        try await req.db.transaction { db in
            try await person.create(on: db)
            try await Audit.record(on: db, actor: req.auditActor(user), action: "person.register", targetType: "person",
                                   targetID: person.id?.uuidString, summary: "录入：\(person.auditSummary)", at: req.now)
        }
        try await req.flash(.success, "已录入「\(person.name)」，待管理部门审批")
        return req.redirect(.person(person.id))
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
        let full = user.may(.viewFullPersonalData) || owns(user, person) || user.personID == person.id
        var shown = person.snapshot
        if !full {
            shown.idNumber = Masking.idNumber(shown.idNumber)
            shown.phone = Masking.phone(shown.phone)
        }
        let fields = PersonSnapshot.comparison(shown, shown)
        let employer = try await person.$employer.get(on: req.db)
        let registeredBy = try await person.$registeredBy.get(on: req.db)
        let pending = try await PersonChange.query(on: req.db).filter(\.$person.$id == person.requireID()).filter(\.$status == .pending)
            .sort(\.$createdAt, .descending).first()
        var comparison: [ComparedField] = []
        var newEmployer: String?
        if let pending {
            if let proposed = pending.proposed {
                var p = proposed
                if !full {
                    p.idNumber = Masking.idNumber(p.idNumber)
                    p.phone = Masking.phone(p.phone)
                }
                comparison = PersonSnapshot.comparison(shown, p)
            }
            if let id = pending.newEmployerID { newEmployer = try await Organization.find(id, on: req.db)?.name }
        }
        let history = try await AuditEntry.query(on: req.db).filter(\.$targetType == "person").filter(\.$targetID == person.requireID().uuidString)
            .sort(\.$at, .descending).limit(50).all()
        let mayKeep = user.may(.registerPeople) && owns(user, person) && person.status != .cancelled
        let model = DetailModel(
            id: try person.requireID().uuidString, fields: fields, status: person.status.label, statusKey: person.status.rawValue,
            statusReason: person.statusReason, employer: employer?.name ?? "个人注册", registeredBy: registeredBy?.name ?? "本人注册",
            region: RegionCatalog.shared.fullName(code: person.regionCode),
            photo: person.hasPhoto ? SiteURL.personPhoto(person.id).link : nil,
            pendingKind: pending?.kind.label, pendingRequestedBy: pending?.requestedBy, pendingComparison: comparison,
            pendingNewEmployer: newEmployer,
            history: history.map { HistoryRow(at: ChinaTime.format($0.at), actor: $0.actor,
                                              action: Audit.actionLabels[$0.action] ?? $0.action, summary: $0.summary) },
            canEdit: mayKeep, canApprove: user.may(.approvePeople) && person.status == .submitted,
            canDecideChange: user.may(.approvePeople) && pending != nil,
            canCancel: user.may(.cancelPeople) && person.status != .cancelled,
            canChangeUnit: user.may(.changePersonUnit) && person.status == .approved,
            canUploadPhoto: mayKeep,
            links: Links(edit: SiteURL.personEdit(person.id).link, approve: SiteURL.personApprove(person.id).link,
                         returnHref: SiteURL.personReturn(person.id).link, change: SiteURL.personChangeDecide(person.id).link,
                         cancel: SiteURL.personCancel(person.id).link, unit: SiteURL.personUnit(person.id).link,
                         photoUpload: SiteURL.personPhoto(person.id).link))
        return try await req.render("people/show", title: person.name, model)
    }

    // MARK: Edit

    static func ownedPerson(_ req: Request, _ user: CurrentUser) async throws -> Person {
        let person = try await scopedPerson(req, user)
        guard owns(user, person) else { throw Abort(.forbidden, reason: "只有录入或所在单位可以修改该人员信息") }
        return person
    }

    static func edit(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let person = try await ownedPerson(req, user)
        let pending = try await PersonChange.query(on: req.db).filter(\.$person.$id == person.requireID()).filter(\.$status == .pending)
            .filter(\.$kind == .edit).first()
        var form = pending?.proposed.map { PersonForm.from($0, id: person.id) } ?? PersonForm.from(person)
        if person.status == .approved {
            form.pendingNote = "该人员已审批。修改提交后需管理部门重新审批，审批通过前仍以原信息为准。"
        }
        form.fillOptions()
        return try await req.render("people/form", title: "修改人员信息", form)
    }

    static func update(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let person = try await ownedPerson(req, user)
        var form = PersonForm.read(req)
        form.id = person.id?.uuidString
        let draft = form.validate(today: CalendarDate.today(now: req.now))
        if let draft, draft.identity.number != person.idNumber,
           try await Person.query(on: req.db).filter(\.$idNumber == draft.identity.number).first() != nil {
            form.errors.add("id_number", "该证件号码已被其他人员登记")
        }
        let outcome: PersonOutcome
        do { outcome = try PersonWorkflow.transition(from: person.status, .edit) } catch {
            throw Abort(.conflict, reason: error.message)
        }
        guard form.errors.isEmpty, let draft else {
            form.fillOptions()
            return try await req.render("people/form", title: "修改人员信息", form, status: .unprocessableEntity)
        }
        let before = person.auditSummary
        switch outcome {
        case .status(let status):
            try await req.db.transaction { db in
                person.apply(draft)
                person.status = status
                person.statusReason = nil
                try await person.save(on: db)
                try await Audit.record(on: db, actor: req.auditActor(user), action: "person.update", targetType: "person",
                                       targetID: person.id?.uuidString, summary: "修改前：\(before)\n修改后：\(person.auditSummary)", at: req.now)
            }
            try await req.flash(.success, status == .submitted ? "已保存并重新提交审批" : "已保存")
        case .pendingChange:
            let payload = String(decoding: try JSONEncoder().encode(PersonSnapshot(draft)), as: UTF8.self)
            try await req.db.transaction { db in
                let change = try await PersonChange.query(on: db).filter(\.$person.$id == person.requireID()).filter(\.$status == .pending)
                    .filter(\.$kind == .edit).first() ?? PersonChange()
                change.kind = .edit
                change.status = .pending
                change.payload = payload
                change.requestedBy = "\(user.organizationName) \(user.displayName)"
                change.requestedByOrganizationID = user.organizationID
                change.$person.id = try person.requireID()
                try await change.save(on: db)
                try await Audit.record(on: db, actor: req.auditActor(user), action: "person.change-request", targetType: "person",
                                       targetID: person.id?.uuidString, summary: "申请变更：\(PersonSnapshot(draft).name)，待审批", at: req.now)
            }
            try await req.flash(.success, "变更已提交，管理部门审批通过前仍以原信息为准")
        }
        return req.redirect(.person(person.id))
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
            return req.redirect(.person(person.id))
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
            try await Audit.record(on: db, actor: req.auditActor(user), action: action, targetType: "person", targetID: person.id?.uuidString,
                                   summary: "\(person.name)：\(before) → \(status.label)\(finalReason.map { "；原因：\($0)" } ?? "")", at: req.now)
        }
        try await req.flash(.success, "「\(person.name)」\(done)")
        return req.redirect(.person(person.id))
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
            return req.redirect(.person(person.id))
        }
        if approve, let proposed = change.proposed, proposed.idNumber != person.idNumber,
           try await Person.query(on: req.db).filter(\.$idNumber == proposed.idNumber).first() != nil {
            try await req.flash(.error, "变更后的证件号码已被其他人员登记，请退回")
            return req.redirect(.person(person.id))
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
                if let p = change.proposed {
                    person.idType = IDDocumentType(rawValue: p.idType) ?? person.idType
                    person.idNumber = p.idNumber
                    person.name = p.name
                    person.gender = p.gender
                    person.birthDate = p.birthDate
                    person.phone = p.phone
                    person.ethnicGroup = p.ethnicGroup
                    person.education = p.education
                    person.workStartDate = p.workStartDate
                    person.remarks = p.remarks
                }
                if let employerToSet {
                    person.$employer.id = employerToSet.id
                    person.regionCode = employerToSet.regionCode
                }
                try await person.save(on: db)
            }
            try await Audit.record(on: db, actor: req.auditActor(user), action: approve ? "person.change-approve" : "person.change-return",
                                   targetType: "person", targetID: person.id?.uuidString,
                                   summary: approve ? "\(change.kind.label)通过：\(before) → \(person.auditSummary)"
                                                    : "\(change.kind.label)退回：\(reason ?? "")", at: req.now)
        }
        try await req.flash(.success, approve ? "变更已审批通过" : "变更已退回，原信息保持不变")
        return req.redirect(.person(person.id))
    }

    /// 人员变更单位 by the association or the authority (seed 001).
    static func changeUnit(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let person = try await scopedPerson(req, user)
        guard person.status == .approved else {
            try await req.flash(.error, "只有已审批的人员可以变更单位")
            return req.redirect(.person(person.id))
        }
        let code = (try? CreditCode.parse(req.field("credit_code") ?? ""))?.value
        guard let code, let org = try await Organization.query(on: req.db).filter(\.$creditCode == code)
            .filter(\.$kind == .enterprise).filter(\.$deleted == false).first() else {
            try await req.flash(.error, "新单位：未找到该统一社会信用代码对应的企业")
            return req.redirect(.person(person.id))
        }
        let old = try await person.$employer.get(on: req.db)?.name ?? "个人注册"
        try await req.db.transaction { db in
            person.$employer.id = org.id
            person.regionCode = org.regionCode
            try await person.save(on: db)
            try await Audit.record(on: db, actor: req.auditActor(user), action: "person.change-unit", targetType: "person",
                                   targetID: person.id?.uuidString, summary: "\(person.name)：\(old) → \(org.name)", at: req.now)
        }
        try await req.flash(.success, "已将「\(person.name)」变更到「\(org.name)」")
        return req.redirect(.person(person.id))
    }

    // MARK: Transfer requested by the new employer

    struct TransferModel: Encodable, Sendable {
        var idNumber = ""
        var name = ""
        var errors = FieldErrors()
    }

    static func showTransfer(_ req: Request, _ user: CurrentUser) async throws -> Response {
        try await req.render("people/transfer", title: "申请调入人员", TransferModel())
    }

    static func requestTransfer(_ req: Request, _ user: CurrentUser) async throws -> Response {
        var model = TransferModel(idNumber: req.field("id_number") ?? "", name: req.field("name") ?? "")
        let number = TextNormalizationBridge.idNumber(model.idNumber)
        // Both the number and the name must match, so the form can't be used to probe the registry.
        let person = try await Person.query(on: req.db).filter(\.$idNumber == number).first()
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
            try await Audit.record(on: db, actor: req.auditActor(user), action: "person.transfer-request", targetType: "person",
                                   targetID: person.id?.uuidString, summary: "\(user.organizationName) 申请调入 \(person.name)", at: req.now)
        }
        try await req.flash(.success, "已提交调入申请，待管理部门审批")
        return req.redirect(.people)
    }

    // MARK: Review queue

    struct ReviewRow: Encodable, Sendable {
        let name: String
        let idNumber: String
        let employer: String
        let kind: String
        let requestedBy: String
        let at: String
        let href: String
    }

    struct ReviewModel: Encodable, Sendable {
        let submitted: [ReviewRow]
        let pagination: Pagination
        let changes: [ReviewRow]
        let changesPagination: Pagination
    }

    static func review(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let page = try await Person.query(on: req.db).scoped(to: user.scope).filter(\.$status == .submitted)
            .sort(\.$createdAt).sort(\.$id).page(for: req)
        let names = try await employerNames(page.items, on: req.db)
        let changes = try await PersonChange.query(on: req.db).filter(\.$status == .pending)
            .join(Person.self, on: \PersonChange.$person.$id == \Person.$id)
            .scopedByJoinedPerson(user.scope)
            .sort(\.$createdAt).sort(\.$id).page(for: req, parameter: "changes_page")
        var changeRows: [ReviewRow] = []
        for change in changes.items {
            let person = try change.joined(Person.self)
            changeRows.append(ReviewRow(name: person.name, idNumber: Masking.idNumber(person.idNumber), employer: "",
                                        kind: change.kind.label, requestedBy: change.requestedBy,
                                        at: change.createdAt.map(ChinaTime.format) ?? "", href: SiteURL.person(person.id).link))
        }
        return try await req.render("people/review", title: "人员信息审批", ReviewModel(
            submitted: page.items.map { p in
                ReviewRow(name: p.name, idNumber: Masking.idNumber(p.idNumber), employer: p.$employer.id.flatMap { names[$0] } ?? "个人注册",
                          kind: "新登记", requestedBy: "", at: p.createdAt.map(ChinaTime.format) ?? "", href: SiteURL.person(p.id).link)
            },
            pagination: Pagination(metadata: page.metadata, path: SiteURL.peopleReview.path, filters: []),
            changes: changeRows,
            changesPagination: Pagination(metadata: changes.metadata, path: SiteURL.peopleReview.path, filters: [],
                                          parameter: "changes_page")))
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
