import Fluent
import Foundation
import SQLKit

/// A unit's people list (the people it employs or registered) in name order: (employer_id, name,
/// id) and (registered_by_id, name, id) each give one side in the list's order with the columns
/// the order needs, so a page is merged from the two (`Person.unitPage`) instead of reading and
/// sorting every one of the unit's people — thousands for a large enterprise.
struct AddPeopleUnitNameIndexes: AsyncMigration {
    static let employerName = "people_employer_name_id"
    static let registeredByName = "people_registered_by_name_id"

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: Self.employerName).on(Person.schema).column("employer_id").column("name").column("id").run()
        try await sql.create(index: Self.registeredByName).on(Person.schema).column("registered_by_id").column("name").column("id").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: Self.registeredByName).ifExists().run()
        try await sql.drop(index: Self.employerName).ifExists().run()
    }
}
