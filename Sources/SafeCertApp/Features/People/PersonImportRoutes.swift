import Fluent
import Foundation
import SafeCertCore
import SafeCertDocuments
import Vapor

/// 批量导入 (seed 002, 004): template download, upload, progress, per-row report, error file.
enum PersonImportRoutes {
    static func register(_ routes: any RoutesBuilder) {
        routes.page(.peopleImport, .importPeople, use: show)
        routes.page(.peopleImportTemplate, .importPeople, use: template)
        routes.upload(.peopleImport, .importPeople, maxBody: "50mb", use: upload)
        routes.page(.peopleImportJob(.key), .importPeople, use: job)
        routes.page(.peopleImportStatus(.key), .importPeople, use: status)
        routes.page(.peopleImportErrors(.key), .importPeople, use: errors)
    }

    struct JobRow: Encodable, Sendable {
        let fileName: String
        let status: String
        let saved: Int
        let skipped: Int
        let invalid: Int
        let at: String
        let href: String
    }

    struct ShowModel: Encodable, Sendable {
        let jobs: [JobRow]
        var error: String?
    }

    static func show(_ req: Request, _ user: CurrentUser) async throws -> Response {
        try await renderShow(req, user, error: nil, status: .ok)
    }

    static func renderShow(_ req: Request, _ user: CurrentUser, error: String?, status: HTTPStatus) async throws -> Response {
        let jobs = try await ImportJob.query(on: req.db).filter(\.$organization.$id == (user.organizationID ?? UUID()))
            .filter(\.$kind == "people").field(\.$id).field(\.$fileName).field(\.$status).field(\.$savedRows).field(\.$skippedRows).field(\.$invalidRows).field(\.$createdAt)
            .sort(\.$createdAt, .descending).limit(20).all()
        return try await req.render("people/import", title: "批量导入人员", ShowModel(
            jobs: jobs.map { JobRow(fileName: $0.fileName, status: $0.status.label, saved: $0.savedRows, skipped: $0.skippedRows,
                                    invalid: $0.invalidRows, at: $0.createdAt.map(ChinaTime.format) ?? "",
                                    href: SiteURL.peopleImportJob(.id($0.id)).link) },
            error: error), status: status)
    }

    static func template(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let writer = XLSXWriter(sheetName: "人员信息", columns: PersonImportTemplate.Column.allCases.map {
            XLSXColumn(title: $0.title, width: $0 == .idNumber || $0 == .employerCreditCode ? 24 : 14)
        })
        writer.append(["示例：张三", "居民身份证", "11010519491231002X", "13800138000", "汉族", "本科", "", "2015-03-01", "示例行，导入时自动跳过"])
        writer.addNoteSheet(name: "填写说明", lines: PersonImportTemplate.notes)
        let data = try writer.finish()
        return xlsxResponse(data, fileName: "人员导入模板.xlsx")
    }

    static func upload(_ req: Request, _ user: CurrentUser) async throws -> Response {
        guard let file = req.uploadedFile("file"), file.data.readableBytes > 0 else {
            return try await renderShow(req, user, error: "请选择要导入的 Excel 文件（.xlsx）", status: .unprocessableEntity)
        }
        // Opened here only to refuse what isn't a workbook at once; the job reads the rows.
        let opened: Result<Data, SpreadsheetError> = try await req.application.documentPool.run {
            let data = Data(file.data.readableBytesView)
            do throws(SpreadsheetError) {
                _ = try XLSXReader(data: data)
                return .success(data)
            } catch {
                return .failure(error)
            }
        }
        let data: Data
        switch opened {
        case .failure(let error):
            return try await renderShow(req, user, error: "「\(file.filename)」：\(error.message)", status: .unprocessableEntity)
        case .success(let opened):
            data = opened
        }
        guard let orgID = user.organizationID else { throw Abort(.forbidden) }
        let job = ImportJob(people: data, fileName: file.filename, accountID: user.accountID, organizationID: orgID)
        try await job.create(on: req.db)
        let app = req.application
        let actor = req.auditActor(user)
        let jobID = try job.requireID()
        Task { await ImportRunner.run(jobID: jobID, app: app, actor: actor) }
        return req.redirect(.peopleImportJob(.id(job.id)))
    }

    struct JobModel: Encodable, Sendable {
        let id: String
        let fileName: String
        let status: String
        let statusKey: String
        let total: Int
        let processed: Int
        let saved: Int
        let skipped: Int
        let invalid: Int
        let message: String?
        let problems: [ImportRowProblem]
        let moreProblems: Int
        let statusHref: String
        let errorsHref: String
        let finished: Bool
    }

    static func ownJob(_ req: Request, _ user: CurrentUser) async throws -> ImportJob {
        guard let job = try await ImportJob.query(on: req.db).filter(\.$id == (try req.idParameter()))
            .filter(\.$organization.$id == (user.organizationID ?? UUID())).filter(\.$kind == "people").first() else { throw Abort(.notFound) }
        return job
    }

    static func model(_ job: ImportJob, problems limit: Int) throws -> JobModel {
        let problems = job.decodedProblems
        return JobModel(
            id: try job.requireID().uuidString, fileName: job.fileName, status: job.status.label, statusKey: job.status.rawValue,
            total: job.totalRows, processed: job.processedRows, saved: job.savedRows, skipped: job.skippedRows,
            invalid: job.invalidRows, message: job.message, problems: Array(problems.prefix(limit)),
            moreProblems: max(0, problems.count - limit), statusHref: SiteURL.peopleImportStatus(.id(job.id)).link,
            errorsHref: SiteURL.peopleImportErrors(.id(job.id)).link, finished: job.status == .done || job.status == .failed)
    }

    static func job(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let job = try await ownJob(req, user)
        return try await req.render("people/import-job", title: "导入结果", model(job, problems: 500))
    }

    /// The progress the page polls.
    static func status(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let job = try await ownJob(req, user)
        struct Status: Content {
            let status: String
            let processed: Int
            let saved: Int
            let skipped: Int
            let invalid: Int
            let finished: Bool
            let message: String?
        }
        return try await Status(status: job.status.rawValue, processed: job.processedRows, saved: job.savedRows, skipped: job.skippedRows,
                                invalid: job.invalidRows, finished: job.status == .done || job.status == .failed,
                                message: job.message).encodeResponse(for: req)
    }

    /// The rows that were refused or left alone, as they were uploaded, with a reason column.
    static func errors(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let job = try await ownJob(req, user)
        let problems = Dictionary(grouping: job.decodedProblems, by: \.row)
        let data: Data = try await req.application.documentPool.run {
            let columns = PersonImportTemplate.Column.allCases.map { XLSXColumn(title: $0.title, width: 16) }
                + [XLSXColumn(title: "行号", width: 8), XLSXColumn(title: "问题", width: 60)]
            let writer = XLSXWriter(sheetName: "未导入的行", columns: columns)
            let reader = try XLSXReader(data: job.file)
            for row in try reader.rows() where row.number > 1 {
                guard let issues = problems[row.number] else { continue }
                var values = PersonImportTemplate.Column.allCases.map { column in
                    column.rawValue < row.cells.count ? row.cells[column.rawValue].text : nil
                }
                values.append(String(row.number))
                values.append(issues.map { "\($0.column)：\($0.reason)" }.joined(separator: "；"))
                writer.append(values)
            }
            return try writer.finish()
        }
        return xlsxResponse(data, fileName: "导入问题-\(job.fileName)")
    }
}

/// Runs an import job off the request and records its progress.
enum ImportRunner {
    static func run(jobID: UUID, app: Application, actor: AuditActor) async {
        do {
            guard let job = try await ImportJob.find(jobID, on: app.db) else { return }
            try await run(job, app: app, actor: actor)
        } catch {
            let message: String
            switch error {
            case PeopleImporter.Failure.wrongHeader(let m): message = m
            case let e as SpreadsheetError: message = e.message
            default:
                app.logger.report(error: error)
                message = "导入中断：系统错误，已保存的部分不受影响，可重新导入"
            }
            if let job = try? await ImportJob.find(jobID, on: app.db) {
                job.status = .failed
                job.message = message
                job.finishedAt = Date()
                try? await job.save(on: app.db)
            }
        }
    }

    /// Imports the job's file, saving the counts after each chunk and the problems at the end.
    private static func run(_ job: ImportJob, app: Application, actor: AuditActor) async throws {
        let db = app.db
        let importer = try await job.$organization.get(on: db)
        job.status = .running
        try await job.save(on: db)
        let branches = try await Organization.query(on: db).filter(\.$parent.$id == importer.requireID()).all(\.$id)
        let clock = app.appServices.clock
        let importerRun = PeopleImporter(db: db, actor: actor, importer: importer, branchIDs: Set(branches),
                                         today: CalendarDate.today(now: clock.now()), now: { clock.now() })
        let reader = try XLSXReader(data: job.file)
        let summary = try await importerRun.run(try reader.rows()) { progress in
            job.processedRows = progress.total
            job.savedRows = progress.saved
            job.skippedRows = progress.skipped
            job.invalidRows = progress.invalid
            try await job.save(on: db)
        }
        job.totalRows = summary.total
        job.processedRows = summary.total
        job.savedRows = summary.saved
        job.skippedRows = summary.skipped
        job.invalidRows = summary.invalid
        job.problems = String(decoding: try JSONEncoder().encode(summary.problems), as: UTF8.self)
        job.status = .done
        job.finishedAt = clock.now()
        try await job.save(on: db)
    }
}

extension ImportJob {
    /// A people import, queued with nothing counted yet.
    convenience init(people file: Data, fileName: String, accountID: UUID, organizationID: UUID) {
        self.init()
        kind = "people"
        self.fileName = String(fileName.prefix(200))
        self.file = file
        status = .queued
        totalRows = 0
        processedRows = 0
        savedRows = 0
        skippedRows = 0
        invalidRows = 0
        self.accountID = accountID
        $organization.id = organizationID
    }
}
