import Foundation

/// What someone entering an ID number that is already registered is told. Inside their own
/// scope (their unit registered or employs the person) they may learn where the person
/// stands; outside it, typing a number must not tell them who the person is, where they work
/// or what state their record is in — only that the number is registered elsewhere, with the
/// way to ask for the person (申请调入).
public enum ExistingPersonNotice {
    public static let registeredElsewhere = "该证件号码已在其他单位登记"

    public struct Existing: Sendable, Equatable {
        public let name: String
        /// The employer's name; nil for a self-registered individual.
        public let employer: String?
        public let status: PersonStatus
        /// Whether the person lies inside the scope of whoever typed the number.
        public let inScope: Bool

        public init(name: String, employer: String?, status: PersonStatus, inScope: Bool) {
            self.name = name
            self.employer = employer
            self.status = status
            self.inScope = inScope
        }
    }

    /// Whether a registered person lies inside the scope of a unit that types their number: the
    /// unit (or, for a group, one of its branches) employs or registered them.
    public static func isInScope(employer: UUID?, registeredBy: UUID?, ownUnits: Set<UUID>) -> Bool {
        [employer, registeredBy].contains { $0.map(ownUnits.contains) ?? false }
    }

    /// The message on the person form's ID-number field.
    /// `document` names the document type inside one's own scope (e.g. 港澳居民来往内地通行证).
    public static func forForm(_ existing: Existing, mayRequestTransfer: Bool, document: String = "证件") -> String {
        guard existing.inScope else {
            return registeredElsewhere + (mayRequestTransfer ? "。如该人员已调入本单位，请使用“申请调入”。" : "。")
        }
        return "该\(document)号码已登记：\(existing.name)，\(existing.employer ?? "个人注册")，\(existing.status.label)。一人只能登记一次。"
    }

    /// The reason on an import row that is left alone.
    public static func forImport(_ existing: Existing, mayRequestTransfer: Bool) -> String {
        guard existing.inScope else {
            return registeredElsewhere + "，未作改动" + (mayRequestTransfer ? "；如该人员已调入本单位，请使用“申请调入”" : "")
        }
        return "该人员已登记（\(existing.employer ?? "个人注册")，\(existing.status.label)），未作改动"
    }
}
