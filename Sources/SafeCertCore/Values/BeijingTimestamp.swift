import Foundation

/// A moment as Beijing wall-clock time, "2026-12-04 09:05:07", by arithmetic: China has kept
/// UTC+8 without daylight saving since 1992, so from then on the wall clock is the UTC instant
/// plus eight hours, and the calendar day follows from the day number (H. Hinnant's
/// civil-from-days). An export of 5,000 rows formats 5,000 times; `Calendar` and
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
        let (year, month, day) = civil(fromDays: days)
        var bytes = [UInt8](repeating: 0, count: 19)
        func put(_ value: Int, _ width: Int, at offset: Int) {
            var v = value
            for i in stride(from: offset + width - 1, through: offset, by: -1) {
                bytes[i] = UInt8(48 + v % 10)
                v /= 10
            }
        }
        put(year, 4, at: 0); bytes[4] = 45
        put(month, 2, at: 5); bytes[7] = 45
        put(day, 2, at: 8); bytes[10] = 32
        put(secondOfDay / 3600, 2, at: 11); bytes[13] = 58
        put(secondOfDay / 60 % 60, 2, at: 14); bytes[16] = 58
        put(secondOfDay % 60, 2, at: 17)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// (year, month, day) of the day `days` after 1970-01-01, for days ≥ 0.
    static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = z / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
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
