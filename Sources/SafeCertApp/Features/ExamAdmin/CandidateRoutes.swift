import Fluent
import Foundation
import SafeCertCore
import SafeCertDocuments
import Vapor

/// 考生查询 (seed 004): the candidates of every plan the account sees, with filters, and .xlsx
/// export in parts of 5,000 rows.
enum CandidateRoutes {
    static func register(_ routes: any RoutesBuilder) {
        routes.page(.examCandidates, .viewExamPlans, use: list)
        routes.page(.examCandidatesExport, .viewExamPlans, use: export)
    }

    struct Filters {
        var name: String?
        var number: String?
        var enterprise: String?
        var planType: ExamPlanType?
        var serial: String?
        var category: PersonCategory?
        var pairs: [(String, String?)] {
            [("name", name), ("id_number", number), ("enterprise", enterprise), ("plan_type", planType?.rawValue), ("serial", serial),
             ("category", category?.rawValue)]
        }
    }

    static func filtered(_ req: Request, _ user: CurrentUser) async throws -> (QueryBuilder<ExamCandidate>, Filters) {
        let visiblePlans = try await ExamPlanStore.scoped(req, user)
        var f = Filters()
        f.serial = req.queryText("serial")
        f.planType = req.queryText("plan_type").flatMap(ExamPlanType.init(rawValue:))
        var plans = visiblePlans
        if let serial = f.serial { plans = plans.filter(\.$serial == serial) }
        if let type = f.planType { plans = plans.filter(\.$planType == type) }
        let planIDs = try await plans.limit(2_000).all(\.$id)
        var query = ExamCandidate.query(on: req.db).filter(\.$plan.$id ~~ planIDs)
            .join(parent: \.$plan).join(parent: \.$person).join(parent: \.$room)
        f.category = req.queryText("category").flatMap(PersonCategory.init(rawValue:))
        if let category = f.category { query = query.filter(\.$personCategory == category) }
        f.name = req.queryText("name")
        if let name = f.name { query = query.filter(Person.self, \.$name ~~ name) }
        f.number = req.queryText("id_number")
        if let number = f.number { query = query.filter(Person.self, \.$idNumber == TextNormalizationBridge.idNumber(number)) }
        f.enterprise = req.queryText("enterprise")
        if let enterprise = f.enterprise {
            let code = (try? CreditCode.parse(enterprise))?.value
            var orgs = Organization.query(on: req.db).filter(\.$kind == .enterprise)
            orgs = code.map { orgs.filter(\.$creditCode == $0) } ?? orgs.filter(\.$name ~~ enterprise)
            query = query.filter(Person.self, \.$employer.$id ~~ (try await orgs.limit(500).all(\.$id)))
        }
        return (query, f)
    }

    struct Row: Encodable, Sendable {
        let name: String
        let idNumber: String
        let plan: String
        let planType: String
        let start: String
        let room: String
        let seat: String
        let ticketNumber: String
        let printed: Bool
        let planHref: String
        let category: String
    }

    struct ListModel: Encodable, Sendable {
        let rows: [Row]
        let pagination: Pagination
        let name: String
        let idNumber: String
        let enterprise: String
        let serial: String
        let typeOptions: [OrganizationForm.Option]
        let categoryOptions: [OrganizationForm.Option]
        let exportParts: [OrganizationForm.Option]
    }

    static func list(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let (query, f) = try await filtered(req, user)
        let page = try await query.sort(ExamPlanRecord.self, \.$startAt, .descending).sort(\.$seatNumber).sort(\.$id).page(for: req)
        let full = user.may(.viewFullPersonalData)
        let rows = try page.items.map { c in
            let plan = try c.joined(ExamPlanRecord.self)
            let p = try c.joined(Person.self)
            return Row(name: p.name, idNumber: full ? p.idNumber : Masking.idNumber(p.idNumber), plan: plan.serial, planType: plan.planType.label,
                       start: ExamSchedule.beijingText(plan.startAt), room: try c.joined(ExamRoom.self).name, seat: Seat<UUID>.label(c.seatNumber),
                       ticketNumber: c.ticketNumber, printed: c.ticketPrintedAt != nil, planHref: SiteURL.examPlan(.id(plan.id)).link,
                       category: c.personCategory?.rawValue ?? "—")
        }
        return try await req.render("exams/candidates", title: "考生查询", ListModel(
            rows: rows, pagination: Pagination(metadata: page.metadata, path: SiteURL.examCandidates.link, filters: f.pairs),
            name: f.name ?? "", idNumber: f.number ?? "", enterprise: f.enterprise ?? "", serial: f.serial ?? "",
            typeOptions: ExamPlanType.allCases.map { .init(value: $0.rawValue, label: $0.label, selected: $0 == f.planType) },
            categoryOptions: PersonCategory.allCases.map { .init(value: $0.rawValue, label: $0.label, selected: $0 == f.category) },
            exportParts: ExportParts.options(path: SiteURL.examCandidatesExport.link, filters: f.pairs, total: page.metadata.total)))
    }

    static func export(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let (query, _) = try await filtered(req, user)
        let part = req.exportPart()
        let rows = try await query.sort(ExamPlanRecord.self, \.$startAt, .descending).sort(\.$seatNumber).sort(\.$id)
            .range(ExportParts.range(part: part)).all()
        let full = user.may(.viewFullPersonalData)
        let writer = XLSXWriter(sheetName: "考生名单", columns: [("姓名", 12), ("证件号码", 22), ("考试计划", 20), ("考试类型", 14),
                                                                ("开考时间", 18), ("考场", 16), ("座位号", 8), ("准考证号", 24), ("准考证", 8), ("人员类型", 8)]
            .map { XLSXColumn(title: $0.0, width: Double($0.1)) })
        for c in rows {
            let plan = try c.joined(ExamPlanRecord.self)
            let p = try c.joined(Person.self)
            writer.append([p.name, full ? p.idNumber : Masking.idNumber(p.idNumber), plan.serial, plan.planType.label,
                           ExamSchedule.beijingText(plan.startAt), try c.joined(ExamRoom.self).name, Seat<UUID>.label(c.seatNumber),
                           c.ticketNumber, c.ticketPrintedAt == nil ? "未打印" : "已打印", c.personCategory?.rawValue ?? ""])
        }
        try await req.audit(user, "exam-candidates.export", target: "exam-plan", nil, summary: "导出考生名单第 \(part) 部分（\(rows.count) 条）")
        return xlsxResponse(try writer.finish(), fileName: "考生名单-\(part).xlsx")
    }
}
