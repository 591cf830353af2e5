import Fluent
import Foundation
import SafeCertCore
import SafeCertDocuments
import Testing
import Vapor
import VaporTesting
@testable import SafeCertApp

/// Identity numbers for tests, valid and distinct.
enum TestIDs {
    static func make(_ n: Int, region: String = "220102") -> String {
        IDNumber.generate(region: region, birth: CalendarDate(year: 1980 + n % 20, month: 1 + n % 12, day: 1 + n % 28)!,
                          sequence: 100 + n % 800).value
    }
}

extension TestApp {
    /// Registers a person as `username` through the form; returns the person.
    func register(_ web: WebClient, idNumber: String, name: String = "测试人员", phone: String = "13900139000",
                  extra: [String: String] = [:]) async throws -> Person {
        var form = ["id_type": "residentID", "id_number": idNumber, "name": name, "phone": phone]
        form.merge(extra) { $1 }
        let response = try await web.post("/people", form)
        #expect(response.status == .seeOther, "register \(idNumber): \(response.status) \(web.lastBody.prefix(0))")
        return try #require(try await Person.query(on: db).filter(\.$idNumber == idNumber.uppercased()).first())
    }

    func person(_ id: UUID) async throws -> Person { try #require(try await Person.find(id, on: db)) }
}

@Suite("人员登记与审批") struct PeopleTests {
    @Test("an enterprise registers a person; gender and birth date come from the ID number; the authority approves")
    func registerAndApprove() async throws {
        try await withSafeCert { t in
            let enterprise = try await t.loggedIn("enterprise")
            let id = TestIDs.make(1)
            let person = try await t.register(enterprise, idNumber: id.lowercased(), name: "陈晓", extra: ["ethnic_group": "汉族", "education": "本科"])
            #expect(person.status == .submitted)
            #expect(person.gender == (try IDNumber(id)).gender.rawValue)
            #expect(person.birthDate == (try IDNumber(id)).birthDate.iso)
            #expect(person.regionCode == "220100")
            // The city of the person's region approves; the other city can't see them.
            let jilin = try await t.loggedIn("jilincity")
            #expect(try await jilin.post("/people/\(person.id!)/approve").status == .notFound)
            let changchun = try await t.loggedIn("changchun")
            let queue = try await changchun.get("/people/review")
            #expect(queue.body.string.contains("陈晓"))
            #expect(try await changchun.post("/people/\(person.id!)/approve").status == .seeOther)
            #expect(try await t.person(person.id!).status == .approved)
            #expect(try await t.auditCount("person.register") == 1)
            #expect(try await t.auditCount("person.approve") == 1)
        }
    }

    @Test("a returned person is edited and resubmitted; a return needs a reason")
    func returnAndResubmit() async throws {
        try await withSafeCert { t in
            let enterprise = try await t.loggedIn("enterprise")
            let person = try await t.register(enterprise, idNumber: TestIDs.make(2))
            let province = try await t.loggedIn("province")
            _ = try await province.post("/people/\(person.id!)/return", ["reason": ""])
            #expect(try await t.person(person.id!).status == .submitted)
            _ = try await province.post("/people/\(person.id!)/return", ["reason": "手机号码有误"])
            let returned = try await t.person(person.id!)
            #expect(returned.status == .returned)
            #expect(returned.statusReason == "手机号码有误")
            let page = try await enterprise.get("/people/\(person.id!)")
            #expect(page.body.string.contains("手机号码有误"))
            let fix = try await enterprise.post("/people/\(person.id!)", ["id_type": "residentID", "id_number": person.idNumber, "name": person.name, "phone": "13700137000"])
            #expect(fix.status == .seeOther)
            let resubmitted = try await t.person(person.id!)
            #expect(resubmitted.status == .submitted)
            #expect(resubmitted.phone == "13700137000")
        }
    }

    @Test("editing an approved person goes back for approval; until then the old data stays in force")
    func editAfterApproval() async throws {
        try await withSafeCert { t in
            let enterprise = try await t.loggedIn("enterprise")
            let person = try await t.register(enterprise, idNumber: TestIDs.make(3), name: "旧名字")
            let province = try await t.loggedIn("province")
            _ = try await province.post("/people/\(person.id!)/approve")
            let edit = try await enterprise.post("/people/\(person.id!)", ["id_type": "residentID", "id_number": person.idNumber, "name": "新名字", "phone": person.phone])
            #expect(edit.status == .seeOther)
            let inForce = try await t.person(person.id!)
            #expect(inForce.name == "旧名字")
            #expect(inForce.status == .approved)
            // The approver sees old and new side by side.
            let page = try await province.get("/people/\(person.id!)")
            #expect(page.body.string.contains("现有信息（生效中）"))
            #expect(page.body.string.contains("旧名字") && page.body.string.contains("新名字"))
            // The queue lists the change for the person's region only.
            #expect(try await province.get("/people/review").body.string.contains("旧名字"))
            let jilin = try await t.loggedIn("jilincity")
            #expect(!(try await jilin.get("/people/review").body.string.contains("旧名字")))
            // Returned: the old data stays.
            _ = try await province.post("/people/\(person.id!)/change", ["decision": "return", "reason": "请附证明"])
            #expect(try await t.person(person.id!).name == "旧名字")
            // Asked again and approved: the new data takes effect.
            _ = try await enterprise.post("/people/\(person.id!)", ["id_type": "residentID", "id_number": person.idNumber, "name": "新名字", "phone": person.phone])
            _ = try await province.post("/people/\(person.id!)/change", ["decision": "approve"])
            let updated = try await t.person(person.id!)
            #expect(updated.name == "新名字")
            #expect(updated.status == .approved)
            #expect(try await t.auditCount("person.change-approve") == 1)
            #expect(try await t.auditCount("person.change-return") == 1)
        }
    }

    @Test("enterprises can't cancel or delete people; the authority cancels with a reason and the history stays")
    func cancellation() async throws {
        try await withSafeCert { t in
            let enterprise = try await t.loggedIn("enterprise")
            let person = try await t.register(enterprise, idNumber: TestIDs.make(4))
            #expect(try await enterprise.post("/people/\(person.id!)/cancel", ["reason": "离职"]).status == .forbidden)
            #expect(try await enterprise.send(.DELETE, "/people/\(person.id!)", headers: [:], body: nil).status == .notFound)
            let province = try await t.loggedIn("province")
            _ = try await province.post("/people/\(person.id!)/cancel", ["reason": ""])
            #expect(try await t.person(person.id!).status == .submitted)
            _ = try await province.post("/people/\(person.id!)/cancel", ["reason": "重复登记"])
            let cancelled = try await t.person(person.id!)
            #expect(cancelled.status == .cancelled)
            let page = try await province.get("/people/\(person.id!)")
            #expect(page.body.string.contains("重复登记"))
            #expect(page.body.string.contains("录入"))  // the registration is still in the history
        }
    }

    @Test("one person per ID number: a second registration elsewhere is refused without saying who or where")
    func onePersonPerID() async throws {
        try await withSafeCert { t in
            let enterprise = try await t.loggedIn("enterprise")
            let id = TestIDs.make(5)
            _ = try await t.register(enterprise, idNumber: id, name: "孙一")
            let group = try await t.loggedIn("group")
            let second = try await group.post("/people", ["id_type": "residentID", "id_number": id, "name": "孙一", "phone": "13900139001"])
            #expect(second.status == .unprocessableEntity)
            #expect(second.body.string.contains("已在其他单位登记"))
            #expect(!second.body.string.contains("长春安达建筑工程有限公司"))
            #expect(try await Person.query(on: t.db).filter(\.$idNumber == id).count() == 1)
        }
    }

    @Test("bad input is reported per field in Chinese and nothing is saved")
    func formValidation() async throws {
        try await withSafeCert { t in
            let enterprise = try await t.loggedIn("enterprise")
            let before = try await Person.query(on: t.db).count()
            let response = try await enterprise.post("/people", ["id_type": "residentID", "id_number": "110105194912310021", "name": "", "phone": "12345"])
            #expect(response.status == .unprocessableEntity)
            let html = response.body.string
            #expect(html.contains("请填写姓名"))
            #expect(html.contains("校验位"))
            #expect(html.contains("手机"))
            #expect(try await Person.query(on: t.db).count() == before)
        }
    }

    @Test("another tenant's person is a 404, for enterprises and for the other city")
    func crossTenant() async throws {
        try await withSafeCert { t in
            let enterprise = try await t.loggedIn("enterprise")
            let person = try await t.register(enterprise, idNumber: TestIDs.make(6))
            let group = try await t.loggedIn("group")
            #expect(try await group.get("/people/\(person.id!)").status == .notFound)
            #expect(try await group.get("/people?name=测试人员").body.string.contains("没有符合条件的人员"))
            let jilin = try await t.loggedIn("jilincity")
            #expect(try await jilin.get("/people/\(person.id!)").status == .notFound)
            let province = try await t.loggedIn("province")
            #expect(try await province.get("/people/\(person.id!)").status == .ok)
        }
    }

    @Test("lists mask ID numbers and phones")
    func masking() async throws {
        try await withSafeCert { t in
            let enterprise = try await t.loggedIn("enterprise")
            let id = TestIDs.make(7)
            _ = try await t.register(enterprise, idNumber: id, phone: "13812345678")
            let list = try await enterprise.get("/people")
            #expect(list.body.string.contains(Masking.idNumber(id)))
            #expect(!list.body.string.contains(id))
            #expect(list.body.string.contains("138****5678"))
        }
    }

    @Test("an enterprise with people can't delete itself; an empty one can, and its accounts stop")
    func enterpriseSelfDelete() async throws {
        try await withSafeCert { t in
            let enterprise = try await t.loggedIn("enterprise")
            _ = try await t.register(enterprise, idNumber: TestIDs.make(8))
            let refused = try await enterprise.post("/my/organization/delete")
            #expect(refused.status == .seeOther)
            #expect(try await t.organization(named: "长春安达建筑工程有限公司").deleted == false)
            let page = try await enterprise.get("/my/organization")
            #expect(page.body.string.contains("不能注销"))
            // An empty enterprise, with an account issued by the province.
            let province = try await t.loggedIn("province")
            let code = try CreditCode.generate(region: "220100", serial: 8_888).value
            _ = try await province.post("/organizations", ["name": "空壳测试企业", "kind": "enterprise", "region_code": "220100", "credit_code": code])
            let org = try await t.organization(named: "空壳测试企业")
            _ = try await province.post("/accounts", ["organization_id": org.id!.uuidString, "username": "empty-co", "display_name": "周九", "phone": "13900009999", "role": "enterprise"])
            let account = try await t.account("empty-co")
            account.mustChangePassword = false
            account.passwordHash = try await t.app.password.async.hash(DemoSeed.password)
            try await account.save(on: t.db)
            let empty = try await t.loggedIn("empty-co")
            #expect(try await empty.post("/my/organization/delete").status == .seeOther)
            #expect(try await Organization.find(org.id, on: t.db)?.deleted == true)
            #expect(try await t.account("empty-co").status == .disabled)
            #expect(try await province.get("/organizations/\(org.id!)").status == .notFound)
            #expect(try await t.auditCount("organization.delete") == 1)
        }
    }

    @Test("a name change by the authority keeps the old name in the history")
    func nameHistory() async throws {
        try await withSafeCert { t in
            let province = try await t.loggedIn("province")
            let org = try await t.organization(named: "长春安达建筑工程有限公司")
            _ = try await province.post("/organizations/\(org.id!)", ["name": "长春安达建设有限公司", "region_code": "220100", "credit_code": org.creditCode!])
            let page = try await province.get("/organizations/\(org.id!)")
            #expect(page.body.string.contains("曾用名"))
            #expect(page.body.string.contains("长春安达建筑工程有限公司"))
        }
    }

    @Test("change of unit: by the association directly, or asked by the new employer and approved")
    func unitChanges() async throws {
        try await withSafeCert { t in
            let enterprise = try await t.loggedIn("enterprise")
            let person = try await t.register(enterprise, idNumber: TestIDs.make(9), name: "调动人")
            let province = try await t.loggedIn("province")
            _ = try await province.post("/people/\(person.id!)/approve")
            // The new employer asks; a wrong name finds nobody.
            let group = try await t.loggedIn("group")
            let wrong = try await group.post("/people/transfer", ["id_number": person.idNumber, "name": "别人"])
            #expect(wrong.status == .unprocessableEntity)
            let asked = try await group.post("/people/transfer", ["id_number": person.idNumber, "name": "调动人"])
            #expect(asked.status == .seeOther)
            #expect(try await t.person(person.id!).$employer.id != (try await t.organization(named: "吉林建工集团有限公司")).id)
            _ = try await province.post("/people/\(person.id!)/change", ["decision": "approve"])
            let groupOrg = try await t.organization(named: "吉林建工集团有限公司")
            #expect(try await t.person(person.id!).$employer.id == groupOrg.id)
            // The association moves them on directly.
            let association = try await t.loggedIn("association")
            let branch = try await t.organization(named: "吉林建工集团吉林分公司")
            _ = try await association.post("/people/\(person.id!)/unit", ["credit_code": branch.creditCode!])
            let moved = try await t.person(person.id!)
            #expect(moved.$employer.id == branch.id)
            #expect(moved.regionCode == "220200")
            #expect(try await t.auditCount("person.change-unit") == 1)
        }
    }

    @Test("an individual registers with an SMS code, logs in with the ID number and keeps their contact data")
    func selfRegistration() async throws {
        try await withSafeCert { t in
            let web = t.client()
            try await web.get("/register")
            let id = TestIDs.make(10)
            let form = ["id_number": id, "name": "自助注册", "phone": "13611110000", "region_code": "220100"]
            _ = try await web.post("/register/sms", form)
            let code = try #require(t.sms.lastCode())
            var bad = form
            bad["sms"] = code == "000000" ? "111111" : "000000"
            bad["password"] = "Safe#Cert2026"
            bad["confirm"] = "Safe#Cert2026"
            let refused = try await web.post("/register", bad)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("短信验证码错误"))
            var good = bad
            good["sms"] = code
            #expect(try await web.post("/register", good).status == .seeOther)
            let person = try #require(try await Person.query(on: t.db).filter(\.$idNumber == id).first())
            #expect(person.status == .submitted)
            let me = try await t.loggedIn(id, password: "Safe#Cert2026")
            #expect(try await me.get("/me").body.string.contains("自助注册"))
            #expect(try await me.post("/me", ["name": "自助注册", "phone": "13622220000"]).status == .seeOther)
            #expect(try await t.person(person.id!).phone == "13622220000")
            // Registering the same number again is refused.
            let again = t.client()
            try await again.get("/register")
            t.clock.advance(by: 61) // past the resend interval of the phone
            _ = try await again.post("/register/sms", form)
            var twice = good
            twice["sms"] = try #require(t.sms.lastCode())
            let dup = try await again.post("/register", twice)
            #expect(dup.body.string.contains("已登记"))
        }
    }
}

@Suite("资格类型目录") struct CatalogueTests {
    @Test("the catalogue is seeded with the defaults and shows the terms in force")
    func seededDefaults() async throws {
        try await withSafeCert { t in
            let institution = try await t.loggedIn("institution")
            let page = try await institution.get("/catalogue")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("特种作业"))
            let count = try await QualificationTypeRecord.query(on: t.db).count()
            #expect(count == QualificationCatalogue.defaults.types.count)
            let code = try #require(QualificationCatalogue.defaults.types.first?.code)
            #expect(try await institution.get("/catalogue/\(code)").status == .ok)
            #expect(try await institution.get("/catalogue/NO-SUCH").status == .notFound)
            #expect(try await institution.post("/catalogue/\(code)", ["effective_from": "2027-01-01"]).status == .forbidden)
        }
    }

    @Test("a province adds its own override, audited; it can't set national terms; bad numbers are refused")
    func provinceOverride() async throws {
        try await withSafeCert { t in
            let type = try #require(QualificationCatalogue.defaults.types.first { $0.scheme == .constructionManagers })
            let province = try await t.loggedIn("province")
            let page = try await province.get("/catalogue/\(type.code)")
            #expect(page.body.string.contains("新增版本"))
            let catalogue = try await CatalogueStore.load(on: t.db)
            let today = CalendarDate.today(now: t.clock.now())
            let terms = try #require(catalogue.terms(for: type.code, province: "220000", on: today))
            var form = [
                "effective_from": today.iso, "province": "220000", "validity_years": String(terms.validityYears),
                "renewal_window_days": String(terms.renewalWindowDays), "continuing_hours_per_year": String(terms.continuingHoursPerYear),
                "theory_pass": "70", "theory_full": "100", "resits_allowed": String(terms.resitsAllowed), "source": "吉建安〔2026〕1号",
            ]
            var national = form
            national["province"] = ""
            #expect(try await province.post("/catalogue/\(type.code)", national).status == .unprocessableEntity)
            var bad = form
            bad["theory_pass"] = "120"
            let refused = try await province.post("/catalogue/\(type.code)", bad)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("合格分"))
            #expect(try await province.post("/catalogue/\(type.code)", form).status == .seeOther)
            let updated = try await CatalogueStore.load(on: t.db)
            #expect(updated.terms(for: type.code, province: "220000", on: today)?.subject(.theory)?.passMarks == 70)
            #expect(updated.terms(for: type.code, province: nil, on: today)?.subject(.theory)?.passMarks == terms.subject(.theory)?.passMarks)
            #expect(try await t.auditCount("catalogue.entry") == 1)
            form["theory_pass"] = "75"
            let duplicate = try await province.post("/catalogue/\(type.code)", form)
            #expect(duplicate.status == .unprocessableEntity)
            #expect(duplicate.body.string.contains("已有一个版本"))
        }
    }
}
