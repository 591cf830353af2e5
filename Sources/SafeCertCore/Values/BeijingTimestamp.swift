import Foundation

/// A moment as Beijing wall-clock time, "2026-12-04 09:05:07", by arithmetic: China has kept
/// UTC+8 without daylight saving since 1992, so from then on the wall clock is the UTC instant
/// plus eight hours, and the calendar day follows from the day number (`CalendarDate`'s own day
/// arithmetic). An export of 5,000 rows formats 5,000 times; `Calendar` and
/// `String(format:)` took about 6 µs each, most of a review-export part's formatting.
/// Moments before 1992 (when China still had summer time) go through `Calendar`.
public enum BeijingTimestamp {
    /// 1992-01-01 00:00 Beijing time.
    static let arithmeticFrom: TimeInterval = 694_195_200

    public static func format(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        guard interval.isFinite, interval >= arithmeticFrom, interval < 253_402_300_800 else { return formatWithCalendar(date) }
        let seconds = Int(interval.rounded(.down)) + 8 * 3600
        let (days, secondOfDay) = (seconds / 86_400, seconds % 86_400)
        let date = CalendarDate.unixEpoch.adding(days: days)
        let pad = { TextNormalization.zeroPadded($0, width: 2) }
        return date.iso + " " + pad(secondOfDay / 3600) + ":" + pad(secondOfDay / 60 % 60) + ":" + pad(secondOfDay % 60)
    }

    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = CalendarDate.chinaTimeZone
        return calendar
    }()

    static func formatWithCalendar(_ date: Date) -> String {
        guard date.timeIntervalSince1970.isFinite, abs(date.timeIntervalSince1970) < 1e11 else { return "" }
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }
}
