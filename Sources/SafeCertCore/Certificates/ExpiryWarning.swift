import Foundation

/// Expiry warnings (issue 12): a certificate is "due" in the smallest configured window (90 / 60
/// / 30 days by default) that holds its remaining days (90 days before its last valid day is
/// "within 90 days"); the reminder SMS goes out once per window — when the certificate enters a
/// window narrower than the last one reminded of — never twice for the same window, and never
/// after it expired.
public struct ExpiryWarning: Sendable, Hashable {
    public static let defaultWindows = [90, 60, 30]

    /// Windows in days, widest first; zero, negative and repeated values are dropped.
    public let windows: [Int]

    public init(windows: [Int] = ExpiryWarning.defaultWindows) {
        self.windows = Array(Set(windows.filter { $0 > 0 })).sorted(by: >)
    }

    public enum Standing: Sendable, Hashable {
        case notDue
        /// Inside the window of this many days, `daysLeft` days before expiry (0 on the last valid day).
        case due(window: Int, daysLeft: Int)
        case expired
    }

    public func standing(validUntil: CalendarDate, on day: CalendarDate) -> Standing {
        let left = day.days(until: validUntil)
        if left < 0 { return .expired }
        guard let window = windows.last(where: { left <= $0 }) else { return .notDue }
        return .due(window: window, daysLeft: left)
    }

    /// The window to remind of now, or nil: `lastReminded` is the window of the last reminder sent
    /// for this validity period (nil when none was).
    public func reminderDue(validUntil: CalendarDate, on day: CalendarDate, lastReminded: Int?) -> Int? {
        guard case .due(let window, _) = standing(validUntil: validUntil, on: day) else { return nil }
        if let lastReminded, lastReminded <= window { return nil }
        return window
    }
}
