import Fluent
import Foundation
import SafeCertCore
import SafeCertDocuments
import Vapor

/// 管理考试结果 (seed 000 5.2.3): the exam centre enters practical scores and imports scores
/// (from .xlsx or its exam client through the API), then submits the plan's results; the
/// province reviews and approves them, which publishes them (seed 003 省厅确认). 查看考试结果
/// (seed 002) and the pass-list export for those who may see them.
enum ExamResultRoutes {
    static func register(_ routes: any RoutesBuilder) {
        routes.page(.examPlanResults(.key), .viewExamResults, use: planResults)
        routes.action(.examPlanResults(.key), .enterExamResults, use: saveScores)
        routes.page(.examPlanResultsTemplate(.key), .enterExamResults, use: template)
        routes.upload(.examPlanResultsImport(.key), .enterExamResults, maxBody: "10mb", use: importScores)
        routes.page(.examResults, .viewExamResults, use: query)
        routes.page(.examResultsExport, .viewExamResults, use: export)
    }

    static func terms(_ plan: ExamPlanRecord, _ catalogue: QualificationCatalogue) -> QualificationTerms? {
        catalogue.terms(for: plan.qualificationCode, province: QualificationCatalogue.provinceCode(of: plan.regionCode),
                        on: CalendarDate.today(now: plan.startAt))
    }

    /// The subjects each candidate sits: the plan type's, narrowed to a resit's due subjects by
    /// the sittings of the same enrolment in earlier plans whose results were approved.
    static func subjects(for candidates: [ExamCandidate], plan: ExamPlanRecord, terms: QualificationTerms,
                         on db: any Database) async throws -> [UUID: [ExamSubject]] {
        let history = try await history(of: candidates.map { $0.$enrolment.id }, excludingPlan: plan.id, terms: terms, on: db)
        let day = CalendarDate.today(now: plan.startAt)
        return Dictionary(uniqueKeysWithValues: try candidates.map { c in
            let decision = ResitRule.decide(history: history[c.$enrolment.id] ?? [], terms: terms, on: day)
            return (try c.requireID(), ExamSitting.subjects(planType: plan.planType, terms: terms, decision: decision))
        })
    }

    /// The sittings of these enrolments whose results were approved, as `ResitRule` reads them.
    static func history(of enrolmentIDs: [UUID], excludingPlan planID: UUID?, terms: QualificationTerms,
                        on db: any Database) async throws -> [UUID: [ExamAttempt]] {
        var query = ExamCandidate.query(on: db).filter(\.$enrolment.$id ~~ enrolmentIDs).filter(\.$outcome != nil)
        if let planID { query = query.filter(\.$plan.$id != planID) }
        let earlier = try await query.join(parent: \.$plan).limit(5_000).all()
        var history: [UUID: [ExamAttempt]] = [:]
        for c in earlier {
            let p = try c.joined(ExamPlanRecord.self)
            var outcomes: [ExamSubjectKind: SubjectOutcome] = [:]
            for subject in terms.subjects {
                guard let r = c.result(subject.kind) else { continue }
                outcomes[subject.kind] = (try? ExamGrading.outcome(of: r, in: subject)) ?? .failed
            }
            if c.outcome == .absent {
                for s in terms.subjects where outcomes[s.kind] == nil || c.state == .absent || c.state == .notArrived { outcomes[s.kind] = .absent }
            }
            history[c.$enrolment.id, default: []].append(ExamAttempt(date: CalendarDate.today(now: p.startAt), outcomes: outcomes))
        }
        return history
    }

    /// Whether a failed or absent enrolment may sit again (the catalogue's resits, a pass held
    /// 12 months), for scheduling it into a plan.
    static func resitAvailable(_ e: Enrolment, today: CalendarDate, on db: any Database) async throws -> Bool {
        let catalogue = try await CatalogueStore.load(on: db)
        guard let terms = catalogue.terms(for: e.qualificationCode, province: QualificationCatalogue.provinceCode(of: e.regionCode), on: today)
        else { return false }
        let history = try await history(of: [e.requireID()], excludingPlan: nil, terms: terms, on: db)
        return ResitRule.decide(history: history[try e.requireID()] ?? [], terms: terms, on: today).allowsResit
    }

    static func results(of c: ExamCandidate) -> [ExamSubjectKind: SubjectResult] {
        var r: [ExamSubjectKind: SubjectResult] = [:]
        for kind in ExamSubjectKind.allCases { if let v = c.result(kind) { r[kind] = v } }
        return r
    }

    /// The exam centre an account answers for (nil for everyone else, who sees the whole plan).
    static func actingCentre(_ user: CurrentUser) -> UUID? {
        user.role == .examCentre ? user.organizationID : nil
    }

    /// The plan's candidates, with their room joined; for an exam centre only those seated in its
    /// own rooms — in a plan shared by several centres each answers for its own candidates.
    static func candidates(of plan: ExamPlanRecord, centre: UUID?, on db: any Database) throws -> QueryBuilder<ExamCandidate> {
        let query = try ExamCandidate.query(on: db).filter(\.$plan.$id == plan.requireID()).join(parent: \.$room)
        guard let centre else { return query }
        return query.filter(ExamRoom.self, \.$centre.$id == centre)
    }

    /// The centres with rooms in the plan, and those that have submitted their results.
    static func centres(of plan: ExamPlanRecord, on db: any Database) async throws -> (all: Set<UUID>, submitted: Set<UUID>) {
        let links = try await ExamPlanRoom.query(on: db).filter(\.$plan.$id == plan.requireID()).limit(1_000).all()
        return (Set(links.map(\.centreID)), Set(links.filter { $0.resultsSubmittedAt != nil }.map(\.centreID)))
    }

    /// Whether the exam centre may enter this plan's scores: its own rooms, the exam running or
    /// over, and its results not yet submitted.
    static func mayEnter(_ plan: ExamPlanRecord, _ user: CurrentUser, on db: any Database) async throws -> Bool {
        guard let centre = actingCentre(user) else { return false }
        return try await mayEnter(plan, centre: centre, on: db)
    }

    static func mayEnter(_ plan: ExamPlanRecord, centre: UUID, on db: any Database) async throws -> Bool {
        let (all, submitted) = try await centres(of: plan, on: db)
        return ExamCentreResults.mayEnter(centre: centre, centres: all, submitted: submitted, state: plan.state)
    }

    // MARK: One plan's results

    struct ScoreCell: Encodable, Sendable {
        let name: String
        let value: String
        let sits: Bool
    }

    struct ResultRow: Encodable, Sendable {
        let id: String
        let name: String
        let idNumber: String
        let ticketNumber: String
        let room: String
        let seat: String
        let attendance: String
        let attendanceKey: String
        let cells: [ScoreCell]
        let outcome: String
        let outcomeKey: String
        let error: String?
    }

    struct PlanResultsModel: Encodable, Sendable {
        let planHref: String
        let serial: String
        let state: String
        let stateKey: String
        let subjects: [String]
        let rows: [ResultRow]
        let pagination: Pagination
        let editable: Bool
        let saveAction: String
        let importAction: String
        let templateHref: String
        let stateAction: String
        let events: [ExamPlanRoutes.EventButton]
        let problems: [String]
        let passMarks: String
    }

    static func planResults(_ req: Request, _ user: CurrentUser) async throws -> Response {
        try await renderPlan(req, user, plan: try await ExamPlanStore.findPlan(req, user), entered: [:], errors: [:], problems: [])
    }

    static func renderPlan(_ req: Request, _ user: CurrentUser, plan: ExamPlanRecord, entered: [String: String], errors: [UUID: String],
                           problems: [String], status: HTTPStatus = .ok) async throws -> Response {
        let catalogue = try await CatalogueStore.load(on: req.db)
        guard let terms = terms(plan, catalogue) else { throw Abort(.conflict, reason: "资格类型目录中没有该资格的考试规则") }
        let page = try await candidates(of: plan, centre: actingCentre(user), on: req.db).join(parent: \.$person)
            .sort(ExamRoom.self, \.$name).sort(\.$seatNumber).page(for: req, per: 100)
        let sits = try await subjects(for: page.items, plan: plan, terms: terms, on: req.db)
        let kinds = terms.subjects.map(\.kind).filter { kind in sits.values.contains { $0.contains { $0.kind == kind } } }
        let full = user.may(.viewFullPersonalData)
        let rows = try page.items.map { c -> ResultRow in
            let p = try c.joined(Person.self)
            let mine = sits[try c.requireID()] ?? []
            let grade = try? ExamSitting.outcome(attendance: c.state, results: results(of: c), subjects: mine)
            let outcome = c.outcome ?? grade?.overall
            return ResultRow(
                id: try c.requireID().uuidString, name: p.name, idNumber: full ? p.idNumber : Masking.idNumber(p.idNumber), ticketNumber: c.ticketNumber,
                room: try c.joined(ExamRoom.self).name, seat: Seat<UUID>.label(c.seatNumber), attendance: c.state.label, attendanceKey: c.state.rawValue,
                cells: try kinds.map { kind in
                    let key = "\(kind.rawValue):\(try c.requireID().uuidString)"
                    return ScoreCell(name: key, value: entered[key] ?? c.result(kind)?.label ?? "", sits: mine.contains { $0.kind == kind })
                },
                outcome: outcome.map { ExamResultRoutes.label($0) } ?? "待录入", outcomeKey: outcome?.rawValue ?? "pending", error: errors[try c.requireID()])
        }
        let editable = try await mayEnter(plan, user, on: req.db)
        var events = ExamPlanRoutes.allowed(plan, user, now: req.now).filter { ["submit_results", "approve_results", "return_results", "finish"].contains($0.0) }
        if let centre = actingCentre(user) {
            let shared = !ExamCentreResults.mayRunByHand(centre: centre, centres: try await centres(of: plan, on: req.db).all)
            events = events.filter { ($0.0 != "submit_results" || editable) && ($0.0 != "finish" || !shared) }
        }
        return try await req.render("exams/results", title: "考试结果 \(plan.serial)", PlanResultsModel(
            planHref: SiteURL.examPlan(.id(plan.id)).link, serial: plan.serial, state: plan.state.label, stateKey: plan.state.rawValue,
            subjects: kinds.map(\.label), rows: rows,
            pagination: Pagination(metadata: page.metadata, path: SiteURL.examPlanResults(.id(plan.id)).link, filters: []),
            editable: editable, saveAction: SiteURL.examPlanResults(.id(plan.id)).link, importAction: SiteURL.examPlanResultsImport(.id(plan.id)).link,
            templateHref: SiteURL.examPlanResultsTemplate(.id(plan.id)).link, stateAction: SiteURL.examPlanState(.id(plan.id)).link,
            events: events.map { .init(event: $0.0, label: $0.1.action, needsReason: $0.2, danger: false) },
            problems: problems,
            passMarks: terms.subjects.map { "\($0.kind.label)满分 \($0.fullMarks)、\($0.passMarks) 分合格" }.joined(separator: "；")),
            status: status)
    }

    static func label(_ o: ExamOutcome) -> String {
        switch o {
        case .passed: "合格"
        case .failed: "不合格"
        case .absent: "缺考"
        }
    }

    /// The scores typed on the page (this page of candidates); all or nothing.
    static func saveScores(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let plan = try await ExamPlanStore.findPlan(req, user)
        guard try await mayEnter(plan, user, on: req.db) else {
            try await req.flash(.error, "考试结果只能由本计划的考核点在考试开始后、提交前录入（当前状态「\(plan.state.label)」）")
            return req.redirect(.examPlanResults(.id(plan.id)))
        }
        let fields = (try? req.content.decode([String: String].self)) ?? [:]
        var entries: [UUID: [ExamSubjectKind: String]] = [:]
        var entered: [String: String] = [:]
        for (key, value) in fields {
            let parts = key.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let kind = ExamSubjectKind(rawValue: String(parts[0])), let id = UUID(uuidString: String(parts[1])) else { continue }
            entries[id, default: [:]][kind] = TextNormalization.trimmed(TextNormalization.foldFullWidth(value))
            entered[key] = value
        }
        let candidates = try await candidates(of: plan, centre: actingCentre(user), on: req.db).filter(\.$id ~~ Array(entries.keys)).all()
        guard candidates.count == entries.count else {
            throw Abort(.notFound, reason: "提交的成绩中有不在本考核点考场的考生，未保存任何成绩")
        }
        let rows = try candidates.map { c in
            ScoreEntry(candidate: c, label: "准考证号 \(c.ticketNumber)", texts: entries[try c.requireID()] ?? [:])
        }
        let errors = try await apply(rows, plan: plan, user: user, req: req, source: "页面录入")
        if !errors.isEmpty {
            return try await renderPlan(req, user, plan: plan, entered: entered, errors: errors, problems: ["有 \(errors.count) 名考生的成绩有误，未保存任何成绩，请改正后重新保存"],
                                        status: .unprocessableEntity)
        }
        try await req.flash(.success, "已保存 \(rows.count) 名考生的成绩")
        return req.redirect(to: SiteURL.examPlanResults(.id(plan.id)).link + "?page=\(req.pageRequest(per: 100).page)")
    }

    struct ScoreEntry {
        let candidate: ExamCandidate
        let label: String
        /// Per subject: "" clears, "85", "缺考".
        let texts: [ExamSubjectKind: String]
    }

    /// Checks every entry against the subjects the candidate sits, the marks and the identity
    /// check; saves all in one transaction only when none has a problem. Returns the problems.
    static func apply(_ entries: [ScoreEntry], plan: ExamPlanRecord, user: CurrentUser?, req: Request, source: String,
                      apiActor: AuditActor? = nil) async throws -> [UUID: String] {
        let catalogue = try await CatalogueStore.load(on: req.db)
        guard let terms = terms(plan, catalogue) else { throw Abort(.conflict, reason: "资格类型目录中没有该资格的考试规则") }
        let sits = try await subjects(for: entries.map(\.candidate), plan: plan, terms: terms, on: req.db)
        var errors: [UUID: String] = [:]
        for entry in entries {
            let c = entry.candidate
            let mine = sits[try c.requireID()] ?? []
            let verdict = ScoreEntryRule.judge(entry.texts, sitting: mine, admitted: c.state != .notArrived && c.state != .absent)
            for (kind, result) in verdict.results { c.setResult(kind, result) }
            let problems = verdict.problems
            if !problems.isEmpty { errors[try c.requireID()] = "\(entry.label)：" + problems.joined(separator: "；") }
        }
        guard errors.isEmpty else { return errors }
        let changed = entries.map(\.candidate).filter(\.hasChanges)
        let actor = apiActor ?? (user.map { req.auditActor($0) } ?? AuditActor(accountID: nil, name: "系统", organizationID: nil, organizationName: "", ip: req.clientIP))
        try await req.db.transaction { db in
            for c in changed { try await c.save(on: db) }
            try await Audit.record(on: db, actor: actor, action: "exam-results.enter", targetType: "exam-plan", targetID: plan.id?.uuidString,
                                   summary: "\(plan.serial) \(source)：\(changed.count) 名考生的成绩", at: req.now)
        }
        return [:]
    }

    /// The plan's candidates as a score sheet to fill in.
    static func template(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let plan = try await ExamPlanStore.findPlan(req, user)
        let writer = XLSXWriter(sheetName: "成绩", columns: ScoreImportTemplate.Column.allCases.map {
            XLSXColumn(title: $0.title, width: $0 == .ticketNumber || $0 == .idNumber ? 24 : 12)
        })
        let candidates = try await candidates(of: plan, centre: actingCentre(user), on: req.db).join(parent: \.$person)
            .sort(\.$ticketNumber).limit(5_000).all()
        for c in candidates {
            let p = try c.joined(Person.self)
            writer.append([c.ticketNumber, p.idNumber, p.name, c.result(.theory)?.label ?? "", c.result(.practical)?.label ?? ""])
        }
        writer.addNoteSheet(name: "填写说明", lines: ScoreImportTemplate.notes)
        try await req.audit(user, "exam-results.template", target: "exam-plan", plan.id?.uuidString,
                            summary: "下载成绩导入表（\(candidates.count) 名考生）")
        return xlsxResponse(try writer.finish(), fileName: "成绩导入-\(plan.serial).xlsx")
    }

    /// Parsed rows of an uploaded score sheet matched to the plan's candidates, or the problems
    /// by row and column.
    static func match(_ rows: [(label: String, row: ScoreImportTemplate.Row)], plan: ExamPlanRecord, centre: UUID?,
                      on db: any Database) async throws -> ([ScoreEntry], [String]) {
        var problems: [String] = []
        var seen: [String: String] = [:]
        let tickets = rows.map(\.row.ticketNumber)
        let candidates = try await candidates(of: plan, centre: centre, on: db).filter(\.$ticketNumber ~~ tickets)
            .join(parent: \.$person).all()
        let byTicket = Dictionary(candidates.map { ($0.ticketNumber, $0) }, uniquingKeysWith: { a, _ in a })
        var entries: [ScoreEntry] = []
        for (label, row) in rows {
            if let first = seen[row.ticketNumber] {
                problems.append("\(label)，准考证号：与\(first)重复")
                continue
            }
            seen[row.ticketNumber] = label
            guard let c = byTicket[row.ticketNumber] else {
                problems.append("\(label)，准考证号：\(row.ticketNumber) 不是本考试计划\(centre == nil ? "" : "在本考核点考场")的考生")
                continue
            }
            if try c.joined(Person.self).idNumber != TextNormalizationBridge.idNumber(row.idNumber) {
                problems.append("\(label)，证件号码：与准考证号 \(row.ticketNumber) 的考生不一致")
                continue
            }
            entries.append(ScoreEntry(candidate: c, label: label, texts: row.results.mapValues { $0.stored == "absent" ? "缺考" : $0.label }))
        }
        return (entries, problems)
    }

    static func importScores(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let plan = try await ExamPlanStore.findPlan(req, user)
        guard try await mayEnter(plan, user, on: req.db) else {
            try await req.flash(.error, "考试结果只能由本计划的考核点在考试开始后、提交前导入（当前状态「\(plan.state.label)」）")
            return req.redirect(.examPlanResults(.id(plan.id)))
        }
        var problems: [String] = []
        var rows: [(label: String, row: ScoreImportTemplate.Row)] = []
        if let file = req.uploadedFile("file"), file.data.readableBytes > 0 {
            switch try await UploadedSheet.read(file, on: req.application.documentPool, ScoreImportTemplate.parse) {
            case .failure(let error):
                problems.append("「\(file.filename)」：\(error.message)")
            case .success(let sheet):
                for (number, outcome) in sheet.readings {
                    switch outcome {
                    case .empty: continue
                    case .invalid(let issues): problems += issues.map { "第 \(number) 行，\($0.column)：\($0.reason)" }
                    case .row(let r): rows.append(("第 \(number) 行", r))
                    }
                    if rows.count > ImportLimits.scores { problems.append("一次最多导入 \(ImportLimits.scores) 行"); break }
                }
            }
        } else {
            problems.append("请选择填好的成绩导入表（.xlsx）")
        }
        if rows.isEmpty && problems.isEmpty { problems.append("表格中没有填写任何成绩") }
        let (entries, matchProblems) = try await match(rows, plan: plan, centre: actingCentre(user), on: req.db)
        problems += matchProblems
        if problems.isEmpty {
            let errors = try await apply(entries, plan: plan, user: user, req: req, source: "导入成绩表")
            problems += errors.values.sorted()
        }
        guard problems.isEmpty else {
            return try await renderPlan(req, user, plan: plan, entered: [:], errors: [:],
                                        problems: ["成绩表有 \(problems.count) 处错误，未导入任何成绩："] + Array(problems.prefix(200)), status: .unprocessableEntity)
        }
        try await req.flash(.success, "已导入 \(entries.count) 名考生的成绩")
        return req.redirect(.examPlanResults(.id(plan.id)))
    }

    /// One centre of a shared plan submits its rooms' results; the plan waits for the others.
    static func markSubmitted(_ plan: ExamPlanRecord, centre: UUID, user: CurrentUser, req: Request, waitingFor: Int) async throws {
        try await req.db.transaction { db in
            try await ExamPlanRoom.query(on: db).filter(\.$plan.$id == plan.requireID()).filter(\.$centreID == centre)
                .set(\.$resultsSubmittedAt, to: req.now).update()
            try await req.audit(user, "exam-results.submit-centre", on: db, target: "exam-plan", plan.id?.uuidString,
                                summary: "\(plan.serial) 本考核点考试结果已提交，等待其他 \(waitingFor) 个考核点")
        }
    }

    /// The problems that stop submission: every candidate who passed the identity check needs a
    /// result in each subject they sit.
    static func submissionProblems(_ plan: ExamPlanRecord, centre: UUID?, on db: any Database) async throws -> [String] {
        let catalogue = try await CatalogueStore.load(on: db)
        guard let terms = terms(plan, catalogue) else { return ["资格类型目录中没有该资格的考试规则"] }
        let candidates = try await candidates(of: plan, centre: centre, on: db).limit(20_000).all()
        if candidates.isEmpty { return ["考试计划没有考生"] }
        let sits = try await subjects(for: candidates, plan: plan, terms: terms, on: db)
        var problems: [String] = []
        for c in candidates {
            let id = try c.requireID()
            do { _ = try ExamSitting.outcome(attendance: c.state, results: results(of: c), subjects: sits[id] ?? []) } catch {
                problems.append("准考证号 \(c.ticketNumber)：\(error.message)")
            }
        }
        return problems
    }

    /// On the province's approval: each candidate's outcome, and the enrolment moved to passed,
    /// failed or absent (through examined for those who sat).
    static func publish(_ plan: ExamPlanRecord, user: CurrentUser, req: Request, on db: any Database) async throws -> (passed: Int, failed: Int, absent: Int) {
        let catalogue = try await CatalogueStore.load(on: db)
        guard let terms = terms(plan, catalogue) else { throw Abort(.conflict, reason: "资格类型目录中没有该资格的考试规则") }
        let candidates = try await ExamCandidate.query(on: db).filter(\.$plan.$id == plan.requireID()).with(\.$enrolment).limit(20_000).all()
        let sits = try await subjects(for: candidates, plan: plan, terms: terms, on: db)
        var counts = (passed: 0, failed: 0, absent: 0)
        for c in candidates {
            let grade: ExamGrade
            let id = try c.requireID()
            do { grade = try ExamSitting.outcome(attendance: c.state, results: results(of: c), subjects: sits[id] ?? []) } catch {
                throw Abort(.conflict, reason: "准考证号 \(c.ticketNumber)：\(error.message)")
            }
            c.outcome = grade.overall
            try await c.save(on: db)
            let e = c.enrolment
            // Cancelled or withdrawn meanwhile: the sitting's record stands, the enrolment stays closed.
            if e.state == .cancelled || e.state == .withdrawn { continue }
            if grade.overall != .absent && e.state == .admitted {
                if let problem = try await EnrolmentService.apply(.takeExam, to: e, actor: .authority, user: user, req: req, on: db,
                                                                  extra: "；考试计划 \(plan.serial)") {
                    throw Abort(.conflict, reason: problem)
                }
            }
            if let problem = try await EnrolmentService.apply(.approveResult(grade.overall), to: e, actor: .authority, user: user, req: req, on: db,
                                                              extra: "；考试计划 \(plan.serial)；" + grade.outcomes.sorted { $0.key.rawValue > $1.key.rawValue }
                                                                  .map { "\($0.key.label)\($0.value.label)" }.joined(separator: "、")) {
                throw Abort(.conflict, reason: "准考证号 \(c.ticketNumber)：\(problem)")
            }
            switch grade.overall {
            case .passed: counts.passed += 1
            case .failed: counts.failed += 1
            case .absent: counts.absent += 1
            }
        }
        return counts
    }

    // MARK: 查看考试结果

    struct QueryRow: Encodable, Sendable {
        let name: String
        let idNumber: String
        let enterprise: String
        let qualification: String
        let plan: String
        let date: String
        let theory: String
        let practical: String
        let outcome: String
        let outcomeKey: String
    }

    struct PendingPlan: Encodable, Sendable {
        let serial: String
        let start: String
        let state: String
        let href: String
    }

    struct QueryModel: Encodable, Sendable {
        let pending: [PendingPlan]
        let rows: [QueryRow]
        let pagination: Pagination
        let name: String
        let idNumber: String
        let serial: String
        let outcomeOptions: [OrganizationForm.Option]
        let exportParts: [OrganizationForm.Option]
        let passListParts: [OrganizationForm.Option]
        let showPerson: Bool
    }

    /// Published results (plans closed by the province's approval) the account may see.
    static func published(_ req: Request, _ user: CurrentUser) async throws -> (QueryBuilder<ExamCandidate>, [(String, String?)]) {
        var q = ExamCandidate.query(on: req.db).join(parent: \.$plan).join(parent: \.$person)
            .filter(ExamPlanRecord.self, \.$state == .closed).filter(\.$outcome != nil)
        switch user.scope {
        case .person(let id): q = q.filter(\.$person.$id == id)
        case .organizations(let ids):
            switch user.role {
            case .trainingInstitution: q = q.filter(ExamPlanRecord.self, \.$institution.$id ~~ ids)
            case .examCentre: q = q.filter(\.$plan.$id ~~ (try await ExamPlanStore.centrePlanIDs(req, user)))
            default: q = q.filter(Person.self, \.$employer.$id ~~ ids)
            }
        case .region(let prefix): q = q.filter(ExamPlanRecord.self, \.$regionCode =~ prefix)
        case .everything: break
        }
        let name = req.queryText("name")
        if let name { q = q.filter(Person.self, \.$name ~~ name) }
        let number = req.queryText("id_number")
        if let number { q = q.filter(Person.self, \.$idNumber == TextNormalizationBridge.idNumber(number)) }
        let serial = req.queryText("serial")
        if let serial { q = q.filter(ExamPlanRecord.self, \.$serial == serial) }
        let outcome = req.queryText("outcome").flatMap(ExamOutcome.init(rawValue:))
        if let outcome { q = q.filter(\.$outcome == outcome) }
        return (q, [("name", name), ("id_number", number), ("serial", serial), ("outcome", outcome?.rawValue)])
    }

    static func query(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let (q, filters) = try await published(req, user)
        let page = try await q.sort(ExamPlanRecord.self, \.$startAt, .descending).sort(\.$ticketNumber).page(for: req)
        let catalogue = try await CatalogueStore.load(on: req.db)
        let employerIDs = Set(try page.items.compactMap { try $0.joined(Person.self).$employer.id })
        let employers = Dictionary(uniqueKeysWithValues: try await Organization.query(on: req.db).filter(\.$id ~~ Array(employerIDs)).all().map { (try $0.requireID(), $0.name) })
        let full = user.may(.viewFullPersonalData)
        let rows = try page.items.map { c in
            let p = try c.joined(Person.self)
            let plan = try c.joined(ExamPlanRecord.self)
            return QueryRow(name: p.name, idNumber: full ? p.idNumber : Masking.idNumber(p.idNumber), enterprise: p.$employer.id.flatMap { employers[$0] } ?? "—",
                            qualification: catalogue.type(code: plan.qualificationCode)?.name ?? plan.qualificationCode, plan: plan.serial,
                            date: String(ExamSchedule.beijingText(plan.startAt).prefix(10)), theory: c.result(.theory)?.label ?? "—",
                            practical: c.result(.practical)?.label ?? "—", outcome: c.outcome.map(label) ?? "", outcomeKey: c.outcome?.rawValue ?? "")
        }
        // What waits for this account: the centre's plans to score, the province's to review.
        var pending: [PendingPlan] = []
        if user.may(.enterExamResults) || user.may(.reviewExamResults) {
            let states: [ExamPlanState] = user.may(.enterExamResults) ? ExamPlanPolicy.sorted(ExamPlanPolicy.entryStates) : [.resultsUnderReview]
            pending = try await ExamPlanStore.scoped(req, user).filter(\.$state ~~ states).sort(\.$startAt).limit(50).all().map {
                PendingPlan(serial: $0.serial, start: ExamSchedule.beijingText($0.startAt), state: $0.state.label, href: SiteURL.examPlanResults(.id($0.id)).link)
            }
        }
        let outcome = req.queryText("outcome").flatMap(ExamOutcome.init(rawValue:))
        let passFilters = filters.filter { $0.0 != "outcome" } + [("outcome", ExamOutcome.passed.rawValue)]
        let passTotal = outcome == .passed ? page.metadata.total : try await published(req, user).0.filter(\.$outcome == .passed).count()
        return try await req.render("exams/results-query", title: user.role == .examCentre ? "管理考试结果" : user.role == .provinceAuthority ? "考试结果审核" : "查看考试结果",
                                    QueryModel(
            pending: pending, rows: rows, pagination: Pagination(metadata: page.metadata, path: SiteURL.examResults.link, filters: filters),
            name: req.queryText("name") ?? "", idNumber: req.queryText("id_number") ?? "", serial: req.queryText("serial") ?? "",
            outcomeOptions: ExamOutcome.allCases.map { .init(value: $0.rawValue, label: label($0), selected: $0 == outcome) },
            exportParts: ExportParts.options(path: SiteURL.examResultsExport.link, filters: filters, total: page.metadata.total),
            passListParts: ExportParts.options(path: SiteURL.examResultsExport.link, filters: passFilters, total: passTotal)
                .map { .init(value: $0.value, label: $0.label.replacingOccurrences(of: "导出", with: "导出合格名单")) },
            showPerson: user.role != .individual))
    }

    static func export(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let (q, _) = try await published(req, user)
        let part = req.exportPart()
        let rows = try await q.sort(ExamPlanRecord.self, \.$startAt, .descending).sort(\.$ticketNumber).range(ExportParts.range(part: part)).all()
        let catalogue = try await CatalogueStore.load(on: req.db)
        let full = user.may(.viewFullPersonalData)
        let passList = req.queryText("outcome") == ExamOutcome.passed.rawValue
        let writer = XLSXWriter(sheetName: passList ? "合格名单" : "考试结果", columns: [("姓名", 12), ("证件号码", 22), ("资格类型", 28), ("考试计划", 20),
                                                                                  ("考试日期", 12), ("准考证号", 24), ("理论成绩", 10), ("实操成绩", 10), ("结果", 8)]
            .map { XLSXColumn(title: $0.0, width: Double($0.1)) })
        for c in rows {
            let p = try c.joined(Person.self)
            let plan = try c.joined(ExamPlanRecord.self)
            writer.append([p.name, full ? p.idNumber : Masking.idNumber(p.idNumber), catalogue.type(code: plan.qualificationCode)?.name ?? plan.qualificationCode,
                           plan.serial, String(ExamSchedule.beijingText(plan.startAt).prefix(10)), c.ticketNumber,
                           c.result(.theory)?.label ?? "", c.result(.practical)?.label ?? "", c.outcome.map(label) ?? ""])
        }
        try await req.audit(user, "exam-results.export", target: "exam-plan", nil,
                            summary: "导出\(passList ? "合格名单" : "考试结果")第 \(part) 部分（\(rows.count) 条）")
        return xlsxResponse(try writer.finish(), fileName: "\(passList ? "合格名单" : "考试结果")-\(part).xlsx")
    }
}

extension ExamResultRoutes {
    struct APIScore: Content {
        var ticketNumber: String
        var idNumber: String
        var theory: String?
        var practical: String?
    }

    struct APIScores: Content { var scores: [APIScore] }

    struct APIScoresAnswer: Content {
        let serial: String
        let saved: Int
    }

    /// `POST /api/v1/exam-plans/{serial}/scores` by the exam centre's exam client: all or nothing.
    static func apiScores(_ req: Request) async throws -> APIScoresAnswer {
        let org = try req.apiOrganization()
        guard org.kind == .examCentre else { throw Abort(.forbidden, reason: "只有考核点的接口密钥可以上传成绩") }
        let serial = req.parameter(.serial)
        let centre = try org.requireID()
        guard let plan = try await ExamPlanRecord.query(on: req.db).filter(\.$serial == serial).filter(\.$state != .deleted).first(),
              try await centres(of: plan, on: req.db).all.contains(centre)
        else { throw Abort(.notFound, reason: "未找到本考核点的考试计划 \(serial)") }
        guard try await mayEnter(plan, centre: centre, on: req.db) else {
            throw Abort(.conflict, reason: "考试计划当前状态为「\(plan.state.label)」或本考核点已提交考试结果，不能上传成绩")
        }
        guard let body = try? req.content.decode(APIScores.self), !body.scores.isEmpty, body.scores.count <= ImportLimits.scores else {
            throw Abort(.badRequest, reason: "请求体应为 {\"scores\": [{\"ticketNumber\", \"idNumber\", \"theory\", \"practical\"}]}，1–5000 条")
        }
        var problems: [String] = []
        var rows: [(label: String, row: ScoreImportTemplate.Row)] = []
        for (i, s) in body.scores.enumerated() {
            let cells: [ImportCell] = [.text(s.ticketNumber), .text(s.idNumber), .empty, s.theory.map { .text($0) } ?? .empty, s.practical.map { .text($0) } ?? .empty]
            switch ScoreImportTemplate.parse(cells) {
            case .empty: problems.append("第 \(i + 1) 条：空记录")
            case .invalid(let issues): problems += issues.map { "第 \(i + 1) 条，\($0.column)：\($0.reason)" }
            case .row(let r): rows.append(("第 \(i + 1) 条", r))
            }
        }
        let (entries, matchProblems) = try await match(rows, plan: plan, centre: centre, on: req.db)
        problems += matchProblems
        let actor = AuditActor(accountID: nil, name: "接口密钥（\(org.name)）", organizationID: org.id, organizationName: org.name, ip: req.clientIP)
        if problems.isEmpty {
            problems += try await apply(entries, plan: plan, user: nil, req: req, source: "接口上传", apiActor: actor).values.sorted()
        }
        guard problems.isEmpty else { throw Abort(.unprocessableEntity, reason: "未保存任何成绩：" + problems.prefix(50).joined(separator: "；")) }
        return APIScoresAnswer(serial: plan.serial, saved: entries.count)
    }
}
