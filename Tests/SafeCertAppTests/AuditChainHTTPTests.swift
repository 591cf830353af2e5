import Fluent
import Foundation
import SafeCertCore
import SQLKit
import Testing
import Vapor
@testable import SafeCertApp

@Suite("审计日志防篡改") struct AuditChainHTTPTests {
    /// Ten more entries, some inside a transaction and some not.
    func record(_ t: TestApp) async throws {
        for i in 1...10 {
            let at = t.clock.now().addingTimeInterval(Double(i) * 0.0123)
            if i.isMultiple(of: 2) {
                try await t.db.transaction { db in
                    try await Audit.record(on: db, actor: .system("测试"), action: "test.entry", targetType: "test", targetID: "\(i)",
                                           summary: "第 \(i) 条", at: at)
                }
            } else {
                try await Audit.record(on: t.db, actor: .system("测试"), action: "test.entry", targetType: "test", targetID: "\(i)",
                                       summary: "第 \(i) 条", at: at)
            }
        }
    }

    func tamper(_ t: TestApp, _ statement: String) async throws {
        let sql = try #require(t.db as? any SQLDatabase)
        let postgres = sql.dialect.name == "postgresql"
        try await AppendOnlyTriggers.suspend(on: sql, postgres: postgres)
        if !postgres { try await sql.raw("DROP TRIGGER IF EXISTS audit_entries_no_delete").run() }
        try await sql.raw(SQLQueryString(statement)).run()
    }

    @Test("every entry is chained as it is written; the chain checks out")
    func intact() async throws {
        try await withSafeCert { t in
            _ = try await t.loggedIn("province")
            try await record(t)
            let count = try await AuditEntry.query(on: t.db).count()
            #expect(count > 5)
            let outcome = try await AuditVerifier.verify(on: t.db)
            #expect(outcome == .intact(entries: Int64(count)), "\(outcome)")
            #expect(try await AuditEntry.query(on: t.db).filter(\.$hash == nil).count() == 0)
        }
    }

    @Test("an altered entry is named")
    func altered() async throws {
        try await withSafeCert { t in
            try await record(t)
            let victim = try #require(try await AuditEntry.query(on: t.db).filter(\.$sequence == 3).first())
            try await tamper(t, "UPDATE audit_entries SET summary = 'nothing happened' WHERE sequence = 3")
            #expect(try await AuditVerifier.verify(on: t.db) == .broken(.altered(sequence: 3), entryID: victim.id))
        }
    }

    @Test("a removed entry is found where the chain breaks, also the newest one")
    func removed() async throws {
        try await withSafeCert { t in
            try await record(t)
            let next = try #require(try await AuditEntry.query(on: t.db).filter(\.$sequence == 5).first())
            try await tamper(t, "DELETE FROM audit_entries WHERE sequence = 4")
            #expect(try await AuditVerifier.verify(on: t.db) == .broken(.missingBefore(sequence: 5), entryID: next.id))
        }
        try await withSafeCert { t in
            try await record(t)
            let last = try #require(try await AuditEntry.query(on: t.db).sort(\.$sequence, .descending).first()?.sequence)
            try await tamper(t, "DELETE FROM audit_entries WHERE sequence = \(last)")
            #expect(try await AuditVerifier.verify(on: t.db) == .broken(.missingAtEnd(after: last - 1), entryID: nil))
        }
    }
}
