import Foundation
import Synchronization
import Vapor

/// The clock is injected so tests pin time (lockout, idle timeout, TOTP).
public protocol AppClock: Sendable {
    func now() -> Date
}

public struct SystemClock: AppClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock the tests move by hand.
public final class ManualClock: AppClock {
    private let current: Mutex<Date>
    public init(_ start: Date = Date()) { current = Mutex(start) }
    public func now() -> Date { current.withLock { $0 } }
    public func advance(by seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// Outside services the application talks to, built once by the composition root.
public struct AppServices: Sendable {
    public var sms: any SMSGateway
    public var clock: any AppClock

    public init(sms: any SMSGateway, clock: any AppClock) {
        self.sms = sms
        self.clock = clock
    }

    static func live(settings: Settings, client: any Client, logger: Logger) -> AppServices {
        let sms: any SMSGateway
        if let url = settings.smsGatewayURL {
            sms = HTTPSMSGateway(url: url, token: settings.smsGatewayToken, client: client)
        } else {
            sms = OutboxSMSGateway(logger: logger)
        }
        return AppServices(sms: sms, clock: SystemClock())
    }
}

struct AppServicesKey: StorageKey { typealias Value = AppServices }

extension Application {
    public var appServices: AppServices {
        get {
            guard let services = storage[AppServicesKey.self] else { fatalError("services are set by configure()") }
            return services
        }
        set { storage[AppServicesKey.self] = newValue }
    }
}

extension Request {
    var appServices: AppServices { application.appServices }
    var now: Date { application.appServices.clock.now() }
}
