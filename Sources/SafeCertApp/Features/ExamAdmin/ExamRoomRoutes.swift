import Fluent
import Foundation
import SafeCertCore
import Vapor

/// 考场维护 (seed 000 5.2.1): the exam centre adds, edits, views and disables its rooms; they
/// are never deleted. Authorities and the national centre see the rooms of their region.
enum ExamRoomRoutes {
    static func register(_ routes: any RoutesBuilder) {
        routes.page(.examRooms, .viewExamRooms, use: list)
        routes.page(.examRoomNew, .manageExamRooms, use: new)
        routes.action(.examRooms, .manageExamRooms, use: create)
        routes.page(.examRoom(.key), .viewExamRooms, use: show)
        routes.page(.examRoomEdit(.key), .manageExamRooms, use: edit)
        routes.action(.examRoom(.key), .manageExamRooms, use: update)
    }

    struct Row: Encodable, Sendable {
        let name: String
        let centre: String
        let kind: String
        let capacity: Int
        let address: String
        let ipRange: String
        let disabled: Bool
        let href: String
    }

    struct ListModel: Encodable, Sendable {
        let rows: [Row]
        let pagination: Pagination
        let name: String
        let kindOptions: [OrganizationForm.Option]
        let status: String
        let canManage: Bool
    }

    static func scoped(_ req: Request, _ user: CurrentUser) -> QueryBuilder<ExamRoom> {
        ExamRoom.query(on: req.db).scoped(to: user.scope, role: user.role, regionCode: user.regionCode)
    }

    static func list(_ req: Request, _ user: CurrentUser) async throws -> Response {
        var query = scoped(req, user)
        let name = req.queryText("name")
        if let name { query = query.filter(\.$name ~~ name) }
        let kind = req.queryText("kind").flatMap(ExamRoomKind.init(rawValue:))
        if let kind { query = query.filter(\.$kind == kind) }
        let status = req.queryText("status")
        if status == "active" { query = query.filter(\.$disabled == false) } else if status == "disabled" { query = query.filter(\.$disabled == true) }
        let page = try await query.with(\.$centre).sort(\.$name).sort(\.$id).page(for: req)
        return try await req.render("exams/rooms", title: "考场维护", ListModel(
            rows: page.items.map { r in
                Row(name: r.name, centre: r.centre.name, kind: r.kind.label, capacity: r.capacity, address: r.address,
                    ipRange: r.ipRange ?? "", disabled: r.disabled, href: SiteURL.examRoom(.id(r.id)).link)
            },
            pagination: Pagination(metadata: page.metadata, path: SiteURL.examRooms.link,
                                   filters: [("name", name), ("kind", kind?.rawValue), ("status", status)]),
            name: name ?? "",
            kindOptions: ExamRoomKind.allCases.map { .init(value: $0.rawValue, label: $0.label, selected: $0 == kind) },
            status: status ?? "", canManage: user.may(.manageExamRooms)))
    }

    struct Form: Encodable, Sendable {
        var name = ""
        var kind = ExamRoomKind.computer.rawValue
        var capacity = ""
        var address = ""
        var ipRange = ""
        var disabled = false
        var errors = FieldErrors()

        init() {}

        init(_ r: ExamRoom) {
            name = r.name
            kind = r.kind.rawValue
            capacity = String(r.capacity)
            address = r.address
            ipRange = r.ipRange ?? ""
            disabled = r.disabled
        }

        static func read(_ req: Request) -> Form {
            var f = Form()
            f.name = req.field("name") ?? ""
            f.kind = req.field("kind") ?? ""
            f.capacity = req.field("capacity") ?? ""
            f.address = req.field("address") ?? ""
            f.ipRange = req.field("ip_range") ?? ""
            f.disabled = req.field("disabled") != nil
            for p in ExamRoomRules.problems(name: f.name, capacity: Int(f.capacity), kind: ExamRoomKind(rawValue: f.kind),
                                            address: f.address, ipRange: f.ipRange.nilIfEmpty) {
                f.errors.add(p.field, p.message)
            }
            return f
        }

        func apply(to r: ExamRoom) {
            r.name = name
            r.kind = ExamRoomKind(rawValue: kind) ?? .computer
            r.capacity = Int(capacity) ?? 0
            r.address = address
            r.ipRange = ipRange.nilIfEmpty.flatMap { try? IPv4Range($0).description }
            r.disabled = disabled
        }
    }

    struct FormModel: Encodable, Sendable {
        let form: Form
        let action: String
        let isNew: Bool
        let kindOptions: [OrganizationForm.Option]
    }

    static func renderForm(_ req: Request, form: Form, action: SiteURL, isNew: Bool, status: HTTPStatus = .ok) async throws -> Response {
        try await req.render("exams/room-form", title: isNew ? "新增考场" : "修改考场", FormModel(
            form: form, action: action.link, isNew: isNew,
            kindOptions: ExamRoomKind.allCases.map { .init(value: $0.rawValue, label: $0.label, selected: $0.rawValue == form.kind) }),
            status: status)
    }

    static func new(_ req: Request, _ user: CurrentUser) async throws -> Response {
        try await renderForm(req, form: Form(), action: .examRooms, isNew: true)
    }

    static func ownCentre(_ req: Request, _ user: CurrentUser) async throws -> Organization {
        guard let id = user.organizationID, let centre = try await Organization.find(id, on: req.db), centre.kind == .examCentre else {
            throw Abort(.forbidden)
        }
        return centre
    }

    static func duplicateName(_ name: String, centre: UUID, except: UUID?, on db: any Database) async throws -> Bool {
        var q = ExamRoom.query(on: db).filter(\.$centre.$id == centre).filter(\.$name == name)
        if let except { q = q.filter(\.$id != except) }
        return try await q.count() > 0
    }

    static func create(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let centre = try await ownCentre(req, user)
        var form = Form.read(req)
        if form.errors.isEmpty, try await duplicateName(form.name, centre: centre.requireID(), except: nil, on: req.db) {
            form.errors.add("name", "本考核点已有同名考场")
        }
        guard form.errors.isEmpty else { return try await renderForm(req, form: form, action: .examRooms, isNew: true, status: .unprocessableEntity) }
        let room = ExamRoom()
        room.$centre.id = try centre.requireID()
        room.regionCode = centre.regionCode
        form.apply(to: room)
        room.disabled = false
        try await req.db.transaction { db in
            try await room.create(on: db)
            try await req.audit(user, "exam-room.create", on: db, target: "exam-room", room.id?.uuidString, summary: room.auditSummary)
        }
        try await req.flash(.success, "已新增考场「\(room.name)」")
        return req.redirect(.examRooms)
    }

    static func ownRoom(_ req: Request, _ user: CurrentUser) async throws -> ExamRoom {
        guard let room = try await ExamRoom.query(on: req.db).filter(\.$id == req.idParameter())
            .filter(\.$centre.$id == user.organizationID ?? UUID()).first() else { throw Abort(.notFound) }
        return room
    }

    static func edit(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let room = try await ownRoom(req, user)
        return try await renderForm(req, form: Form(room), action: .examRoom(.id(room.id)), isNew: false)
    }

    /// 修改, including 停用 / 启用 (the manual disables a room through its edit form).
    static func update(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let room = try await ownRoom(req, user)
        var form = Form.read(req)
        if form.errors.isEmpty, try await duplicateName(form.name, centre: room.$centre.id, except: room.id, on: req.db) {
            form.errors.add("name", "本考核点已有同名考场")
        }
        guard form.errors.isEmpty else {
            return try await renderForm(req, form: form, action: .examRoom(.id(room.id)), isNew: false, status: .unprocessableEntity)
        }
        let wasDisabled = room.disabled
        form.apply(to: room)
        let action = room.disabled == wasDisabled ? "exam-room.update" : room.disabled ? "exam-room.disable" : "exam-room.enable"
        try await req.db.transaction { db in
            try await room.save(on: db)
            try await req.audit(user, action, on: db, target: "exam-room", room.id?.uuidString, summary: room.auditSummary)
        }
        try await req.flash(.success, room.disabled && !wasDisabled ? "考场已停用，不再接受新的考试计划" : "已保存")
        return req.redirect(.examRoom(.id(room.id)))
    }

    struct ShowModel: Encodable, Sendable {
        let name: String
        let facts: [PersonRoutes.ComparedField]
        let disabled: Bool
        let editHref: String?
    }

    static func show(_ req: Request, _ user: CurrentUser) async throws -> Response {
        guard let room = try await scoped(req, user).filter(\.$id == req.idParameter()).with(\.$centre).first() else { throw Abort(.notFound) }
        let facts: [(String, String)] = [("考核点", room.centre.name), ("考场名称", room.name), ("考场类型", room.kind.label),
                                        ("核定人数", "\(room.capacity) 人"), ("地址", room.address), ("IP 段", room.ipRange ?? "—"),
                                        ("状态", room.disabled ? "已停用" : "使用中")]
        return try await req.render("exams/room", title: room.name, ShowModel(
            name: room.name, facts: facts.map { .init(label: $0.0, old: $0.1, new: $0.1, changed: false) }, disabled: room.disabled,
            editHref: user.may(.manageExamRooms) && room.$centre.id == user.organizationID ? SiteURL.examRoomEdit(.id(room.id)).link : nil))
    }
}
