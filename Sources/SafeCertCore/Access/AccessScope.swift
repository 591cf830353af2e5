import Foundation

/// What slice of the data an account sees. Computed once per request from the account and
/// applied to every query of scoped data by the app's one scoping function.
public enum AccessScope: Sendable, Equatable {
    /// The national centre and the platform administrators.
    case everything
    /// Authorities (and a provincial association): every organisation whose region code starts
    /// with the prefix — a province includes its cities.
    case region(prefix: String)
    /// An enterprise (its own; a group also its branches), a training institution, an exam centre.
    case organizations([UUID])
    /// An individual: their own person record only.
    case person(UUID)

    /// Whether the scope is a region (or everything) rather than a unit's or a person's own
    /// records — the lists read a region's rows through indexes that lead with the region.
    public var isRegional: Bool {
        switch self {
        case .everything, .region: true
        case .organizations, .person: false
        }
    }

    public static func of(
        role: Role, organizationID: UUID?, regionCode: String, branchIDs: [UUID] = [], personID: UUID? = nil
    ) -> AccessScope {
        switch role {
        case .nationalCentre, .systemAdmin, .securityAdmin, .auditAdmin:
            return .everything
        case .provinceAuthority, .cityAuthority, .association:
            let prefix = Region.scopePrefix(of: regionCode)
            return prefix.isEmpty ? .everything : .region(prefix: prefix)
        case .enterprise:
            return .organizations(organizationID.map { [$0] + branchIDs } ?? [])
        case .trainingInstitution, .examCentre:
            return .organizations(organizationID.map { [$0] } ?? [])
        case .individual:
            return personID.map { .person($0) } ?? .organizations([])
        }
    }

    /// Whether an organisation with this id and region lies inside the scope.
    public func includes(organizationID: UUID, regionCode: String) -> Bool {
        switch self {
        case .everything: true
        case .region(let prefix): regionCode.hasPrefix(prefix)
        case .organizations(let ids): ids.contains(organizationID)
        case .person: false
        }
    }

    /// Whether a region (for a new organisation) lies inside the scope.
    public func includes(regionCode: String) -> Bool {
        switch self {
        case .everything: true
        case .region(let prefix): regionCode.hasPrefix(prefix)
        case .organizations, .person: false
        }
    }

    /// The scope with a list's region filter folded in, when the filter lies inside it (an
    /// authority's list filtered to one of its counties): one condition, which the list indexes
    /// serve, instead of two. nil when it doesn't lie inside: then both apply, and a region
    /// outside the scope finds nothing.
    public func narrowed(toRegionPrefix prefix: String) -> AccessScope? {
        switch self {
        case .everything: prefix.isEmpty ? nil : .region(prefix: prefix)
        case .region(let own): prefix.hasPrefix(own) ? .region(prefix: prefix) : nil
        case .organizations, .person: nil
        }
    }
}
