import Foundation

/// Study time as people read it, to the minute: "12 分钟", "1 小时 05 分". Every page that shows
/// credited study (the learner's lessons and courses, the lesson page, the authority's records)
/// says it with this one function, so the same seconds never read two ways.
///
/// 学时 figures (`StudyProgress`) move in steps of a tenth of a class hour (4.5 minutes); this says
/// what the learner actually has, and what is still missing, minute by minute.
public enum StudyTime {
    /// Whole minutes of `seconds`, rounded down for study earned (a page never claims a minute not
    /// yet studied) or up for study still missing (it never promises one too few).
    public static func label(seconds: TimeInterval, rounding: FloatingPointRoundingRule = .down) -> String {
        let minutes = wholeMinutes(seconds, rounding: rounding)
        guard minutes >= 60 else { return "\(minutes) 分钟" }
        return "\(minutes / 60) 小时 \(TextNormalization.zeroPadded(minutes % 60, width: 2)) 分"
    }

    /// A figure of class hours (学时) as pages and messages write it: "12", "12.5" — a tenth at
    /// most, nothing for a whole number; anything not finite or below zero reads "0", and a figure
    /// too large for any record is written out rather than trapping on the conversion.
    public static func hours(_ hours: Double) -> String {
        guard hours.isFinite, hours > 0 else { return "0" }
        let text = String(format: "%.1f", hours)
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }

    /// A lesson's media length to the second, as the institution checks its upload: "3 秒",
    /// "12 分 05 秒", "1 小时 02 分 05 秒".
    public static func mediaLength(seconds: TimeInterval) -> String {
        let total = seconds.isFinite && seconds > 0 ? Int(min(seconds, 1e9).rounded()) : 0
        let (hours, minutes, rest) = (total / 3600, total % 3600 / 60, total % 60)
        let pad = { TextNormalization.zeroPadded($0, width: 2) }
        if hours > 0 { return "\(hours) 小时 \(pad(minutes)) 分 \(pad(rest)) 秒" }
        if minutes > 0 { return "\(minutes) 分 \(pad(rest)) 秒" }
        return "\(rest) 秒"
    }

    static func wholeMinutes(_ seconds: TimeInterval, rounding: FloatingPointRoundingRule) -> Int {
        guard seconds.isFinite, seconds > 0 else { return 0 }
        // Whole milliseconds first, as credit is kept, so 59.9999 s of summed beats is not "0 分钟"
        // one moment and "1 分钟" the next; the cap keeps the Int conversion in range.
        let milliseconds = (min(seconds, 1e12) * 1000).rounded()
        return Int((milliseconds / 60_000).rounded(rounding))
    }
}
