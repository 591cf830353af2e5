import Foundation

/// What the exam centre records for one subject: a score, or that the candidate did not sit it.
public enum SubjectResult: Sendable, Hashable {
    case score(Double)
    case absent
}

public enum SubjectOutcome: String, Sendable, Codable, CaseIterable {
    case passed
    case failed
    case absent

    public var label: String {
        switch self {
        case .passed: "合格"
        case .failed: "不合格"
        case .absent: "缺考"
        }
    }
}

public enum ExamResultError: Error, Sendable, Equatable, CustomStringConvertible {
    case scoreOutOfRange(ExamSubjectKind, score: Double, fullMarks: Int)
    case missingResult(ExamSubjectKind)
    case unknownSubject(ExamSubjectKind)

    public var message: String {
        switch self {
        case .scoreOutOfRange(let kind, let score, let fullMarks):
            "\(kind.label)成绩 \(ExamGrading.scoreText(score)) 不在 0–\(fullMarks) 分之间"
        case .missingResult(let kind): "缺少\(kind.label)成绩（未参加考试请记为缺考）"
        case .unknownSubject(let kind): "该资格不考\(kind.label)科目"
        }
    }

    public var description: String { message }
}

/// One sitting's outcome per subject, and the outcome of the sitting as a whole.
public struct ExamGrade: Sendable, Hashable {
    public var outcomes: [ExamSubjectKind: SubjectOutcome]
    public var overall: ExamOutcome

    public init(outcomes: [ExamSubjectKind: SubjectOutcome], overall: ExamOutcome) {
        self.outcomes = outcomes
        self.overall = overall
    }
}

/// Scores to outcomes, with the pass marks of the qualification catalogue (`ExamSubject.isPass`).
public enum ExamGrading {
    public static func outcome(of result: SubjectResult, in subject: ExamSubject) throws(ExamResultError) -> SubjectOutcome {
        switch result {
        case .absent:
            return .absent
        case .score(let score):
            guard score.isFinite, score >= 0, score <= Double(subject.fullMarks) else {
                throw .scoreOutOfRange(subject.kind, score: score, fullMarks: subject.fullMarks)
            }
            return subject.isPass(score: score) ? .passed : .failed
        }
    }

    /// Grades a sitting of `subjects` (all of the qualification's, or the ones resat). Every
    /// subject needs a result, an absence included: a missing one is a data-entry gap, not a fail.
    public static func grade(_ results: [ExamSubjectKind: SubjectResult], subjects: [ExamSubject]) throws(ExamResultError) -> ExamGrade {
        if let stray = results.keys.sorted(by: { $0.rawValue < $1.rawValue }).first(where: { kind in !subjects.contains { $0.kind == kind } }) {
            throw .unknownSubject(stray)
        }
        var outcomes: [ExamSubjectKind: SubjectOutcome] = [:]
        for subject in subjects {
            guard let result = results[subject.kind] else { throw .missingResult(subject.kind) }
            outcomes[subject.kind] = try outcome(of: result, in: subject)
        }
        return ExamGrade(outcomes: outcomes, overall: overall(Array(outcomes.values)))
    }

    /// Passed when every subject passed; absent when the candidate sat none; failed otherwise
    /// (a pass in one subject and an absence in the other is a failed sitting, though the pass
    /// counts towards a resit — see `ResitRule`).
    public static func overall(_ outcomes: [SubjectOutcome]) -> ExamOutcome {
        if outcomes.isEmpty { return .absent }
        if outcomes.allSatisfy({ $0 == .passed }) { return .passed }
        if outcomes.allSatisfy({ $0 == .absent }) { return .absent }
        return .failed
    }

    /// "85" or "85.5": whole scores without a decimal point.
    static func scoreText(_ score: Double) -> String {
        score.isFinite && score == score.rounded() && abs(score) < 1e15 ? String(Int(score)) : String(score)
    }
}

/// One sitting in a person's history for a qualification: the subjects sat and their outcomes.
public struct ExamAttempt: Sendable, Hashable {
    public var date: CalendarDate
    public var outcomes: [ExamSubjectKind: SubjectOutcome]

    public init(date: CalendarDate, outcomes: [ExamSubjectKind: SubjectOutcome]) {
        self.date = date
        self.outcomes = outcomes
    }
}

public enum ResitDecision: Sendable, Hashable {
    /// No sitting yet: the first exam covers every subject.
    case firstExam
    /// Every subject holds a pass: the qualification is earned (on the date of the last sitting).
    case passed(on: CalendarDate)
    /// May resit these subjects; `number` is which resit this is, of `allowed`.
    case resit(subjects: [ExamSubjectKind], number: Int, allowed: Int)
    case retrain(reason: String)

    /// The subjects the next sitting covers; empty when there is none.
    public func subjects(of terms: QualificationTerms) -> [ExamSubjectKind] {
        switch self {
        case .firstExam: terms.subjects.map(\.kind)
        case .resit(let subjects, _, _): subjects
        case .passed, .retrain: []
        }
    }

    /// For `EnrolmentContext.resitAvailable`.
    public var allowsResit: Bool {
        if case .resit = self { return true }
        return false
    }

    public var message: String {
        switch self {
        case .firstExam: "尚未参加考试"
        case .passed(let date): "各科目均已合格（\(date.iso)）"
        case .resit(let subjects, let number, let allowed):
            "可参加第 \(number) 次补考（共 \(allowed) 次），补考科目：" + subjects.map(\.label).joined(separator: "、")
        case .retrain(let reason): reason
        }
    }
}

/// 补考 (special operations: "考试不及格的，允许补考1次。经补考仍不及格的，重新参加相应的安全技术
/// 培训"; a passed subject counts for 12 months). The catalogue gives the numbers:
/// `resitsAllowed` and `passValidMonths`.
///
/// - `history` holds the sittings since the person's latest training, in any order; retraining
///   starts a new history. Every sitting after the first is a resit.
/// - A resit covers only the subjects without a pass that still holds on its date. An absence
///   counts like a failure: the sitting is used.
/// - A pass on day D holds through D + `passValidMonths` months, that day included (passed
///   2025-03-15, 12 months: still holds on 2026-03-15, no longer on 2026-03-16), as validity
///   periods count here (a certificate is valid on its expiry day). A pass that has lapsed must
///   be sat again, within the resits left.
/// - The qualification is earned when, on the date of a sitting, every subject holds a pass.
public enum ResitRule {
    /// `date`: the day of the next sitting (or today, to advise).
    public static func decide(history: [ExamAttempt], terms: QualificationTerms, on date: CalendarDate) -> ResitDecision {
        let attempts = history.sorted { $0.date < $1.date }
        guard let last = attempts.last else { return .firstExam }
        let kinds = terms.subjects.map(\.kind)

        var passedOn: [ExamSubjectKind: CalendarDate] = [:]
        for attempt in attempts {
            for (kind, outcome) in attempt.outcomes where outcome == .passed { passedOn[kind] = attempt.date }
        }
        func passHolds(_ kind: ExamSubjectKind, on day: CalendarDate) -> Bool {
            guard let passed = passedOn[kind] else { return false }
            guard let months = terms.passValidMonths else { return true }
            return day <= passed.adding(months: months)
        }

        if kinds.allSatisfy({ passHolds($0, on: last.date) }) { return .passed(on: last.date) }

        let sitting = max(date, last.date)
        let due = kinds.filter { !passHolds($0, on: sitting) }
        let resitsUsed = attempts.count - 1
        guard resitsUsed < terms.resitsAllowed else {
            let why = due.map { kind in
                if let passed = passedOn[kind], let months = terms.passValidMonths {
                    return "\(kind.label)合格成绩有效期至 \(passed.adding(months: months).iso)，已失效"
                }
                return kind.label + (latestOutcome(of: kind, in: attempts)?.label ?? "未考")
            }.joined(separator: "，")
            let history = terms.resitsAllowed == 0 ? "考试未通过，该资格不设补考" : "已补考 \(resitsUsed) 次仍未通过"
            return .retrain(reason: "\(history)（\(why)），须重新参加培训")
        }
        return .resit(subjects: due, number: resitsUsed + 1, allowed: terms.resitsAllowed)
    }

    private static func latestOutcome(of kind: ExamSubjectKind, in attempts: [ExamAttempt]) -> SubjectOutcome? {
        attempts.last { $0.outcomes[kind] != nil }?.outcomes[kind]
    }
}

extension CalendarDate {
    /// Same day `months` later; a day the target month lacks falls back to its last day
    /// (2025-01-31 + 1 month = 2025-02-28), as `adding(years:)` treats 29 February; stops at `earliest` / `latest`.
    public func adding(months: Int) -> CalendarDate {
        let (total, overflow) = (year * 12 + (month - 1)).addingReportingOverflow(months)
        if overflow { return months < 0 ? .earliest : .latest }
        if total < 12 { return .earliest }
        let targetYear = total / 12
        if targetYear > 9999 { return .latest }
        let targetMonth = total % 12 + 1
        let targetDay = min(day, CalendarDate.daysInMonth(year: targetYear, month: targetMonth))
        return CalendarDate(year: targetYear, month: targetMonth, day: targetDay) ?? .latest
    }
}

/// One candidate's entered results (the scores page, a score file or the API), judged before
/// anything is stored: each subject's text is read (`ScoreImportTemplate.result`) and checked
/// against the subjects the candidate sits; a candidate who was never admitted can only be absent.
public enum ScoreEntryRule {
    public struct Verdict: Sendable, Equatable {
        /// The results to store per subject; `.some(nil)` clears one (its text was empty).
        public var results: [ExamSubjectKind: SubjectResult?] = [:]
        /// Every problem of the row, in the order of the subjects; nothing is stored when any.
        public var problems: [String] = []
    }

    public static func judge(_ texts: [ExamSubjectKind: String], sitting subjects: [ExamSubject], admitted: Bool) -> Verdict {
        var verdict = Verdict()
        for (kind, text) in texts.sorted(by: { $0.key.rawValue > $1.key.rawValue }) {
            guard !text.isEmpty else { verdict.results[kind] = .some(nil); continue }
            guard let subject = subjects.first(where: { $0.kind == kind }) else {
                verdict.problems.append("本次考试不考\(kind.label)")
                continue
            }
            do throws(ExamResultParseError) {
                guard let result = try ScoreImportTemplate.result(text) else { continue }
                if case .score = result, !admitted {
                    verdict.problems.append("未通过实名认证，不能参加考试，\(kind.label)只能记为缺考")
                    continue
                }
                do throws(ExamResultError) {
                    _ = try ExamGrading.outcome(of: result, in: subject)
                    verdict.results[kind] = .some(result)
                } catch {
                    verdict.problems.append(error.message)
                }
            } catch {
                verdict.problems.append("\(kind.label)：\(error.message)")
            }
        }
        return verdict
    }
}
