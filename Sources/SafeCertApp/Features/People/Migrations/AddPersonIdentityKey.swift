import Fluent
import FluentSQLiteDriver
import Foundation
import SQLKit

/// A person is one identity document — its type and its number — not a number alone: a
/// passport "H12345678" and a Hong Kong permit "H12345678" belong to two people. Replaces the
/// unique constraint on `people.id_number` (`uq:people.id_number`, from `CreatePerson`) with one
/// on (`id_type`, `id_number`), and keeps an index on `id_number` for the lookups by number.
///
/// PostgreSQL drops and adds the constraint. SQLite can't drop a table constraint, so the table
/// is rebuilt from its own stored definition with the constraint swapped (SQLite's documented
/// twelve-step procedure: foreign keys off on one connection, copy, drop, rename, indexes back,
/// foreign-key check, foreign keys on).
struct AddPersonIdentityKey: AsyncMigration {
    static let oldConstraint = #"CONSTRAINT "uq:people.id_number" UNIQUE ("id_number")"#
    static let newConstraint = #"CONSTRAINT "uq:people.id_type+people.id_number" UNIQUE ("id_type", "id_number")"#
    static let numberIndex = "people_id_number"

    func prepare(on database: any Database) async throws {
        if database is any SQLiteDatabase {
            try await Self.rebuildSQLite(on: database, replacing: Self.oldConstraint, with: Self.newConstraint)
        } else {
            try await database.schema(Person.schema).deleteUnique(on: "id_number").unique(on: "id_type", "id_number").update()
        }
        try await createIndex(on: database, name: Self.numberIndex, table: Person.schema, columns: ["id_number"])
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: Self.numberIndex).ifExists().run()
        if database is any SQLiteDatabase {
            try await Self.rebuildSQLite(on: database, replacing: Self.newConstraint, with: Self.oldConstraint)
        } else {
            try await database.schema(Person.schema).deleteUnique(on: "id_type", "id_number").unique(on: "id_number").update()
        }
    }

    struct DefinitionNotFound: Error, CustomStringConvertible {
        let expected: String
        var description: String { "people 表的定义中没有 \(expected)，无法改建" }
    }

    /// Rebuilds `people` with one table constraint replaced, keeping every column, row and index.
    static func rebuildSQLite(on database: any Database, replacing old: String, with new: String) async throws {
        try await database.withConnection { connection in
            guard let sql = connection as? any SQLDatabase else { return }
            struct Definition: Decodable { let sql: String }
            guard let table = try await sql.raw("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'people'")
                .first(decoding: Definition.self)?.sql, table.contains(old) else {
                throw DefinitionNotFound(expected: old)
            }
            let indexes = try await sql.raw("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'people' AND sql IS NOT NULL")
                .all(decoding: Definition.self).map(\.sql)
            guard let nameRange = table.range(of: #""people""#) else { throw DefinitionNotFound(expected: #""people""#) }
            let rebuilt = table.replacingCharacters(in: nameRange, with: #""people_rekeyed""#).replacingOccurrences(of: old, with: new)
            try await sql.raw("PRAGMA foreign_keys = OFF").run()
            do {
                try await connection.transaction { tx in
                    guard let sql = tx as? any SQLDatabase else { return }
                    try await sql.raw("\(unsafeRaw: rebuilt)").run()
                    try await sql.raw(#"INSERT INTO "people_rekeyed" SELECT * FROM "people""#).run()
                    try await sql.raw(#"DROP TABLE "people""#).run()
                    try await sql.raw(#"ALTER TABLE "people_rekeyed" RENAME TO "people""#).run()
                    for index in indexes { try await sql.raw("\(unsafeRaw: index)").run() }
                    struct Violation: Decodable { let table: String }
                    if let broken = try await sql.raw("PRAGMA foreign_key_check").first(decoding: Violation.self) {
                        throw DefinitionNotFound(expected: "外键完整（\(broken.table) 引用缺失）")
                    }
                }
            } catch {
                try? await sql.raw("PRAGMA foreign_keys = ON").run()
                throw error
            }
            try await sql.raw("PRAGMA foreign_keys = ON").run()
        }
    }
}
