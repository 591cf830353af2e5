import Fluent
import Foundation
import SafeCertCore
import SQLKit
import Vapor

/// 修改考试计划 (seed 000 5.1.2 3.): date, time, duration and rooms while the workflow allows it.
extension ExamPlanRoutes {
    // MARK: 修改考试计划 (seed 000 5.1.2 3.)

    struct EditForm: Encodable, Sendable {
        var date = ""
        var time = ""
        var duration = ""
        var rooms: [String] = []
        var errors = FieldErrors()
    }

    struct EditModel: Encodable, Sendable {
        let serial: String
        let form: EditForm
        let rooms: [RoomOption]
        let action: String
        let back: String
        let note: String
        let usesRooms: Bool
    }

    /// Whether the account may change the plan's date, time, duration and rooms now: the
    /// workflow's `edit` (the draft, by the institution or the owning authority; a locked plan
    /// only by the national centre), and an authority only in its region.
    static func checkPlanEdit(_ plan: ExamPlanRecord, _ user: CurrentUser, actor: ExamPlanActor, schedule: ExamSchedule,
                              now: Date) throws(ExamPlanError) -> ExamPlanTransition {
        try ExamPlanPolicy.checkPlanEdit(state: plan.state, level: plan.level, schedule: schedule, by: actor,
                                         inJurisdiction: user.scope.includes(regionCode: plan.regionCode), now: now)
    }

    /// The rooms the form offers: those the account may plan in, and the plan's own.
    static func editRooms(_ req: Request, _ user: CurrentUser, plan: ExamPlanRecord) async throws -> (offered: [ExamRoom], current: [ExamPlanRoom]) {
        let current = try await ExamPlanRoom.query(on: req.db).filter(\.$plan.$id == plan.requireID()).with(\.$room).all()
        let offered = try await ExamRoom.query(on: req.db).scoped(to: user.scope, role: user.role, regionCode: user.regionCode)
            .filter(\.$disabled == false).with(\.$centre).sort(\.$name).limit(200).all()
        return (offered, current)
    }

    static func renderEdit(_ req: Request, _ user: CurrentUser, plan: ExamPlanRecord, form: EditForm, status: HTTPStatus = .ok) async throws -> Response {
        let (offered, current) = try await editRooms(req, user, plan: plan)
        let centres = try await Organization.query(on: req.db).filter(\.$id ~~ Array(Set(current.map(\.centreID)))).all()
        var options = try offered.map { room in
            RoomOption(id: try room.requireID().uuidString, label: "\(room.centre.name) · \(room.name)（\(room.kind.label)，\(room.capacity) 人）",
                       checked: form.rooms.contains(try room.requireID().uuidString))
        }
        for link in current where !options.contains(where: { $0.id == link.room.id?.uuidString }) {
            let centre = centres.first { $0.id == link.centreID }?.name ?? ""
            options.append(RoomOption(id: try link.room.requireID().uuidString,
                                      label: "\(centre) · \(link.room.name)（\(link.room.capacity) 人\(link.room.disabled ? "，已停用" : "")）",
                                      checked: form.rooms.contains(try link.room.requireID().uuidString)))
        }
        return try await req.render("exams/plan-edit", title: "修改考试计划", EditModel(
            serial: plan.serial, form: form, rooms: options, action: SiteURL.examPlanEdit(.id(plan.id)).link, back: SiteURL.examPlan(.id(plan.id)).link,
            note: "已安排考生的考场不能移出（请先用“修改考生”调整到其他考场）；考生的座位号和准考证号不变。",
            usesRooms: plan.planType.usesExamRooms), status: status)
    }

    static func editPlan(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let plan = try await ExamPlanStore.findPlan(req, user)
        guard let actor = ExamPlanActor(role: user.role), let schedule = plan.schedule, !plan.isSession else { throw Abort(.forbidden) }
        do { _ = try checkPlanEdit(plan, user, actor: actor, schedule: schedule, now: req.now) } catch {
            try await req.flash(.error, error.message)
            return req.redirect(.examPlan(.id(plan.id)))
        }
        let start = ExamSchedule.beijingText(plan.startAt).split(separator: " ")
        var form = EditForm(date: start.first.map(String.init) ?? "", time: start.last.map(String.init) ?? "", duration: String(plan.durationMinutes))
        form.rooms = try await ExamPlanRoom.query(on: req.db).filter(\.$plan.$id == plan.requireID()).all(\.$room.$id).map(\.uuidString)
        return try await renderEdit(req, user, plan: plan, form: form)
    }

    struct PlanEditRefused: Error { let message: String }

    /// Saves 修改考试计划: the workflow allows it, the schedule is valid, and the rooms keep every
    /// placed candidate seated within capacity (`ExamPlanRooms.change`); rooms keep their numbers,
    /// so ticket numbers stay as issued and unique. Audited with the values before and after.
    /// How full each of the plan's rooms is, for `ExamPlanRooms.change`.
    static func roomLoads(_ current: [ExamPlanRoom], of plan: ExamPlanRecord, on db: any Database) async throws -> [PlanRoomLoad] {
        let planID = try plan.requireID()
        var loads: [PlanRoomLoad] = []
        for link in current {
            let seats = try await ExamCandidate.query(on: db).filter(\.$plan.$id == planID).filter(\.$room.$id == link.$room.id).all(\.$seatNumber)
            loads.append(PlanRoomLoad(room: try seating(link.room), seated: seats.count, highestSeat: seats.max() ?? 0))
        }
        return loads
    }

    /// The new time and rooms in one transaction, audited before → after; throws `PlanEditRefused`.
    static func savePlanEdit(_ plan: ExamPlanRecord, schedule: ExamSchedule, change: ExamPlanRooms.Change, proposed: [ExamRoom],
                         current: [ExamPlanRoom], offered: [ExamRoom], lockedChange: Bool, user: CurrentUser, req: Request) async throws {
        let planID = try plan.requireID()
        let roomName = Dictionary(try (current.map(\.room) + offered).map { (try $0.requireID(), $0.name) }, uniquingKeysWith: { a, _ in a })
        let before = plan.auditSummary + "；考场 " + current.map(\.room.name).joined(separator: "、")
        let added = change.added.map(\.id)
        let removed = change.removed.map(\.id)
        try await req.db.transaction { db in
            try await changeRooms(of: planID, removing: removed, adding: added, from: proposed, names: roomName, on: db)
            plan.startAt = schedule.start
            plan.durationMinutes = schedule.durationMinutes
            try await plan.save(on: db)
            let rooms = try await ExamPlanRoom.query(on: db).filter(\.$plan.$id == planID).all(\.$room.$id).compactMap { roomName[$0] }
            try await req.audit(user, "exam-plan.edit", on: db, target: "exam-plan", planID.uuidString,
                                summary: "修改考试计划：\(before)\n→ \(plan.auditSummary)；考场 \(rooms.joined(separator: "、"))"
                                       + (lockedChange ? "；部中心对已锁定计划的变更" : ""))
        }
    }

    static func updatePlan(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let plan = try await ExamPlanStore.findPlan(req, user)
        guard let actor = ExamPlanActor(role: user.role), let schedule = plan.schedule, !plan.isSession else { throw Abort(.forbidden) }
        let transition: ExamPlanTransition
        do { transition = try checkPlanEdit(plan, user, actor: actor, schedule: schedule, now: req.now) } catch {
            try await req.flash(.error, error.message)
            return try await renderPlan(req, user, plan, status: .conflict)
        }
        var form = EditForm(date: req.field("date") ?? "", time: req.field("time") ?? "", duration: req.field("duration") ?? "",
                            rooms: (try? req.content.get([String].self, at: "rooms")) ?? [])
        var typed = Form(date: form.date, time: form.time, duration: form.duration)
        let newSchedule = readSchedule(&typed, now: req.now)
        for field in ["date", "duration"] { if let message = typed.errors.messages[field] { form.errors.add(field, message) } }
        let (offered, current) = try await editRooms(req, user, plan: plan)
        let wanted = Set(form.rooms.compactMap(UUID.init(uuidString:)))
        var proposed: [ExamRoom] = current.map(\.room).filter { wanted.contains($0.id ?? UUID()) }
        proposed += offered.filter { room in wanted.contains(room.id ?? UUID()) && !proposed.contains { $0.id == room.id } }
        if proposed.count < wanted.count { form.errors.add("rooms", "所选考场不存在或不在您的范围内") }
        let loads = try await roomLoads(current, of: plan, on: req.db)
        var change: ExamPlanRooms.Change?
        let proposedSeating = try proposed.map(seating)
        if form.errors.isEmpty {
            do { change = try ExamPlanRooms.change(current: loads, proposed: proposedSeating, usesRooms: plan.planType.usesExamRooms) } catch {
                form.errors.add("rooms", error.message)
            }
        }
        guard form.errors.isEmpty, let newSchedule, let change else {
            return try await renderEdit(req, user, plan: plan, form: form, status: .unprocessableEntity)
        }
        do {
            try await savePlanEdit(plan, schedule: newSchedule, change: change, proposed: proposed, current: current, offered: offered,
                               lockedChange: transition.requiresAudit, user: user, req: req)
        } catch let refusal as PlanEditRefused {
            form.errors.add("rooms", refusal.message)
            return try await renderEdit(req, user, plan: plan, form: form, status: .conflict)
        }
        try await req.flash(.success, "已修改考试计划 \(plan.serial)：\(ExamSchedule.beijingText(newSchedule.start)) 起 \(newSchedule.durationMinutes) 分钟")
        return req.redirect(.examPlan(.id(plan.id)))
    }

    /// 修改考试计划's rooms, inside its transaction: room numbers are kept (those never stored
    /// are stored now, new rooms come after), a room that has candidates is not taken out.
    static func changeRooms(of planID: UUID, removing removed: [UUID], adding added: [UUID], from chosenRooms: [ExamRoom],
                            names roomName: [UUID: String], on db: any Database) async throws {
        let numbers = try await ExamPlanStore.roomNumbers(planID, on: db)
        let links = try await ExamPlanRoom.query(on: db).filter(\.$plan.$id == planID).all()
        for link in links where link.position == nil {
            link.position = numbers[link.$room.id]
            try await link.save(on: db)
        }
        for roomID in removed {
            if try await ExamCandidate.query(on: db).filter(\.$plan.$id == planID).filter(\.$room.$id == roomID).count() > 0 {
                throw PlanEditRefused(message: ExamPlanRoomsError.roomsHaveCandidates([roomName[roomID] ?? ""]).message)
            }
            try await ExamPlanRoom.query(on: db).filter(\.$plan.$id == planID).filter(\.$room.$id == roomID).delete()
        }
        var next = (numbers.values.max() ?? 0) + 1
        for roomID in added {
            guard let room = chosenRooms.first(where: { $0.id == roomID }) else { continue }
            let link = ExamPlanRoom()
            link.$plan.id = planID
            link.$room.id = roomID
            link.centreID = room.$centre.id
            link.position = next
            next += 1
            try await link.create(on: db)
        }
    }

    static func seating(_ room: ExamRoom) throws -> SeatingRoom {
        SeatingRoom(id: try room.requireID(), centreID: room.$centre.id, name: room.name, capacity: room.capacity, isEnabled: !room.disabled)
    }
}
