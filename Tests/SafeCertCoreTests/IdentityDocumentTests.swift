import Foundation
import Testing
@testable import SafeCertCore

@Suite("港澳台通行证、护照与性别出生日期")
struct IdentityDocumentTests {
    let today = CalendarDate(year: 2026, month: 11, day: 23)!

    @Test("港澳居民来往内地通行证: H or M and 8 digits; the old 11-character number is kept by its holder's 9")
    func hongKongMacauPermit() throws {
        #expect(try PersonIdentity(type: .hongKongMacauPermit, number: "H12345678").number == "H12345678")
        #expect(try PersonIdentity(type: .hongKongMacauPermit, number: "m87654321").number == "M87654321")
        // 公安部 2010 rule: 8-digit lifelong number + 2 digits of re-issues; one holder, one record.
        #expect(try PersonIdentity(type: .hongKongMacauPermit, number: "H1234567801").number == "H12345678")
        for bad in ["X12345678", "H1234567", "H123456789", "H1234567(8)", "12345678H", "HH2345678"] {
            #expect(throws: PersonIdentityError.self, "\(bad)") { try PersonIdentity(type: .hongKongMacauPermit, number: bad) }
        }
        #expect(throws: PersonIdentityError.invalidFormat(.hongKongMacauPermit)) {
            try PersonIdentity(type: .hongKongMacauPermit, number: "A12345678")
        }
        #expect(PersonIdentityError.invalidFormat(.hongKongMacauPermit).message.contains("H（香港）或 M（澳门）加 8 位数字"))
    }

    @Test("台湾居民来往大陆通行证: 8 digits; the booklet's issue count and office code fall away")
    func taiwanPermit() throws {
        #expect(try PersonIdentity(type: .taiwanPermit, number: "12345678").number == "12345678")
        #expect(try PersonIdentity(type: .taiwanPermit, number: "1234567801").number == "12345678")
        #expect(try PersonIdentity(type: .taiwanPermit, number: "1234567801(b)").number == "12345678")
        #expect(try PersonIdentity(type: .taiwanPermit, number: "1234567801（B）").number == "12345678")
        for bad in ["1234567", "123456789", "T2345678", "12345678(B)", "1234567801()", "1234567801(B"] {
            #expect(throws: PersonIdentityError.self, "\(bad)") { try PersonIdentity(type: .taiwanPermit, number: bad) }
        }
        #expect(PersonIdentityError.invalidFormat(.taiwanPermit).message.contains("8 位数字"))
    }

    @Test("passports: letters and digits, 5–17 characters")
    func passport() throws {
        #expect(try PersonIdentity(type: .passport, number: "E12345678").number == "E12345678")
        #expect(try PersonIdentity(type: .passport, number: "ab12345").number == "AB12345")
        #expect(throws: PersonIdentityError.wrongLength(.passport, 4)) { try PersonIdentity(type: .passport, number: "E123") }
        #expect(throws: PersonIdentityError.invalidCharacter(.passport)) { try PersonIdentity(type: .passport, number: "E-1234567") }
        #expect(PersonIdentityError.wrongLength(.passport, 4).message == "护照号码应为 5–17 位，当前为 4 位")
    }

    @Test("one number, two documents: a passport and a permit with the same characters are two identities")
    func typeIsPartOfTheKey() throws {
        let passport = try PersonIdentity(type: .passport, number: "H12345678")
        let permit = try PersonIdentity(type: .hongKongMacauPermit, number: "H12345678")
        #expect(passport.number == permit.number)
        #expect(passport != permit)
    }

    func row(type: String, number: String, gender: String = "", birth: ImportCell = .empty) -> PersonImportTemplate.Outcome {
        PersonImportTemplate.parse([.text("陈大文"), .text(type), .text(number), gender.isEmpty ? .empty : .text(gender), birth,
                                    .text("13800138000")], today: today)
    }

    @Test("documents without gender and birth date in the number ask for both")
    func genderAndBirthAsked() throws {
        guard case .invalid(let issues) = row(type: "港澳居民来往内地通行证", number: "H12345678") else { Issue.record("expected invalid"); return }
        #expect(Set(issues.map(\.column)) == ["性别", "出生日期"])
        #expect(issues.contains { $0.reason == "港澳居民来往内地通行证须填写性别" })
        guard case .person(let draft) = row(type: "港澳居民来往内地通行证", number: "H12345678", gender: "男",
                                            birth: .text("1985-03-12")) else { Issue.record("expected a person"); return }
        #expect(draft.gender == .male)
        #expect(draft.birthDate == CalendarDate(year: 1985, month: 3, day: 12))
        guard case .person(let serial) = row(type: "护照", number: "E12345678", gender: "女", birth: .number(raw: "31118")) else {
            Issue.record("expected a person"); return
        }
        #expect(serial.birthDate?.iso == "1985-03-12")
    }

    @Test("a typed birth date must be a real day giving an age of 16 to 100")
    func birthDateSanity() {
        func reasons(_ birth: ImportCell) -> [String] {
            guard case .invalid(let issues) = row(type: "护照", number: "E12345678", gender: "女", birth: birth) else { return [] }
            return issues.filter { $0.column == "出生日期" }.map(\.reason)
        }
        #expect(reasons(.text("1985-02-30")).first?.contains("格式应为") == true)
        #expect(reasons(.text("2027-01-01")) == ["出生日期不能晚于今天"])
        #expect(reasons(.text("2015-01-01")) == ["出生日期显示未满 16 周岁，请核对"])
        #expect(reasons(.text("1920-01-01")) == ["出生日期显示超过 100 周岁，请核对"])
        #expect(reasons(.text("1850-01-01")).first?.contains("1900–2100") == true)
        #expect(reasons(.text("1990-05-06")).isEmpty)
        guard case .invalid(let gender) = row(type: "护照", number: "E12345678", gender: "未知", birth: .text("1990-05-06")) else {
            Issue.record("expected invalid"); return
        }
        #expect(gender.map(\.reason) == ["性别应填“男”或“女”"])
    }

    @Test("for a resident ID gender and birth date come from the number; typed ones must agree")
    func residentIDDerives() {
        let id = "11010519491231002X"  // female, 1949-12-31
        guard case .person(let draft) = row(type: "居民身份证", number: id) else { Issue.record("expected a person"); return }
        #expect(draft.gender == .female && draft.birthDate?.iso == "1949-12-31")
        guard case .invalid(let issues) = row(type: "居民身份证", number: id, gender: "男", birth: .text("1950-01-01")) else {
            Issue.record("expected invalid"); return
        }
        #expect(issues.map(\.column) == ["性别", "出生日期"])
        #expect(issues.first?.reason == "性别与身份证号不符（身份证号为女性）")
        // A wrong resident ID number doesn't ask for gender and birth date.
        guard case .invalid(let wrong) = row(type: "居民身份证", number: "110105194912310021") else { Issue.record("expected invalid"); return }
        #expect(wrong.map(\.column) == ["证件号码"])
    }
}

@Suite("导出脱敏")
struct ExportMaskingTests {
    let employer = UUID()
    let institution = UUID()
    let branch = UUID()

    @Test("the data's owner exports in full; an export leaving the owner is masked")
    func policy() {
        let owner = Masking.RecordOwner(employerID: branch, registeredByID: institution)
        #expect(Masking.exportPolicy(viewer: .init(keepsRegister: true), owner: owner) == .full)
        #expect(Masking.exportPolicy(viewer: .init(keepsRegister: false, organizationIDs: [employer, branch]), owner: owner) == .full)
        #expect(Masking.exportPolicy(viewer: .init(keepsRegister: false, organizationIDs: [institution]), owner: owner) == .full)
        #expect(Masking.exportPolicy(viewer: .init(keepsRegister: false, organizationIDs: [employer]), owner: owner) == .masked)
        #expect(Masking.exportPolicy(viewer: .init(keepsRegister: false), owner: owner) == .masked)
        #expect(Masking.exportPolicy(viewer: .init(keepsRegister: false, organizationIDs: [employer]),
                                     owner: .init(employerID: nil, registeredByID: nil)) == .masked)
    }
}

@Suite("报名确认：户籍地管理部门")
struct HomeAuthorityMessageTests {
    @Test("the refusal names the person's home authority")
    func namesTheHomeAuthority() {
        #expect(EnrolmentCheck.outsideHomeRegion(personRegion: "220100") == "不属于本辖区人员：应由人员所在地吉林省 长春市或吉林省的管理部门确认")
        #expect(EnrolmentCheck.outsideHomeRegion(personRegion: "220000") == "不属于本辖区人员：应由吉林省的管理部门确认")
        #expect(EnrolmentCheck.outsideHomeRegion(personRegion: "110100") == "不属于本辖区人员：应由北京市的管理部门确认")
    }
}

@Suite("地区选项")
struct MunicipalityTests {
    @Test("a municipality's city-level entries repeat its name; other cities don't")
    func repeats() throws {
        let catalog = RegionCatalog.shared
        #expect(catalog.repeatsProvince(try #require(catalog.region(code: "110100"))))
        #expect(catalog.repeatsProvince(try #require(catalog.region(code: "500200"))))
        #expect(!catalog.repeatsProvince(try #require(catalog.region(code: "220100"))))
        #expect(!catalog.repeatsProvince(try #require(catalog.region(code: "110000"))))
    }
}
