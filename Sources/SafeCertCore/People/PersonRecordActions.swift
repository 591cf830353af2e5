/// What an account may do on a person's page (人员详情): from its role, whether its own unit
/// keeps the record (registered or employs the person), and where the record stands.
public struct PersonRecordActions: Sendable, Equatable {
    /// 修改 and the photo upload: the keeping unit, while the record isn't cancelled.
    public var edit: Bool
    /// 审批 / 退回: a submitted record.
    public var approve: Bool
    /// A pending change (修改 or 调入) to decide.
    public var decideChange: Bool
    public var cancel: Bool
    /// 变更单位: an approved record.
    public var changeUnit: Bool

    public init(role: Role, keepsRecord: Bool, status: PersonStatus, changePending: Bool) {
        let may = { PermissionTable.allows(role, $0) }
        edit = may(.registerPeople) && keepsRecord && status != .cancelled
        approve = may(.approvePeople) && status == .submitted
        decideChange = may(.approvePeople) && changePending
        cancel = may(.cancelPeople) && status != .cancelled
        changeUnit = may(.changePersonUnit) && status == .approved
    }

    /// The full ID number and phone are shown to those allowed them, to the keeping unit and to
    /// the person themself; everyone else reads them masked.
    public static func showsFullData(role: Role, keepsRecord: Bool, isThePerson: Bool) -> Bool {
        PermissionTable.allows(role, .viewFullPersonalData) || keepsRecord || isThePerson
    }
}
