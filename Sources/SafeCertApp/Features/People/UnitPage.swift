import Fluent
import FluentSQL
import Foundation
import SQLKit
import Synchronization

extension QueryBuilder where Model == Person {
    /// One page (`range`, in name-and-id order) of a unit's people — those it employs and those it
    /// registered — under this query's filters, which must carry no scope: each side is scoped to
    /// the unit here, read in order from its own index (`AddPeopleUnitNameIndexes`), and the two
    /// merged by a `UNION … ORDER BY … LIMIT`, so a page reads about as many index entries as it
    /// skips and shows instead of sorting all of the unit's people (the OR of the two columns has
    /// no ordered index). The people on the page are then read by id.
    func unitPage(_ units: [UUID], _ range: Range<Int>) async throws -> [Person] {
        guard let sql = database as? any SQLDatabase, let union = unitPageQuery(units, range) else { return [] }
        let column = Person.schemaOrAlias + "_id"
        let found = Mutex<[Result<UUID, any Error>]>([])
        try await sql.execute(sql: union) { row in
            let id = Result { try row.decode(column: column, as: UUID.self) }
            found.withLock { $0.append(id) }
        }
        let ids = try found.withLock { try $0.map { try $0.get() } }
        guard !ids.isEmpty else { return [] }
        return try await Person.query(on: database).filter(\.$id ~~ ids).sort(\.$name).sort(\.$id).all()
    }

    /// The page's ids as one `SELECT … UNION SELECT … ORDER BY name, id LIMIT … OFFSET …`.
    func unitPageQuery(_ units: [UUID], _ range: Range<Int>) -> SQLUnion? {
        guard !units.isEmpty, !range.isEmpty else { return nil }
        func side(_ query: QueryBuilder<Person>) -> SQLSelect? {
            var read = query.query
            read.action = .read
            read.fields = [.path([.string("name")], schema: Person.schemaOrAlias), .path([.id], schema: Person.schemaOrAlias)]
            read.sorts = []
            read.limits = []
            read.offsets = []
            return SQLQueryConverter(delegate: PlainSelectDelegate()).convert(read) as? SQLSelect
        }
        guard let employed = side(copy().filter(\.$employer.$id ~~ units)),
              let registered = side(copy().filter(\.$registeredBy.$id ~~ units)) else { return nil }
        var union = SQLUnion(initialQuery: employed, unions: [(SQLUnionJoiner(type: .union), registered)])
        let prefix = Person.schemaOrAlias + "_"
        union.orderBys = [SQLIdentifier(prefix + "name"), SQLIdentifier(prefix + "id")]
        union.limit = range.count
        union.offset = range.lowerBound
        return union
    }
}
