import Fluent
import Foundation
import SafeCertCore
import SQLKit
import Testing
@testable import SafeCertApp

@Suite struct ScaleSeedTests {
    @Test func seedsThenTopsUpToTheNumberAsked() async throws {
        try await withSafeCert { t in
            let before = try await Person.query(on: t.db).count()
            let first = try await ScaleSeed.run(on: t.app, people: 1_200)
            #expect(first == .init(existing: 0, added: 1_200))
            #expect(try await Person.query(on: t.db).count() == before + 1_200)
            #expect(try await Organization.query(on: t.db).filter(\.$name >= ScaleSeed.enterprisePrefix)
                .filter(\.$name < ScaleSeed.enterprisePrefix + "\u{10FFFF}").count() == ScaleSeed.enterpriseCount)

            // Again with the same number: nothing is added; with a larger one: topped up, the
            // enterprises reused.
            #expect(try await ScaleSeed.run(on: t.app, people: 1_200) == .init(existing: 1_200, added: 0))
            #expect(try await ScaleSeed.run(on: t.app, people: 1_500) == .init(existing: 1_200, added: 300))
            #expect(try await ScaleSeed.run(on: t.app, people: 100) == .init(existing: 1_500, added: 0))
            #expect(try await Person.query(on: t.db).count() == before + 1_500)
            #expect(try await Organization.query(on: t.db).filter(\.$name >= ScaleSeed.enterprisePrefix)
                .filter(\.$name < ScaleSeed.enterprisePrefix + "\u{10FFFF}").count() == ScaleSeed.enterpriseCount)

            // The people lie in 吉林省, some wait for approval, and the demo enterprise employs some.
            let seeded = try await Person.query(on: t.db).filter(\.$phone >= "170").filter(\.$phone < "171").all()
            #expect(seeded.allSatisfy { $0.regionCode.hasPrefix("22") })
            #expect(seeded.contains { $0.status == .submitted })
            let demo = try await t.organization(named: "长春安达建筑工程有限公司")
            #expect(seeded.filter { $0.$employer.id == demo.id }.count == (0..<1_500).filter(ScaleSeed.demoEmploys).count)
            #expect(Set(seeded.filter { $0.$employer.id == demo.id }.map(\.status)).count > 1, "the demo enterprise's people have several statuses")

            // The authority sees them in its list and its review queue.
            let province = try await t.loggedIn("province")
            let list = try await province.get(SiteURL.people.link)
            #expect(list.status == .ok)
            let review = try await province.get(SiteURL.peopleReview.link)
            #expect(review.status == .ok)
        }
    }

    /// A large top-up drops the people table's plain indexes, loads, and builds them again: the
    /// same indexes are there afterwards, and the lists still use them.
    @Test func aBulkTopUpRebuildsEveryIndex() async throws {
        try await withSafeCert { t in
            let sql = try #require(t.db as? any SQLDatabase)
            let before = try await SecondaryIndexes.list(on: sql, table: Person.schema).map(\.name).sorted()
            #expect(before.contains("people_province_name_id"))
            #expect(try await ScaleSeed.run(on: t.app, people: 700, bulkFrom: 1) == .init(existing: 0, added: 700))
            #expect(try await SecondaryIndexes.list(on: sql, table: Person.schema).map(\.name).sorted() == before)
            #expect(try await Person.query(on: t.db).filter(\.$phone >= "170").filter(\.$phone < "171").count() == 700)
            let province = try await t.loggedIn("province")
            #expect(try await province.get(SiteURL.people.link).status == .ok)
        }
    }
}
