import Foundation
@testable import SafeCertCore

/// A moment in Beijing time, written as "2026-06-11 09:00" (the exam tests' dates and clock times).
func beijing(_ text: String) -> Date {
    let parts = text.split(separator: " ")
    let day = CalendarDate(iso: String(parts[0]))!
    let clock = parts[1].split(separator: ":").map { Int($0)! }
    return day.startOfDay().addingTimeInterval(TimeInterval(clock[0] * 3600 + clock[1] * 60))
}
