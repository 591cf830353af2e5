import Fluent
import Foundation
import SafeCertCore
import SafeCertDocuments
import Vapor

/// 单位管理: authorities and the association list, create and edit organisations in their
/// scope; an enterprise keeps its own data; groups and branches convert (seed 001).
enum OrganizationRoutes {
    static func register(_ routes: any RoutesBuilder) {
        routes.page(.organizations, .viewOrganizations, use: list)
        routes.page(.organizationNew, .createOrganizations, use: new)
        routes.action(.organizations, .createOrganizations, use: create)
        routes.page(.organizationLookup, .viewHome, use: lookup)
        routes.page(.organization(.key), .viewOrganizations, use: show)
        routes.page(.organizationEdit(.key), .editOrganizations, use: edit)
        routes.action(.organization(.key), .editOrganizations, use: update)
        routes.action(.organizationConvert(.key), .convertEnterprises, use: convert)
        routes.page(.organizationsExport, .viewOrganizations, use: export)
        routes.action(.myOrganizationDelete, .deleteOwnOrganization, use: deleteOwn)
        routes.page(.myOrganization, .editOwnOrganization, use: showOwn)
        routes.action(.myOrganization, .editOwnOrganization, use: updateOwn)
    }

    struct Row: Encodable, Sendable {
        let id: String
        let name: String
        let kind: String
        let region: String
        let creditCode: String
        let href: String
    }

    struct ListModel: Encodable, Sendable {
        let rows: [Row]
        let pagination: Pagination
        let q: String
        let creditCode: String
        let kindOptions: [OrganizationForm.Option]
        let regionOptions: [OrganizationForm.Option]
        let canCreate: Bool
        let exportHref: String
    }

    /// The list's query with its filters, inside the scope; the export uses it too.
    static func filteredQuery(_ req: Request, _ user: CurrentUser) -> (QueryBuilder<Organization>, [(String, String?)]) {
        let q = req.queryText("q")
        let code = req.queryText("credit_code")
        let kind = req.queryText("kind").flatMap(OrganizationKind.init(rawValue:))
        let region = req.queryText("region")
        var query = Organization.query(on: req.db).scoped(to: user.scope)
        if let q { query = query.filter(\.$name ~~ q) }
        if let code { query = query.filter(\.$creditCode == code.uppercased()) }
        if let kind { query = query.filter(\.$kind == kind) }
        if let region { query = query.region(of: Organization.self, within: Region.scopePrefix(of: region)) }
        return (query, [("q", q), ("credit_code", code), ("kind", kind?.rawValue), ("region", region)])
    }

    static func list(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let (query, filters) = filteredQuery(req, user)
        let page = try await query.sort(\.$name).sort(\.$id).page(for: req)
        let catalog = RegionCatalog.shared
        let rows = try page.items.map { org in
            Row(id: try org.requireID().uuidString, name: org.name, kind: org.kindLabel, region: catalog.fullName(code: org.regionCode),
                creditCode: org.creditCode ?? "", href: SiteURL.organization(.id(org.id)).link)
        }
        let values = Dictionary(filters.map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a })
        var export = URLComponents()
        export.path = SiteURL.organizationsExport.link
        export.queryItems = filters.compactMap { name, value in value.map { URLQueryItem(name: name, value: $0) } }
        let model = ListModel(
            rows: rows,
            pagination: Pagination(metadata: page.metadata, path: SiteURL.organizations.link, filters: filters),
            q: (values["q"] ?? nil) ?? "", creditCode: (values["credit_code"] ?? nil) ?? "",
            kindOptions: OrganizationKind.allCases.map { .init(value: $0.rawValue, label: $0.label, selected: $0.rawValue == (values["kind"] ?? nil)) },
            regionOptions: Choices.regions(for: user, selected: (values["region"] ?? nil) ?? ""),
            canCreate: user.may(.createOrganizations), exportHref: export.string ?? SiteURL.organizationsExport.link)
        return try await req.render("organizations/list", title: user.role == .enterprise ? "企业分公司管理" : "单位查询", model)
    }

    /// The filtered list as .xlsx, at most 5,000 rows a file.
    static func export(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let part = req.exportPart()
        let (query, _) = filteredQuery(req, user)
        let orgs = try await query.sort(\.$name).sort(\.$id).range(((part - 1) * 5_000)..<(part * 5_000)).all()
        let catalog = RegionCatalog.shared
        let writer = XLSXWriter(sheetName: "单位", columns: [
            XLSXColumn(title: "单位名称", width: 36), XLSXColumn(title: "类型", width: 18), XLSXColumn(title: "所在地区", width: 20),
            XLSXColumn(title: "统一社会信用代码", width: 24), XLSXColumn(title: "联系人", width: 10), XLSXColumn(title: "联系电话", width: 16),
            XLSXColumn(title: "地址", width: 36),
        ])
        for org in orgs {
            writer.append([org.name, org.kindLabel, catalog.fullName(code: org.regionCode), org.creditCode, org.contactPerson,
                           org.contactPhone.map(Masking.phone), org.address])
        }
        let data = try writer.finish()
        return xlsxResponse(data, fileName: "单位-\(part).xlsx")
    }

    static func new(_ req: Request, _ user: CurrentUser) async throws -> Response {
        var form = OrganizationForm()
        form.regionCode = user.regionCode
        form.fillOptions(for: user)
        return try await req.render("organizations/form", title: "单位录入", form)
    }

    static func create(_ req: Request, _ user: CurrentUser) async throws -> Response {
        var form = OrganizationForm.read(req)
        let chosen = form.chosenKind(for: user)
        if chosen == nil { form.errors.add("kind", "请选择您可以录入的单位类型") }
        let credit = form.validateFields(requiresCreditCode: chosen?.kind.requiresCreditCode ?? false, scope: user.scope)
        var parentID: UUID?
        if chosen?.kind == .enterprise, !form.parentCreditCode.isEmpty {
            parentID = try await groupID(creditCode: form.parentCreditCode, scope: user.scope, on: req.db, errors: &form.errors)
        }
        if let credit, try await Organization.query(on: req.db).filter(\.$creditCode == credit.value).first() != nil {
            form.errors.add("credit_code", "该统一社会信用代码已登记，请勿重复录入")
        }
        form.askToConfirmCheckCharacter(of: credit)
        guard form.errors.isEmpty, let kind = chosen else {
            form.fillOptions(for: user)
            return try await req.render("organizations/form", title: "单位录入", form, status: .unprocessableEntity)
        }
        let org = Organization(name: form.name, kind: kind.kind, authorityLevel: kind.level, regionCode: form.regionCode,
                               creditCode: credit?.value, isGroup: kind.kind == .enterprise && form.isGroup && parentID == nil,
                               parentID: parentID)
        org.contactPerson = form.contactPerson.isEmpty ? nil : form.contactPerson
        org.contactPhone = form.contactPhone.isEmpty ? nil : form.contactPhone
        org.address = form.address.isEmpty ? nil : form.address
        try await req.db.transaction { db in
            try await org.create(on: db)
            try await req.audit(user, "organization.create", on: db, target: "organization", org.id?.uuidString,
                                summary: "新增：\(org.auditSummary)" + OrganizationForm.checkCharacterNote(credit))
        }
        try await req.flash(.success, "已录入单位「\(org.name)」")
        if let warning = credit?.warning { try await req.flash(.warning, warning) }
        return req.redirect(.organization(.id(org.id)))
    }

    /// The group named by a credit code, if it is an enterprise group inside the scope.
    private static func groupID(creditCode: String, scope: AccessScope, on db: any Database, errors: inout FieldErrors) async throws -> UUID? {
        let normalised = (try? CreditCode.parse(creditCode))?.value ?? creditCode.uppercased()
        guard let group = try await Organization.query(on: db).scoped(to: scope)
            .filter(\.$creditCode == normalised).filter(\.$kind == .enterprise).first()
        else {
            errors.add("parent_credit_code", "未找到该信用代码对应的企业（或不在您的管理范围内）")
            return nil
        }
        guard group.isGroup else {
            errors.add("parent_credit_code", "「\(group.name)」不是集团企业，请先将其转为集团")
            return nil
        }
        return group.id
    }

    struct LookupResult: Content {
        let creditCode: String
        let name: String?
        let warning: String?
        let error: String?
    }

    /// A credit code entered anywhere fills in the name of a known enterprise.
    static func lookup(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let raw = req.queryText("credit_code") ?? ""
        let code: CreditCode
        do { code = try CreditCode.parse(raw) } catch {
            return try await LookupResult(creditCode: raw, name: nil, warning: nil, error: error.message).encodeResponse(for: req)
        }
        let org = try await Organization.query(on: req.db).filter(\.$creditCode == code.value).first()
        return try await LookupResult(creditCode: code.value, name: org?.name, warning: code.warning, error: nil).encodeResponse(for: req)
    }

    struct AccountRow: Encodable, Sendable {
        let username: String
        let name: String
        let role: String
        let status: String
    }

    struct DetailModel: Encodable, Sendable {
        let id: String
        let name: String
        let kind: String
        let region: String
        let creditCode: String
        let contactPerson: String
        let contactPhone: String
        let address: String
        let parentName: String?
        let formerNames: [String]
        let branches: [Row]
        let accounts: [AccountRow]
        let isEnterprise: Bool
        let isGroup: Bool
        let isBranch: Bool
        let canEdit: Bool
        let canConvert: Bool
        let canIssue: Bool
        let editHref: String
        let convertHref: String
        let issueHref: String
    }

    static func show(_ req: Request, _ user: CurrentUser) async throws -> Response {
        guard let org = try await Organization.find(try req.idParameter(), in: user.scope, on: req.db) else { throw Abort(.notFound) }
        let catalog = RegionCatalog.shared
        let parent = try await org.$parent.get(on: req.db)
        let branches = try await Organization.query(on: req.db).filter(\.$parent.$id == org.requireID()).sort(\.$name).limit(200).all()
        let accounts = user.may(.viewAccounts)
            ? try await Account.query(on: req.db).filter(\.$organization.$id == org.requireID()).sort(\.$username).limit(100).all() : []
        let model = DetailModel(
            id: try org.requireID().uuidString, name: org.name, kind: org.kindLabel, region: catalog.fullName(code: org.regionCode),
            creditCode: org.creditCode ?? "", contactPerson: org.contactPerson ?? "",
            contactPhone: org.contactPhone.map(Masking.phone) ?? "", address: org.address ?? "",
            parentName: parent?.name,
            formerNames: try await OrganizationNameChange.query(on: req.db).filter(\.$organization.$id == org.requireID())
                .sort(\.$changedAt, .descending).all().map { "\($0.oldName)（\(ChinaTime.format($0.changedAt)) 由 \($0.changedBy) 变更）" },
            branches: try branches.map { Row(id: try $0.requireID().uuidString, name: $0.name, kind: $0.kindLabel, region: catalog.fullName(code: $0.regionCode),
                                          creditCode: $0.creditCode ?? "", href: SiteURL.organization(.id($0.id)).link) },
            accounts: accounts.map { AccountRow(username: $0.username, name: $0.displayName, role: $0.role.label, status: $0.status.label) },
            isEnterprise: org.kind == .enterprise, isGroup: org.isGroup, isBranch: org.$parent.id != nil,
            canEdit: user.may(.editOrganizations), canConvert: user.may(.convertEnterprises) && org.kind == .enterprise,
            canIssue: user.may(.issueAccounts) && !AccountRoutes.issuableRoles(user, org).isEmpty,
            editHref: SiteURL.organizationEdit(.id(org.id)).link, convertHref: SiteURL.organizationConvert(.id(org.id)).link,
            issueHref: SiteURL.accountNew.link + "?organization=" + (org.id?.uuidString ?? ""))
        return try await req.render("organizations/show", title: org.name, model)
    }

    static func edit(_ req: Request, _ user: CurrentUser) async throws -> Response {
        guard let org = try await Organization.find(try req.idParameter(), in: user.scope, on: req.db) else { throw Abort(.notFound) }
        var form = OrganizationForm.from(org)
        form.editingKind = false
        form.fillOptions(for: user)
        return try await req.render("organizations/form", title: "修改单位", form)
    }

    static func update(_ req: Request, _ user: CurrentUser) async throws -> Response {
        guard let org = try await Organization.find(try req.idParameter(), in: user.scope, on: req.db) else { throw Abort(.notFound) }
        var form = OrganizationForm.read(req)
        form.id = org.id?.uuidString
        form.kind = OrganizationForm.value(of: .init(org.kind, org.authorityLevel))
        form.editingKind = false
        form.isGroup = org.isGroup
        let credit = form.validateFields(requiresCreditCode: org.kind.requiresCreditCode, scope: user.scope)
        if let credit, credit.value != org.creditCode,
           try await Organization.query(on: req.db).filter(\.$creditCode == credit.value).first() != nil {
            form.errors.add("credit_code", "该统一社会信用代码已被其他单位使用")
        }
        form.askToConfirmCheckCharacter(of: credit, onFile: org.creditCode)
        guard form.errors.isEmpty else {
            form.fillOptions(for: user)
            return try await req.render("organizations/form", title: "修改单位", form, status: .unprocessableEntity)
        }
        let before = org.auditSummary
        let oldName = org.name
        let note = OrganizationForm.checkCharacterNote(credit, onFile: org.creditCode)
        org.take(form, creditCode: credit?.value)
        try await req.db.transaction { db in
            try await org.save(on: db)
            if oldName != org.name {
                try await OrganizationNameChange(of: org, from: oldName, by: "\(user.organizationName) \(user.displayName)", at: req.now)
                    .create(on: db)
            }
            try await req.audit(user, "organization.update", on: db, target: "organization", org.id?.uuidString,
                                summary: "修改前：\(before)\n修改后：\(org.auditSummary)" + note)
        }
        try await req.flash(.success, "已保存")
        if let warning = credit?.warning { try await req.flash(.warning, warning) }
        return req.redirect(.organization(.id(org.id)))
    }

    /// 集团与分公司转换 (seed 001): a group becomes a branch of another group (once it has no
    /// branches of its own), a branch becomes a group, an independent enterprise becomes a group.
    static func convert(_ req: Request, _ user: CurrentUser) async throws -> Response {
        guard let org = try await Organization.find(try req.idParameter(), in: user.scope, on: req.db), org.kind == .enterprise
        else { throw Abort(.notFound) }
        let target = req.field("to") ?? ""
        let before = org.auditSummary
        switch target {
        case "group":
            org.$parent.id = nil
            org.isGroup = true
        case "branch", "independent":
            let branchCount = try await Organization.query(on: req.db).filter(\.$parent.$id == org.requireID()).count()
            do { try OrganizationRules.checkLeavingGroupRole(branches: branchCount) } catch {
                try await req.flash(.error, error.message)
                return req.redirect(.organization(.id(org.id)))
            }
            if target == "branch" {
                var errors = FieldErrors()
                let parentID = try await groupID(creditCode: req.field("parent_credit_code") ?? "", scope: user.scope, on: req.db, errors: &errors)
                guard let parentID, parentID != org.id else {
                    try await req.flash(.error, "所属集团：" + (errors.isEmpty ? "不能转为自身的分公司" : errors.encodeFirst()))
                    return req.redirect(.organization(.id(org.id)))
                }
                org.$parent.id = parentID
            } else {
                org.$parent.id = nil
            }
            org.isGroup = false
        default:
            throw Abort(.badRequest, reason: "转换方式无效")
        }
        try await req.db.transaction { db in
            try await org.save(on: db)
            try await req.audit(user, "organization.convert", on: db, target: "organization", org.id?.uuidString,
                                summary: "转换前：\(before)\n转换后：\(org.auditSummary)")
        }
        try await req.flash(.success, "已转换为\(org.kindLabel)")
        return req.redirect(.organization(.id(org.id)))
    }

    struct OwnModel: Encodable, Sendable {
        let name: String
        let kind: String
        let region: String
        let creditCode: String
        var contactPerson: String
        var contactPhone: String
        var address: String
        var errors = FieldErrors()
        var canDelete = false
        var peopleCount = 0
    }

    private static func ownOrganization(_ req: Request, _ user: CurrentUser) async throws -> Organization {
        guard let id = user.organizationID, let org = try await Organization.find(id, on: req.db) else { throw Abort(.notFound) }
        return org
    }

    static func showOwn(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let org = try await ownOrganization(req, user)
        return try await req.render("organizations/own", title: "本单位信息", OwnModel(
            name: org.name, kind: org.kindLabel, region: RegionCatalog.shared.fullName(code: org.regionCode),
            creditCode: org.creditCode ?? "", contactPerson: org.contactPerson ?? "", contactPhone: org.contactPhone ?? "",
            address: org.address ?? "", canDelete: user.may(.deleteOwnOrganization),
            peopleCount: try await Person.query(on: req.db).filter(\.$employer.$id == org.requireID()).count()))
    }

    /// The enterprise keeps its contact data; its name and code change through the authority
    /// (so the history of names stays with the authority's audit trail).
    static func updateOwn(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let org = try await ownOrganization(req, user)
        var model = OwnModel(
            name: org.name, kind: org.kindLabel, region: RegionCatalog.shared.fullName(code: org.regionCode),
            creditCode: org.creditCode ?? "", contactPerson: req.field("contact_person") ?? "",
            contactPhone: req.field("contact_phone") ?? "", address: req.field("address") ?? "")
        if model.contactPerson.isEmpty { model.errors.add("contact_person", "请填写联系人") }
        else if model.contactPerson.count > 50 { model.errors.add("contact_person", "联系人不能超过 50 个字") }
        if model.contactPhone.isEmpty { model.errors.add("contact_phone", "请填写联系电话") }
        else if model.contactPhone.count > 20 { model.errors.add("contact_phone", "联系电话格式不正确") }
        if model.address.count > 200 { model.errors.add("address", "地址不能超过 200 个字") }
        guard model.errors.isEmpty else {
            return try await req.render("organizations/own", title: "本单位信息", model, status: .unprocessableEntity)
        }
        let before = org.auditSummary + "；联系人=\(org.contactPerson ?? "-")；电话=\(org.contactPhone ?? "-")；地址=\(org.address ?? "-")"
        org.contactPerson = model.contactPerson
        org.contactPhone = model.contactPhone
        org.address = model.address.isEmpty ? nil : model.address
        let after = "联系人=\(model.contactPerson)；电话=\(model.contactPhone)；地址=\(model.address)"
        try await req.db.transaction { db in
            try await org.save(on: db)
            try await req.audit(user, "organization.update", on: db, target: "organization", org.id?.uuidString,
                                summary: "修改前：\(before)\n修改后：\(after)")
        }
        try await req.flash(.success, "本单位信息已保存")
        return req.redirect(.myOrganization)
    }
}

extension OrganizationRoutes {
    /// An enterprise with no people may delete itself (seed 001); otherwise the system refuses
    /// and says why. The row stays (marked deleted) for the history; its accounts are disabled.
    static func deleteOwn(_ req: Request, _ user: CurrentUser) async throws -> Response {
        guard let id = user.organizationID, let org = try await Organization.find(id, on: req.db), org.kind == .enterprise
        else { throw Abort(.notFound) }
        let people = try await Person.query(on: req.db).filter(\.$employer.$id == id).count()
        let branches = try await Organization.query(on: req.db).filter(\.$parent.$id == id).filter(\.$deleted == false).count()
        do { try OrganizationRules.checkSelfDeletion(people: people, branches: branches) } catch {
            try await req.flash(.error, error.message)
            return req.redirect(.myOrganization)
        }
        try await req.db.transaction { db in
            org.deleted = true
            try await org.save(on: db)
            try await Account.query(on: db).filter(\.$organization.$id == id).set(\.$status, to: .disabled).update()
            try await WebSession.query(on: db).filter(\.$accountID ~~ (try await Account.query(on: db).filter(\.$organization.$id == id).all(\.$id))).delete()
            try await req.audit(user, "organization.delete", on: db, target: "organization", org.id?.uuidString,
                                summary: "企业自行注销：\(org.auditSummary)")
        }
        try await req.destroySession()
        try await req.flash(.info, "单位「\(org.name)」已注销")
        return req.redirect(.login)
    }
}

extension FieldErrors {
    func encodeFirst() -> String { messages.values.first ?? "" }
}

extension Organization {
    /// The edited fields of 修改单位; empty contact fields are cleared.
    func take(_ form: OrganizationForm, creditCode: String?) {
        name = form.name
        regionCode = form.regionCode
        self.creditCode = creditCode
        contactPerson = form.contactPerson.isEmpty ? nil : form.contactPerson
        contactPhone = form.contactPhone.isEmpty ? nil : form.contactPhone
        address = form.address.isEmpty ? nil : form.address
    }
}

extension OrganizationNameChange {
    /// The record of a renamed unit: the old and the new name, who renamed it and when.
    convenience init(of org: Organization, from oldName: String, by changedBy: String, at changedAt: Date) throws {
        self.init()
        self.oldName = oldName
        newName = org.name
        self.changedBy = changedBy
        self.changedAt = changedAt
        $organization.id = try org.requireID()
    }
}
