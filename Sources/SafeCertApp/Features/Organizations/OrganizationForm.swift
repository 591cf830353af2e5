import Fluent
import Foundation
import SafeCertCore
import Vapor

/// The organisation form: what was typed, the choices offered, and the errors per field.
struct OrganizationForm: Encodable, Sendable {
    struct Option: Encodable, Sendable {
        let value: String
        let label: String
        var selected = false
    }

    var id: String?
    var name = ""
    var kind = ""
    var regionCode = ""
    var creditCode = ""
    var parentCreditCode = ""
    var isGroup = false
    var contactPerson = ""
    var contactPhone = ""
    var address = ""
    var kindOptions: [Option] = []
    var regionOptions: [Option] = []
    var errors = FieldErrors()
    var editingKind = true
    /// The user ticked 确认保存 for a credit code whose check character fails.
    var confirmCheckCharacter = false
    /// The form shows the 确认保存 box (the code's check character fails and wasn't confirmed).
    var asksCheckCharacterConfirmation = false

    /// The kinds as form values: "authority:city", "enterprise", …
    static func value(of kind: OrganizationPolicy.Kind) -> String {
        kind.level.map { "\(kind.kind.rawValue):\($0.rawValue)" } ?? kind.kind.rawValue
    }

    static func label(of kind: OrganizationPolicy.Kind) -> String {
        kind.level.map { "\(kind.kind.label)（\($0.label)）" } ?? kind.kind.label
    }

    mutating func fillOptions(for user: CurrentUser) {
        kindOptions = OrganizationPolicy.creatableKinds(by: user.role).map {
            Option(value: Self.value(of: $0), label: Self.label(of: $0), selected: Self.value(of: $0) == kind)
        }
        regionOptions = Choices.regions(selected: regionCode, nationwide: user.scope == .everything) { user.scope.includes(regionCode: $0.code) }
    }

    static func from(_ org: Organization) -> OrganizationForm {
        var form = OrganizationForm()
        form.id = org.id?.uuidString
        form.name = org.name
        form.kind = value(of: .init(org.kind, org.authorityLevel))
        form.regionCode = org.regionCode
        form.creditCode = org.creditCode ?? ""
        form.isGroup = org.isGroup
        form.contactPerson = org.contactPerson ?? ""
        form.contactPhone = org.contactPhone ?? ""
        form.address = org.address ?? ""
        return form
    }

    static func read(_ req: Request) -> OrganizationForm {
        var form = OrganizationForm()
        form.name = req.field("name") ?? ""
        form.kind = req.field("kind") ?? ""
        form.regionCode = req.field("region_code") ?? ""
        form.creditCode = req.field("credit_code") ?? ""
        form.parentCreditCode = req.field("parent_credit_code") ?? ""
        form.isGroup = req.field("is_group") == "on" || req.field("is_group") == "1"
        form.contactPerson = req.field("contact_person") ?? ""
        form.contactPhone = req.field("contact_phone") ?? ""
        form.address = req.field("address") ?? ""
        form.confirmCheckCharacter = ["on", "1"].contains(req.field("confirm_check_character") ?? "")
        return form
    }

    /// Asks for confirmation before a code with a failing check character is saved (not again
    /// for the code already on file).
    mutating func askToConfirmCheckCharacter(of credit: CreditCode?, onFile: String? = nil) {
        guard let credit, credit.needsConfirmation(confirmed: confirmCheckCharacter, onFile: onFile) else { return }
        errors.add("credit_code", CreditCode.confirmationRequest)
        asksCheckCharacterConfirmation = true
    }

    /// The audit note for a code saved although its check character fails.
    static func checkCharacterNote(_ credit: CreditCode?, onFile: String? = nil) -> String {
        guard let credit, !credit.checkCharacterValid, credit.value != onFile else { return "" }
        return "（统一社会信用代码 \(credit.value) 校验位未通过，经录入人确认保存）"
    }

    /// The parsed kind if the user may create it.
    func chosenKind(for user: CurrentUser) -> OrganizationPolicy.Kind? {
        OrganizationPolicy.creatableKinds(by: user.role).first { Self.value(of: $0) == kind }
    }

    /// Checks the fields that don't need the database; returns the parsed credit code (and its warning).
    mutating func validateFields(requiresCreditCode: Bool, scope: AccessScope) -> CreditCode? {
        if name.isEmpty { errors.add("name", "请填写单位名称") }
        else if name.count > 100 { errors.add("name", "单位名称不能超过 100 个字") }
        if regionCode.isEmpty { errors.add("region_code", "请选择所在地区") }
        else if regionCode != Region.nationwideCode && RegionCatalog.shared.region(code: regionCode) == nil {
            errors.add("region_code", "所在地区代码无效")
        } else if !scope.includes(regionCode: regionCode) {
            errors.add("region_code", "所选地区不在您的管理范围内")
        }
        var parsed: CreditCode?
        if creditCode.isEmpty {
            if requiresCreditCode { errors.add("credit_code", "企业和院校必须填写统一社会信用代码") }
        } else {
            do { parsed = try CreditCode.parse(creditCode) }
            catch { errors.add("credit_code", error.message) }
        }
        if !contactPhone.isEmpty, (try? PhoneNumber(contactPhone)) == nil, contactPhone.count > 20 {
            errors.add("contact_phone", "联系电话格式不正确")
        }
        if contactPerson.count > 50 { errors.add("contact_person", "联系人不能超过 50 个字") }
        if address.count > 200 { errors.add("address", "地址不能超过 200 个字") }
        return parsed
    }
}
