/// A typed SMS code compared with the one the session holds.
public enum SMSCodeCheck: Sendable, Equatable {
    case valid
    /// Wrong or expired; the code stays usable until its tries run out.
    case wrong
    /// No code was sent to this session (or it was spent and cleared).
    case missing
    /// Not compared: the code spent, or too many tries for the phone or from the address.
    case refused(String)
}

/// Why the second login step (dynamic code and SMS code) failed: `reason` for the audit log,
/// `message` for the person, who is never told which of the two codes was wrong unless the
/// SMS code was simply never asked for.
public struct SecondFactorFailure: Error, Sendable, Equatable {
    public let reason: String
    public let message: String

    /// The accepted dynamic-code step when both codes passed (nil `totpStep`: the dynamic code
    /// was wrong or already used).
    public static func judge<Step>(totpStep: Step?, sms: SMSCodeCheck) -> Result<Step, SecondFactorFailure> {
        if let totpStep, sms == .valid { return .success(totpStep) }
        return .failure(failure(totpAccepted: totpStep != nil, sms: sms))
    }

    static func failure(totpAccepted: Bool, sms: SMSCodeCheck) -> SecondFactorFailure {
        let generic = "动态码或短信验证码错误（动态码每个只能使用一次）"
        switch sms {
        case .refused(let refusal):
            return .init(reason: refusal, message: refusal)
        case .missing:
            return .init(reason: "未获取短信验证码", message: totpAccepted ? "请先获取短信验证码" : generic)
        case .valid, .wrong:
            return .init(reason: totpAccepted ? "短信验证码错误或已过期" : "动态码错误或已使用", message: generic)
        }
    }
}
