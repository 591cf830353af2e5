import Fluent
import Foundation
import SafeCertCore

/// 培训班 (seed 001 发布培训班通知): one class of one type for one qualification, held by one
/// training institution.
final class TrainingClass: Model, @unchecked Sendable {
    static let schema = "training_classes"

    @ID(key: .id) var id: UUID?
    @Field(key: "code") var code: String
    @Field(key: "name") var name: String
    @Enum(key: "class_type") var classType: TrainingClassType
    @Field(key: "qualification_code") var qualificationCode: String
    @Parent(key: "institution_id") var institution: Organization
    @Parent(key: "publisher_id") var publisher: Organization
    /// The region where the class is held (the institution's); the publisher's scope covers it.
    @Field(key: "region_code") var regionCode: String
    @Field(key: "start_date") var startDate: String
    @Field(key: "end_date") var endDate: String
    @Field(key: "enrolment_deadline") var enrolmentDeadline: String
    @Field(key: "place") var place: String
    @Field(key: "capacity") var capacity: Int
    /// 培训费 in fen (分).
    @Field(key: "fee_fen") var feeFen: Int
    /// 报到 by the institution instead of the association (seed 001: per class).
    @Field(key: "institution_checks_in") var institutionChecksIn: Bool
    @Enum(key: "state") var state: TrainingClassState
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    var deadline: CalendarDate { CalendarDate(iso: enrolmentDeadline) ?? .earliest }

    /// Why the class's state and dates don't allow `step` today (TrainingStepTiming), or nil.
    func refusal(_ step: TrainingStep, today: CalendarDate) -> String? {
        TrainingStepTiming.refusal(step, state: state, start: CalendarDate(iso: startDate) ?? .earliest,
                                   end: CalendarDate(iso: endDate) ?? .earliest, today: today)
    }
    var feeLabel: String { Money.yuan(feeFen) }

    var auditSummary: String {
        "\(code) \(name)；\(classType.label)；\(qualificationCode)；\(startDate)–\(endDate)；名额 \(capacity)；状态 \(state.label)"
    }
}

/// 报名: one person in one class, and where they stand in the flow (DESIGN.md §2).
final class Enrolment: Model, @unchecked Sendable {
    static let schema = "enrolments"

    @ID(key: .id) var id: UUID?
    @Parent(key: "class_id") var trainingClass: TrainingClass
    @Parent(key: "person_id") var person: Person
    @Field(key: "qualification_code") var qualificationCode: String
    /// The person's region when enrolled: the home authority that confirms.
    @Field(key: "region_code") var regionCode: String
    @Enum(key: "kind") var kind: EnrolmentKind
    /// individual / enterprise / institution / school
    @Field(key: "channel") var channel: String
    /// The organisation that enrolled the person; nil when the person enrolled themselves.
    @OptionalParent(key: "enrolled_by_id") var enrolledBy: Organization?
    @OptionalParent(key: "employer_id") var employer: Organization?
    @Enum(key: "state") var state: EnrolmentState
    /// "person|qualification" while in progress, else NULL: a unique index makes "one
    /// enrolment in progress per person and qualification" hold under concurrency too.
    @OptionalField(key: "active_key") var activeKey: String?

    // The 报名表 (seed 002 我要报名)
    @OptionalField(key: "employer_credit_code") var employerCreditCode: String?
    @OptionalField(key: "employer_name") var employerName: String?
    @OptionalField(key: "work_start_date") var workStartDate: String?
    @OptionalField(key: "years_in_trade") var yearsInTrade: Int?
    @OptionalField(key: "resume") var resume: String?
    @OptionalField(key: "employer_opinion") var employerOpinion: String?

    @OptionalField(key: "state_reason") var stateReason: String?
    @Field(key: "fee_fen") var feeFen: Int
    @OptionalField(key: "payment_notice") var paymentNotice: String?
    @Field(key: "paid") var paid: Bool
    @OptionalField(key: "paid_at") var paidAt: Date?
    @OptionalField(key: "checked_in_at") var checkedInAt: Date?
    @OptionalField(key: "training_hours") var trainingHours: Double?
    @OptionalField(key: "training_passed") var trainingPassed: Bool?
    @OptionalField(key: "training_remarks") var trainingRemarks: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    static func activeKey(personID: UUID, qualification: String) -> String { "\(personID.uuidString)|\(qualification)" }

    /// Keeps `active_key` in step with the state; call before every save.
    func syncActiveKey() {
        activeKey = state.isInProgress ? Self.activeKey(personID: $person.id, qualification: qualificationCode) : nil
    }

    var channelLabel: String {
        switch channel {
        case "individual": "个人报名"
        case "enterprise": "企业报名"
        case "institution": "培训机构代报"
        case "school": "院校报名"
        default: channel
        }
    }
}

/// A certificate a person holds. The certificate issue adds printing, renewal and changes; the
/// training flow needs the number, the dates and the status for the 1 March rule.
final class HeldCertificate: Model, @unchecked Sendable {
    static let schema = "certificates"

    @ID(key: .id) var id: UUID?
    @Parent(key: "person_id") var person: Person
    @Field(key: "qualification_code") var qualificationCode: String
    @Field(key: "number") var number: String
    @Field(key: "issued_on") var issuedOn: String
    @Field(key: "expires_on") var expiresOn: String
    /// valid / suspended / cancelled
    @Field(key: "status") var status: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(personID: UUID, qualificationCode: String, number: String, issuedOn: CalendarDate, expiresOn: CalendarDate) {
        self.$person.id = personID
        self.qualificationCode = qualificationCode
        self.number = number
        self.issuedOn = issuedOn.iso
        self.expiresOn = expiresOn.iso
        self.status = "valid"
    }

    var issued: CalendarDate? { CalendarDate(iso: issuedOn) }
    var expires: CalendarDate? { CalendarDate(iso: expiresOn) }
}

enum Money {
    static func yuan(_ fen: Int) -> String {
        let sign = fen < 0 ? "-" : ""
        let value = abs(fen)
        return "\(sign)\(value / 100).\(value % 100 < 10 ? "0" : "")\(value % 100) 元"
    }

    /// "1200", "1200.5", "1,200.00" → fen; nil when not a non-negative amount with at most 2 decimals.
    static func parseFen(_ text: String) -> Int? {
        let cleaned = text.replacingOccurrences(of: ",", with: "").replacingOccurrences(of: "元", with: "")
            .trimmingCharacters(in: .whitespaces)
        let parts = cleaned.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = Int(parts[0]), whole >= 0, whole < 10_000_000 else { return nil }
        var fen = whole * 100
        if parts.count == 2 {
            let decimals = parts[1]
            guard (1...2).contains(decimals.count), decimals.allSatisfy(\.isASCII), let d = Int(decimals) else { return nil }
            fen += decimals.count == 1 ? d * 10 : d
        }
        return fen
    }
}
