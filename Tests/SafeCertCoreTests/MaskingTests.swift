import Testing
@testable import SafeCertCore

@Suite("脱敏")
struct MaskingTests {
    @Test func idNumber() {
        #expect(Masking.idNumber("110105194912311234") == "110105********1234")
        #expect(Masking.idNumber(" 11010519491231002X ") == "110105********002X")
        #expect(Masking.idNumber("110105491231123") == "110105*****1123")
        #expect(Masking.idNumber("E12345678") == "E*******8")
        #expect(Masking.idNumber("AB") == "**")
        #expect(Masking.idNumber("") == "")
    }

    @Test func phone() {
        #expect(Masking.phone("13812345678") == "138****5678")
        #expect(Masking.phone("12345") == "1***5")
    }

    @Test func name() {
        #expect(Masking.name("张三") == "张*")
        #expect(Masking.name("张小三") == "张*三")
        #expect(Masking.name("欧阳小锋") == "欧**锋")
        #expect(Masking.name("王") == "*")
        #expect(Masking.name(" 李四 ") == "李*")
        #expect(Masking.name("") == "")
    }

    @Test func maskedValuesKeepLength() {
        for value in ["110105194912311234", "13812345678", "阿卜杜热合曼·买买提"] {
            #expect(Masking.idNumber(value).count == value.count)
            #expect(Masking.phone(value).count == value.count)
            #expect(Masking.name(value).count == value.count)
        }
    }
}
