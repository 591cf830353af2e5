import Fluent
import FluentSQL
import FluentSQLiteDriver
import Foundation
import SafeCertCore
import Synchronization

/// One row read by `plainRows`: on SQLite straight from the driver's row, elsewhere through
/// Fluent's output. Fields are named by their keys ("name"), as in the model.
struct PlainRow {
    private enum Source {
        case sqlite(SQLiteRow, prefix: String)
        case output(any DatabaseOutput)
    }

    private let source: Source

    fileprivate init(sqlite row: SQLiteRow, prefix: String) { source = .sqlite(row, prefix: prefix) }
    fileprivate init(output: any DatabaseOutput) { source = .output(output) }

    /// Whether the row came straight from SQLite (the fast path; tests check it is taken).
    var isDirect: Bool {
        if case .sqlite = source { return true }
        return false
    }

    struct Missing: Error, CustomStringConvertible {
        let field: String
        var description: String { "读取的行缺少字段：\(field)" }
    }

    private func data(_ key: FieldKey) throws -> SQLiteData {
        guard case .sqlite(let row, let prefix) = source else { throw Missing(field: key.description) }
        guard let value = row.column(prefix + key.description) else { throw Missing(field: key.description) }
        return value
    }

    func string(_ key: FieldKey) throws -> String {
        switch source {
        case .output(let o): return try o.decode(key, as: String.self)
        case .sqlite:
            guard let text = try data(key).string else { throw Missing(field: key.description) }
            return text
        }
    }

    func optionalString(_ key: FieldKey) throws -> String? {
        switch source {
        case .output(let o): return try o.decode(key, as: String?.self)
        case .sqlite:
            let value = try data(key)
            return value.isNull ? nil : value.string
        }
    }

    func uuid(_ key: FieldKey) throws -> UUID? {
        switch source {
        case .output(let o): return try o.decode(key, as: UUID?.self)
        case .sqlite:
            let value = try data(key)
            if value.isNull { return nil }
            if let text = value.string, let id = UUIDText.parse(text) { return id }
            if let blob = value.blob, blob.readableBytes == 16, let bytes = blob.getBytes(at: blob.readerIndex, length: 16) {
                return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                                   bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
            }
            throw Missing(field: key.description)
        }
    }

    func date(_ key: FieldKey) throws -> Date? {
        switch source {
        case .output(let o): return try o.decode(key, as: Date?.self)
        case .sqlite:
            let value = try data(key)
            return value.isNull ? nil : Date(sqliteData: value)
        }
    }
}

/// A select's converter needs no custom data types.
struct PlainSelectDelegate: SQLConverterDelegate {
    func customDataType(_ dataType: DatabaseSchema.DataType) -> (any SQLExpression)? { nil }
}

extension QueryBuilder {
    /// The query's rows as plain values, selecting only `fields`, without building models: Fluent
    /// fills a model by reflecting over its properties, and decodes every value through `Decodable`
    /// by its column's name — for a 5,000-row export part that was most of the time. On SQLite the
    /// rows are read from the driver's own row values. `make` reads one row (`row.string("name")`).
    func plainRows<Row: Sendable>(_ fields: [FieldKey], _ make: @escaping @Sendable (PlainRow) throws -> Row) async throws -> [Row] {
        for key in fields { _ = field(.path([key], schema: Model.schemaOrAlias)) }
        let rows = Mutex<[Result<Row, any Error>]>([])
        if let sqlite = database as? any SQLiteDatabase, let sql = database as? any SQLDatabase {
            var select = query
            select.action = .read
            let expression = SQLQueryConverter(delegate: PlainSelectDelegate()).convert(select)
            var serializer = SQLSerializer(database: sql)
            expression.serialize(to: &serializer)
            let encoder = SQLiteDataEncoder()
            let binds = try serializer.binds.map { try encoder.encode($0) }
            let prefix = [Model.spaceIfNotAliased, Model.schemaOrAlias].compactMap { $0 }.joined(separator: "_") + "_"
            try await sqlite.query(serializer.sql, binds) { row in
                let made = Result { try make(PlainRow(sqlite: row, prefix: prefix)) }
                rows.withLock { $0.append(made) }
            }
        } else {
            let space = Model.spaceIfNotAliased, schema = Model.schemaOrAlias
            try await run { output in
                let made = Result { try make(PlainRow(output: output.qualifiedSchema(space: space, schema))) }
                rows.withLock { $0.append(made) }
            }.get()
        }
        return try rows.withLock { try $0.map { try $0.get() } }
    }
}

extension Organization {
    /// Names of the organisations with these ids (missing ones left out), without building models.
    static func names(_ ids: some Sequence<UUID?>, on db: any Database) async throws -> [UUID: String] {
        let wanted = Array(Set(ids.compactMap { $0 }))
        guard !wanted.isEmpty else { return [:] }
        let pairs = try await Organization.query(on: db).filter(\.$id ~~ wanted)
            .plainRows(["id", "name"]) { row -> (UUID?, String) in (try row.uuid("id"), try row.string("name")) }
        return Dictionary(pairs.compactMap { id, name in id.map { ($0, name) } }, uniquingKeysWith: { a, _ in a })
    }
}

extension Dictionary {
    /// The value for `key`, made by `make` and kept the first time it is asked for.
    mutating func cached(_ key: Key, _ make: (Key) -> Value) -> Value {
        if let value = self[key] { return value }
        let value = make(key)
        self[key] = value
        return value
    }
}
