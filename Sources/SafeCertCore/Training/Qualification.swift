/// The regulatory family a qualification belongs to: it decides who issues the certificate and
/// which document the catalogue's defaults come from.
public enum QualificationScheme: String, Sendable, Codable, CaseIterable {
    case constructionManagers
    case constructionSpecialTrades
    case specialOperations
    case telecom
    case civilExplosives

    public var label: String {
        switch self {
        case .constructionManagers: "建筑施工企业三类人员"
        case .constructionSpecialTrades: "建筑施工特种作业"
        case .specialOperations: "特种作业（应急管理部）"
        case .telecom: "通信三类人员"
        case .civilExplosives: "民爆行业安全培训"
        }
    }
}

public enum ExamSubjectKind: String, Sendable, Codable, CaseIterable {
    case theory
    case practical

    public var label: String {
        switch self {
        case .theory: "理论"
        case .practical: "实操"
        }
    }
}

/// How a subject is sat; it decides whether the exam needs a room, a computer or only a login.
public enum ExamDelivery: String, Sendable, Codable, CaseIterable {
    /// At an exam centre's computers, after the identity check.
    case computerAtCentre
    case paper
    /// Remote, in an online batch (telecom).
    case online
    /// Performed and scored by examiners at a practical site.
    case handsOn

    public var label: String {
        switch self {
        case .computerAtCentre: "考点机考"
        case .paper: "笔试"
        case .online: "线上考试"
        case .handsOn: "现场实操"
        }
    }
}

public struct ExamSubject: Sendable, Hashable, Codable {
    public var kind: ExamSubjectKind
    public var delivery: ExamDelivery
    public var fullMarks: Int
    public var passMarks: Int
    /// nil when the exam centre sets it per station (practical subjects usually are).
    public var durationMinutes: Int?

    public init(kind: ExamSubjectKind, delivery: ExamDelivery, fullMarks: Int = 100, passMarks: Int, durationMinutes: Int?) {
        self.kind = kind
        self.delivery = delivery
        self.fullMarks = fullMarks
        self.passMarks = passMarks
        self.durationMinutes = durationMinutes
    }

    public func isPass(score: Double) -> Bool { score >= Double(passMarks) }
}

/// Education levels in rising order, as the person form offers them (`EducationLevel.all`).
public enum Education: String, Sendable, Codable, CaseIterable, Comparable {
    case juniorHighOrBelow
    case seniorHighOrVocational
    case juniorCollege
    case bachelor
    case master
    case doctorate

    public var label: String {
        switch self {
        case .juniorHighOrBelow: "初中及以下"
        case .seniorHighOrVocational: "高中/中专/技校"
        case .juniorCollege: "大专"
        case .bachelor: "本科"
        case .master: "硕士研究生"
        case .doctorate: "博士研究生"
        }
    }

    /// The form's label ("大专") back to the level.
    public init?(label: String) {
        guard let level = Education.allCases.first(where: { $0.label == label }) else { return nil }
        self = level
    }

    private var rank: Int { Education.allCases.firstIndex(of: self)! }

    public static func < (lhs: Education, rhs: Education) -> Bool { lhs.rank < rhs.rank }
}

/// The health evidence an applicant must bring.
public enum HealthRequirement: String, Sendable, Codable, CaseIterable {
    case none
    /// 健康承诺: the applicant declares they are fit ("身体健康").
    case healthCommitment
    /// 体检合格: a hospital's medical check; it also satisfies a commitment requirement.
    case medicalCheck

    public var label: String {
        switch self {
        case .none: "无"
        case .healthCommitment: "健康承诺"
        case .medicalCheck: "体检合格"
        }
    }
}

/// Who may apply. nil fields are not checked. Ages are completed years (周岁), both bounds
/// inclusive: "年满 18 周岁" is `minAge: 18`, "未满 60 周岁" is `maxAge: 59`,
/// "不超过法定退休年龄（60）" is `maxAge: 60`.
public struct EligibilityRule: Sendable, Hashable, Codable {
    public var minAge: Int?
    public var maxAge: Int?
    public var minimumEducation: Education?
    /// "中专及以上文化程度或初级及以上技术职称": a technical title stands in for the education.
    public var technicalTitleMeetsEducation: Bool
    /// "两年以上" includes two years, as 以上 does in Chinese regulations.
    public var minimumYearsOfExperience: Int?
    public var health: HealthRequirement
    /// Conditions a reviewer checks by hand from the uploaded documents (劳动关系, 注册执业资格 …),
    /// listed so the review page can show them.
    public var manualChecks: [String]

    public init(minAge: Int? = nil, maxAge: Int? = nil, minimumEducation: Education? = nil,
                technicalTitleMeetsEducation: Bool = false, minimumYearsOfExperience: Int? = nil,
                health: HealthRequirement = .none, manualChecks: [String] = []) {
        self.minAge = minAge
        self.maxAge = maxAge
        self.minimumEducation = minimumEducation
        self.technicalTitleMeetsEducation = technicalTitleMeetsEducation
        self.minimumYearsOfExperience = minimumYearsOfExperience
        self.health = health
        self.manualChecks = manualChecks
    }
}

/// The numbers that vary by qualification, province and date (DESIGN.md §2).
public struct QualificationTerms: Sendable, Hashable, Codable {
    public var validityYears: Int
    /// Renewal (or review) may be applied for this many days before the due date.
    public var renewalWindowDays: Int
    /// Special operations: a 6-year certificate is reviewed (复审) every 3 years.
    public var reviewCycleYears: Int?
    /// Hours before the first exam; nil when the province sets them.
    public var initialTrainingHours: Int?
    public var continuingHoursPerYear: Int
    /// Hours before each review (复审培训), where training is per review rather than per year.
    public var reviewTrainingHours: Int?
    public var subjects: [ExamSubject]
    public var eligibility: EligibilityRule
    public var numberFormat: CertificateNumberFormat
    /// Resits after a failed attempt before the person must train again.
    public var resitsAllowed: Int
    /// How long a passed subject counts while the other is retaken; nil = no limit set.
    public var passValidMonths: Int?

    public init(validityYears: Int, renewalWindowDays: Int, reviewCycleYears: Int? = nil, initialTrainingHours: Int? = nil,
                continuingHoursPerYear: Int, reviewTrainingHours: Int? = nil, subjects: [ExamSubject],
                eligibility: EligibilityRule, numberFormat: CertificateNumberFormat, resitsAllowed: Int,
                passValidMonths: Int? = nil) {
        self.validityYears = validityYears
        self.renewalWindowDays = renewalWindowDays
        self.reviewCycleYears = reviewCycleYears
        self.initialTrainingHours = initialTrainingHours
        self.continuingHoursPerYear = continuingHoursPerYear
        self.reviewTrainingHours = reviewTrainingHours
        self.subjects = subjects
        self.eligibility = eligibility
        self.numberFormat = numberFormat
        self.resitsAllowed = resitsAllowed
        self.passValidMonths = passValidMonths
    }

    public func subject(_ kind: ExamSubjectKind) -> ExamSubject? { subjects.first { $0.kind == kind } }

    /// What the system admin must fix before saving these terms; empty when consistent.
    public var problems: [String] {
        var problems: [String] = []
        if validityYears <= 0 { problems.append("有效期应大于 0 年") }
        if renewalWindowDays < 0 { problems.append("续期申请期不能为负数") }
        if let cycle = reviewCycleYears, !(1..<validityYears).contains(cycle) {
            problems.append("复审周期（\(cycle) 年）应短于有效期（\(validityYears) 年）")
        }
        if let hours = initialTrainingHours, hours < 0 { problems.append("初次培训学时不能为负数") }
        if continuingHoursPerYear < 0 { problems.append("每年继续教育学时不能为负数") }
        if let hours = reviewTrainingHours, hours < 0 { problems.append("复审培训学时不能为负数") }
        if subjects.isEmpty { problems.append("至少需要一个考试科目") }
        for kind in ExamSubjectKind.allCases where subjects.filter({ $0.kind == kind }).count > 1 {
            problems.append("\(kind.label)科目重复")
        }
        for subject in subjects {
            if subject.fullMarks <= 0 { problems.append("\(subject.kind.label)满分应大于 0") }
            if !(1...max(subject.fullMarks, 1)).contains(subject.passMarks) {
                problems.append("\(subject.kind.label)合格分（\(subject.passMarks)）应在 1–\(subject.fullMarks) 之间")
            }
            if let minutes = subject.durationMinutes, minutes <= 0 { problems.append("\(subject.kind.label)考试时长应大于 0 分钟") }
        }
        if let low = eligibility.minAge, let high = eligibility.maxAge, low > high {
            problems.append("最低年龄（\(low)）高于最高年龄（\(high)）")
        }
        if resitsAllowed < 0 { problems.append("补考次数不能为负数") }
        if let months = passValidMonths, months <= 0 { problems.append("单科成绩有效期应大于 0 个月") }
        if let issue = numberFormat.patternProblem { problems.append(issue) }
        return problems
    }
}

/// A qualification's identity, which does not change with new rules.
public struct QualificationType: Sendable, Hashable, Codable {
    /// Stable key used by entries, enrolments and certificates: "JZ-C1", "TZ-DG".
    public var code: String
    public var name: String
    public var scheme: QualificationScheme
    /// The type part of the certificate number: "C1" in 京建安C1（2015）0000001, "01" for 建筑电工.
    public var certificateTypeCode: String

    public init(code: String, name: String, scheme: QualificationScheme, certificateTypeCode: String) {
        self.code = code
        self.name = name
        self.scheme = scheme
        self.certificateTypeCode = certificateTypeCode
    }
}

/// A qualification with the terms in force for a given province and date.
public struct Qualification: Sendable, Hashable, Codable {
    public var type: QualificationType
    public var terms: QualificationTerms

    public init(type: QualificationType, terms: QualificationTerms) {
        self.type = type
        self.terms = terms
    }

    public var code: String { type.code }
    public var name: String { type.name }
    public var scheme: QualificationScheme { type.scheme }
}
