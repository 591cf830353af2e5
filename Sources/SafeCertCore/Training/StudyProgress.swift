import Foundation

/// Study time measured against the hours a course requires (达到学时).
///
/// A 学时 (class hour) is a teaching period, not a clock hour: 45 minutes by default, as in Chinese
/// vocational and safety training, where regulations state "不少于 N 学时". `minutesPerHour` lets a
/// province that counts clock hours (60) or 50-minute periods say so.
///
/// Shown figures round in the learner's disfavour, so the page never says "达到" early: hours earned
/// round down to a tenth, the remainder is what is still missing to the tenth, and the percentage
/// rounds down. `isReached` compares the exact seconds.
public struct StudyProgress: Sendable, Hashable, Codable {
    public static let defaultMinutesPerHour = 45

    public let creditedSeconds: TimeInterval
    public let requiredHours: Int
    public let minutesPerHour: Int

    public init(creditedSeconds: TimeInterval, requiredHours: Int, minutesPerHour: Int = defaultMinutesPerHour) {
        // Whole milliseconds, as the judge credits them, so a sum of many beats that drifts by a
        // rounding error does not fall just short of a boundary.
        let seconds = creditedSeconds.isFinite ? max(0, creditedSeconds) : 0
        self.creditedSeconds = (seconds * 1000).rounded() / 1000
        self.requiredHours = max(0, requiredHours)
        self.minutesPerHour = max(1, minutesPerHour)
    }

    /// Adds up the credited seconds of every lesson of the course (sessions summed per lesson by the app).
    public init(creditedSecondsByLesson: [UUID: TimeInterval], requiredHours: Int,
                minutesPerHour: Int = defaultMinutesPerHour) {
        self.init(creditedSeconds: creditedSecondsByLesson.values.reduce(0) { $0 + max(0, $1) },
                  requiredHours: requiredHours, minutesPerHour: minutesPerHour)
    }

    public var secondsPerHour: TimeInterval { TimeInterval(minutesPerHour * 60) }
    public var requiredSeconds: TimeInterval { TimeInterval(requiredHours) * secondsPerHour }

    /// 学时 earned in tenths, rounded down.
    public var earnedTenths: Int { Self.tenths(of: creditedSeconds, minutesPerHour: minutesPerHour) }
    public var earnedHours: Double { Double(earnedTenths) / 10 }

    public var remainingTenths: Int { max(0, requiredHours * 10 - earnedTenths) }
    public var remainingHours: Double { Double(remainingTenths) / 10 }

    public var isReached: Bool { creditedSeconds >= requiredSeconds }

    /// 0…100, rounded down; 100 for a course that requires nothing.
    public var percent: Int {
        guard requiredSeconds > 0 else { return 100 }
        return min(100, Int((creditedSeconds * 100 / requiredSeconds).rounded(.down)))
    }

    /// "12.5 学时", for a lesson or a course.
    public static func label(tenths: Int) -> String {
        "\(tenths / 10).\(tenths % 10) 学时"
    }

    /// Tenths of a 学时 in `seconds`, rounded down; for one lesson's figure on a list.
    public static func tenths(of seconds: TimeInterval, minutesPerHour: Int = defaultMinutesPerHour) -> Int {
        guard seconds.isFinite, seconds > 0 else { return 0 }
        let seconds = (seconds * 1000).rounded() / 1000
        // A tenth of a 学时 is minutesPerHour × 6 seconds (4.5 minutes by default).
        return Int((seconds / TimeInterval(max(1, minutesPerHour) * 6)).rounded(.down))
    }
}
