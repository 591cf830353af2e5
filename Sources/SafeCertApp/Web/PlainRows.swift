import Fluent
import Foundation
import Synchronization

extension QueryBuilder {
    /// The query's rows as plain values, selecting only `fields`, without building models: Fluent
    /// fills a model by reflecting over its properties, about 100 µs a row, which for a 5,000-row
    /// export part is most of the time. `make` reads one row (`output.decode("name", as: String.self)`).
    func plainRows<Row: Sendable>(_ fields: [FieldKey], _ make: @escaping @Sendable (any DatabaseOutput) throws -> Row) async throws -> [Row] {
        for key in fields { _ = field(.path([key], schema: Model.schemaOrAlias)) }
        let rows = Mutex<[Result<Row, any Error>]>([])
        let space = Model.spaceIfNotAliased, schema = Model.schemaOrAlias
        try await run { output in
            let row = Result { try make(output.qualifiedSchema(space: space, schema)) }
            rows.withLock { $0.append(row) }
        }.get()
        return try rows.withLock { try $0.map { try $0.get() } }
    }
}

extension Organization {
    /// Names of the organisations with these ids (missing ones left out), without building models.
    static func names(_ ids: some Sequence<UUID?>, on db: any Database) async throws -> [UUID: String] {
        let wanted = Array(Set(ids.compactMap { $0 }))
        guard !wanted.isEmpty else { return [:] }
        let pairs = try await Organization.query(on: db).filter(\.$id ~~ wanted)
            .plainRows(["id", "name"]) { (try $0.decode("id", as: UUID.self), try $0.decode("name", as: String.self)) }
        return Dictionary(pairs, uniquingKeysWith: { a, _ in a })
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
