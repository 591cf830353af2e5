import Foundation
import SafeCertCore
import Vapor

/// The person form. Its rules are the import's rules: the fields become a template row and
/// `PersonImportTemplate` judges them, so a form and a spreadsheet can't disagree.
struct PersonForm: Encodable, Sendable {
    var id: String?
    var idType = IDDocumentType.residentID.rawValue
    var idNumber = ""
    /// Asked for documents other than the resident ID ("male" / "female").
    var gender = ""
    var birthDate = ""
    var name = ""
    var phone = ""
    var ethnicGroup = ""
    var education = ""
    var employerCreditCode = ""
    var workStartDate = ""
    var remarks = ""
    var errors = FieldErrors()
    var idTypeOptions: [OrganizationForm.Option] = []
    var genderOptions: [OrganizationForm.Option] = []
    var ethnicOptions: [OrganizationForm.Option] = []
    var educationOptions: [OrganizationForm.Option] = []
    /// Training institutions register people for any enterprise and must name it.
    var asksEmployer = false
    var pendingNote: String?
    /// The individual's own form (个人信息维护): the document is shown, not edited.
    var documentLocked = false
    var documentLabel = ""
    var asksGenderAndBirth = false
    var action = ""
    var back = SiteURL.people.link
    /// Offered beside an ID number registered outside the user's scope (申请调入).
    var transferHref: String?

    static let fieldForColumn: [String: String] = [
        "姓名": "name", "证件类型": "id_type", "证件号码": "id_number", "性别": "gender", "出生日期": "birth_date",
        "手机号码": "phone", "民族": "ethnic_group",
        "学历": "education", "所在单位统一社会信用代码": "employer_credit_code", "参加工作日期": "work_start_date", "备注": "remarks",
    ]

    mutating func fillOptions() {
        idTypeOptions = IDDocumentType.allCases.map { .init(value: $0.rawValue, label: $0.label, selected: $0.rawValue == idType) }
        genderOptions = Gender.allCases.map { .init(value: $0.rawValue, label: $0.label, selected: $0.rawValue == gender) }
        documentLabel = IDDocumentType(rawValue: idType)?.label ?? idType
        asksGenderAndBirth = IDDocumentType(rawValue: idType)?.derivesGenderAndBirthDate == false
        ethnicOptions = EthnicGroups.all.map { .init(value: $0, label: $0, selected: $0 == ethnicGroup) }
        educationOptions = EducationLevel.all.map { .init(value: $0, label: $0, selected: $0 == education) }
    }

    static func read(_ req: Request) -> PersonForm {
        var form = PersonForm()
        form.idType = req.field("id_type") ?? IDDocumentType.residentID.rawValue
        form.idNumber = req.field("id_number") ?? ""
        form.gender = req.field("gender") ?? ""
        form.birthDate = req.field("birth_date") ?? ""
        form.name = req.field("name") ?? ""
        form.phone = req.field("phone") ?? ""
        form.ethnicGroup = req.field("ethnic_group") ?? ""
        form.education = req.field("education") ?? ""
        form.employerCreditCode = req.field("employer_credit_code") ?? ""
        form.workStartDate = req.field("work_start_date") ?? ""
        form.remarks = req.field("remarks") ?? ""
        return form
    }

    static func from(_ person: Person) -> PersonForm {
        from(person.snapshot, id: person.id)
    }

    static func from(_ s: PersonSnapshot, id: UUID?) -> PersonForm {
        var form = PersonForm()
        form.id = id?.uuidString
        form.idType = s.idType
        form.idNumber = s.idNumber
        form.gender = s.gender ?? ""
        form.birthDate = s.birthDate ?? ""
        form.name = s.name
        form.phone = s.phone
        form.ethnicGroup = s.ethnicGroup ?? ""
        form.education = s.education ?? ""
        form.workStartDate = s.workStartDate ?? ""
        form.remarks = s.remarks ?? ""
        return form
    }

    /// The validated draft, or the errors placed on their fields.
    mutating func validate(today: CalendarDate) -> PersonDraft? {
        func cell(_ s: String) -> ImportCell { s.isEmpty ? .empty : .text(s) }
        let type = IDDocumentType(rawValue: idType)
        let typeLabel = type?.label ?? idType
        // A resident ID's gender and birth date are derived; the form hides those fields for it.
        let asked = type?.derivesGenderAndBirthDate == false
        let genderText = Gender(rawValue: gender)?.label ?? gender
        let cells: [ImportCell] = [cell(name), .text(typeLabel), cell(idNumber), asked ? cell(genderText) : .empty, asked ? cell(birthDate) : .empty,
                                   cell(phone), cell(ethnicGroup), cell(education), cell(employerCreditCode), cell(workStartDate), cell(remarks)]
        switch PersonImportTemplate.parse(cells, today: today) {
        case .person(let draft):
            return draft
        case .empty:
            errors.add("name", "请填写姓名")
            return nil
        case .invalid(let issues):
            for issue in issues { errors.add(Self.fieldForColumn[issue.column] ?? "name", issue.reason) }
            return nil
        }
    }
}
