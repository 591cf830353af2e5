import Foundation

/// Lockout and session rules of the login (等保 2.0, issue 2). Per account, never per IP: a
/// whole exam room shares one address.
public struct LoginPolicy: Sendable {
    public var maxFailures = 5
    public var lockDuration: TimeInterval = 15 * 60
    public var idleTimeout: TimeInterval = 30 * 60
    public var smsCodeLifetime: TimeInterval = 5 * 60
    public var smsResendInterval: TimeInterval = 60
    /// At most this many codes to one phone number in 24 hours, whichever session asks.
    public var smsDailyLimitPerPhone = 10

    public init() {}

    public static let standard = LoginPolicy()

    public enum Outcome: Sendable, Equatable {
        case stillOpen(failures: Int)
        case locked(until: Date)
    }

    /// The account's state after one more failure at `now`.
    public func afterFailure(previousFailures: Int, now: Date) -> Outcome {
        let failures = previousFailures + 1
        if failures >= maxFailures { return .locked(until: now.addingTimeInterval(lockDuration)) }
        return .stillOpen(failures: failures)
    }

    public func isLocked(lockedUntil: Date?, now: Date) -> Bool {
        guard let lockedUntil else { return false }
        return lockedUntil > now
    }

    public func isIdleExpired(lastSeen: Date, now: Date) -> Bool {
        now.timeIntervalSince(lastSeen) > idleTimeout
    }

    public static let genericFailureMessage = "用户名或密码错误"
    public static let lockedMessage = "登录失败次数过多，账号已锁定 15 分钟，请稍后再试"
}
