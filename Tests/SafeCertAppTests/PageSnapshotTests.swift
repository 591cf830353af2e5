import Fluent
import Foundation
import SafeCertCore
import SnapshotTesting
import Testing
import Vapor
@testable import SafeCertApp

/// Every page template rendered from a fixed model, with exactly the app's Leaf set-up
/// (`configureViews`), and compared with its reviewed HTML under `__Snapshots__/PageSnapshotTests/`.
/// A template mistake — a dropped column, a misspelt key, a broken `#if` — changes the HTML and
/// fails here. After an intended change: `SNAPSHOT_TESTING_RECORD=failed swift test --filter
/// PageSnapshot`, then review the diff of the `.txt` files like code.
///
/// Each test names its template through `page(_:)` with a string literal; the coverage test (and
/// `scripts/code-figures`) read those names from this file.
@Suite("Page snapshots")
struct PageSnapshotTests {

    // MARK: - Accounts and login

    @Test func accountsList() async throws {
        let row = AccountRoutes.Row(
            id: ids[0], username: "zhang.wei", name: "张伟", role: "省级主管部门", organization: "吉林省应急管理厅",
            organizationHref: "/organizations/\(ids[1])", phone: "138****0001", status: "正常", active: true, locked: true,
            manageable: true, disableHref: "/accounts/\(ids[0])/disable", enableHref: "/accounts/\(ids[0])/enable",
            resetHref: "/accounts/\(ids[0])/reset", unlockHref: "/accounts/\(ids[0])/unlock")
        let disabled = AccountRoutes.Row(
            id: ids[2], username: "li.na", name: "李娜", role: "企业", organization: "长春一汽安全有限公司",
            organizationHref: "/organizations/\(ids[3])", phone: "139****0002", status: "已停用", active: false, locked: false,
            manageable: false, disableHref: "", enableHref: "", resetHref: "", unlockHref: "")
        try await snapshot(page("accounts/list"), AccountRoutes.ListModel(
            rows: [row, disabled], pagination: pagination(total: 45, page: 2, path: "/accounts"), q: "张",
            roleOptions: options(("province_authority", "省级主管部门"), ("enterprise", "企业"), selected: 0),
            canDisable: true, canReset: true, canUnlock: true, canIssue: true), named: "filled")
        try await snapshot(page("accounts/list"), AccountRoutes.ListModel(
            rows: [], pagination: pagination(total: 0), q: "", roleOptions: [],
            canDisable: false, canReset: false, canUnlock: false, canIssue: false), named: "empty")
    }

    @Test func accountsChoose() async throws {
        var model = AccountRoutes.FormModel()
        model.candidates = [organizationRow(0), organizationRow(1)]
        model.pagination = pagination(total: 2)
        model.q = "长春"
        try await snapshot(page("accounts/choose"), model, named: "filled")
        var empty = AccountRoutes.FormModel()
        empty.pagination = pagination(total: 0)
        try await snapshot(page("accounts/choose"), empty, named: "empty")
    }

    @Test func accountsForm() async throws {
        var model = AccountRoutes.FormModel()
        model.organizationID = ids[3]
        model.organizationName = "长春一汽安全有限公司"
        model.username = "li.na"
        model.displayName = "李娜"
        model.phone = "13900000002"
        model.role = "enterprise"
        model.roleOptions = options(("enterprise", "企业"), ("institution", "培训机构"), selected: 0)
        try await snapshot(page("accounts/form"), model, named: "filled")
        model.errors = errors("username", "phone", "display_name", "role", "organization")
        try await snapshot(page("accounts/form"), model, named: "errors")
    }

    @Test func accountsIssued() async throws {
        try await snapshot(page("accounts/issued"), AccountRoutes.IssuedModel(
            heading: "用户已添加", username: "zhang.wei", displayName: "张伟", organization: "吉林省应急管理厅",
            temporaryPassword: "Tmp-4821-xkqz", totpSecret: "JBSWY3DPEHPK3PXP",
            totpURI: "otpauth://totp/SafeCert:zhang.wei?secret=JBSWY3DPEHPK3PXP"), named: "with-totp")
        try await snapshot(page("accounts/issued"), AccountRoutes.IssuedModel(
            heading: "密码已重置", username: "li.na", displayName: "李娜", organization: "长春一汽安全有限公司",
            temporaryPassword: "Tmp-1234-abcd", totpSecret: nil, totpURI: nil), named: "without-totp")
    }

    @Test func login() async throws {
        try await snapshot(page("login/login"), LoginRoutes.LoginModel(
            username: "", error: nil, captchaURL: "/captcha?id=fixed", testCaptcha: nil), visitor: true, named: "blank")
        try await snapshot(page("login/login"), LoginRoutes.LoginModel(
            username: "zhang.wei", error: "用户名或密码错误", captchaURL: "/captcha?id=fixed", testCaptcha: "AB12"),
            visitor: true, named: "error")
    }

    @Test func loginVerify() async throws {
        try await snapshot(page("login/verify"), LoginRoutes.VerifyModel(maskedPhone: "138****0001", error: nil, smsSent: false),
                           visitor: true, named: "before-sms")
        try await snapshot(page("login/verify"), LoginRoutes.VerifyModel(maskedPhone: "138****0001", error: "验证码错误", smsSent: true),
                           visitor: true, named: "error")
    }

    @Test func loginPassword() async throws {
        let rules = ["至少 8 位", "包含字母和数字"]
        try await snapshot(page("login/password"), LoginRoutes.PasswordModel(forced: true, rules: rules), named: "forced")
        try await snapshot(page("login/password"), LoginRoutes.PasswordModel(
            forced: false, errors: errors("current", "new", "password", "confirm"), rules: rules), named: "errors")
    }

    // MARK: - Audit, security, home, errors

    @Test func auditList() async throws {
        let row = AuditRoutes.Row(at: "2026-11-20 09:30:00", actor: "张伟（zhang.wei）", organization: "吉林省应急管理厅",
                                  action: "person.approve", target: "person \(ids[4])", summary: "审批通过 王芳", ip: "127.0.0.1")
        try await snapshot(page("audit/list"), AuditRoutes.ListModel(
            rows: [row], pagination: pagination(total: 1), actor: "zhang", target: "", from: "2026-11-01", to: "2026-11-30",
            actionOptions: options(("person.approve", "人员审批"), ("login", "登录"), selected: 0)), named: "filled")
        try await snapshot(page("audit/list"), AuditRoutes.ListModel(
            rows: [], pagination: pagination(total: 0), actor: "", target: "", from: "", to: "", actionOptions: []), named: "empty")
    }

    @Test func securityPolicy() async throws {
        let locked = AccountRoutes.Row(
            id: ids[0], username: "zhang.wei", name: "张伟", role: "企业", organization: "长春一汽安全有限公司",
            organizationHref: "/organizations/\(ids[1])", phone: "138****0001", status: "已锁定", active: true, locked: true,
            manageable: true, disableHref: "", enableHref: "", resetHref: "", unlockHref: "/accounts/\(ids[0])/unlock")
        try await snapshot(page("security/policy"), SecurityRoutes.PolicyModel(rules: ["密码至少 8 位", "连续 5 次失败锁定 30 分钟"], locked: [locked]),
                           named: "locked")
        try await snapshot(page("security/policy"), SecurityRoutes.PolicyModel(rules: ["密码至少 8 位"], locked: []), named: "none-locked")
    }

    @Test func securityAPIKeys() async throws {
        let key = SecurityRoutes.KeyRow(name: "一汽对接", organization: "长春一汽安全有限公司", prefix: "sk_3f2a", created: "2026-11-01",
                                        lastUsed: "2026-11-19 18:00", revoked: false, revokeHref: "/security/api-keys/\(ids[5])/revoke")
        let revoked = SecurityRoutes.KeyRow(name: "旧密钥", organization: "长春一汽安全有限公司", prefix: "sk_0000", created: "2026-01-01",
                                            lastUsed: "从未使用", revoked: true, revokeHref: "/security/api-keys/\(ids[6])/revoke")
        try await snapshot(page("security/api-keys"), SecurityRoutes.KeysModel(
            rows: [key, revoked], pagination: pagination(total: 2),
            organizationOptions: options(("\(ids[3])", "长春一汽安全有限公司"), selected: nil),
            issuedKey: "sk_3f2a.fixed-secret-for-the-snapshot"), named: "issued")
        try await snapshot(page("security/api-keys"), SecurityRoutes.KeysModel(
            rows: [], pagination: pagination(total: 0), organizationOptions: [], errors: errors("name", "organization_id")), named: "errors")
    }

    @Test func home() async throws {
        try await snapshot(page("home/home"), HomeRoutes.HomeModel(
            greeting: "上午好，张伟", role: "省级主管部门", organization: "吉林省应急管理厅", region: "吉林省",
            lastLogin: "2026-11-19 08:00:00", cards: [
                .init(label: "待审批人员", value: "12", href: "/people/review"),
                .init(label: "本月考试", value: "3", href: nil),
            ], shortcuts: [MenuItem(label: "人员信息管理", href: "/people")]), named: "filled")
        try await snapshot(page("home/home"), HomeRoutes.HomeModel(
            greeting: "您好，王芳", role: "个人", organization: "", region: "", lastLogin: "首次登录", cards: [], shortcuts: []),
            named: "empty")
    }

    @Test func demoOutbox() async throws {
        try await snapshot(page("demo/outbox"), HomeRoutes.OutboxModel(
            messages: [.init(at: "2026-11-20 09:00:00", phone: "13800000001", text: "【安全生产】您的验证码是 123456")],
            totpCode: "654321", totpSecret: "JBSWY3DPEHPK3PXP", secondsLeft: 17), named: "filled")
        try await snapshot(page("demo/outbox"), HomeRoutes.OutboxModel(
            messages: [], totpCode: "000000", totpSecret: "JBSWY3DPEHPK3PXP", secondsLeft: 30), named: "empty")
    }

    @Test func errorPage() async throws {
        try await snapshot(page("errors/error"), ErrorPageMiddleware.ErrorModel(code: 404, heading: "页面不存在", message: "您要找的页面不存在"),
                           named: "signed-in")
        try await snapshot(page("errors/error"), ErrorPageMiddleware.ErrorModel(code: 403, heading: "无权访问", message: "您没有权限进行此操作"),
                           visitor: true, named: "visitor")
    }

    // MARK: - Organizations

    @Test func organizationsList() async throws {
        try await snapshot(page("organizations/list"), OrganizationRoutes.ListModel(
            rows: [organizationRow(0), organizationRow(1)], pagination: pagination(total: 2), q: "长春", creditCode: "",
            kindOptions: options(("enterprise", "企业"), ("institution", "培训机构"), selected: 0),
            regionOptions: options(("220100", "长春市"), ("220200", "吉林市"), selected: 1),
            canCreate: true, exportHref: "/organizations/export?q=%E9%95%BF%E6%98%A5"), named: "filled")
        try await snapshot(page("organizations/list"), OrganizationRoutes.ListModel(
            rows: [], pagination: pagination(total: 0), q: "", creditCode: "", kindOptions: [], regionOptions: [],
            canCreate: false, exportHref: "/organizations/export"), named: "empty")
    }

    @Test func organizationsForm() async throws {
        var form = OrganizationForm()
        form.name = "长春一汽安全有限公司"
        form.kind = "enterprise"
        form.regionCode = "220102"
        form.creditCode = "91220101MA0000000X"
        form.contactPerson = "赵强"
        form.contactPhone = "043188880000"
        form.address = "长春市南关区人民大街 1 号"
        form.kindOptions = options(("enterprise", "企业"), ("institution", "培训机构"), selected: 0)
        form.regionOptions = options(("220102", "南关区"), ("220103", "宽城区"), selected: 0)
        try await snapshot(page("organizations/form"), form, named: "new")
        var refused = form
        refused.errors = errors("name", "kind", "region_code", "credit_code", "parent_credit_code")
        try await snapshot(page("organizations/form"), refused, named: "new-errors")
        var edit = form
        edit.id = ids[3]
        edit.editingKind = false
        edit.isGroup = true
        edit.parentCreditCode = "91220101MA0000001Y"
        edit.asksCheckCharacterConfirmation = true
        edit.errors = errors("name", "kind", "region_code", "credit_code", "parent_credit_code", "contact_person", "contact_phone", "address")
        try await snapshot(page("organizations/form"), edit, named: "edit-errors")
    }

    @Test func organizationsShow() async throws {
        try await snapshot(page("organizations/show"), OrganizationRoutes.DetailModel(
            id: ids[3], name: "长春一汽安全有限公司", kind: "企业", region: "吉林省长春市南关区", creditCode: "91220101MA0000000X",
            contactPerson: "赵强", contactPhone: "043188880000", address: "长春市南关区人民大街 1 号", parentName: "一汽集团",
            formerNames: ["长春一汽安全技术公司"], branches: [organizationRow(1)],
            accounts: [.init(username: "li.na", name: "李娜", role: "企业", status: "正常")],
            isEnterprise: true, isGroup: true, isBranch: true, canEdit: true, canConvert: true, canIssue: true,
            editHref: "/organizations/\(ids[3])/edit", convertHref: "/organizations/\(ids[3])/convert",
            issueHref: "/accounts/new?organization=\(ids[3])"), named: "enterprise-all-actions")
        try await snapshot(page("organizations/show"), OrganizationRoutes.DetailModel(
            id: ids[7], name: "吉林省安全培训中心", kind: "培训机构", region: "吉林省长春市", creditCode: "52220000MJ0000000A",
            contactPerson: "", contactPhone: "", address: "", parentName: nil, formerNames: [], branches: [], accounts: [],
            isEnterprise: false, isGroup: false, isBranch: false, canEdit: false, canConvert: false, canIssue: false,
            editHref: "", convertHref: "", issueHref: ""), named: "institution-read-only")
    }

    @Test func organizationsOwn() async throws {
        try await snapshot(page("organizations/own"), OrganizationRoutes.OwnModel(
            name: "长春一汽安全有限公司", kind: "企业", region: "吉林省长春市南关区", creditCode: "91220101MA0000000X",
            contactPerson: "赵强", contactPhone: "043188880000", address: "长春市南关区人民大街 1 号",
            canDelete: true, peopleCount: 0), named: "deletable")
        try await snapshot(page("organizations/own"), OrganizationRoutes.OwnModel(
            name: "长春一汽安全有限公司", kind: "企业", region: "吉林省长春市南关区", creditCode: "91220101MA0000000X",
            contactPerson: "", contactPhone: "12", address: "", errors: errors("contact_person", "contact_phone", "address"),
            canDelete: false, peopleCount: 12), named: "errors")
    }

    // MARK: - People

    @Test func peopleList() async throws {
        let approved = PersonRoutes.Row(
            id: ids[4], name: "王芳", gender: "女", idNumber: "220102199001011234", phone: "13800000003",
            employer: "长春一汽安全有限公司", status: "已审核", statusKey: "approved", thumbnail: "/people/\(ids[4])/photo?thumb=1",
            href: "/people/\(ids[4])")
        let submitted = PersonRoutes.Row(
            id: ids[5], name: "刘洋 <b>", gender: "男", idNumber: "22010219850505123X", phone: "13800000004",
            employer: "长春一汽安全有限公司", status: "待审核", statusKey: "submitted", thumbnail: nil, href: "/people/\(ids[5])")
        var filters = PersonRoutes.Filters()
        filters.name = "王"
        filters.status = "approved"
        try await snapshot(page("people/list"), PersonRoutes.ListModel(
            rows: [approved, submitted], pagination: pagination(total: 45, page: 2, path: "/people", filters: [("name", "王")]),
            filters: filters, statusOptions: options(("submitted", "待审核"), ("approved", "已审核"), selected: 1),
            regionOptions: options(("220100", "长春市"), ("220200", "吉林市"), selected: nil),
            exportParts: options(("/people/export?name=%E7%8E%8B&part=1", "导出 Excel"), selected: nil),
            canRegister: true, canImport: true, canTransfer: true), named: "filled")
        try await snapshot(page("people/list"), PersonRoutes.ListModel(
            rows: [], pagination: pagination(total: 0, path: "/people"), filters: PersonRoutes.Filters(),
            statusOptions: options(("submitted", "待审核"), ("approved", "已审核"), selected: nil), regionOptions: [], exportParts: [],
            canRegister: false, canImport: false, canTransfer: false), named: "empty")
    }

    @Test func peopleForm() async throws {
        var form = PersonForm()
        form.idNumber = "220102199001011234"
        form.name = "王芳"
        form.phone = "13800000003"
        form.ethnicGroup = "汉族"
        form.education = "本科"
        form.workStartDate = "2012-07-01"
        form.idTypeOptions = options(("resident_id", "居民身份证"), ("passport", "护照"), selected: 0)
        form.genderOptions = options(("female", "女"), ("male", "男"), selected: nil)
        form.ethnicOptions = options(("汉族", "汉族"), ("满族", "满族"), selected: 0)
        form.educationOptions = options(("本科", "本科"), ("大专", "大专"), selected: 0)
        form.asksEmployer = true
        form.employerCreditCode = "91220101MA0000000X"
        form.action = "/people/new"
        try await snapshot(page("people/form"), form, named: "new")
        var refused = form
        refused.errors = errors("id_type", "id_number", "name", "employer_credit_code")
        try await snapshot(page("people/form"), refused, named: "new-errors")
        var edit = form
        edit.id = ids[4]
        edit.action = "/people/\(ids[4])/edit"
        edit.asksEmployer = false
        edit.documentLocked = true
        edit.documentLabel = "居民身份证 220102199001011234"
        edit.asksGenderAndBirth = true
        edit.pendingNote = "该人员有待审批的变更"
        edit.transferHref = "/people/transfer?id_number=220102199001011234"
        edit.errors = errors("id_type", "id_number", "gender", "birth_date", "name", "phone", "ethnic_group", "education",
                             "employer_credit_code", "work_start_date", "remarks")
        try await snapshot(page("people/form"), edit, named: "edit-errors")
    }

    @Test func peopleShow() async throws {
        let links = PersonRoutes.Links(
            edit: "/people/\(ids[4])/edit", approve: "/people/\(ids[4])/approve", returnHref: "/people/\(ids[4])/return",
            change: "/people/\(ids[4])/change", cancel: "/people/\(ids[4])/cancel", unit: "/people/\(ids[4])/unit",
            photoUpload: "/people/\(ids[4])/photo")
        try await snapshot(page("people/show"), PersonRoutes.DetailModel(
            id: ids[4], fields: [compared("姓名", "王芳"), compared("手机号码", "13800000003", "13900000003")],
            status: "待审核", statusKey: "submitted", statusReason: "照片不清晰", employer: "长春一汽安全有限公司",
            registeredBy: "长春一汽安全有限公司", region: "吉林省长春市南关区", photo: "/people/\(ids[4])/photo",
            pendingKind: "信息变更", pendingRequestedBy: "长春一汽安全有限公司",
            pendingComparison: [compared("手机号码", "13800000003", "13900000003")], pendingNewEmployer: "吉林化纤安全公司",
            history: [.init(at: "2026-11-19 10:00:00", actor: "李娜", action: "录入", summary: "人员录入")],
            canEdit: true, canApprove: true, canDecideChange: true, canCancel: true, canChangeUnit: true, canUploadPhoto: true,
            links: links), named: "all-actions")
        try await snapshot(page("people/show"), PersonRoutes.DetailModel(
            id: ids[4], fields: [compared("姓名", "王芳")], status: "已审核", statusKey: "approved", statusReason: nil,
            employer: "长春一汽安全有限公司", registeredBy: "长春一汽安全有限公司", region: "吉林省长春市南关区", photo: nil,
            pendingKind: nil, pendingRequestedBy: nil, pendingComparison: [], pendingNewEmployer: nil, history: [],
            canEdit: false, canApprove: false, canDecideChange: false, canCancel: false, canChangeUnit: false, canUploadPhoto: false,
            links: links), named: "read-only")
    }

    @Test func peopleReview() async throws {
        let row = PersonRoutes.ReviewRow(
            id: ids[5], name: "刘洋", idType: "居民身份证", idNumber: "22010219850505123X", employer: "长春一汽安全有限公司",
            registeredBy: "长春一汽安全有限公司", region: "吉林省长春市南关区", kind: "新录入", requestedBy: "李娜",
            at: "2026-11-19 10:00:00", href: "/people/\(ids[5])")
        var filters = PersonRoutes.ReviewFilters()
        filters.name = "刘"
        try await snapshot(page("people/review"), PersonRoutes.ReviewModel(
            submitted: [row], pagination: pagination(total: 1), changes: [row], changesPagination: pagination(total: 1),
            filters: filters, regionOptions: options(("220100", "长春市"), selected: 0),
            exportParts: options(("/people/review/export?part=1", "导出 Excel"), selected: nil),
            decideAction: "/people/review/decide", back: "/people/review?name=%E5%88%98"), named: "filled")
        try await snapshot(page("people/review"), PersonRoutes.ReviewModel(
            submitted: [], pagination: pagination(total: 0), changes: [], changesPagination: pagination(total: 0),
            filters: PersonRoutes.ReviewFilters(), regionOptions: [], exportParts: [],
            decideAction: "/people/review/decide", back: "/people/review"), named: "empty")
    }

    @Test func peopleTransfer() async throws {
        var model = PersonRoutes.TransferModel()
        model.idTypeOptions = options(("resident_id", "居民身份证"), ("passport", "护照"), selected: 0)
        try await snapshot(page("people/transfer"), model, named: "blank")
        model.idNumber = "22010219850505123X"
        model.name = "刘洋"
        model.errors = errors("id_number")
        try await snapshot(page("people/transfer"), model, named: "error")
    }

    @Test func peopleImport() async throws {
        let job = PersonImportRoutes.JobRow(fileName: "人员名单.xlsx", status: "已完成", saved: 98, skipped: 1, invalid: 1,
                                            at: "2026-11-19 10:00:00", href: "/people/import/\(ids[6])")
        try await snapshot(page("people/import"), PersonImportRoutes.ShowModel(jobs: [job], error: nil), named: "jobs")
        try await snapshot(page("people/import"), PersonImportRoutes.ShowModel(jobs: [], error: "请选择 .xlsx 文件"), named: "error")
    }

    @Test func peopleImportJob() async throws {
        let problem = ImportRowProblem(row: 3, kind: .invalid, column: "证件号码", reason: "校验位不正确")
        try await snapshot(page("people/import-job"), PersonImportRoutes.JobModel(
            id: ids[6], fileName: "人员名单.xlsx", status: "已完成", statusKey: "finished", total: 100, processed: 100,
            saved: 98, skipped: 1, invalid: 1, message: nil,
            problems: [problem, ImportRowProblem(row: 7, kind: .skipped, column: "", reason: "已登记")], moreProblems: 3,
            statusHref: "/people/import/\(ids[6])/status", errorsHref: "/people/import/\(ids[6])/errors", finished: true), named: "finished")
        try await snapshot(page("people/import-job"), PersonImportRoutes.JobModel(
            id: ids[6], fileName: "人员名单.xlsx", status: "处理中", statusKey: "running", total: 100, processed: 40,
            saved: 40, skipped: 0, invalid: 0, message: "正在导入", problems: [], moreProblems: 0,
            statusHref: "/people/import/\(ids[6])/status", errorsHref: "/people/import/\(ids[6])/errors", finished: false), named: "running")
    }

    @Test func peoplePhotos() async throws {
        try await snapshot(page("people/photos"), PersonPhotoRoutes.BatchModel(), named: "blank")
        try await snapshot(page("people/photos"), PersonPhotoRoutes.BatchModel(
            matched: [.init(file: "220102199001011234.jpg", outcome: "已更新", person: "王芳")],
            unmatched: [.init(file: "unknown.jpg", outcome: "未找到人员", person: nil)],
            refused: [.init(file: "big.png", outcome: "不是 JPEG 图片", person: nil)], submitted: true), named: "submitted")
    }

    @Test func peopleRegister() async throws {
        var model = SelfServiceRoutes.RegisterModel()
        model.regionOptions = options(("220102", "南关区"), ("220103", "宽城区"), selected: nil)
        try await snapshot(page("people/register"), model, visitor: true, named: "blank")
        model.idNumber = "220102199001011234"
        model.name = "王芳"
        model.phone = "13800000003"
        model.regionCode = "220102"
        model.codeSent = true
        model.errors = errors("id_number", "name", "phone", "region_code", "code", "sms", "password", "confirm")
        try await snapshot(page("people/register"), model, visitor: true, named: "errors")
    }

    @Test func peopleMe() async throws {
        try await snapshot(page("people/me"), SelfServiceRoutes.MeModel(
            fields: [compared("姓名", "王芳"), compared("手机号码", "13800000003")], status: "待审核", statusKey: "submitted",
            statusReason: "请补充学历", employer: "长春一汽安全有限公司", photo: "/me/photo",
            pendingComparison: [compared("学历", "大专", "本科")], canEdit: true, editHref: "/me/edit", photoAction: "/me/photo"),
            named: "pending")
        try await snapshot(page("people/me"), SelfServiceRoutes.MeModel(
            fields: [compared("姓名", "王芳")], status: "已审核", statusKey: "approved", statusReason: nil, employer: "",
            photo: nil, pendingComparison: [], canEdit: false, editHref: "/me/edit", photoAction: "/me/photo"), named: "approved")
    }

    // MARK: - Exam administration

    @Test func examCalendar() async throws {
        let chip = ExamOverviewRoutes.PlanChip(label: "09:00 KS2026001", title: "初训 低压电工作业", href: "/exams/plans/\(ids[8])",
                                               stateKey: "published")
        let week: [ExamOverviewRoutes.Day] = [
            .init(day: nil, today: false, plans: []), .init(day: 1, today: false, plans: [chip]),
            .init(day: 2, today: true, plans: []),
        ]
        try await snapshot(page("exams/calendar"), ExamOverviewRoutes.CalendarModel(
            month: "2026 年 12 月", previous: "/exams/calendar?month=2026-11", next: "/exams/calendar?month=2027-01",
            weeks: [week], centreOptions: options(("\(ids[7])", "吉林省考试中心"), selected: 0), total: 1), named: "filled")
        try await snapshot(page("exams/calendar"), ExamOverviewRoutes.CalendarModel(
            month: "2026 年 12 月", previous: "/exams/calendar?month=2026-11", next: "/exams/calendar?month=2027-01",
            weeks: [], centreOptions: [], total: 0), named: "empty")
    }

    @Test func examCandidates() async throws {
        let row = CandidateRoutes.Row(name: "王芳", idNumber: "220102199001011234", plan: "KS2026001", planType: "初训",
                                      start: "2026-12-01 09:00", room: "第一考场", seat: "07", ticketNumber: "2026001007",
                                      printed: true, planHref: "/exams/plans/\(ids[8])", category: "低压电工作业")
        try await snapshot(page("exams/candidates"), CandidateRoutes.ListModel(
            rows: [row], pagination: pagination(total: 1), name: "王", idNumber: "", enterprise: "", serial: "KS2026001",
            typeOptions: options(("initial_offline", "初训"), selected: 0), categoryOptions: options(("electric", "电工作业"), selected: nil),
            exportParts: options(("/exams/candidates/export?part=1", "导出 Excel"), selected: nil)), named: "filled")
        try await snapshot(page("exams/candidates"), CandidateRoutes.ListModel(
            rows: [], pagination: pagination(total: 0), name: "", idNumber: "", enterprise: "", serial: "",
            typeOptions: [], categoryOptions: [], exportParts: []), named: "empty")
    }

    @Test func examIdentity() async throws {
        let row = ExamDayRoutes.IdentityRow(
            id: ids[9], name: "王芳", idNumber: "220102199001011234", seat: "07", state: "已核验", stateKey: "admitted",
            method: "身份证阅读器", reason: nil, registeredPhoto: "/people/\(ids[4])/photo", cardPhoto: "data:image/jpeg;base64,AAAA",
            livePhoto: nil, livePhotoAction: "/exams/identity/\(ids[9])/photo")
        let refused = ExamDayRoutes.IdentityRow(
            id: ids[10], name: "刘洋", idNumber: "22010219850505123X", seat: "08", state: "核验未通过", stateKey: "refused",
            method: "人工核验", reason: "人证不符", registeredPhoto: nil, cardPhoto: nil, livePhoto: nil, livePhotoAction: nil)
        try await snapshot(page("exams/identity"), ExamDayRoutes.IdentityModel(
            planOptions: options(("\(ids[8])", "KS2026001"), selected: 0), roomOptions: options(("\(ids[11])", "第一考场"), selected: 0),
            planID: ids[8], roomID: ids[11], planFacts: "2026-12-01 09:00 · 低压电工作业", rows: [row, refused], admitted: 1, total: 2,
            readerURL: "http://127.0.0.1:24010/read", checkAction: "/exams/identity/check",
            idTypeOptions: options(("resident_id", "居民身份证"), selected: 0)), named: "filled")
        try await snapshot(page("exams/identity"), ExamDayRoutes.IdentityModel(
            planOptions: [], roomOptions: [], planID: "", roomID: "", planFacts: nil, rows: [], admitted: 0, total: 0,
            readerURL: "http://127.0.0.1:24010/read", checkAction: "/exams/identity/check", idTypeOptions: []), named: "nothing-chosen")
    }

    @Test func examLive() async throws {
        let row = ExamDayRoutes.LiveRow(name: "王芳", idNumber: "220102199001011234", seat: "07", state: "答题中", stateKey: "sitting",
                                        progress: "35 / 100", percent: 35)
        let incident = ExamDayRoutes.IncidentRow(time: "09:40", text: "考生王芳离座 2 分钟", author: "监考员 赵强", candidate: "王芳")
        try await snapshot(page("exams/live"), ExamDayRoutes.LiveModel(
            planOptions: options(("\(ids[8])", "KS2026001"), selected: 0), roomOptions: options(("\(ids[11])", "第一考场"), selected: 0),
            planID: ids[8], roomID: ids[11], planFacts: "2026-12-01 09:00 · 低压电工作业",
            counts: options(("1", "答题中"), ("0", "已交卷"), selected: nil), rows: [row], incidents: [incident],
            incidentAction: "/exams/live/incidents", candidateOptions: options(("\(ids[9])", "王芳"), selected: nil),
            refreshedAt: "09:45:00"), named: "filled")
        try await snapshot(page("exams/live"), ExamDayRoutes.LiveModel(
            planOptions: [], roomOptions: [], planID: "", roomID: "", planFacts: nil, counts: [], rows: [], incidents: [],
            incidentAction: nil, candidateOptions: [], refreshedAt: "09:45:00"), named: "empty")
    }

    @Test func examPeople() async throws {
        try await snapshot(page("exams/people"), ExamOverviewRoutes.PersonModel(
            query: "220102199001011234", searched: true, found: true, name: "王芳", idNumber: "220102199001011234",
            employer: "长春一汽安全有限公司", photo: "/people/\(ids[4])/photo",
            enrolments: [.init(qualification: "低压电工作业", state: "已报名", created: "2026-10-01")],
            sittings: [.init(plan: "KS2026001", date: "2026-12-01", room: "第一考场", seat: "07", ticketNumber: "2026001007",
                             attendance: "已参考", theory: "86", practical: "合格", outcome: "合格", href: "/exams/plans/\(ids[8])")]),
            named: "found")
        try await snapshot(page("exams/people"), ExamOverviewRoutes.PersonModel(
            query: "220102199901011111", searched: true, found: false, name: "", idNumber: "", employer: "", photo: nil,
            enrolments: [], sittings: []), named: "not-found")
        try await snapshot(page("exams/people"), ExamOverviewRoutes.PersonModel(
            query: "", searched: false, found: false, name: "", idNumber: "", employer: "", photo: nil, enrolments: [], sittings: []),
            named: "blank")
    }

    @Test func examPlans() async throws {
        let row = ExamPlanRoutes.Row(serial: "KS2026001", type: "初训", qualification: "低压电工作业", start: "2026-12-01 09:00",
                                     end: "2026-12-01 11:00", candidates: 30, state: "已发布", stateKey: "published",
                                     href: "/exams/plans/\(ids[8])")
        try await snapshot(page("exams/plans"), ExamPlanRoutes.ListModel(
            rows: [row], pagination: pagination(total: 1), serial: "KS2026", from: "2026-12-01", to: "2026-12-31",
            stateOptions: options(("published", "已发布"), selected: 0), centreOptions: options(("\(ids[7])", "吉林省考试中心"), selected: nil),
            qualificationOptions: options(("LV-ELEC", "低压电工作业"), selected: nil), canDraft: true), named: "filled")
        try await snapshot(page("exams/plans"), ExamPlanRoutes.ListModel(
            rows: [], pagination: pagination(total: 0), serial: "", from: "", to: "", stateOptions: [], centreOptions: [],
            qualificationOptions: [], canDraft: false), named: "empty")
    }

    @Test func examPlanForm() async throws {
        var form = ExamPlanRoutes.Form()
        form.qualification = "LV-ELEC"
        form.date = "2026-12-01"
        form.count = "30"
        form.rooms = [ids[11]]
        let model = ExamPlanRoutes.FormModel(
            form: form, typeOptions: options(("initial_offline", "初训"), ("review", "复审"), selected: 0),
            qualificationOptions: options(("LV-ELEC", "低压电工作业"), selected: 0),
            rooms: [.init(id: ids[11], label: "第一考场（40 座）", checked: true), .init(id: ids[12], label: "第二考场（30 座）", checked: false)],
            eligibleNote: "有 32 名考生待安排", session: false, action: "/exams/plans/new")
        try await snapshot(page("exams/plan-form"), model, named: "plan")
        var refused = form
        refused.errors = errors("qualification", "date", "count", "rooms")
        try await snapshot(page("exams/plan-form"), ExamPlanRoutes.FormModel(
            form: refused, typeOptions: model.typeOptions, qualificationOptions: model.qualificationOptions, rooms: model.rooms,
            eligibleNote: model.eligibleNote, session: false, action: model.action), named: "plan-errors")
        form.errors = errors("plan_type", "qualification", "date", "time", "duration", "count", "rooms")
        try await snapshot(page("exams/plan-form"), ExamPlanRoutes.FormModel(
            form: form, typeOptions: options(("initial_offline", "初训"), selected: 0), qualificationOptions: [],
            rooms: [], eligibleNote: "", session: true, action: "/exams/sessions/new"), named: "session-errors")
    }

    @Test func examPlanEdit() async throws {
        var form = ExamPlanRoutes.EditForm()
        form.date = "2026-12-02"
        form.time = "13:30"
        form.duration = "120"
        form.rooms = [ids[11]]
        try await snapshot(page("exams/plan-edit"), ExamPlanRoutes.EditModel(
            serial: "KS2026001", form: form, rooms: [.init(id: ids[11], label: "第一考场（40 座）", checked: true)],
            action: "/exams/plans/\(ids[8])/edit", back: "/exams/plans/\(ids[8])", note: "已发布的计划改期后将通知考生", usesRooms: true),
            named: "rooms")
        form.errors = errors("date", "time", "duration", "rooms")
        try await snapshot(page("exams/plan-edit"), ExamPlanRoutes.EditModel(
            serial: "KS2026001", form: form, rooms: [], action: "/exams/plans/\(ids[8])/edit", back: "/exams/plans/\(ids[8])",
            note: "", usesRooms: false), named: "errors")
    }

    @Test func examPlan() async throws {
        try await snapshot(page("exams/plan"), ExamPlanRoutes.ShowModel(
            id: ids[8], facts: [compared("计划编号", "KS2026001"), compared("考试时间", "2026-12-01 09:00")], state: "已发布",
            stateKey: "published", reason: "考场调整", candidates: [.init(id: ids[9], name: "王芳", idNumber: "220102199001011234",
                                                                      room: "第一考场", seat: "07")],
            pagination: pagination(total: 1),
            events: [.init(event: "approve", label: "审核通过", needsReason: false, danger: false),
                     .init(event: "reject", label: "退回", needsReason: true, danger: false),
                     .init(event: "cancel", label: "取消计划", needsReason: false, danger: true)],
            stateAction: "/exams/plans/\(ids[8])/state", removeAction: "/exams/plans/\(ids[8])/remove",
            placeAction: "/exams/plans/\(ids[8])/place", editAction: "/exams/plans/\(ids[8])/candidates",
            candidateOptions: options(("\(ids[10])", "刘洋 22010219850505123X"), selected: nil),
            categoryOptions: options(("electric", "电工作业"), selected: nil),
            placeRooms: options(("\(ids[11])", "第一考场"), selected: 0), ticketsHref: "/exams/plans/\(ids[8])/tickets",
            cutoffNote: "开考前 3 天停止调整考生", links: options(("/exams/plans/\(ids[8])/results", "考试结果"), selected: nil),
            editPlanHref: "/exams/plans/\(ids[8])/edit"), named: "all-actions")
        try await snapshot(page("exams/plan"), ExamPlanRoutes.ShowModel(
            id: ids[8], facts: [compared("计划编号", "KS2026001")], state: "已结束", stateKey: "finished", reason: nil,
            candidates: [], pagination: pagination(total: 0), events: [], stateAction: "/exams/plans/\(ids[8])/state",
            removeAction: nil, placeAction: nil, editAction: nil, candidateOptions: [], categoryOptions: [], placeRooms: [],
            ticketsHref: nil, cutoffNote: "", links: [], editPlanHref: nil), named: "read-only")
    }

    @Test func examImport() async throws {
        let problem = CandidateImportRoutes.Problem(row: "3", column: "证件号码", reason: "不在本计划的待安排考生中")
        try await snapshot(page("exams/import"), CandidateImportRoutes.Model(
            serial: "KS2026001", planHref: "/exams/plans/\(ids[8])", action: "/exams/plans/\(ids[8])/import",
            templateHref: "/exams/plans/\(ids[8])/import/template", notes: ["每次最多 500 行"], blocked: nil, failure: nil, notice: nil,
            report: .init(imported: 2, skipped: 1, problems: 1, problemRows: 1, importedRows: ["王芳", "刘洋"], skippedRows: ["李娜"],
                          moreImported: 0, moreSkipped: 0, pageProblems: [problem], pagination: pagination(total: 1),
                          errorsHref: "/exams/plans/\(ids[8])/import/errors"),
            pagination: pagination(total: 1)), named: "report")
        try await snapshot(page("exams/import"), CandidateImportRoutes.Model(
            serial: "KS2026001", planHref: "/exams/plans/\(ids[8])", action: "/exams/plans/\(ids[8])/import",
            templateHref: "/exams/plans/\(ids[8])/import/template", notes: [], blocked: "计划已发布，不能再导入考生",
            failure: problem, notice: "文件为空", report: nil, pagination: nil), named: "blocked")
    }

    @Test func examResults() async throws {
        let row = ExamResultRoutes.ResultRow(
            id: ids[9], name: "王芳", idNumber: "220102199001011234", ticketNumber: "2026001007", room: "第一考场", seat: "07",
            attendance: "已参考", attendanceKey: "present",
            cells: [.init(name: "theory", value: "86", sits: true), .init(name: "practical", value: "", sits: false)],
            outcome: "合格", outcomeKey: "passed", error: "实操成绩缺失")
        try await snapshot(page("exams/results"), ExamResultRoutes.PlanResultsModel(
            planHref: "/exams/plans/\(ids[8])", serial: "KS2026001", state: "已考试", stateKey: "held", subjects: ["理论", "实操"],
            rows: [row], pagination: pagination(total: 1), editable: true, saveAction: "/exams/plans/\(ids[8])/results",
            importAction: "/exams/plans/\(ids[8])/results/import", templateHref: "/exams/plans/\(ids[8])/results/template",
            stateAction: "/exams/plans/\(ids[8])/state",
            events: [.init(event: "submit_results", label: "提交成绩", needsReason: false, danger: false),
                     .init(event: "return_results", label: "退回成绩", needsReason: true, danger: false)],
            problems: ["第 3 行：证件号码不在本计划中"], passMarks: "理论 80 分合格"), named: "editable")
        try await snapshot(page("exams/results"), ExamResultRoutes.PlanResultsModel(
            planHref: "/exams/plans/\(ids[8])", serial: "KS2026001", state: "成绩已审核", stateKey: "approved", subjects: ["理论"],
            rows: [], pagination: pagination(total: 0), editable: false, saveAction: "", importAction: "", templateHref: "",
            stateAction: "/exams/plans/\(ids[8])/state", events: [], problems: [], passMarks: "理论 80 分合格"), named: "read-only")
    }

    @Test func examResultsQuery() async throws {
        let row = ExamResultRoutes.QueryRow(name: "王芳", idNumber: "220102199001011234", enterprise: "长春一汽安全有限公司",
                                            qualification: "低压电工作业", plan: "KS2026001", date: "2026-12-01", theory: "86",
                                            practical: "合格", outcome: "合格", outcomeKey: "passed")
        try await snapshot(page("exams/results-query"), ExamResultRoutes.QueryModel(
            pending: [.init(serial: "KS2026002", start: "2026-12-02 09:00", state: "成绩待审核", href: "/exams/plans/\(ids[12])/results")],
            rows: [row], pagination: pagination(total: 1), name: "王", idNumber: "", serial: "",
            outcomeOptions: options(("passed", "合格"), ("failed", "不合格"), selected: 0),
            exportParts: options(("/exams/results/export?part=1", "导出 Excel"), selected: nil),
            passListParts: options(("/exams/results/pass-list?part=1", "合格名单"), selected: nil), showPerson: true), named: "filled")
        try await snapshot(page("exams/results-query"), ExamResultRoutes.QueryModel(
            pending: [], rows: [], pagination: pagination(total: 0), name: "", idNumber: "", serial: "", outcomeOptions: [],
            exportParts: [], passListParts: [], showPerson: false), named: "empty")
    }

    @Test func examRooms() async throws {
        let row = ExamRoomRoutes.Row(name: "第一考场", centre: "吉林省考试中心", kind: "机考", capacity: 40, address: "长春市朝阳区 1 号",
                                     ipRange: "10.0.0.0/24", disabled: false, href: "/exams/rooms/\(ids[11])")
        let off = ExamRoomRoutes.Row(name: "旧考场", centre: "吉林省考试中心", kind: "笔试", capacity: 20, address: "", ipRange: "",
                                     disabled: true, href: "/exams/rooms/\(ids[12])")
        try await snapshot(page("exams/rooms"), ExamRoomRoutes.ListModel(
            rows: [row, off], pagination: pagination(total: 2), name: "考场",
            kindOptions: options(("computer", "机考"), ("paper", "笔试"), selected: 0), status: "active", canManage: true), named: "filled")
        try await snapshot(page("exams/rooms"), ExamRoomRoutes.ListModel(
            rows: [], pagination: pagination(total: 0), name: "", kindOptions: [], status: "", canManage: false), named: "empty")
    }

    @Test func examRoomForm() async throws {
        var form = ExamRoomRoutes.Form()
        form.name = "第一考场"
        form.capacity = "40"
        form.address = "长春市朝阳区 1 号"
        form.ipRange = "10.0.0.0/24"
        let kinds = options(("computer", "机考"), ("paper", "笔试"), selected: 0)
        try await snapshot(page("exams/room-form"), ExamRoomRoutes.FormModel(form: form, action: "/exams/rooms/new", isNew: true,
                                                                            kindOptions: kinds), named: "new")
        form.disabled = true
        form.errors = errors("name", "kind", "capacity", "address", "ip_range")
        try await snapshot(page("exams/room-form"), ExamRoomRoutes.FormModel(form: form, action: "/exams/rooms/\(ids[11])/edit",
                                                                            isNew: false, kindOptions: kinds), named: "edit-errors")
    }

    @Test func examRoom() async throws {
        try await snapshot(page("exams/room"), ExamRoomRoutes.ShowModel(
            name: "第一考场", facts: [compared("座位数", "40"), compared("地址", "长春市朝阳区 1 号")], disabled: false,
            editHref: "/exams/rooms/\(ids[11])/edit"), named: "editable")
        try await snapshot(page("exams/room"), ExamRoomRoutes.ShowModel(
            name: "旧考场", facts: [compared("座位数", "20")], disabled: true, editHref: nil), named: "disabled")
    }

    @Test func examSessions() async throws {
        let row = ExamSessionRoutes.SessionRow(
            id: ids[8], serial: "KS2026001", qualification: "低压电工作业", start: "2026-12-01 09:00", end: "2026-12-01 11:00",
            rooms: "第一考场", seats: 40, taken: 12, left: 28, href: "/exams/plans/\(ids[8])",
            applyAction: "/exams/sessions/\(ids[8])/apply", appliedNote: "本单位已申请 2 人")
        let application = ExamSessionRoutes.Application(
            serial: "KS2026001", ticketNumber: "2026001007", room: "第一考场", seat: "07", start: "2026-12-01 09:00", printed: false,
            ticketHref: "/tickets/\(ids[9]).pdf", withdrawAction: "/exams/sessions/\(ids[9])/withdraw")
        try await snapshot(page("exams/sessions"), ExamSessionRoutes.ListModel(
            publisher: false, rows: [row], applications: [application], note: "请在开考前 3 天完成申请"), named: "applicant")
        try await snapshot(page("exams/sessions"), ExamSessionRoutes.ListModel(
            publisher: true, rows: [], applications: [], note: nil), named: "publisher-empty")
    }

    @Test func examTickets() async throws {
        let row = TicketRoutes.Row(name: "王芳", ticketNumber: "2026001007", plan: "KS2026001", room: "第一考场", seat: "07",
                                   start: "2026-12-01 09:00", printed: true, pdf: "/tickets/\(ids[9]).pdf",
                                   docx: "/tickets/\(ids[9]).docx", withdraw: "/tickets/\(ids[9])/withdraw")
        try await snapshot(page("exams/tickets"), ["rows": [row]] as [String: [TicketRoutes.Row]], named: "filled")
        try await snapshot(page("exams/tickets"), ["rows": []] as [String: [TicketRoutes.Row]], named: "empty")
    }

    // MARK: - Study

    @Test func studyCourses() async throws {
        let row = StudyRoutes.CourseRow(title: "低压电工安全知识", qualification: "低压电工作业", type: "初训", hours: 24,
                                        href: "/study/courses/\(ids[13])")
        try await snapshot(page("study/courses"), StudyRoutes.CoursesModel(
            rows: [row], pagination: pagination(total: 1), qualificationOptions: options(("LV-ELEC", "低压电工作业"), selected: nil),
            typeOptions: options(("initial", "初训"), selected: nil), error: nil), named: "filled")
        try await snapshot(page("study/courses"), StudyRoutes.CoursesModel(
            rows: [], pagination: pagination(total: 0), qualificationOptions: [], typeOptions: [], error: "请填写课程名称（不超过 60 字）"),
            named: "error")
    }

    @Test func studyCourse() async throws {
        let lesson = StudyRoutes.LessonRow(position: 1, title: "第一课 触电急救", kind: "视频", duration: "45 分钟", size: "120 MB",
                                           href: "/study/lessons/\(ids[14])")
        try await snapshot(page("study/course"), StudyRoutes.CourseModel(
            title: "低压电工安全知识", facts: [compared("资格类型", "低压电工作业"), compared("学时", "24")], lessons: [lesson],
            action: "/study/courses/\(ids[13])/lessons", error: nil), named: "filled")
        try await snapshot(page("study/course"), StudyRoutes.CourseModel(
            title: "低压电工安全知识", facts: [], lessons: [], action: "/study/courses/\(ids[13])/lessons", error: "请选择课件文件"),
            named: "error")
    }

    @Test func studyLesson() async throws {
        try await snapshot(page("study/lesson"), StudyRoutes.LessonModel(
            id: ids[14], title: "第一课 触电急救", courseTitle: "低压电工安全知识", isVideo: true, isAudio: false, isMedia: true,
            mediaHref: "/study/lessons/\(ids[14])/media", mediaType: "video/mp4", startHref: "/study/lessons/\(ids[14])/start",
            heartbeatHref: "/study/lessons/\(ids[14])/beat", snapshotHref: "/study/lessons/\(ids[14])/snapshot",
            studied: "00:12:30", studiedLabel: "已学 12 分 30 秒", duration: "00:45:00", interval: 30, resume: 750, reached: 0.28),
            named: "video")
        try await snapshot(page("study/lesson"), StudyRoutes.LessonModel(
            id: ids[14], title: "第二课 规章制度", courseTitle: "低压电工安全知识", isVideo: false, isAudio: false, isMedia: false,
            mediaHref: "/study/lessons/\(ids[14])/media", mediaType: "application/pdf", startHref: "/study/lessons/\(ids[14])/start",
            heartbeatHref: "/study/lessons/\(ids[14])/beat", snapshotHref: "/study/lessons/\(ids[14])/snapshot",
            studied: "00:00:00", studiedLabel: "尚未学习", duration: "00:20:00", interval: 30, resume: 0, reached: 0), named: "document")
    }

    @Test func studyMy() async throws {
        let course = StudyRoutes.MyCourse(
            title: "低压电工安全知识", qualification: "低压电工作业", type: "初训", earned: "12.5", earnedTime: "12 小时 30 分",
            required: "24", requiredTime: "24 小时", remaining: "11.5", remainingTime: "11 小时 30 分", percent: 52, percentStep: 50,
            reached: false, lessons: [.init(title: "第一课 触电急救", kind: "视频", duration: "45 分钟", studied: "12 分钟",
                                             href: "/study/lessons/\(ids[14])")])
        try await snapshot(page("study/my"), ["courses": [course]], named: "filled")
        try await snapshot(page("study/my"), ["courses": [StudyRoutes.MyCourse]()], named: "empty")
    }

    @Test func studyRecords() async throws {
        let row = StudyRoutes.RecordRow(name: "王芳", idNumber: "220102199001011234", course: "低压电工安全知识", earned: "24.0",
                                        required: "24", reached: true, updated: "2026-11-19 20:00",
                                        anomaliesHref: "/study/anomalies?id_number=220102199001011234")
        try await snapshot(page("study/records"), StudyRoutes.RecordsModel(
            rows: [row], pagination: pagination(total: 1), reachedCount: 1, onlyReached: true), named: "filled")
        try await snapshot(page("study/records"), StudyRoutes.RecordsModel(
            rows: [], pagination: pagination(total: 0), reachedCount: 0, onlyReached: false), named: "empty")
    }

    @Test func studyAnomalies() async throws {
        try await snapshot(page("study/anomalies"), StudyRoutes.AnomaliesModel(
            personName: "王芳", idNumber: "220102199001011234", maskedID: "2201**********1234",
            anomalies: [.init(kind: "倍速播放", window: "2026-11-19 20:00–20:05", message: "播放速度 2.0 倍，不计学时")],
            beats: 120, rejected: 3, snapshots: ["/study/snapshots/\(ids[15]).jpg"]), named: "filled")
        try await snapshot(page("study/anomalies"), StudyRoutes.AnomaliesModel(
            personName: nil, idNumber: "", maskedID: "", anomalies: [], beats: 0, rejected: 0, snapshots: []), named: "empty")
    }

    // MARK: - Training

    @Test func trainingCatalogue() async throws {
        let row = CatalogueRoutes.Row(code: "LV-ELEC", name: "低压电工作业", scheme: "特种作业", validity: "6 年", hours: "初训 80 学时",
                                      subjects: "理论、实操", age: "18–60 岁", href: "/catalogue/LV-ELEC")
        try await snapshot(page("training/catalogue"), CatalogueRoutes.ListModel(
            rows: [row], date: "2026-11-20", provinceName: "吉林省", schemeOptions: options(("special", "特种作业"), selected: 0),
            problems: ["低压电工作业：复审周期未设定"]), named: "filled")
        try await snapshot(page("training/catalogue"), CatalogueRoutes.ListModel(
            rows: [], date: "2026-11-20", provinceName: "吉林省", schemeOptions: [], problems: []), named: "empty")
    }

    @Test func trainingQualification() async throws {
        let entry = CatalogueRoutes.EntryRow(scope: "全国", effectiveFrom: "2026-01-01", source: "应急管理部令第 30 号",
                                             summary: "有效期 6 年，初训 80 学时", inForce: true)
        var form = termsForm()
        form.effectiveFrom = "2027-01-01"
        form.province = "22"
        form.validityYears = "6"
        try await snapshot(page("training/qualification"), CatalogueRoutes.DetailModel(
            code: "LV-ELEC", name: "低压电工作业", scheme: "特种作业", entries: [entry], current: [compared("有效期", "6 年")],
            canManage: true, form: form, provinceOptions: options(("22", "吉林省"), selected: 0), action: "/catalogue/LV-ELEC/terms"),
            named: "manager")
        form.errors = errors("effective_from", "province", "source", "validity_years", "initial_training_hours", "theory_pass", "renewal_window_days",
                             "continuing_hours_per_year")
        try await snapshot(page("training/qualification"), CatalogueRoutes.DetailModel(
            code: "LV-ELEC", name: "低压电工作业", scheme: "特种作业", entries: [entry], current: [compared("有效期", "6 年")],
            canManage: true, form: form, provinceOptions: options(("22", "吉林省"), selected: 0), action: "/catalogue/LV-ELEC/terms"),
            named: "errors")
        try await snapshot(page("training/qualification"), CatalogueRoutes.DetailModel(
            code: "LV-ELEC", name: "低压电工作业", scheme: "特种作业", entries: [], current: [], canManage: false, form: termsForm(),
            provinceOptions: [], action: ""), named: "read-only")
    }

    @Test func trainingClasses() async throws {
        let row = TrainingClassRoutes.Row(
            code: "PX2026001", name: "低压电工初训一班", type: "初训", qualification: "低压电工作业", institution: "吉林省安全培训中心",
            dates: "2026-12-01 至 2026-12-20", deadline: "2026-11-25", places: "12 / 50", fee: "800 元", state: "报名中",
            stateKey: "open", href: "/classes/\(ids[16])", enrolHref: "/classes/\(ids[16])/enrol")
        try await snapshot(page("training/classes"), TrainingClassRoutes.ListModel(
            rows: [row], pagination: pagination(total: 1), keyword: "电工", typeOptions: options(("initial", "初训"), selected: 0),
            stateOptions: options(("open", "报名中"), selected: nil), qualificationOptions: options(("LV-ELEC", "低压电工作业"), selected: nil),
            canManage: true), named: "filled")
        try await snapshot(page("training/classes"), TrainingClassRoutes.ListModel(
            rows: [], pagination: pagination(total: 0), keyword: "", typeOptions: [], stateOptions: [], qualificationOptions: [],
            canManage: false), named: "empty")
    }

    @Test func trainingClassForm() async throws {
        var form = TrainingClassRoutes.Form()
        form.name = "低压电工初训一班"
        form.classType = "initial"
        form.qualification = "LV-ELEC"
        form.startDate = "2026-12-01"
        form.endDate = "2026-12-20"
        form.deadline = "2026-11-25"
        form.place = "长春市朝阳区 1 号"
        let types = options(("initial", "初训"), ("review", "复审"), selected: 0)
        let qualifications = options(("LV-ELEC", "低压电工作业"), selected: 0)
        let institutions = options(("\(ids[7])", "吉林省安全培训中心"), selected: 0)
        try await snapshot(page("training/class-form"), TrainingClassRoutes.FormModel(
            form: form, action: "/classes/new", isNew: true, typeOptions: types, qualificationOptions: qualifications,
            institutionOptions: institutions), named: "new")
        form.institutionChecksIn = true
        form.errors = errors("name", "class_type", "qualification", "institution", "start_date", "end_date", "deadline", "place",
                             "capacity", "fee")
        try await snapshot(page("training/class-form"), TrainingClassRoutes.FormModel(
            form: form, action: "/classes/\(ids[16])/edit", isNew: false, typeOptions: types, qualificationOptions: qualifications,
            institutionOptions: []), named: "edit-errors")
    }

    @Test func trainingClass() async throws {
        try await snapshot(page("training/class"), TrainingClassRoutes.DetailModel(
            id: ids[16], fields: [compared("班级编号", "PX2026001"), compared("培训日期", "2026-12-01 至 2026-12-20")], state: "报名中",
            stateKey: "open", counts: [.init(label: "待审核", count: 3, href: "/enrolments?class=\(ids[16])&state=submitted")],
            events: [.init(event: "close", label: "截止报名", danger: false), .init(event: "cancel", label: "取消培训班", danger: true)],
            canEdit: true, editHref: "/classes/\(ids[16])/edit", stateAction: "/classes/\(ids[16])/state",
            enrolHref: "/classes/\(ids[16])/enrol", batchHref: "/classes/\(ids[16])/enrol/batch",
            selfEnrolHref: "/classes/\(ids[16])/self", resultsHref: "/classes/\(ids[16])/results",
            enrolmentsHref: "/enrolments?class=\(ids[16])"), named: "manager")
        try await snapshot(page("training/class"), TrainingClassRoutes.DetailModel(
            id: ids[16], fields: [compared("班级编号", "PX2026001")], state: "已结束", stateKey: "finished", counts: [], events: [],
            canEdit: false, editHref: "", stateAction: "/classes/\(ids[16])/state", enrolHref: nil, batchHref: nil,
            selfEnrolHref: nil, resultsHref: nil, enrolmentsHref: "/enrolments?class=\(ids[16])"), named: "read-only")
    }

    @Test func trainingEnrol() async throws {
        var form = EnrolRoutes.SingleForm()
        form.idNumber = "220102199001011234"
        form.name = "王芳"
        form.details.workStartDate = "2012-07-01"
        form.details.yearsInTrade = "10"
        form.details.health = true
        try await snapshot(page("training/enrol"), EnrolRoutes.SingleModel(
            className: "低压电工初训一班", classType: "初训", classHref: "/classes/\(ids[16])", action: "/classes/\(ids[16])/enrol",
            batchHref: "/classes/\(ids[16])/enrol/batch", form: form, refusals: [], offerSchool: true, onlySchool: false), named: "blank")
        form.errors = errors("id_number", "name", "work_start_date", "years_in_trade", "resume", "employer_opinion", "health")
        try await snapshot(page("training/enrol"), EnrolRoutes.SingleModel(
            className: "低压电工初训一班", classType: "初训", classHref: "/classes/\(ids[16])", action: "/classes/\(ids[16])/enrol",
            batchHref: nil, form: form, refusals: ["该人员已报名本班"], offerSchool: true, onlySchool: true), named: "errors")
    }

    @Test func trainingEnrolBatch() async throws {
        try await snapshot(page("training/enrol-batch"), EnrolRoutes.BatchModel(
            className: "低压电工初训一班", classHref: "/classes/\(ids[16])", action: "/classes/\(ids[16])/enrol/batch",
            templateHref: "/classes/\(ids[16])/enrol/template"), named: "blank")
        try await snapshot(page("training/enrol-batch"), EnrolRoutes.BatchModel(
            className: "低压电工初训一班", classHref: "/classes/\(ids[16])", action: "/classes/\(ids[16])/enrol/batch",
            templateHref: "/classes/\(ids[16])/enrol/template", problems: [.init(row: "3", column: "证件号码", reason: "校验位不正确")],
            enrolled: ["王芳"], submitted: true, notice: "已报名 1 人", offerSchool: true, onlySchool: false, school: true), named: "submitted")
    }

    @Test func trainingEnrolSelfList() async throws {
        let row = EnrolRoutes.SelfClassRow(name: "低压电工初训一班", type: "初训", qualification: "低压电工作业",
                                           institution: "吉林省安全培训中心", dates: "2026-12-01 至 2026-12-20", deadline: "2026-11-25",
                                           fee: "800 元", href: "/classes/\(ids[16])/self")
        try await snapshot(page("training/enrol-self-list"), EnrolRoutes.SelfListModel(
            rows: [row], pagination: pagination(total: 1),
            certificates: [.init(qualification: "低压电工作业", number: "T220102199001011234", expires: "2027-03-01", advice: "请参加复审培训")],
            type: "review"), named: "filled")
        try await snapshot(page("training/enrol-self-list"), EnrolRoutes.SelfListModel(
            rows: [], pagination: pagination(total: 0), certificates: [], type: ""), named: "empty")
    }

    @Test func trainingEnrolSelf() async throws {
        var form = EnrolRoutes.SelfForm()
        form.creditCode = "91220101MA0000000X"
        form.employerName = "长春一汽安全有限公司"
        try await snapshot(page("training/enrol-self"), EnrolRoutes.SelfModel(
            className: "低压电工初训一班", classType: "初训", qualification: "低压电工作业", institution: "吉林省安全培训中心",
            dates: "2026-12-01 至 2026-12-20", fee: "800 元", personName: "王芳", idNumber: "220102199001011234", hasPhoto: true,
            photo: "/me/photo", action: "/classes/\(ids[16])/self", form: form, refusals: []), named: "blank")
        form.errors = errors("credit_code", "work_start_date", "years_in_trade", "resume", "employer_opinion", "health",
                             "photo")
        try await snapshot(page("training/enrol-self"), EnrolRoutes.SelfModel(
            className: "低压电工初训一班", classType: "初训", qualification: "低压电工作业", institution: "吉林省安全培训中心",
            dates: "2026-12-01 至 2026-12-20", fee: "800 元", personName: "王芳", idNumber: "220102199001011234", hasPhoto: false,
            photo: nil, action: "/classes/\(ids[16])/self", form: form, refusals: ["请先上传照片"]), named: "errors")
    }

    @Test func trainingEnrolments() async throws {
        let row = EnrolmentRoutes.Row(
            id: ids[17], name: "王芳", idNumber: "220102199001011234", className: "低压电工初训一班", classHref: "/classes/\(ids[16])",
            qualification: "低压电工作业", channel: "单位报名", state: "待审核", stateKey: "submitted", paid: true, reason: "材料不全",
            hours: "0 / 80", href: "/enrolments/\(ids[17])", checked: true)
        try await snapshot(page("training/enrolments"), EnrolmentRoutes.ListModel(
            rows: [row], pagination: pagination(total: 1), name: "王", idNumber: "", classID: ids[16], className: "低压电工初训一班",
            stateOptions: options(("submitted", "待审核"), selected: 0),
            bulk: [.init(action: "/enrolments/decide", label: "审核通过", decision: "approve", needsReason: false, danger: false),
                   .init(action: "/enrolments/decide", label: "退回", decision: "return", needsReason: true, danger: true)],
            exportParts: options(("/enrolments/export?part=1", "导出 Excel"), selected: nil), error: "请先选择报名", reason: "材料不全"),
            named: "filled")
        try await snapshot(page("training/enrolments"), EnrolmentRoutes.ListModel(
            rows: [], pagination: pagination(total: 0), name: "", idNumber: "", classID: "", className: nil, stateOptions: [],
            bulk: [], exportParts: [], error: nil, reason: ""), named: "empty")
    }

    @Test func trainingEnrolment() async throws {
        try await snapshot(page("training/enrolment"), EnrolmentRoutes.DetailModel(
            id: ids[17], person: [compared("姓名", "王芳")], form: [compared("从业年限", "10")], training: [compared("培训班", "低压电工初训一班")],
            state: "待缴费", stateKey: "awaiting_payment", reason: "材料已补齐", paymentNotice: "请于 11 月 25 日前缴费", fee: "800 元",
            paid: false, paidAt: nil, photo: "/people/\(ids[4])/photo", pdfHref: "/enrolments/\(ids[17]).pdf",
            cancelHref: "/enrolments/\(ids[17])/cancel", resubmitHref: "/enrolments/\(ids[17])/resubmit",
            confirmHref: "/enrolments/\(ids[17])/confirm", paymentHref: "/enrolments/\(ids[17])/payment",
            checkInHref: "/enrolments/\(ids[17])/check-in", reviewHref: "/enrolments/\(ids[17])/review"), named: "all-actions")
        try await snapshot(page("training/enrolment"), EnrolmentRoutes.DetailModel(
            id: ids[17], person: [compared("姓名", "王芳")], form: [], training: [], state: "已结业", stateKey: "completed", reason: nil,
            paymentNotice: nil, fee: "800 元", paid: true, paidAt: "2026-11-20 10:00", photo: nil, pdfHref: "/enrolments/\(ids[17]).pdf",
            cancelHref: nil, resubmitHref: nil, confirmHref: nil, paymentHref: nil, checkInHref: nil, reviewHref: nil), named: "read-only")
    }

    @Test func trainingResults() async throws {
        let row = EnrolmentRoutes.ResultRow(id: ids[17], name: "王芳", idNumber: "220102199001011234", state: "培训中", hours: "80",
                                            passed: true, failed: false, remarks: "", error: "学时不足", editable: true)
        let done = EnrolmentRoutes.ResultRow(id: ids[18], name: "刘洋", idNumber: "22010219850505123X", state: "已结业", hours: "80",
                                             passed: false, failed: true, remarks: "缺考", error: nil, editable: false)
        try await snapshot(page("training/results"), EnrolmentRoutes.ResultsModel(
            className: "低压电工初训一班", classHref: "/classes/\(ids[16])", requiredHours: 80, rows: [row, done],
            pagination: pagination(total: 2), action: "/classes/\(ids[16])/results", submitAction: "/classes/\(ids[16])/results/submit",
            pendingSubmit: 1, blocked: nil, error: "请填写学时"), named: "filled")
        try await snapshot(page("training/results"), EnrolmentRoutes.ResultsModel(
            className: "低压电工初训一班", classHref: "/classes/\(ids[16])", requiredHours: nil, rows: [],
            pagination: pagination(total: 0), action: "/classes/\(ids[16])/results", submitAction: "/classes/\(ids[16])/results/submit",
            pendingSubmit: 0, blocked: "培训班尚未开始", error: nil), named: "blocked")
    }

    // MARK: - Coverage

    /// Templates rendered only inside another template (`#extend`), so their pages cover them.
    static let includeOnly: Set<String> = [
        "layout",               // every page extends it
        "shared/pagination",    // the pager under every list
        "shared/event-button",  // the state-event form of exams/plan, exams/results and training/class
    ]

    @Test("every page template has a snapshot test")
    func everyPageIsRendered() throws {
        let views = URL(fileURLWithPath: packageRoot + "Resources/Views").standardizedFileURL
        let enumerator = try #require(FileManager.default.enumerator(at: views, includingPropertiesForKeys: nil))
        var templates: Set<String> = []
        for case let url as URL in enumerator where url.pathExtension == "leaf" {
            let relative = url.standardizedFileURL.path.dropFirst(views.path.count + 1)
            templates.insert(String(relative.dropLast(".leaf".count)))
        }
        #expect(templates.count > 50, "found \(templates.count) templates under \(views.path)")
        let source = try String(contentsOfFile: #filePath, encoding: .utf8)
        let rendered = Set(source.matches(of: /page\("([^"]+)"\)/).map { String($0.output.1) })
        let pages = templates.subtracting(Self.includeOnly)
        let untested = pages.subtracting(rendered).sorted()
        #expect(untested.isEmpty, "page templates without a snapshot test: \(untested.joined(separator: ", "))")
        let unknown = rendered.subtracting(templates).sorted()
        #expect(unknown.isEmpty, "snapshot tests naming no template: \(unknown.joined(separator: ", "))")
    }
}

// MARK: - Rendering

/// A template's name, as the tests and the coverage test spell it.
private func page(_ template: String) -> String { template }

/// Renders `template` on the shared layout — for a signed-in user by default, for a visitor
/// (bare layout, no menu) with `visitor` — and compares it with the recorded snapshot.
private func snapshot<Model: Encodable & Sendable>(
    _ template: String, _ model: Model, visitor: Bool = false, named name: String,
    fileID: StaticString = #fileID, filePath: StaticString = #filePath, function: String = #function,
    line: UInt = #line, column: UInt = #column
) async throws {
    let html = try await render(template, model, layout: visitor ? visitorLayout : signedInLayout)
    assertSnapshot(of: html, as: .lines, named: name, fileID: fileID, file: filePath, testName: function, line: line, column: column)
}

private func render<Model: Encodable & Sendable>(_ template: String, _ model: Model, layout: LayoutContext) async throws -> String {
    let app = try await Application.make(.testing)
    do {
        app.directory = DirectoryConfiguration(workingDirectory: packageRoot)
        configureViews(app)
        let view = try await app.view.render(template, PageView(layout: layout, page: model)).get()
        try await app.asyncShutdown()
        return String(buffer: view.data)
    } catch {
        try await app.asyncShutdown()
        throw error
    }
}

/// The package's folder (Resources/Views is read from there), whatever folder the tests run in.
private let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path + "/"

/// The layout of a signed-in provincial official, with a fixed menu, a flash and a fixed CSRF token.
private let signedInLayout = LayoutContext(
    title: "页面标题",
    user: UserBadge(name: "张伟", username: "zhang.wei", role: "省级主管部门", organization: "吉林省应急管理厅"),
    menu: [
        MenuSection(title: "人员管理", items: [MenuItem(label: "人员信息管理", href: "/people", active: true),
                                              MenuItem(label: "人员信息审批", href: "/people/review")]),
        MenuSection(title: "考试管理", items: [MenuItem(label: "考试计划", href: "/exams/plans")]),
    ],
    flashes: [Flash(kind: .success, text: "已保存")],
    csrf: "csrf-fixed-token",
    demoMode: true,
    path: "/page?x=1")

/// The bare layout of a visitor: no user, no menu.
private let visitorLayout = LayoutContext(
    title: "用户登录", user: nil, menu: [], flashes: [], csrf: "csrf-visitor-token", demoMode: false, path: "/login")

// MARK: - Fixed data

/// Fixed identifiers, so links in the snapshots never change.
private let ids: [String] = (0..<20).map { String(format: "00000000-0000-4000-8000-%012d", $0) }

private func options(_ pairs: (String, String)..., selected: Int?) -> [OrganizationForm.Option] {
    pairs.enumerated().map { index, pair in OrganizationForm.Option(value: pair.0, label: pair.1, selected: index == selected) }
}

/// A message for each named field, as the routes' validation writes them.
private func errors(_ fields: String...) -> FieldErrors {
    var errors = FieldErrors()
    for field in fields { errors.add(field, "「\(field)」填写有误 <请检查>") }
    return errors
}

private func compared(_ label: String, _ value: String, _ new: String? = nil) -> PersonRoutes.ComparedField {
    PersonRoutes.ComparedField(label: label, old: value, new: new ?? value, changed: new != nil && new != value)
}

private func pagination(total: Int, page: Int = 1, path: String = "/list", filters: [(String, String?)] = []) -> Pagination {
    Pagination(metadata: PageMetadata(page: page, per: Pagination.perPage, total: total), path: path, filters: filters)
}

/// The form as the page first shows it: the default terms, in force from a fixed day.
private func termsForm() -> TermsForm {
    TermsForm(QualificationCatalogue.defaults.entries[0].terms, effectiveFrom: CalendarDate(year: 2027, month: 1, day: 1)!)
}

private func organizationRow(_ index: Int) -> OrganizationRoutes.Row {
    let names = ["长春一汽安全有限公司", "一汽安全长春分公司"]
    return OrganizationRoutes.Row(id: ids[3 + index], name: names[index], kind: "企业", region: "吉林省长春市南关区",
                                  creditCode: "91220101MA000000\(index)X", href: "/organizations/\(ids[3 + index])")
}
