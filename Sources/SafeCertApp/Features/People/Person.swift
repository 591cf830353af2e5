import Fluent
import Foundation
import SafeCertCore

/// A natural person in the registry (seed 001 人员信息管理, seed 002 个人信息维护). One per
/// identity document — its type and number (`AddPersonIdentityKey`) — across the whole system.
/// Gender and birth date come from a resident ID number, or are asked for other documents.
final class Person: Model, @unchecked Sendable {
    static let schema = "people"

    // managed
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    // data
    @Enum(key: "id_type") var idType: IDDocumentType
    @Field(key: "id_number") var idNumber: String
    @Field(key: "name") var name: String
    @OptionalField(key: "gender") var gender: String?
    @OptionalField(key: "birth_date") var birthDate: String?
    @Field(key: "phone") var phone: String
    @OptionalField(key: "ethnic_group") var ethnicGroup: String?
    @OptionalField(key: "education") var education: String?
    @OptionalField(key: "work_start_date") var workStartDate: String?
    @OptionalField(key: "remarks") var remarks: String?
    @Field(key: "region_code") var regionCode: String
    @Enum(key: "status") var status: PersonStatus
    /// Why it was returned or cancelled.
    @OptionalField(key: "status_reason") var statusReason: String?
    @Field(key: "has_photo") var hasPhoto: Bool

    // relationships
    @OptionalParent(key: "employer_id") var employer: Organization?
    /// The unit that entered the record (an enterprise or a training institution); nil for self-registration.
    @OptionalParent(key: "registered_by_id") var registeredBy: Organization?

    init() {}

    init(id: UUID? = nil, draft: PersonDraft, regionCode: String, employerID: UUID?, registeredByID: UUID?) {
        self.id = id
        self.regionCode = regionCode
        self.status = .submitted
        self.hasPhoto = false
        self.$employer.id = employerID
        self.$registeredBy.id = registeredByID
        apply(draft)
    }

    /// Convenience for demo data and tests: a resident-ID person.
    convenience init(id: UUID? = nil, identity: IDNumber, name: String, phone: String, regionCode: String, employerID: UUID?) throws {
        let draft = PersonDraft(identity: try PersonIdentity(type: .residentID, number: identity.value), name: name,
                                phone: try PhoneNumber(phone))
        self.init(id: id, draft: draft, regionCode: regionCode, employerID: employerID, registeredByID: employerID)
    }

    func apply(_ draft: PersonDraft) {
        idType = draft.identity.type
        idNumber = draft.identity.number
        name = draft.name
        gender = draft.gender?.rawValue
        birthDate = draft.birthDate?.iso
        phone = draft.phone.value
        ethnicGroup = draft.ethnicGroup
        education = draft.education
        workStartDate = draft.workStartDate?.iso
        remarks = draft.remarks
    }

    var snapshot: PersonSnapshot {
        PersonSnapshot(idType: idType.rawValue, idNumber: idNumber, name: name, gender: gender, birthDate: birthDate, phone: phone,
                       ethnicGroup: ethnicGroup, education: education, workStartDate: workStartDate, remarks: remarks)
    }

    var genderLabel: String { gender.flatMap(Gender.init(rawValue:))?.label ?? "" }

    var auditSummary: String {
        "姓名=\(name)；证件=\(Masking.idNumber(idNumber))；状态=\(status.label)；单位=\($employer.id?.uuidString ?? "-")"
    }
}

/// The registrable fields of a person, kept as JSON beside an approved record while an edit
/// waits for approval, and shown side by side with the data in force.
struct PersonSnapshot: Codable, Sendable, Equatable {
    var idType: String
    var idNumber: String
    var name: String
    var gender: String?
    var birthDate: String?
    var phone: String
    var ethnicGroup: String?
    var education: String?
    var workStartDate: String?
    var remarks: String?

    init(idType: String, idNumber: String, name: String, gender: String?, birthDate: String?, phone: String,
         ethnicGroup: String?, education: String?, workStartDate: String?, remarks: String?) {
        self.idType = idType
        self.idNumber = idNumber
        self.name = name
        self.gender = gender
        self.birthDate = birthDate
        self.phone = phone
        self.ethnicGroup = ethnicGroup
        self.education = education
        self.workStartDate = workStartDate
        self.remarks = remarks
    }

    init(_ draft: PersonDraft) {
        self.init(idType: draft.identity.type.rawValue, idNumber: draft.identity.number, name: draft.name,
                  gender: draft.gender?.rawValue, birthDate: draft.birthDate?.iso, phone: draft.phone.value,
                  ethnicGroup: draft.ethnicGroup, education: draft.education, workStartDate: draft.workStartDate?.iso,
                  remarks: draft.remarks)
    }

    /// Field label, value in force, proposed value — for the approver's side-by-side view.
    static func comparison(_ old: PersonSnapshot, _ new: PersonSnapshot) -> [PersonRoutes.ComparedField] {
        func label(_ type: String) -> String { IDDocumentType(rawValue: type)?.label ?? type }
        func gender(_ g: String?) -> String { g.flatMap(Gender.init(rawValue:))?.label ?? "" }
        let rows: [(String, String, String)] = [
            ("姓名", old.name, new.name),
            ("证件类型", label(old.idType), label(new.idType)),
            ("证件号码", old.idNumber, new.idNumber),
            ("性别", gender(old.gender), gender(new.gender)),
            ("出生日期", old.birthDate ?? "", new.birthDate ?? ""),
            ("手机号码", old.phone, new.phone),
            ("民族", old.ethnicGroup ?? "", new.ethnicGroup ?? ""),
            ("学历", old.education ?? "", new.education ?? ""),
            ("参加工作日期", old.workStartDate ?? "", new.workStartDate ?? ""),
            ("备注", old.remarks ?? "", new.remarks ?? ""),
        ]
        return rows.map { PersonRoutes.ComparedField(label: $0.0, old: $0.1, new: $0.2, changed: $0.1 != $0.2) }
    }
}

extension Person {
    /// The person registered with this identity document (its type and number), if any.
    static func holding(_ type: IDDocumentType, _ number: String, on db: any Database) async throws -> Person? {
        try await Person.query(on: db).filter(\.$idType == type).filter(\.$idNumber == number).first()
    }

    /// Who keeps this record, for `Masking.exportPolicy`.
    var recordOwner: Masking.RecordOwner { .init(employerID: $employer.id, registeredByID: $registeredBy.id) }
}

extension Person {
    /// The data of an approved change (修改): everything the snapshot holds.
    func take(_ p: PersonSnapshot) {
        idType = IDDocumentType(rawValue: p.idType) ?? idType
        idNumber = p.idNumber
        name = p.name
        gender = p.gender
        birthDate = p.birthDate
        phone = p.phone
        ethnicGroup = p.ethnicGroup
        education = p.education
        workStartDate = p.workStartDate
        remarks = p.remarks
    }
}

extension Person {
    /// What the people exports show of a person, read without building a `Person` (`plainRows`).
    struct ExportRow: Sendable {
        let name: String
        let gender: String?
        let idType: IDDocumentType?
        let idNumber: String
        let birthDate: String?
        let phone: String
        let ethnicGroup: String?
        let education: String?
        let regionCode: String
        let status: PersonStatus?
        let employerID: UUID?
        let registeredByID: UUID?
        let createdAt: Date?

        static let fields: [FieldKey] = ["name", "gender", "id_type", "id_number", "birth_date", "phone", "ethnic_group", "education",
                                         "region_code", "status", "employer_id", "registered_by_id", "created_at"]

        init(_ r: PlainRow) throws {
            name = try r.string("name")
            gender = try r.optionalString("gender")
            idType = IDDocumentType(rawValue: try r.string("id_type"))
            idNumber = try r.string("id_number")
            birthDate = try r.optionalString("birth_date")
            phone = try r.string("phone")
            ethnicGroup = try r.optionalString("ethnic_group")
            education = try r.optionalString("education")
            regionCode = try r.string("region_code")
            status = PersonStatus(rawValue: try r.string("status"))
            employerID = try r.uuid("employer_id")
            registeredByID = try r.uuid("registered_by_id")
            createdAt = try r.date("created_at")
        }

        var genderLabel: String { gender.flatMap(Gender.init(rawValue:))?.label ?? "" }
        var recordOwner: Masking.RecordOwner { .init(employerID: employerID, registeredByID: registeredByID) }
    }
}
