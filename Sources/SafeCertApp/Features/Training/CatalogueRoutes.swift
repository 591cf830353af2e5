import Fluent
import Foundation
import SafeCertCore
import Vapor

/// 资格类型目录: the qualification catalogue (DESIGN.md §2). Everyone in the business sees the
/// terms in force; the system admin adds national versions, a province authority its own
/// overrides. Entries are added, never edited; each addition is audited.
enum CatalogueRoutes {
    static func register(_ routes: any RoutesBuilder) {
        routes.page(.catalogue, .viewCatalogue, use: list)
        routes.page(.catalogueQualification(.key), .viewCatalogue, use: show)
        routes.action(.catalogueQualification(.key), .manageCatalogue, use: addEntry)
    }

    struct Row: Encodable, Sendable {
        let code: String
        let name: String
        let scheme: String
        let validity: String
        let hours: String
        let subjects: String
        let age: String
        let href: String
    }

    struct ListModel: Encodable, Sendable {
        let rows: [Row]
        let date: String
        let provinceName: String
        let schemeOptions: [OrganizationForm.Option]
        let problems: [String]
    }

    static func today(_ req: Request) -> CalendarDate { CalendarDate.today(now: req.now) }

    /// The province whose overrides apply for this account: its own, or none for national accounts.
    static func province(of user: CurrentUser) -> String? {
        QualificationCatalogue.provinceCode(of: user.regionCode)
    }

    static func list(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let catalogue = try await CatalogueStore.load(on: req.db)
        let date = try req.queryDate("date", label: "生效日期") ?? today(req)
        let scheme = req.queryText("scheme").flatMap(QualificationScheme.init(rawValue:))
        let province = province(of: user)
        let rows = catalogue.types.filter { scheme == nil || $0.scheme == scheme }.compactMap { type -> Row? in
            guard let terms = catalogue.terms(for: type.code, province: province, on: date) else { return nil }
            return Row(code: type.code, name: type.name, scheme: type.scheme.label, validity: "\(terms.validityYears) 年",
                       hours: hoursSummary(terms), subjects: subjectsSummary(terms), age: ageSummary(terms.eligibility),
                       href: SiteURL.catalogueQualification(.value(type.code)).link)
        }
        return try await req.render("training/catalogue", title: "资格类型目录", ListModel(
            rows: rows, date: date.iso,
            provinceName: province.map { RegionCatalog.shared.fullName(code: $0) } ?? "全国通用",
            schemeOptions: QualificationScheme.allCases.map { .init(value: $0.rawValue, label: $0.label, selected: $0 == scheme) },
            problems: user.may(.manageCatalogue) ? catalogue.problems : []))
    }

    static func hoursSummary(_ t: QualificationTerms) -> String {
        var parts: [String] = []
        if let initial = t.initialTrainingHours { parts.append("初训 \(initial) 学时") }
        if t.continuingHoursPerYear > 0 { parts.append("每年 \(t.continuingHoursPerYear) 学时") }
        if let review = t.reviewTrainingHours { parts.append("复审 \(review) 学时") }
        return parts.joined(separator: "，")
    }

    static func subjectsSummary(_ t: QualificationTerms) -> String {
        t.subjects.map { s in
            "\(s.kind.label) \(s.passMarks)/\(s.fullMarks)" + (s.durationMinutes.map { "（\($0) 分钟）" } ?? "")
        }.joined(separator: "；")
    }

    static func ageSummary(_ e: EligibilityRule) -> String {
        switch (e.minAge, e.maxAge) {
        case let (low?, high?): "\(low)–\(high) 岁"
        case let (low?, nil): "\(low) 岁以上"
        case let (nil, high?): "\(high) 岁以下"
        default: "不限"
        }
    }

    struct EntryRow: Encodable, Sendable {
        let scope: String
        let effectiveFrom: String
        let source: String
        let summary: String
        let inForce: Bool
    }

    struct DetailModel: Encodable, Sendable {
        let code: String
        let name: String
        let scheme: String
        let entries: [EntryRow]
        let current: [PersonRoutes.ComparedField]
        let canManage: Bool
        var form: TermsForm
        let provinceOptions: [OrganizationForm.Option]
        let action: String
    }

    static func show(_ req: Request, _ user: CurrentUser) async throws -> Response {
        try await renderDetail(req, user, form: nil, status: .ok)
    }

    static func renderDetail(_ req: Request, _ user: CurrentUser, form: TermsForm?, status: HTTPStatus) async throws -> Response {
        let code = req.parameter(.code)
        let catalogue = try await CatalogueStore.load(on: req.db)
        guard let type = catalogue.type(code: code) else { throw Abort(.notFound) }
        let date = today(req)
        let province = province(of: user)
        let inForce = catalogue.entry(for: code, province: province, on: date)
        let entries = catalogue.entries.filter { $0.qualificationCode == code }.reversed().map { e in
            EntryRow(scope: e.province.map { RegionCatalog.shared.fullName(code: $0) + "（地方调整）" } ?? "全国",
                     effectiveFrom: e.effectiveFrom.iso, source: e.source,
                     summary: "有效期 \(e.terms.validityYears) 年；\(hoursSummary(e.terms))；\(subjectsSummary(e.terms))",
                     inForce: e == inForce)
        }
        let terms = inForce?.terms
        let current: [PersonRoutes.ComparedField] = terms.map { t in
            [("有效期", "\(t.validityYears) 年"), ("续期申请期", "到期前 \(t.renewalWindowDays) 天内"),
             ("复审周期", t.reviewCycleYears.map { "每 \($0) 年" } ?? "无"), ("学时", hoursSummary(t)),
             ("考试科目", subjectsSummary(t)), ("补考次数", "\(t.resitsAllowed) 次"),
             ("单科成绩有效期", t.passValidMonths.map { "\($0) 个月" } ?? "不限"),
             ("年龄", ageSummary(t.eligibility)), ("最低学历", t.eligibility.minimumEducation?.label ?? "不限"),
             ("从业年限", t.eligibility.minimumYearsOfExperience.map { "\($0) 年以上" } ?? "不限"),
             ("健康要求", t.eligibility.health.label), ("证书编号格式", t.numberFormat.pattern)]
                .map { PersonRoutes.ComparedField(label: $0.0, old: $0.1, new: $0.1, changed: false) }
        } ?? []
        let canManage = user.may(.manageCatalogue)
        var provinceOptions: [OrganizationForm.Option] = []
        if user.role == .systemAdmin {
            provinceOptions = [.init(value: "", label: "全国")] + RegionCatalog.shared.provinces.map { .init(value: $0.code, label: $0.name) }
        } else if let province {
            provinceOptions = [.init(value: province, label: RegionCatalog.shared.fullName(code: province), selected: true)]
        }
        return try await req.render("training/qualification", title: type.name, DetailModel(
            code: type.code, name: type.name, scheme: type.scheme.label, entries: entries, current: current, canManage: canManage,
            form: form ?? TermsForm(terms ?? QualificationCatalogue.defaults.entries[0].terms, effectiveFrom: date.adding(days: 1)),
            provinceOptions: provinceOptions,
            action: SiteURL.catalogueQualification(.value(type.code)).link),
            status: status)
    }

    static func addEntry(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let code = req.parameter(.code)
        let catalogue = try await CatalogueStore.load(on: req.db)
        guard catalogue.type(code: code) != nil else { throw Abort(.notFound) }
        var form = TermsForm.read(req)
        let province = form.province.isEmpty ? nil : form.province
        // The system admin sets national terms and any province's; a province only its own.
        if user.role != .systemAdmin && province != Self.province(of: user) {
            form.errors.add("province", "只能为本省调整")
        }
        if let province, RegionCatalog.shared.region(code: province)?.level != .province { form.errors.add("province", "请选择省份") }
        let base = catalogue.terms(for: code, province: province, on: today(req)) ?? QualificationCatalogue.defaults.entries[0].terms
        let terms = form.terms(base: base)
        guard form.errors.isEmpty, let terms, let effective = CalendarDate(iso: form.effectiveFrom) else {
            if CalendarDate(iso: form.effectiveFrom) == nil { form.errors.add("effective_from", "请填写生效日期") }
            return try await renderDetail(req, user, form: form, status: .unprocessableEntity)
        }
        if catalogue.entries.contains(where: { $0.qualificationCode == code && $0.province == province && $0.effectiveFrom == effective }) {
            form.errors.add("effective_from", "该范围在此日期已有一个版本")
            return try await renderDetail(req, user, form: form, status: .unprocessableEntity)
        }
        let entry = CatalogueEntry(qualificationCode: code, effectiveFrom: effective, province: province, terms: terms,
                                   source: form.source.isEmpty ? "\(user.organizationName) 调整" : form.source)
        let record = try CatalogueEntryRecord(entry, createdBy: "\(user.organizationName) \(user.displayName)")
        try await req.db.transaction { db in
            try await record.create(on: db)
            try await req.audit(user, "catalogue.entry", on: db, target: "qualification", code,
                                summary: "\(province.map { RegionCatalog.shared.fullName(code: $0) } ?? "全国")自 \(effective.iso) 起：有效期 \(terms.validityYears) 年；\(hoursSummary(terms))；\(subjectsSummary(terms))；依据：\(entry.source)")
        }
        try await req.flash(.success, "已新增自 \(effective.iso) 起生效的版本")
        return req.redirect(.catalogueQualification(.value(code)))
    }
}

/// The fields of a new catalogue version, pre-filled from the terms in force.
struct TermsForm: Encodable, Sendable {
    var effectiveFrom = ""
    var province = ""
    var source = ""
    var validityYears = ""
    var renewalWindowDays = ""
    var reviewCycleYears = ""
    var initialTrainingHours = ""
    var continuingHoursPerYear = ""
    var reviewTrainingHours = ""
    var theoryPass = ""
    var theoryFull = ""
    var theoryMinutes = ""
    var practicalPass = ""
    var practicalFull = ""
    var practicalMinutes = ""
    var hasPractical = false
    var minAge = ""
    var maxAge = ""
    var resitsAllowed = ""
    var numberPattern = ""
    var errors = FieldErrors()

    init(_ t: QualificationTerms, effectiveFrom: CalendarDate) {
        self.effectiveFrom = effectiveFrom.iso
        validityYears = String(t.validityYears)
        renewalWindowDays = String(t.renewalWindowDays)
        reviewCycleYears = t.reviewCycleYears.map(String.init) ?? ""
        initialTrainingHours = t.initialTrainingHours.map(String.init) ?? ""
        continuingHoursPerYear = String(t.continuingHoursPerYear)
        reviewTrainingHours = t.reviewTrainingHours.map(String.init) ?? ""
        if let theory = t.subject(.theory) {
            theoryPass = String(theory.passMarks)
            theoryFull = String(theory.fullMarks)
            theoryMinutes = theory.durationMinutes.map(String.init) ?? ""
        }
        if let practical = t.subject(.practical) {
            hasPractical = true
            practicalPass = String(practical.passMarks)
            practicalFull = String(practical.fullMarks)
            practicalMinutes = practical.durationMinutes.map(String.init) ?? ""
        }
        minAge = t.eligibility.minAge.map(String.init) ?? ""
        maxAge = t.eligibility.maxAge.map(String.init) ?? ""
        resitsAllowed = String(t.resitsAllowed)
        numberPattern = t.numberFormat.pattern
    }

    private init() {}

    static func read(_ req: Request) -> TermsForm {
        var f = TermsForm()
        func v(_ name: String) -> String { req.field(name) ?? "" }
        f.effectiveFrom = v("effective_from")
        f.province = v("province")
        f.source = String(v("source").prefix(200))
        f.validityYears = v("validity_years")
        f.renewalWindowDays = v("renewal_window_days")
        f.reviewCycleYears = v("review_cycle_years")
        f.initialTrainingHours = v("initial_training_hours")
        f.continuingHoursPerYear = v("continuing_hours_per_year")
        f.reviewTrainingHours = v("review_training_hours")
        f.theoryPass = v("theory_pass")
        f.theoryFull = v("theory_full")
        f.theoryMinutes = v("theory_minutes")
        f.practicalPass = v("practical_pass")
        f.practicalFull = v("practical_full")
        f.practicalMinutes = v("practical_minutes")
        f.hasPractical = !f.practicalPass.isEmpty
        f.minAge = v("min_age")
        f.maxAge = v("max_age")
        f.resitsAllowed = v("resits_allowed")
        f.numberPattern = v("number_pattern")
        return f
    }

    /// The new terms: typed numbers over the base terms; nil (with errors) when something is wrong.
    mutating func terms(base: QualificationTerms) -> QualificationTerms? {
        var t = base
        func int(_ value: String, _ field: String, required: Bool = true) -> Int?? {
            if value.isEmpty { if required { errors.add(field, "请填写") }; return .some(nil) }
            guard let n = Int(value), n >= 0, n < 100_000 else { errors.add(field, "应为非负整数"); return nil }
            return .some(n)
        }
        if let v = int(validityYears, "validity_years"), let v { t.validityYears = v }
        if let v = int(renewalWindowDays, "renewal_window_days"), let v { t.renewalWindowDays = v }
        if let v = int(reviewCycleYears, "review_cycle_years", required: false) { t.reviewCycleYears = v }
        if let v = int(initialTrainingHours, "initial_training_hours", required: false) { t.initialTrainingHours = v }
        if let v = int(continuingHoursPerYear, "continuing_hours_per_year"), let v { t.continuingHoursPerYear = v }
        if let v = int(reviewTrainingHours, "review_training_hours", required: false) { t.reviewTrainingHours = v }
        if let v = int(resitsAllowed, "resits_allowed"), let v { t.resitsAllowed = v }
        if let v = int(minAge, "min_age", required: false) { t.eligibility.minAge = v }
        if let v = int(maxAge, "max_age", required: false) { t.eligibility.maxAge = v }
        var subjects: [ExamSubject] = []
        if let pass = int(theoryPass, "theory_pass"), let pass, let full = int(theoryFull, "theory_full"), let full {
            let minutes = int(theoryMinutes, "theory_minutes", required: false) ?? nil
            subjects.append(ExamSubject(kind: .theory, delivery: base.subject(.theory)?.delivery ?? .computerAtCentre,
                                        fullMarks: full, passMarks: pass, durationMinutes: minutes))
        }
        if hasPractical, let pass = int(practicalPass, "practical_pass"), let pass, let full = int(practicalFull, "practical_full"), let full {
            let minutes = int(practicalMinutes, "practical_minutes", required: false) ?? nil
            subjects.append(ExamSubject(kind: .practical, delivery: base.subject(.practical)?.delivery ?? .handsOn,
                                        fullMarks: full, passMarks: pass, durationMinutes: minutes))
        }
        t.subjects = subjects
        if !numberPattern.isEmpty { t.numberFormat = CertificateNumberFormat(pattern: numberPattern, length: base.numberFormat.pattern == numberPattern ? base.numberFormat.length : nil) }
        for problem in t.problems { errors.add("terms", problem) }
        return errors.isEmpty ? t : nil
    }
}
