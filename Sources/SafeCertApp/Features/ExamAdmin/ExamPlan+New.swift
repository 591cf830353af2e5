import Fluent
import Foundation
import SafeCertCore
import SQLKit
import Vapor

/// 制定考试计划: the form, its reading, the automatic draw and the new plan's seats.
extension ExamPlanRoutes {
    // MARK: New (automatic assignment)

    struct Form: Encodable, Sendable {
        var planType = ExamPlanType.initialOffline.rawValue
        var qualification = ""
        var date = ""
        var time = "09:00"
        var duration = "120"
        var count = ""
        var rooms: [String] = []
        var errors = FieldErrors()
    }

    struct RoomOption: Encodable, Sendable {
        let id: String
        let label: String
        let checked: Bool
    }

    struct FormModel: Encodable, Sendable {
        let form: Form
        let typeOptions: [OrganizationForm.Option]
        let qualificationOptions: [OrganizationForm.Option]
        let rooms: [RoomOption]
        let eligibleNote: String
        let session: Bool
        let action: String
    }

    static func renderForm(_ req: Request, _ user: CurrentUser, form: Form, status: HTTPStatus = .ok, session: Bool = false) async throws -> Response {
        let catalogue = try await CatalogueStore.load(on: req.db)
        let rooms = try await ExamRoom.query(on: req.db).scoped(to: user.scope, role: user.role, regionCode: user.regionCode)
            .filter(\.$disabled == false).with(\.$centre).sort(\.$name).limit(200).all()
        return try await req.render("exams/plan-form", title: session ? "发布考场" : "制定考试计划", FormModel(
            form: form,
            typeOptions: ExamPlanType.allCases.map { .init(value: $0.rawValue, label: $0.label, selected: $0.rawValue == form.planType) },
            qualificationOptions: catalogue.types.map { .init(value: $0.code, label: $0.name, selected: $0.code == form.qualification) },
            rooms: rooms.map { RoomOption(id: try $0.requireID().uuidString, label: "\($0.centre.name) · \($0.name)（\($0.kind.label)，\($0.capacity) 人）",
                                          checked: form.rooms.contains(try $0.requireID().uuidString)) },
            eligibleNote: "从培训合格（已通过培训结果审核）且尚未安排考试的人员中随机抽取",
            session: session, action: session ? SiteURL.examSessions.link : SiteURL.examPlans.link), status: status)
    }

    static func new(_ req: Request, _ user: CurrentUser) async throws -> Response {
        var form = Form()
        form.date = CalendarDate.today(now: req.now).adding(days: 7).iso
        return try await renderForm(req, user, form: form)
    }

    /// The region a new plan belongs to, and its level: an institution's plan is its city's.
    static func planRegion(_ user: CurrentUser) -> (String, ExamPlanLevel) {
        switch user.role {
        case .provinceAuthority: return (user.regionCode, .province)
        default: return (user.regionCode, .city)
        }
    }

    /// The plan form as typed, checked; shared by 制定考试计划 and 发布考场 (which has no count).
    static func readForm(_ req: Request, _ user: CurrentUser, session: Bool)
        async throws -> (form: Form, type: ExamPlanType?, schedule: ExamSchedule?, count: Int?, rooms: [ExamRoom]) {
        var form = Form()
        form.planType = req.field("plan_type") ?? ""
        form.qualification = req.field("qualification") ?? ""
        form.date = req.field("date") ?? ""
        form.time = req.field("time") ?? ""
        form.duration = req.field("duration") ?? ""
        form.count = req.field("count") ?? ""
        form.rooms = (try? req.content.get([String].self, at: "rooms")) ?? []
        let catalogue = try await CatalogueStore.load(on: req.db)
        let type = ExamPlanType(rawValue: form.planType)
        if type == nil { form.errors.add("plan_type", "请选择考试类型") }
        if catalogue.type(code: form.qualification) == nil { form.errors.add("qualification", "请选择资格类型") }
        let schedule = readSchedule(&form, now: req.now)
        let count = Int(form.count)
        if !session && !(1...20_000).contains(count ?? 0) { form.errors.add("count", "考生人数须为 1–20000 的整数") }
        let roomIDs = form.rooms.compactMap(UUID.init(uuidString:))
        let rooms = roomIDs.isEmpty ? [] : try await ExamRoom.query(on: req.db).scoped(to: user.scope, role: user.role, regionCode: user.regionCode)
            .filter(\.$id ~~ roomIDs).sort(\.$name).all()
        if rooms.isEmpty && (session || type?.usesExamRooms != false) { form.errors.add("rooms", "请选择考场") }
        if let disabled = rooms.first(where: \.disabled) { form.errors.add("rooms", "考场「\(disabled.name)」已停用，不能安排考试") }
        return (form, type, schedule, count, rooms)
    }

    /// The date, time and duration typed (Beijing time), checked: a real moment after now and a
    /// duration `ExamSchedule` accepts; problems go on the fields.
    static func readSchedule(_ form: inout Form, now: Date) -> ExamSchedule? {
        let start = CalendarDate(input: form.date).flatMap { day -> Date? in
            let parts = form.time.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, parts.allSatisfy({ (1...2).contains($0.count) }), let hour = Int(parts[0]), let minute = Int(parts[1]),
                  (0...23).contains(hour), (0...59).contains(minute) else { return nil }
            return ChinaTime.startOfDay(day).addingTimeInterval(TimeInterval(hour * 3600 + minute * 60))
        }
        if start == nil { form.errors.add("date", "请填写考试日期和开始时间（如 2026-12-01 09:00）") }
        var schedule: ExamSchedule?
        if let start, let minutes = Int(form.duration) {
            do { schedule = try ExamSchedule(start: start, durationMinutes: minutes) } catch { form.errors.add("duration", error.message) }
        } else {
            form.errors.add("duration", "请填写考试时长（分钟，1–1440）")
        }
        if let start, start <= now { form.errors.add("date", "考试时间须晚于现在") }
        return schedule
    }

    static func create(_ req: Request, _ user: CurrentUser) async throws -> Response {
        guard let actor = ExamPlanActor(role: user.role), let orgID = user.organizationID else { throw Abort(.forbidden) }
        let read = try await readForm(req, user, session: false)
        var form = read.form
        let (type, schedule, count, rooms) = (read.type, read.schedule, read.count, read.rooms)
        guard form.errors.isEmpty, let type, let schedule, let count else { return try await renderForm(req, user, form: form, status: .unprocessableEntity) }

        let (region, level) = planRegion(user)
        let state: ExamPlanState
        do { state = try ExamPlanWorkflow.create(by: actor, level: level) } catch { throw Abort(.forbidden, reason: error.message) }
        let eligible = try await drawEligible(qualification: form.qualification, region: region, on: req.db)
        var seedSource = SystemRandomNumberGenerator()
        let seed = seedSource.next() >> 1
        let seating = try rooms.map { SeatingRoom(id: try $0.requireID(), centreID: $0.$centre.id, name: $0.name, capacity: $0.capacity, isEnabled: !$0.disabled) }
        let eligibleIDs = try eligible.map { try $0.requireID() }
        let draw: SeatDraw<UUID>
        do {
            draw = try SeatAssignment.automatic(eligible: eligibleIDs, count: count, rooms: seating, seed: seed)
        } catch {
            form.errors.add("rooms", error.message)
            return try await renderForm(req, user, form: form, status: .unprocessableEntity)
        }
        if draw.seats.isEmpty {
            form.errors.add("count", "没有符合条件的考生：本辖区该资格培训合格且尚未安排考试的人员为 0")
            return try await renderForm(req, user, form: form, status: .unprocessableEntity)
        }
        let plan = ExamPlanRecord(serial: ExamPlanSerial(.plan, day: CalendarDate.today(now: req.now), digits: Tokens.digits(5)).text,
                                  type: type, qualification: form.qualification, level: level, region: region, schedule: schedule,
                                  state: state, createdBy: orgID)
        plan.$institution.id = user.role == .trainingInstitution ? orgID : nil
        plan.drawSeed = String(seed)
        try await saveDrawn(plan, rooms: rooms, draw: draw, eligible: eligible, user: user, req: req)
        let shortfall = draw.shortfalls.map(\.message).joined(separator: "；")
        try await req.flash(draw.shortfalls.isEmpty ? .success : .warning,
                            "已制定考试计划 \(plan.serial)，分配 \(draw.seats.count) 人" + (shortfall.isEmpty ? "" : "。\(shortfall)"))
        return req.redirect(.examPlan(.id(plan.id)))
    }

    /// The eligible for a draw: trained people of the plan's region for the qualification, in a stable order.
    static func drawEligible(qualification: String, region: String, on db: any Database) async throws -> [Enrolment] {
        try await Enrolment.query(on: db).filter(\.$qualificationCode == qualification)
            .filter(\.$state == .trained).filter(\.$regionCode =~ Region.scopePrefix(of: region))
            .sort(\.$createdAt).sort(\.$id).limit(50_000).all()
    }

    /// The new plan, its rooms and the drawn seats, in one transaction.
    static func saveDrawn(_ plan: ExamPlanRecord, rooms: [ExamRoom], draw: SeatDraw<UUID>, eligible: [Enrolment], user: CurrentUser,
                          req: Request) async throws {
        let byID = Dictionary(uniqueKeysWithValues: try eligible.map { (try $0.requireID(), $0) })
        let roomIndex = Dictionary(uniqueKeysWithValues: try rooms.enumerated().map { (try $1.requireID(), $0 + 1) })
        try await req.db.transaction { db in
            try await plan.create(on: db)
            try await ExamPlanStore.linkRooms(rooms, to: plan, on: db)
            for seat in draw.seats {
                guard let e = byID[seat.candidate] else { continue }
                try await seatCandidate(e, plan: plan, roomID: seat.roomID, roomNumber: roomIndex[seat.roomID] ?? 0, number: seat.number,
                                        note: "座位", user: user, req: req, on: db)
            }
            try await req.audit(user, "exam-plan.create", on: db, target: "exam-plan", plan.id?.uuidString,
                                summary: plan.auditSummary + "；自动分配 \(draw.seats.count) 人，随机种子 \(plan.drawSeed ?? "")")
        }
    }

    /// One seat placed by the plan's side (the draw, 手动分配, 导入考生信息): `CandidateSeating`.
    @discardableResult
    static func seatCandidate(_ e: Enrolment, plan: ExamPlanRecord, roomID: UUID, roomNumber: Int, number: Int, note: String,
                              user: CurrentUser, req: Request, on db: any Database) async throws -> ExamCandidate {
        try await CandidateSeating.place(e, in: plan, roomID: roomID, roomNumber: roomNumber, seat: number, actor: .authority,
                                         extra: "；考试计划 \(plan.serial) \(note) \(Seat<UUID>.label(number))", user: user, req: req, on: db)
    }
}
