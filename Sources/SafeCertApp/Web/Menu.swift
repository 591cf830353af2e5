import SafeCertCore

/// The left menu, by role, with the manuals' labels. An item shows only if the role holds its
/// permission, so the menu never offers what the server would refuse.
struct MenuSection: Encodable, Sendable {
    let title: String
    let items: [MenuItem]
}

struct MenuItem: Encodable, Sendable {
    let label: String
    let href: String
    var active = false
}

enum Menu {
    private struct Entry: Sendable {
        let url: SiteURL
        let permission: Permission
        let label: @Sendable (Role) -> String
    }

    private static let sections: [(title: String, entries: [Entry])] = [
        ("首页", [Entry(url: .home, permission: .viewHome, label: { _ in "首页" })]),
        ("单位管理", [
            Entry(url: .organizations, permission: .viewOrganizations, label: { role in
                role == .enterprise ? "企业分公司管理" : "单位查询"
            }),
            Entry(url: .organizationNew, permission: .createOrganizations, label: { _ in "单位录入" }),
            Entry(url: .myOrganization, permission: .editOwnOrganization, label: { role in
                role == .enterprise ? "企业管理" : "本单位信息"
            }),
        ]),
        ("人员管理", [
            Entry(url: .people, permission: .viewPeople, label: { _ in "人员信息管理" }),
            Entry(url: .personNew, permission: .registerPeople, label: { _ in "人员录入" }),
            Entry(url: .peopleImport, permission: .importPeople, label: { _ in "批量导入" }),
            Entry(url: .peopleReview, permission: .approvePeople, label: { _ in "人员信息审批" }),
            Entry(url: .me, permission: .manageOwnProfile, label: { _ in "个人信息维护" }),
        ]),
        ("培训管理", [
            Entry(url: .catalogue, permission: .viewCatalogue, label: { _ in "资格类型目录" }),
            Entry(url: .classes, permission: .viewClasses, label: { role in
                PermissionTable.allows(role, .manageClasses) ? "开班管理" : "培训班查询"
            }),
            Entry(url: .enrolSelf, permission: .enrolSelf, label: { _ in "我要报名" }),
            Entry(url: .enrolments, permission: .viewEnrolments, label: { role in
                switch role {
                case .individual: "我的报名"
                case .cityAuthority, .provinceAuthority: "报名确认与成绩审核"
                case .trainingInstitution: "报到与培训结果"
                default: "报名查询"
                }
            }),
            Entry(url: .courses, permission: .manageCourses, label: { _ in "在线课程" }),
            Entry(url: .study, permission: .studyOnline, label: { _ in "在线学习" }),
            Entry(url: .studyRecords, permission: .viewStudyRecords, label: { _ in "学时查询" }),
            Entry(url: .studyAnomalies, permission: .viewStudyRecords, label: { _ in "学习异常报告" }),
        ]),
        ("考核管理", [
            Entry(url: .examRooms, permission: .viewExamRooms, label: { role in role == .examCentre ? "考场维护" : "考场查询" }),
            Entry(url: .examPlans, permission: .viewExamPlans, label: { _ in "考试计划" }),
            Entry(url: .examCandidates, permission: .viewExamPlans, label: { _ in "考生查询" }),
            Entry(url: .examPlanNew, permission: .draftExamPlans, label: { _ in "制定考试计划" }),
            Entry(url: .examCalendar, permission: .viewExamPlans, label: { _ in "考试计划总览" }),
            Entry(url: .examSessions, permission: .publishExamSessions, label: { _ in "发布考场" }),
            Entry(url: .examSessions, permission: .applyForSeats, label: { _ in "申请考场" }),
            Entry(url: .tickets, permission: .viewTickets, label: { _ in "打印准考证" }),
            Entry(url: .identity, permission: .checkIdentity, label: { _ in "实名认证" }),
            Entry(url: .live, permission: .superviseExams, label: { _ in "正在考试" }),
            Entry(url: .examResults, permission: .viewExamResults, label: { role in
                switch role {
                case .examCentre: "管理考试结果"
                case .provinceAuthority: "考试结果审核"
                default: "查看考试结果"
                }
            }),
            Entry(url: .examPeople, permission: .viewPersonRecords, label: { _ in "人员信息查询" }),
        ]),
        ("系统管理", [
            Entry(url: .accounts, permission: .viewAccounts, label: { _ in "用户管理" }),
            Entry(url: .accountNew, permission: .issueAccounts, label: { _ in "添加用户" }),
            Entry(url: .securityPolicy, permission: .viewSecurityPolicy, label: { _ in "安全策略" }),
            Entry(url: .apiKeys, permission: .manageAPIKeys, label: { _ in "接口密钥" }),
            Entry(url: .audit, permission: .viewAuditLog, label: { _ in "审计日志" }),
            Entry(url: .password, permission: .changeOwnPassword, label: { _ in "密码修改" }),
        ]),
    ]

    static func sections(for role: Role, currentPath: String) -> [MenuSection] {
        let allowed = sections.map { section in
            (section.title, section.entries.filter { PermissionTable.allows(role, $0.permission) })
        }
        // The most specific item containing the current path is the active one.
        let active = allowed.flatMap(\.1).map(\.url.link)
            .filter { $0 == currentPath || ($0 != "/" && currentPath.hasPrefix($0 + "/")) }
            .max { $0.count < $1.count }
        return allowed.compactMap { title, entries in
            let items = entries.map { MenuItem(label: $0.label(role), href: $0.url.link, active: $0.url.link == active) }
            return items.isEmpty ? nil : MenuSection(title: title, items: items)
        }
    }
}
