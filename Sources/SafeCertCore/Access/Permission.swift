/// What an account may do. Every route names one; the grants below are the only place that
/// says which role holds which.
public enum Permission: String, Sendable, Codable, CaseIterable {
    case viewHome = "home.view"
    case changeOwnPassword = "password.change"
    case viewOrganizations = "organizations.view"
    case createOrganizations = "organizations.create"
    case editOrganizations = "organizations.edit"
    case convertEnterprises = "organizations.convert"
    case editOwnOrganization = "own-organization.edit"
    case viewAccounts = "accounts.view"
    case issueAccounts = "accounts.issue"
    case disableAccounts = "accounts.disable"
    case resetPasswords = "accounts.reset-password"
    case unlockAccounts = "accounts.unlock"
    case viewAuditLog = "audit.view"
    case manageAPIKeys = "api-keys.manage"
    case viewSecurityPolicy = "security-policy.view"
    case deleteOwnOrganization = "own-organization.delete"
    case viewPeople = "people.view"
    case registerPeople = "people.register"
    case importPeople = "people.import"
    case approvePeople = "people.approve"
    case cancelPeople = "people.cancel"
    case changePersonUnit = "people.change-unit"
    case requestPersonTransfer = "people.request-transfer"
    case viewFullPersonalData = "people.full-data"
    case manageOwnProfile = "profile.manage"
    case viewCatalogue = "catalogue.view"
    case manageCatalogue = "catalogue.manage"
    case viewClasses = "classes.view"
    case manageClasses = "classes.manage"
    case enrolPeople = "enrolments.enrol"
    case enrolSelf = "enrolments.self"
    case enrolSchoolStudents = "enrolments.school"
    case viewEnrolments = "enrolments.view"
    case confirmEnrolments = "enrolments.confirm"
    case recordPayments = "enrolments.payment"
    case checkInTrainees = "enrolments.check-in"
    case recordTrainingResults = "training-results.record"
    case reviewTrainingResults = "training-results.review"
    case manageCourses = "courses.manage"
    case studyOnline = "study.learn"
    case viewStudyRecords = "study.records"
    case manageExamRooms = "exam-rooms.manage"
    case viewExamRooms = "exam-rooms.view"
    case viewExamPlans = "exam-plans.view"
    case draftExamPlans = "exam-plans.draft"
    case viewTickets = "tickets.view"
    case importCandidates = "exam-candidates.import"
    case viewExamSessions = "exam-sessions.view"
    case publishExamSessions = "exam-sessions.publish"
    case applyForSeats = "exam-sessions.apply"
    case checkIdentity = "exam.identity"
    case superviseExams = "exam.live"
    case enterExamResults = "exam-results.enter"
    case reviewExamResults = "exam-results.review"
    case viewExamResults = "exam-results.view"
    case viewPersonRecords = "exam-people.view"

    public var label: String {
        switch self {
        case .viewHome: "查看首页"
        case .changeOwnPassword: "修改本人密码"
        case .viewOrganizations: "查询单位"
        case .createOrganizations: "新增单位"
        case .editOrganizations: "修改单位"
        case .convertEnterprises: "集团与分公司转换"
        case .editOwnOrganization: "维护本单位信息"
        case .viewAccounts: "查询用户"
        case .issueAccounts: "添加用户"
        case .disableAccounts: "停用/启用用户"
        case .resetPasswords: "重置密码"
        case .unlockAccounts: "解除锁定"
        case .viewAuditLog: "查看审计日志"
        case .manageAPIKeys: "管理接口密钥"
        case .viewSecurityPolicy: "查看安全策略"
        case .deleteOwnOrganization: "注销本单位（无人员时）"
        case .viewPeople: "查询人员"
        case .registerPeople: "录入人员"
        case .importPeople: "批量导入人员与照片"
        case .approvePeople: "人员信息审批"
        case .cancelPeople: "注销人员"
        case .changePersonUnit: "人员变更单位"
        case .requestPersonTransfer: "申请调入人员"
        case .viewFullPersonalData: "查看完整证件号码与手机号"
        case .manageOwnProfile: "维护本人信息"
        case .viewCatalogue: "查看资格类型目录"
        case .manageCatalogue: "调整资格类型目录（全国或本省）"
        case .viewClasses: "培训班查询"
        case .manageClasses: "开班与发布培训班"
        case .enrolPeople: "培训报名（单个或批量）"
        case .enrolSelf: "我要报名"
        case .enrolSchoolStudents: "院校报名（免确认）"
        case .viewEnrolments: "查询报名"
        case .confirmEnrolments: "报名确认"
        case .recordPayments: "登记缴费"
        case .checkInTrainees: "培训报到"
        case .recordTrainingResults: "录入培训结果"
        case .reviewTrainingResults: "培训结果审核"
        case .manageCourses: "在线课程管理"
        case .studyOnline: "在线学习"
        case .viewStudyRecords: "学时查询与学习异常报告"
        case .manageExamRooms: "考场维护（本考核点）"
        case .viewExamRooms: "查询考场"
        case .viewExamPlans: "考试计划查询与办理（按角色：提交、审核、删除）"
        case .draftExamPlans: "制定考试计划（自动/手动分配）"
        case .viewTickets: "打印准考证（本人、本单位人员、本机构考试计划）"
        case .importCandidates: "导入考生信息（开考 48 小时前）"
        case .viewExamSessions: "查看发布的考场"
        case .publishExamSessions: "发布考场（供学员申请）"
        case .applyForSeats: "申请考场与退考"
        case .checkIdentity: "实名认证（身份证阅读器、现场拍照）"
        case .superviseExams: "正在考试（考场监控；考核点记录考场情况）"
        case .enterExamResults: "管理考试结果（录入、导入、提交成绩）"
        case .reviewExamResults: "考试结果审核与发布"
        case .viewExamResults: "查看考试结果与导出合格名单"
        case .viewPersonRecords: "人员信息查询（报名与考试记录）"
        }
    }
}

/// The role → permission table (DESIGN.md §1, the manuals' menus).
public enum PermissionTable {
    private static let everyone: Set<Permission> = [.viewHome, .changeOwnPassword]

    public static let grants: [Role: Set<Permission>] = [
        .individual: everyone.union([.manageOwnProfile, .viewClasses, .enrolSelf, .viewEnrolments, .studyOnline, .viewTickets,
                                      .viewExamSessions, .applyForSeats, .viewExamResults]),
        .enterprise: everyone.union([
            .viewOrganizations, .editOwnOrganization, .deleteOwnOrganization,
            .viewPeople, .registerPeople, .importPeople, .requestPersonTransfer, .viewCatalogue,
            .viewClasses, .enrolPeople, .viewEnrolments, .viewTickets, .viewExamResults,
        ]),
        .trainingInstitution: everyone.union([
            .editOwnOrganization, .viewPeople, .registerPeople, .importPeople, .viewCatalogue,
            .viewClasses, .enrolPeople, .enrolSchoolStudents, .viewEnrolments, .recordPayments, .checkInTrainees,
            .recordTrainingResults, .manageCourses, .viewExamRooms, .viewExamPlans, .draftExamPlans, .viewTickets,
            .importCandidates, .viewExamResults,
        ]),
        .examCentre: everyone.union([.editOwnOrganization, .viewCatalogue, .manageExamRooms, .viewExamRooms, .viewExamPlans,
                                      .checkIdentity, .superviseExams, .enterExamResults, .viewExamResults, .viewPersonRecords]),
        .cityAuthority: everyone.union([
            .viewOrganizations, .createOrganizations, .editOrganizations,
            .viewAccounts, .issueAccounts, .disableAccounts, .resetPasswords,
            .viewPeople, .approvePeople, .cancelPeople, .changePersonUnit, .viewFullPersonalData, .viewCatalogue,
            .viewClasses, .viewEnrolments, .confirmEnrolments, .reviewTrainingResults, .viewStudyRecords,
            .viewExamRooms, .viewExamPlans, .draftExamPlans,
            .importCandidates, .viewExamSessions, .publishExamSessions, .superviseExams, .viewExamResults, .viewPersonRecords,
        ]),
        .provinceAuthority: everyone.union([
            .viewOrganizations, .createOrganizations, .editOrganizations, .convertEnterprises,
            .viewAccounts, .issueAccounts, .disableAccounts, .resetPasswords,
            .viewPeople, .approvePeople, .cancelPeople, .changePersonUnit, .viewFullPersonalData,
            .viewCatalogue, .manageCatalogue,
            .viewClasses, .manageClasses, .viewEnrolments, .confirmEnrolments, .reviewTrainingResults, .viewStudyRecords,
            .viewExamRooms, .viewExamPlans, .draftExamPlans,
            .importCandidates, .viewExamSessions, .publishExamSessions, .superviseExams, .reviewExamResults, .viewExamResults, .viewPersonRecords,
        ]),
        .association: everyone.union([
            .viewOrganizations, .createOrganizations, .editOrganizations, .convertEnterprises,
            .editOwnOrganization, .viewAccounts, .issueAccounts, .disableAccounts, .resetPasswords,
            .viewPeople, .changePersonUnit, .viewCatalogue,
            .viewClasses, .manageClasses, .enrolSchoolStudents, .viewEnrolments, .checkInTrainees, .reviewTrainingResults,
            .manageCourses, .viewStudyRecords,
        ]),
        .nationalCentre: everyone.union([
            .viewOrganizations, .createOrganizations, .editOrganizations, .convertEnterprises,
            .viewAccounts, .issueAccounts, .disableAccounts, .resetPasswords,
            .viewPeople, .cancelPeople, .viewFullPersonalData, .viewCatalogue,
            .viewClasses, .viewEnrolments, .viewStudyRecords,
            .viewExamRooms, .viewExamPlans, .superviseExams, .viewExamResults, .viewPersonRecords,
        ]),
        .systemAdmin: everyone.union([
            .viewOrganizations, .createOrganizations, .editOrganizations, .convertEnterprises,
            .viewAccounts, .issueAccounts, .disableAccounts, .resetPasswords, .viewCatalogue, .manageCatalogue,
        ]),
        .securityAdmin: everyone.union([.viewAccounts, .unlockAccounts, .manageAPIKeys, .viewSecurityPolicy]),
        .auditAdmin: everyone.union([.viewAuditLog]),
    ]

    public static func allows(_ role: Role, _ permission: Permission) -> Bool {
        grants[role, default: []].contains(permission)
    }

    /// The matrix as a Markdown table, for the README (`safecert permissions`).
    public static func markdownMatrix() -> String {
        let roles = Role.allCases
        var lines = ["| 权限 | " + roles.map(\.label).joined(separator: " | ") + " |"]
        lines.append("| --- |" + String(repeating: " :-: |", count: roles.count))
        for permission in Permission.allCases {
            let cells = roles.map { allows($0, permission) ? "✓" : "" }
            lines.append("| \(permission.label) (`\(permission.rawValue)`) | " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }
}

extension Permission {
    /// Who may see a person's photo: whoever may see the person's record (scoped like the person).
    /// Not the administrators, whose work is the system, not the people in it.
    public static let personPhotoViewers: [Permission] = [.viewPeople, .manageOwnProfile, .viewEnrolments]
}
