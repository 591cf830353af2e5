import Foundation
import Testing
@testable import SafeCertCore

@Suite("成绩录入：逐科判断")
struct ScoreEntryRuleTests {
    let theoryOnly = [ExamSubject(kind: .theory, delivery: .computerAtCentre, passMarks: 80, durationMinutes: 120)]
    let both = [ExamSubject(kind: .theory, delivery: .computerAtCentre, passMarks: 80, durationMinutes: 120),
                ExamSubject(kind: .practical, delivery: .computerAtCentre, passMarks: 80, durationMinutes: nil)]

    @Test func scoresAndAbsencesAreStoredAndAnEmptyTextClears() {
        let verdict = ScoreEntryRule.judge([.theory: "85.5", .practical: ""], sitting: both, admitted: true)
        #expect(verdict.problems.isEmpty)
        let stored: [ExamSubjectKind: SubjectResult?] = [.theory: .score(85.5), .practical: nil]
        #expect(verdict.results == stored)
        let absent: [ExamSubjectKind: SubjectResult?] = [.theory: .absent]
        #expect(ScoreEntryRule.judge([.theory: "缺考"], sitting: both, admitted: true).results == absent)
    }

    @Test func aSubjectNotSatIsRefused() {
        let verdict = ScoreEntryRule.judge([.theory: "90", .practical: "70"], sitting: theoryOnly, admitted: true)
        #expect(verdict.problems == ["本次考试不考实操"])
        let stored: [ExamSubjectKind: SubjectResult?] = [.theory: .score(90)]
        #expect(verdict.results == stored)
    }

    @Test func whoWasNeverAdmittedIsOnlyAbsent() {
        let scored = ScoreEntryRule.judge([.theory: "90"], sitting: theoryOnly, admitted: false)
        #expect(scored.problems == ["未通过实名认证，不能参加考试，理论只能记为缺考"])
        #expect(scored.results.isEmpty)
        #expect(ScoreEntryRule.judge([.theory: "缺考"], sitting: theoryOnly, admitted: false).problems.isEmpty)
    }

    @Test func everyBadTextIsNamedWithItsSubject() {
        let verdict = ScoreEntryRule.judge([.theory: "abc", .practical: "101"], sitting: both, admitted: true)
        #expect(verdict.problems == [
            "理论：「abc」不是有效的成绩：请填写 0 以上的数字，未参加考试填“缺考”",
            "实操成绩 101 不在 0–100 分之间",
        ])
        #expect(ScoreEntryRule.judge([.theory: "85.25"], sitting: both, admitted: true).problems == ["理论：成绩「85.25」最多保留一位小数"])
    }
}
