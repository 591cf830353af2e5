import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
@testable import SafeCertApp

@Suite("数据库迁移") struct MigrationTests {
    /// The tables and columns the database holds, to compare a schema before and after.
    static func schema(of db: any Database) async throws -> [String: Set<String>] {
        guard let sql = db as? any SQLDatabase else { return [:] }
        var result: [String: Set<String>] = [:]
        if sql.dialect.name == "postgresql" {
            let rows = try await sql.raw("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()").all()
            for row in rows {
                result[try row.decode(column: "table_name", as: String.self), default: []].insert(try row.decode(column: "column_name", as: String.self))
            }
            let indexes = try await sql.raw("SELECT tablename, indexname FROM pg_indexes WHERE schemaname = current_schema()").all()
            for row in indexes {
                result["index:" + (try row.decode(column: "tablename", as: String.self)), default: []].insert(try row.decode(column: "indexname", as: String.self))
            }
        } else {
            let tables = try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all()
            for table in tables {
                let name = try table.decode(column: "name", as: String.self)
                let columns = try await sql.raw("SELECT name FROM pragma_table_info(\(bind: name))").all()
                result[name] = Set(try columns.map { try $0.decode(column: "name", as: String.self) })
            }
            let indexes = try await sql.raw("SELECT tbl_name, name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'").all()
            for row in indexes {
                result["index:" + (try row.decode(column: "tbl_name", as: String.self)), default: []].insert(try row.decode(column: "name", as: String.self))
            }
        }
        return result
    }

    @Test("every migration reverts cleanly: up, revert all, up again gives the same schema")
    func upRevertUp() async throws {
        try await withSafeCert(seed: false) { t in
            let first = try await Self.schema(of: t.db)
            #expect(first["exam_plan_rooms"]?.contains("position") == true)
            try await t.app.autoRevert()
            let empty = try await Self.schema(of: t.db)
            #expect(empty.keys.filter { $0 != "_fluent_migrations" && $0 != "index:_fluent_migrations" }.isEmpty, "left behind: \(empty.keys.sorted())")
            try await t.app.autoMigrate()
            let again = try await Self.schema(of: t.db)
            #expect(Self.difference(again, first).isEmpty, Comment(rawValue: Self.difference(again, first)))
        }
    }

    @Test("each migration's revert undoes exactly what it did, and it applies again")
    func eachMigrationReverts() async throws {
        try await withSafeCert(seed: false) { t in
            try await t.app.autoRevert()
            var before = try await Self.schema(of: t.db)
            for count in 1...SafeCertMigrations.all.count {
                let migrations = Migrations()
                migrations.add(Array(SafeCertMigrations.all.prefix(count)))
                let migrator = Migrator(databases: t.app.databases, migrations: migrations, logger: t.app.logger,
                                        on: t.app.eventLoopGroup.any(), migrationLogLevel: .debug)
                let name = SafeCertMigrations.all[count - 1].name
                try await migrator.prepareBatch().get()
                let after = try await Self.schema(of: t.db)
                try await migrator.revertLastBatch().get()
                let reverted = try await Self.schema(of: t.db)
                #expect(Self.difference(reverted, before).isEmpty, "\(name) left behind: \(Self.difference(reverted, before))")
                try await migrator.prepareBatch().get()
                let again = try await Self.schema(of: t.db)
                #expect(Self.difference(again, after).isEmpty, "\(name) applied again differs: \(Self.difference(again, after))")
                before = after
            }
        }
    }

    @Test("a new migration's index through SQLKit: created (unique when asked), refused twice, removed")
    func sqlKitIndexHelper() async throws {
        try await withSafeCert(seed: false) { t in
            guard let sql = t.db as? any SQLDatabase else { return }
            try await sql.create(table: "index_probe").column("a", type: .int).column("b", type: .text).run()
            try await addIndex(on: t.db, name: "index_probe_a_b", table: "index_probe", columns: ["a", "b"], unique: true)
            #expect(try await Self.schema(of: t.db)["index:index_probe"]?.contains("index_probe_a_b") == true)
            try await sql.raw("INSERT INTO index_probe (a, b) VALUES (1, 'x')").run()
            await #expect(throws: (any Error).self, "unique") { try await sql.raw("INSERT INTO index_probe (a, b) VALUES (1, 'x')").run() }
            await #expect(throws: (any Error).self, "same name twice") {
                try await addIndex(on: t.db, name: "index_probe_a_b", table: "index_probe", columns: ["a"])
            }
            try await removeIndex(on: t.db, name: "index_probe_a_b")
            #expect(try await Self.schema(of: t.db)["index:index_probe"]?.contains("index_probe_a_b") != true)
            try await sql.drop(table: "index_probe").run()
        }
    }

    static func difference(_ a: [String: Set<String>], _ b: [String: Set<String>]) -> String {
        Set(a.keys).union(b.keys).sorted().compactMap { table in
            let extra = (a[table] ?? []).subtracting(b[table] ?? [])
            let missing = (b[table] ?? []).subtracting(a[table] ?? [])
            if extra.isEmpty && missing.isEmpty { return nil }
            return "\(table): +\(extra.sorted()) -\(missing.sorted())"
        }.joined(separator: "; ")
    }
}
