import Fluent
import Foundation
import SafeCertCore
import SafeCertDocuments
import Vapor

/// 导入考生信息 (seed 004): template, upload, a report of every failed row by row, column and
/// reason; the good rows are imported and a corrected file re-imported adds only the new ones.
/// Until 48 hours before the start: on a draft by the institution or the authority, and after
/// approval by the owning authority (seed 004 imports into approved batches).
enum CandidateImportRoutes {
    static func register(_ routes: any RoutesBuilder) {
        routes.page(.examPlanImport(nil), .importCandidates, use: page)
        routes.action(.examPlanImport(nil), .importCandidates, maxBody: "10mb", use: upload)
        routes.page(.examPlanImportTemplate, .importCandidates, use: template)
    }

    struct Problem: Encodable, Sendable {
        let row: String
        let column: String
        let reason: String
    }

    struct Model: Encodable, Sendable {
        let serial: String
        let planHref: String
        let action: String
        let templateHref: String
        let notes: [String]
        let submitted: Bool
        let imported: [String]
        let skipped: [String]
        let problems: [Problem]
        let blocked: String?
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

    static func render(_ req: Request, _ plan: ExamPlanRecord, _ user: CurrentUser, submitted: Bool = false, imported: [String] = [],
                       skipped: [String] = [], problems: [Problem] = [], status: HTTPStatus = .ok) async throws -> Response {
        try await req.render("exams/import", title: "导入考生信息 \(plan.serial)", Model(
            serial: plan.serial, planHref: SiteURL.examPlan(plan.id).link, action: SiteURL.examPlanImport(plan.id).link,
            templateHref: SiteURL.examPlanImportTemplate.link, notes: CandidateImportTemplate.notes, submitted: submitted,
            imported: imported, skipped: skipped, problems: problems, blocked: editCheck(plan, user, now: req.now)), status: status)
    }

    static func page(_ req: Request, _ user: CurrentUser) async throws -> Response {
        try await render(req, try await ExamPlanRoutes.findPlan(req, user), user)
    }

    static func template(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let writer = XLSXWriter(sheetName: "考生信息", columns: CandidateImportTemplate.Column.allCases.map {
            XLSXColumn(title: $0.title, width: $0 == .idNumber || $0 == .creditCode ? 24 : 16)
        })
        writer.append(["11010519491231002X", "张三", "A", "91220101MA0000000X", "13800000000", ""])
        writer.addNoteSheet(name: "填写说明", lines: CandidateImportTemplate.notes)
        return xlsxResponse(try writer.finish(), fileName: "考生信息导入模板.xlsx")
    }

    static func upload(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let plan = try await ExamPlanRoutes.findPlan(req, user)
        if let blocked = editCheck(plan, user, now: req.now) {
            return try await render(req, plan, user, submitted: true, problems: [Problem(row: "-", column: "-", reason: blocked)], status: .conflict)
        }
        var problems: [Problem] = []
        var rows: [(Int, CandidateImportTemplate.Row)] = []
        if let file = try? req.content.get(File.self, at: "file"), file.data.readableBytes > 0 {
            do {
                let reader = try XLSXReader(data: Data(file.data.readableBytesView))
                for row in try reader.rows() where row.number > 1 {
                    switch CandidateImportTemplate.parse(row.cells.map(PeopleImporter.importCell)) {
                    case .empty: continue
                    case .invalid(let issues): problems += issues.map { Problem(row: "第 \(row.number) 行", column: $0.column, reason: $0.reason) }
                    case .row(let r): rows.append((row.number, r))
                    }
                    if rows.count > 5_000 {
                        problems.append(Problem(row: "第 \(row.number) 行", column: "-", reason: "一次最多导入 5000 名考生"))
                        break
                    }
                }
            } catch {
                problems.append(Problem(row: "-", column: "文件", reason: "「\(file.filename)」：\(error.message)"))
            }
        } else {
            problems.append(Problem(row: "-", column: "文件", reason: "请选择填好的考生信息表（.xlsx）"))
        }
        let links = try await ExamPlanRoom.query(on: req.db).filter(\.$plan.$id == plan.requireID()).with(\.$room).all()
        let roomIndex = try await ExamPlanRoutes.roomNumbers(plan.requireID(), on: req.db)
        var used: [UUID: Set<Int>] = [:]
        for c in try await ExamCandidate.query(on: req.db).filter(\.$plan.$id == plan.requireID()).field(\.$id).field(\.$room.$id).field(\.$seatNumber).all() {
            used[c.$room.id, default: []].insert(c.seatNumber)
        }
        let inPlan = Set(try await ExamCandidate.query(on: req.db).filter(\.$plan.$id == plan.requireID()).all(\.$person.$id))
        let prefix = Region.scopePrefix(of: plan.regionCode)
        var imported: [String] = []
        var skipped: [String] = []
        var seen: [String: Int] = [:]
        for (number, r) in rows {
            let label = "第 \(number) 行"
            func fail(_ column: CandidateImportTemplate.Column, _ reason: String) { problems.append(Problem(row: label, column: column.plainTitle, reason: reason)) }
            let id = TextNormalizationBridge.idNumber(r.idNumber)
            if let first = seen[id] { fail(.idNumber, "与第 \(first) 行重复"); continue }
            seen[id] = number
            // The template names no document type: among holders of this number (a passport and a
            // permit may share one) the row's name decides.
            let holders = try await Person.query(on: req.db).filter(\.$idNumber == id).limit(5).all()
            guard let person = holders.first(where: { $0.name == r.name }) ?? holders.first else {
                fail(.idNumber, "未找到该证件号码的登记人员"); continue
            }
            if person.name != r.name { fail(.name, "姓名「\(r.name)」与登记的「\(person.name)」不一致"); continue }
            if inPlan.contains(try person.requireID()) { skipped.append("\(label) \(person.name)"); continue }
            if let code = r.creditCode {
                var employer: Organization?
                if let employerID = person.$employer.id { employer = try await Organization.find(employerID, on: req.db) }
                if employer?.creditCode != code { fail(.creditCode, "与考生登记的工作单位（\(employer?.name ?? "无")）的统一社会信用代码不一致"); continue }
            }
            guard let e = try await Enrolment.query(on: req.db).filter(\.$person.$id == person.requireID())
                .filter(\.$qualificationCode == plan.qualificationCode).filter(\.$state ~~ [.trained, .failed, .absent])
                .filter(\.$regionCode =~ prefix).first() else {
                fail(.idNumber, "不是本辖区该资格培训合格、待安排考试的人员"); continue
            }
            // The named room, or the first with a free seat.
            let choices = r.room.map { name in links.filter { $0.room.name == name } } ?? links
            if let name = r.room, choices.isEmpty { fail(.room, "「\(name)」不是本考试计划的考场"); continue }
            guard let link = try choices.first(where: {
                      try !$0.room.disabled && SeatAssignment.firstFreeSeat(taken: used[try $0.room.requireID()] ?? [], capacity: $0.room.capacity) != nil
                  }),
                  let seat = SeatAssignment.firstFreeSeat(taken: used[try link.room.requireID()] ?? [], capacity: link.room.capacity) else {
                fail(.room, "考场已满"); continue
            }
            do {
                try await req.db.transaction { db in
                    try await ExamPlanRoutes.seatCandidate(e, plan: plan, roomID: link.room.requireID(), roomNumber: roomIndex[link.room.requireID()] ?? 1, number: seat,
                                                           note: "导入考生", user: user, req: req, on: db)
                    if let c = try await ExamCandidate.query(on: db).filter(\.$plan.$id == plan.requireID()).filter(\.$person.$id == person.requireID()).first() {
                        c.personCategory = r.category
                        c.phone = r.phone
                        try await c.save(on: db)
                    }
                }
                used[try link.room.requireID(), default: []].insert(seat)
                imported.append("\(label) \(person.name) → \(link.room.name) \(Seat<UUID>.label(seat))")
            } catch let error as AbortError {
                fail(.idNumber, error.reason)
            } catch let error as any DatabaseError where error.isConstraintFailure {
                skipped.append("\(label) \(person.name)")
            }
        }
        if rows.isEmpty && problems.isEmpty { problems.append(Problem(row: "-", column: "文件", reason: "表格中没有填写任何考生")) }
        try await Audit.record(on: req.db, actor: req.auditActor(user), action: "exam-plan.import", targetType: "exam-plan", targetID: plan.id?.uuidString,
                               summary: "导入考生：成功 \(imported.count) 人，已在名单中 \(skipped.count) 人，失败 \(problems.count) 处", at: req.now)
        return try await render(req, plan, user, submitted: true, imported: imported, skipped: skipped, problems: problems,
                                status: problems.isEmpty ? .ok : .unprocessableEntity)
    }
}
