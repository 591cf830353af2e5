/// Who may create which organisations and issue accounts for them (seed 001: the province
/// creates group and enterprise accounts; seed 004: the national centre allocates regional
/// admin accounts; the system admin allocates provincial ones).
public enum OrganizationPolicy {
    public struct Kind: Sendable, Hashable {
        public let kind: OrganizationKind
        public let level: AuthorityLevel?
        public init(_ kind: OrganizationKind, _ level: AuthorityLevel? = nil) {
            self.kind = kind
            self.level = kind == .authority ? (level ?? .city) : nil
        }
    }

    public static func creatableKinds(by role: Role) -> [Kind] {
        let operational: [Kind] = [.init(.enterprise), .init(.trainingInstitution), .init(.examCentre), .init(.school)]
        switch role {
        case .systemAdmin:
            return [.init(.authority, .national), .init(.authority, .province), .init(.authority, .city),
                    .init(.association), .init(.platform)] + operational
        case .nationalCentre:
            return [.init(.authority, .province), .init(.authority, .city), .init(.association)] + operational
        case .provinceAuthority:
            return [.init(.authority, .city)] + operational
        case .cityAuthority:
            return operational
        case .association:
            return [.init(.enterprise), .init(.trainingInstitution), .init(.school)]
        case .individual, .enterprise, .trainingInstitution, .examCentre, .securityAdmin, .auditAdmin:
            return []
        }
    }

    /// Accounts are issued only for organisations of a kind the actor could create.
    public static func mayIssueAccount(actor: Role, for target: Kind) -> Bool {
        creatableKinds(by: actor).contains(target)
    }
}
