import Fluent
import Foundation
import SafeCertCore

extension QueryBuilder where Model == TrainingClass {
    /// Classes an account sees: authorities and the association those held in their region,
    /// an institution its own, enterprises and individuals every published class (they choose
    /// where to enrol), the national centre and the platform everything.
    func scoped(to scope: AccessScope, role: Role) -> Self {
        switch role {
        case .enterprise, .individual:
            return filter(\.$state != .draft)
        default:
            break
        }
        switch scope {
        case .everything:
            return self
        case .region(let prefix):
            return filter(\.$regionCode =~ prefix)
        case .organizations(let ids):
            return filter(\.$institution.$id ~~ ids)
        case .person:
            return filter(\.$state != .draft)
        }
    }
}

extension TrainingClass {
    static func find(_ id: UUID, for user: CurrentUser, on db: any Database) async throws -> TrainingClass? {
        try await TrainingClass.query(on: db).filter(\.$id == id).scoped(to: user.scope, role: user.role).first()
    }
}

extension QueryBuilder where Model == Enrolment {
    /// Enrolments an account sees (joins the class): an authority those of people from its
    /// region (the home authority confirms, also for classes elsewhere) and those in classes
    /// held in its region; an enterprise those it made or of its employees; an institution
    /// those it made or in its classes; an individual their own.
    func scoped(to scope: AccessScope) -> Self {
        let joined = join(parent: \.$trainingClass)
        switch scope {
        case .everything:
            return joined
        case .region(let prefix):
            return joined.group(.or) { $0.filter(\.$regionCode =~ prefix).filter(TrainingClass.self, \.$regionCode =~ prefix) }
        case .organizations(let ids):
            return joined.group(.or) {
                $0.filter(\.$enrolledBy.$id ~~ ids).filter(\.$employer.$id ~~ ids).filter(TrainingClass.self, \.$institution.$id ~~ ids)
            }
        case .person(let id):
            return joined.filter(\.$person.$id == id)
        }
    }
}

extension Enrolment {
    static func find(_ id: UUID, in scope: AccessScope, on db: any Database) async throws -> Enrolment? {
        try await Enrolment.query(on: db).filter(\.$id == id).scoped(to: scope).first()
    }
}
