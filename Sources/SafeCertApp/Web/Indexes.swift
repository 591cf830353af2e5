import Fluent
import SQLKit

/// Fluent's schema builder has no plain indexes; both SQLite and PostgreSQL accept this SQL.
func createIndex(on database: any Database, name: String, table: String, columns: [String], unique: Bool = false) async throws {
    guard let sql = database as? any SQLDatabase else { return }
    let cols = columns.map { "\"\($0)\"" }.joined(separator: ", ")
    try await sql.raw(SQLQueryString("CREATE \(unsafeRaw: unique ? "UNIQUE " : "")INDEX IF NOT EXISTS \(unsafeRaw: name) ON \(unsafeRaw: table) (\(unsafeRaw: cols))")).run()
}
