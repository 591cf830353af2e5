import Fluent
import Foundation
import SafeCertCore
import Vapor

/// 审计日志: read-only, for the audit administrator. No route edits or deletes an entry.
enum AuditRoutes {
    static func register(_ routes: any RoutesBuilder) {
        routes.page(.audit, .viewAuditLog, use: list)
    }

    struct Row: Encodable, Sendable {
        let at: String
        let actor: String
        let organization: String
        let action: String
        let target: String
        let summary: String
        let ip: String
    }

    struct ListModel: Encodable, Sendable {
        let rows: [Row]
        let pagination: Pagination
        let actor: String
        let target: String
        let from: String
        let to: String
        let actionOptions: [OrganizationForm.Option]
    }

    static func list(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let actor = req.queryText("actor")
        let action = req.queryText("action")
        let target = req.queryText("target")
        let from = try req.queryDate("from", label: "开始日期")
        let to = try req.queryDate("to", label: "结束日期")
        var query = AuditEntry.query(on: req.db)
        if let actor { query = query.filter(\.$actor ~~ actor) }
        if let action { query = query.filter(\.$action == action) }
        if let target { query = query.filter(\.$targetID == target) }
        if let from { query = query.filter(\.$at >= ChinaTime.startOfDay(from)) }
        if let to { query = query.filter(\.$at < ChinaTime.startOfDay(to).addingTimeInterval(86_400)) }
        let page = try await query.sort(\.$at, .descending).sort(\.$id).page(for: req, per: 50)
        // The audit admin's reading is audited too (三员分立): who looked at what.
        try await req.audit(user, "audit.view", target: "audit-log", nil,
                            summary: viewSummary(actor: actor, action: action, target: target, from: from, to: to, page: page.metadata.page))
        let rows = page.items.map { entry in
            Row(at: ChinaTime.format(entry.at), actor: entry.actor, organization: entry.organizationName,
                action: Audit.actionLabels[entry.action].map { "\($0)（\(entry.action)）" } ?? entry.action,
                target: entry.targetID.map { "\(entry.targetType) \($0)" } ?? entry.targetType,
                summary: entry.summary, ip: entry.ip)
        }
        let actions = Audit.actionLabels.sorted { $0.key < $1.key }
        return try await req.render("audit/list", title: "审计日志", ListModel(
            rows: rows,
            pagination: Pagination(metadata: page.metadata, path: SiteURL.audit.link,
                                   filters: [("actor", actor), ("action", action), ("target", target), ("from", from?.iso), ("to", to?.iso)]),
            actor: actor ?? "", target: target ?? "", from: from?.iso ?? "", to: to?.iso ?? "",
            actionOptions: actions.map { .init(value: $0.key, label: $0.value, selected: $0.key == action) }))
    }
}

extension AuditRoutes {
    /// The filters of one look at the log, as the `audit.view` entry records them.
    static func viewSummary(actor: String?, action: String?, target: String?, from: CalendarDate?, to: CalendarDate?, page: Int) -> String {
        let filters = [("操作人", actor), ("操作", action), ("对象", target), ("开始日期", from?.iso), ("结束日期", to?.iso)]
            .compactMap { label, value in value.map { "\(label)=\($0)" } }
        return "查看审计日志：" + (filters.isEmpty ? "全部" : filters.joined(separator: "；")) + "；第 \(page) 页"
    }
}

/// Dates are calendar dates in Asia/Shanghai; times are stored in UTC (DESIGN.md §3).
enum ChinaTime {
    static let zone = CalendarDate.chinaTimeZone

    static func format(_ date: Date) -> String { BeijingTimestamp.format(date) }

    static func startOfDay(_ day: CalendarDate) -> Date { day.startOfDay(in: zone) }
}
