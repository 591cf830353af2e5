import Fluent
import Foundation
import SafeCertCore

/// An edit of an approved person, or a change of unit asked for by a new employer, waiting for
/// the authority. Until approved the person's data in force doesn't change.
final class PersonChange: Model, @unchecked Sendable {
    static let schema = "person_changes"

    enum Kind: String, Codable, Sendable {
        case edit
        case unit

        var label: String { self == .edit ? "信息变更" : "变更单位" }
    }

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Enum(key: "kind") var kind: Kind
    @Enum(key: "status") var status: PersonChangeStatus
    /// The proposed data (edit), as JSON.
    @OptionalField(key: "payload") var payload: String?
    /// The proposed employer (unit change).
    @OptionalField(key: "new_employer_id") var newEmployerID: UUID?
    @OptionalField(key: "reason") var reason: String?
    @Field(key: "requested_by") var requestedBy: String
    @OptionalField(key: "requested_by_org_id") var requestedByOrganizationID: UUID?
    @OptionalField(key: "decided_at") var decidedAt: Date?
    @Parent(key: "person_id") var person: Person

    init() {}

    var proposed: PersonSnapshot? {
        payload.flatMap { try? JSONDecoder().decode(PersonSnapshot.self, from: Data($0.utf8)) }
    }
}

/// The 1-inch photo and its thumbnail, in the database so every instance serves them.
final class PersonPhoto: Model, @unchecked Sendable {
    static let schema = "person_photos"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Field(key: "jpeg") var jpeg: Data
    @Field(key: "thumbnail") var thumbnail: Data
    @Field(key: "width") var width: Int
    @Field(key: "height") var height: Int
    @Parent(key: "person_id") var person: Person

    init() {}
}
