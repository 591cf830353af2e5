import Foundation
import Vapor

/// Errors become Chinese pages (or JSON under /api); nothing internal leaks to the user.
struct ErrorPageMiddleware: AsyncMiddleware {
    let environment: Environment

    struct ErrorModel: Encodable, Sendable {
        let code: Int
        let heading: String
        let message: String
    }

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: req)
        } catch {
            let status: HTTPStatus
            var headers = HTTPHeaders()
            var reason: String?
            if let abort = error as? any AbortError {
                status = abort.status
                headers = abort.headers
                reason = abort.reason
            } else {
                status = .internalServerError
                req.logger.report(error: error)
            }
            if (300..<400).contains(status.code) {
                return Response(status: status, headers: headers)
            }
            let heading = Self.heading(for: status)
            let message = Self.isUserFacing(reason, status: status) ? reason ?? "" : Self.defaultMessage(for: status)
            if req.url.path.hasPrefix("/api/") || req.url.path == SiteURL.healthz.link {
                let response = Response(status: status, headers: headers)
                try response.content.encode(["error": message])
                return response
            }
            return await Self.page(req, status: status, heading: heading, message: message, headers: headers)
        }
    }

    /// The error page on the layout, carrying the error's own headers (Retry-After, …); plain
    /// text when even that fails to render.
    private static func page(_ req: Request, status: HTTPStatus, heading: String, message: String, headers: HTTPHeaders) async -> Response {
        do {
            let response = try await req.render(
                "errors/error", title: heading, ErrorModel(code: Int(status.code), heading: heading, message: message),
                status: status)
            for (name, value) in headers where name.lowercased() != "content-type" && name.lowercased() != "content-length" {
                response.headers.replaceOrAdd(name: name, value: value)
            }
            return response
        } catch {
            req.logger.report(error: error)
            var plain = HTTPHeaders()
            plain.contentType = .plainText
            return Response(status: status, headers: plain, body: .init(string: "\(status.code) \(heading)：\(message)"))
        }
    }

    /// Vapor's own reasons are English ("Not Found"); only our Chinese reasons are shown.
    static func isUserFacing(_ reason: String?, status: HTTPStatus) -> Bool {
        guard let reason, !reason.isEmpty, status.code < 500 else { return false }
        return reason.unicodeScalars.contains { $0.value >= 0x4E00 && $0.value <= 0x9FFF }
    }

    static func heading(for status: HTTPStatus) -> String {
        switch status.code {
        case 400: "请求有误"
        case 401: "需要登录"
        case 403: "无权访问"
        case 404: "页面不存在"
        case 405: "不支持的操作"
        case 413: "提交内容过大"
        case 415: "不支持的内容类型"
        case 422: "提交内容有误"
        case 429: "操作过于频繁"
        case 500..<600: "系统繁忙"
        default: "出错了"
        }
    }

    static func defaultMessage(for status: HTTPStatus) -> String {
        switch status.code {
        case 400: "请求格式不正确，请检查后重试。"
        case 401: "请先登录。"
        case 403: "您的账号没有执行此操作的权限。"
        case 404: "您访问的页面或记录不存在，或不在您的管理范围内。"
        case 413: "提交的内容超过了允许的大小。"
        case 415: "提交的内容类型不受支持。"
        case 422: "提交的内容有误，请检查后重试。"
        case 500..<600: "系统暂时无法处理您的请求，请稍后再试。如问题持续，请联系系统管理员。"
        default: "请求未能完成。"
        }
    }
}
