import Testing
@testable import SafeCertCore

@Suite("日期的边界")
struct CalendarDateEdgeTests {
    @Test("arithmetic at the type's edges stops there instead of trapping")
    func arithmeticSaturates() throws {
        let far = try #require(CalendarDate(iso: "9999-12-31"))
        #expect(far.adding(days: 1) == .latest)
        #expect(far.adding(days: Int.max) == .latest)
        #expect(far.adding(years: 1) == .latest)
        #expect(far.adding(months: Int.max) == .latest)
        let first = try #require(CalendarDate(iso: "0001-01-01"))
        #expect(first.adding(days: -1) == .earliest)
        #expect(first.adding(days: Int.min) == .earliest)
        #expect(first.adding(years: Int.min) == .earliest)
        #expect(first.adding(months: -13) == .earliest)
        #expect(try #require(CalendarDate(iso: "2026-12-02")).adding(days: Int.max / 2) == .latest)
    }

    @Test("ordinary arithmetic is unchanged near the edges")
    func ordinaryArithmetic() throws {
        #expect(try #require(CalendarDate(iso: "9999-12-30")).adding(days: 1).iso == "9999-12-31")
        #expect(try #require(CalendarDate(iso: "0001-01-02")).adding(days: -1).iso == "0001-01-01")
        #expect(try #require(CalendarDate(iso: "2025-01-31")).adding(months: 1).iso == "2025-02-28")
        #expect(try #require(CalendarDate(iso: "2024-02-29")).adding(years: 1).iso == "2025-02-28")
    }

    @Test("a typed date must be real and between 1900 and 2100", arguments: [
        ("2026-12-02", true), ("1900-01-01", true), ("2100-12-31", true), (" 2026-12-02 ", true),
        ("1899-12-31", false), ("2101-01-01", false), ("0001-01-01", false), ("9999-12-31", false),
        ("2026-02-30", false), ("2026-13-01", false), ("garbage", false), ("", false), ("2026-1-1", false),
    ])
    func typedDates(text: String, accepted: Bool) {
        #expect((CalendarDate(input: text) != nil) == accepted)
    }

    @Test("the start of the last day is still a date")
    func startOfLastDay() {
        #expect(CalendarDate.latest.startOfDay().timeIntervalSince1970 > 0)
        #expect(CalendarDate.earliest.startOfDay().timeIntervalSince1970 < 0)
    }
}
