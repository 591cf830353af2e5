import Fluent

struct CreateThrottleEvent: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ThrottleEvent.schema)
            .id()
            .field("kind", .string, .required)
            .field("subject", .string, .required)
            .field("address", .string, .required)
            .field("at", .datetime, .required)
            .create()
        try await createIndex(on: database, name: "throttle_events_subject", table: ThrottleEvent.schema, columns: ["kind", "subject", "at"])
        try await createIndex(on: database, name: "throttle_events_address", table: ThrottleEvent.schema, columns: ["kind", "address", "at"])
        try await createIndex(on: database, name: "throttle_events_at", table: ThrottleEvent.schema, columns: ["at"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ThrottleEvent.schema).delete()
    }
}
