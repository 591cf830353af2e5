import Foundation
import Testing
@testable import SafeCertCore

@Suite struct CertificateIssueRuleTests {
    static func day(_ iso: String) -> CalendarDate { CalendarDate(iso: iso)! }
    static let specialOperations = QualificationCatalogue.defaults.terms(for: "TZ-DG", province: nil, on: day("2026-01-01"))!
    static let constructionC1 = QualificationCatalogue.defaults.terms(for: "JZ-C1", province: nil, on: day("2026-01-01"))!

    static func passedBoth(on iso: String) -> ExamAttempt {
        ExamAttempt(date: day(iso), outcomes: [.theory: .passed, .practical: .passed])
    }

    @Test func aCompletePassIssuesWithTheCataloguesValidity() {
        let decision = CertificateIssueRule.decide(approvedHistory: [Self.passedBoth(on: "2026-11-20")], terms: Self.specialOperations,
                                                   on: Self.day("2026-12-04"), holdsLiveCertificate: false)
        #expect(decision == .issue(passedOn: Self.day("2026-11-20"), validFrom: Self.day("2026-12-04"), validUntil: Self.day("2032-12-03")))
        #expect(CertificateIssueRule.validUntil(from: Self.day("2024-02-29"), years: 3) == Self.day("2027-02-27"))
    }

    @Test func aPassSplitOverAResitCountsWhileBothPassesHold() {
        let first = ExamAttempt(date: Self.day("2026-03-10"), outcomes: [.theory: .passed, .practical: .failed])
        let resit = ExamAttempt(date: Self.day("2026-05-12"), outcomes: [.practical: .passed])
        let issued = CertificateIssueRule.decide(approvedHistory: [resit, first], terms: Self.specialOperations,
                                                 on: Self.day("2026-06-01"), holdsLiveCertificate: false)
        #expect(issued == .issue(passedOn: Self.day("2026-05-12"), validFrom: Self.day("2026-06-01"), validUntil: Self.day("2032-05-31")))
    }

    @Test func refusals() {
        let terms = Self.specialOperations
        func reason(_ d: CertificateIssueDecision) -> String? {
            if case .refuse(let reason) = d { return reason }
            return nil
        }
        #expect(reason(CertificateIssueRule.decide(approvedHistory: [], terms: terms, on: Self.day("2026-12-04"), holdsLiveCertificate: false)) == "没有已审核的考试成绩")
        let failed = ExamAttempt(date: Self.day("2026-11-20"), outcomes: [.theory: .passed, .practical: .failed])
        #expect(reason(CertificateIssueRule.decide(approvedHistory: [failed], terms: terms, on: Self.day("2026-12-04"), holdsLiveCertificate: false)) == "考试成绩未全部合格")
        #expect(reason(CertificateIssueRule.decide(approvedHistory: [Self.passedBoth(on: "2026-11-20")], terms: terms,
                                                   on: Self.day("2026-12-04"), holdsLiveCertificate: true))?.contains("已持有") == true)
        // The pass holds 12 months: issued on its last day, refused the day after.
        let pass = [Self.passedBoth(on: "2025-12-04")]
        #expect(CertificateIssueRule.decide(approvedHistory: pass, terms: terms, on: Self.day("2026-12-04"), holdsLiveCertificate: false)
            == .issue(passedOn: Self.day("2025-12-04"), validFrom: Self.day("2026-12-04"), validUntil: Self.day("2032-12-03")))
        #expect(reason(CertificateIssueRule.decide(approvedHistory: pass, terms: terms, on: Self.day("2026-12-05"), holdsLiveCertificate: false))
            == "合格成绩有效期至 2026-12-04，已失效，须重新考试")
        #expect(reason(CertificateIssueRule.decide(approvedHistory: [Self.passedBoth(on: "2026-12-10")], terms: terms,
                                                   on: Self.day("2026-12-04"), holdsLiveCertificate: false))?.contains("晚于发证日期") == true)
    }
}

@Suite struct RenewalRuleTests {
    static func day(_ iso: String) -> CalendarDate { CalendarDate(iso: iso)! }
    static let terms = CertificateIssueRuleTests.constructionC1
    static let standing = CertificateStanding(validFrom: day("2024-01-15"), validUntil: day("2027-01-14"))

    @Test func inTheWindowWithTheHoursDoneTheValidityGrowsByTheCataloguesYears() {
        let required = RenewalRule.requiredHours(Self.terms)
        #expect(required == Double(Self.terms.continuingHoursPerYear * Self.terms.validityYears) && required > 0)
        let facts = RenewalFacts(standing: Self.standing, trainingHours: required)
        let opens = Self.day("2027-01-14").adding(days: -Self.terms.renewalWindowDays)
        #expect(RenewalRule.decide(facts, terms: Self.terms, on: opens) == .eligible(newValidUntil: Self.day("2030-01-14")))
        #expect(RenewalRule.decide(facts, terms: Self.terms, on: Self.day("2027-01-14")) == .eligible(newValidUntil: Self.day("2030-01-14")))
        guard case .ineligible(let early) = RenewalRule.decide(facts, terms: Self.terms, on: opens.adding(days: -1)) else {
            Issue.record("a day before the window opens is refused")
            return
        }
        #expect(early == ["续期申请自 \(opens.iso) 起受理（有效期至 2027-01-14）"])
    }

    @Test func everyFailedRuleIsNamed() {
        var facts = RenewalFacts(standing: Self.standing, trainingHours: 12.5, violationsInTwoYears: 3, hasPenalty: true, hasAccidentResponsibility: true)
        guard case .ineligible(let reasons) = RenewalRule.decide(facts, terms: Self.terms, on: Self.day("2027-01-01")) else {
            Issue.record("refused")
            return
        }
        #expect(reasons.count == 4)
        #expect(reasons[0] == "培训学时不足：已完成 12.5 学时，需 \(Int(RenewalRule.requiredHours(Self.terms))) 学时")
        #expect(reasons[1].contains("违章 3 次") && reasons[2] == "有行政处罚记录" && reasons[3] == "对安全事故负有责任")
        // Expired or suspended: not renewed.
        facts = RenewalFacts(standing: Self.standing, trainingHours: 1_000)
        #expect(RenewalRule.decide(facts, terms: Self.terms, on: Self.day("2027-01-15")) == .ineligible(reasons: ["证书已过期，不能申请续期"]))
        facts.standing.suspendedUntil = Self.day("2027-02-01")
        guard case .ineligible(let suspended) = RenewalRule.decide(facts, terms: Self.terms, on: Self.day("2027-01-01")) else {
            Issue.record("suspended is refused")
            return
        }
        #expect(suspended == ["证书暂扣（至 2027-02-01），不能申请续期"])
        // Special operations train per review: its hours, not a yearly count.
        #expect(RenewalRule.requiredHours(CertificateIssueRuleTests.specialOperations) == 8)
        #expect(StudyTime.hours(.infinity) == "0" && StudyTime.hours(.nan) == "0" && StudyTime.hours(-2) == "0")
        #expect(StudyTime.hours(1e300).count > 300 && StudyTime.hours(24) == "24" && StudyTime.hours(12.46) == "12.5")
    }
}
