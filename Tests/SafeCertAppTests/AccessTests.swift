import Fluent
import NIOCore
import Foundation
import SafeCertCore
import Testing
import Vapor
import VaporTesting
@testable import SafeCertApp

@Suite("访问控制") struct AccessTests {
    @Test("an enterprise account gets 404 for another enterprise's record")
    func enterpriseCrossTenant() async throws {
        try await withSafeCert { t in
            let web = try await t.loggedIn("enterprise")
            let other = try await t.organization(named: "吉林建工集团有限公司")
            let response = try await web.get("/organizations/\(other.id!)")
            #expect(response.status == .notFound)
            #expect(!response.body.string.contains("吉林建工集团有限公司"))
            #expect(response.body.string.contains("页面不存在"))
        }
    }

    @Test("a group sees its branches; a branch doesn't see its group")
    func groupSeesBranches() async throws {
        try await withSafeCert { t in
            let group = try await t.loggedIn("group")
            let branch = try await t.organization(named: "吉林建工集团吉林分公司")
            #expect(try await group.get("/organizations/\(branch.id!)").status == .ok)
            let list = try await group.get("/organizations")
            #expect(list.body.string.contains("吉林建工集团吉林分公司"))
            #expect(!list.body.string.contains("长春安达建筑工程有限公司"))
            let branchUser = try await t.loggedIn("branch")
            let parent = try await t.organization(named: "吉林建工集团有限公司")
            #expect(try await branchUser.get("/organizations/\(parent.id!)").status == .notFound)
        }
    }

    @Test("a city authority cannot see the other city's organisations; the province sees both")
    func cityScope() async throws {
        try await withSafeCert { t in
            let jilin = try await t.loggedIn("jilincity")
            let changchunEnterprise = try await t.organization(named: "长春安达建筑工程有限公司")
            let list = try await jilin.get("/organizations")
            #expect(list.body.string.contains("吉林建工集团吉林分公司"))
            #expect(!list.body.string.contains("长春安达建筑工程有限公司"))
            #expect(try await jilin.get("/organizations/\(changchunEnterprise.id!)").status == .notFound)
            // Filtering doesn't widen the scope either.
            let filtered = try await jilin.get("/organizations?q=长春安达")
            #expect(!filtered.body.string.contains("长春安达建筑工程有限公司"))
            let province = try await t.loggedIn("province")
            let all = try await province.get("/organizations?kind=enterprise")
            #expect(all.body.string.contains("长春安达建筑工程有限公司"))
            #expect(all.body.string.contains("吉林建工集团吉林分公司"))
        }
    }

    @Test("a city authority can't edit, disable or reset another city's records")
    func cityCannotWriteOutsideScope() async throws {
        try await withSafeCert { t in
            let jilin = try await t.loggedIn("jilincity")
            let other = try await t.organization(named: "长春安达建筑工程有限公司")
            let edit = try await jilin.post("/organizations/\(other.id!)", ["name": "改名", "region_code": "220200"])
            #expect(edit.status == .notFound)
            let account = try await t.account("enterprise")
            #expect(try await jilin.post("/accounts/\(account.id!)/disable").status == .notFound)
            #expect(try await jilin.post("/accounts/\(account.id!)/reset-password").status == .notFound)
            #expect(try await t.organization(named: "长春安达建筑工程有限公司").name == "长春安达建筑工程有限公司")
            #expect(try await t.account("enterprise").status == .active)
        }
    }

    @Test("a role without the permission gets 403, and without a login is sent to the login page")
    func forbiddenAndAnonymous() async throws {
        try await withSafeCert { t in
            let enterprise = try await t.loggedIn("enterprise")
            #expect(try await enterprise.get("/audit").status == .forbidden)
            #expect(try await enterprise.get("/accounts").status == .forbidden)
            #expect(try await enterprise.post("/organizations", ["name": "x"]).status == .forbidden)
            let sysadmin = try await t.loggedIn("sysadmin")
            #expect(try await sysadmin.get("/audit").status == .forbidden) // 等保: audit is the auditor's alone
            let auditor = try await t.loggedIn("auditor")
            #expect(try await auditor.get("/accounts").status == .forbidden)
            #expect(try await auditor.get("/audit").status == .ok)
            let anonymous = t.client()
            #expect(try await anonymous.get("/organizations").headers.first(name: .location) == "/login")
        }
    }

    @Test("a POST without the session's CSRF token is refused")
    func csrf() async throws {
        try await withSafeCert { t in
            let web = try await t.loggedIn("province")
            let before = try await Organization.query(on: t.db).count()
            let response = try await web.post("/organizations", [
                "name": "无令牌企业", "kind": "enterprise", "region_code": "220100",
                "credit_code": CreditCode.generate(region: "220100", serial: 901).value,
            ], csrf: false)
            #expect(response.status == .forbidden)
            #expect(response.body.string.contains("页面已过期"))
            let forged = try await web.post("/organizations", ["_csrf": "forged", "name": "伪造"], csrf: false)
            #expect(forged.status == .forbidden)
            #expect(try await Organization.query(on: t.db).count() == before)
            // The login form is protected too.
            let anonymous = t.client()
            let login = try await anonymous.post("/login", ["username": "enterprise", "password": DemoSeed.password, "captcha": "0000"], csrf: false)
            #expect(login.status == .forbidden)
        }
    }

    @Test("every route declares the permission it needs")
    func everyRouteDeclaresPermission() async throws {
        try await withSafeCert(seed: false) { t in
            let known = Set(Permission.allCases.map(\.rawValue)).union(["public", "api-key"])
            for route in t.app.routes.all {
                let declared = (route.userInfo["permission"] as? String)?.split(separator: "|").map(String.init)
                #expect(declared.map { !$0.isEmpty && $0.allSatisfy(known.contains) } == true, "\(route.method) \(route.path.string) declares no permission")
            }
        }
    }

    @Test("every menu page renders for every role that holds its permission")
    func everyPageRendersPerRole() async throws {
        try await withSafeCert { t in
            for demo in DemoSeed.accounts {
                t.clock.advance(by: 31) // a fresh dynamic-code step for each login
                let web = try await t.loggedIn(demo.username)
                for section in Menu.sections(for: demo.role, currentPath: "/") {
                    for item in section.items {
                        let response = try await web.get(item.href)
                        #expect(response.status == .ok, "\(demo.username) \(item.href): \(response.status)")
                        #expect(response.body.string.contains(item.label), "\(demo.username) sees \(item.label)")
                    }
                }
            }
            let individual = try await t.loggedIn(DemoSeed.people[0].idNumber.value)
            let home = try await individual.get("/")
            #expect(home.status == .ok)
            #expect(home.body.string.contains(DemoSeed.people[0].idNumber.masked))
            #expect(!home.body.string.contains(DemoSeed.people[0].idNumber.value))
        }
    }

    @Test("security headers are on every response, error pages included")
    func securityHeaders() async throws {
        try await withSafeCert(seed: false) { t in
            for path in ["/login", "/no-such-page", "/css/app.css"] {
                let response = try await t.client().get(path)
                #expect(response.headers.first(name: "Content-Security-Policy")?.contains("frame-ancestors 'none'") == true, "\(path)")
                #expect(response.headers.first(name: "X-Content-Type-Options") == "nosniff")
                #expect(response.headers.first(name: "Referrer-Policy") == "same-origin")
            }
            let missing = try await t.client().get("/no-such-page")
            #expect(missing.status == .notFound)
            #expect(missing.body.string.contains("页面不存在"))
        }
    }

    @Test("request bodies are limited per route")
    func bodyLimit() async throws {
        try await withSafeCert(seed: false) { t in
            let web = t.client()
            try await web.get("/login")
            let big = String(repeating: "a", count: 20_000)
            let response = try await web.post("/login", ["username": big, "password": "x", "captcha": "0000"])
            #expect(response.status == .payloadTooLarge)
        }
    }

    @Test("X-Forwarded-For is believed only from a configured trusted proxy")
    func clientIP() async throws {
        try await withSafeCert(seed: false, settings: { $0.trustedProxies = ["10.0.0.2"] }) { t in
            func request(from peer: String, forwarded: String?) throws -> Request {
                var headers = HTTPHeaders()
                if let forwarded { headers.add(name: .xForwardedFor, value: forwarded) }
                return Request(application: t.app, method: .GET, url: URI(path: "/"), headers: headers,
                               remoteAddress: try SocketAddress(ipAddress: peer, port: 4000), on: t.app.eventLoopGroup.next())
            }
            let direct = try request(from: "203.0.113.9", forwarded: "1.2.3.4")
            let proxied = try request(from: "10.0.0.2", forwarded: "1.2.3.4, 198.51.100.7")
            let chained = try request(from: "10.0.0.2", forwarded: "1.2.3.4, 10.0.0.2")
            let bare = try request(from: "10.0.0.2", forwarded: nil)
            #expect(direct.clientIP == "203.0.113.9")
            #expect(proxied.clientIP == "198.51.100.7")
            #expect(chained.clientIP == "1.2.3.4")
            #expect(bare.clientIP == "10.0.0.2")
        }
    }

    @Test("the permission matrix is the table of roles and permissions")
    func permissionMatrix() {
        let matrix = PermissionTable.markdownMatrix()
        print(matrix)
        #expect(matrix.contains("| 查看审计日志 (`audit.view`) |"))
        #expect(PermissionTable.allows(.auditAdmin, .viewAuditLog))
        #expect(!PermissionTable.allows(.systemAdmin, .viewAuditLog))
        #expect(!PermissionTable.allows(.auditAdmin, .issueAccounts))
        #expect(!PermissionTable.allows(.enterprise, .createOrganizations))
        #expect(matrix.split(separator: "\n").count == Permission.allCases.count + 2)
    }
}
