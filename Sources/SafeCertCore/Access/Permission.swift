/// What an account may do. Every route names one; the grants below are the only place that
/// says which role holds which.
public enum Permission: String, Sendable, Codable, CaseIterable {
    case viewHome = "home.view"
    case changeOwnPassword = "password.change"
    case viewOrganizations = "organizations.view"
    case createOrganizations = "organizations.create"
    case editOrganizations = "organizations.edit"
    case convertEnterprises = "organizations.convert"
    case editOwnOrganization = "own-organization.edit"
    case viewAccounts = "accounts.view"
    case issueAccounts = "accounts.issue"
    case disableAccounts = "accounts.disable"
    case resetPasswords = "accounts.reset-password"
    case unlockAccounts = "accounts.unlock"
    case viewAuditLog = "audit.view"
    case manageAPIKeys = "api-keys.manage"
    case viewSecurityPolicy = "security-policy.view"

    public var label: String {
        switch self {
        case .viewHome: "查看首页"
        case .changeOwnPassword: "修改本人密码"
        case .viewOrganizations: "查询单位"
        case .createOrganizations: "新增单位"
        case .editOrganizations: "修改单位"
        case .convertEnterprises: "集团与分公司转换"
        case .editOwnOrganization: "维护本单位信息"
        case .viewAccounts: "查询用户"
        case .issueAccounts: "添加用户"
        case .disableAccounts: "停用/启用用户"
        case .resetPasswords: "重置密码"
        case .unlockAccounts: "解除锁定"
        case .viewAuditLog: "查看审计日志"
        case .manageAPIKeys: "管理接口密钥"
        case .viewSecurityPolicy: "查看安全策略"
        }
    }
}

/// The role → permission table (DESIGN.md §1, the manuals' menus).
public enum PermissionTable {
    private static let everyone: Set<Permission> = [.viewHome, .changeOwnPassword]

    public static let grants: [Role: Set<Permission>] = [
        .individual: everyone,
        .enterprise: everyone.union([.viewOrganizations, .editOwnOrganization]),
        .trainingInstitution: everyone.union([.editOwnOrganization]),
        .examCentre: everyone.union([.editOwnOrganization]),
        .cityAuthority: everyone.union([
            .viewOrganizations, .createOrganizations, .editOrganizations,
            .viewAccounts, .issueAccounts, .disableAccounts, .resetPasswords,
        ]),
        .provinceAuthority: everyone.union([
            .viewOrganizations, .createOrganizations, .editOrganizations, .convertEnterprises,
            .viewAccounts, .issueAccounts, .disableAccounts, .resetPasswords,
        ]),
        .association: everyone.union([
            .viewOrganizations, .createOrganizations, .editOrganizations, .convertEnterprises,
            .editOwnOrganization, .viewAccounts, .issueAccounts, .disableAccounts, .resetPasswords,
        ]),
        .nationalCentre: everyone.union([
            .viewOrganizations, .createOrganizations, .editOrganizations, .convertEnterprises,
            .viewAccounts, .issueAccounts, .disableAccounts, .resetPasswords,
        ]),
        .systemAdmin: everyone.union([
            .viewOrganizations, .createOrganizations, .editOrganizations, .convertEnterprises,
            .viewAccounts, .issueAccounts, .disableAccounts, .resetPasswords,
        ]),
        .securityAdmin: everyone.union([.viewAccounts, .unlockAccounts, .manageAPIKeys, .viewSecurityPolicy]),
        .auditAdmin: everyone.union([.viewAuditLog]),
    ]

    public static func allows(_ role: Role, _ permission: Permission) -> Bool {
        grants[role, default: []].contains(permission)
    }

    /// The matrix as a Markdown table, for the README (`safecert permissions`).
    public static func markdownMatrix() -> String {
        let roles = Role.allCases
        var lines = ["| 权限 | " + roles.map(\.label).joined(separator: " | ") + " |"]
        lines.append("| --- |" + String(repeating: " :-: |", count: roles.count))
        for permission in Permission.allCases {
            let cells = roles.map { allows($0, permission) ? "✓" : "" }
            lines.append("| \(permission.label) (`\(permission.rawValue)`) | " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }
}
