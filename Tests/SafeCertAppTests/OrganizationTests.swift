import Fluent
import Foundation
import SafeCertCore
import Testing
import Vapor
import VaporTesting
@testable import SafeCertApp

@Suite("单位管理") struct OrganizationTests {
    @Test("the province creates an enterprise in its region; the change is audited")
    func createEnterprise() async throws {
        try await withSafeCert { t in
            let web = try await t.loggedIn("province")
            let code = try CreditCode.generate(region: "220100", serial: 777).value
            let response = try await web.post("/organizations", [
                "name": "长春新建安装工程有限公司", "kind": "enterprise", "region_code": "220100", "credit_code": code.lowercased(),
                "contact_person": "刘敏", "contact_phone": "0431-88886666",
            ])
            #expect(response.status == .seeOther)
            let org = try await t.organization(named: "长春新建安装工程有限公司")
            #expect(org.creditCode == code)
            #expect(org.kind == .enterprise)
            let entry = try #require(try await AuditEntry.query(on: t.db).filter(\.$action == "organization.create").first())
            #expect(entry.targetID == org.id?.uuidString)
            #expect(entry.actor.contains("province"))
            #expect(entry.summary.contains("长春新建安装工程有限公司"))
        }
    }

    @Test("bad input gets inline Chinese messages per field, a 422, and nothing saved")
    func validation() async throws {
        try await withSafeCert { t in
            let web = try await t.loggedIn("changchun")
            let before = try await Organization.query(on: t.db).count()
            let response = try await web.post("/organizations", [
                "name": "", "kind": "enterprise", "region_code": "220200", "credit_code": "91220IOZ0000000000",
            ])
            #expect(response.status == .unprocessableEntity)
            let html = response.body.string
            #expect(html.contains("请填写单位名称"))
            #expect(html.contains("所选地区不在您的管理范围内"))
            #expect(html.contains("统一社会信用代码"))
            #expect(try await Organization.query(on: t.db).count() == before)
            // A kind the city may not create.
            let authority = try await web.post("/organizations", ["name": "某省厅", "kind": "authority:province", "region_code": "220100"])
            #expect(authority.status == .unprocessableEntity)
            #expect(authority.body.string.contains("请选择您可以录入的单位类型"))
        }
    }

    @Test("a credit code is registered once; a failing check character is saved once confirmed, with a warning")
    func creditCodeRules() async throws {
        try await withSafeCert { t in
            let web = try await t.loggedIn("province")
            let existing = try #require(try await t.organization(named: "长春安达建筑工程有限公司").creditCode)
            let duplicate = try await web.post("/organizations", ["name": "重复企业", "kind": "enterprise", "region_code": "220100", "credit_code": existing])
            #expect(duplicate.status == .unprocessableEntity)
            #expect(duplicate.body.string.contains("已登记"))
            var pilot = Array(try CreditCode.generate(region: "220100", serial: 4242).value)
            pilot[17] = pilot[17] == "0" ? "1" : "0"
            let form = ["name": "早期试点企业", "kind": "enterprise", "region_code": "220100", "credit_code": String(pilot)]
            #expect(try await web.post("/organizations", form).status == .unprocessableEntity)
            let response = try await web.post("/organizations", form.merging(["confirm_check_character": "1"]) { $1 })
            #expect(response.status == .seeOther)
            let page = try await web.get(try #require(response.headers.first(name: .location)))
            #expect(page.body.string.contains("校验位"))
        }
    }

    @Test("a credit code entered anywhere fills in the name of a known enterprise")
    func lookup() async throws {
        try await withSafeCert { t in
            let web = try await t.loggedIn("association")
            let code = try #require(try await t.organization(named: "吉林建工集团有限公司").creditCode)
            let response = try await web.get("/organizations/lookup?credit_code=\(code)")
            #expect(response.status == .ok)
            #expect(response.body.string.contains("吉林建工集团有限公司"))
            let bad = try await web.get("/organizations/lookup?credit_code=123")
            #expect(bad.body.string.contains("error"))
        }
    }

    @Test("an edit keeps the before and after in the audit log")
    func editAudited() async throws {
        try await withSafeCert { t in
            let web = try await t.loggedIn("province")
            let org = try await t.organization(named: "长春安达建筑工程有限公司")
            let response = try await web.post("/organizations/\(org.id!)", [
                "name": "长春安达建设集团有限公司", "region_code": "220100", "credit_code": org.creditCode!,
            ])
            #expect(response.status == .seeOther)
            #expect(try await t.organization(named: "长春安达建设集团有限公司").id == org.id)
            let entry = try #require(try await AuditEntry.query(on: t.db).filter(\.$action == "organization.update").first())
            #expect(entry.summary.contains("长春安达建筑工程有限公司"))
            #expect(entry.summary.contains("长春安达建设集团有限公司"))
        }
    }

    @Test("group and branch convert both ways; a group with branches can't become a branch")
    func groupBranchConversion() async throws {
        try await withSafeCert { t in
            let web = try await t.loggedIn("association")
            let group = try await t.organization(named: "吉林建工集团有限公司")
            let anda = try await t.organization(named: "长春安达建筑工程有限公司")
            let branch = try await t.organization(named: "吉林建工集团吉林分公司")
            // A group with a branch stays a group.
            _ = try await web.post("/organizations/\(group.id!)/convert", ["to": "branch", "parent_credit_code": anda.creditCode!])
            #expect(try await t.organization(named: "吉林建工集团有限公司").isGroup)
            // An enterprise becomes a group, then takes the branch over.
            _ = try await web.post("/organizations/\(anda.id!)/convert", ["to": "group"])
            #expect(try await t.organization(named: "长春安达建筑工程有限公司").isGroup)
            _ = try await web.post("/organizations/\(branch.id!)/convert", ["to": "branch", "parent_credit_code": anda.creditCode!])
            #expect(try await t.organization(named: "吉林建工集团吉林分公司").$parent.id == anda.id)
            // The old group, now without branches, becomes a branch of the new one.
            _ = try await web.post("/organizations/\(group.id!)/convert", ["to": "branch", "parent_credit_code": anda.creditCode!])
            let converted = try await t.organization(named: "吉林建工集团有限公司")
            #expect(!converted.isGroup)
            #expect(converted.$parent.id == anda.id)
            // And a branch back to a group.
            _ = try await web.post("/organizations/\(group.id!)/convert", ["to": "group"])
            let back = try await t.organization(named: "吉林建工集团有限公司")
            #expect(back.isGroup && back.$parent.id == nil)
            #expect(try await t.auditCount("organization.convert") == 4)
        }
    }

    @Test("an enterprise keeps its own contact data but not its name")
    func ownOrganization() async throws {
        try await withSafeCert { t in
            let web = try await t.loggedIn("enterprise")
            #expect(try await web.get("/my/organization").status == .ok)
            let empty = try await web.post("/my/organization", ["contact_person": "", "contact_phone": ""])
            #expect(empty.status == .unprocessableEntity)
            #expect(empty.body.string.contains("请填写联系人"))
            let saved = try await web.post("/my/organization", ["contact_person": "周洁", "contact_phone": "13611112222", "address": "长春市南关区人民大街 1 号", "name": "改名"])
            #expect(saved.status == .seeOther)
            let org = try await t.organization(named: "长春安达建筑工程有限公司")
            #expect(org.contactPerson == "周洁")
            #expect(try await t.auditCount("organization.update") == 1)
        }
    }

    @Test("lists paginate")
    func pagination() async throws {
        try await withSafeCert { t in
            let province = try await t.organization(named: "吉林省应急管理厅")
            _ = province
            for i in 0..<45 {
                try await Organization(name: String(format: "分页测试企业%03d", i), kind: .enterprise, regionCode: "220100",
                                       creditCode: CreditCode.generate(region: "220100", serial: 5000 + i).value).create(on: t.db)
            }
            let web = try await t.loggedIn("changchun")
            let first = try await web.get("/organizations?q=分页测试")
            #expect(first.body.string.contains("共 45 条，第 1 / 3 页"))
            #expect(first.body.string.contains("分页测试企业000"))
            #expect(!first.body.string.contains("分页测试企业020"))
            let third = try await web.get("/organizations?q=分页测试&page=3")
            #expect(third.body.string.contains("分页测试企业044"))
        }
    }
}
