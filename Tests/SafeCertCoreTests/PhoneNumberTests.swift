import Foundation
import Testing
@testable import SafeCertCore

@Suite("手机号")
struct PhoneNumberTests {
    @Test(arguments: [
        "13812345678", " 138 1234 5678 ", "138-1234-5678", "+8613812345678", "+86 138 1234 5678",
        "8613812345678", "008613812345678", "１３８１２３４５６７８", "１３８－１２３４－５６７８",
    ])
    func normalisedForms(raw: String) throws {
        #expect(try PhoneNumber(raw).value == "13812345678")
    }

    @Test func everyMobilePrefixFrom13To19() throws {
        for second in 3...9 {
            #expect(try PhoneNumber("1\(second)012345678").value == "1\(second)012345678")
        }
    }

    @Test func errors() {
        #expect(throws: PhoneNumberError.empty) { try PhoneNumber("  - ") }
        #expect(throws: PhoneNumberError.wrongLength(10)) { try PhoneNumber("1381234567") }
        #expect(throws: PhoneNumberError.wrongLength(12)) { try PhoneNumber("138123456789") }
        #expect(throws: PhoneNumberError.invalidCharacter) { try PhoneNumber("1381234567a") }
        #expect(throws: PhoneNumberError.invalidCharacter) { try PhoneNumber("(010)12345678") }
        #expect(throws: PhoneNumberError.invalidPrefix) { try PhoneNumber("12812345678") }
        #expect(throws: PhoneNumberError.invalidPrefix) { try PhoneNumber("23812345678") }
        #expect(PhoneNumberError.wrongLength(10).message == "手机号应为 11 位数字，当前为 10 位")
    }

    @Test func masked() throws {
        let phone = try PhoneNumber("13812345678")
        #expect(phone.masked == "138****5678")
        #expect("\(phone)" == "138****5678")
    }

    @Test func codable() throws {
        let phone = try PhoneNumber("+86 138 1234 5678")
        let data = try JSONEncoder().encode([phone])
        #expect(String(decoding: data, as: UTF8.self) == #"["13812345678"]"#)
        #expect(try JSONDecoder().decode([PhoneNumber].self, from: data) == [phone])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([PhoneNumber].self, from: Data(#"["123"]"#.utf8)) }
    }
}
