import Fluent
import Foundation
import SafeCertCore
import Vapor

/// The training flow's to-dos on the home page: what waits for this account, each linking to
/// the list filtered to it.
enum TrainingTodos {
    static func link(_ state: EnrolmentState) -> String { SiteURL.enrolments.link + "?state=" + state.rawValue }

    static func cards(_ req: Request, _ user: CurrentUser) async throws -> [HomeRoutes.Card] {
        var cards: [HomeRoutes.Card] = []
        func card(_ label: String, _ state: EnrolmentState,
                  _ narrow: (QueryBuilder<Enrolment>) -> QueryBuilder<Enrolment> = { $0 }) async throws {
            let n = try await narrow(Enrolment.query(on: req.db).scoped(to: user.scope).filter(\.$state == state)).count()
            cards.append(.init(label: label, value: String(n), href: link(state)))
        }
        if user.may(.confirmEnrolments) { try await card("待确认报名", .submitted) { ownRegion($0, user) } }
        if user.may(.checkInTrainees) { try await card("待报到学员", .confirmed) { checkInQueue($0, user) } }
        if user.may(.recordTrainingResults) {
            try await card("待录入培训结果", .inTraining) { $0.filter(TrainingClass.self, \.$institution.$id == user.organizationID ?? UUID()) }
        }
        if user.may(.reviewTrainingResults) { try await card("待审核培训结果", .trainingRecorded) { ownRegion($0, user) } }
        if user.may(.enrolPeople) && user.role == .enterprise { try await card("退回企业的报名", .returnedToEnterprise) }
        if user.may(.enrolSelf) {
            let mine = try await Enrolment.query(on: req.db).scoped(to: user.scope).filter(\.$state ~~ Array(EnrolmentState.inProgress)).count()
            cards.append(.init(label: "进行中的报名", value: String(mine), href: SiteURL.enrolments.link))
        }
        return cards
    }

    /// Only the people of the account's own region: the home authority confirms and reviews.
    private static func ownRegion(_ q: QueryBuilder<Enrolment>, _ user: CurrentUser) -> QueryBuilder<Enrolment> {
        if case .region(let prefix) = user.scope { return q.filter(\.$regionCode =~ prefix) }
        return q
    }

    /// 报到 is the class's institution's when the class says so, otherwise the association's.
    private static func checkInQueue(_ q: QueryBuilder<Enrolment>, _ user: CurrentUser) -> QueryBuilder<Enrolment> {
        user.role == .trainingInstitution
            ? q.filter(TrainingClass.self, \.$institutionChecksIn == true).filter(TrainingClass.self, \.$institution.$id == user.organizationID ?? UUID())
            : q.filter(TrainingClass.self, \.$institutionChecksIn == false)
    }
}
