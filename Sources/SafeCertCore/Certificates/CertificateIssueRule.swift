import Foundation

public enum CertificateIssueDecision: Sendable, Hashable {
    /// Issue it: valid from the issue day through `validUntil`, the pass dated `passedOn`.
    case issue(passedOn: CalendarDate, validFrom: CalendarDate, validUntil: CalendarDate)
    case refuse(reason: String)
}

/// Whether a certificate may be issued from a person's approved exam results, and its validity
/// (issue 12): every subject the qualification requires holds a pass (`ResitRule`), the issue day
/// lies within the pass's validity (special operations: 12 months), and the person does not
/// already hold a live certificate of this qualification. Validity runs from the issue day for
/// the catalogue's years, its last day the day before the anniversary (2026-12-04, 3 years:
/// through 2029-12-03).
public enum CertificateIssueRule {
    /// `approvedHistory`: the sittings since the latest training whose results the authority has
    /// approved (unapproved results never count). `holdsLiveCertificate`: a certificate of this
    /// qualification that is valid, not yet valid or suspended.
    public static func decide(approvedHistory: [ExamAttempt], terms: QualificationTerms, on issueDay: CalendarDate,
                              holdsLiveCertificate: Bool) -> CertificateIssueDecision {
        if holdsLiveCertificate { return .refuse(reason: "已持有该资格的有效证书，不能重复发证") }
        guard !approvedHistory.isEmpty else { return .refuse(reason: "没有已审核的考试成绩") }
        let latest = approvedHistory.map(\.date).max() ?? issueDay
        guard latest <= issueDay else { return .refuse(reason: "考试日期（\(latest.iso)）晚于发证日期") }
        guard case .passed(let passedOn) = ResitRule.decide(history: approvedHistory, terms: terms, on: issueDay) else {
            return .refuse(reason: "考试成绩未全部合格")
        }
        if let months = terms.passValidMonths, issueDay > passedOn.adding(months: months) {
            return .refuse(reason: "合格成绩有效期至 \(passedOn.adding(months: months).iso)，已失效，须重新考试")
        }
        return .issue(passedOn: passedOn, validFrom: issueDay, validUntil: validUntil(from: issueDay, years: terms.validityYears))
    }

    /// The last valid day of a certificate valid for `years` from `day`.
    public static func validUntil(from day: CalendarDate, years: Int) -> CalendarDate {
        day.adding(years: years).adding(days: -1)
    }
}

/// The facts a renewal (续期 / 延期复核 / 复审) is judged on; the handler gathers them.
public struct RenewalFacts: Sendable, Hashable {
    public var standing: CertificateStanding
    /// Hours of training that count for this certificate since it was issued or last renewed
    /// (server-proved online study included).
    public var trainingHours: Double
    /// Violations recorded against the holder in the last two years.
    public var violationsInTwoYears: Int
    public var hasPenalty: Bool
    public var hasAccidentResponsibility: Bool

    public init(standing: CertificateStanding, trainingHours: Double, violationsInTwoYears: Int = 0,
                hasPenalty: Bool = false, hasAccidentResponsibility: Bool = false) {
        self.standing = standing
        self.trainingHours = trainingHours
        self.violationsInTwoYears = violationsInTwoYears
        self.hasPenalty = hasPenalty
        self.hasAccidentResponsibility = hasAccidentResponsibility
    }
}

public enum RenewalDecision: Sendable, Hashable {
    /// May apply; once approved the certificate is valid through `newValidUntil`.
    case eligible(newValidUntil: CalendarDate)
    /// Every rule it fails, in Chinese, for the page to list.
    case ineligible(reasons: [String])
}

/// The renewal rules of DESIGN.md §2: apply within the catalogue's window before expiry (3 months
/// for construction, 60 days for special operations' review), with the training hours done —
/// `continuingHoursPerYear` for each year of validity, or `reviewTrainingHours` where training is
/// per review — and no penalty, no accident responsibility and fewer than 3 violations in two
/// years. A suspended, revoked, cancelled or expired certificate is not renewed (an expired one
/// needs new certification). Approval extends the validity by the catalogue's years. (Special
/// operations' mid-term review every `reviewCycleYears` is not a renewal and changes no dates.)
public enum RenewalRule {
    public static let violationLimit = 3

    public static func requiredHours(_ terms: QualificationTerms) -> Double {
        if let hours = terms.reviewTrainingHours { return Double(hours) }
        return Double(terms.continuingHoursPerYear) * Double(terms.validityYears)
    }

    public static func decide(_ facts: RenewalFacts, terms: QualificationTerms, on day: CalendarDate) -> RenewalDecision {
        var reasons: [String] = []
        let until = facts.standing.validUntil
        switch facts.standing.status(on: day) {
        case .valid, .notYetValid: break
        case let status: reasons.append("证书\(status.label)，不能申请续期")
        }
        let opens = until.adding(days: -terms.renewalWindowDays)
        if day < opens { reasons.append("续期申请自 \(opens.iso) 起受理（有效期至 \(until.iso)）") }
        let required = requiredHours(terms)
        if facts.trainingHours < required {
            reasons.append("培训学时不足：已完成 \(StudyTime.hours(facts.trainingHours)) 学时，需 \(StudyTime.hours(required)) 学时")
        }
        if facts.violationsInTwoYears >= violationLimit {
            reasons.append("两年内违章 \(facts.violationsInTwoYears) 次（达到 \(violationLimit) 次不予续期）")
        }
        if facts.hasPenalty { reasons.append("有行政处罚记录") }
        if facts.hasAccidentResponsibility { reasons.append("对安全事故负有责任") }
        guard reasons.isEmpty else { return .ineligible(reasons: reasons) }
        return .eligible(newValidUntil: until.adding(years: terms.validityYears))
    }
}
