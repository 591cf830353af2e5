import Fluent
import Foundation
import SafeCertCore
import Vapor

/// `/healthz` and the JSON API under `/api/v1`, authenticated by an organisation's API key.
enum APIRoutes {
    static func register(_ app: Application) {
        app.on(.GET, SiteURL.healthz.components, use: health).userInfo["permission"] = "public"
        app.on(.GET, SiteURL.apiOpenAPI.components) { _ in OpenAPIDocument.response() }.userInfo["permission"] = "public"
        let keyed = app.grouped(APIKeyAuthenticator())
        keyed.on(.GET, SiteURL.apiMe.components, use: me).userInfo["permission"] = "api-key"
        keyed.on(.GET, SiteURL.apiEnterpriseLookup.components, use: lookup).userInfo["permission"] = "api-key"
        keyed.on(.POST, SiteURL.apiEnrolmentPayment(.key).components, use: payment).userInfo["permission"] = "api-key"
        keyed.on(.POST, SiteURL.apiPlanScores(.key).components, body: .collect(maxSize: "2mb"), use: ExamResultRoutes.apiScores).userInfo["permission"] = "api-key"
        keyed.on(.POST, SiteURL.apiCandidateProgress(.key).components, use: ExamDayRoutes.apiProgress).userInfo["permission"] = "api-key"
    }

    static func health(_ req: Request) async throws -> Response {
        do {
            _ = try await Organization.query(on: req.db).limit(1).count()
            return try await ["status": "ok"].encodeResponse(status: .ok, for: req)
        } catch {
            req.logger.error("health check failed: \(String(describing: error))")
            return try await ["status": "database unavailable"].encodeResponse(status: .serviceUnavailable, for: req)
        }
    }

    struct OrganizationDTO: Content {
        let id: UUID
        let name: String
        let kind: String
        let regionCode: String
        let creditCode: String?
    }

    static func me(_ req: Request) async throws -> OrganizationDTO {
        let org = try req.apiOrganization()
        return OrganizationDTO(id: try org.requireID(), name: org.name, kind: org.kind.rawValue, regionCode: org.regionCode, creditCode: org.creditCode)
    }

    struct LookupDTO: Content {
        let creditCode: String
        let name: String
        let checkCharacterValid: Bool
    }

    static func lookup(_ req: Request) async throws -> LookupDTO {
        let raw = req.queryText("creditCode") ?? ""
        let code: CreditCode
        do { code = try CreditCode.parse(raw) } catch { throw Abort(.badRequest, reason: "creditCode：" + error.message) }
        guard let org = try await Organization.query(on: req.db).filter(\.$creditCode == code.value).first() else {
            throw Abort(.notFound, reason: "未找到统一社会信用代码为 \(code.value) 的单位")
        }
        return LookupDTO(creditCode: code.value, name: org.name, checkCharacterValid: code.checkCharacterValid)
    }
}

extension APIRoutes {
    struct PaymentDTO: Content {
        let id: UUID
        let state: String
        let paid: Bool
        let paymentNotice: String?
        let paidAt: Date?
    }

    /// 缴费登记 by the class's training institution (its payment system calls this): only its own
    /// classes' enrolments; anything else is 404.
    static func payment(_ req: Request) async throws -> PaymentDTO {
        let org = try req.apiOrganization()
        guard org.kind == .trainingInstitution else { throw Abort(.forbidden, reason: "只有培训机构的接口密钥可以登记缴费") }
        let id = try req.idParameter()
        guard let e = try await Enrolment.query(on: req.db).filter(\.$id == id).join(parent: \.$trainingClass)
            .filter(TrainingClass.self, \.$institution.$id == org.requireID()).first() else {
            throw Abort(.notFound, reason: "未找到该报名")
        }
        let actor = AuditActor(accountID: nil, name: "接口密钥（\(org.name)）", organizationID: org.id, organizationName: org.name, ip: req.clientIP)
        let problem = try await req.db.transaction { db in
            try await EnrolmentRoutes.markPaid(e, user: nil, req: req, on: db, apiActor: actor)
        }
        if let problem, !e.paid { throw Abort(.conflict, reason: problem) }
        return PaymentDTO(id: try e.requireID(), state: e.state.rawValue, paid: e.paid, paymentNotice: e.paymentNotice, paidAt: e.paidAt)
    }
}

/// `Authorization: Bearer sk_…` → the key's organisation; anything else is 401.
struct APIKeyAuthenticator: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let token = req.headers.bearerAuthorization?.token, token.hasPrefix("sk_"),
              let key = try await APIKey.query(on: req.db).filter(\.$keyHash == APIKey.hash(token))
                .filter(\.$revokedAt == nil).with(\.$organization).first()
        else { throw Abort(.unauthorized, reason: "接口密钥无效或已吊销") }
        let now = req.now
        if key.lastUsedAt.map({ now.timeIntervalSince($0) > 300 }) ?? true {
            key.lastUsedAt = now
            try await key.save(on: req.db)
        }
        req.storage[APIOrganizationKey.self] = key.organization
        return try await next.respond(to: req)
    }
}

private struct APIOrganizationKey: StorageKey { typealias Value = Organization }

extension Request {
    func apiOrganization() throws -> Organization {
        guard let org = storage[APIOrganizationKey.self] else { throw Abort(.unauthorized) }
        return org
    }
}

/// A method the API doesn't offer on one of its paths (`TRACE /api/v1/me`, `DELETE /healthz`) is
/// 405 with `Allow` naming the methods it does offer, not 404: the path exists. Paths that are
/// no API route at all still fall through to 404.
struct APIMethodNotAllowedMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let path = req.url.path
        guard path.hasPrefix("/api/") || path == SiteURL.healthz.link else { return try await next.respond(to: req) }
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let methods = Set(req.application.routes.all.filter { Self.matches($0.path, segments) }.map(\.method.rawValue))
        guard !methods.isEmpty else { return try await next.respond(to: req) }
        let get = HTTPMethod.GET.rawValue, head = HTTPMethod.HEAD.rawValue
        if methods.contains(req.method.rawValue) || (req.method == .HEAD && methods.contains(get)) {
            return try await next.respond(to: req)
        }
        let allow = (methods.contains(get) ? methods.union([head]) : methods).sorted().joined(separator: ", ")
        throw Abort(.methodNotAllowed, headers: ["Allow": allow], reason: "该接口不支持 \(req.method.rawValue) 方法，可用：\(allow)")
    }

    static func matches(_ route: [PathComponent], _ segments: [String]) -> Bool {
        var i = 0
        for component in route {
            switch component {
            case .catchall: return i < segments.count
            case .anything, .parameter:
                guard i < segments.count else { return false }
            case .constant(let text):
                guard i < segments.count, segments[i] == text else { return false }
            }
            i += 1
        }
        return i == segments.count
    }
}
