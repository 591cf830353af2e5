import Testing
@testable import SafeCertCore

@Suite("密码策略")
struct PasswordPolicyTests {
    let policy = PasswordPolicy()

    @Test func defaults() {
        #expect(policy.minLength == 8)
        #expect(policy.requiredClasses == 3)
        #expect(policy.maxBytes == 72)
    }

    @Test(arguments: ["Abcdefg1", "abcdef1!", "ABCDEF1!", "Abcdefg!", "Zx9!Zx9!Zx9!", "安全证书abc123"])
    func threeOfFourClassesAccepted(password: String) throws {
        #expect(policy.violations(password: password, username: "zhangsan") == [])
        try policy.validate(password: password, username: "zhangsan")
    }

    @Test(arguments: ["abcdefgh", "abcdefg1", "ABCDEFG!", "12345678", "!@#$%^&*", "abcd1234"])
    func fewerThanThreeClassesRefused(password: String) {
        let problems = policy.violations(password: password, username: "zhangsan")
        #expect(problems.count == 1)
        #expect(problems.first?.contains("至少 3 类") == true)
    }

    @Test func tooShort() {
        #expect(policy.violations(password: "Ab1!", username: "") == ["密码长度至少 8 位，当前为 4 位"])
    }

    @Test func seventyTwoBytesAllowedSeventyThreeRefused() {
        let ascii72 = "Aa1!" + String(repeating: "x", count: 68)
        #expect(ascii72.utf8.count == 72)
        #expect(policy.violations(password: ascii72, username: "") == [])
        #expect(policy.violations(password: ascii72 + "y", username: "").count == 1)

        // Each Chinese character is 3 UTF-8 bytes, so 27 characters already exceed bcrypt's 72 bytes.
        let chinese70 = String(repeating: "密", count: 22) + "码A"
        #expect(chinese70.utf8.count == 70)
        let chinese73 = chinese70 + "a1b"
        #expect(chinese73.utf8.count == 73)
        #expect(chinese73.count == 27)
        let problems = policy.violations(password: chinese73, username: "")
        #expect(problems == ["密码不能超过 72 字节（当前 73 字节，一个汉字占 3 字节），请缩短"])
        #expect(policy.violations(password: chinese70 + "1a", username: "") == [])
    }

    @Test func mustNotContainUsername() {
        #expect(policy.violations(password: "ZhangSan2024!", username: "zhangsan") == ["密码不能包含用户名"])
        #expect(policy.violations(password: "Xzhangsan9", username: " ZHANGSAN ") == ["密码不能包含用户名"])
        #expect(policy.violations(password: "Lisi2024!!", username: "zhangsan") == [])
    }

    @Test func emptyAndWhitespaceOnly() {
        #expect(policy.violations(password: "", username: "a") == ["密码不能为空"])
        #expect(policy.violations(password: "          ", username: "a") == ["密码不能全为空白字符"])
        #expect(policy.violations(password: "\u{3000}\u{3000}\u{3000}\u{3000}\t\n  ", username: "a") == ["密码不能全为空白字符"])
    }

    @Test func validateThrowsAllViolations() {
        #expect(throws: PasswordPolicyError.self) { try policy.validate(password: "abc", username: "abc") }
        do {
            try policy.validate(password: "abc", username: "abc")
        } catch {
            #expect(error.violations.count == 3)
            #expect(error.message.contains("；"))
        }
    }

    @Test func customPolicy() {
        let strict = PasswordPolicy(minLength: 12, requiredClasses: 4)
        #expect(strict.violations(password: "Abcdefgh1234", username: "").count == 1)
        #expect(strict.violations(password: "Abcdefgh123!", username: "") == [])
    }

    @Test func temporaryPasswordsAlwaysPass() {
        var generator = SplitMix64(seed: 22239)
        var seen = Set<String>()
        for _ in 0..<500 {
            let password = PasswordPolicy.generateTemporary(using: &generator)
            #expect(password.count == 12)
            #expect(PasswordPolicy.characterClasses(in: password).count == 4, "\(password)")
            #expect(policy.violations(password: password, username: "operator") == [], "\(password)")
            #expect(!password.contains(where: { "0O1lI".contains($0) }), "\(password)")
            seen.insert(password)
        }
        #expect(seen.count == 500)
    }

    @Test func temporaryPasswordWithSystemGenerator() {
        var generator = SystemRandomNumberGenerator()
        #expect(PasswordPolicy().violations(password: PasswordPolicy.generateTemporary(using: &generator), username: "") == [])
    }
}
