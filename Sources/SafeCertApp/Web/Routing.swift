import Foundation
import SafeCertCore
import Vapor

/// The only way routes are registered: each declares the permission it needs (or that it is
/// public), and every state-changing route checks the CSRF token of the session.
extension RoutesBuilder {
    typealias UserHandler = @Sendable (Request, CurrentUser) async throws -> Response
    typealias PublicHandler = @Sendable (Request) async throws -> Response

    @discardableResult
    func page(_ url: SiteURL, _ permission: Permission, use handler: @escaping UserHandler) -> Route {
        let route = on(.GET, url.components) { req in
            try await handler(req, try req.authorize(permission))
        }
        route.userInfo["permission"] = permission.rawValue
        return route
    }

    /// A page for whoever holds any of `permissions` (the handler scopes the record itself).
    @discardableResult
    func page(_ url: SiteURL, anyOf permissions: [Permission], use handler: @escaping UserHandler) -> Route {
        let route = on(.GET, url.components) { req in
            try await handler(req, try req.authorize(anyOf: permissions))
        }
        route.userInfo["permission"] = permissions.map(\.rawValue).joined(separator: "|")
        return route
    }

    @discardableResult
    func action(_ url: SiteURL, _ permission: Permission, maxBody: ByteCount = "64kb", use handler: @escaping UserHandler) -> Route {
        let route = on(.POST, url.components, body: .collect(maxSize: maxBody)) { req in
            try req.checkBodySize(maxBody)
            try req.verifyCSRF()
            return try await handler(req, try req.authorize(permission))
        }
        route.userInfo["permission"] = permission.rawValue
        return route
    }

    /// A form with files — photos, ZIPs, spreadsheets, lesson media. The body is not collected:
    /// the user and the session are checked from the headers, then the body is streamed to a
    /// temporary file (413 past `maxBody`) and parsed on the document pool, and only then is
    /// the CSRF field read. The handler reads `req.field`, `req.uploadedFile`, `req.uploadedFiles`.
    @discardableResult
    func upload(_ url: SiteURL, _ permission: Permission, maxBody: ByteCount, use handler: @escaping UserHandler) -> Route {
        let route = on(.POST, url.components, body: .stream) { req in
            try req.checkBodySize(maxBody)
            // Refused before a byte of the body is read: nobody logged in (401), a user who may not
            // use the route, and — without a session no token can match — a sessionless request.
            let user = try req.authorize(permission)
            guard req.webSession != nil else { throw Request.csrfRefusal }
            try await req.receiveUpload(max: maxBody)
            try req.verifyCSRF()
            return try await handler(req, user)
        }
        route.userInfo["permission"] = permission.rawValue
        return route
    }

    @discardableResult
    func publicPage(_ url: SiteURL, use handler: @escaping PublicHandler) -> Route {
        let route = on(.GET, url.components, use: handler)
        route.userInfo["permission"] = "public"
        return route
    }

    @discardableResult
    func publicAction(_ url: SiteURL, use handler: @escaping PublicHandler) -> Route {
        let route = on(.POST, url.components, body: .collect(maxSize: "16kb")) { req in
            try req.checkBodySize("16kb")
            try req.verifyCSRF()
            return try await handler(req)
        }
        route.userInfo["permission"] = "public"
        return route
    }
}

extension Request {
    /// The logged-in user if they hold the permission: otherwise to the login page (not logged
    /// in), to the password page (first login), or 403.
    func authorize(anyOf permissions: [Permission]) throws -> CurrentUser {
        let user = try authorize(.viewHome)
        guard permissions.contains(where: user.may) else { throw Abort(.forbidden) }
        return user
    }

    func authorize(_ permission: Permission) throws -> CurrentUser {
        guard let user = currentUser else {
            if method == .GET { throw Abort.redirect(to: SiteURL.login.link) }
            throw Abort(.unauthorized, reason: "请先登录")
        }
        if user.mustChangePassword && permission != .changeOwnPassword {
            throw Abort.redirect(to: SiteURL.password.link)
        }
        guard user.may(permission) else { throw Abort(.forbidden) }
        return user
    }

    /// The route's limit, also when the body arrived already collected, and at once for a body
    /// whose Content-Length says it won't fit.
    func checkBodySize(_ max: ByteCount) throws {
        let size = body.data?.readableBytes ?? headers.first(name: .contentLength).flatMap(Int.init)
        if let size, size > max.value {
            throw Self.bodyTooLarge(max)
        }
    }

    static var csrfRefusal: Abort { Abort(.forbidden, reason: "页面已过期或请求来源无效，请刷新页面后重试。") }

    func verifyCSRF() throws {
        let field = uploadForm.map { $0.text("_csrf") } ?? (try? content.get(String.self, at: "_csrf"))
        guard let sent = headers.first(name: "X-CSRF-Token") ?? field,
              let expected = webSession?.csrfToken ?? visitor.flatMap(visitorCSRFToken(for:)),
              ConstantTime.equals(sent, expected) else {
            throw Self.csrfRefusal
        }
    }
}
