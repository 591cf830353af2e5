/// The kinds of organisation an account can belong to (DESIGN.md §1).
public enum OrganizationKind: String, Sendable, Codable, CaseIterable {
    case authority
    case association
    case trainingInstitution = "training_institution"
    case examCentre = "exam_centre"
    case enterprise
    case school
    /// The operator of the platform itself: home of the system, security and audit administrators.
    case platform

    public var label: String {
        switch self {
        case .authority: "管理部门"
        case .association: "协会"
        case .trainingInstitution: "培训机构"
        case .examCentre: "考核点"
        case .enterprise: "企业"
        case .school: "院校"
        case .platform: "平台运营单位"
        }
    }

    /// Enterprises and schools are identified by their Unified Social Credit Code (a school, a
    /// 事业单位, holds a code starting with 1; people name their employer by it); other kinds may
    /// record one.
    public var requiresCreditCode: Bool { self == .enterprise || self == .school }

    /// Whose people the registry keeps: an enterprise's employees and a school's students
    /// (seed 001 院校人员). A person's employer is one of these.
    public var employsPeople: Bool { self == .enterprise || self == .school }
}

/// The level of an authority; it decides the breadth of its region.
public enum AuthorityLevel: String, Sendable, Codable, CaseIterable {
    case national
    case province
    case city

    public var label: String {
        switch self {
        case .national: "国家级（部中心）"
        case .province: "省级"
        case .city: "市/州级"
        }
    }
}
