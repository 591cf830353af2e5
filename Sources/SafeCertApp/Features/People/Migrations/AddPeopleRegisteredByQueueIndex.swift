import Fluent
import Foundation
import SQLKit

/// The review queue filtered by the unit that registered the people (录入单位): without it the
/// queue walks every waiting registration in time order looking for that unit's, hundreds of
/// milliseconds at a province's size when the unit has few or none. (registered_by_id, status,
/// created_at, id) serves the filter and the queue's order at once.
struct AddPeopleRegisteredByQueueIndex: AsyncMigration {
    static let name = "people_registered_by_status_created_id"

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: Self.name).on(Person.schema)
            .column("registered_by_id").column("status").column("created_at").column("id").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: Self.name).ifExists().run()
    }
}
