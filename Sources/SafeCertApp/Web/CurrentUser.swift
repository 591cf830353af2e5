import Fluent
import Foundation
import SafeCertCore
import Vapor

/// The logged-in account, its organisation and the data it may see.
struct CurrentUser: Sendable {
    let accountID: UUID
    let username: String
    let displayName: String
    let role: Role
    let organizationID: UUID?
    let organizationName: String
    let regionCode: String
    let personID: UUID?
    let mustChangePassword: Bool
    let scope: AccessScope

    static func load(accountID: UUID, on db: any Database) async throws -> CurrentUser? {
        guard let account = try await Account.query(on: db).filter(\.$id == accountID)
            .with(\.$organization).with(\.$person).first(),
            account.status == .active
        else { return nil }
        let organization = account.organization
        var branchIDs: [UUID] = []
        if let organization, organization.kind == .enterprise, organization.isGroup, let id = organization.id {
            branchIDs = try await Organization.query(on: db).filter(\.$parent.$id == id).all(\.$id)
        }
        let region = organization?.regionCode ?? account.person?.regionCode ?? Region.nationwideCode
        return CurrentUser(
            accountID: accountID,
            username: account.username,
            displayName: account.displayName,
            role: account.role,
            organizationID: organization?.id,
            organizationName: organization?.name ?? account.person?.name ?? "",
            regionCode: region,
            personID: account.$person.id,
            mustChangePassword: account.mustChangePassword,
            scope: AccessScope.of(
                role: account.role, organizationID: organization?.id, regionCode: region,
                branchIDs: branchIDs, personID: account.$person.id)
        )
    }

    func may(_ permission: Permission) -> Bool { PermissionTable.allows(role, permission) }

    func auditActor(ip: String) -> AuditActor {
        AuditActor(accountID: accountID, name: "\(displayName)（\(username)）", organizationID: organizationID,
                   organizationName: organizationName, ip: ip)
    }
}

extension Request {
    func auditActor(_ user: CurrentUser) -> AuditActor { user.auditActor(ip: clientIP) }

    /// The audit row for what the signed-in user did through this request, at the request's
    /// clock, from its client address: `Audit.record` with the actor filled in. Pass the
    /// transaction's `db` so the row commits or rolls back with the change it records.
    func audit(_ user: CurrentUser, _ action: String, on db: (any Database)? = nil, target targetType: String, _ targetID: String?,
               summary: String) async throws {
        try await Audit.record(on: db ?? self.db, actor: auditActor(user), action: action, targetType: targetType, targetID: targetID,
                               summary: summary, at: now)
    }
}
