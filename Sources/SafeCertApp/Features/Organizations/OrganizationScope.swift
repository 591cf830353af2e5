import Fluent
import Foundation
import SafeCertCore

/// The one place where an account's scope turns into a query filter. Every list, lookup and
/// count of organisation-owned data goes through here; a record outside the scope is simply
/// not found (404), never shown.
extension QueryBuilder where Model == Organization {
    func scoped(to scope: AccessScope) -> Self {
        let live = filter(\.$deleted == false)
        switch scope {
        case .everything:
            return live
        case .region(let prefix):
            return live.filter(\.$regionCode =~ prefix)
        case .organizations(let ids):
            return live.filter(\.$id ~~ ids)
        case .person:
            return live.filter(\.$id ~~ [UUID]())
        }
    }
}

extension QueryBuilder where Model == Person {
    /// People inside the scope: an authority's region, the people an organisation employs or
    /// registered, an individual's own record.
    func scoped(to scope: AccessScope) -> Self {
        switch scope {
        case .everything:
            return self
        case .region(let prefix):
            return filter(\.$regionCode =~ prefix)
        case .organizations(let ids):
            return group(.or) { $0.filter(\.$employer.$id ~~ ids).filter(\.$registeredBy.$id ~~ ids) }
        case .person(let id):
            return filter(\.$id == id)
        }
    }
}

extension QueryBuilder {
    /// Rows joined to a person, limited to the people inside the scope.
    func scopedByJoinedPerson(_ scope: AccessScope) -> Self {
        switch scope {
        case .everything:
            return self
        case .region(let prefix):
            return filter(Person.self, \.$regionCode =~ prefix)
        case .organizations(let ids):
            return group(.or) { $0.filter(Person.self, \.$employer.$id ~~ ids).filter(Person.self, \.$registeredBy.$id ~~ ids) }
        case .person(let id):
            return filter(Person.self, \.$id == id)
        }
    }
}

extension Person {
    static func find(_ id: UUID, in scope: AccessScope, on db: any Database) async throws -> Person? {
        try await Person.query(on: db).filter(\.$id == id).scoped(to: scope).first()
    }
}

extension QueryBuilder where Model == Account {
    /// Accounts of organisations inside the scope (joins the organisation).
    func scoped(to scope: AccessScope) -> Self {
        let joined = join(parent: \.$organization)
        switch scope {
        case .everything:
            return joined
        case .region(let prefix):
            return joined.filter(Organization.self, \.$regionCode =~ prefix)
        case .organizations(let ids):
            return joined.filter(Organization.self, \.$id ~~ ids)
        case .person(let id):
            return joined.filter(\.$person.$id == id)
        }
    }
}

extension Organization {
    /// The organisation if the scope includes it; otherwise nil, which the caller turns into 404.
    static func find(_ id: UUID, in scope: AccessScope, on db: any Database) async throws -> Organization? {
        try await Organization.query(on: db).filter(\.$id == id).scoped(to: scope).first()
    }
}
