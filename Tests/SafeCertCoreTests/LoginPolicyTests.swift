import Testing
@testable import SafeCertCore

@Suite("登录与短信验证码限制")
struct LoginPolicyTests {
    let policy = LoginPolicy.standard

    @Test("five failures of one account at one address bar it there; four don't")
    func accountBarredAtItsAddress() {
        #expect(policy.gate(failuresHere: 4, failuresFromAddress: 4) == .open)
        #expect(policy.gate(failuresHere: 5, failuresFromAddress: 5) == .lockedHere)
        // The same account from an address without failures is open: the owner elsewhere is not locked out.
        #expect(policy.gate(failuresHere: 0, failuresFromAddress: 0) == .open)
    }

    @Test("twenty failures from one address bar the address, whatever the usernames")
    func addressThrottled() {
        #expect(policy.gate(failuresHere: 0, failuresFromAddress: 19) == .open)
        #expect(policy.gate(failuresHere: 0, failuresFromAddress: 20) == .addressThrottled)
        #expect(policy.gate(failuresHere: 5, failuresFromAddress: 20) == .addressThrottled)
    }

    @Test("the bar is noted once, on the failure that reaches the limit")
    func barNotedOnce() {
        #expect(!policy.failureLocks(failuresHere: 4))
        #expect(policy.failureLocks(failuresHere: 5))
        #expect(!policy.failureLocks(failuresHere: 6))
        #expect(policy.failureThrottlesAddress(failuresFromAddress: 20))
        #expect(!policy.failureThrottlesAddress(failuresFromAddress: 21))
    }

    @Test("a code dies after five wrong tries; tries are limited per phone and per address")
    func codeTries() {
        #expect(policy.codeGate(wrongTriesOfCode: 4, wrongTriesForPhone: 4, wrongTriesFromAddress: 4) == .open)
        #expect(policy.codeGate(wrongTriesOfCode: 5, wrongTriesForPhone: 5, wrongTriesFromAddress: 5) == .codeSpent)
        #expect(policy.codeGate(wrongTriesOfCode: 0, wrongTriesForPhone: 10, wrongTriesFromAddress: 0) == .phoneThrottled)
        #expect(policy.codeGate(wrongTriesOfCode: 0, wrongTriesForPhone: 0, wrongTriesFromAddress: 30) == .addressThrottled)
        #expect(LoginPolicy.codeRefusal(.open) == nil)
        for gate in [LoginPolicy.CodeGate.codeSpent, .phoneThrottled, .addressThrottled] {
            #expect(LoginPolicy.codeRefusal(gate)?.isEmpty == false)
        }
    }

    @Test("codes sent at one address's request are limited")
    func sendsPerAddress() {
        #expect(policy.maySendCode(sentFromAddress: 29))
        #expect(!policy.maySendCode(sentFromAddress: 30))
    }

    @Test("the failure answer says nothing about whether the name exists or is barred")
    func oneAnswer() {
        #expect(!LoginPolicy.genericFailureMessage.contains("锁定"))
        #expect(!LoginPolicy.genericFailureMessage.contains("不存在"))
    }
}
