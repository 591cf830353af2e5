import Foundation
import SafeCertCore
import SafeCertDocuments
import Vapor

/// Configuration read from the environment (README: Configuration).
public struct Settings: Sendable {
    public enum Storage: Sendable, Equatable {
        case sqliteFile(path: String)
        case sqliteMemory
        case postgres(url: String, searchPath: String?)
    }

    public var storage: Storage
    /// Demo mode: the SMS outbox page and the demo TOTP codes are visible (make run).
    public var demoMode: Bool
    /// Test mode: the login page carries the captcha answer for automated tests. Never in production.
    public var testMode: Bool
    /// Cookies are marked Secure when the site is served over TLS (directly or by the proxy).
    public var secureCookies: Bool
    /// Peers whose X-Forwarded-For header is believed.
    public var trustedProxies: Set<String>
    /// HTTP SMS gateway; without it messages go to the log and the outbox table.
    public var smsGatewayURL: String?
    public var smsGatewayToken: String?
    /// bcrypt work factor (tests lower it to stay fast).
    public var bcryptCost: Int = 12
    /// Seconds between online-study heartbeats (SAFECERT_STUDY_INTERVAL; 30 by default; the
    /// browser tests shorten it). Every other study number scales from the Core policy.
    public var studyInterval: Double = 30
    /// The ID-card reader's local service the 实名认证 page calls (SAFECERT_ID_READER_URL): readers
    /// ship a localhost HTTP service answering JSON with the card's number, name and photo.
    public var idReaderURL = "http://127.0.0.1:19196/api/read"
    /// ffprobe (Debian package ffmpeg), which reads an uploaded lesson's real format and length
    /// (SAFECERT_FFPROBE; by default the one on the PATH).
    public var ffprobePath = FFprobe.defaultExecutable()

    var studyPolicy: StudyPolicy {
        studyInterval == 30 ? .standard : StudyPolicy(interval: studyInterval, tolerance: max(1, studyInterval / 6),
                                                      minimumSnapshotDelay: max(5, studyInterval * 2), maximumSnapshotDelay: max(10, studyInterval * 4))
    }

    public init(
        storage: Storage, demoMode: Bool = false, testMode: Bool = false, secureCookies: Bool = false,
        trustedProxies: Set<String> = [], smsGatewayURL: String? = nil, smsGatewayToken: String? = nil
    ) {
        self.storage = storage
        self.demoMode = demoMode
        self.testMode = testMode
        self.secureCookies = secureCookies
        self.trustedProxies = trustedProxies
        self.smsGatewayURL = smsGatewayURL
        self.smsGatewayToken = smsGatewayToken
    }

    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> Settings {
        let storage: Storage
        if let url = env["DATABASE_URL"], !url.isEmpty {
            storage = .postgres(url: url, searchPath: env["SAFECERT_PG_SCHEMA"])
        } else {
            let dir = env["SAFECERT_DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "data"
            storage = .sqliteFile(path: URL(fileURLWithPath: dir).appendingPathComponent("safecert.sqlite").path)
        }
        func flag(_ name: String) -> Bool { ["1", "true", "yes"].contains(env[name]?.lowercased() ?? "") }
        let proxies = (env["SAFECERT_TRUSTED_PROXIES"] ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var settings = Settings(
            storage: storage,
            demoMode: flag("SAFECERT_DEMO"),
            testMode: flag("SAFECERT_TEST_MODE"),
            secureCookies: flag("SAFECERT_SECURE_COOKIES"),
            trustedProxies: Set(proxies),
            smsGatewayURL: env["SAFECERT_SMS_GATEWAY_URL"].flatMap { $0.isEmpty ? nil : $0 },
            smsGatewayToken: env["SAFECERT_SMS_GATEWAY_TOKEN"]
        )
        if let interval = env["SAFECERT_STUDY_INTERVAL"].flatMap(Double.init), (2...300).contains(interval) {
            settings.studyInterval = interval
        }
        if let ffprobe = env["SAFECERT_FFPROBE"], !ffprobe.isEmpty {
            settings.ffprobePath = ffprobe
        }
        if let reader = env["SAFECERT_ID_READER_URL"], reader.hasPrefix("http://127.0.0.1:") || reader.hasPrefix("http://localhost:") {
            settings.idReaderURL = reader
        }
        return settings
    }
}

struct SettingsKey: StorageKey { typealias Value = Settings }

extension Application {
    var settings: Settings {
        get { storage[SettingsKey.self] ?? Settings(storage: .sqliteMemory) }
        set { storage[SettingsKey.self] = newValue }
    }
}
