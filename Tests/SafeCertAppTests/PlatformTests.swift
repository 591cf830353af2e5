import Fluent
import Foundation
import SQLKit
import SafeCertCore
import Testing
import Vapor
import VaporTesting
@testable import SafeCertApp

@Suite("账号、审计与接口") struct PlatformTests {
    @Test("authorities issue accounts only for organisations below them")
    func issueAccounts() async throws {
        try await withSafeCert { t in
            let city = try await t.loggedIn("changchun")
            let province = try await t.organization(named: "吉林省应急管理厅")
            let refused = try await city.post("/accounts", ["organization_id": province.id!.uuidString, "username": "p2",
                                                            "display_name": "x", "phone": "13900001111", "role": "province_authority"])
            #expect(refused.status == .notFound)
            let centre = try await t.organization(named: "长春市安全生产考核点")
            let bad = try await city.post("/accounts", ["organization_id": centre.id!.uuidString, "username": "a", "display_name": "", "phone": "123", "role": "exam_centre"])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("用户名须为"))
            #expect(bad.body.string.contains("请填写姓名"))
            let ok = try await city.post("/accounts", ["organization_id": centre.id!.uuidString, "username": "centre-b", "display_name": "孙七", "phone": "13900001111", "role": "exam_centre"])
            #expect(ok.status == .ok)
            let account = try await t.account("centre-b")
            #expect(account.mustChangePassword)
            #expect(account.role == .examCentre)
            #expect(try await t.auditCount("account.create") == 1)
        }
    }

    @Test("the national centre allocates a regional admin account, which gets a TOTP secret")
    func nationalAllocatesAuthorityAccount() async throws {
        try await withSafeCert { t in
            let national = try await t.loggedIn("national")
            let province = try await t.organization(named: "吉林省应急管理厅")
            let response = try await national.post("/accounts", ["organization_id": province.id!.uuidString, "username": "jl-admin2",
                                                                 "display_name": "钱八", "phone": "13900002222", "role": "province_authority"])
            #expect(response.status == .ok)
            #expect(response.body.string.contains("issued-totp"))
            #expect(try await t.account("jl-admin2").totpSecret != nil)
        }
    }

    @Test("reset password, unlock, disable and enable are audited; nobody manages their own account")
    func accountActions() async throws {
        try await withSafeCert { t in
            let province = try await t.loggedIn("province")
            let enterprise = try await t.account("enterprise")
            #expect(try await province.post("/accounts/\(enterprise.id!)/reset-password").status == .ok)
            #expect(try await t.account("enterprise").mustChangePassword)
            #expect(try await province.post("/accounts/\(enterprise.id!)/disable").status == .seeOther)
            #expect(try await province.post("/accounts/\(enterprise.id!)/enable").status == .seeOther)
            let own = try await t.account("province")
            #expect(try await province.post("/accounts/\(own.id!)/disable").status == .notFound)
            // The list offers actions only where the server would accept them.
            let association = try await t.account("association")
            #expect(try await province.post("/accounts/\(association.id!)/disable").status == .forbidden)
            let list = try await province.get("/accounts").body.string
            #expect(list.contains("/accounts/\(enterprise.id!)/disable"))
            #expect(!list.contains("/accounts/\(own.id!)/disable"))
            #expect(!list.contains("/accounts/\(association.id!)/disable"))
            for action in ["account.reset-password", "account.disable", "account.enable"] {
                #expect(try await t.auditCount(action) == 1, "\(action)")
            }
            // The security admin unlocks a locked account.
            let locked = try await t.account("group")
            locked.lockedUntil = t.clock.now().addingTimeInterval(600)
            try await locked.save(on: t.db)
            let secadmin = try await t.loggedIn("secadmin")
            #expect(try await secadmin.get("/security/policy").body.string.contains("group"))
            #expect(try await secadmin.post("/accounts/\(locked.id!)/unlock").status == .seeOther)
            #expect(try await t.account("group").lockedUntil == nil)
            #expect(try await t.auditCount("account.unlock") == 1)
        }
    }

    @Test("every state change writes an audit row: login, logout, changes")
    func auditOnEveryChange() async throws {
        try await withSafeCert { t in
            let before = try await AuditEntry.query(on: t.db).count()
            let web = try await t.loggedIn("association")
            #expect(try await t.auditCount("login.success") == 1)
            _ = try await web.post("/organizations", ["name": "吉林某建筑学校", "kind": "school", "region_code": "220200",
                                                       "credit_code": CreditCode.generate(region: "220200", serial: 9, type: "12").value])
            try await web.post("/logout")
            #expect(try await t.auditCount("organization.create") == 1)
            #expect(try await t.auditCount("logout") == 1)
            _ = try await t.client().submitPassword("association", password: "Wrong#2026a")
            #expect(try await t.auditCount("login.failure") == 1)
            #expect(try await AuditEntry.query(on: t.db).count() == before + 4)
        }
    }

    @Test("the audit log is append-only in the database itself")
    func auditAppendOnly() async throws {
        try await withSafeCert { t in
            let sql = try #require(t.db as? any SQLDatabase)
            let count = try await AuditEntry.query(on: t.db).count()
            #expect(count > 0)
            await #expect(throws: (any Error).self) {
                try await sql.raw("UPDATE audit_entries SET summary = 'tampered'").run()
            }
            await #expect(throws: (any Error).self) {
                try await sql.raw("DELETE FROM audit_entries").run()
            }
            #expect(try await AuditEntry.query(on: t.db).count() == count)
            #expect(try await AuditEntry.query(on: t.db).filter(\.$summary == "tampered").count() == 0)
        }
    }

    @Test("the audit page filters and is read-only")
    func auditPage() async throws {
        try await withSafeCert { t in
            _ = try await t.client().submitPassword("association", password: "Wrong#2026a")
            let auditor = try await t.loggedIn("auditor")
            let page = try await auditor.get("/audit?action=login.failure")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("登录失败"))
            #expect(!page.body.string.contains("safecert seed --demo"))  // the demo.seed row is filtered out
            #expect(!page.body.string.contains("method=\"post\" action=\"/audit"))
        }
    }

    @Test("the suite runs on PostgreSQL when SAFECERT_TEST_DATABASE_URL is set, else on SQLite")
    func databaseUnderTest() async throws {
        let wantsPostgres = !(ProcessInfo.processInfo.environment["SAFECERT_TEST_DATABASE_URL"] ?? "").isEmpty
        try await withSafeCert(seed: false) { t in
            #expect(t.isPostgres == wantsPostgres)
        }
    }

    @Test("healthz answers 200 while the database answers")
    func healthz() async throws {
        try await withSafeCert(seed: false) { t in
            let response = try await t.client().get("/healthz")
            #expect(response.status == .ok)
            #expect(response.body.string.contains("ok"))
        }
    }

    @Test("API keys: created by the security admin, accepted until revoked")
    func apiKeys() async throws {
        try await withSafeCert { t in
            let secadmin = try await t.loggedIn("secadmin")
            let centre = try await t.organization(named: "长春市安全生产考核点")
            let created = try await secadmin.post("/security/api-keys", ["organization_id": centre.id!.uuidString, "name": "身份证阅读器"])
            #expect(created.status == .ok)
            let html = created.body.string
            let range = try #require(html.range(of: #"sk_[A-Za-z0-9_\-]+"#, options: .regularExpression))
            let key = String(html[range])
            var headers = HTTPHeaders()
            headers.bearerAuthorization = .init(token: key)
            let me = try await t.client().get("/api/v1/me", headers: headers)
            #expect(me.status == .ok)
            #expect(me.body.string.contains("长春市安全生产考核点"))
            let code = try #require(try await t.organization(named: "吉林建工集团有限公司").creditCode)
            let lookup = try await t.client().get("/api/v1/enterprises/lookup?creditCode=\(code)", headers: headers)
            #expect(lookup.body.string.contains("吉林建工集团有限公司"))
            let badCode = try await t.client().get("/api/v1/enterprises/lookup?creditCode=12", headers: headers)
            #expect(badCode.status == .badRequest)
            #expect(badCode.body.string.contains("creditCode"))
            #expect(try await t.client().get("/api/v1/me").status == .unauthorized)
            let stored = try #require(try await APIKey.query(on: t.db).first())
            #expect(stored.keyHash != key)
            #expect(try await secadmin.post("/security/api-keys/\(stored.id!)/revoke").status == .seeOther)
            #expect(try await t.client().get("/api/v1/me", headers: headers).status == .unauthorized)
            #expect(try await t.auditCount("api-key.create") == 1)
            #expect(try await t.auditCount("api-key.revoke") == 1)
        }
    }

    @Test("the OpenAPI document describes every API route that exists")
    func openAPICoversRoutes() async throws {
        try await withSafeCert(seed: false) { t in
            let response = try await t.client().get("/api/v1/openapi.json")
            #expect(response.status == .ok)
            let document = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
            let paths = Set(((document?["paths"] as? [String: Any]) ?? [:]).keys)
            // OpenAPI writes a path parameter as {id} where the router has :id.
            let apiRoutes = t.app.routes.all.map { route in
                "/" + route.path.map { component in
                    if case .parameter(let name) = component { return "{\(name)}" }
                    return component.description
                }.joined(separator: "/")
            }
                .filter { $0.hasPrefix("/api/") || $0 == "/healthz" }
            #expect(!apiRoutes.isEmpty)
            for route in apiRoutes {
                #expect(paths.contains(route), "\(route) is missing from openapi.json")
            }
        }
    }

    @Test("an API path asked with a method it doesn't offer is 405 with Allow; every POST documents 401 and 413")
    func openAPIMethodsAndLimits() async throws {
        try await withSafeCert { t in
            let key = try await t.apiKey(for: "长春市安全生产考核点")
            let trace = try await t.client().send(.TRACE, "/api/v1/me", headers: key, body: nil)
            #expect(trace.status == .methodNotAllowed)
            #expect(trace.headers.first(name: "Allow") == "GET, HEAD")
            #expect(trace.body.string.contains("\"error\""))
            let delete = try await t.client().send(.DELETE, "/api/v1/exam-plans/X/scores", headers: key, body: nil)
            #expect(delete.status == .methodNotAllowed)
            #expect(delete.headers.first(name: "Allow") == "POST")
            #expect(try await t.client().send(.TRACE, "/healthz", headers: [:], body: nil).status == .methodNotAllowed)
            #expect(try await t.client().send(.TRACE, "/api/v1/nothing-here", headers: key, body: nil).status == .notFound)
            #expect(try await t.client().get("/api/v1/me", headers: key).status == .ok)

            // 413 needs a streamed body, which only a real server has: Tests/system/test_api_schema.py.
            let document = try JSONSerialization.jsonObject(with: Data(try await t.client().get("/api/v1/openapi.json").body.readableBytesView)) as? [String: Any]
            let paths = (document?["paths"] as? [String: [String: [String: Any]]]) ?? [:]
            for (path, operations) in paths {
                for (method, operation) in operations where method == "post" {
                    let responses = (operation["responses"] as? [String: Any]) ?? [:]
                    #expect(responses["413"] != nil, "\(path) does not document 413")
                    #expect(responses["401"] != nil, "\(path) does not document 401")
                }
            }
        }
    }

    @Test("the demo outbox exists only in demo mode")
    func demoOutbox() async throws {
        try await withSafeCert(settings: { $0.demoMode = false }) { t in
            let response = try await t.client().get("/demo/sms-outbox")
            #expect(response.status == .notFound)
        }
        try await withSafeCert { t in
            let response = try await t.client().get("/demo/sms-outbox")
            #expect(response.status == .ok)
        }
    }

    @Test("seeding the demo data twice changes nothing")
    func seedIdempotent() async throws {
        try await withSafeCert { t in
            let organizations = try await Organization.query(on: t.db).count()
            let accounts = try await Account.query(on: t.db).count()
            try await DemoSeed.run(on: t.app)
            #expect(try await Organization.query(on: t.db).count() == organizations)
            #expect(try await Account.query(on: t.db).count() == accounts)
            #expect(accounts == DemoSeed.accounts.count + DemoSeed.people.count)
        }
    }
}

@Suite("文档") struct DocumentationTests {
    @Test("the README's role table is the permission data")
    func readmeMatrixIsCurrent() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains(PermissionTable.markdownMatrix()))
        for demo in DemoSeed.accounts { #expect(readme.contains("`\(demo.username)`")) }
        for person in DemoSeed.people { #expect(readme.contains("`\(person.idNumber.value)`")) }
    }
}

@Suite("存储") struct StorageTests {
    @Test("the SQLite file runs in WAL mode with a durable sync setting")
    func sqliteFileSettings() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("safecert-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        do {
            let path = dir.appendingPathComponent("safecert.sqlite").path
            try await configure(app, settings: Settings(storage: .sqliteFile(path: path)),
                                services: AppServices(sms: RecordingSMSGateway(), clock: ManualClock()))
            try await prepareDatabase(app)
            try await app.autoMigrate()
            let sql = try #require(app.db as? any SQLDatabase)
            struct Mode: Decodable { let journal_mode: String }
            struct Sync: Decodable { let synchronous: Int }
            let mode = try await sql.raw("PRAGMA journal_mode").first(decoding: Mode.self)
            let sync = try await sql.raw("PRAGMA synchronous").first(decoding: Sync.self)
            #expect(mode?.journal_mode.lowercased() == "wal")
            #expect((sync?.synchronous ?? 0) >= 2, "synchronous must be FULL (2) or EXTRA (3)")
            #expect(FileManager.default.fileExists(atPath: path))
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }
}
