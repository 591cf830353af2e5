import Fluent
import Foundation
import SafeCertCore

/// A natural person. Individuals log in with their ID number; the registry issue grows this
/// record (photo, approval, history).
final class Person: Model, @unchecked Sendable {
    static let schema = "people"

    // managed
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    // data
    @Enum(key: "id_type") var idType: IDDocumentType
    @Field(key: "id_number") var idNumber: String
    @Field(key: "name") var name: String
    @OptionalField(key: "gender") var gender: String?
    @OptionalField(key: "birth_date") var birthDate: String?
    @Field(key: "phone") var phone: String
    @Field(key: "region_code") var regionCode: String

    // relationships
    @OptionalParent(key: "employer_id") var employer: Organization?

    init() {}

    /// Gender and birth date come from the ID number, never typed.
    init(id: UUID? = nil, identity: IDNumber, name: String, phone: String, regionCode: String, employerID: UUID?) {
        self.id = id
        self.idType = .residentID
        self.idNumber = identity.value
        self.name = name
        self.gender = identity.gender.rawValue
        self.birthDate = identity.birthDate.iso
        self.phone = phone
        self.regionCode = regionCode
        self.$employer.id = employerID
    }
}

struct CreatePerson: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Person.schema)
            .id()
            .field("id_type", .string, .required)
            .field("id_number", .string, .required)
            .field("name", .string, .required)
            .field("gender", .string)
            .field("birth_date", .string)
            .field("phone", .string, .required)
            .field("region_code", .string, .required)
            .field("employer_id", .uuid, .references(Organization.schema, "id"))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "id_number")
            .create()
        try await createIndex(on: database, name: "people_employer_id", table: Person.schema, columns: ["employer_id"])
        try await createIndex(on: database, name: "people_region_code", table: Person.schema, columns: ["region_code"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Person.schema).delete()
    }
}
