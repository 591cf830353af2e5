import Foundation
import Testing
@testable import SafeCertCore

@Suite struct ExpiryWarningTests {
    static func day(_ iso: String) -> CalendarDate { CalendarDate(iso: iso)! }
    static let until = day("2027-03-31")

    @Test func theSmallestWindowTheRemainingDaysFallIn() {
        let warning = ExpiryWarning()
        #expect(warning.windows == [90, 60, 30])
        #expect(warning.standing(validUntil: Self.until, on: Self.until.adding(days: -91)) == .notDue)
        #expect(warning.standing(validUntil: Self.until, on: Self.until.adding(days: -90)) == .due(window: 90, daysLeft: 90))
        #expect(warning.standing(validUntil: Self.until, on: Self.until.adding(days: -61)) == .due(window: 90, daysLeft: 61))
        #expect(warning.standing(validUntil: Self.until, on: Self.until.adding(days: -60)) == .due(window: 60, daysLeft: 60))
        #expect(warning.standing(validUntil: Self.until, on: Self.until.adding(days: -30)) == .due(window: 30, daysLeft: 30))
        #expect(warning.standing(validUntil: Self.until, on: Self.until) == .due(window: 30, daysLeft: 0))
        #expect(warning.standing(validUntil: Self.until, on: Self.until.adding(days: 1)) == .expired)
        #expect(ExpiryWarning(windows: [30, 0, -5, 90, 30]).windows == [90, 30])
        #expect(ExpiryWarning(windows: []).standing(validUntil: Self.until, on: Self.until) == .notDue)
    }

    @Test func oneReminderPerWindow() {
        let warning = ExpiryWarning()
        var sent: [Int] = []
        var last: Int?
        var day = Self.until.adding(days: -120)
        while day <= Self.until.adding(days: 10) {
            if let window = warning.reminderDue(validUntil: Self.until, on: day, lastReminded: last) {
                sent.append(window)
                last = window
            }
            day = day.adding(days: 1)
        }
        #expect(sent == [90, 60, 30])
        // A certificate first seen inside the 30-day window gets one reminder, not three.
        #expect(warning.reminderDue(validUntil: Self.until, on: Self.until.adding(days: -10), lastReminded: nil) == 30)
        #expect(warning.reminderDue(validUntil: Self.until, on: Self.until.adding(days: -10), lastReminded: 30) == nil)
        #expect(warning.reminderDue(validUntil: Self.until, on: Self.until.adding(days: 1), lastReminded: nil) == nil)
    }
}
