import Fluent
import FluentSQL
import Foundation
import SafeCertCore
import SQLKit

/// A region scope as the list indexes read it: a province's prefix ("22") as
/// `substr(region_code, 1, 2) = '22'`, a city's ("2201") as `substr(region_code, 1, 4) = '2201'`,
/// a county as `region_code = '220102'` — equalities on the expressions `AddPeopleListIndexes`
/// indexes, where `region_code LIKE '22%'` could use no index at all (SQLite's LIKE is
/// case-insensitive, PostgreSQL's needs a pattern operator class).
enum RegionScopeSQL {
    static func expression(table: String, column: String = "region_code", prefix: String) -> any SQLExpression {
        let field = SQLColumn(column, table: table)
        let left: any SQLExpression = switch prefix.count {
        case 6: field
        default: SQLFunction("substr", args: field, SQLLiteral.numeric("1"), SQLLiteral.numeric(String(prefix.count)))
        }
        return SQLBinaryExpression(left: left, op: SQLBinaryOperator.equal, right: SQLBind(prefix))
    }

    /// The indexed expression for a prefix of this length, for the migration (nil for a county: the column itself).
    static func indexed(prefixLength: Int, column: String = "region_code") -> any SQLExpression {
        SQLGroupExpression(SQLFunction("substr", args: SQLIdentifier(column), SQLLiteral.numeric("1"), SQLLiteral.numeric(String(prefixLength))))
    }
}

extension QueryBuilder {
    /// Rows of `schema` (the model's table or a joined one) whose region lies inside `prefix`.
    func region<S: Schema>(of schema: S.Type, within prefix: String) -> Self {
        guard !prefix.isEmpty else { return self }
        return filter(.sql(RegionScopeSQL.expression(table: S.schemaOrAlias, prefix: prefix)))
    }
}

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
            return live.region(of: Organization.self, within: prefix)
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
            return region(of: Person.self, within: prefix)
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
            return region(of: Person.self, within: prefix)
        case .organizations(let ids):
            return group(.or) { $0.filter(Person.self, \.$employer.$id ~~ ids).filter(Person.self, \.$registeredBy.$id ~~ ids) }
        case .person(let id):
            return filter(Person.self, \.$id == id)
        }
    }
}

extension QueryBuilder where Model == Person {
    /// `scoped(to:)`, or with `regionIndexed: false` a region scope worded so that no index
    /// serves it: when the list is already narrowed to a few rows by an ID number or a unit,
    /// SQLite's planner (without statistics) would otherwise walk the region's index in name
    /// order and test every row.
    func scoped(to scope: AccessScope, regionIndexed: Bool) -> Self {
        guard !regionIndexed, case .region(let prefix) = scope else { return scoped(to: scope) }
        return filter(\.$regionCode =~ prefix)
    }

    /// The status filter: on the status column the region list indexes lead with, or — when the
    /// rows are already narrowed to a few by a unit, an ID number or a unit's own scope
    /// (`indexed: false`) — as `coalesce(status, '') = ?`, which no index serves: SQLite's planner
    /// (without statistics) would otherwise walk everyone in the register with that status.
    func status(_ status: PersonStatus, indexed: Bool) -> Self {
        guard !indexed else { return filter(\.$status == status) }
        let column = SQLFunction("coalesce", args: SQLColumn("status", table: Person.schemaOrAlias), SQLLiteral.string(""))
        return filter(.sql(SQLBinaryExpression(left: column, op: SQLBinaryOperator.equal, right: SQLBind(status.rawValue))))
    }

    /// The name filter: over a unit's own people (a bounded set) any part of the name; over a
    /// region or the whole register the name or its beginning, as a range on the name so that
    /// the name indexes serve it (`LIKE '%…%'` reads every row).
    func named(_ text: String, in scope: AccessScope) -> Self {
        switch scope {
        case .organizations, .person:
            return filter(\.$name ~~ text)
        case .everything, .region:
            guard let upper = Self.prefixUpperBound(text) else { return filter(\.$name == text) }
            return filter(\.$name >= text).filter(\.$name < upper).filter(\.$name =~ text)
        }
    }

    /// The least string above every string that starts with `text`: its last character's next
    /// code point (nil when there is none).
    static func prefixUpperBound(_ text: String) -> String? {
        var scalars = Array(text.unicodeScalars)
        while let last = scalars.popLast() {
            var next = last.value + 1
            if next == 0xD800 { next = 0xE000 }
            if let scalar = Unicode.Scalar(next) {
                scalars.append(scalar)
                var s = String.UnicodeScalarView()
                s.append(contentsOf: scalars)
                return String(s)
            }
        }
        return nil
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
            return joined.region(of: Organization.self, within: prefix)
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
