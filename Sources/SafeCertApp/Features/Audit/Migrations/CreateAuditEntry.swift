import Fluent
import Foundation
import SafeCertCore
import SQLKit

struct CreateAuditEntry: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AuditEntry.schema)
            .id()
            .field("at", .datetime, .required)
            .field("account_id", .uuid)
            .field("actor", .string, .required)
            .field("organization_id", .uuid)
            .field("organization_name", .string, .required)
            .field("action", .string, .required)
            .field("target_type", .string, .required)
            .field("target_id", .string)
            .field("summary", .string, .required)
            .field("ip", .string, .required)
            .create()
        try await createIndex(on: database, name: "audit_entries_at", table: AuditEntry.schema, columns: ["at"])
        try await createIndex(on: database, name: "audit_entries_action", table: AuditEntry.schema, columns: ["action"])
        try await createIndex(on: database, name: "audit_entries_target", table: AuditEntry.schema, columns: ["target_type", "target_id"])
        try await createIndex(on: database, name: "audit_entries_account_id", table: AuditEntry.schema, columns: ["account_id"])

        guard let sql = database as? any SQLDatabase else { return }
        if sql.dialect.name == "postgresql" {
            try await sql.raw("""
                CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
                BEGIN RAISE EXCEPTION 'audit log is append-only'; END; $$ LANGUAGE plpgsql
                """).run()
            try await sql.raw("""
                CREATE TRIGGER audit_entries_no_change BEFORE UPDATE OR DELETE ON audit_entries
                FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()
                """).run()
        } else {
            for event in ["UPDATE", "DELETE"] {
                try await sql.raw(SQLQueryString("""
                    CREATE TRIGGER audit_entries_no_\(unsafeRaw: event.lowercased()) BEFORE \(unsafeRaw: event) ON audit_entries
                    BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END
                    """)).run()
            }
        }
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase, sql.dialect.name == "postgresql" {
            try await sql.raw("DROP TRIGGER IF EXISTS audit_entries_no_change ON audit_entries").run()
            try await sql.raw("DROP FUNCTION IF EXISTS audit_entries_append_only()").run()
        }
        try await database.schema(AuditEntry.schema).delete()
    }
}
