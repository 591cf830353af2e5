/// The facts about a person that eligibility depends on, gathered by the caller from the person
/// record (birth date from the ID number, never typed), the uploads and the blacklist.
public struct Applicant: Sendable, Hashable, Codable {
    public var birthDate: CalendarDate
    public var education: Education?
    /// 初级及以上技术职称, which some rules accept instead of the education level.
    public var hasTechnicalTitle: Bool
    public var yearsOfExperience: Int?
    public var hasMedicalCheck: Bool
    public var hasHealthCommitment: Bool
    public var blacklistedUntil: CalendarDate?

    public init(birthDate: CalendarDate, education: Education? = nil, hasTechnicalTitle: Bool = false, yearsOfExperience: Int? = nil,
                hasMedicalCheck: Bool = false, hasHealthCommitment: Bool = false, blacklistedUntil: CalendarDate? = nil) {
        self.birthDate = birthDate
        self.education = education
        self.hasTechnicalTitle = hasTechnicalTitle
        self.yearsOfExperience = yearsOfExperience
        self.hasMedicalCheck = hasMedicalCheck
        self.hasHealthCommitment = hasHealthCommitment
        self.blacklistedUntil = blacklistedUntil
    }
}

public enum EligibilityFailure: Sendable, Hashable {
    case tooYoung(age: Int, minimum: Int)
    case tooOld(age: Int, maximum: Int)
    case educationMissing(required: Education, technicalTitleAccepted: Bool)
    case educationTooLow(Education, required: Education, technicalTitleAccepted: Bool)
    case experienceMissing(required: Int)
    case experienceTooShort(years: Int, required: Int)
    case medicalCheckMissing
    case healthCommitmentMissing
    case suspended(until: CalendarDate)

    public var message: String {
        switch self {
        case .tooYoung(let age, let minimum):
            return "年龄 \(age) 岁，低于 \(minimum) 岁"
        case .tooOld(let age, let maximum):
            return "年龄 \(age) 岁，超过 \(maximum) 岁"
        case .educationMissing(let required, let titleAccepted):
            // "初中及以下及以上" would be nonsense: at the lowest level any recorded education will do.
            if required == Education.allCases.first && !titleAccepted { return "未填写学历" }
            return "未填写学历，要求\(required.label)及以上" + (titleAccepted ? "或初级及以上技术职称" : "")
        case .educationTooLow(let education, let required, let titleAccepted):
            return "学历为\(education.label)，低于要求的\(required.label)" + (titleAccepted ? "，且无初级及以上技术职称" : "")
        case .experienceMissing(let required):
            return "未填写从业年限，要求不少于 \(required) 年"
        case .experienceTooShort(let years, let required):
            return "从业年限 \(years) 年，少于要求的 \(required) 年"
        case .medicalCheckMissing:
            return "缺少体检合格证明"
        case .healthCommitmentMissing:
            return "缺少健康承诺"
        case .suspended(let until):
            return "处于黑名单停考期，至 \(until.iso) 止"
        }
    }
}

public enum Eligibility {
    /// Every rule the applicant fails on `date`, in the order the rule lists them; empty when eligible.
    public static func check(_ applicant: Applicant, against rule: EligibilityRule, on date: CalendarDate) -> [EligibilityFailure] {
        var failures: [EligibilityFailure] = []
        let age = applicant.birthDate.age(on: date)
        if let minimum = rule.minAge, age < minimum { failures.append(.tooYoung(age: age, minimum: minimum)) }
        if let maximum = rule.maxAge, age > maximum { failures.append(.tooOld(age: age, maximum: maximum)) }

        if let required = rule.minimumEducation {
            let titleAccepted = rule.technicalTitleMeetsEducation
            let titleStandsIn = titleAccepted && applicant.hasTechnicalTitle
            if let education = applicant.education {
                if education < required && !titleStandsIn {
                    failures.append(.educationTooLow(education, required: required, technicalTitleAccepted: titleAccepted))
                }
            } else if !titleStandsIn {
                failures.append(.educationMissing(required: required, technicalTitleAccepted: titleAccepted))
            }
        }

        if let required = rule.minimumYearsOfExperience {
            if let years = applicant.yearsOfExperience {
                if years < required { failures.append(.experienceTooShort(years: years, required: required)) }
            } else {
                failures.append(.experienceMissing(required: required))
            }
        }

        switch rule.health {
        case .none:
            break
        case .healthCommitment:
            if !applicant.hasHealthCommitment && !applicant.hasMedicalCheck { failures.append(.healthCommitmentMissing) }
        case .medicalCheck:
            if !applicant.hasMedicalCheck { failures.append(.medicalCheckMissing) }
        }

        if BlacklistCheck.isSuspended(until: applicant.blacklistedUntil, on: date), let until = applicant.blacklistedUntil {
            failures.append(.suspended(until: until))
        }
        return failures
    }
}

/// The one place that decides whether a blacklist suspension (停考) still applies.
public enum BlacklistCheck {
    /// A suspension "至 2026-12-31" covers that whole day and ends when it does.
    public static func isSuspended(until: CalendarDate?, on date: CalendarDate) -> Bool {
        guard let until else { return false }
        return date <= until
    }
}
