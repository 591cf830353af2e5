import Fluent
import FluentSQL
import Foundation
import SafeCertCore
import SQLKit
import Synchronization
import Testing
@testable import SafeCertApp

/// The people list, its region filter and the review queue read an index in the list's order
/// (`AddPeopleListIndexes`): on SQLite, `EXPLAIN QUERY PLAN` of each query SEARCHes an index and
/// sorts nothing in a temporary B-tree — a plan that reads the whole table or sorts it is what
/// made these pages take seconds at a million people.
@Suite struct QueryPlanTests {
    struct Delegate: SQLConverterDelegate {
        func customDataType(_ dataType: DatabaseSchema.DataType) -> (any SQLExpression)? { nil }
        func beforeConvert(_ schema: DatabaseSchema) -> DatabaseSchema { schema }
    }

    static func plan(_ query: QueryBuilder<Person>, on db: any Database) async throws -> [String] {
        let sql = try #require(db as? any SQLDatabase)
        // The fields are named as `all()` would name them; a column outside the index keeps the plan honest.
        let statement = SQLQueryConverter(delegate: Delegate()).convert(query.copy().field(\.$id).field(\.$name).field(\.$phone).query)
        let details = Mutex<[String]>([])
        try await sql.execute(sql: SQLList([SQLRaw("EXPLAIN QUERY PLAN"), statement], separator: SQLRaw(" "))) { row in
            let detail = (try? row.decode(column: "detail", as: String.self)) ?? ""
            details.withLock { $0.append(detail) }
        }
        return details.withLock { $0 }
    }

    @Test func mainListsReadAnIndexInTheirOrder() async throws {
        try await withSafeCert { t in
            guard !t.isPostgres else { return }
            _ = try await ScaleSeed.run(on: t.app, people: 600)
            let cases: [(String, QueryBuilder<Person>, String)] = [
                ("province list", Person.query(on: t.db).scoped(to: .region(prefix: "22")).sort(\.$name).sort(\.$id).limit(20),
                 "people_province_name_id"),
                ("city list", Person.query(on: t.db).scoped(to: .region(prefix: "2201")).sort(\.$name).sort(\.$id).limit(20),
                 "people_city_name_id"),
                ("county filter", Person.query(on: t.db).scoped(to: AccessScope.region(prefix: "22").narrowed(toRegionPrefix: "220102") ?? .everything)
                    .sort(\.$name).sort(\.$id).limit(20), "people_region_name_id"),
                ("status filter", Person.query(on: t.db).scoped(to: .region(prefix: "22")).filter(\.$status == .returned)
                    .sort(\.$name).sort(\.$id).limit(20), "people_province_status_name_id"),
                ("review queue", Person.query(on: t.db).scoped(to: .region(prefix: "2201")).filter(\.$status == .submitted)
                    .sort(\.$createdAt).sort(\.$id).limit(20), "people_status_city_created_id"),
                ("name prefix", Person.query(on: t.db).scoped(to: .region(prefix: "22")).named("王", in: .region(prefix: "22"))
                    .sort(\.$name).sort(\.$id).limit(20), "people_"),
                ("ID number", Person.query(on: t.db).scoped(to: .region(prefix: "22"), regionIndexed: false)
                    .filter(\.$idNumber == "220102198503120318").sort(\.$name).sort(\.$id).limit(20), "people_id_number"),
            ]
            for (label, query, index) in cases {
                let plan = try await Self.plan(query, on: t.db)
                #expect(plan.contains { $0.hasPrefix("SEARCH") && $0.contains(index) }, "\(label): \(plan)")
                if label != "ID number" { #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(label): \(plan)") }
            }
        }
    }

    /// A unit's lists are found by the unit, never by walking the register: its status filter
    /// (`status(_:indexed: false)`) leaves the status indexes alone, and the review queue
    /// filtered by the registering unit reads (registered_by_id, status, created_at, id) in order.
    @Test func aUnitsRowsAreFoundByTheUnit() async throws {
        try await withSafeCert { t in
            guard !t.isPostgres else { return }
            _ = try await ScaleSeed.run(on: t.app, people: 600)
            let unit = try #require(try await t.organization(named: "长春安达建筑工程有限公司").id)
            let own = Person.query(on: t.db).scoped(to: .organizations([unit])).status(.approved, indexed: false)
                .sort(\.$name).sort(\.$id).limit(20)
            let ownPlan = try await Self.plan(own, on: t.db)
            #expect(ownPlan.contains { $0.contains("people_employer_id") } && ownPlan.contains { $0.contains("people_registered_by_id") }, "\(ownPlan)")
            #expect(!ownPlan.contains { $0.contains("people_status") }, "\(ownPlan)")
            let queue = Person.query(on: t.db).scoped(to: .region(prefix: "22"), regionIndexed: false).filter(\.$status == .submitted)
                .filter(\.$registeredBy.$id ~~ [unit]).sort(\.$createdAt).sort(\.$id).limit(20)
            let queuePlan = try await Self.plan(queue, on: t.db)
            #expect(queuePlan.contains { $0.hasPrefix("SEARCH") && $0.contains(AddPeopleRegisteredByQueueIndex.name) }, "\(queuePlan)")
            #expect(!queuePlan.contains { $0.contains("TEMP B-TREE") }, "\(queuePlan)")
            // The unindexed wording filters the same rows.
            let worded = try await Person.query(on: t.db).scoped(to: .organizations([unit])).status(.approved, indexed: false).count()
            let plain = try await Person.query(on: t.db).scoped(to: .organizations([unit])).filter(\.$status == .approved).count()
            #expect(worded == plain && plain > 0)
        }
    }
}
