import Fluent
import Foundation
import SafeCertCore
import Vapor

/// The exam flow's to-dos on the home page, each linking to where the work is done.
enum ExamTodos {
    static func cards(_ req: Request, _ user: CurrentUser) async throws -> [HomeRoutes.Card] {
        var cards: [HomeRoutes.Card] = []
        guard let actor = ExamPlanActor(role: user.role) else {
            if user.role == .individual || user.role == .enterprise {
                let n = try await TicketRoutes.mine(req, user).filter(ExamPlanRecord.self, \.$state ~~ [.approved, .inProgress]).count()
                cards.append(.init(label: "待考准考证", value: String(n), href: SiteURL.tickets.link))
            }
            return cards
        }
        func plans(_ states: [ExamPlanState]) async throws -> QueryBuilder<ExamPlanRecord> {
            try await ExamPlanStore.scoped(req, user).filter(\.$state ~~ states)
        }
        func link(_ state: ExamPlanState) -> String { SiteURL.examPlans.link + "?state=" + state.rawValue }
        switch actor {
        case .cityAuthority:
            let n = try await plans([.draft]).filter(\.$level == .city).count()
            cards.append(.init(label: "待提交考试计划", value: String(n), href: link(.draft)))
        case .provinceAuthority:
            let n = try await plans([.submitted]).filter(\.$level == .city).count()
            cards.append(.init(label: "待审核考试计划", value: String(n), href: link(.submitted)))
            let r = try await plans([.resultsUnderReview]).count()
            cards.append(.init(label: "待审核考试结果", value: String(r), href: SiteURL.examResults.link))
        case .nationalCentre:
            let n = try await plans([.submitted]).count()
            cards.append(.init(label: "待审核考试计划", value: String(n), href: link(.submitted)))
        case .examCentre:
            let today = CalendarDate.today(now: req.now)
            let n = try await plans([.approved, .inProgress]).filter(\.$startAt >= today.startOfDay())
                .filter(\.$startAt < today.adding(days: 1).startOfDay()).count()
            cards.append(.init(label: "今日考试计划", value: String(n), href: SiteURL.identity.link))
            let r = try await plans([.inProgress, .finished]).count()
            cards.append(.init(label: "待录入/提交成绩", value: String(r), href: SiteURL.examResults.link))
        case .institution:
            let n = try await plans([.draft]).count()
            cards.append(.init(label: "考试计划草稿", value: String(n), href: link(.draft)))
        }
        return cards
    }
}
