import Foundation

/// Everything that decides whether a person may join a class, gathered by the caller (the
/// enrolment form, the batch import, self-enrolment and school enrolment all ask here).
public struct EnrolmentFacts: Sendable {
    public struct ExistingEnrolment: Sendable, Hashable {
        public var className: String
        public var sameClass: Bool
        public var state: EnrolmentState

        public init(className: String, sameClass: Bool, state: EnrolmentState) {
            self.className = className
            self.sameClass = sameClass
            self.state = state
        }
    }

    public struct HeldCertificate: Sendable, Hashable {
        public var number: String
        public var issued: CalendarDate
        public var expires: CalendarDate

        public init(number: String, issued: CalendarDate, expires: CalendarDate) {
            self.number = number
            self.issued = issued
            self.expires = expires
        }
    }

    public var classType: TrainingClassType
    public var classState: TrainingClassState
    public var deadline: CalendarDate
    public var capacity: Int
    public var enrolled: Int
    public var personApproved: Bool
    /// The person's enrolments for the same qualification (any class).
    public var existing: [ExistingEnrolment]
    /// The person's valid certificate for the qualification, if any.
    public var certificate: HeldCertificate?
    public var applicant: Applicant
    public var rule: EligibilityRule
    public var today: CalendarDate
    /// 院校报名: the enrolment skips the authority's confirmation.
    public var schoolEnrolment: Bool
    /// The kind and name of the person's employer (a school for students), nil when none.
    public var employer: Employer?

    public struct Employer: Sendable, Hashable {
        public var kind: OrganizationKind
        public var name: String

        public init(kind: OrganizationKind, name: String) {
            self.kind = kind
            self.name = name
        }
    }

    public init(classType: TrainingClassType, classState: TrainingClassState, deadline: CalendarDate, capacity: Int, enrolled: Int,
                personApproved: Bool, existing: [ExistingEnrolment], certificate: HeldCertificate?, applicant: Applicant,
                rule: EligibilityRule, today: CalendarDate, schoolEnrolment: Bool = false, employer: Employer? = nil) {
        self.classType = classType
        self.classState = classState
        self.deadline = deadline
        self.capacity = capacity
        self.enrolled = enrolled
        self.personApproved = personApproved
        self.existing = existing
        self.certificate = certificate
        self.applicant = applicant
        self.rule = rule
        self.today = today
        self.schoolEnrolment = schoolEnrolment
        self.employer = employer
    }
}

public enum EnrolmentCheck {
    /// Every reason the person can't join, each a full sentence; empty when they may.
    /// The class itself comes first: when it is closed or full nothing else matters.
    public static func refusals(_ facts: EnrolmentFacts) -> [String] {
        do {
            try TrainingClassWorkflow.checkEnrolmentOpen(state: facts.classState, deadline: facts.deadline, capacity: facts.capacity,
                                                         enrolled: facts.enrolled, on: facts.today)
        } catch {
            return [error.message]
        }
        var reasons: [String] = []
        if facts.schoolEnrolment, let refusal = SchoolEnrolmentRule.refusal(employer: facts.employer) { reasons.append(refusal) }
        if !facts.personApproved { reasons.append("人员信息尚未审批通过，不能报名") }
        if let same = facts.existing.first(where: \.sameClass) {
            reasons.append("已报名本培训班，当前处于「\(same.state.label)」阶段")
        } else if let other = facts.existing.first(where: { $0.state.isInProgress }) {
            reasons.append("已报名同一资格的培训班「\(other.className)」，当前处于「\(other.state.label)」阶段，不能重复报名")
        }
        switch facts.classType {
        case .initial:
            if let held = facts.certificate, held.expires >= facts.today {
                reasons.append("已持有该资格的有效证书（\(held.number)，有效期至 \(held.expires.iso)），不能参加取证培训")
            }
        case .retraining, .renewal:
            if let held = facts.certificate {
                if let refusal = HolderClassRule.refusal(joining: facts.classType, expires: held.expires, issued: held.issued,
                                                         today: facts.today) {
                    reasons.append(refusal)
                }
            } else {
                reasons.append("未持有该资格的有效证书，不能参加\(facts.classType.label)")
            }
        case .continuing:
            if facts.certificate == nil { reasons.append("未持有该资格的有效证书，不能参加继续教育") }
        }
        // Age, education and health apply to a first certificate; holders were judged then.
        if facts.classType == .initial {
            reasons += Eligibility.check(facts.applicant, against: facts.rule, on: facts.today).map(\.message)
        } else if BlacklistCheck.isSuspended(until: facts.applicant.blacklistedUntil, on: facts.today),
                  let until = facts.applicant.blacklistedUntil {
            reasons.append(EligibilityFailure.suspended(until: until).message)
        }
        return reasons
    }
}

/// 院校报名 (seed 001: 培训机构用户可为院校人员进行报名，此过程无需报名确认; 协会可以为院校人员进行
/// 整体报名): the skipped confirmation is for a school's own students only. Anyone else — an
/// enterprise's employee, a person registered without a unit — is enrolled the ordinary way and
/// confirmed by their home authority.
public enum SchoolEnrolmentRule {
    public static func refusal(employer: EnrolmentFacts.Employer?) -> String? {
        guard let employer else {
            return "院校报名仅限院校学生：该人员未登记所在院校，请按普通报名提交（由管理部门确认）"
        }
        guard employer.kind == .school else {
            return "院校报名仅限院校学生：该人员的单位「\(employer.name)」是\(employer.kind.label)，不是院校，请按普通报名提交（由管理部门确认）"
        }
        return nil
    }
}

extension EnrolmentCheck {
    /// Why an authority outside the person's home region may not confirm (seed 001: "跨省参加培训时，
    /// 需要人员单位所在省级管理部门进行报名确认"), naming who confirms instead: the authority of the
    /// person's city, or of their province.
    public static func outsideHomeRegion(personRegion: String, catalog: RegionCatalog = .shared) -> String {
        let region = catalog.fullName(code: personRegion)
        guard let provinceCode = QualificationCatalogue.provinceCode(of: personRegion), catalog.region(code: provinceCode) != nil else {
            return "不属于本辖区人员：应由人员所在地区（\(region)）的管理部门确认"
        }
        let province = catalog.fullName(code: provinceCode)
        if provinceCode == personRegion || region == province { return "不属于本辖区人员：应由\(province)的管理部门确认" }
        return "不属于本辖区人员：应由人员所在地\(region)或\(province)的管理部门确认"
    }
}
