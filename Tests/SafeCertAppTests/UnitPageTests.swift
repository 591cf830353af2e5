import Fluent
import FluentSQL
import Foundation
import SafeCertCore
import SQLKit
import Synchronization
import Testing
@testable import SafeCertApp

/// A unit's people list is merged from the people it employs and the people it registered
/// (`Person.unitPage`): every page must hold exactly the rows the plain OR query gives, in the
/// same order, under each filter — and on SQLite read both sides from their ordered indexes.
@Suite struct UnitPageTests {
    /// 300 people; the unit employs every third, registered every fifth (every fifteenth both).
    static func prepare(_ t: TestApp) async throws -> (unit: UUID, expected: Int) {
        _ = try await ScaleSeed.run(on: t.app, people: 300)
        let unit = try #require(try await t.organization(named: "长春安达建筑工程有限公司").id)
        let other = try #require(try await t.organization(named: "长春安全生产培训学校").id)
        let ids = try await Person.query(on: t.db).sort(\.$id).all(\.$id)
        let employed = ids.enumerated().filter { $0.offset % 3 == 0 }.map(\.element)
        let registered = ids.enumerated().filter { $0.offset % 5 == 0 }.map(\.element)
        try await Person.query(on: t.db).filter(\.$employer.$id == unit).set(\.$employer.$id, to: other).update()
        try await Person.query(on: t.db).filter(\.$registeredBy.$id == unit).set(\.$registeredBy.$id, to: other).update()
        try await Person.query(on: t.db).filter(\.$id ~~ employed).set(\.$employer.$id, to: unit).update()
        try await Person.query(on: t.db).filter(\.$id ~~ registered).set(\.$registeredBy.$id, to: unit).update()
        let both = ids.indices.filter { $0 % 15 == 0 }.count
        return (unit, employed.count + registered.count - both)
    }

    @Test func everyPageMatchesThePlainQuery() async throws {
        try await withSafeCert { t in
            let (unit, expected) = try await Self.prepare(t)
            let scope = AccessScope.organizations([unit])
            let total = try await Person.query(on: t.db).scoped(to: scope).count()
            #expect(total == expected && total > 100)
            let someName = try #require(try await Person.query(on: t.db).scoped(to: scope).sort(\.$name).first()?.name)
            let filters: [(String, (QueryBuilder<Person>) -> QueryBuilder<Person>)] = [
                ("none", { $0 }),
                ("status", { $0.status(.approved, indexed: false) }),
                ("name", { $0.named(String(someName.prefix(1)), in: scope) }),
            ]
            for (label, apply) in filters {
                let count = try await apply(Person.query(on: t.db).scoped(to: scope)).count()
                #expect(count > 0, "\(label)")
                for start in stride(from: 0, through: count + 20, by: 20) {
                    let range = start..<(start + 20)
                    let plain = try await apply(Person.query(on: t.db).scoped(to: scope)).sort(\.$name).sort(\.$id).range(range).all(\.$id)
                    let merged = try await apply(Person.query(on: t.db)).unitPage([unit], range).map(\.id)
                    #expect(merged == plain, "\(label) \(range)")
                }
            }
        }
    }

    @Test func bothSidesAreReadInOrderFromTheirIndexes() async throws {
        try await withSafeCert { t in
            guard !t.isPostgres else { return }
            let unit = try await Self.prepare(t).unit
            let sql = try #require(t.db as? any SQLDatabase)
            for (label, query) in [("none", Person.query(on: t.db)), ("status", Person.query(on: t.db).status(.approved, indexed: false))] {
                let union = try #require(query.unitPageQuery([unit], 40..<60))
                let details = Mutex<[String]>([])
                try await sql.execute(sql: SQLList([SQLRaw("EXPLAIN QUERY PLAN"), union], separator: SQLRaw(" "))) { row in
                    let detail = (try? row.decode(column: "detail", as: String.self)) ?? ""
                    details.withLock { $0.append(detail) }
                }
                let plan = details.withLock { $0 }
                #expect(plan.contains { $0.contains(AddPeopleUnitNameIndexes.employerName) }, "\(label): \(plan)")
                #expect(plan.contains { $0.contains(AddPeopleUnitNameIndexes.registeredByName) }, "\(label): \(plan)")
                #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(label): \(plan)")
            }
        }
    }

    /// Through HTTP: the enterprise's list pages show its people in name order, page after page.
    @Test func theEnterpriseListPagesThroughTheMergedList() async throws {
        try await withSafeCert { t in
            let unit = try await Self.prepare(t).unit
            let expected = try await Person.query(on: t.db).scoped(to: .organizations([unit])).sort(\.$name).sort(\.$id)
                .range(20..<40).all(\.$id)
            let client = try await t.loggedIn("enterprise")
            let page = try await client.get("/people?page=2")
            #expect(page.status == .ok)
            let hrefs = expected.map { SiteURL.person(.id($0)).link }
            let positions = hrefs.compactMap { page.body.string.range(of: $0)?.lowerBound }
            #expect(positions.count == 20 && positions == positions.sorted())
        }
    }
}
