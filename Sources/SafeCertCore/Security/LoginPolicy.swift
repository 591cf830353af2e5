import Foundation

/// Throttling and session rules of the login and of SMS codes (等保 2.0).
///
/// Failures are counted per account *and source address*, and per source address across all
/// usernames: five wrong passwords for one account from one address bar that account at that
/// address for 15 minutes, and twenty failures from one address bar the address. So an attacker
/// can't lock the owner out from somewhere else, and a whole exam room behind one address is
/// not barred by one person's typos. A locked, an unknown and a wrong-password answer look alike.
public struct LoginPolicy: Sendable {
    /// Failures of one account from one address that bar it there.
    public var maxFailures = 5
    /// How far back failures count; a bar lifts when its failures are this old.
    public var lockDuration: TimeInterval = 15 * 60
    /// Failures from one address, whatever the usernames, that bar the address.
    public var maxFailuresPerAddress = 20
    public var idleTimeout: TimeInterval = 30 * 60
    public var smsCodeLifetime: TimeInterval = 5 * 60
    public var smsResendInterval: TimeInterval = 60
    /// At most this many codes to one phone number in 24 hours, whichever session asks.
    public var smsDailyLimitPerPhone = 10
    /// A code dies after this many wrong tries.
    public var smsMaxWrongTriesPerCode = 5
    /// The window of the per-phone and per-address limits on SMS codes below.
    public var smsWindow: TimeInterval = 60 * 60
    /// Wrong codes typed for one phone number in `smsWindow`, whichever session.
    public var smsWrongTriesPerPhone = 10
    /// Wrong codes typed from one address in `smsWindow`, whatever the phone.
    public var smsWrongTriesPerAddress = 30
    /// Codes sent at the request of one address in `smsWindow`, whatever the phone.
    public var smsSendsPerAddress = 30

    public init() {}

    public static let standard = LoginPolicy()

    // MARK: Password step

    public enum Gate: Sendable, Equatable {
        case open
        /// This account is barred at this address (elsewhere it is not).
        case lockedHere
        /// This address is barred, whatever the username.
        case addressThrottled
    }

    /// Whether an attempt may be checked, from the failures already counted in the last
    /// `lockDuration`: of this account (or typed name) from this address, and from this address.
    public func gate(failuresHere: Int, failuresFromAddress: Int) -> Gate {
        if failuresFromAddress >= maxFailuresPerAddress { return .addressThrottled }
        if failuresHere >= maxFailures { return .lockedHere }
        return .open
    }

    /// Whether a failure that brings the counts to these numbers is the one that bars the
    /// account here (so it is logged once, not on every later try).
    public func failureLocks(failuresHere: Int) -> Bool { failuresHere == maxFailures }

    public func failureThrottlesAddress(failuresFromAddress: Int) -> Bool { failuresFromAddress == maxFailuresPerAddress }

    public func isLocked(lockedUntil: Date?, now: Date) -> Bool {
        guard let lockedUntil else { return false }
        return lockedUntil > now
    }

    public func isIdleExpired(lastSeen: Date, now: Date) -> Bool {
        now.timeIntervalSince(lastSeen) > idleTimeout
    }

    // MARK: SMS codes

    public enum CodeGate: Sendable, Equatable {
        case open
        /// Too many wrong tries of this code: a new one must be sent.
        case codeSpent
        case phoneThrottled
        case addressThrottled
    }

    /// Whether a typed code may be compared, from the wrong tries already counted: of this code,
    /// for this phone and from this address (the last two within `smsWindow`).
    public func codeGate(wrongTriesOfCode: Int, wrongTriesForPhone: Int, wrongTriesFromAddress: Int) -> CodeGate {
        if wrongTriesOfCode >= smsMaxWrongTriesPerCode { return .codeSpent }
        if wrongTriesForPhone >= smsWrongTriesPerPhone { return .phoneThrottled }
        if wrongTriesFromAddress >= smsWrongTriesPerAddress { return .addressThrottled }
        return .open
    }

    /// Whether one more code may be sent at the request of this address.
    public func maySendCode(sentFromAddress: Int) -> Bool { sentFromAddress < smsSendsPerAddress }

    // MARK: Messages

    /// The one answer to an unknown username, a wrong password, a disabled account and an
    /// account barred at this address: the answer tells nobody which usernames exist.
    public static let genericFailureMessage = "用户名或密码错误。同一账号在同一地址连续失败 5 次，须等待 15 分钟后再试"
    public static let addressThrottledMessage = "本地址登录失败次数过多，请 15 分钟后再试"

    public static let codeSpentMessage = "短信验证码错误次数过多，已失效，请重新获取"

    public static func codeRefusal(_ gate: CodeGate) -> String? {
        switch gate {
        case .open: nil
        case .codeSpent: codeSpentMessage
        case .phoneThrottled: "该手机号验证码错误次数过多，请 1 小时后再试"
        case .addressThrottled: "本地址验证码错误次数过多，请 1 小时后再试"
        }
    }
}
