import Foundation

/// A day on the Gregorian calendar with no time or time zone attached
/// (birth dates, certificate issue and expiry dates).
public struct CalendarDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Returns nil unless the triple names a real day (so no 30 February) in years 1...9999.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              (1...CalendarDate.daysInMonth(year: year, month: month)).contains(day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses exactly "YYYY-MM-DD", e.g. "2026-11-23".
    public init?(iso: String) {
        let parts = iso.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy(TextNormalization.isASCIIDigit) }),
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// The years a person may type into a form or a filter; anything outside is refused with the
    /// field named, so date arithmetic on what a request carries stays far from the type's edges.
    public static let inputYears = 1900...2100

    /// A date typed by a user: exactly "YYYY-MM-DD", a real day, in `inputYears`.
    public init?(input: String) {
        guard let date = CalendarDate(iso: input.trimmingCharacters(in: .whitespaces)),
              CalendarDate.inputYears.contains(date.year) else { return nil }
        self = date
    }

    /// The first and last days the type holds; arithmetic stops at them instead of trapping.
    public static let earliest = CalendarDate(validYear: 1, month: 1, day: 1)
    /// 1970-01-01, the day that day counts in stored and signed data start from.
    public static let unixEpoch = CalendarDate(validYear: 1970, month: 1, day: 1)
    public static let latest = CalendarDate(validYear: 9999, month: 12, day: 31)

    private init(validYear year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// "2026-11-23"
    public var iso: String {
        TextNormalization.zeroPadded(year, width: 4) + "-" + TextNormalization.zeroPadded(month, width: 2) + "-"
            + TextNormalization.zeroPadded(day, width: 2)
    }

    public var description: String { iso }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    // MARK: Calendar arithmetic

    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 1, 3, 5, 7, 8, 10, 12: return 31
        case 4, 6, 9, 11: return 30
        case 2: return isLeapYear(year) ? 29 : 28
        default: return 0
        }
    }

    /// Same month and day `years` later; 29 February falls back to 28 February in common years,
    /// which is how validity periods ("有效期 6 年") are counted. Stops at `earliest` / `latest`.
    public func adding(years: Int) -> CalendarDate {
        let (targetYear, overflow) = year.addingReportingOverflow(years)
        if overflow || targetYear > 9999 { return years < 0 ? .earliest : .latest }
        if targetYear < 1 { return .earliest }
        let targetDay = min(day, CalendarDate.daysInMonth(year: targetYear, month: month))
        return CalendarDate(validYear: targetYear, month: month, day: targetDay)
    }

    /// `days` later (or earlier); stops at `earliest` / `latest`.
    public func adding(days: Int) -> CalendarDate {
        let (target, overflow) = dayNumber.addingReportingOverflow(days)
        if overflow { return days < 0 ? .earliest : .latest }
        if target < CalendarDate.earliest.dayNumber { return .earliest }
        if target > CalendarDate.latest.dayNumber { return .latest }
        return CalendarDate(dayNumber: target)
    }

    /// Whole days from `self` to `other` (negative when `other` is earlier).
    public func days(until other: CalendarDate) -> Int {
        other.dayNumber - dayNumber
    }

    /// Completed years of age on `date` for someone born on `self`.
    public func age(on date: CalendarDate) -> Int {
        var years = date.year - year
        if (date.month, date.day) < (month, day) { years -= 1 }
        return years
    }

    // MARK: Today

    /// China has used a single UTC+8 zone without daylight saving since 1991, so the fixed
    /// offset is a safe fallback when the system has no tz database.
    public static let chinaTimeZone: TimeZone =
        TimeZone(identifier: "Asia/Shanghai") ?? TimeZone(secondsFromGMT: 8 * 3600)!

    /// The calendar day that `now` falls on in `timeZone` (Beijing time by default).
    public static func today(in timeZone: TimeZone = chinaTimeZone, now: Date = Date()) -> CalendarDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: now)
        guard let year = parts.year, let month = parts.month, let day = parts.day,
              let date = CalendarDate(year: year, month: month, day: day)
        else { preconditionFailure("Gregorian calendar returned an impossible date for \(now)") }
        return date
    }

    /// Midnight at the start of this day in `timeZone`.
    public func startOfDay(in timeZone: TimeZone = chinaTimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        if let date = calendar.date(from: DateComponents(year: year, month: month, day: day)) { return date }
        let midnightUTC = Date(timeIntervalSince1970: TimeInterval(dayNumber) * 86_400)
        return midnightUTC.addingTimeInterval(-TimeInterval(timeZone.secondsFromGMT(for: midnightUTC)))
    }

    // MARK: Day numbers (days since 1970-01-01, proleptic Gregorian)

    private var dayNumber: Int {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Only for day numbers between `earliest` and `latest`.
    private init(dayNumber: Int) {
        // Howard Hinnant's civil_from_days.
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        self.init(validYear: year, month: month, day: day)
    }
}

/// Encoded as the ISO string ("2026-11-23") so stored JSON stays readable and sortable.
extension CalendarDate: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = CalendarDate(iso: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "日期格式应为 YYYY-MM-DD：\(text)")
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso)
    }
}
