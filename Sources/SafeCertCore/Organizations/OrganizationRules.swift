/// Rules of the organisation registry (seed 001).
public enum OrganizationRules {
    public enum Refusal: Error, Sendable, Equatable {
        case hasPeople(Int)
        case hasBranches(Int)

        public var message: String {
            switch self {
            case .hasPeople(let n): "本单位下还有 \(n) 名人员，不能注销单位。人员只能由管理部门注销或变更单位后，才能注销本单位。"
            case .hasBranches(let n): "该集团下还有 \(n) 个分公司，请先将分公司转出"
            }
        }
    }

    /// An enterprise with no people (and no branches) may delete itself; otherwise the system
    /// refuses and says why.
    public static func checkSelfDeletion(people: Int, branches: Int) throws(Refusal) {
        if people > 0 { throw .hasPeople(people) }
        if branches > 0 { throw .hasBranches(branches) }
    }

    /// A group becomes a branch (or an independent enterprise) only once it has no branches.
    public static func checkLeavingGroupRole(branches: Int) throws(Refusal) {
        if branches > 0 { throw .hasBranches(branches) }
    }
}
