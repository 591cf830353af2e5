import Fluent
import Foundation
import SafeCertCore
import SQLKit

/// The audit log becomes a hash chain (`AuditChain`): entries get a sequence number and hashes,
/// the entries already there are chained in the order they were written, and one head row keeps
/// the newest link.
struct AddAuditChain: AsyncMigration {
    func prepare(on database: any Database) async throws {
        for (name, type) in [("sequence", DatabaseSchema.DataType.int64), ("previous_hash", .string), ("hash", .string)] {
            try await database.schema(AuditEntry.schema).field(.definition(name: .key(.string(name)), dataType: type, constraints: [])).update()
        }
        try await createIndex(on: database, name: "audit_entries_sequence", table: AuditEntry.schema, columns: ["sequence"], unique: true)
        try await database.schema(AuditChainHead.schema)
            .id()
            .field("name", .string, .required)
            .field("sequence", .int64, .required)
            .field("hash", .string, .required)
            .unique(on: "name")
            .create()
        try await chainExisting(on: database)
    }

    /// The entries written before the chain, oldest first, linked while the append-only
    /// triggers step aside.
    private func chainExisting(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        let postgres = sql.dialect.name == "postgresql"
        try await AppendOnlyTriggers.suspend(on: sql, postgres: postgres)
        var position = AuditChain.Position.start
        var offset = 0
        while true {
            let batch = try await AuditEntry.query(on: database).sort(\.$at).sort(\.$id).range(offset..<(offset + 1_000)).all()
            if batch.isEmpty { break }
            for entry in batch {
                entry.at = Date(timeIntervalSince1970: Double(Audit.milliseconds(entry.at)) / 1000)
                entry.sequence = position.sequence + 1
                entry.previousHash = position.hash
                let hash = AuditChain.hash(entry.chainFields)
                entry.hash = hash
                try await entry.save(on: database)
                position = .init(sequence: position.sequence + 1, hash: hash)
            }
            offset += batch.count
        }
        let head = AuditChainHead()
        head.name = AuditChainHead.name
        head.sequence = position.sequence
        head.hash = position.hash
        try await head.create(on: database)
        try await AppendOnlyTriggers.restore(on: sql, postgres: postgres)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AuditChainHead.schema).delete()
        try await dropIndex(on: database, name: "audit_entries_sequence")
        for name in ["hash", "previous_hash", "sequence"] {
            try await database.schema(AuditEntry.schema).deleteField(.key(.string(name))).update()
        }
    }
}

/// The triggers that make audit_entries append-only (`CreateAuditEntry`), set aside only by a
/// migration that must rewrite the table.
enum AppendOnlyTriggers {
    static func suspend(on sql: any SQLDatabase, postgres: Bool) async throws {
        if postgres {
            try await sql.raw("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_no_change").run()
        } else {
            try await sql.raw("DROP TRIGGER IF EXISTS audit_entries_no_update").run()
        }
    }

    static func restore(on sql: any SQLDatabase, postgres: Bool) async throws {
        if postgres {
            try await sql.raw("ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_no_change").run()
        } else {
            try await sql.raw("""
                CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
                BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END
                """).run()
        }
    }
}
