import Fluent
import Foundation
import SafeCertCore
import SQLKit

/// One line of the append-only audit log. There is no route that edits or deletes entries,
/// and database triggers refuse UPDATE and DELETE on the table.
final class AuditEntry: Model, @unchecked Sendable {
    static let schema = "audit_entries"

    @ID(key: .id) var id: UUID?
    @Field(key: "at") var at: Date
    @OptionalField(key: "account_id") var accountID: UUID?
    @Field(key: "actor") var actor: String
    @OptionalField(key: "organization_id") var organizationID: UUID?
    @Field(key: "organization_name") var organizationName: String
    @Field(key: "action") var action: String
    @Field(key: "target_type") var targetType: String
    @OptionalField(key: "target_id") var targetID: String?
    @Field(key: "summary") var summary: String
    @Field(key: "ip") var ip: String
    /// The place in the hash chain (`AuditChain`): sequence number, the previous entry's hash and this one's.
    @OptionalField(key: "sequence") var sequence: Int64?
    @OptionalField(key: "previous_hash") var previousHash: String?
    @OptionalField(key: "hash") var hash: String?

    init() {}

    var chainFields: AuditChain.Fields {
        AuditChain.Fields(sequence: sequence ?? 0, previous: previousHash ?? "", atMilliseconds: Audit.milliseconds(at),
                          accountID: accountID?.uuidString ?? "", actor: actor, organizationID: organizationID?.uuidString ?? "",
                          organizationName: organizationName, action: action, targetType: targetType, targetID: targetID ?? "",
                          summary: summary, ip: ip)
    }
}

/// The newest entry of the chain; its row is locked while an entry is appended, so entries get
/// their sequence numbers one at a time even with several app instances.
final class AuditChainHead: Model, @unchecked Sendable {
    static let schema = "audit_chain_head"
    static let name = "audit"
    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "sequence") var sequence: Int64
    @Field(key: "hash") var hash: String
    init() {}
}

/// Who did something, as the audit log records it.
struct AuditActor: Sendable {
    var accountID: UUID?
    var name: String
    var organizationID: UUID?
    var organizationName: String
    var ip: String

    static func system(_ name: String) -> AuditActor {
        AuditActor(accountID: nil, name: name, organizationID: nil, organizationName: "系统", ip: "-")
    }
}

enum Audit {
    /// A list's filters as an audit summary records them: "姓名=张三，地区=长春市", or 全部 when none
    /// is set (values already masked by the caller where they are personal).
    static func filterText(_ parts: [(label: String, value: String)]) -> String {
        let set = parts.filter { !$0.value.isEmpty }.map { "\($0.label)=\($0.value)" }
        return set.isEmpty ? "全部" : set.joined(separator: "，")
    }

    /// Writes one entry; call it on the same transaction as the change it describes.
    static func record(
        on db: any Database, actor: AuditActor, action: String, targetType: String, targetID: String?,
        summary: String, at: Date
    ) async throws {
        let entry = AuditEntry()
        entry.at = at
        entry.accountID = actor.accountID
        entry.actor = actor.name
        entry.organizationID = actor.organizationID
        entry.organizationName = actor.organizationName
        entry.action = action
        entry.targetType = targetType
        entry.targetID = targetID
        entry.summary = String(summary.prefix(4000))
        entry.ip = actor.ip
        if db.inTransaction {
            try await append(entry, on: db)
        } else {
            try await db.transaction { try await append(entry, on: $0) }
        }
    }

    /// Stored times keep whole milliseconds, so the hash reads back the time it was made with.
    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// Links the entry to the head of the chain and moves the head; inside a transaction.
    private static func append(_ entry: AuditEntry, on db: any Database) async throws {
        if let sql = db as? any SQLDatabase {
            // Takes the head row's write lock first (PostgreSQL row lock, SQLite write lock).
            try await sql.update(AuditChainHead.schema).set("sequence", to: SQLColumn("sequence"))
                .where("name", .equal, AuditChainHead.name).run()
        }
        let head = try await AuditChainHead.query(on: db).filter(\.$name == AuditChainHead.name).first() ?? {
            let head = AuditChainHead()
            head.name = AuditChainHead.name
            head.sequence = 0
            head.hash = AuditChain.genesis
            return head
        }()
        entry.at = Date(timeIntervalSince1970: Double(milliseconds(entry.at)) / 1000)
        entry.sequence = head.sequence + 1
        entry.previousHash = head.hash
        let hash = AuditChain.hash(entry.chainFields)
        entry.hash = hash
        try await entry.create(on: db)
        head.sequence += 1
        head.hash = hash
        try await head.save(on: db)
    }

    static let actionLabels: [String: String] = [
        "login.success": "登录成功", "login.failure": "登录失败", "login.locked": "账号锁定",
        "login.second-factor": "二次验证通过", "logout": "退出登录", "session.expired": "会话超时",
        "password.change": "修改密码", "account.create": "添加用户", "account.disable": "停用用户",
        "account.enable": "启用用户", "account.reset-password": "重置密码", "account.unlock": "解除锁定",
        "organization.create": "新增单位", "organization.update": "修改单位", "organization.convert": "集团/分公司转换",
        "api-key.create": "创建接口密钥", "api-key.revoke": "吊销接口密钥", "demo.seed": "生成演示数据",
        "sms.send": "发送短信验证码",
        "catalogue.entry": "调整资格类型目录",
        "class.create": "新建培训班", "class.update": "修改培训班", "class.publish": "发布培训班", "class.close": "截止报名",
        "class.start": "开班", "class.finish": "结束培训", "class.cancel": "取消培训班",
        "enrolment.create": "培训报名", "enrolment.batch": "批量报名", "enrolment.confirm": "确认报名", "enrolment.refuse": "不予确认",
        "enrolment.payment": "登记缴费", "enrolment.check-in": "报到", "enrolment.training-result-draft": "录入培训结果",
        "enrolment.training-result": "提交培训结果", "enrolment.review-pass": "培训结果审核通过",
        "enrolment.review-return": "培训结果退回企业", "enrolment.cancel": "撤销报名", "enrolment.resubmit": "重新提交报名",
        "enrolment.update": "报名状态变更", "enrolment.export": "导出报名名单",
        "exam-plan.create": "制定考试计划", "exam-plan.submit": "提交考试计划", "exam-plan.approve": "审核通过考试计划",
        "exam-plan.return": "退回考试计划", "exam-plan.delete": "删除考试计划", "exam-plan.start": "开始考试", "exam-plan.finish": "结束考试",
        "exam-plan.remove-candidates": "移出考生", "exam-results.submit-centre": "考核点提交本考点考试结果", "exam-plan.tickets": "打印考试计划准考证", "exam-plan.place": "手动分配考生", "exam-candidates.export": "导出考生名单", "exam-room.create": "新增考场", "exam-room.update": "修改考场", "exam-room.disable": "停用考场", "exam-room.enable": "启用考场",
        "course.create": "新建课程", "lesson.create": "新增课时", "study.snapshot": "学习抓拍",
        "person.register": "录入人员", "person.update": "修改人员", "person.approve": "审批通过", "person.return": "退回",
        "person.cancel": "注销人员", "person.change-request": "申请变更", "person.change-approve": "变更通过",
        "person.change-return": "变更退回", "person.change-unit": "变更单位", "person.transfer-request": "申请调入",
        "person.import": "批量导入", "person.photo": "上传照片", "person.photo-batch": "批量上传照片",
        "person.self-register": "个人注册", "person.contact": "修改联系方式", "organization.delete": "注销单位",
        "person.export": "导出人员信息", "person.review-export": "导出待审批人员",
        "exam-plan.edit": "修改考试计划", "exam-plan.edit-candidate": "修改考生", "exam-plan.import": "导入考生信息",
        "exam-plan.submit_results": "提交考试结果", "exam-plan.approve_results": "审核通过考试结果", "exam-plan.return_results": "退回考试结果",
        "exam-session.publish": "发布考场", "exam-session.apply": "申请考场", "exam-session.remove": "删除考场申请",
        "exam.identity-checked": "实名认证通过", "exam.identity-refused": "实名认证未通过", "exam.live-photo": "现场拍照",
        "exam.incident": "考场记录", "exam.submitted": "考生交卷",
        "exam-results.enter": "录入考试成绩", "exam-results.template": "下载成绩导入表", "exam-results.export": "导出考试结果",
        "exam-people.view": "查询人员考试信息",
        "audit.view": "查看审计日志", "login.address-throttled": "地址暂停登录",
        "admin.create": "创建管理员账号", "admin.reset-password": "重置管理员密码", "admin.unlock": "解除管理员锁定",
        "admin.disable": "停用管理员账号", "admin.enable": "启用管理员账号",
    ]
}
