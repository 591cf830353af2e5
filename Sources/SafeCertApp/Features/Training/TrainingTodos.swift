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
        func count(_ state: EnrolmentState, _ narrow: (QueryBuilder<Enrolment>) -> QueryBuilder<Enrolment> = { $0 }) async throws -> Int {
            try await narrow(Enrolment.query(on: req.db).scoped(to: user.scope).filter(\.$state == state)).count()
        }
        if user.may(.confirmEnrolments) {
            // Only the people of the account's own region: the home authority confirms.
            let n = try await count(.submitted) { q in
                if case .region(let prefix) = user.scope { return q.filter(\.$regionCode =~ prefix) }
                return q
            }
            cards.append(.init(label: "待确认报名", value: String(n), href: link(.submitted)))
        }
        if user.may(.checkInTrainees) {
            let n = try await count(.confirmed) { q in
                user.role == .trainingInstitution
                    ? q.filter(TrainingClass.self, \.$institutionChecksIn == true).filter(TrainingClass.self, \.$institution.$id == user.organizationID ?? UUID())
                    : q.filter(TrainingClass.self, \.$institutionChecksIn == false)
            }
            cards.append(.init(label: "待报到学员", value: String(n), href: link(.confirmed)))
        }
        if user.may(.recordTrainingResults) {
            let n = try await count(.inTraining) { $0.filter(TrainingClass.self, \.$institution.$id == user.organizationID ?? UUID()) }
            cards.append(.init(label: "待录入培训结果", value: String(n), href: link(.inTraining)))
        }
        if user.may(.reviewTrainingResults) {
            let n = try await count(.trainingRecorded) { q in
                if case .region(let prefix) = user.scope { return q.filter(\.$regionCode =~ prefix) }
                return q
            }
            cards.append(.init(label: "待审核培训结果", value: String(n), href: link(.trainingRecorded)))
        }
        if user.may(.enrolPeople) && user.role == .enterprise {
            cards.append(.init(label: "退回企业的报名", value: String(try await count(.returnedToEnterprise)), href: link(.returnedToEnterprise)))
        }
        if user.may(.enrolSelf) {
            let mine = try await Enrolment.query(on: req.db).scoped(to: user.scope).filter(\.$state ~~ Array(EnrolmentState.inProgress)).count()
            cards.append(.init(label: "进行中的报名", value: String(mine), href: SiteURL.enrolments.link))
        }
        return cards
    }
}
