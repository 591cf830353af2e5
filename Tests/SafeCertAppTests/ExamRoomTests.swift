import Fluent
import Foundation
import SafeCertCore
import Testing
import Vapor
import VaporTesting
@testable import SafeCertApp

@Suite("考场维护") struct ExamRoomHTTPTests {
    @Test("a centre adds, edits and disables its rooms; never deletes; others see but can't change them")
    func rooms() async throws {
        try await withSafeCert { t in
            let centre = try await t.loggedIn("centre")
            let bad = try await centre.post("/exam-rooms", ["name": "第二机考室", "kind": "computer", "capacity": "80",
                                                             "address": "长春市", "ip_range": "10.1.2.0/26"])
            #expect(bad.status == .unprocessableEntity)
            #expect(centre.lastBody.contains("IP 段只有 64 个地址，少于核定人数 80"))
            let duplicate = try await centre.post("/exam-rooms", ["name": "第一机考室", "kind": "computer", "capacity": "20", "address": "长春市"])
            #expect(duplicate.status == .unprocessableEntity)
            #expect(centre.lastBody.contains("本考核点已有同名考场"))
            #expect(try await centre.post("/exam-rooms", ["name": "第二机考室", "kind": "computer", "capacity": "50",
                                                          "address": "长春市", "ip_range": "10.1.2.0/26"]).status == .seeOther)
            let room = try #require(try await ExamRoom.query(on: t.db).filter(\.$name == "第二机考室").first())
            #expect(room.capacity == 50)
            #expect(room.ipRange == "10.1.2.0-10.1.2.63")
            // Disable through the edit form, as the manual does.
            #expect(try await centre.post("/exam-rooms/\(room.id!)", ["name": "第二机考室", "kind": "computer", "capacity": "50",
                                                                      "address": "长春市", "ip_range": "10.1.2.0/26", "disabled": "1"]).status == .seeOther)
            #expect(try await ExamRoom.find(room.id, on: t.db)?.disabled == true)
            #expect(try await t.auditCount("exam-room.disable") == 1)
            // There is no delete.
            #expect(try await centre.send(.DELETE, "/exam-rooms/\(room.id!)", headers: [:], body: nil).status == .notFound)
            #expect(try await ExamRoom.find(room.id, on: t.db) != nil)

            // Another centre can't open or change it; the province sees it; an enterprise may not look.
            let other = try await t.loggedIn("centre2")
            #expect(try await other.get("/exam-rooms/\(room.id!)").status == .notFound)
            #expect(try await other.post("/exam-rooms/\(room.id!)", ["name": "x", "kind": "computer", "capacity": "5", "address": "x"]).status == .notFound)
            let province = try await t.loggedIn("province")
            #expect(try await province.get("/exam-rooms/\(room.id!)").status == .ok)
            let list = try await province.get("/exam-rooms?status=disabled")
            #expect(list.body.string.contains("第二机考室"))
            #expect(!list.body.string.contains("第一机考室"))
            #expect(try await province.post("/exam-rooms", ["name": "x", "kind": "computer", "capacity": "5", "address": "x"]).status == .forbidden)
            let enterprise = try await t.loggedIn("enterprise")
            #expect(try await enterprise.get("/exam-rooms").status == .forbidden)
        }
    }
}
