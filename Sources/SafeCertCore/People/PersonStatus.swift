/// The registration state of a person (DESIGN.md §2): submitted → approved, or returned with a
/// reason (editable, resubmit); an approved person's edits go back for approval while the old
/// data stays in force; only the authority cancels (注销).
public enum PersonStatus: String, Sendable, Codable, CaseIterable {
    case submitted
    case approved
    case returned
    case cancelled

    public var label: String {
        switch self {
        case .submitted: "待审批"
        case .approved: "已审批"
        case .returned: "已退回"
        case .cancelled: "已注销"
        }
    }
}

public enum PersonEvent: Sendable, Equatable {
    case approve
    case returnForCorrection(reason: String)
    /// The registering unit (or the person) edits the record.
    case edit
    case cancel(reason: String)
}

/// What an event does to a person record.
public enum PersonOutcome: Sendable, Equatable {
    /// The record changes in place and takes this status.
    case status(PersonStatus)
    /// The record stays approved; the edit waits beside it for approval.
    case pendingChange
}

public enum PersonWorkflowError: Error, Sendable, Equatable {
    case notAllowed(from: PersonStatus, action: String)
    case reasonRequired

    public var message: String {
        switch self {
        case .notAllowed(let from, let action): "人员当前状态为「\(from.label)」，不能\(action)"
        case .reasonRequired: "请填写原因"
        }
    }
}

public enum PersonWorkflow {
    public static func transition(from status: PersonStatus, _ event: PersonEvent) throws(PersonWorkflowError) -> PersonOutcome {
        switch (status, event) {
        case (.submitted, .approve):
            return .status(.approved)
        case (.submitted, .returnForCorrection(let reason)):
            guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw .reasonRequired }
            return .status(.returned)
        case (.submitted, .edit):
            return .status(.submitted)
        case (.returned, .edit):
            // Correcting a returned record resubmits it.
            return .status(.submitted)
        case (.approved, .edit):
            return .pendingChange
        case (.submitted, .cancel(let reason)), (.approved, .cancel(let reason)), (.returned, .cancel(let reason)):
            guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw .reasonRequired }
            return .status(.cancelled)
        case (_, .approve):
            throw .notAllowed(from: status, action: "审批")
        case (_, .returnForCorrection):
            throw .notAllowed(from: status, action: "退回")
        case (_, .edit):
            throw .notAllowed(from: status, action: "修改")
        case (_, .cancel):
            throw .notAllowed(from: status, action: "注销")
        }
    }
}

/// A pending change to an approved person: approved, it replaces the data; returned, it is
/// dropped and the old data stays.
public enum PersonChangeStatus: String, Sendable, Codable {
    case pending
    case approved
    case returned

    public var label: String {
        switch self {
        case .pending: "待审批"
        case .approved: "已通过"
        case .returned: "已退回"
        }
    }
}
