import Fluent
import Foundation
import SafeCertCore
import Testing
import Vapor
import VaporTesting
@testable import SafeCertApp

@Suite("加固：请求不能使服务停止或越界") struct HardeningTests {
    @Test("a page number past the last page shows the last page", arguments: [
        ("220102198503120318", "/classes?page=6"), ("province", "/people?page=999999999"), ("auditor", "/audit?page=9"),
        ("province", "/people?page=9223372036854775807"), ("province", "/people?page=-1"), ("province", "/people?page=0"),
        ("enterprise", "/people/export.xlsx?part=9223372036854775807"),
    ])
    func pagesPastTheEnd(username: String, path: String) async throws {
        try await withSafeCert { t in
            let client = try await t.loggedIn(username)
            let response = try await client.get(path)
            #expect(response.status == .ok, "\(path): \(response.status)")
        }
    }

    @Test("a far or impossible date in a filter is refused with the field named", arguments: [
        "/exam-plans?to=9999-12-31", "/exam-plans?from=0001-01-01", "/exam-plans?from=2026-02-30", "/exam-plans?to=garbage",
    ])
    func farDates(path: String) async throws {
        try await withSafeCert { t in
            let response = try await t.loggedIn("province").get(path)
            #expect(response.status == .badRequest)
            #expect(response.body.string.contains("日期"))
        }
    }

    @Test("a far month in the calendar shows the current month, a real one its own")
    func calendarMonths() async throws {
        try await withSafeCert { t in
            let province = try await t.loggedIn("province")
            #expect(try await province.get("/exam-plans/calendar?month=9999-12").status == .ok)
            #expect(try await province.get("/exam-plans/calendar?month=2030-02").body.string.contains("2030 年 2 月"))
        }
    }

    @Test("back is followed only to the site's own pages, with no header of its own", arguments: [
        ("/enrolments?state=submitted", "/enrolments?state=submitted"),
        ("/enrolments\r\nSet-Cookie: injected=1", nil), ("/\\evil.example", nil), ("//evil.example", nil),
        ("https://evil.example/", nil), ("/no-such-page", nil), ("/people/\(UUID().uuidString)", "/people/"),
        ("/people/x?q=a b&r=中", "/people/x?q=a%20b&r=%E4%B8%AD"),
    ])
    func localRedirects(raw: String, expected: String?) async throws {
        try await withSafeCert(seed: false) { t in
            let result = LocalRedirect.validated(raw, routes: t.app.routes.all)
            if let expected {
                #expect(result?.hasPrefix(expected) == true, "\(raw) → \(result ?? "nil")")
            } else {
                #expect(result == nil, "\(raw) → \(result ?? "nil")")
            }
        }
    }

    @Test("a line break in a form's plan or room writes no header")
    func noHeaderInjection() async throws {
        try await withSafeCert { t in
            let centre = try await t.loggedIn("centre")
            let response = try await centre.post("/identity/check", ["plan": "x\r\nSet-Cookie: injected=1", "room": "y\r\nX-Injected: 1",
                                                                    "id_number": "1", "name": "a", "method": "manual", "reason": "r"])
            #expect(response.status == .seeOther)
            #expect(response.headers.first(name: .location) == "/identity")
            #expect(!response.headers[.setCookie].contains { $0.contains("injected") })
            #expect(response.headers.first(name: "X-Injected") == nil)
        }
    }

    @Test("downloads with personal data are never cached; the stylesheet is", arguments: [
        ("enterprise", "/people/export.xlsx?part=1"), ("enterprise", "/enrolments/export.xlsx?part=1"),
        ("enterprise", "/people/import/template.xlsx"), ("enterprise", "/enrolments/template.xlsx"),
        ("institution", "/exam-plans/import-template.xlsx"),
    ])
    func noStore(username: String, path: String) async throws {
        try await withSafeCert { t in
            let response = try await t.loggedIn(username).get(path)
            #expect(response.status == .ok, "\(path)")
            #expect(response.headers.first(name: .cacheControl) == "no-store", "\(path)")
        }
    }

    @Test("a photo needs the right to view the person, scoped like the person")
    func photos() async throws {
        try await withSafeCert { t in
            let person = try #require(try await Person.query(on: t.db).filter(\.$hasPhoto == true).with(\.$employer).first())
            for admin in ["sysadmin", "secadmin", "auditor"] {
                let client = try await t.loggedIn(admin)
                #expect(try await client.get("/people/\(person.id!)/photo.jpg").status == .forbidden, "\(admin)")
                #expect(try await client.get("/people/\(person.id!)/thumbnail.jpg").status == .forbidden, "\(admin)")
            }
            #expect(try await t.loggedIn("province").get("/people/\(person.id!)/photo.jpg").status == .ok)
        }
    }
}
