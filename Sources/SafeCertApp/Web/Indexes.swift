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

/// The plain (non-unique, non-key) indexes of a table, dropped before a bulk load and built again
/// after it from their own definitions — for `seed --scale`, inside its transaction.
enum SecondaryIndexes {
    struct Definition: Sendable, Decodable {
        let name: String
        let sql: String
    }

    static func drop(on sql: any SQLDatabase, table: String) async throws -> [Definition] {
        let found = try await list(on: sql, table: table)
        for index in found { try await sql.drop(index: index.name).run() }
        return found
    }

    static func list(on sql: any SQLDatabase, table: String) async throws -> [Definition] {
        if sql.dialect.name == "postgresql" {
            return try await sql.raw("""
                SELECT i.indexname AS name, i.indexdef AS sql FROM pg_indexes i
                JOIN pg_namespace n ON n.nspname = i.schemaname
                JOIN pg_class c ON c.relname = i.indexname AND c.relnamespace = n.oid JOIN pg_index x ON x.indexrelid = c.oid
                WHERE i.schemaname = current_schema() AND i.tablename = \(bind: table) AND NOT x.indisunique AND NOT x.indisprimary
                """).all(decoding: Definition.self)
        }
        return try await sql.raw("""
            SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = \(bind: table)
            AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'
            """).all(decoding: Definition.self)
    }

    static func create(_ indexes: [Definition], on sql: any SQLDatabase) async throws {
        for index in indexes { try await sql.raw("\(unsafeRaw: index.sql)").run() }
    }
}
