import Fluent
import Foundation
import SQLKit

/// Indexes that keep the people list, its filters and the review queue flat at a province's
/// size (issue 11). The region scope is read as `substr(region_code, 1, 2|4) = prefix` or
/// `region_code = code` (`RegionScopeSQL`), so each index leads with that expression and then
/// the list's filter and order: (scope, name, id) for the list, (scope, status, name, id) for
/// its status filter, and (status, scope, created_at, id) for the review queue, which is ordered
/// by registration time. Expression indexes work the same on SQLite and PostgreSQL.
struct AddPeopleListIndexes: AsyncMigration {
    enum Scope: CaseIterable {
        case province, city, county

        var name: String {
            switch self {
            case .province: "province"
            case .city: "city"
            case .county: "region"
            }
        }

        var expression: any SQLExpression {
            switch self {
            case .province: RegionScopeSQL.indexed(prefixLength: 2)
            case .city: RegionScopeSQL.indexed(prefixLength: 4)
            case .county: SQLIdentifier("region_code")
            }
        }
    }

    static func indexes() -> [(name: String, columns: [any SQLExpression])] {
        func c(_ name: String) -> any SQLExpression { SQLIdentifier(name) }
        return Scope.allCases.flatMap { scope -> [(name: String, columns: [any SQLExpression])] in
            [("people_\(scope.name)_name_id", [scope.expression, c("name"), c("id")]),
             ("people_\(scope.name)_status_name_id", [scope.expression, c("status"), c("name"), c("id")]),
             ("people_status_\(scope.name)_created_id", [c("status"), scope.expression, c("created_at"), c("id")])]
        } + [("people_name_id", [c("name"), c("id")]),
             ("people_status_created_id", [c("status"), c("created_at"), c("id")])]
    }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for index in Self.indexes() {
            var builder = sql.create(index: index.name).on(Person.schema)
            for column in index.columns { builder = builder.column(column) }
            try await builder.run()
        }
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for index in Self.indexes() {
            try await sql.drop(index: index.name).ifExists().run()
        }
    }
}
