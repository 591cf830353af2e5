import Fluent
import Foundation
import SafeCertCore
import SafeCertDocuments
import Vapor

/// 报名管理: the list every role works from (with its to-dos as filters), one enrolment's page,
/// and the steps of the flow — 报名确认 by the home authority, 缴费 by the institution, 报到,
/// 培训结果 and its review.
enum EnrolmentRoutes {
    static func register(_ routes: any RoutesBuilder) {
        routes.page(.enrolments, .viewEnrolments, use: list)
        routes.page(.enrolment(.key), .viewEnrolments, use: show)
        routes.page(.enrolmentsExport, .viewEnrolments, use: export)
        routes.page(.enrolmentForm(.key), .viewEnrolments, use: formPDF)
        routes.action(.enrolmentsConfirm, .confirmEnrolments, use: confirm)
        routes.action(.enrolmentsPayment, .recordPayments, use: payment)
        routes.action(.enrolmentsCheckIn, .checkInTrainees, use: checkIn)
        routes.action(.enrolmentsReview, .reviewTrainingResults, use: review)
        routes.action(.enrolmentCancel(.key), .viewEnrolments, use: cancel)
        routes.action(.enrolmentResubmit(.key), .viewEnrolments, use: resubmit)
        routes.page(.classResults(.key), .recordTrainingResults, use: showResults)
        routes.action(.classResults(.key), .recordTrainingResults, use: saveResults)
        routes.action(.classResultsSubmit(.key), .recordTrainingResults, use: submitResults)
    }

    // MARK: List

    struct Row: Encodable, Sendable {
        let id: String
        let name: String
        let idNumber: String
        let className: String
        let classHref: String
        let qualification: String
        let channel: String
        let state: String
        let stateKey: String
        let paid: Bool
        let reason: String?
        let hours: String
        let href: String
        /// Ticked when the page is shown again after a refused bulk action.
        let checked: Bool
    }

    struct BulkAction: Encodable, Sendable {
        let action: String
        let label: String
        let decision: String?
        let needsReason: Bool
        let danger: Bool
    }

    struct ListModel: Encodable, Sendable {
        let rows: [Row]
        let pagination: Pagination
        let name: String
        let idNumber: String
        let classID: String
        let className: String?
        let stateOptions: [OrganizationForm.Option]
        let bulk: [BulkAction]
        let exportParts: [OrganizationForm.Option]
        /// Why the bulk action just sent did nothing, shown above the list that was ticked.
        let error: String?
        let reason: String
    }

    struct Filters {
        var name: String?
        var number: String?
        var state: EnrolmentState?
        var classID: UUID?
        var pairs: [(String, String?)] { [("name", name), ("id_number", number), ("state", state?.rawValue), ("class", classID?.uuidString)] }
    }

    /// The list's query with its filters, inside the scope; the export uses the same one.
    static func filtered(_ req: Request, _ user: CurrentUser) -> (QueryBuilder<Enrolment>, Filters) {
        var query = Enrolment.query(on: req.db).scoped(to: user.scope).join(parent: \.$person)
        var f = Filters()
        f.name = req.queryText("name")
        if let name = f.name { query = query.filter(Person.self, \.$name ~~ name) }
        f.number = req.queryText("id_number")
        if let number = f.number { query = query.filter(Person.self, \.$idNumber == TextNormalizationBridge.idNumber(number)) }
        f.state = req.queryText("state").flatMap(EnrolmentState.init(rawValue:))
        if let state = f.state { query = query.filter(\.$state == state) }
        f.classID = req.queryText("class").flatMap(UUID.init(uuidString:))
        if let classID = f.classID { query = query.filter(\.$trainingClass.$id == classID) }
        return (query, f)
    }

    /// .xlsx of the filtered list in parts of 5,000 (?part=N); ID numbers masked unless the
    /// account may see them in full.
    static func export(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let (query, _) = filtered(req, user)
        let part = req.exportPart()
        let rows = try await query.sort(\.$createdAt, .descending).sort(\.$id)
            .range(ExportParts.range(part: part)).all()
        let catalogue = try await CatalogueStore.load(on: req.db)
        let full = user.may(.viewFullPersonalData)
        let writer = XLSXWriter(sheetName: "报名名单", columns: [
            ("姓名", 12), ("证件号码", 22), ("培训班", 30), ("班级编号", 16), ("资格类型", 20), ("报名方式", 12), ("状态", 14),
            ("缴费", 8), ("学时", 8), ("培训结果", 10), ("原因", 30),
        ].map { XLSXColumn(title: $0.0, width: Double($0.1)) })
        for e in rows {
            let p = try e.joined(Person.self)
            let c = try e.joined(TrainingClass.self)
            writer.append([p.name, full ? p.idNumber : Masking.idNumber(p.idNumber), c.name, c.code,
                           catalogue.type(code: e.qualificationCode)?.name ?? e.qualificationCode, e.channelLabel, e.state.label,
                           e.paid ? "已缴" : "", e.trainingHours.map(hoursLabel) ?? "",
                           e.trainingPassed.map { $0 ? "合格" : "不合格" } ?? "", e.stateReason ?? ""])
        }
        try await req.audit(user, "enrolment.export", target: "enrolment", nil, summary: "导出报名名单第 \(part) 部分（\(rows.count) 条）")
        return xlsxResponse(try writer.finish(), fileName: "报名名单-\(part).xlsx")
    }

    static func list(_ req: Request, _ user: CurrentUser) async throws -> Response {
        try await renderList(req, user)
    }

    /// The list as its query asks; after a refused bulk action also the ticked rows, the typed
    /// reason and the message.
    static func renderList(_ req: Request, _ user: CurrentUser, ticked: Set<UUID> = [], reason: String = "", error: String? = nil,
                           status: HTTPStatus = .ok) async throws -> Response {
        let (query, filters) = filtered(req, user)
        let name = filters.name, number = filters.number, state = filters.state, classID = filters.classID
        let page = try await query.sort(\.$createdAt, .descending).sort(\.$id).page(for: req)
        let catalogue = try await CatalogueStore.load(on: req.db)
        let rows = try page.items.map { e in
            let person = try e.joined(Person.self)
            let c = try e.joined(TrainingClass.self)
            return Row(id: try e.requireID().uuidString, name: person.name, idNumber: Masking.idNumber(person.idNumber), className: c.name,
                       classHref: SiteURL.trainingClass(.id(c.id)).link,
                       qualification: catalogue.type(code: e.qualificationCode)?.name ?? e.qualificationCode,
                       channel: e.channelLabel, state: e.state.label, stateKey: e.state.rawValue, paid: e.paid,
                       reason: e.stateReason, hours: e.trainingHours.map { hoursLabel($0) } ?? "",
                       href: SiteURL.enrolment(.id(e.id)).link, checked: ticked.contains(try e.requireID()))
        }
        var className: String?
        if let classID { className = try await TrainingClass.find(classID, for: user, on: req.db)?.name }
        return try await req.render("training/enrolments", title: "报名管理", ListModel(
            rows: rows,
            pagination: Pagination(metadata: page.metadata, path: SiteURL.enrolments.link,
                                   filters: [("name", name), ("id_number", number), ("state", state?.rawValue), ("class", classID?.uuidString)]),
            name: name ?? "", idNumber: number ?? "", classID: classID?.uuidString ?? "", className: className,
            stateOptions: EnrolmentState.allCases.map { .init(value: $0.rawValue, label: $0.label, selected: $0 == state) },
            bulk: bulkActions(for: user), exportParts: ExportParts.options(path: SiteURL.enrolmentsExport.link, filters: filters.pairs, total: page.metadata.total),
            error: error, reason: reason), status: status)
    }

    /// The bulk actions above the list that the account may take.
    static func bulkActions(for user: CurrentUser) -> [BulkAction] {
        var bulk: [BulkAction] = []
        if user.may(.confirmEnrolments) {
            bulk += [.init(action: SiteURL.enrolmentsConfirm.link, label: "确认报名", decision: "confirm", needsReason: false, danger: false),
                     .init(action: SiteURL.enrolmentsConfirm.link, label: "不予确认", decision: "refuse", needsReason: true, danger: true)]
        }
        if user.may(.recordPayments) {
            bulk.append(.init(action: SiteURL.enrolmentsPayment.link, label: "登记已缴费", decision: nil, needsReason: false, danger: false))
        }
        if user.may(.checkInTrainees) {
            bulk.append(.init(action: SiteURL.enrolmentsCheckIn.link, label: "报到", decision: nil, needsReason: false, danger: false))
        }
        if user.may(.reviewTrainingResults) {
            bulk += [.init(action: SiteURL.enrolmentsReview.link, label: "审核通过", decision: "pass", needsReason: false, danger: false),
                     .init(action: SiteURL.enrolmentsReview.link, label: "退回企业", decision: "return", needsReason: true, danger: true)]
        }
        return bulk
    }

    /// A bulk action refused before it did anything (nothing ticked, no reason): the list the user
    /// came from again — its filters and page read from `back`, the ticked rows still ticked —
    /// with the message, as a 422 instead of a bare error page. From an enrolment's own page the
    /// message goes back to that page.
    static func reshowList(_ req: Request, _ user: CurrentUser, ticked: [UUID], error: String) async throws -> Response {
        let link = req.field("back").flatMap { LocalRedirect.validated($0, routes: req.application.routes.all) } ?? SiteURL.enrolments.link
        let back = URI(string: link)
        guard back.path == SiteURL.enrolments.link else {
            try await req.flash(.error, error)
            return req.redirect(to: link, redirectType: .normal)
        }
        req.url = back
        return try await renderList(req, user, ticked: Set(ticked), reason: reason(req), error: error, status: .unprocessableEntity)
    }

    static func hoursLabel(_ hours: Double) -> String { StudyTime.hours(hours) }

    // MARK: Detail

    struct DetailModel: Encodable, Sendable {
        let id: String
        let person: [PersonRoutes.ComparedField]
        let form: [PersonRoutes.ComparedField]
        let training: [PersonRoutes.ComparedField]
        let state: String
        let stateKey: String
        let reason: String?
        let paymentNotice: String?
        let fee: String
        let paid: Bool
        let paidAt: String?
        let photo: String?
        let pdfHref: String
        let cancelHref: String?
        let resubmitHref: String?
        let confirmHref: String?
        let paymentHref: String?
        let checkInHref: String?
        let reviewHref: String?
    }

    static func show(_ req: Request, _ user: CurrentUser) async throws -> Response {
        guard let e = try await Enrolment.find(try req.idParameter(), in: user.scope, on: req.db) else { throw Abort(.notFound) }
        let c = try e.joined(TrainingClass.self)
        try await e.$person.load(on: req.db)
        let person = e.person
        let catalogue = try await CatalogueStore.load(on: req.db)
        let full = user.may(.viewFullPersonalData)
        func rows(_ pairs: [(String, String)]) -> [PersonRoutes.ComparedField] {
            pairs.map { .init(label: $0.0, old: $0.1, new: $0.1, changed: false) }
        }
        let institution = try await Organization.find(c.$institution.id, on: req.db)
        let acts = permissions(user, e, c, today: CalendarDate.today(now: req.now))
        return try await req.render("training/enrolment", title: "报名详情", DetailModel(
            id: e.requireID().uuidString,
            person: rows([("姓名", person.name), ("证件号码", full ? person.idNumber : Masking.idNumber(person.idNumber)),
                          ("性别", person.genderLabel), ("出生日期", person.birthDate ?? ""), ("学历", person.education ?? ""),
                          ("手机号码", full ? person.phone : Masking.phone(person.phone))]),
            form: rows([("培训班", "\(c.name)（\(c.code)）"), ("培训类型", c.classType.label),
                        ("资格类型", catalogue.type(code: e.qualificationCode)?.name ?? e.qualificationCode),
                        ("培训机构", institution?.name ?? ""), ("报名方式", e.channelLabel),
                        ("工作单位", e.employerName ?? ""), ("统一社会信用代码", e.employerCreditCode ?? ""),
                        ("参加工作日期", e.workStartDate ?? ""), ("从业年限", e.yearsInTrade.map { "\($0) 年" } ?? ""),
                        ("个人简历", e.resume ?? ""), ("单位意见", e.employerOpinion ?? "")]),
            training: rows([("报到时间", e.checkedInAt.map(ChinaTime.format) ?? "未报到"),
                            ("培训学时", e.trainingHours.map { hoursLabel($0) + " 学时" } ?? ""),
                            ("培训结果", e.trainingPassed.map { $0 ? "合格" : "不合格" } ?? ""),
                            ("备注", e.trainingRemarks ?? "")]),
            state: e.state.label, stateKey: e.state.rawValue, reason: e.stateReason,
            paymentNotice: e.paymentNotice, fee: Money.yuan(e.feeFen), paid: e.paid, paidAt: e.paidAt.map(ChinaTime.format),
            photo: person.hasPhoto ? SiteURL.personPhoto(.id(person.id)).link : nil,
            pdfHref: SiteURL.enrolmentForm(.id(e.id)).link,
            cancelHref: acts.cancel ? SiteURL.enrolmentCancel(.id(e.id)).link : nil,
            resubmitHref: acts.resubmit ? SiteURL.enrolmentResubmit(.id(e.id)).link : nil,
            confirmHref: acts.confirm ? SiteURL.enrolmentsConfirm.link : nil,
            paymentHref: acts.payment ? SiteURL.enrolmentsPayment.link : nil,
            checkInHref: acts.checkIn ? SiteURL.enrolmentsCheckIn.link : nil,
            reviewHref: acts.review ? SiteURL.enrolmentsReview.link : nil))
    }

    /// 报名表 as a PDF (seed 002: print and export the form), with the 1-inch photo.
    static func formPDF(_ req: Request, _ user: CurrentUser) async throws -> Response {
        guard let e = try await Enrolment.find(try req.idParameter(), in: user.scope, on: req.db) else { throw Abort(.notFound) }
        let c = try e.joined(TrainingClass.self)
        try await e.$person.load(on: req.db)
        let p = e.person
        let catalogue = try await CatalogueStore.load(on: req.db)
        let institution = try await Organization.find(c.$institution.id, on: req.db)
        let photo = try await PersonPhoto.query(on: req.db).filter(\.$person.$id == p.requireID()).first()?.jpeg
        let full = user.may(.viewFullPersonalData) || user.personID == p.id || PersonRoutes.owns(user, p)
        let sheet = FormSheet(
            title: "安全生产培训考核报名表",
            subtitle: "\(catalogue.type(code: e.qualificationCode)?.name ?? e.qualificationCode)（\(c.classType.label)）",
            number: "报名编号：\(try e.requireID().uuidString.prefix(8).uppercased())",
            rows: [
                .pair("姓名", p.name, "性别", p.genderLabel),
                .pair("证件号码", full ? p.idNumber : Masking.idNumber(p.idNumber), "出生日期", p.birthDate ?? ""),
                .pair("学历", p.education ?? "", "手机号码", full ? p.phone : Masking.phone(p.phone)),
                .pair("工作单位", e.employerName ?? "", "统一社会信用代码", e.employerCreditCode ?? ""),
                .pair("参加工作日期", e.workStartDate ?? "", "从业年限", e.yearsInTrade.map { "\($0) 年" } ?? ""),
                .pair("培训班", "\(c.name)（\(c.code)）", "培训机构", institution?.name ?? ""),
                .pair("培训时间", "\(c.startDate) 至 \(c.endDate)", "报名状态", e.state.label),
                .wide("个人简历", e.resume ?? "", minHeight: 90),
                .wide("单位意见", e.employerOpinion ?? "", minHeight: 50),
            ],
            photoBox: true, photo: photo,
            footer: ["本人签字：                    单位盖章：                    日期：        年    月    日"])
        let data = try await req.application.documentPool.run { FormSheetRenderer.render([sheet], title: "报名表 \(p.name)") }
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "application", subType: "pdf")
        let name = "报名表-\(p.name).pdf".addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "form.pdf"
        headers.replaceOrAdd(name: .contentDisposition, value: "inline; filename=\"form.pdf\"; filename*=UTF-8''\(name)")
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }

    /// Which buttons the page offers: the same rules the actions check.
    struct Acts { var cancel = false, resubmit = false, confirm = false, payment = false, checkIn = false, review = false }

    static func permissions(_ user: CurrentUser, _ e: Enrolment, _ c: TrainingClass, today: CalendarDate) -> Acts {
        var a = Acts()
        let registrant = isRegistrant(user, e)
        let authority = user.may(.confirmEnrolments) && user.scope.includes(regionCode: e.regionCode)
        a.cancel = (registrant && !e.paid || authority) && ((try? EnrolmentWorkflow.transition(
            e.state, .cancel(reason: "x"), context: .init(kind: e.kind, actor: authority ? .authority : .registrant, paid: e.paid))) != nil)
        a.resubmit = registrant && (e.state == .refused || e.state == .returnedToEnterprise)
        a.confirm = authority && e.state == .submitted
        a.payment = mayRecordPayment(user, c) && !e.paid && e.state != .cancelled && e.state != .refused && e.state != .submitted
        a.checkIn = mayCheckIn(user, c) && e.state == .confirmed && c.refusal(.checkIn, today: today) == nil
        a.review = mayReview(user, e) && e.state == .trainingRecorded && c.refusal(.reviewResults, today: today) == nil
        return a
    }

    static func isRegistrant(_ user: CurrentUser, _ e: Enrolment) -> Bool {
        if let personID = user.personID, user.role == .individual { return e.$person.id == personID && e.channel == "individual" }
        guard let org = user.organizationID else { return false }
        return e.$enrolledBy.id == org || (user.role == .enterprise && e.$employer.id.map { id in
            if case .organizations(let ids) = user.scope { return ids.contains(id) } else { return false }
        } ?? false)
    }

    static func mayRecordPayment(_ user: CurrentUser, _ c: TrainingClass) -> Bool {
        user.may(.recordPayments) && TrainingStepRules.mayRecordPayment(role: user.role, isClassInstitution: user.organizationID == c.$institution.id)
    }

    /// 报到: by the association, or by the class's institution when the class says so (seed 001).
    static func mayCheckIn(_ user: CurrentUser, _ c: TrainingClass) -> Bool {
        user.may(.checkInTrainees) && TrainingStepRules.mayCheckIn(
            role: user.role, institutionChecksIn: c.institutionChecksIn, isClassInstitution: user.organizationID == c.$institution.id,
            classInScope: user.scope.includes(regionCode: c.regionCode))
    }

    /// Results are reviewed by the authority of the person's region or the association.
    static func mayReview(_ user: CurrentUser, _ e: Enrolment) -> Bool {
        user.may(.reviewTrainingResults) && user.scope.includes(regionCode: e.regionCode)
    }

    // MARK: Bulk steps

    /// The ticked ids as sent (well-formed ones only).
    static func tickedIDs(_ req: Request) -> [UUID] {
        let raw = (try? req.content.get([String].self, at: "ids")) ?? req.field("ids").map { [$0] } ?? []
        return raw.compactMap(UUID.init(uuidString:))
    }

    static let maximumSelection = 500

    /// Why the selection can't be processed at all, or nil.
    static func selectionProblem(_ ids: [UUID]) -> String? {
        if ids.isEmpty { return "请先勾选要处理的报名" }
        if ids.count > maximumSelection { return "一次最多处理 \(maximumSelection) 条，请减少勾选后重试" }
        return nil
    }

    /// Runs one step over the selection in one transaction; rows the rule refuses are named in
    /// the message and left as they were. Nothing ticked (or too many, or `refusal` says why not)
    /// shows the list again with the message.
    static func bulk(_ req: Request, _ user: CurrentUser, label: String, refusal: String? = nil,
                     step: @escaping @Sendable (Enrolment, TrainingClass, any Database) async throws -> String?) async throws -> Response {
        let ids = tickedIDs(req)
        if let problem = selectionProblem(ids) ?? refusal {
            return try await reshowList(req, user, ticked: ids, error: problem)
        }
        let rows = try await Enrolment.query(on: req.db).scoped(to: user.scope).filter(\.$id ~~ ids).with(\.$person).all()
        let (done, refused) = try await req.db.transaction { db -> (Int, [String]) in
            var refused: [String] = []
            var done = 0
            for e in rows {
                let c = try e.joined(TrainingClass.self)
                if let problem = try await step(e, c, db) {
                    refused.append("\(e.person.name)：\(problem)")
                } else {
                    done += 1
                }
            }
            return (done, refused)
        }
        if done > 0 { try await req.flash(.success, "\(label)：已处理 \(done) 人") }
        if !refused.isEmpty { try await req.flash(.error, "以下人员未处理——" + refused.prefix(20).joined(separator: "；")) }
        if rows.isEmpty { try await req.flash(.error, "所选报名不存在或不在您的管辖范围内") }
        return req.redirect(back: req.field("back"), fallback: .enrolments)
    }

    static func reason(_ req: Request) -> String { req.field("reason") ?? "" }

    static func confirm(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let decision = req.field("decision")
        let reason = reason(req)
        let missing = decision == "refuse" && reason.isEmpty ? "不予确认须填写原因" : nil
        return try await bulk(req, user, label: decision == "refuse" ? "不予确认" : "确认报名", refusal: missing) { e, _, db in
            // The home authority only: the person's region, wherever the class is held.
            guard user.scope.includes(regionCode: e.regionCode) else { return EnrolmentCheck.outsideHomeRegion(personRegion: e.regionCode) }
            let event: EnrolmentEvent = decision == "refuse" ? .refuse(reason: reason) : .confirm
            return try await EnrolmentService.apply(event, to: e, actor: .authority, user: user, req: req, on: db)
        }
    }

    static func payment(_ req: Request, _ user: CurrentUser) async throws -> Response {
        try await bulk(req, user, label: "登记缴费") { e, c, db in
            guard mayRecordPayment(user, c) else { return "不是本机构的培训班" }
            return try await markPaid(e, user: user, req: req, on: db)
        }
    }

    static func markPaid(_ e: Enrolment, user: CurrentUser?, req: Request, on db: any Database, apiActor: AuditActor? = nil) async throws -> String? {
        if e.paid { return "已缴费" }
        guard e.paymentNotice != nil, ![.submitted, .refused, .cancelled, .withdrawn].contains(e.state) else {
            return "报名尚未确认，没有缴费通知"
        }
        e.paid = true
        e.paidAt = req.now
        try await e.save(on: db)
        let actor = apiActor ?? user.map { req.auditActor($0) }
        if let actor {
            try await Audit.record(on: db, actor: actor, action: "enrolment.payment", targetType: "enrolment", targetID: e.id?.uuidString,
                                   summary: "缴费通知 \(e.paymentNotice ?? "")：\(Money.yuan(e.feeFen)) 已缴", at: req.now)
        }
        return nil
    }

    static func checkIn(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let today = CalendarDate.today(now: req.now)
        return try await bulk(req, user, label: "报到") { e, c, db in
            guard mayCheckIn(user, c) else { return c.institutionChecksIn ? "本班由培训机构办理报到" : "本班由协会办理报到" }
            if let refusal = c.refusal(.checkIn, today: today) { return refusal }
            return try await EnrolmentService.apply(.checkIn, to: e, actor: .authority, user: user, req: req, on: db)
        }
    }

    static func review(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let decision = req.field("decision")
        let reason = reason(req)
        let missing = decision == "return" && reason.isEmpty ? "退回企业须填写原因" : nil
        let today = CalendarDate.today(now: req.now)
        return try await bulk(req, user, label: decision == "return" ? "退回企业" : "审核通过", refusal: missing) { e, c, db in
            guard mayReview(user, e) else { return "不属于本辖区人员" }
            if let refusal = c.refusal(.reviewResults, today: today) { return refusal }
            let event: EnrolmentEvent = decision == "return" ? .reviewReturn(reason: reason) : .reviewPass
            return try await EnrolmentService.apply(event, to: e, actor: .authority, user: user, req: req, on: db)
        }
    }

    static func cancel(_ req: Request, _ user: CurrentUser) async throws -> Response {
        guard let e = try await Enrolment.find(try req.idParameter(), in: user.scope, on: req.db) else { throw Abort(.notFound) }
        let authority = user.may(.confirmEnrolments) && user.scope.includes(regionCode: e.regionCode)
        guard authority || isRegistrant(user, e) else { throw Abort(.forbidden) }
        let message = try await req.db.transaction { db in
            try await EnrolmentService.apply(.cancel(reason: reason(req)), to: e, actor: authority ? .authority : .registrant,
                                             user: user, req: req, on: db)
        }
        if let message {
            try await req.flash(.error, message)
        } else {
            try await req.flash(.success, "已撤销报名")
        }
        return req.redirect(.enrolment(.id(e.id)))
    }

    static func resubmit(_ req: Request, _ user: CurrentUser) async throws -> Response {
        guard let e = try await Enrolment.find(try req.idParameter(), in: user.scope, on: req.db) else { throw Abort(.notFound) }
        guard isRegistrant(user, e) else { throw Abort(.forbidden) }
        let message = try await req.db.transaction { db in
            try await EnrolmentService.apply(.submit, to: e, actor: .registrant, user: user, req: req, on: db)
        }
        if let message { try await req.flash(.error, message) } else { try await req.flash(.success, "已重新提交") }
        return req.redirect(.enrolment(.id(e.id)))
    }

    // MARK: Training results (the institution)

    struct ResultRow: Encodable, Sendable {
        let id: String
        let name: String
        let idNumber: String
        let state: String
        let hours: String
        let passed: Bool
        let failed: Bool
        let remarks: String
        let error: String?
        let editable: Bool
    }

    struct ResultsModel: Encodable, Sendable {
        let className: String
        let classHref: String
        let requiredHours: Int?
        let rows: [ResultRow]
        let pagination: Pagination
        let action: String
        let submitAction: String
        let pendingSubmit: Int
        /// Why results can't be recorded yet (the class hasn't started), or why the save was refused.
        let blocked: String?
        let error: String?
    }

    static func ownClass(_ req: Request, _ user: CurrentUser) async throws -> TrainingClass {
        guard let c = try await TrainingClass.find(try req.idParameter(), for: user, on: req.db),
              c.$institution.id == user.organizationID else { throw Abort(.notFound) }
        return c
    }

    static func requiredHours(_ c: TrainingClass, on db: any Database, today: CalendarDate) async throws -> Int? {
        let catalogue = try await CatalogueStore.load(on: db)
        let terms = catalogue.terms(for: c.qualificationCode, province: QualificationCatalogue.provinceCode(of: c.regionCode), on: today)
        switch c.classType {
        case .initial: return terms?.initialTrainingHours
        case .retraining, .renewal: return terms?.reviewTrainingHours
        case .continuing: return terms?.continuingHoursPerYear
        }
    }

    static func showResults(_ req: Request, _ user: CurrentUser) async throws -> Response {
        try await renderResults(req, user, errors: [:], status: .ok)
    }

    static func renderResults(_ req: Request, _ user: CurrentUser, errors: [UUID: String], error: String? = nil,
                              status: HTTPStatus) async throws -> Response {
        let c = try await ownClass(req, user)
        let blocked = c.refusal(.recordResults, today: CalendarDate.today(now: req.now))
        let page = try await Enrolment.query(on: req.db).filter(\.$trainingClass.$id == c.requireID())
            .filter(\.$state ~~ [.inTraining, .trainingRecorded, .trained, .returnedToEnterprise])
            .join(parent: \.$person).sort(Person.self, \.$name).sort(\.$id).page(for: req)
        let pending = try await Enrolment.query(on: req.db).filter(\.$trainingClass.$id == c.requireID()).filter(\.$state == .inTraining)
            .filter(\.$trainingPassed != nil).count()
        let rows = try page.items.map { e in
            let p = try e.joined(Person.self)
            return ResultRow(id: try e.requireID().uuidString, name: p.name, idNumber: Masking.idNumber(p.idNumber), state: e.state.label,
                             hours: e.trainingHours.map(hoursLabel) ?? "", passed: e.trainingPassed == true,
                             failed: e.trainingPassed == false, remarks: e.trainingRemarks ?? "", error: errors[try e.requireID()],
                             editable: e.state == .inTraining && blocked == nil)
        }
        return try await req.render("training/results", title: "录入培训结果", ResultsModel(
            className: c.name, classHref: SiteURL.trainingClass(.id(c.id)).link,
            requiredHours: try await requiredHours(c, on: req.db, today: CalendarDate.today(now: req.now)),
            rows: rows, pagination: Pagination(metadata: page.metadata, path: SiteURL.classResults(.id(c.id)).link, filters: []),
            action: SiteURL.classResults(.id(c.id)).link, submitAction: SiteURL.classResultsSubmit(.id(c.id)).link,
            pendingSubmit: blocked == nil ? pending : 0, blocked: blocked, error: error),
            status: status)
    }

    /// Saves what was typed (not yet submitted): hours_ID, result_ID (pass/fail), remarks_ID.
    static func saveResults(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let c = try await ownClass(req, user)
        let today = CalendarDate.today(now: req.now)
        if let refusal = c.refusal(.recordResults, today: today) {
            return try await renderResults(req, user, errors: [:], error: refusal, status: .conflict)
        }
        let required = try await requiredHours(c, on: req.db, today: today)
        let ids = tickedIDs(req)
        if ids.isEmpty || ids.count > maximumSelection {
            return try await renderResults(req, user, errors: [:], error: ids.isEmpty ? "没有要保存的学员" : "一次最多保存 \(maximumSelection) 人",
                                           status: .unprocessableEntity)
        }
        let rows = try await Enrolment.query(on: req.db).filter(\.$trainingClass.$id == c.requireID()).filter(\.$id ~~ ids)
            .filter(\.$state == .inTraining).all()
        var errors: [UUID: String] = [:]
        var updates: [(Enrolment, TrainingResult)] = []
        for e in rows {
            let key = try e.requireID().uuidString
            switch TrainingResult.entry(hours: req.field("hours_\(key)"), result: req.field("result_\(key)"),
                                        remarks: req.field("remarks_\(key)") ?? "", requiredHours: required) {
            case .blank: continue
            case .refused(let message): errors[try e.requireID()] = message
            case .entered(let r): updates.append((e, r))
            }
        }
        guard errors.isEmpty else { return try await renderResults(req, user, errors: errors, status: .unprocessableEntity) }
        let toSave = updates
        try await req.db.transaction { db in
            for (e, r) in toSave {
                e.trainingHours = r.hoursAttended
                e.trainingPassed = r.passed
                e.trainingRemarks = r.remarks.isEmpty ? nil : r.remarks
                try await e.save(on: db)
                try await req.audit(user, "enrolment.training-result-draft", on: db, target: "enrolment", e.id?.uuidString,
                                    summary: "录入培训结果：\(hoursLabel(r.hoursAttended)) 学时，\(r.passed ? "合格" : "不合格")")
            }
        }
        try await req.flash(.success, "已保存 \(updates.count) 人的培训结果；核对无误后请提交审核")
        return req.redirect(.classResults(.id(c.id)))
    }

    /// 提交: every recorded result of the class goes on — a pass to review, a fail back to the enterprise.
    static func submitResults(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let c = try await ownClass(req, user)
        if let refusal = c.refusal(.recordResults, today: CalendarDate.today(now: req.now)) {
            try await req.flash(.error, refusal)
            return req.redirect(.classResults(.id(c.id)))
        }
        let rows = try await Enrolment.query(on: req.db).filter(\.$trainingClass.$id == c.requireID()).filter(\.$state == .inTraining)
            .filter(\.$trainingPassed != nil).all()
        guard !rows.isEmpty else {
            try await req.flash(.error, "没有已录入但未提交的培训结果")
            return req.redirect(.classResults(.id(c.id)))
        }
        try await req.db.transaction { db in
            for e in rows {
                let passed = e.trainingPassed == true
                if !passed { e.stateReason = "培训不合格" + (e.trainingRemarks.map { "：\($0)" } ?? "") }
                if let problem = try await EnrolmentService.apply(.recordTrainingResult(passed: passed), to: e, actor: .registrant,
                                                                  user: user, req: req, on: db) {
                    throw Abort(.conflict, reason: problem)
                }
            }
        }
        try await req.flash(.success, "已提交 \(rows.count) 人的培训结果")
        return req.redirect(.classResults(.id(c.id)))
    }
}
