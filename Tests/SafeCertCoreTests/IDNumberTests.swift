import Foundation
import Testing
@testable import SafeCertCore

/// Deterministic generator for property tests (SplitMix64), so failures reproduce.
/// Shared by the other test files in this target.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_CE4E_5BB9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

private let fixedToday = CalendarDate(year: 2026, month: 11, day: 23)!

private let provinceRegions = [
    "110105", "120101", "130102", "310104", "320106", "330106", "350102", "440305", "440524",
    "500103", "510107", "610113", "650102", "810000", "820000", "830000",
]

private func randomIDNumber(using generator: inout SplitMix64) -> IDNumber {
    let year = Int.random(in: 1900...2025, using: &generator)
    let month = Int.random(in: 1...12, using: &generator)
    let day = Int.random(in: 1...CalendarDate.daysInMonth(year: year, month: month), using: &generator)
    return IDNumber.generate(
        region: provinceRegions.randomElement(using: &generator)!,
        birth: CalendarDate(year: year, month: month, day: day)!,
        sequence: Int.random(in: 0...999, using: &generator)
    )
}

private func replacing(_ value: String, at position: Int, with character: Character) -> String {
    var characters = Array(value)
    characters[position] = character
    return String(characters)
}

@Suite("身份证号")
struct IDNumberTests {
    @Test func knownValidNumbers() throws {
        let first = try IDNumber("11010519491231002X", today: fixedToday)
        #expect(first.value == "11010519491231002X")
        #expect(first.gender == .female)
        #expect(first.birthDate == CalendarDate(year: 1949, month: 12, day: 31))
        #expect(first.regionCode == "110105")

        let generated = IDNumber.generate(region: "440524", birth: CalendarDate(year: 1980, month: 1, day: 1)!, sequence: 1)
        let second = try IDNumber(generated.value, today: fixedToday)
        #expect(second.gender == .male)
        #expect(second.birthDate.iso == "1980-01-01")
    }

    /// The standard's own example (born 1880) has a correct check character, but a birth date
    /// before 1900 cannot belong to a living applicant, so it is refused for the date, not the check.
    @Test func standardExampleBornIn1880() {
        #expect(IDNumber.checkCharacter(for: "44052418800101001") == "4")
        #expect(throws: IDNumberError.birthDateOutOfRange) { try IDNumber("440524188001010014", today: fixedToday) }
    }

    @Test func checkCharacterOfKnownNumber() {
        #expect(IDNumber.checkCharacter(for: "11010519491231002") == "X")
        #expect(IDNumber.checkCharacter(for: "44052418800101001") == "4")
    }

    @Test func lowerCaseXIsNormalised() throws {
        #expect(try IDNumber("11010519491231002x", today: fixedToday).value == "11010519491231002X")
    }

    @Test func fullWidthInputIsNormalised() throws {
        #expect(try IDNumber("１１０１０５１９４９１２３１００２Ｘ", today: fixedToday).value == "11010519491231002X")
        #expect(try IDNumber("１１０１０５１９４９１２３１００２ｘ", today: fixedToday).value == "11010519491231002X")
        #expect(try IDNumber("  11010519491231002X\u{3000}\n", today: fixedToday).value == "11010519491231002X")
    }

    @Test func wrongCheckCharacterNamesTheExpectedOne() {
        #expect(throws: IDNumberError.wrongCheckCharacter(expected: "X")) {
            try IDNumber("110105194912310021", today: fixedToday)
        }
        #expect(IDNumberError.wrongCheckCharacter(expected: "X").message == "身份证号校验位错误，应为 X")
    }

    @Test func shapeErrors() {
        #expect(throws: IDNumberError.empty) { try IDNumber("   ", today: fixedToday) }
        #expect(throws: IDNumberError.wrongLength(17)) { try IDNumber("11010519491231002", today: fixedToday) }
        #expect(throws: IDNumberError.wrongLength(15)) { try IDNumber("110105491231002", today: fixedToday) }
        #expect(throws: IDNumberError.invalidCharacter) { try IDNumber("1101051949123100X2", today: fixedToday) }
        #expect(throws: IDNumberError.invalidCharacter) { try IDNumber("11010519491231002Y", today: fixedToday) }
        #expect(throws: IDNumberError.invalidRegionCode) {
            try IDNumber(IDNumber.generate(region: "000000", birth: CalendarDate(year: 1990, month: 1, day: 1)!,
                                           sequence: 1).value, today: fixedToday)
        }
        #expect(IDNumberError.wrongLength(15).message.contains("15"))
    }

    @Test func february30IsRefused() {
        let first17 = "11010519900230123"
        let raw = first17 + String(IDNumber.checkCharacter(for: first17))
        #expect(throws: IDNumberError.invalidBirthDate) { try IDNumber(raw, today: fixedToday) }
    }

    @Test func leapDayAccepted() throws {
        let id = IDNumber.generate(region: "110105", birth: CalendarDate(year: 2000, month: 2, day: 29)!, sequence: 123)
        #expect(try IDNumber(id.value, today: fixedToday).birthDate.iso == "2000-02-29")
    }

    @Test func birthDateRange() {
        let future = IDNumber.generate(region: "110105", birth: CalendarDate(year: 2026, month: 11, day: 24)!, sequence: 1)
        #expect(throws: IDNumberError.birthDateOutOfRange) { try IDNumber(future.value, today: fixedToday) }
        let onToday = IDNumber.generate(region: "110105", birth: fixedToday, sequence: 1)
        #expect((try? IDNumber(onToday.value, today: fixedToday)) != nil)
        let ancient = IDNumber.generate(region: "110105", birth: CalendarDate(year: 1899, month: 12, day: 31)!, sequence: 1)
        #expect(throws: IDNumberError.birthDateOutOfRange) { try IDNumber(ancient.value, today: fixedToday) }
    }

    @Test func genderFollowsSequenceParity() {
        let birth = CalendarDate(year: 1985, month: 6, day: 15)!
        for sequence in 0...20 {
            let id = IDNumber.generate(region: "320106", birth: birth, sequence: sequence)
            #expect(id.gender == (sequence % 2 == 1 ? .male : .female))
            #expect(id.birthDate == birth)
        }
        #expect(Gender.male.label == "男")
        #expect(Gender.female.label == "女")
    }

    @Test func masking() throws {
        let id = try IDNumber("11010519491231002X", today: fixedToday)
        #expect(id.masked == "110105********002X")
        #expect("\(id)" == "110105********002X")
    }

    @Test func codableRoundTripAndValidation() throws {
        let id = try IDNumber("11010519491231002X", today: fixedToday)
        let data = try JSONEncoder().encode([id])
        #expect(String(decoding: data, as: UTF8.self) == #"["11010519491231002X"]"#)
        #expect(try JSONDecoder().decode([IDNumber].self, from: data) == [id])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([IDNumber].self, from: Data(#"["110105194912310021"]"#.utf8))
        }
    }

    @Test func ageOnDate() {
        let id = IDNumber.generate(region: "110105", birth: CalendarDate(year: 2000, month: 6, day: 15)!, sequence: 7)
        #expect(id.age(on: CalendarDate(year: 2018, month: 6, day: 14)!) == 17)
        #expect(id.age(on: CalendarDate(year: 2018, month: 6, day: 15)!) == 18)
    }

    // MARK: Properties

    @Test func generatedNumbersAllParse() throws {
        var generator = SplitMix64(seed: 0x5AFE_CE27)
        for _ in 0..<2_000 {
            let id = randomIDNumber(using: &generator)
            let parsed = try IDNumber(id.value, today: fixedToday)
            #expect(parsed == id)
            #expect(parsed.regionCode == id.regionCode)
        }
    }

    @Test func generatedNumberWithOneRandomSubstitutionIsRefused() {
        var generator = SplitMix64(seed: 42)
        for _ in 0..<2_000 {
            let id = randomIDNumber(using: &generator)
            let position = Int.random(in: 0..<18, using: &generator)
            let original = Array(id.value)[position]
            let replacement = Array("0123456789").filter { $0 != original }.randomElement(using: &generator)!
            let mutated = replacing(id.value, at: position, with: replacement)
            #expect(throws: IDNumberError.self, "\(mutated)") { try IDNumber(mutated, today: fixedToday) }
        }
    }

    /// MOD 11-2 detects every single-character substitution: check every position and every digit.
    @Test func everySingleSubstitutionIsRefused() {
        var generator = SplitMix64(seed: 7)
        var attempts = 0
        for _ in 0..<200 {
            let id = randomIDNumber(using: &generator)
            for position in 0..<18 {
                let original = Array(id.value)[position]
                let alternatives = position == 17 ? Array("0123456789X") : Array("0123456789")
                for replacement in alternatives where replacement != original {
                    let mutated = replacing(id.value, at: position, with: replacement)
                    // Only the structural errors could hide a check failure, so separately confirm
                    // the check character alone catches it.
                    #expect((try? IDNumber(mutated, today: fixedToday)) == nil, "\(mutated)")
                    #expect(IDNumber.checkCharacter(for: String(mutated.prefix(17))) != Array(mutated)[17], "\(mutated)")
                    attempts += 1
                }
            }
        }
        #expect(attempts == 200 * (17 * 9 + 10))
    }
}

@Suite("证件")
struct PersonIdentityTests {
    @Test func residentIDDerivesGenderAndBirthDate() throws {
        let person = try PersonIdentity(type: .residentID, number: "11010519491231002x", today: fixedToday)
        #expect(person.number == "11010519491231002X")
        #expect(person.gender == .female)
        #expect(person.birthDate == CalendarDate(year: 1949, month: 12, day: 31))
        #expect(person.residentID?.value == "11010519491231002X")
    }

    @Test func residentIDErrorsAreWrapped() {
        #expect(throws: PersonIdentityError.residentID(.wrongCheckCharacter(expected: "X"))) {
            try PersonIdentity(type: .residentID, number: "110105194912310021", today: fixedToday)
        }
        #expect(PersonIdentityError.residentID(.empty).message == "身份证号不能为空")
    }

    @Test func otherDocumentsAreNormalised() throws {
        let passport = try PersonIdentity(type: .passport, number: " e１２３４５６７８ ")
        #expect(passport.number == "E12345678")
        #expect(passport.gender == nil)
        #expect(passport.birthDate == nil)
        #expect(passport.residentID == nil)
        let permit = try PersonIdentity(type: .hongKongMacauPermit, number: "h１２３４５６７８ ")
        #expect(permit.number == "H12345678")
    }

    @Test func otherDocumentsShapeErrors() {
        #expect(throws: PersonIdentityError.empty(.passport)) { try PersonIdentity(type: .passport, number: "  ") }
        #expect(throws: PersonIdentityError.invalidFormat(.taiwanPermit)) {
            try PersonIdentity(type: .taiwanPermit, number: "1234")
        }
        #expect(throws: PersonIdentityError.wrongLength(.passport, 18)) {
            try PersonIdentity(type: .passport, number: String(repeating: "A", count: 18))
        }
        #expect(throws: PersonIdentityError.invalidCharacter(.foreignerPermanentResidence)) {
            try PersonIdentity(type: .foreignerPermanentResidence, number: "ABC 12345")
        }
        #expect(PersonIdentityError.empty(.passport).message == "护照号码不能为空")
    }

    @Test func codableRevalidates() throws {
        let person = try PersonIdentity(type: .passport, number: "E12345678")
        let data = try JSONEncoder().encode(person)
        #expect(try JSONDecoder().decode(PersonIdentity.self, from: data) == person)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(PersonIdentity.self, from: Data(#"{"type":"passport","number":"E1"}"#.utf8))
        }
    }

    @Test func labels() {
        #expect(IDDocumentType.allCases.count == 5)
        #expect(IDDocumentType.residentID.label == "居民身份证")
        #expect(Set(IDDocumentType.allCases.map(\.label)).count == 5)
    }
}

@Suite("日期")
struct CalendarDateTests {
    @Test func validation() {
        #expect(CalendarDate(year: 2024, month: 2, day: 29) != nil)
        #expect(CalendarDate(year: 2023, month: 2, day: 29) == nil)
        #expect(CalendarDate(year: 1900, month: 2, day: 29) == nil)
        #expect(CalendarDate(year: 2000, month: 2, day: 29) != nil)
        #expect(CalendarDate(year: 2026, month: 4, day: 31) == nil)
        #expect(CalendarDate(year: 2026, month: 13, day: 1) == nil)
        #expect(CalendarDate(year: 2026, month: 1, day: 0) == nil)
    }

    @Test func isoParsing() {
        #expect(CalendarDate(iso: "2026-11-23") == CalendarDate(year: 2026, month: 11, day: 23))
        #expect(CalendarDate(iso: "2026-11-23")?.iso == "2026-11-23")
        #expect(CalendarDate(year: 987, month: 1, day: 2)?.iso == "0987-01-02")
        for bad in ["2026-2-3", "2026/11/23", "2026-11-31", "", "20261123", "2026-11-2x", "+026-11-23"] {
            #expect(CalendarDate(iso: bad) == nil, "\(bad)")
        }
    }

    @Test func ordering() {
        let dates = ["2026-01-01", "2025-12-31", "2026-01-02", "1999-06-30"].compactMap(CalendarDate.init(iso:))
        #expect(dates.sorted().map(\.iso) == ["1999-06-30", "2025-12-31", "2026-01-01", "2026-01-02"])
    }

    @Test func addingYearsClampsLeapDay() {
        #expect(CalendarDate(iso: "2024-02-29")!.adding(years: 6).iso == "2030-02-28")
        #expect(CalendarDate(iso: "2024-02-29")!.adding(years: 4).iso == "2028-02-29")
        #expect(CalendarDate(iso: "2026-11-23")!.adding(years: -3).iso == "2023-11-23")
    }

    @Test func dayArithmetic() {
        let start = CalendarDate(iso: "2026-11-23")!
        #expect(start.adding(days: 39).iso == "2027-01-01")
        #expect(start.adding(days: -365).iso == "2025-11-23")
        #expect(CalendarDate(iso: "1970-01-01")!.days(until: start) == 20_780)
        #expect(start.days(until: CalendarDate(iso: "1970-01-01")!) == -20_780)
        var generator = SplitMix64(seed: 99)
        for _ in 0..<500 {
            let offset = Int.random(in: -100_000...100_000, using: &generator)
            #expect(start.adding(days: offset).days(until: start) == -offset)
        }
    }

    @Test func todayUsesBeijingTime() {
        // 2026-11-22T16:30:00Z is 00:30 on the 23rd in Beijing.
        let now = Date(timeIntervalSince1970: 1_795_365_000)
        #expect(CalendarDate.today(now: now).iso == "2026-11-23")
        #expect(CalendarDate.today(in: TimeZone(identifier: "UTC")!, now: now).iso == "2026-11-22")
        #expect(CalendarDate(iso: "2026-11-23")!.startOfDay() == Date(timeIntervalSince1970: 1_795_363_200))
    }

    @Test func codableAsISOString() throws {
        let data = try JSONEncoder().encode([CalendarDate(iso: "2026-11-23")!])
        #expect(String(decoding: data, as: UTF8.self) == #"["2026-11-23"]"#)
        #expect(try JSONDecoder().decode([CalendarDate].self, from: data) == [CalendarDate(iso: "2026-11-23")!])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([CalendarDate].self, from: Data(#"["2026-02-30"]"#.utf8))
        }
    }
}
