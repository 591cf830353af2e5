import SafeCertCore

/// The left menu, by role, with the manuals' labels. An item shows only if the role holds its
/// permission, so the menu never offers what the server would refuse.
struct MenuSection: Encodable, Sendable {
    let title: String
    let items: [MenuItem]
}

struct MenuItem: Encodable, Sendable {
    let label: String
    let href: String
    var active = false
}

enum Menu {
    private struct Entry: Sendable {
        let url: SiteURL
        let permission: Permission
        let label: @Sendable (Role) -> String
    }

    private static let sections: [(title: String, entries: [Entry])] = [
        ("首页", [Entry(url: .home, permission: .viewHome, label: { _ in "首页" })]),
        ("单位管理", [
            Entry(url: .organizations, permission: .viewOrganizations, label: { role in
                role == .enterprise ? "企业分公司管理" : "单位查询"
            }),
            Entry(url: .organizationNew, permission: .createOrganizations, label: { _ in "单位录入" }),
            Entry(url: .myOrganization, permission: .editOwnOrganization, label: { role in
                role == .enterprise ? "企业管理" : "本单位信息"
            }),
        ]),
        ("系统管理", [
            Entry(url: .accounts, permission: .viewAccounts, label: { _ in "用户管理" }),
            Entry(url: .accountNew, permission: .issueAccounts, label: { _ in "添加用户" }),
            Entry(url: .securityPolicy, permission: .viewSecurityPolicy, label: { _ in "安全策略" }),
            Entry(url: .apiKeys, permission: .manageAPIKeys, label: { _ in "接口密钥" }),
            Entry(url: .audit, permission: .viewAuditLog, label: { _ in "审计日志" }),
            Entry(url: .password, permission: .changeOwnPassword, label: { _ in "密码修改" }),
        ]),
    ]

    static func sections(for role: Role, currentPath: String) -> [MenuSection] {
        sections.compactMap { title, entries in
            let items = entries.filter { PermissionTable.allows(role, $0.permission) }.map { entry in
                let href = entry.url.path
                let active = href == "/" ? currentPath == "/" : (currentPath == href || currentPath.hasPrefix(href + "/"))
                return MenuItem(label: entry.label(role), href: href, active: active)
            }
            return items.isEmpty ? nil : MenuSection(title: title, items: items)
        }
    }
}
