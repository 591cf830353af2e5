import Fluent
import SQLKit

/// Fluent's schema builder has no plain indexes; both SQLite and PostgreSQL accept this SQL.
func createIndex(on database: any Database, name: String, table: String, columns: [String], unique: Bool = false) async throws {
    guard let sql = database as? any SQLDatabase else { return }
    let cols = columns.map { "\"\($0)\"" }.joined(separator: ", ")
    try await sql.raw(SQLQueryString("CREATE \(unsafeRaw: unique ? "UNIQUE " : "")INDEX IF NOT EXISTS \(unsafeRaw: name) ON \(unsafeRaw: table) (\(unsafeRaw: cols))")).run()
}

/// Adds an index through SQLKit's `create(index:)`: what every NEW migration uses. (`createIndex`
/// above, raw SQL with IF NOT EXISTS, stays only for the migrations that shipped with it; they are
/// never edited.) Refuses a repeated name rather than skipping it, so a mistake shows at once.
func addIndex(on database: any Database, name: String, table: String, columns: [String], unique: Bool = false) async throws {
    guard let sql = database as? any SQLDatabase else { return }
    var builder = sql.create(index: name).on(table)
    for column in columns { builder = builder.column(column) }
    if unique { builder = builder.unique() }
    try await builder.run()
}

/// Removes an index made by `addIndex` (SQLKit's `drop(index:)`), for a new migration's revert.
func removeIndex(on database: any Database, name: String) async throws {
    guard let sql = database as? any SQLDatabase else { return }
    try await sql.drop(index: name).ifExists().run()
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
