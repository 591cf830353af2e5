import Fluent
import Foundation
import SafeCertCore

struct CreatePersonPhoto: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PersonPhoto.schema)
            .id()
            .field("jpeg", .data, .required)
            .field("thumbnail", .data, .required)
            .field("width", .int, .required)
            .field("height", .int, .required)
            .field("person_id", .uuid, .required, .references(Person.schema, "id"))
            .field("created_at", .datetime)
            .unique(on: "person_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PersonPhoto.schema).delete()
    }
}
