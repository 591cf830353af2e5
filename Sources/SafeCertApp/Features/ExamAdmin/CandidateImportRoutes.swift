import Fluent
import Foundation
import SafeCertCore
import SafeCertDocuments
import Vapor

/// 导入考生信息 (seed 004): template, upload, a report of every problem of every row by row,
/// column and reason (in pages, with 下载问题行 as an .xlsx to correct and upload again); the good
/// rows are imported and a corrected file re-imported adds only the new ones.
/// Until 48 hours before the start: on a draft by the institution or the authority, and after
/// approval by the owning authority (seed 004 imports into approved batches).
enum CandidateImportRoutes {
    static func register(_ routes: any RoutesBuilder) {
        routes.page(.examPlanImport(.key), .importCandidates, use: page)
        routes.upload(.examPlanImport(.key), .importCandidates, maxBody: "10mb", use: upload)
        routes.page(.examPlanImportTemplate, .importCandidates, use: template)
        routes.page(.candidateImport(.key), .importCandidates, use: report)
        routes.page(.candidateImportErrors(.key), .importCandidates, use: errors)
    }

    static let jobKind = "exam-candidates"
    static let maximumRows = ImportLimits.candidates
    /// Problems a report page shows; thousands of refused rows are read a page at a time.
    static let problemsPerPage = 100
    /// Imported and skipped rows a report lists by name (the rest are counted).
    static let listedRows = 200

    struct Problem: Encodable, Sendable {
        let row: String
        let column: String
        let reason: String
    }

    struct Report: Encodable, Sendable {
        let imported: Int
        let skipped: Int
        let problems: Int
        let problemRows: Int
        let importedRows: [String]
        let skippedRows: [String]
        let moreImported: Int
        let moreSkipped: Int
        let pageProblems: [Problem]
        let pagination: Pagination
        let errorsHref: String?
    }

    struct Model: Encodable, Sendable {
        let serial: String
        let planHref: String
        let action: String
        let templateHref: String
        let notes: [String]
        let blocked: String?
        /// A refusal of the whole upload (no file, not an .xlsx, blocked).
        let failure: Problem?
        let notice: String?
        let report: Report?
        /// The report's problem pages (the shared pager reads `page.pagination`).
        let pagination: Pagination?
    }

    static func editCheck(_ plan: ExamPlanRecord, _ user: CurrentUser, now: Date) -> String? {
        guard let actor = ExamPlanActor(role: user.role), let schedule = plan.schedule else { return "无权导入考生" }
        do {
            try ExamPlanRoutes.checkCandidateChange(plan, user, actor: actor, schedule: schedule, now: now)
            return nil
        } catch {
            return error.message
        }
    }

    static func render(_ req: Request, _ plan: ExamPlanRecord, _ user: CurrentUser, failure: Problem? = nil, notice: String? = nil,
                       report: Report? = nil, status: HTTPStatus = .ok) async throws -> Response {
        try await req.render("exams/import", title: "导入考生信息 \(plan.serial)", Model(
            serial: plan.serial, planHref: SiteURL.examPlan(.id(plan.id)).link, action: SiteURL.examPlanImport(.id(plan.id)).link,
            templateHref: SiteURL.examPlanImportTemplate.link, notes: CandidateImportTemplate.notes,
            blocked: editCheck(plan, user, now: req.now), failure: failure, notice: notice, report: report,
            pagination: report.flatMap { $0.problems > 0 ? $0.pagination : nil }), status: status)
    }

    static func page(_ req: Request, _ user: CurrentUser) async throws -> Response {
        try await render(req, try await ExamPlanStore.findPlan(req, user), user)
    }

    static func template(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let writer = XLSXWriter(sheetName: "考生信息", columns: CandidateImportTemplate.Column.allCases.map {
            XLSXColumn(title: $0.title, width: $0 == .idNumber || $0 == .creditCode ? 24 : 16)
        })
        writer.append(["11010519491231002X", "示例：张三", "A", "91220101MA0000000X", "13800000000", ""])
        writer.addNoteSheet(name: "填写说明", lines: CandidateImportTemplate.notes)
        return xlsxResponse(try writer.finish(), fileName: "考生信息导入模板.xlsx")
    }

    static func upload(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let plan = try await ExamPlanStore.findPlan(req, user)
        if let blocked = editCheck(plan, user, now: req.now) {
            return try await render(req, plan, user, failure: Problem(row: "-", column: "-", reason: blocked), status: .conflict)
        }
        guard let file = req.uploadedFile("file"), file.data.readableBytes > 0 else {
            return try await render(req, plan, user, failure: Problem(row: "-", column: "文件", reason: "请选择填好的考生信息表（.xlsx）"),
                                    status: .unprocessableEntity)
        }
        var outcomes: [ImportRowProblem] = []
        let readings: [(Int, CandidateImportTemplate.Reading)]
        switch try await UploadedSheet.read(file, limit: maximumRows, on: req.application.documentPool, CandidateImportTemplate.read) {
        case .failure(let error):
            return try await render(req, plan, user, failure: Problem(row: "-", column: "文件", reason: "「\(file.filename)」：\(error.message)"),
                                    status: .unprocessableEntity)
        case .success(let sheet):
            readings = sheet.readings
            if let row = sheet.firstRowPastLimit {
                outcomes.append(ImportRowProblem(row: row, kind: .invalid, column: "-",
                                                 reason: "一次最多导入 \(maximumRows) 名考生，此行起未导入，请拆分后分批上传"))
            }
        }
        let data = Data(file.data.readableBytesView)
        if readings.isEmpty && outcomes.isEmpty {
            return try await render(req, plan, user, notice: "表格中没有要导入的考生（示例行不导入），未导入任何考生")
        }
        outcomes = try await importRows(readings, into: plan, user: user, req: req) + outcomes
        let job = try await store(file, data: data, rows: readings.count, outcomes: outcomes, plan: plan, user: user, req: req)
        let problemCount = outcomes.filter { $0.kind == .invalid }.count
        return try await render(req, plan, user, report: try report(of: job, page: 1),
                                status: problemCount == 0 ? .ok : .unprocessableEntity)
    }

    /// The finished import kept for its report and 下载问题行 (the file and every outcome), audited.
    static func store(_ file: File, data: Data, rows: Int, outcomes: [ImportRowProblem], plan: ExamPlanRecord, user: CurrentUser,
                      req: Request) async throws -> ImportJob {
        guard let organizationID = user.organizationID else { throw Abort(.forbidden) }
        let job = ImportJob()
        job.kind = jobKind
        job.fileName = String(file.filename.prefix(200))
        job.file = data
        job.status = .done
        job.totalRows = rows
        job.processedRows = rows
        job.savedRows = outcomes.filter { $0.kind == .imported }.count
        job.skippedRows = outcomes.filter { $0.kind == .skipped }.count
        job.invalidRows = Set(outcomes.filter { $0.kind == .invalid }.map(\.row)).count
        job.problems = String(decoding: try JSONEncoder().encode(Array(outcomes.prefix(ImportJob.maxStoredProblems))), as: UTF8.self)
        job.finishedAt = req.now
        job.accountID = user.accountID
        job.$organization.id = organizationID
        job.subjectID = try plan.requireID()
        let problemCount = outcomes.filter { $0.kind == .invalid }.count
        try await req.db.transaction { db in
            try await job.create(on: db)
            try await req.audit(user, "exam-plan.import", on: db, target: "exam-plan", plan.id?.uuidString,
                                summary: "导入考生：成功 \(job.savedRows) 人，已在名单中 \(job.skippedRows) 人，失败 \(job.invalidRows) 行（\(problemCount) 处）")
        }
        return job
    }

    /// Judges every row in order (`CandidateImportRun`); a row without problems is seated at once.
    static func importRows(_ readings: [(Int, CandidateImportTemplate.Reading)], into plan: ExamPlanRecord, user: CurrentUser,
                           req: Request) async throws -> [ImportRowProblem] {
        var run = try await CandidateImportRun.start(plan, on: req.db)
        for (number, reading) in readings { try await run.importRow(number, reading, user: user, req: req) }
        return run.outcomes
    }

    /// One page of a stored import's report.
    static func report(of job: ImportJob, page requested: Int) throws -> Report {
        let outcomes = job.decodedProblems
        let problems = outcomes.filter { $0.kind == .invalid }
        let imported = outcomes.filter { $0.kind == .imported }
        let skipped = outcomes.filter { $0.kind == .skipped }
        let pageCount = max(1, (problems.count + problemsPerPage - 1) / problemsPerPage)
        let page = min(max(1, requested), pageCount)
        let slice = problems.dropFirst((page - 1) * problemsPerPage).prefix(problemsPerPage)
        func line(_ o: ImportRowProblem) -> String { "第 \(o.row) 行 \(o.reason)" }
        return Report(
            imported: job.savedRows, skipped: job.skippedRows, problems: problems.count, problemRows: job.invalidRows,
            importedRows: imported.prefix(listedRows).map(line), skippedRows: skipped.prefix(listedRows).map(line),
            moreImported: max(0, imported.count - listedRows), moreSkipped: max(0, skipped.count - listedRows),
            pageProblems: slice.map { Problem(row: "第 \($0.row) 行", column: $0.column, reason: $0.reason) },
            pagination: Pagination(metadata: PageMetadata(page: page, per: problemsPerPage, total: problems.count),
                                   path: SiteURL.candidateImport(.id(job.id)).link, filters: []),
            errorsHref: problems.isEmpty ? nil : SiteURL.candidateImportErrors(.id(job.id)).link)
    }

    /// The import, if this organisation made it, into a plan the account still sees.
    static func ownJob(_ req: Request, _ user: CurrentUser) async throws -> (ImportJob, ExamPlanRecord) {
        guard let job = try await ImportJob.query(on: req.db).filter(\.$id == (try req.idParameter()))
                .filter(\.$kind == jobKind).filter(\.$organization.$id == (user.organizationID ?? UUID())).first(),
              let planID = job.subjectID,
              let plan = try await ExamPlanStore.scoped(req, user).filter(\.$id == planID).first()
        else { throw Abort(.notFound) }
        return (job, plan)
    }

    static func report(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let (job, plan) = try await ownJob(req, user)
        return try await render(req, plan, user, report: try report(of: job, page: req.queryInt("page") ?? 1))
    }

    /// 下载问题行: the refused rows as they were uploaded, with the row number and every problem.
    static func errors(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let (job, _) = try await ownJob(req, user)
        let problems = Dictionary(grouping: job.decodedProblems.filter { $0.kind == .invalid }, by: \.row)
        let data: Data = try await req.application.documentPool.run {
            let columns = CandidateImportTemplate.Column.allCases.map { XLSXColumn(title: $0.title, width: $0 == .idNumber ? 24 : 16) }
                + [XLSXColumn(title: "行号", width: 8), XLSXColumn(title: "问题", width: 60)]
            let writer = XLSXWriter(sheetName: "未导入的行", columns: columns)
            let reader = try XLSXReader(data: job.file)
            for row in try reader.rows() where row.number > 1 {
                guard let issues = problems[row.number] else { continue }
                var values = CandidateImportTemplate.Column.allCases.map { row[$0.rawValue].text }
                values.append(String(row.number))
                values.append(issues.map { $0.column.isEmpty || $0.column == "-" ? $0.reason : "\($0.column)：\($0.reason)" }.joined(separator: "；"))
                writer.append(values)
            }
            return try writer.finish()
        }
        return xlsxResponse(data, fileName: "导入问题-\(job.fileName)")
    }
}
