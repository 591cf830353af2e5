import Fluent
import Foundation
import SafeCertCore
import Vapor

/// Loads the browser session from its cookie, enforces the idle timeout and the account's
/// status on every request, and writes the cookie back when a handler created, rotated or
/// destroyed the session.
struct WebSessionMiddleware: AsyncMiddleware {
    static let cookieName = "sc_session"

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if req.url.path.hasPrefix("/api/") || req.url.path == SiteURL.healthz.link {
            return try await next.respond(to: req)
        }
        if let token = req.cookies[Self.cookieName]?.string, !token.isEmpty,
           let row = try await WebSession.find(Tokens.sha256(token), on: req.db) {
            try await resume(row, req)
        }
        let response = try await next.respond(to: req)
        switch req.cookieAction {
        case .set(let token):
            response.cookies[Self.cookieName] = HTTPCookies.Value(
                string: token, path: "/", isSecure: req.application.settings.secureCookies,
                isHTTPOnly: true, sameSite: .lax)
        case .expire:
            response.cookies[Self.cookieName] = HTTPCookies.Value(
                string: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/",
                isSecure: req.application.settings.secureCookies, isHTTPOnly: true, sameSite: .lax)
        case nil:
            break
        }
        return response
    }

    /// The cookie's session: ended when idle too long or when its account is disabled (or gone),
    /// otherwise the request's, its last-seen time moved on at most once a minute.
    private func resume(_ row: WebSession, _ req: Request) async throws {
        let now = req.now
        if LoginPolicy.standard.isIdleExpired(lastSeen: row.lastSeenAt, now: now) {
            try await row.delete(on: req.db)
            req.cookieAction = .expire
            return
        }
        req.webSession = row
        if row.stage == .authenticated, let accountID = row.accountID {
            if let user = try await CurrentUser.load(accountID: accountID, on: req.db) {
                req.currentUser = user
            } else {
                try await row.delete(on: req.db)
                req.webSession = nil
                req.cookieAction = .expire
            }
        }
        if let session = req.webSession, now.timeIntervalSince(session.lastSeenAt) > 60 {
            session.lastSeenAt = now
            try await session.save(on: req.db)
        }
    }
}

enum CookieAction: Sendable {
    case set(String)
    case expire
}

private struct WebSessionKey: StorageKey { typealias Value = WebSession }
private struct CurrentUserKey: StorageKey { typealias Value = CurrentUser }
private struct CookieActionKey: StorageKey { typealias Value = CookieAction }

extension Request {
    var webSession: WebSession? {
        get { storage[WebSessionKey.self] }
        set { storage[WebSessionKey.self] = newValue }
    }

    var currentUser: CurrentUser? {
        get { storage[CurrentUserKey.self] }
        set { storage[CurrentUserKey.self] = newValue }
    }

    var cookieAction: CookieAction? {
        get { storage[CookieActionKey.self] }
        set { storage[CookieActionKey.self] = newValue }
    }

    /// The session, creating an anonymous one (with its CSRF token) when there is none.
    func ensureSession() async throws -> WebSession {
        if let session = webSession { return session }
        return try await startSession(stage: .anonymous, accountID: nil)
    }

    /// A new session with a new id and CSRF token; the old one is destroyed (at login, so a
    /// session id planted before login is worthless after it).
    @discardableResult
    func startSession(stage: WebSession.Stage, accountID: UUID?) async throws -> WebSession {
        if let old = webSession { try await old.delete(on: db) }
        let token = Tokens.random()
        let session = WebSession(id: Tokens.sha256(token), csrfToken: Tokens.random(), now: now)
        session.stage = stage
        session.accountID = accountID
        try await session.create(on: db)
        webSession = session
        cookieAction = .set(token)
        return session
    }

    func destroySession() async throws {
        if let session = webSession { try await session.delete(on: db) }
        webSession = nil
        currentUser = nil
        cookieAction = .expire
    }
}
