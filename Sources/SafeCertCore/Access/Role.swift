/// One role per account (DESIGN.md §1). The system, security and audit administrators are
/// separate roles, as 等保 2.0 level 3 requires.
public enum Role: String, Sendable, Codable, CaseIterable {
    case individual
    case enterprise
    case trainingInstitution = "training_institution"
    case examCentre = "exam_centre"
    case cityAuthority = "city_authority"
    case provinceAuthority = "province_authority"
    case association
    case nationalCentre = "national_centre"
    case systemAdmin = "system_admin"
    case securityAdmin = "security_admin"
    case auditAdmin = "audit_admin"

    public var label: String {
        switch self {
        case .individual: "个人"
        case .enterprise: "企业"
        case .trainingInstitution: "培训机构"
        case .examCentre: "考核点"
        case .cityAuthority: "市/州管理部门"
        case .provinceAuthority: "省级管理部门"
        case .association: "协会"
        case .nationalCentre: "部中心"
        case .systemAdmin: "系统管理员"
        case .securityAdmin: "安全管理员"
        case .auditAdmin: "审计管理员"
        }
    }

    /// Authorities, the national centre and the administrators log in with a dynamic code and
    /// an SMS code after the password (seed 004).
    public var requiresSecondFactor: Bool {
        switch self {
        case .cityAuthority, .provinceAuthority, .nationalCentre, .systemAdmin, .securityAdmin, .auditAdmin:
            true
        case .individual, .enterprise, .trainingInstitution, .examCentre, .association:
            false
        }
    }

    /// The roles an account of an organisation of this kind (and level) may hold.
    public static func roles(for kind: OrganizationKind, level: AuthorityLevel?) -> [Role] {
        switch kind {
        case .authority:
            switch level {
            case .national: [.nationalCentre]
            case .province: [.provinceAuthority]
            case .city, nil: [.cityAuthority]
            }
        case .association: [.association]
        case .trainingInstitution: [.trainingInstitution]
        case .examCentre: [.examCentre]
        case .enterprise: [.enterprise]
        case .school: []
        case .platform: [.systemAdmin, .securityAdmin, .auditAdmin]
        }
    }
}
