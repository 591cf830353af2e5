import Testing
@testable import SafeCertCore

@Suite("二次验证失败的原因与提示")
struct SecondFactorFailureTests {
    let generic = "动态码或短信验证码错误（动态码每个只能使用一次）"

    @Test func bothCodesRightPassTheStep() {
        #expect(SecondFactorFailure.judge(totpStep: 42, sms: .valid) == .success(42))
        #expect(SecondFactorFailure.judge(totpStep: Int?.none, sms: .valid) == .failure(.init(reason: "动态码错误或已使用", message: generic)))
    }

    @Test func theMessageDoesNotSayWhichCodeWasWrong() {
        #expect(SecondFactorFailure.failure(totpAccepted: false, sms: .valid) == .init(reason: "动态码错误或已使用", message: generic))
        #expect(SecondFactorFailure.failure(totpAccepted: true, sms: .wrong) == .init(reason: "短信验证码错误或已过期", message: generic))
        #expect(SecondFactorFailure.failure(totpAccepted: false, sms: .wrong) == .init(reason: "动态码错误或已使用", message: generic))
    }

    @Test func aMissingSMSCodeIsAskedForOnlyWhenTheDynamicCodeWasRight() {
        #expect(SecondFactorFailure.failure(totpAccepted: true, sms: .missing) == .init(reason: "未获取短信验证码", message: "请先获取短信验证码"))
        #expect(SecondFactorFailure.failure(totpAccepted: false, sms: .missing) == .init(reason: "未获取短信验证码", message: generic))
    }

    @Test func aRefusalIsToldAsItIs() {
        let refusal = "验证码尝试次数过多，请重新获取"
        #expect(SecondFactorFailure.failure(totpAccepted: true, sms: .refused(refusal)) == .init(reason: refusal, message: refusal))
        #expect(SecondFactorFailure.failure(totpAccepted: false, sms: .refused(refusal)) == .init(reason: refusal, message: refusal))
    }
}
