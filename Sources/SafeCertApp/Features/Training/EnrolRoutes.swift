import Fluent
import Foundation
import SafeCertCore
import SafeCertDocuments
import Vapor

/// Putting people into a class: an enterprise or institution one by one or from the batch
/// template with photos (seed 002 批量报名), school students without confirmation (seed 001
/// 院校报名), and the individual's own 我要报名 (seed 002).
enum EnrolRoutes {
    static func register(_ routes: any RoutesBuilder) {
        routes.page(.classEnrol(.key), .viewClasses, use: showSingle)
        routes.action(.classEnrol(.key), .viewClasses, use: enrolSingle)
        // Enterprises and institutions enrol with enrolPeople, the association its school students
        // (院校整体报名): the handlers check the channel.
        routes.page(.classEnrolBatch(.key), .viewClasses, use: showBatch)
        routes.upload(.classEnrolBatch(.key), .viewClasses, maxBody: "200mb", use: enrolBatch)
        routes.page(.enrolmentTemplate, .viewClasses, use: template)
        routes.page(.enrolSelf, .enrolSelf, use: selfClasses)
        routes.page(.enrolSelfClass(.key), .enrolSelf, use: showSelf)
        routes.upload(.enrolSelfClass(.key), .enrolSelf, maxBody: "6mb", use: enrolSelf)
    }

    static func openClass(_ req: Request, _ user: CurrentUser) async throws -> TrainingClass {
        guard let c = try await TrainingClass.find(try req.idParameter(), for: user, on: req.db) else { throw Abort(.notFound) }
        return c
    }

    /// Units enrol with enrolPeople; the association and institutions enrol school students.
    static func channels(for user: CurrentUser) -> [EnrolmentService.Channel] {
        var list: [EnrolmentService.Channel] = []
        if user.may(.enrolPeople) { list.append(user.role == .trainingInstitution ? .institution : .enterprise) }
        if user.may(.enrolSchoolStudents) { list.append(.school) }
        return list
    }

    // MARK: One by one

    /// The 报名表 fields every enrolment form shares (seed 002).
    struct DetailsForm: Encodable, Sendable {
        var workStartDate = ""
        var yearsInTrade = ""
        var resume = ""
        var employerOpinion = ""
        var health = false
        var medical = false

        /// Reads and checks the fields; problems go to `errors` by field name.
        mutating func read(_ req: Request, errors: inout FieldErrors) -> EnrolmentDetails? {
            workStartDate = req.field("work_start_date") ?? ""
            yearsInTrade = req.field("years_in_trade") ?? ""
            resume = req.field("resume") ?? ""
            employerOpinion = req.field("employer_opinion") ?? ""
            health = req.field("health_commitment") != nil
            medical = req.field("medical_check") != nil
            let (details, problems) = EnrolmentDetails.validate(
                workStart: workStartDate.nilIfEmpty, years: yearsInTrade.nilIfEmpty, resume: resume.nilIfEmpty,
                opinion: employerOpinion.nilIfEmpty, today: CalendarDate.today(now: req.now), health: health, medical: medical)
            for p in problems { errors.add(p.field, p.message) }
            return details
        }
    }

    struct SingleForm: Encodable, Sendable {
        var idNumber = ""
        var name = ""
        var details = DetailsForm()
        var school = false
        var errors = FieldErrors()
    }

    struct SingleModel: Encodable, Sendable {
        let className: String
        let classType: String
        let classHref: String
        let action: String
        let batchHref: String?
        let form: SingleForm
        let refusals: [String]
        let offerSchool: Bool
        let onlySchool: Bool
    }

    static func renderSingle(_ req: Request, _ user: CurrentUser, _ c: TrainingClass, form: SingleForm, refusals: [String],
                             status: HTTPStatus) async throws -> Response {
        let channels = channels(for: user)
        guard !channels.isEmpty else { throw Abort(.forbidden) }
        return try await req.render("training/enrol", title: "培训报名", SingleModel(
            className: c.name, classType: c.classType.label, classHref: SiteURL.trainingClass(.id(c.id)).link,
            action: SiteURL.classEnrol(.id(c.id)).link, batchHref: SiteURL.classEnrolBatch(.id(c.id)).link,
            form: form, refusals: refusals, offerSchool: channels.contains(.school) && channels.count > 1,
            onlySchool: channels == [.school]), status: status)
    }

    static func showSingle(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let c = try await openClass(req, user)
        return try await renderSingle(req, user, c, form: SingleForm(), refusals: [], status: .ok)
    }

    static func enrolSingle(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let c = try await openClass(req, user)
        let channels = channels(for: user)
        guard !channels.isEmpty else { throw Abort(.forbidden) }
        var form = SingleForm()
        form.idNumber = req.field("id_number") ?? ""
        form.name = req.field("name") ?? ""
        form.school = req.field("school") != nil || channels == [.school]
        let details = form.details.read(req, errors: &form.errors)
        if form.idNumber.isEmpty { form.errors.add("id_number", "请填写证件号码") }
        if form.name.isEmpty { form.errors.add("name", "请填写姓名") }
        var person: Person?
        if !form.idNumber.isEmpty {
            person = try await Person.query(on: req.db).filter(\.$idNumber == TextNormalizationBridge.idNumber(form.idNumber))
                .scoped(to: user.scope).first()
            if let person {
                if !form.name.isEmpty, person.name != form.name { form.errors.add("name", "姓名与登记信息不一致") }
            } else {
                form.errors.add("id_number", "未在本单位登记的人员中找到该证件号码，请先在“人员信息管理”中录入")
            }
        }
        guard form.errors.isEmpty, let person, let details else {
            return try await renderSingle(req, user, c, form: form, refusals: [], status: .unprocessableEntity)
        }
        guard let channel = EnrolmentChannel.chosen(from: channels, school: form.school) else { throw Abort(.forbidden) }
        let employer = try await person.$employer.get(on: req.db)
        let catalogue = try await CatalogueStore.load(on: req.db)
        do {
            let e = try await req.db.transaction { db in
                try await EnrolmentService.enrol(person: person, into: c, channel: channel, details: details, employerName: employer?.name,
                                                 employerCreditCode: employer?.creditCode, by: user, req: req, catalogue: catalogue, on: db)
            }
            try await req.flash(.success, "\(person.name) 已报名「\(c.name)」，状态：\(e.state.label)")
            return req.redirect(.enrolment(.id(e.id)))
        } catch let refusal as EnrolmentService.Refusal {
            return try await renderSingle(req, user, c, form: form, refusals: refusal.reasons, status: .unprocessableEntity)
        }
    }

    // MARK: Batch (template + photos)

    struct BatchProblem: Encodable, Sendable {
        let row: String
        let column: String
        let reason: String
    }

    struct BatchModel: Encodable, Sendable {
        let className: String
        let classHref: String
        let action: String
        let templateHref: String
        var problems: [BatchProblem] = []
        var enrolled: [String] = []
        var submitted = false
        var notice: String?
        /// 院校报名 offered as a choice (the institution), or the only way (the association).
        var offerSchool = false
        var onlySchool = false
        var school = false
    }

    static func batchModel(_ req: Request, _ user: CurrentUser, _ c: TrainingClass) -> BatchModel {
        let channels = channels(for: user)
        return BatchModel(className: c.name, classHref: SiteURL.trainingClass(.id(c.id)).link, action: SiteURL.classEnrolBatch(.id(c.id)).link,
                          templateHref: SiteURL.enrolmentTemplate.link,
                          offerSchool: channels.contains(.school) && channels.count > 1, onlySchool: channels == [.school])
    }

    static func showBatch(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let c = try await openClass(req, user)
        guard !channels(for: user).isEmpty else { throw Abort(.forbidden) }
        return try await req.render("training/enrol-batch", title: "批量报名", batchModel(req, user, c))
    }

    static func template(_ req: Request, _ user: CurrentUser) async throws -> Response {
        guard !channels(for: user).isEmpty else { throw Abort(.forbidden) }
        let writer = XLSXWriter(sheetName: "批量报名", columns: EnrolmentImportTemplate.Column.allCases.map {
            XLSXColumn(title: $0.title, width: $0 == .idNumber ? 24 : $0 == .resume ? 40 : 16)
        })
        writer.append(["11010519491231002X", "示例：张三", "2015-03-01", "8", "是", "是", "2015 年至今在本单位从事电工作业", "同意报名"])
        writer.addNoteSheet(name: "填写说明", lines: EnrolmentImportTemplate.notes)
        return xlsxResponse(try writer.finish(), fileName: "批量报名模板.xlsx")
    }

    // MARK: 我要报名 (the individual)

    struct SelfClassRow: Encodable, Sendable {
        let name: String
        let type: String
        let qualification: String
        let institution: String
        let dates: String
        let deadline: String
        let fee: String
        let href: String
    }

    struct CertificateRow: Encodable, Sendable {
        let qualification: String
        let number: String
        let expires: String
        let advice: String
    }

    struct SelfListModel: Encodable, Sendable {
        let rows: [SelfClassRow]
        let pagination: Pagination
        let certificates: [CertificateRow]
        let type: String
    }

    static func ownPerson(_ req: Request, _ user: CurrentUser) async throws -> Person {
        guard let id = user.personID, let person = try await Person.find(id, on: req.db) else { throw Abort(.forbidden) }
        return person
    }

    /// Open classes; a holder sees their certificates with the class type the 1 March rule allows.
    static func selfClasses(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let person = try await ownPerson(req, user)
        let today = CalendarDate.today(now: req.now)
        let catalogue = try await CatalogueStore.load(on: req.db)
        let held = try await HeldCertificate.query(on: req.db).filter(\.$person.$id == person.requireID()).filter(\.$status == "valid").all()
        let certificates = held.map { cert in
            CertificateRow(qualification: catalogue.type(code: cert.qualificationCode)?.name ?? cert.qualificationCode,
                           number: cert.number, expires: cert.expiresOn, advice: cert.issued.flatMap { issued in
                               cert.expires.map { HolderClassRule.advice(expires: $0, issued: issued, today: today) }
                           } ?? "")
        }
        let type = req.queryText("type").flatMap(TrainingClassType.init(rawValue:))
        let page = try await joinableClasses(held: held, type: type, today: today, on: req.db).page(for: req)
        return try await req.render("training/enrol-self-list", title: "我要报名", SelfListModel(
            rows: page.items.map { c in
                SelfClassRow(name: c.name, type: c.classType.label,
                             qualification: catalogue.type(code: c.qualificationCode)?.name ?? c.qualificationCode,
                             institution: c.institution.name, dates: "\(c.startDate) 至 \(c.endDate)", deadline: c.enrolmentDeadline,
                             fee: c.feeLabel, href: SiteURL.enrolSelfClass(.id(c.id)).link)
            },
            pagination: Pagination(metadata: page.metadata, path: SiteURL.enrolSelf.link, filters: [("type", type?.rawValue)]),
            certificates: certificates, type: type?.rawValue ?? ""))
    }

    /// Published classes still taking enrolments that the person may join: initial classes for
    /// qualifications not held; for a held one, the class types the 1 March rule allows.
    private static func joinableClasses(held: [HeldCertificate], type: TrainingClassType?, today: CalendarDate,
                                        on db: any Database) -> QueryBuilder<TrainingClass> {
        let heldCodes = held.map(\.qualificationCode)
        let allowedByHeld: [(String, [TrainingClassType])] = held.compactMap { cert in
            guard let issued = cert.issued, let expires = cert.expires else { return nil }
            return (cert.qualificationCode, HolderClassRule.joinableTypes(expires: expires, issued: issued, today: today))
        }
        let query = TrainingClass.query(on: db).filter(\.$state == .published).filter(\.$enrolmentDeadline >= today.iso).group(.or) { or in
            or.group(.and) { $0.filter(\.$classType == .initial).filter(\.$qualificationCode !~ heldCodes) }
            for (code, types) in allowedByHeld {
                or.group(.and) { $0.filter(\.$qualificationCode == code).filter(\.$classType ~~ types) }
            }
        }
        if let type { query.filter(\.$classType == type) }
        return query.sort(\.$startDate).sort(\.$id).with(\.$institution)
    }

    struct SelfForm: Encodable, Sendable {
        var creditCode = ""
        var employerName = ""
        var details = DetailsForm()
        var errors = FieldErrors()
    }

    struct SelfModel: Encodable, Sendable {
        let className: String
        let classType: String
        let qualification: String
        let institution: String
        let dates: String
        let fee: String
        let personName: String
        let idNumber: String
        let hasPhoto: Bool
        let photo: String?
        let action: String
        let form: SelfForm
        let refusals: [String]
    }

    static func renderSelf(_ req: Request, _ user: CurrentUser, _ c: TrainingClass, _ person: Person, form: SelfForm, refusals: [String],
                           status: HTTPStatus) async throws -> Response {
        let catalogue = try await CatalogueStore.load(on: req.db)
        try await c.$institution.load(on: req.db)
        return try await req.render("training/enrol-self", title: "我要报名", SelfModel(
            className: c.name, classType: c.classType.label,
            qualification: catalogue.type(code: c.qualificationCode)?.name ?? c.qualificationCode,
            institution: c.institution.name, dates: "\(c.startDate) 至 \(c.endDate)", fee: c.feeLabel,
            personName: person.name, idNumber: Masking.idNumber(person.idNumber), hasPhoto: person.hasPhoto,
            photo: person.hasPhoto ? SiteURL.personThumbnail(.id(person.id)).link : nil,
            action: SiteURL.enrolSelfClass(.id(c.id)).link, form: form, refusals: refusals), status: status)
    }

    static func showSelf(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let c = try await openClass(req, user)
        let person = try await ownPerson(req, user)
        var form = SelfForm()
        if let employer = try await person.$employer.get(on: req.db) {
            form.creditCode = employer.creditCode ?? ""
            form.employerName = employer.name
        }
        form.details.workStartDate = person.workStartDate ?? ""
        // Tell the person at once if they can't join, rather than after they fill the form in.
        let catalogue = try await CatalogueStore.load(on: req.db)
        let facts = try await EnrolmentService.facts(person: person, trainingClass: c,
                                                     details: EnrolmentDetails(hasHealthCommitment: true, hasMedicalCheck: true),
                                                     catalogue: catalogue, today: CalendarDate.today(now: req.now), on: req.db)
        return try await renderSelf(req, user, c, person, form: form, refusals: EnrolmentCheck.refusals(facts), status: .ok)
    }

    static func enrolSelf(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let c = try await openClass(req, user)
        let person = try await ownPerson(req, user)
        var form = SelfForm()
        form.creditCode = req.field("credit_code") ?? ""
        let details = form.details.read(req, errors: &form.errors)
        let employer = try await selfEmployer(&form, on: req.db)
        if form.details.workStartDate.isEmpty { form.errors.add("work_start_date", "请填写参加工作日期") }
        if form.details.resume.isEmpty { form.errors.add("resume", "请填写个人简历（工作经历）") }
        try await storeSelfPhoto(req, person, &form)
        guard form.errors.isEmpty, let details else {
            return try await renderSelf(req, user, c, person, form: form, refusals: [], status: .unprocessableEntity)
        }
        let catalogue = try await CatalogueStore.load(on: req.db)
        do {
            let e = try await req.db.transaction { db in
                try await EnrolmentService.enrol(person: person, into: c, channel: .individual, details: details, employerName: employer?.name,
                                                 employerCreditCode: employer?.creditCode, by: user, req: req, catalogue: catalogue, on: db)
            }
            try await req.flash(.success, "报名已提交，等待管理部门确认。可打印报名表。")
            return req.redirect(.enrolment(.id(e.id)))
        } catch let refusal as EnrolmentService.Refusal {
            return try await renderSelf(req, user, c, person, form: form, refusals: refusal.reasons, status: .unprocessableEntity)
        }
    }

    /// The employer named by the form's credit code, which must be a registered unit.
    private static func selfEmployer(_ form: inout SelfForm, on db: any Database) async throws -> Organization? {
        guard !form.creditCode.isEmpty else {
            form.errors.add("credit_code", "请填写工作单位的统一社会信用代码")
            return nil
        }
        let code: CreditCode
        do { code = try CreditCode.parse(form.creditCode) } catch {
            form.errors.add("credit_code", error.message)
            return nil
        }
        let employer = try await Organization.query(on: db).filter(\.$creditCode == code.value).filter(\.$deleted == false).first()
        if employer == nil { form.errors.add("credit_code", "未找到该统一社会信用代码的单位，请核对或请单位先行注册") }
        form.employerName = employer?.name ?? ""
        return employer
    }

    /// The 1-inch photo: uploaded here (and stored at once), or the one already registered.
    private static func storeSelfPhoto(_ req: Request, _ person: Person, _ form: inout SelfForm) async throws {
        if let upload = req.uploadedFile("photo"), upload.data.readableBytes > 0 {
            if case .failure(let error) = try await PersonPhotoRoutes.store(Data(upload.data.readableBytesView), for: person, on: req.db,
                                                                           pool: req.application.documentPool) {
                form.errors.add("photo", error.message)
            }
        } else if !person.hasPhoto {
            form.errors.add("photo", "请上传一寸免冠照片（JPEG）")
        }
    }
}
