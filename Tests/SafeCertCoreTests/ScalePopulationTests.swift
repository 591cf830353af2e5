import Foundation
import Testing
@testable import SafeCertCore

@Suite struct ScalePopulationTests {
    @Test func parsesPeopleCounts() throws {
        #expect(try ScalePopulation.parse("people=1000000") == 1_000_000)
        #expect(try ScalePopulation.parse("people=200_000") == 200_000)
        #expect(try ScalePopulation.parse("people=0") == 0)
        for bad in ["", "people", "people=", "persons=5", "people=-3", "people=1e6", "people=99999999999999999999", "people=５"] {
            #expect(throws: ScalePopulation.SpecError.self) { try ScalePopulation.parse(bad) }
        }
        #expect(throws: ScalePopulation.SpecError.tooMany(30_000_000)) { try ScalePopulation.parse("people=30000000") }
    }

    @Test func everySeededPersonIsValidAndDistinct() throws {
        let counties = ["220102", "220103", "220104"]
        var numbers = Set<String>()
        var phones = Set<String>()
        let today = CalendarDate(year: 2026, month: 12, day: 1)!
        for i in 0..<20_000 {
            let p = try #require(ScalePopulation.person(i, birthRegions: counties))
            #expect(try IDNumber(p.idNumber.value, today: today) == p.idNumber)
            #expect(numbers.insert(p.idNumber.value).inserted)
            #expect(phones.insert(p.phone).inserted)
            #expect(try PhoneNumber(p.phone).value == p.phone)
            #expect(!p.name.isEmpty)
        }
        // The same number gives the same person (a second run continues where the first stopped).
        #expect(ScalePopulation.person(12_345, birthRegions: counties) == ScalePopulation.person(12_345, birthRegions: counties))
        #expect(ScalePopulation.person(-1, birthRegions: counties) == nil)
        #expect(ScalePopulation.person(0, birthRegions: []) == nil)
        let statuses = Set((0..<20).compactMap { ScalePopulation.person($0, birthRegions: counties)?.status })
        #expect(statuses == Set(PersonStatus.allCases))
    }
}

@Suite struct ScopeNarrowingTests {
    @Test func aRegionFilterInsideTheScopeReplacesIt() {
        #expect(AccessScope.region(prefix: "22").narrowed(toRegionPrefix: "2201") == .region(prefix: "2201"))
        #expect(AccessScope.region(prefix: "2201").narrowed(toRegionPrefix: "220102") == .region(prefix: "220102"))
        #expect(AccessScope.everything.narrowed(toRegionPrefix: "22") == .region(prefix: "22"))
        // Outside the scope, or wider than it: not folded in (both apply; the list is empty or the scope's).
        #expect(AccessScope.region(prefix: "2201").narrowed(toRegionPrefix: "2202") == nil)
        #expect(AccessScope.region(prefix: "2201").narrowed(toRegionPrefix: "22") == nil)
        #expect(AccessScope.everything.narrowed(toRegionPrefix: "") == nil)
        #expect(AccessScope.organizations([UUID()]).narrowed(toRegionPrefix: "22") == nil)
    }
}
