import Fluent
import SQLKit

/// Fluent's schema builder has no plain indexes; both SQLite and PostgreSQL accept this SQL.
func createIndex(on database: any Database, name: String, table: String, columns: [String], unique: Bool = false) async throws {
    guard let sql = database as? any SQLDatabase else { return }
    let cols = columns.map { "\"\($0)\"" }.joined(separator: ", ")
    try await sql.raw(SQLQueryString("CREATE \(unsafeRaw: unique ? "UNIQUE " : "")INDEX IF NOT EXISTS \(unsafeRaw: name) ON \(unsafeRaw: table) (\(unsafeRaw: cols))")).run()
}

func dropIndex(on database: any Database, name: String) async throws {
    guard let sql = database as? any SQLDatabase else { return }
    try await sql.raw(SQLQueryString("DROP INDEX IF EXISTS \(unsafeRaw: name)")).run()
}

/// Whether `table` has `column` (for a migration that mends databases migrated by an earlier build).
func columnExists(on database: any Database, table: String, column: String) async throws -> Bool {
    guard let sql = database as? any SQLDatabase else { return false }
    if sql.dialect.name == "postgresql" {
        return try await sql.raw("""
            SELECT 1 FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = \(bind: table) AND column_name = \(bind: column)
            """).first() != nil
    }
    return try await sql.raw("SELECT 1 FROM pragma_table_info(\(bind: table)) WHERE name = \(bind: column)").first() != nil
}
