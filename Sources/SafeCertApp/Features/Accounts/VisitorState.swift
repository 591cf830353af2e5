import Crypto
import Fluent
import Foundation
import SafeCertCore
import Synchronization
import Vapor

/// What an anonymous visitor's forms need — a CSRF nonce and the login captcha's answer — kept in
/// a sealed cookie instead of a database row, so `GET /login` writes nothing (issue 11: every
/// anonymous visit used to insert a session). AES-GCM under a key derived from the shared
/// `AppSecret`, so every instance opens it and nobody can read, forge or alter the answer.
/// A captcha is single-use: its id is recorded when a login consumes it (`UsedCaptcha`).
struct VisitorState: Codable, Sendable, Equatable {
    var nonce: String
    var captchaID: String?
    var captcha: String?
    var issuedAt: Date

    static let cookieName = "sc_visitor"
    /// A login form older than this is stale; so is its captcha.
    static let lifetime: TimeInterval = 2 * 3_600

    static func new(now: Date) -> VisitorState {
        VisitorState(nonce: Tokens.random(bytes: 16), captchaID: nil, captcha: nil, issuedAt: now)
    }

    /// A fresh captcha for the login form, with an id that a login spends.
    mutating func drawCaptcha(now: Date) {
        var rng = SystemRandomNumberGenerator()
        captchaID = Tokens.random(bytes: 12)
        captcha = CaptchaChallenge.newAnswer(using: &rng)
        issuedAt = now
    }
}

/// The keys the visitor cookie is sealed and its CSRF token derived with.
struct VisitorKeys: Sendable {
    let seal: SymmetricKey
    let csrf: SymmetricKey

    init(secret: Data) {
        seal = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array("visitor-cookie".utf8), using: SymmetricKey(data: secret)))
        csrf = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array("visitor-csrf".utf8), using: SymmetricKey(data: secret)))
    }

    func sealed(_ state: VisitorState) throws -> String {
        let box = try AES.GCM.seal(try JSONEncoder().encode(state), using: seal)
        guard let combined = box.combined else { throw Abort(.internalServerError) }
        return Base64URL.encode(combined)
    }

    /// The state in a cookie, if this server sealed it and it is not stale.
    func opened(_ text: String, now: Date) -> VisitorState? {
        guard text.utf8.count <= 1_024, let bytes = Base64URL.decode(text),
              let box = try? AES.GCM.SealedBox(combined: bytes),
              let json = try? AES.GCM.open(box, using: seal),
              let state = try? JSONDecoder().decode(VisitorState.self, from: json) else { return nil }
        let age = now.timeIntervalSince(state.issuedAt)
        guard age <= VisitorState.lifetime, age >= -60 else { return nil }
        return state
    }

    /// The form token for a visitor without a session.
    func csrfToken(for state: VisitorState) -> String {
        Base64URL.encode(HMAC<SHA256>.authenticationCode(for: Array(state.nonce.utf8), using: csrf))
    }
}

/// The keys, read from the database once per process.
final class VisitorKeyCache: Sendable {
    private let loaded = Mutex<VisitorKeys?>(nil)

    func keys(on db: any Database) async throws -> VisitorKeys {
        if let keys = loaded.withLock({ $0 }) { return keys }
        let keys = VisitorKeys(secret: try await AppSecret.key(for: "visitor", on: db))
        loaded.withLock { $0 = keys }
        return keys
    }
}

struct VisitorKeyCacheKey: StorageKey { typealias Value = VisitorKeyCache }
private struct VisitorStateKey: StorageKey { typealias Value = VisitorState }
private struct VisitorKeysKey: StorageKey { typealias Value = VisitorKeys }
private struct VisitorChangedKey: StorageKey { typealias Value = Bool }

/// Opens the visitor cookie of requests without a session and writes it back when a handler
/// changed it. Only pages read it: the API and `/healthz` skip it, as they skip sessions.
struct VisitorStateMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if req.url.path.hasPrefix("/api/") || req.url.path == SiteURL.healthz.link {
            return try await next.respond(to: req)
        }
        let keys = try await req.application.visitorKeyCache.keys(on: req.db)
        req.storage[VisitorKeysKey.self] = keys
        if let text = req.cookies[VisitorState.cookieName]?.string, let state = keys.opened(text, now: req.now) {
            req.storage[VisitorStateKey.self] = state
        }
        let response = try await next.respond(to: req)
        if req.storage[VisitorChangedKey.self] == true, let state = req.storage[VisitorStateKey.self] {
            response.cookies[VisitorState.cookieName] = HTTPCookies.Value(
                string: try keys.sealed(state), maxAge: Int(VisitorState.lifetime), path: "/",
                isSecure: req.application.settings.secureCookies, isHTTPOnly: true, sameSite: .lax)
        }
        return response
    }
}

extension Application {
    var visitorKeyCache: VisitorKeyCache {
        if let cache = storage[VisitorKeyCacheKey.self] { return cache }
        let cache = VisitorKeyCache()
        storage[VisitorKeyCacheKey.self] = cache
        return cache
    }
}

extension Request {
    /// The visitor's state from the cookie, if it carried a valid one.
    var visitor: VisitorState? { storage[VisitorStateKey.self] }

    /// The visitor's state, a new one when the cookie carried none.
    func ensureVisitor() -> VisitorState {
        if let state = visitor { return state }
        let state = VisitorState.new(now: now)
        setVisitor(state)
        return state
    }

    /// Keeps the state and sends it back in the cookie.
    func setVisitor(_ state: VisitorState) {
        storage[VisitorStateKey.self] = state
        storage[VisitorChangedKey.self] = true
    }

    /// The CSRF token a visitor without a session sends back; nil outside the pages.
    func visitorCSRFToken(for state: VisitorState) -> String? {
        storage[VisitorKeysKey.self]?.csrfToken(for: state)
    }
}
