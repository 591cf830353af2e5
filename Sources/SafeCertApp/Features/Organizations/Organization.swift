import Fluent
import Foundation
import SafeCertCore

final class Organization: Model, @unchecked Sendable {
    static let schema = "organizations"

    // managed
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    // data
    @Field(key: "name") var name: String
    @Enum(key: "kind") var kind: OrganizationKind
    @OptionalEnum(key: "authority_level") var authorityLevel: AuthorityLevel?
    @Field(key: "region_code") var regionCode: String
    @OptionalField(key: "credit_code") var creditCode: String?
    @Field(key: "is_group") var isGroup: Bool
    @OptionalField(key: "contact_person") var contactPerson: String?
    @OptionalField(key: "contact_phone") var contactPhone: String?
    @OptionalField(key: "address") var address: String?
    /// An enterprise with no people may delete itself (seed 001): the row stays for the history,
    /// marked deleted, and its accounts are disabled.
    @Field(key: "deleted") var deleted: Bool

    // relationships
    /// The group an enterprise branch belongs to.
    @OptionalParent(key: "parent_id") var parent: Organization?

    init() {}

    init(
        id: UUID? = nil, name: String, kind: OrganizationKind, authorityLevel: AuthorityLevel? = nil,
        regionCode: String, creditCode: String? = nil, isGroup: Bool = false, parentID: UUID? = nil
    ) {
        self.id = id
        self.name = name
        self.kind = kind
        self.authorityLevel = kind == .authority ? authorityLevel : nil
        self.regionCode = regionCode
        self.creditCode = creditCode
        self.isGroup = isGroup
        self.deleted = false
        self.$parent.id = parentID
    }

    var kindLabel: String {
        if kind == .authority, let level = authorityLevel { return "管理部门（\(level.label)）" }
        if kind == .enterprise { return isGroup ? "企业（集团）" : ($parent.id == nil ? "企业" : "企业（分公司）") }
        return kind.label
    }

    /// A one-line summary for the audit log.
    var auditSummary: String {
        "名称=\(name)；类型=\(kindLabel)；地区=\(regionCode)；信用代码=\(creditCode ?? "-")；上级=\($parent.id?.uuidString ?? "-")"
    }
}

struct CreateOrganization: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Organization.schema)
            .id()
            .field("name", .string, .required)
            .field("kind", .string, .required)
            .field("authority_level", .string)
            .field("region_code", .string, .required)
            .field("credit_code", .string)
            .field("is_group", .bool, .required)
            .field("contact_person", .string)
            .field("contact_phone", .string)
            .field("address", .string)
            .field("deleted", .bool, .required)
            .field("parent_id", .uuid, .references(Organization.schema, "id"))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "credit_code")
            .create()
        try await createIndex(on: database, name: "organizations_region_code", table: Organization.schema, columns: ["region_code"])
        try await createIndex(on: database, name: "organizations_parent_id", table: Organization.schema, columns: ["parent_id"])
        try await createIndex(on: database, name: "organizations_name", table: Organization.schema, columns: ["name"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Organization.schema).delete()
    }
}

/// A name an organisation had before the authority changed it (seed 001 企业名称变更).
final class OrganizationNameChange: Model, @unchecked Sendable {
    static let schema = "organization_name_changes"

    @ID(key: .id) var id: UUID?
    @Field(key: "old_name") var oldName: String
    @Field(key: "new_name") var newName: String
    @Field(key: "changed_by") var changedBy: String
    @Field(key: "changed_at") var changedAt: Date
    @Parent(key: "organization_id") var organization: Organization

    init() {}
}

struct CreateOrganizationNameChange: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(OrganizationNameChange.schema)
            .id()
            .field("old_name", .string, .required)
            .field("new_name", .string, .required)
            .field("changed_by", .string, .required)
            .field("changed_at", .datetime, .required)
            .field("organization_id", .uuid, .required, .references(Organization.schema, "id"))
            .create()
        try await createIndex(on: database, name: "organization_name_changes_org", table: OrganizationNameChange.schema, columns: ["organization_id"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema(OrganizationNameChange.schema).delete()
    }
}
