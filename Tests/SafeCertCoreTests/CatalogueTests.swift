import Foundation
import Testing
@testable import SafeCertCore

private func date(_ iso: String) -> CalendarDate { CalendarDate(iso: iso)! }

private let catalogue = QualificationCatalogue.defaults
private let today = date("2026-01-15")

private func defaultTerms(_ code: String, on day: CalendarDate = today) -> QualificationTerms {
    guard let terms = catalogue.terms(for: code, province: nil, on: day) else {
        Issue.record("no terms for \(code) on \(day)")
        return QualificationCatalogue.defaults.entries[0].terms
    }
    return terms
}

@Suite("资格目录：默认条款")
struct CatalogueDefaultsTests {
    @Test func theSeedCatalogueIsConsistent() {
        #expect(catalogue.problems == [])
    }

    @Test func everySchemeIsSeeded() {
        for scheme in QualificationScheme.allCases {
            #expect(!catalogue.qualifications(in: scheme, province: nil, on: today).isEmpty, "\(scheme.label)")
        }
        let codes = Set(catalogue.types.map(\.code))
        #expect(codes.isSuperset(of: ["JZ-A", "JZ-B", "JZ-C1", "JZ-C2", "JZ-C3", "JT-DG", "JT-JZG", "JT-XHSS", "TZ-DG", "TX-A", "TX-B", "TX-C", "MB-A", "MB-B"]))
    }

    @Test func educationLevelsFollowTheFormInRisingOrder() {
        #expect(Education.allCases.map(\.label) == EducationLevel.all)
        #expect(Education.allCases == Education.allCases.sorted())
        #expect(Education.juniorHighOrBelow < .seniorHighOrVocational && Education.master < .doctorate)
        #expect(Education(label: "大专") == .juniorCollege)
        #expect(Education(label: "小学") == nil)
    }

    @Test(arguments: ["JZ-A", "JZ-B", "JZ-C1", "JZ-C2", "JZ-C3"])
    func constructionManagers(code: String) {
        let terms = defaultTerms(code)
        #expect(terms.validityYears == 3)
        #expect(terms.renewalWindowDays == 90)
        #expect(terms.reviewCycleYears == nil)
        #expect(terms.continuingHoursPerYear == (code.hasPrefix("JZ-C") ? 40 : 30))
        #expect(terms.subjects.map(\.kind) == [.theory])
        #expect(terms.subject(.theory)?.fullMarks == 100)
        #expect(terms.subject(.theory)?.passMarks == 60)
        #expect(terms.numberFormat == .construction)
    }

    @Test func constructionSafetyManagersEligibilityFollowsSeed003() {
        let rule = defaultTerms("JZ-C2").eligibility
        #expect(rule.minAge == 18)
        #expect(rule.maxAge == 59) // 未满 60 周岁
        #expect(rule.minimumEducation == .seniorHighOrVocational)
        #expect(rule.technicalTitleMeetsEducation)
        #expect(rule.minimumYearsOfExperience == 2)
        #expect(rule.health == .healthCommitment)
        #expect(defaultTerms("JZ-B").eligibility.manualChecks.contains("取得相应注册执业资格"))
    }

    @Test(arguments: ["JT-DG", "JT-JZG", "JT-FJZG", "JT-XHSS", "JT-TJSJ"])
    func constructionSpecialTrades(code: String) throws {
        let terms = defaultTerms(code)
        #expect(terms.validityYears == 2)
        #expect(terms.renewalWindowDays == 90)
        #expect(terms.continuingHoursPerYear == 24)
        #expect(terms.subjects.map(\.kind) == [.theory, .practical])
        #expect(terms.eligibility.minAge == 18)
        #expect(terms.eligibility.minimumEducation == .juniorHighOrBelow)
        #expect(terms.eligibility.health == .medicalCheck)
        let type = try #require(catalogue.type(code: code))
        let number = try terms.numberFormat.make(provinceAbbreviation: "京", cityLetter: "A", typeCode: type.certificateTypeCode,
                                                 year: 2026, serial: 1)
        #expect(number.count == 14)
    }

    @Test(arguments: ["TZ-DG", "TZ-GYDG", "TZ-HJ", "TZ-GC", "TZ-ZL"])
    func specialOperations(code: String) throws {
        let terms = defaultTerms(code)
        #expect(terms.validityYears == 6)
        #expect(terms.reviewCycleYears == 3)
        #expect(terms.renewalWindowDays == 60)
        #expect(terms.continuingHoursPerYear == 0)
        #expect(terms.reviewTrainingHours == 8)
        let theory = try #require(terms.subject(.theory))
        #expect(theory.delivery == .computerAtCentre && theory.durationMinutes == 120)
        #expect(theory.fullMarks == 100 && theory.passMarks == 80)
        #expect(terms.subject(.practical)?.passMarks == 80)
        #expect(terms.resitsAllowed == 1)
        #expect(terms.passValidMonths == 12)
        #expect(terms.eligibility.minAge == 18 && terms.eligibility.maxAge == 60)
        #expect(terms.eligibility.health == .medicalCheck)
        #expect(terms.numberFormat == .specialOperations)
    }

    @Test func theNewSpecialOperationsOrderAppliesFrom1June2026() {
        #expect(defaultTerms("TZ-DG", on: date("2026-05-31")).reviewTrainingHours == 8)
        #expect(defaultTerms("TZ-DG", on: date("2026-06-01")).reviewTrainingHours == 12)
        #expect(defaultTerms("TZ-HJ", on: date("2030-01-01")).reviewTrainingHours == 12)
        #expect(catalogue.entry(for: "TZ-DG", province: "220000", on: date("2026-06-01"))?.effectiveFrom
            == QualificationCatalogue.specialOperationsNewOrderDate)
    }

    @Test(arguments: ["TX-A", "TX-B", "TX-C"])
    func telecomExamsAreOnline(code: String) {
        let terms = defaultTerms(code)
        #expect(terms.validityYears == 3)
        #expect(terms.subjects.allSatisfy { $0.delivery == .online })
    }

    @Test func civilExplosivesTrainingHours() {
        #expect(defaultTerms("MB-A").initialTrainingHours == 32)
        #expect(defaultTerms("MB-B").continuingHoursPerYear == 12)
        #expect(defaultTerms("MB-SC-A").initialTrainingHours == 48)
        #expect(defaultTerms("MB-SC-B").continuingHoursPerYear == 16)
        #expect(defaultTerms("MB-A").validityYears == 3)
    }

    @Test func everyDefaultFormatMakesANumber() throws {
        for type in catalogue.types {
            let terms = defaultTerms(type.code)
            let number = try terms.numberFormat.make(provinceAbbreviation: "吉", cityLetter: "A", typeCode: type.certificateTypeCode,
                                                     year: 2026, serial: 42, idNumber: "22010219900307001X")
            #expect(!number.isEmpty, "\(type.code)")
        }
    }

    @Test func theCatalogueSurvivesAJSONRoundTrip() throws {
        let data = try JSONEncoder().encode(catalogue)
        let decoded = try JSONDecoder().decode(QualificationCatalogue.self, from: data)
        #expect(decoded == catalogue)
        #expect(String(decoding: data, as: UTF8.self).contains("\"effectiveFrom\":\"2026-06-01\""))
    }

    @Test func aQualificationCarriesItsTypeAndTerms() throws {
        let qualification = try #require(catalogue.qualification(code: "JZ-C1", province: "220000", on: today))
        #expect(qualification.code == "JZ-C1")
        #expect(qualification.name == "机械类专职安全生产管理人员（C1类）")
        #expect(qualification.scheme == .constructionManagers)
        #expect(qualification.type.certificateTypeCode == "C1")
        #expect(catalogue.qualification(code: "NOPE", province: nil, on: today) == nil)
    }
}

@Suite("资格目录：版本与省级覆盖")
struct CataloguePrecedenceTests {
    private static func terms(passMarks: Int) -> QualificationTerms {
        var terms = QualificationCatalogue.defaults.terms(for: "JZ-C1", province: nil, on: date("2026-01-01"))!
        terms.subjects = [ExamSubject(kind: .theory, delivery: .computerAtCentre, passMarks: passMarks, durationMinutes: 120)]
        return terms
    }

    private static let type = QualificationType(code: "JZ-C1", name: "C1", scheme: .constructionManagers, certificateTypeCode: "C1")

    /// National 60 from 2015 and 65 from 2026-06-01; 吉林 70 from 2020 and 75 from 2027.
    private static let fixture = QualificationCatalogue(types: [type], entries: [
        CatalogueEntry(qualificationCode: "JZ-C1", effectiveFrom: date("2015-01-01"), terms: terms(passMarks: 60), source: "national v1"),
        CatalogueEntry(qualificationCode: "JZ-C1", effectiveFrom: date("2027-01-01"), province: "220000", terms: terms(passMarks: 75), source: "吉林 v2"),
        CatalogueEntry(qualificationCode: "JZ-C1", effectiveFrom: date("2026-06-01"), terms: terms(passMarks: 65), source: "national v2"),
        CatalogueEntry(qualificationCode: "JZ-C1", effectiveFrom: date("2020-01-01"), province: "220000", terms: terms(passMarks: 70), source: "吉林 v1"),
    ])

    private func passMarks(_ province: String?, _ day: String) -> Int? {
        Self.fixture.terms(for: "JZ-C1", province: province, on: date(day))?.subject(.theory)?.passMarks
    }

    @Test func nothingIsInForceBeforeTheFirstVersion() {
        #expect(passMarks(nil, "2014-12-31") == nil)
        #expect(passMarks("220000", "2014-12-31") == nil)
    }

    @Test func theNationalVersionInForceApplies() {
        #expect(passMarks(nil, "2015-01-01") == 60)
        #expect(passMarks(nil, "2026-05-31") == 60)
        #expect(passMarks(nil, "2026-06-01") == 65)
        #expect(passMarks("310000", "2030-01-01") == 65) // a province without overrides
    }

    @Test func aProvinceOverrideAppliesFromItsDate() {
        #expect(passMarks("220000", "2019-12-31") == 60)
        #expect(passMarks("220000", "2020-01-01") == 70)
        #expect(passMarks("220000", "2027-01-01") == 75)
    }

    @Test func anOverrideInForceWinsOverANewerNationalVersionAndIsReported() {
        #expect(passMarks("220000", "2026-06-01") == 70)
        #expect(Self.fixture.outdatedOverrides(on: date("2026-06-01")).map(\.source) == ["吉林 v1"])
        #expect(Self.fixture.outdatedOverrides(on: date("2026-05-31")).isEmpty)
        #expect(Self.fixture.outdatedOverrides(on: date("2027-01-01")).isEmpty)
    }

    @Test func anyRegionCodeInsideTheProvinceFindsItsOverride() {
        #expect(passMarks("220102", "2021-01-01") == 70)
        #expect(passMarks("000000", "2021-01-01") == 60)
        #expect(QualificationCatalogue.provinceCode(of: "220102") == "220000")
        #expect(QualificationCatalogue.provinceCode(of: "2201") == nil)
    }

    @Test func twoVersionsOnOneDateAreReportedAndTheLaterListedWins() {
        var catalogue = Self.fixture
        catalogue.entries.append(CatalogueEntry(qualificationCode: "JZ-C1", effectiveFrom: date("2015-01-01"),
                                                terms: Self.terms(passMarks: 62), source: "correction"))
        #expect(catalogue.terms(for: "JZ-C1", province: nil, on: date("2016-01-01"))?.subject(.theory)?.passMarks == 62)
        #expect(catalogue.problems == ["JZ-C1（全国，2015-01-01 起）：同一范围同一生效日期有多个版本"])
    }

    @Test func inconsistentEntriesAreReported() {
        var bad = Self.terms(passMarks: 120)
        bad.reviewCycleYears = 3
        bad.eligibility.minAge = 60
        bad.eligibility.maxAge = 18
        bad.numberFormat = CertificateNumberFormat(pattern: "{省}{编号}")
        let catalogue = QualificationCatalogue(types: [Self.type, Self.type], entries: [
            CatalogueEntry(qualificationCode: "JZ-C1", effectiveFrom: date("2015-01-01"), terms: bad, source: ""),
            CatalogueEntry(qualificationCode: "XX", effectiveFrom: date("2015-01-01"), province: "220100", terms: Self.terms(passMarks: 60), source: ""),
        ])
        #expect(catalogue.problems == [
            "资格类型代码「JZ-C1」重复",
            "JZ-C1（全国，2015-01-01 起）：复审周期（3 年）应短于有效期（3 年）",
            "JZ-C1（全国，2015-01-01 起）：理论合格分（120）应在 1–100 之间",
            "JZ-C1（全国，2015-01-01 起）：最低年龄（60）高于最高年龄（18）",
            "JZ-C1（全国，2015-01-01 起）：证书编号格式中有未知的占位符「{编号}」",
            "XX（220100，2015-01-01 起）：未知的资格类型代码",
            "XX（220100，2015-01-01 起）：省份代码应为 6 位且以 0000 结尾",
        ])
    }

    @Test func aTypeWithoutANationalDefaultIsReported() {
        let catalogue = QualificationCatalogue(types: [Self.type], entries: [
            CatalogueEntry(qualificationCode: "JZ-C1", effectiveFrom: date("2015-01-01"), province: "220000", terms: Self.terms(passMarks: 60), source: ""),
        ])
        #expect(catalogue.problems == ["资格类型「C1」没有全国默认条款"])
    }
}

@Suite("证书编号格式")
struct CatalogueNumberFormatTests {
    @Test func constructionNumber() throws {
        let number = try CertificateNumberFormat.construction.make(provinceAbbreviation: "京", typeCode: "C1", year: 2015, serial: 1)
        #expect(number == "京建安C1（2015）0000001")
    }

    @Test func specialTradeNumberHas14Characters() throws {
        let number = try CertificateNumberFormat.constructionSpecialTrade.make(provinceAbbreviation: "京", cityLetter: "A", typeCode: "01",
                                                                              year: 2008, serial: 123)
        #expect(number == "京A012008000123")
        #expect(number.count == 14)
    }

    @Test func specialOperationsNumberIsTAndTheIDNumber() throws {
        let id = IDNumber.generate(region: "220102", birth: date("1990-03-07"), sequence: 1)
        let number = try CertificateNumberFormat.specialOperations.make(idNumber: id.value)
        #expect(number == "T" + id.value)
    }

    @Test func missingOrOutOfRangeInputsAreExplained() {
        #expect(throws: CertificateNumberError.missing("地市代码")) {
            try CertificateNumberFormat.constructionSpecialTrade.make(provinceAbbreviation: "京", typeCode: "01", year: 2008, serial: 1)
        }
        #expect(throws: CertificateNumberError.serialOutOfRange(10_000_000, width: 7)) {
            try CertificateNumberFormat.construction.make(provinceAbbreviation: "京", typeCode: "A", year: 2015, serial: 10_000_000)
        }
        #expect(throws: CertificateNumberError.serialOutOfRange(0, width: 7)) {
            try CertificateNumberFormat.construction.make(provinceAbbreviation: "京", typeCode: "A", year: 2015, serial: 0)
        }
        #expect(throws: CertificateNumberError.invalidYear(15)) {
            try CertificateNumberFormat.construction.make(provinceAbbreviation: "京", typeCode: "A", year: 15, serial: 1)
        }
        #expect(throws: CertificateNumberError.wrongLength("京A0012008000001", expected: 14)) {
            try CertificateNumberFormat.constructionSpecialTrade.make(provinceAbbreviation: "京", cityLetter: "A", typeCode: "001", year: 2008, serial: 1)
        }
        #expect(throws: CertificateNumberError.missing("证件号码")) {
            try CertificateNumberFormat.specialOperations.make()
        }
        #expect(CertificateNumberError.serialOutOfRange(10_000_000, width: 7).message == "流水号 10000000 超出 7 位（应为 1 至 9999999）")
        #expect(CertificateNumberError.wrongLength("京A0012008000001", expected: 14).message == "证书编号「京A0012008000001」为 15 位，应为 14 位")
    }

    @Test func badPatternsAreRejected() {
        #expect(CertificateNumberFormat(pattern: "{省建安").patternProblem == "证书编号格式「{省建安」的花括号不成对")
        #expect(CertificateNumberFormat(pattern: "省}建安").patternProblem == "证书编号格式「省}建安」的花括号不成对")
        #expect(CertificateNumberFormat(pattern: "{流水号:x}").patternProblem == "证书编号格式中有未知的占位符「{流水号:x}」")
        #expect(CertificateNumberFormat.construction.patternProblem == nil)
        #expect(throws: CertificateNumberError.unknownPlaceholder("编号")) {
            try CertificateNumberFormat(pattern: "{编号}").make()
        }
    }

    @Test func aConfiguredPatternCopiesItsText() throws {
        let format = CertificateNumberFormat(pattern: "工信安{类别}（{年}）{流水号:7}")
        #expect(try format.make(typeCode: "C", year: 2016, serial: 9) == "工信安C（2016）0000009")
    }
}
