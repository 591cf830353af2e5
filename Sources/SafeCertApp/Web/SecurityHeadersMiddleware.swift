import Vapor

/// Security headers on every response (CSP, frame-ancestors, nosniff, referrer policy).
struct SecurityHeadersMiddleware: AsyncMiddleware {
    static let contentSecurityPolicy = [
        "default-src 'self'", "img-src 'self' data: blob:", "style-src 'self'", "script-src 'self'",
        "connect-src 'self' http://127.0.0.1:* http://localhost:*", "media-src 'self' blob:",
        "frame-ancestors 'none'", "form-action 'self'", "base-uri 'self'", "object-src 'none'",
    ].joined(separator: "; ")

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        let headers = [
            ("Content-Security-Policy", Self.contentSecurityPolicy),
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "same-origin"),
            ("Permissions-Policy", "camera=(self), microphone=(), geolocation=()"),
            ("Cross-Origin-Opener-Policy", "same-origin"),
        ]
        for (name, value) in headers where !response.headers.contains(name: name) {
            response.headers.replaceOrAdd(name: name, value: value)
        }
        if request.application.settings.secureCookies {
            response.headers.replaceOrAdd(name: "Strict-Transport-Security", value: "max-age=31536000")
        }
        // Pages and downloads carry personal data: nothing but the static assets is cached.
        if !response.headers.contains(name: .cacheControl), !Self.isStaticAsset(request.url.path) {
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        }
        Self.dropBrokenHeaders(response)
        return response
    }

    static let staticPrefixes = ["/css/", "/js/", "/images/", "/fonts/"]

    static func isStaticAsset(_ path: String) -> Bool {
        staticPrefixes.contains { path.hasPrefix($0) } || path == "/favicon.ico"
    }

    /// A header value with a line break would end the header and start another: such a value
    /// never leaves (a redirect falls back to the home page).
    static func dropBrokenHeaders(_ response: Response) {
        let broken = response.headers.filter { _, value in
            value.unicodeScalars.contains { $0 == "\r" || $0 == "\n" || $0 == "\0" }
        }.map(\.name)
        for name in Set(broken) {
            response.headers.remove(name: name)
            if name.lowercased() == "location" { response.headers.replaceOrAdd(name: .location, value: "/") }
        }
    }
}
