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
