import Foundation
import Testing
@testable import SafeCertCore

@Suite("统一社会信用代码")
struct CreditCodeTests {
    private static let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")

    @Test(arguments: ["91350100M000100Y43", "91110000600037341L"])
    func knownValidCodes(raw: String) throws {
        let code = try CreditCode.parse(raw)
        #expect(code.value == raw)
        #expect(code.checkCharacterValid)
        #expect(code.warning == nil)
        #expect(CreditCode.checkCharacter(for: String(raw.prefix(17))) == raw.last)
    }

    @Test func parts() throws {
        let code = try CreditCode.parse("91350100M000100Y43")
        #expect(code.registrationAuthority == "9")
        #expect(code.organizationType == "1")
        #expect(code.regionCode == "350100")
        #expect(code.organizationCode == "M000100Y4")
        #expect("\(code)" == "91350100M000100Y43")
    }

    @Test func normalisation() throws {
        #expect(try CreditCode.parse("  91350100m000100y43 ").value == "91350100M000100Y43")
        #expect(try CreditCode.parse("９１３５０１００Ｍ０００１００Ｙ４３").value == "91350100M000100Y43")
    }

    @Test func wrongCheckCharacterIsAWarningNotAnError() throws {
        let code = try CreditCode.parse("91350100M000100Y44")
        #expect(!code.checkCharacterValid)
        #expect(code.warning == "统一社会信用代码校验位不符（应为 3），请核对")
    }

    @Test func structuralErrorsThrow() {
        #expect(throws: CreditCodeError.empty) { try CreditCode.parse(" ") }
        #expect(throws: CreditCodeError.wrongLength(17)) { try CreditCode.parse("91350100M000100Y4") }
        #expect(throws: CreditCodeError.wrongLength(19)) { try CreditCode.parse("91350100M000100Y433") }
        for letter in ["I", "O", "Z", "S", "V"] {
            let raw = "91350100M000100" + letter + "43"
            #expect(throws: CreditCodeError.invalidCharacter(Character(letter)), "\(raw)") { try CreditCode.parse(raw) }
        }
        #expect(throws: CreditCodeError.invalidCharacter("-")) { try CreditCode.parse("91350100-000100Y43") }
        #expect(throws: CreditCodeError.invalidRegionCode) { try CreditCode.parse("9135A100M000100Y43") }
        #expect(CreditCodeError.invalidCharacter("I").message.contains("“I”"))
    }

    @Test func checkCharacterNeedsSeventeenAlphabetCharacters() {
        #expect(CreditCode.checkCharacter(for: "91350100M000100Y") == nil)
        #expect(CreditCode.checkCharacter(for: "91350100M000100I4") == nil)
    }

    @Test func generatedCodesAreValid() throws {
        var generator = SplitMix64(seed: 2015)
        for serial in 0..<500 {
            let region = ["110000", "350100", "440300", "310115"].randomElement(using: &generator)!
            let code = try CreditCode.generate(region: region, serial: serial * 7919)
            let parsed = try CreditCode.parse(code.value)
            #expect(parsed.checkCharacterValid, "\(code.value)")
            #expect(parsed.regionCode == region)
            #expect(code.value.hasPrefix("91"))
        }
    }

    /// The weights are powers of 3 modulo the prime 31, so every single substitution changes the check.
    @Test func everySingleSubstitutionBreaksTheCheck() throws {
        var generator = SplitMix64(seed: 32100)
        let codes = try ["91350100M000100Y43", "91110000600037341L"]
            + (0..<50).map { _ in try CreditCode.generate(region: "440305", serial: Int.random(in: 0..<100_000_000, using: &generator)).value }
        for original in codes {
            for position in 0..<18 {
                for replacement in Self.alphabet where replacement != Array(original)[position] {
                    var characters = Array(original)
                    characters[position] = replacement
                    let mutated = String(characters)
                    if (2..<8).contains(position), !TextNormalization.isASCIIDigit(replacement) {
                        #expect(throws: CreditCodeError.invalidRegionCode) { try CreditCode.parse(mutated) }
                    } else {
                        #expect(try CreditCode.parse(mutated).checkCharacterValid == false, "\(mutated)")
                    }
                }
            }
        }
    }

    @Test func codable() throws {
        let codes = [try CreditCode.parse("91350100M000100Y43"), try CreditCode.parse("91350100M000100Y44")]
        let data = try JSONEncoder().encode(codes)
        #expect(String(decoding: data, as: UTF8.self) == #"["91350100M000100Y43","91350100M000100Y44"]"#)
        #expect(try JSONDecoder().decode([CreditCode].self, from: data) == codes)
    }
}

@Suite("信用代码校验位确认")
struct CreditCodeConfirmationTests {
    static func failingCheck() throws -> CreditCode {
        var characters = Array(try CreditCode.generate(region: "220100", serial: 4242).value)
        characters[17] = characters[17] == "0" ? "1" : "0"
        return try CreditCode.parse(String(characters))
    }

    @Test("a failing check character is saved only once confirmed")
    func failingCheckNeedsConfirmation() throws {
        let code = try Self.failingCheck()
        #expect(!code.checkCharacterValid)
        #expect(code.needsConfirmation(confirmed: false))
        #expect(!code.needsConfirmation(confirmed: true))
    }

    @Test("a valid code and the code already on file are never asked about")
    func noQuestionWhenNotNeeded() throws {
        #expect(try !CreditCode.generate(region: "220100", serial: 1).needsConfirmation(confirmed: false))
        let code = try Self.failingCheck()
        #expect(!code.needsConfirmation(confirmed: false, onFile: code.value))
        #expect(code.needsConfirmation(confirmed: false, onFile: "91220100000000000X"))
    }

    @Test("format errors stay hard errors")
    func formatErrors() {
        #expect(throws: CreditCodeError.wrongLength(17)) { try CreditCode.parse("91220100000000000") }
        #expect(throws: CreditCodeError.invalidCharacter("I")) { try CreditCode.parse("9122010000000000I0") }
    }
}

@Suite("信用代码生成") struct CreditCodeGenerationTests {
    @Test("bad inputs to generate are typed errors, not traps")
    func badInputsThrow() {
        #expect(throws: CreditCode.GenerationError.region("22010")) { try CreditCode.generate(region: "22010", serial: 1) }
        #expect(throws: CreditCode.GenerationError.serial(-1)) { try CreditCode.generate(region: "220100", serial: -1) }
        #expect(throws: CreditCode.GenerationError.type("9I")) { try CreditCode.generate(region: "220100", serial: 1, type: "9I") }
        #expect(throws: CreditCode.GenerationError.type("912")) { try CreditCode.generate(region: "220100", serial: 1, type: "912") }
    }
}
