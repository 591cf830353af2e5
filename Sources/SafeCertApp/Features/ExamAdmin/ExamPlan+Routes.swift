import Fluent
import Foundation
import SafeCertCore
import SQLKit
import Vapor

/// 制定考试计划 (seed 000 5.1.2): a training institution (or an authority) drafts a plan and
/// places the trained people automatically — a draw from a stored seed over the chosen rooms —
/// the owning authority submits or deletes it, the higher authority or the national centre
/// approves it, which locks it. Candidates change only until 48 hours before the start.
enum ExamPlanRoutes {
    static func register(_ routes: any RoutesBuilder) {
        routes.page(.examPlans, .viewExamPlans, use: list)
        routes.page(.examPlanNew, .draftExamPlans, use: new)
        routes.action(.examPlans, .draftExamPlans, use: create)
        routes.page(.examPlan(.key), .viewExamPlans, use: show)
        routes.action(.examPlanState(.key), .viewExamPlans, use: changeState)
        routes.action(.examPlanRemove(.key), .viewExamPlans, use: removeCandidates)
        routes.action(.examPlanPlace(.key), .viewExamPlans, use: placeCandidates)
        routes.action(.examPlanEditCandidate(.key), .viewExamPlans, use: editCandidate)
        routes.page(.examPlanEdit(.key), .viewExamPlans, use: editPlan)
        routes.action(.examPlanEdit(.key), .viewExamPlans, use: updatePlan)
    }

    // MARK: List

    struct Row: Encodable, Sendable {
        let serial: String
        let type: String
        let qualification: String
        let start: String
        let end: String
        let candidates: Int
        let state: String
        let stateKey: String
        let href: String
    }

    struct ListModel: Encodable, Sendable {
        let rows: [Row]
        let pagination: Pagination
        let serial: String
        let from: String
        let to: String
        let stateOptions: [OrganizationForm.Option]
        let centreOptions: [OrganizationForm.Option]
        let qualificationOptions: [OrganizationForm.Option]
        let canDraft: Bool
    }

    /// 考试计划查询: by serial, state, qualification, exam centre and date range.
    static func list(_ req: Request, _ user: CurrentUser) async throws -> Response {
        var query = try await ExamPlanStore.scoped(req, user)
        let serial = req.queryText("serial")
        if let serial { query = query.filter(\.$serial == serial) }
        let state = req.queryText("state").flatMap(ExamPlanState.init(rawValue:))
        if let state { query = query.filter(\.$state == state) }
        let qualification = req.queryText("qualification")
        if let qualification { query = query.filter(\.$qualificationCode == qualification) }
        let from = try req.queryDate("from", label: "开始日期")
        if let from { query = query.filter(\.$startAt >= from.startOfDay()) }
        let to = try req.queryDate("to", label: "结束日期")
        if let to { query = query.filter(\.$startAt < to.adding(days: 1).startOfDay()) }
        let centreID = req.queryText("centre").flatMap(UUID.init(uuidString:))
        if let centreID {
            query = query.filter(\.$id ~~ (try await ExamPlanRoom.query(on: req.db).filter(\.$centreID == centreID).limit(5_000).all(\.$plan.$id)))
        }
        let page = try await query.sort(\.$startAt, .descending).sort(\.$id).page(for: req)
        let catalogue = try await CatalogueStore.load(on: req.db)
        let counts = try await ExamPlanStore.candidateCounts(page.items.map { try $0.requireID() }, on: req.db)
        let rows = try page.items.map { p in
            Row(serial: p.serial, type: p.planType.label, qualification: catalogue.type(code: p.qualificationCode)?.name ?? p.qualificationCode,
                start: ExamSchedule.beijingText(p.startAt), end: p.schedule.map { ExamSchedule.beijingText($0.end) } ?? "",
                candidates: counts[try p.requireID()] ?? 0, state: p.state.label, stateKey: p.state.rawValue, href: SiteURL.examPlan(.id(p.id)).link)
        }
        let centres = try await ExamRoom.query(on: req.db).scoped(to: user.scope, role: user.role, regionCode: user.regionCode)
            .limit(500).all(\.$centre.$id)
        let centreOrgs = try await Organization.query(on: req.db).filter(\.$id ~~ Array(Set(centres))).sort(\.$name).limit(200).all()
        return try await req.render("exams/plans", title: "考试计划", ListModel(
            rows: rows,
            pagination: Pagination(metadata: page.metadata, path: SiteURL.examPlans.link,
                                   filters: [("serial", serial), ("state", state?.rawValue), ("qualification", qualification),
                                             ("from", from?.iso), ("to", to?.iso), ("centre", centreID?.uuidString)]),
            serial: serial ?? "", from: from?.iso ?? "", to: to?.iso ?? "",
            stateOptions: ExamPlanState.allCases.filter { $0 != .deleted }.map { .init(value: $0.rawValue, label: $0.label, selected: $0 == state) },
            centreOptions: centreOrgs.map { .init(value: try $0.requireID().uuidString, label: $0.name, selected: $0.id == centreID) },
            qualificationOptions: catalogue.types.map { .init(value: $0.code, label: $0.name, selected: $0.code == qualification) },
            canDraft: user.may(.draftExamPlans)))
    }
}
