/// What an administrator does to someone else's account.
public enum AccountAction: String, Sendable, CaseIterable {
    case issue
    case resetPassword
    case disable
    case enable
    case unlock
}

/// Separation of duties (等保 2.0 三员分立, DESIGN.md §1): the system, security and audit
/// administrators check each other, so none of them creates, resets, unlocks or disables an
/// admin account — theirs or another's — through the web. Admin accounts come from the
/// `safecert admin` command at installation. Everyone else manages only the accounts of
/// organisations they could create (a province can't touch the national centre).
public enum AccountPolicy {
    /// The roles `actor` may issue through the web for an organisation of this kind.
    public static func issuableRoles(by actor: Role, for organization: OrganizationPolicy.Kind) -> [Role] {
        guard OrganizationPolicy.mayIssueAccount(actor: actor, for: organization) else { return [] }
        return Role.roles(for: organization.kind, level: organization.level).filter { !$0.isPlatformAdmin }
    }

    /// Whether `actor` may do `action` to an account holding `target` in an organisation of
    /// `organization`'s kind. Never to one's own account, never to an admin account.
    public static func mayAct(
        _ action: AccountAction, actor: Role, onOwnAccount: Bool, target: Role, organization: OrganizationPolicy.Kind
    ) -> Bool {
        if onOwnAccount || target.isPlatformAdmin { return false }
        switch action {
        case .unlock:
            // The security admin owns the lockout policy and unlocks any ordinary account.
            return actor == .securityAdmin
        case .issue, .resetPassword, .disable, .enable:
            return issuableRoles(by: actor, for: organization).contains(target)
        }
    }
}

extension Role {
    /// The three platform administrators (系统、安全、审计管理员).
    public var isPlatformAdmin: Bool {
        switch self {
        case .systemAdmin, .securityAdmin, .auditAdmin: true
        case .individual, .enterprise, .trainingInstitution, .examCentre, .cityAuthority, .provinceAuthority,
             .association, .nationalCentre: false
        }
    }

    /// The admin role named on the `safecert admin` command line: system, security or audit.
    public init?(adminName: String) {
        switch adminName.lowercased() {
        case "system", "system_admin", "sysadmin": self = .systemAdmin
        case "security", "security_admin", "secadmin": self = .securityAdmin
        case "audit", "audit_admin", "auditor": self = .auditAdmin
        default: return nil
        }
    }
}
