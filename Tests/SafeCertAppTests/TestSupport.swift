import Fluent
import Foundation
import NIOCore
import NIOHTTP1
import SQLKit
import Synchronization
import SafeCertCore
import Testing
import Vapor
import VaporTesting
@testable import SafeCertApp

/// An SMS gateway that keeps what it sent, so tests read the code as a user reads the phone.
final class RecordingSMSGateway: SMSGateway {
    private let sent = Mutex<[(phone: String, text: String)]>([])
    func send(to phone: String, text: String, at: Date, on db: any Database) async throws {
        sent.withLock { $0.append((phone, text)) }
        try await SMSMessage(phone: phone, text: text, via: "test", at: at).create(on: db)
    }
    var messages: [(phone: String, text: String)] { sent.withLock { $0 } }
    func lastCode() -> String? {
        guard let text = messages.last?.text, let range = text.range(of: #"\d{6}"#, options: .regularExpression) else { return nil }
        return String(text[range])
    }
}

/// A fresh app per test: in-memory SQLite, or its own schema in PostgreSQL when
/// SAFECERT_TEST_DATABASE_URL is set. The clock is pinned; demo data is seeded.
struct TestApp {
    let app: Application
    let clock: ManualClock
    let sms: RecordingSMSGateway

    var db: any Database { app.db }
    var isPostgres: Bool { (app.db as? any SQLDatabase)?.dialect.name == "postgresql" }

    func client(at address: String? = nil) -> WebClient { WebClient(test: self, address: address) }

    /// Logged in as a demo account (second step done where the role needs it).
    func loggedIn(_ username: String, password: String = DemoSeed.password) async throws -> WebClient {
        let client = client()
        try await client.login(username, password: password)
        return client
    }

    func organization(named name: String) async throws -> Organization {
        try #require(try await Organization.query(on: db).filter(\.$name == name).first())
    }

    func account(_ username: String) async throws -> Account {
        try #require(try await Account.query(on: db).filter(\.$username == username).first())
    }

    func auditCount(_ action: String) async throws -> Int {
        try await AuditEntry.query(on: db).filter(\.$action == action).count()
    }
}

func withSafeCert(seed: Bool = true, settings adjust: (inout Settings) -> Void = { _ in },
                  _ body: (TestApp) async throws -> Void) async throws {
    let env = ProcessInfo.processInfo.environment
    var schema: String?
    var settings: Settings
    if let url = env["SAFECERT_TEST_DATABASE_URL"], !url.isEmpty {
        schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        settings = Settings(storage: .postgres(url: url, searchPath: schema))
    } else {
        settings = Settings(storage: .sqliteMemory)
    }
    settings.testMode = true
    settings.demoMode = true
    settings.bcryptCost = 4
    adjust(&settings)
    let clock = ManualClock(Date(timeIntervalSince1970: 1_795_000_000))
    let sms = RecordingSMSGateway()
    let app = try await Application.make(.testing)
    app.logger.logLevel = .warning
    do {
        try await configure(app, settings: settings, services: AppServices(sms: sms, clock: clock))
        if let schema, let sql = app.db as? any SQLDatabase {
            try await sql.raw("CREATE SCHEMA IF NOT EXISTS \(unsafeRaw: schema)").run()
        }
        try await app.autoMigrate()
        if seed { try await DemoSeed.run(on: app, awaitingExam: false) }
        try await body(TestApp(app: app, clock: clock, sms: sms))
    } catch {
        if String(describing: error).contains("PSQLError") {
            Issue.record("PostgreSQL: \(String(reflecting: error))")
        }
        if let schema, let sql = app.db as? any SQLDatabase {
            try? await sql.raw("DROP SCHEMA IF EXISTS \(unsafeRaw: schema) CASCADE").run()
        }
        try? await app.asyncShutdown()
        throw error
    }
    if let schema, let sql = app.db as? any SQLDatabase {
        try await sql.raw("DROP SCHEMA IF EXISTS \(unsafeRaw: schema) CASCADE").run()
    }
    try await app.asyncShutdown()
}

/// A browser stand-in: keeps the session and visitor cookies, reads CSRF tokens and the test captcha from pages.
final class WebClient {
    let test: TestApp
    private(set) var cookie: String?
    /// The sealed visitor cookie an anonymous page sets (login captcha, form token).
    var visitorCookie: String?
    private(set) var csrf: String?
    private(set) var lastBody = ""
    /// The client's address as a trusted proxy reports it. In-memory requests have no peer
    /// (`clientIP` is "-"), so tests that vary the address run with `trustedProxies = ["-"]`.
    var address: String?

    init(test: TestApp, address: String? = nil) {
        self.test = test
        self.address = address
    }

    @discardableResult
    func get(_ path: String, headers: HTTPHeaders = [:]) async throws -> TestingHTTPResponse {
        try await send(.GET, path, headers: headers, body: nil)
    }

    /// Posts a urlencoded form; the session's CSRF token is added unless `csrf` is false.
    @discardableResult
    func post(_ path: String, _ form: [String: String] = [:], csrf includeToken: Bool = true) async throws -> TestingHTTPResponse {
        if includeToken && csrf == nil { try await refreshCSRF() }
        var fields = form
        if includeToken, let csrf { fields["_csrf"] = csrf }
        let body = fields.map { "\(Self.encode($0.key))=\(Self.encode($0.value))" }.joined(separator: "&")
        var headers = HTTPHeaders()
        headers.contentType = .urlEncodedForm
        return try await send(.POST, path, headers: headers, body: ByteBuffer(string: body))
    }

    func send(_ method: HTTPMethod, _ path: String, headers: HTTPHeaders, body: ByteBuffer?) async throws -> TestingHTTPResponse {
        var headers = headers
        let kept = [cookie.map { "\(WebSessionMiddleware.cookieName)=\($0)" },
                    visitorCookie.map { "\(VisitorState.cookieName)=\($0)" }].compactMap { $0 }
        if !kept.isEmpty {
            // A test's own cookies (headers) go along with the session's and the visitor's.
            let own = headers.first(name: .cookie).map { "; " + $0 } ?? ""
            headers.replaceOrAdd(name: .cookie, value: kept.joined(separator: "; ") + own)
        }
        if let address { headers.replaceOrAdd(name: .xForwardedFor, value: address) }
        let request = TestingHTTPRequest(method: method, url: URI(path: path), headers: headers,
                                         body: body ?? ByteBufferAllocator().buffer(capacity: 0))
        let response = try await test.app.testing().performTest(request: request)
        for header in response.headers[.setCookie] {
            let pair = header.split(separator: ";").first.map(String.init) ?? ""
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.first == WebSessionMiddleware.cookieName {
                cookie = parts.count > 1 && !parts[1].isEmpty ? parts[1] : nil
                csrf = nil // a new session has a new token
            } else if parts.first == VisitorState.cookieName {
                visitorCookie = parts.count > 1 && !parts[1].isEmpty ? parts[1] : nil
            }
        }
        lastBody = response.body.string
        if let token = Self.meta("csrf-token", in: lastBody) { csrf = token }
        return response
    }

    /// Loads a page of the current session to learn its CSRF token, following redirects.
    func refreshCSRF() async throws {
        var path = "/login"
        for _ in 0..<3 {
            let response = try await get(path)
            guard csrf == nil, let next = response.headers.first(name: .location) else { return }
            path = next
        }
    }

    static func meta(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: #"name="\#(name)" content="([^"]*)""#, options: .regularExpression) else { return nil }
        let match = String(html[range])
        return match.components(separatedBy: "content=\"").last.map { String($0.dropLast()) }
    }

    static func encode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    /// The password step through the real captcha; returns the response of the POST.
    @discardableResult
    func submitPassword(_ username: String, password: String, captcha: String? = nil) async throws -> TestingHTTPResponse {
        try await get("/login")
        let answer = try #require(Self.meta("test-captcha", in: lastBody))
        return try await post("/login", ["username": username, "password": password, "captcha": captcha ?? answer])
    }

    /// The second step: asks for the SMS code and answers with it and the current TOTP code.
    @discardableResult
    func submitSecondFactor(totp code: String? = nil, secret: String = DemoSeed.totpSecret) async throws -> TestingHTTPResponse {
        try await post("/login/sms")
        try await get("/login/verify")
        let sms = try #require(test.sms.lastCode())
        let totp = try code ?? #require(TOTP(base32: secret)).code(at: test.clock.now())
        return try await post("/login/verify", ["totp": totp, "sms": sms])
    }

    func login(_ username: String, password: String) async throws {
        let response = try await submitPassword(username, password: password)
        #expect(response.status == .seeOther, "password step for \(username): \(response.status)")
        if response.headers.first(name: .location) == "/login/verify" {
            let verified = try await submitSecondFactor()
            #expect(verified.status == .seeOther, "second step for \(username): \(verified.status)")
        }
    }
}
