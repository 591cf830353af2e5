import Foundation

/// A person's registrable data, validated: what a form or a spreadsheet row becomes.
public struct PersonDraft: Sendable, Equatable, Codable {
    public var identity: PersonIdentity
    /// From the resident ID number, or as typed for the other documents.
    public var gender: Gender?
    public var birthDate: CalendarDate?
    public var name: String
    public var phone: PhoneNumber
    public var ethnicGroup: String?
    public var education: String?
    /// The employer's credit code as typed (resolved to an organisation by the app).
    public var employerCreditCode: String?
    public var workStartDate: CalendarDate?
    public var remarks: String?

    /// `gender` and `birthDate` are taken from a resident ID whatever is passed.
    public init(identity: PersonIdentity, gender: Gender? = nil, birthDate: CalendarDate? = nil, name: String, phone: PhoneNumber,
                ethnicGroup: String? = nil, education: String? = nil, employerCreditCode: String? = nil,
                workStartDate: CalendarDate? = nil, remarks: String? = nil) {
        self.identity = identity
        self.gender = identity.gender ?? gender
        self.birthDate = identity.birthDate ?? birthDate
        self.name = name
        self.phone = phone
        self.ethnicGroup = ethnicGroup
        self.education = education
        self.employerCreditCode = employerCreditCode
        self.workStartDate = workStartDate
        self.remarks = remarks
    }
}

/// Education levels offered in forms and templates.
public enum EducationLevel {
    public static let all = ["初中及以下", "高中/中专/技校", "大专", "本科", "硕士研究生", "博士研究生"]
}

/// Field rules shared by the person form and the import.
public enum PersonFields {
    /// Names: 2–30 characters of Chinese, letters, the middle dot and spaces inside.
    public static func validateName(_ raw: String) -> (String?, String?) {
        let name = TextNormalization.collapseSpaces(raw)
        if name.isEmpty { return (nil, "请填写姓名") }
        guard (2...30).contains(name.count) else { return (nil, "姓名应为 2–30 个字") }
        let allowed = name.unicodeScalars.allSatisfy { s in
            (0x4E00...0x9FFF).contains(s.value) || (0x3400...0x4DBF).contains(s.value) || s.properties.isAlphabetic
                || s == "·" || s == "•" || s == " " || s == "."
        }
        guard allowed else { return (nil, "姓名只能包含汉字、字母和间隔号（·）") }
        return (name.replacingOccurrences(of: "•", with: "·"), nil)
    }

    public static func validateEthnicGroup(_ raw: String?) -> (String?, String?) {
        guard let raw, !TextNormalization.trimmed(raw).isEmpty else { return (nil, nil) }
        let value = TextNormalization.trimmed(raw)
        let full = value.hasSuffix("族") ? value : value + "族"
        if EthnicGroups.all.contains(full) { return (full, nil) }
        return (nil, "民族「\(value)」不在 56 个民族之列")
    }

    /// "男", "女" (or male / female, M / F).
    public static func validateGender(_ raw: String?) -> (Gender?, String?) {
        guard let raw, !TextNormalization.trimmed(raw).isEmpty else { return (nil, nil) }
        switch TextNormalization.trimmed(raw).lowercased() {
        case "男", "male", "m", "男性": return (.male, nil)
        case "女", "female", "f", "女性": return (.female, nil)
        default: return (nil, "性别应填“男”或“女”")
        }
    }

    /// The ages a typed birth date may give: the legal working age (劳动法 第十五条: no one under
    /// 16 is employed) up to 100; anything else is taken for a typing error.
    public static let typedBirthAges = 16...100

    /// A typed birth date (documents without one in the number): a real day giving a sane age.
    public static func checkBirthDate(_ date: CalendarDate, today: CalendarDate) -> String? {
        if date > today { return "出生日期不能晚于今天" }
        let age = date.age(on: today)
        if age < typedBirthAges.lowerBound { return "出生日期显示未满 \(typedBirthAges.lowerBound) 周岁，请核对" }
        if age > typedBirthAges.upperBound { return "出生日期显示超过 \(typedBirthAges.upperBound) 周岁，请核对" }
        return nil
    }

    public static func validateEducation(_ raw: String?) -> (String?, String?) {
        guard let raw, !TextNormalization.trimmed(raw).isEmpty else { return (nil, nil) }
        let value = TextNormalization.trimmed(raw)
        if EducationLevel.all.contains(value) { return (value, nil) }
        return (nil, "学历应为：" + EducationLevel.all.joined(separator: "、"))
    }
}
