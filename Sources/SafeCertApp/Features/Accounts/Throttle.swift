import Fluent
import Foundation

/// The counts behind `LoginPolicy`'s limits, shared by every instance through the database.
///
/// An attempt is recorded *before* it is judged and withdrawn when it succeeds: a burst of
/// parallel attempts then sees its own rows, so no more of them get through than the limit
/// allows, however they interleave.
enum Throttle {
    struct Counted: Sendable {
        let id: UUID
        /// Events of the same subject before this one (in the window asked for).
        let bySubject: Int
        /// Events from the same address before this one.
        let byAddress: Int
    }

    /// Records one attempt, then counts the events of its subject (from its address only, if
    /// `sameAddress`) and of its address since the given dates, leaving itself out.
    static func record(
        _ kind: ThrottleEvent.Kind, subject: String, address: String, at now: Date,
        subjectSince: Date, addressSince: Date?, sameAddress: Bool = false, on db: any Database
    ) async throws -> Counted {
        let event = ThrottleEvent(kind: kind, subject: subject, address: address, at: now)
        try await event.create(on: db)
        var bySubject = ThrottleEvent.query(on: db).filter(\.$kind == kind).filter(\.$subject == subject)
            .filter(\.$at >= subjectSince)
        if sameAddress { bySubject = bySubject.filter(\.$address == address) }
        let subjectCount = try await bySubject.count()
        var addressCount = 0
        if let addressSince {
            addressCount = try await ThrottleEvent.query(on: db).filter(\.$kind == kind).filter(\.$address == address)
                .filter(\.$at >= addressSince).count()
        }
        return Counted(id: try event.requireID(), bySubject: max(0, subjectCount - 1), byAddress: max(0, addressCount - 1))
    }

    /// Takes back an attempt that succeeded.
    static func withdraw(_ id: UUID, on db: any Database) async throws {
        try await ThrottleEvent.query(on: db).filter(\.$id == id).delete()
    }

    /// Forgets a subject's events: all of them, or those from one address.
    static func clear(_ kind: ThrottleEvent.Kind, subject: String, address: String? = nil, on db: any Database) async throws {
        var query = ThrottleEvent.query(on: db).filter(\.$kind == kind).filter(\.$subject == subject)
        if let address { query = query.filter(\.$address == address) }
        try await query.delete()
    }

    /// Drops events older than any window reads.
    static func prune(before: Date, on db: any Database) async throws {
        try await ThrottleEvent.query(on: db).filter(\.$at < before).delete()
    }
}
