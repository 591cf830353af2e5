import Fluent
import Foundation
import SafeCertCore
import SQLKit
import Vapor

/// The plan page: its model, what the account may do to the plan, and the links it shows.
extension ExamPlanRoutes {
    // MARK: Show and act

    struct CandidateRow: Encodable, Sendable {
        let id: String
        let name: String
        let idNumber: String
        let room: String
        let seat: String
    }

    struct EventButton: Encodable, Sendable {
        let event: String
        let label: String
        let needsReason: Bool
        let danger: Bool
    }

    struct ShowModel: Encodable, Sendable {
        let id: String
        let facts: [PersonRoutes.ComparedField]
        let state: String
        let stateKey: String
        let reason: String?
        let candidates: [CandidateRow]
        let pagination: Pagination
        let events: [EventButton]
        let stateAction: String
        let removeAction: String?
        let placeAction: String?
        let editAction: String?
        let candidateOptions: [OrganizationForm.Option]
        let categoryOptions: [OrganizationForm.Option]
        let placeRooms: [OrganizationForm.Option]
        let ticketsHref: String?
        let cutoffNote: String
        let links: [OrganizationForm.Option]
        /// 修改考试计划 (date, time, duration, rooms) while the workflow allows it.
        let editPlanHref: String?
    }

    static let eventNames: [(String, ExamPlanEvent, Bool)] = [
        ("submit", .submit, false), ("approve", .approve, false), ("return", .returnToDraft(reason: "x"), true),
        ("delete", .delete, false), ("start", .start, false), ("finish", .finish, false),
        ("submit_results", .submitResults, false), ("approve_results", .approveResults, false),
        ("return_results", .returnResults(reason: "x"), true),
    ]

    /// What the account may do to the plan, by the Core workflow and its region.
    static func allowed(_ plan: ExamPlanRecord, _ user: CurrentUser, now: Date) -> [(String, ExamPlanEvent, Bool)] {
        guard let actor = ExamPlanActor(role: user.role), let schedule = plan.schedule,
              ExamPlanPolicy.actsOnWorkflow(actor, inJurisdiction: user.scope.includes(regionCode: plan.regionCode)) else { return [] }
        let context = ExamPlanContext(level: plan.level, schedule: schedule, now: now)
        return eventNames.filter { (try? ExamPlanWorkflow.transition(plan.state, $0.1, by: actor, context: context)) != nil }
    }

    static func show(_ req: Request, _ user: CurrentUser) async throws -> Response {
        try await renderPlan(req, user, try await ExamPlanStore.findPlan(req, user))
    }

    /// The plan's facts as the page lists them.
    static func planFacts(_ plan: ExamPlanRecord, on db: any Database) async throws -> [(String, String)] {
        let catalogue = try await CatalogueStore.load(on: db)
        let rooms = try await ExamPlanRoom.query(on: db).filter(\.$plan.$id == plan.requireID()).with(\.$room).all().map(\.room.name)
        return [
            ("流水号", plan.serial), ("考试类型", plan.planType.label),
            ("资格类型", catalogue.type(code: plan.qualificationCode)?.name ?? plan.qualificationCode),
            ("开始时间", ExamSchedule.beijingText(plan.startAt)), ("结束时间", plan.schedule.map { ExamSchedule.beijingText($0.end) } ?? ""),
            ("时长", "\(plan.durationMinutes) 分钟"), ("考场", rooms.joined(separator: "、")), ("级别", plan.level.label),
            ("随机种子", plan.drawSeed ?? "—"),
        ]
    }

    /// 删除考场申请 on a session (its authority, before the exam), 移出考生 on a drawn plan.
    static func removeAction(_ plan: ExamPlanRecord, _ user: CurrentUser, mayEditCandidates: Bool) -> String? {
        if plan.isSession {
            return user.may(.publishExamSessions)
                && ExamPlanPolicy.mayRemoveApplication(inJurisdiction: user.scope.includes(regionCode: plan.regionCode), state: plan.state)
                ? SiteURL.examSessionRemove(.id(plan.id)).link : nil
        }
        return mayEditCandidates ? SiteURL.examPlanRemove(.id(plan.id)).link : nil
    }

    /// The plan page; a refused action answers with it again (`status`, the reason as a flash).
    static func renderPlan(_ req: Request, _ user: CurrentUser, _ plan: ExamPlanRecord, status: HTTPStatus = .ok) async throws -> Response {
        let page = try await ExamCandidate.query(on: req.db).filter(\.$plan.$id == plan.requireID()).join(parent: \.$person).join(parent: \.$room)
            .sort(ExamRoom.self, \.$name).sort(\.$seatNumber).page(for: req)
        let rows = try page.items.map { c in
            let p = try c.joined(Person.self)
            let r = try c.joined(ExamRoom.self)
            return CandidateRow(id: try c.requireID().uuidString, name: p.name, idNumber: Masking.idNumber(p.idNumber), room: r.name, seat: Seat<UUID>.label(c.seatNumber))
        }
        let facts = try await planFacts(plan, on: req.db)
        let events = allowed(plan, user, now: req.now)
        let mayEdit: Bool = {
            guard let actor = ExamPlanActor(role: user.role), let schedule = plan.schedule else { return false }
            return (try? checkCandidateChange(plan, user, actor: actor, schedule: schedule, now: req.now)) != nil
        }()
        let mayEditPlan: Bool = {
            guard let actor = ExamPlanActor(role: user.role), let schedule = plan.schedule, !plan.isSession else { return false }
            return (try? checkPlanEdit(plan, user, actor: actor, schedule: schedule, now: req.now)) != nil
        }()
        return try await req.render("exams/plan", title: "考试计划 \(plan.serial)", ShowModel(
            id: plan.requireID().uuidString, facts: facts.map { .init(label: $0.0, old: $0.1, new: $0.1, changed: false) },
            state: plan.state.label, stateKey: plan.state.rawValue, reason: plan.stateReason,
            candidates: rows, pagination: Pagination(metadata: page.metadata, path: SiteURL.examPlan(.id(plan.id)).link, filters: []),
            events: events.map { .init(event: $0.0, label: $0.1.action.replacingOccurrences(of: "考试计划", with: ""), needsReason: $0.2,
                                       danger: $0.0 == "delete") },
            stateAction: SiteURL.examPlanState(.id(plan.id)).link,
            removeAction: removeAction(plan, user, mayEditCandidates: mayEdit),
            placeAction: mayEdit ? SiteURL.examPlanPlace(.id(plan.id)).link : nil,
            editAction: mayEdit ? SiteURL.examPlanEditCandidate(.id(plan.id)).link : nil,
            candidateOptions: rows.map { .init(value: $0.id, label: "\($0.seat) \($0.name)（\($0.room)）") },
            categoryOptions: PersonCategory.allCases.map { .init(value: $0.rawValue, label: $0.label) },
            placeRooms: try await ExamPlanRoom.query(on: req.db).filter(\.$plan.$id == plan.requireID()).with(\.$room).all()
                .map { .init(value: try $0.room.requireID().uuidString, label: "\($0.room.name)（\($0.room.capacity) 人）") },
            ticketsHref: ExamPlanPolicy.ticketStates.contains(plan.state) ? SiteURL.examPlanTickets(.id(plan.id)).link : nil,
            cutoffNote: "考生名单可修改至 \(ExamSchedule.beijingText(plan.startAt.addingTimeInterval(-ExamSchedule.candidateCutoff)))（开考前 48 小时）",
            links: planLinks(plan, user, mayEditCandidates: mayEdit),
            editPlanHref: mayEditPlan ? SiteURL.examPlanEdit(.id(plan.id)).link : nil), status: status)
    }

    /// Whether the account may change the plan's candidates now: the workflow's `editCandidates`
    /// with the 48-hour cutoff; after approval the owning authority still may (seed 004: "在考核开始
    /// 48小时之前，可以随时添加、修改和删除考生信息"), the national centre always, audited. An
    /// authority acts only in its region.
    static func checkCandidateChange(_ plan: ExamPlanRecord, _ user: CurrentUser, actor: ExamPlanActor, schedule: ExamSchedule,
                                     now: Date) throws(ExamPlanError) {
        try ExamPlanPolicy.checkCandidateChange(state: plan.state, level: plan.level, schedule: schedule, by: actor,
                                                inJurisdiction: user.scope.includes(regionCode: plan.regionCode), now: now)
    }

    /// The plan of the request, and why its candidates may not change now (nil when they may).
    static func planForCandidateChange(_ req: Request, _ user: CurrentUser) async throws -> (ExamPlanRecord, String?) {
        let plan = try await ExamPlanStore.findPlan(req, user)
        guard let actor = ExamPlanActor(role: user.role), let schedule = plan.schedule else { throw Abort(.forbidden) }
        do {
            try checkCandidateChange(plan, user, actor: actor, schedule: schedule, now: req.now)
            return (plan, nil)
        } catch {
            return (plan, error.message)
        }
    }

    /// The plan's other pages this account may open.
    static func planLinks(_ plan: ExamPlanRecord, _ user: CurrentUser, mayEditCandidates: Bool) -> [OrganizationForm.Option] {
        var links: [OrganizationForm.Option] = []
        let id = plan.id?.uuidString ?? ""
        if user.may(.importCandidates) && mayEditCandidates {
            links.append(.init(value: SiteURL.examPlanImport(.id(plan.id)).link, label: "导入考生信息"))
        }
        if user.may(.checkIdentity) && ExamPlanPolicy.dayStates.contains(plan.state) {
            links.append(.init(value: SiteURL.identity.link + "?plan=\(id)", label: "实名认证"))
        }
        if user.may(.superviseExams) && ExamPlanPolicy.dayStates.contains(plan.state) {
            links.append(.init(value: SiteURL.live.link + "?plan=\(id)", label: "正在考试"))
        }
        if user.may(.viewExamResults) && ExamPlanPolicy.resultStates.contains(plan.state) {
            links.append(.init(value: SiteURL.examPlanResults(.id(plan.id)).link, label: "考试结果"))
        }
        return links
    }
}
