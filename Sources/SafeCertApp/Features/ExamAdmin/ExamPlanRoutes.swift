import Fluent
import Foundation
import SafeCertCore
import SQLKit
import Vapor

/// 制定考试计划 (seed 000 5.1.2): a training institution (or an authority) drafts a plan and
/// places the trained people automatically — a draw from a stored seed over the chosen rooms —
/// the owning authority submits or deletes it, the higher authority or the national centre
/// approves it, which locks it. Candidates change only until 48 hours before the start.
enum ExamPlanRoutes {
    static func register(_ routes: any RoutesBuilder) {
        routes.page(.examPlans, .viewExamPlans, use: list)
        routes.page(.examPlanNew, .draftExamPlans, use: new)
        routes.action(.examPlans, .draftExamPlans, use: create)
        routes.page(.examPlan(.key), .viewExamPlans, use: show)
        routes.action(.examPlanState(.key), .viewExamPlans, use: changeState)
        routes.action(.examPlanRemove(.key), .viewExamPlans, use: removeCandidates)
        routes.action(.examPlanPlace(.key), .viewExamPlans, use: placeCandidates)
        routes.action(.examPlanEditCandidate(.key), .viewExamPlans, use: editCandidate)
        routes.page(.examPlanEdit(.key), .viewExamPlans, use: editPlan)
        routes.action(.examPlanEdit(.key), .viewExamPlans, use: updatePlan)
    }

    // MARK: List

    struct Row: Encodable, Sendable {
        let serial: String
        let type: String
        let qualification: String
        let start: String
        let end: String
        let candidates: Int
        let state: String
        let stateKey: String
        let href: String
    }

    struct ListModel: Encodable, Sendable {
        let rows: [Row]
        let pagination: Pagination
        let serial: String
        let from: String
        let to: String
        let stateOptions: [OrganizationForm.Option]
        let centreOptions: [OrganizationForm.Option]
        let qualificationOptions: [OrganizationForm.Option]
        let canDraft: Bool
    }

    /// 考试计划查询: by serial, state, qualification, exam centre and date range.
    static func list(_ req: Request, _ user: CurrentUser) async throws -> Response {
        var query = try await ExamPlanStore.scoped(req, user)
        let serial = req.queryText("serial")
        if let serial { query = query.filter(\.$serial == serial) }
        let state = req.queryText("state").flatMap(ExamPlanState.init(rawValue:))
        if let state { query = query.filter(\.$state == state) }
        let qualification = req.queryText("qualification")
        if let qualification { query = query.filter(\.$qualificationCode == qualification) }
        let from = try req.queryDate("from", label: "开始日期")
        if let from { query = query.filter(\.$startAt >= from.startOfDay()) }
        let to = try req.queryDate("to", label: "结束日期")
        if let to { query = query.filter(\.$startAt < to.adding(days: 1).startOfDay()) }
        let centreID = req.queryText("centre").flatMap(UUID.init(uuidString:))
        if let centreID {
            query = query.filter(\.$id ~~ (try await ExamPlanRoom.query(on: req.db).filter(\.$centreID == centreID).limit(5_000).all(\.$plan.$id)))
        }
        let page = try await query.sort(\.$startAt, .descending).sort(\.$id).page(for: req)
        let catalogue = try await CatalogueStore.load(on: req.db)
        let counts = try await ExamPlanStore.candidateCounts(page.items.map { try $0.requireID() }, on: req.db)
        let rows = try page.items.map { p in
            Row(serial: p.serial, type: p.planType.label, qualification: catalogue.type(code: p.qualificationCode)?.name ?? p.qualificationCode,
                start: ExamSchedule.beijingText(p.startAt), end: p.schedule.map { ExamSchedule.beijingText($0.end) } ?? "",
                candidates: counts[try p.requireID()] ?? 0, state: p.state.label, stateKey: p.state.rawValue, href: SiteURL.examPlan(.id(p.id)).link)
        }
        let centres = try await ExamRoom.query(on: req.db).scoped(to: user.scope, role: user.role, regionCode: user.regionCode)
            .limit(500).all(\.$centre.$id)
        let centreOrgs = try await Organization.query(on: req.db).filter(\.$id ~~ Array(Set(centres))).sort(\.$name).limit(200).all()
        return try await req.render("exams/plans", title: "考试计划", ListModel(
            rows: rows,
            pagination: Pagination(metadata: page.metadata, path: SiteURL.examPlans.link,
                                   filters: [("serial", serial), ("state", state?.rawValue), ("qualification", qualification),
                                             ("from", from?.iso), ("to", to?.iso), ("centre", centreID?.uuidString)]),
            serial: serial ?? "", from: from?.iso ?? "", to: to?.iso ?? "",
            stateOptions: ExamPlanState.allCases.filter { $0 != .deleted }.map { .init(value: $0.rawValue, label: $0.label, selected: $0 == state) },
            centreOptions: centreOrgs.map { .init(value: try $0.requireID().uuidString, label: $0.name, selected: $0.id == centreID) },
            qualificationOptions: catalogue.types.map { .init(value: $0.code, label: $0.name, selected: $0.code == qualification) },
            canDraft: user.may(.draftExamPlans)))
    }

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

    // MARK: Show and act

    struct CandidateRow: Encodable, Sendable {
        let id: String
        let name: String
        let idNumber: String
        let room: String
        let seat: String
    }

    struct EventButton: Encodable, Sendable {
        let event: String
        let label: String
        let needsReason: Bool
        let danger: Bool
    }

    struct ShowModel: Encodable, Sendable {
        let id: String
        let facts: [PersonRoutes.ComparedField]
        let state: String
        let stateKey: String
        let reason: String?
        let candidates: [CandidateRow]
        let pagination: Pagination
        let events: [EventButton]
        let stateAction: String
        let removeAction: String?
        let placeAction: String?
        let editAction: String?
        let candidateOptions: [OrganizationForm.Option]
        let categoryOptions: [OrganizationForm.Option]
        let placeRooms: [OrganizationForm.Option]
        let ticketsHref: String?
        let cutoffNote: String
        let links: [OrganizationForm.Option]
        /// 修改考试计划 (date, time, duration, rooms) while the workflow allows it.
        let editPlanHref: String?
    }

    static let eventNames: [(String, ExamPlanEvent, Bool)] = [
        ("submit", .submit, false), ("approve", .approve, false), ("return", .returnToDraft(reason: "x"), true),
        ("delete", .delete, false), ("start", .start, false), ("finish", .finish, false),
        ("submit_results", .submitResults, false), ("approve_results", .approveResults, false),
        ("return_results", .returnResults(reason: "x"), true),
    ]

    /// What the account may do to the plan, by the Core workflow and its region.
    static func allowed(_ plan: ExamPlanRecord, _ user: CurrentUser, now: Date) -> [(String, ExamPlanEvent, Bool)] {
        guard let actor = ExamPlanActor(role: user.role), let schedule = plan.schedule,
              ExamPlanPolicy.actsOnWorkflow(actor, inJurisdiction: user.scope.includes(regionCode: plan.regionCode)) else { return [] }
        let context = ExamPlanContext(level: plan.level, schedule: schedule, now: now)
        return eventNames.filter { (try? ExamPlanWorkflow.transition(plan.state, $0.1, by: actor, context: context)) != nil }
    }

    static func show(_ req: Request, _ user: CurrentUser) async throws -> Response {
        try await renderPlan(req, user, try await ExamPlanStore.findPlan(req, user))
    }

    /// The plan's facts as the page lists them.
    static func planFacts(_ plan: ExamPlanRecord, on db: any Database) async throws -> [(String, String)] {
        let catalogue = try await CatalogueStore.load(on: db)
        let rooms = try await ExamPlanRoom.query(on: db).filter(\.$plan.$id == plan.requireID()).with(\.$room).all().map(\.room.name)
        return [
            ("流水号", plan.serial), ("考试类型", plan.planType.label),
            ("资格类型", catalogue.type(code: plan.qualificationCode)?.name ?? plan.qualificationCode),
            ("开始时间", ExamSchedule.beijingText(plan.startAt)), ("结束时间", plan.schedule.map { ExamSchedule.beijingText($0.end) } ?? ""),
            ("时长", "\(plan.durationMinutes) 分钟"), ("考场", rooms.joined(separator: "、")), ("级别", plan.level.label),
            ("随机种子", plan.drawSeed ?? "—"),
        ]
    }

    /// 删除考场申请 on a session (its authority, before the exam), 移出考生 on a drawn plan.
    static func removeAction(_ plan: ExamPlanRecord, _ user: CurrentUser, mayEditCandidates: Bool) -> String? {
        if plan.isSession {
            return user.may(.publishExamSessions)
                && ExamPlanPolicy.mayRemoveApplication(inJurisdiction: user.scope.includes(regionCode: plan.regionCode), state: plan.state)
                ? SiteURL.examSessionRemove(.id(plan.id)).link : nil
        }
        return mayEditCandidates ? SiteURL.examPlanRemove(.id(plan.id)).link : nil
    }

    /// The plan page; a refused action answers with it again (`status`, the reason as a flash).
    static func renderPlan(_ req: Request, _ user: CurrentUser, _ plan: ExamPlanRecord, status: HTTPStatus = .ok) async throws -> Response {
        let page = try await ExamCandidate.query(on: req.db).filter(\.$plan.$id == plan.requireID()).join(parent: \.$person).join(parent: \.$room)
            .sort(ExamRoom.self, \.$name).sort(\.$seatNumber).page(for: req)
        let rows = try page.items.map { c in
            let p = try c.joined(Person.self)
            let r = try c.joined(ExamRoom.self)
            return CandidateRow(id: try c.requireID().uuidString, name: p.name, idNumber: Masking.idNumber(p.idNumber), room: r.name, seat: Seat<UUID>.label(c.seatNumber))
        }
        let facts = try await planFacts(plan, on: req.db)
        let events = allowed(plan, user, now: req.now)
        let mayEdit: Bool = {
            guard let actor = ExamPlanActor(role: user.role), let schedule = plan.schedule else { return false }
            return (try? checkCandidateChange(plan, user, actor: actor, schedule: schedule, now: req.now)) != nil
        }()
        let mayEditPlan: Bool = {
            guard let actor = ExamPlanActor(role: user.role), let schedule = plan.schedule, !plan.isSession else { return false }
            return (try? checkPlanEdit(plan, user, actor: actor, schedule: schedule, now: req.now)) != nil
        }()
        return try await req.render("exams/plan", title: "考试计划 \(plan.serial)", ShowModel(
            id: plan.requireID().uuidString, facts: facts.map { .init(label: $0.0, old: $0.1, new: $0.1, changed: false) },
            state: plan.state.label, stateKey: plan.state.rawValue, reason: plan.stateReason,
            candidates: rows, pagination: Pagination(metadata: page.metadata, path: SiteURL.examPlan(.id(plan.id)).link, filters: []),
            events: events.map { .init(event: $0.0, label: $0.1.action.replacingOccurrences(of: "考试计划", with: ""), needsReason: $0.2,
                                       danger: $0.0 == "delete") },
            stateAction: SiteURL.examPlanState(.id(plan.id)).link,
            removeAction: removeAction(plan, user, mayEditCandidates: mayEdit),
            placeAction: mayEdit ? SiteURL.examPlanPlace(.id(plan.id)).link : nil,
            editAction: mayEdit ? SiteURL.examPlanEditCandidate(.id(plan.id)).link : nil,
            candidateOptions: rows.map { .init(value: $0.id, label: "\($0.seat) \($0.name)（\($0.room)）") },
            categoryOptions: PersonCategory.allCases.map { .init(value: $0.rawValue, label: $0.label) },
            placeRooms: try await ExamPlanRoom.query(on: req.db).filter(\.$plan.$id == plan.requireID()).with(\.$room).all()
                .map { .init(value: try $0.room.requireID().uuidString, label: "\($0.room.name)（\($0.room.capacity) 人）") },
            ticketsHref: ExamPlanPolicy.ticketStates.contains(plan.state) ? SiteURL.examPlanTickets(.id(plan.id)).link : nil,
            cutoffNote: "考生名单可修改至 \(ExamSchedule.beijingText(plan.startAt.addingTimeInterval(-ExamSchedule.candidateCutoff)))（开考前 48 小时）",
            links: planLinks(plan, user, mayEditCandidates: mayEdit),
            editPlanHref: mayEditPlan ? SiteURL.examPlanEdit(.id(plan.id)).link : nil), status: status)
    }

    /// Whether the account may change the plan's candidates now: the workflow's `editCandidates`
    /// with the 48-hour cutoff; after approval the owning authority still may (seed 004: "在考核开始
    /// 48小时之前，可以随时添加、修改和删除考生信息"), the national centre always, audited. An
    /// authority acts only in its region.
    static func checkCandidateChange(_ plan: ExamPlanRecord, _ user: CurrentUser, actor: ExamPlanActor, schedule: ExamSchedule,
                                     now: Date) throws(ExamPlanError) {
        try ExamPlanPolicy.checkCandidateChange(state: plan.state, level: plan.level, schedule: schedule, by: actor,
                                                inJurisdiction: user.scope.includes(regionCode: plan.regionCode), now: now)
    }

    /// The plan of the request, and why its candidates may not change now (nil when they may).
    static func planForCandidateChange(_ req: Request, _ user: CurrentUser) async throws -> (ExamPlanRecord, String?) {
        let plan = try await ExamPlanStore.findPlan(req, user)
        guard let actor = ExamPlanActor(role: user.role), let schedule = plan.schedule else { throw Abort(.forbidden) }
        do {
            try checkCandidateChange(plan, user, actor: actor, schedule: schedule, now: req.now)
            return (plan, nil)
        } catch {
            return (plan, error.message)
        }
    }

    /// The plan's other pages this account may open.
    static func planLinks(_ plan: ExamPlanRecord, _ user: CurrentUser, mayEditCandidates: Bool) -> [OrganizationForm.Option] {
        var links: [OrganizationForm.Option] = []
        let id = plan.id?.uuidString ?? ""
        if user.may(.importCandidates) && mayEditCandidates {
            links.append(.init(value: SiteURL.examPlanImport(.id(plan.id)).link, label: "导入考生信息"))
        }
        if user.may(.checkIdentity) && ExamPlanPolicy.dayStates.contains(plan.state) {
            links.append(.init(value: SiteURL.identity.link + "?plan=\(id)", label: "实名认证"))
        }
        if user.may(.superviseExams) && ExamPlanPolicy.dayStates.contains(plan.state) {
            links.append(.init(value: SiteURL.live.link + "?plan=\(id)", label: "正在考试"))
        }
        if user.may(.viewExamResults) && ExamPlanPolicy.resultStates.contains(plan.state) {
            links.append(.init(value: SiteURL.examPlanResults(.id(plan.id)).link, label: "考试结果"))
        }
        return links
    }

    /// An exam centre's part in starting, finishing and submitting results (a shared plan runs on
    /// its schedule; each centre submits its own rooms), and the results' completeness before
    /// submitting: the answer when the step ends here, nil to go on with the transition.
    static func centreStep(_ name: String, plan: ExamPlanRecord, centre: UUID?, back: SiteURL, user: CurrentUser,
                           req: Request) async throws -> Response? {
        var submission: ExamCentreResults.Submission?
        if let centre {
            let (centres, submitted) = try await ExamResultRoutes.centres(of: plan, on: req.db)
            do throws(ExamCentreResultsError) {
                if name == "start" || name == "finish", !ExamCentreResults.mayRunByHand(centre: centre, centres: centres) {
                    throw .sharedPlanRunsOnSchedule
                }
                if name == "submit_results" {
                    submission = try ExamCentreResults.submit(centre: centre, centres: centres, submitted: submitted, state: plan.state)
                }
            } catch {
                try await req.flash(.error, error.message)
                return req.redirect(back)
            }
        }
        if name == "submit_results" {
            let problems = try await ExamResultRoutes.submissionProblems(plan, centre: centre, on: req.db)
            if !problems.isEmpty {
                try await req.flash(.error, "不能提交考试结果：" + problems.prefix(10).joined(separator: "；") + (problems.count > 10 ? "……共 \(problems.count) 处" : ""))
                return req.redirect(back)
            }
        }
        if let centre, case .centreSubmitted(let waiting) = submission {
            try await ExamResultRoutes.markSubmitted(plan, centre: centre, user: user, req: req, waitingFor: waiting)
            try await req.flash(.success, "已提交本考核点的考试结果，等待其他 \(waiting) 个考核点提交")
            return req.redirect(back)
        }
        return nil
    }

    /// What a transition writes besides the plan's state, inside its transaction: absences at the
    /// finish, the centres' submission marks, the published results, and on deletion everyone
    /// placed back where they stood.
    static func sideEffects(of name: String, to state: ExamPlanState, plan: ExamPlanRecord, centre: UUID?, user: CurrentUser, req: Request,
                            on db: any Database) async throws -> (passed: Int, failed: Int, absent: Int)? {
        var published: (passed: Int, failed: Int, absent: Int)?
        if name == "finish" { try await ExamScheduler.markAbsentAtFinish(plan, on: db) }
        if name == "submit_results", let centre {
            try await ExamPlanRoom.query(on: db).filter(\.$plan.$id == plan.requireID()).filter(\.$centreID == centre)
                .set(\.$resultsSubmittedAt, to: req.now).update()
        }
        if name == "return_results" {
            try await ExamPlanRoom.query(on: db).filter(\.$plan.$id == plan.requireID()).set(\.$resultsSubmittedAt, to: nil).update()
        }
        if name == "approve_results" {
            published = try await ExamResultRoutes.publish(plan, user: user, req: req, on: db)
        }
        if state == .deleted {
            let candidates = try await ExamCandidate.query(on: db).filter(\.$plan.$id == plan.requireID()).with(\.$enrolment).all()
            for c in candidates {
                _ = try await EnrolmentService.apply(.unschedule(back: c.previousState), to: c.enrolment, actor: .authority, user: user,
                                                     req: req, on: db, extra: "；考试计划 \(plan.serial) 已删除")
            }
        }
        return published
    }

    static func changeState(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let plan = try await ExamPlanStore.findPlan(req, user)
        guard let actor = ExamPlanActor(role: user.role), let schedule = plan.schedule else { throw Abort(.forbidden) }
        let name = req.field("event") ?? ""
        let reason = req.field("reason") ?? ""
        guard let (_, template, _) = eventNames.first(where: { $0.0 == name }) else { throw Abort(.badRequest, reason: "未知的操作") }
        let event: ExamPlanEvent = name == "return" ? .returnToDraft(reason: reason)
            : name == "return_results" ? .returnResults(reason: reason) : template
        let back: SiteURL = req.field("back") == "results" ? .examPlanResults(.id(plan.id)) : .examPlan(.id(plan.id))
        if !ExamPlanPolicy.actsOnWorkflow(actor, inJurisdiction: user.scope.includes(regionCode: plan.regionCode)) { throw Abort(.notFound) }
        let transition: ExamPlanTransition
        do {
            transition = try ExamPlanWorkflow.transition(plan.state, event, by: actor, context: ExamPlanContext(level: plan.level, schedule: schedule, now: req.now))
        } catch {
            try await req.flash(.error, error.message)
            return req.redirect(back)
        }
        let centre = ExamResultRoutes.actingCentre(user)
        if let answered = try await centreStep(name, plan: plan, centre: centre, back: back, user: user, req: req) { return answered }
        let before = plan.state
        plan.state = transition.state
        plan.stateReason = name == "return" || name == "return_results" ? reason : nil
        let published = try await req.db.transaction { db -> (passed: Int, failed: Int, absent: Int)? in
            let published = try await sideEffects(of: name, to: transition.state, plan: plan, centre: centre, user: user, req: req, on: db)
            try await plan.save(on: db)
            try await req.audit(user, "exam-plan.\(name)", on: db, target: "exam-plan", plan.id?.uuidString,
                                summary: "\(event.action)：\(before.label) → \(plan.state.label)" + (reason.isEmpty ? "" : "；原因：\(reason)")
                                       + (transition.requiresAudit ? "；部中心对已锁定计划的变更" : "")
                                       + (published.map { "；合格 \($0.passed) 人，不合格 \($0.failed) 人，缺考 \($0.absent) 人" } ?? ""))
            return published
        }
        if transition.state == .deleted {
            // The plan is gone: back to the list, which says so.
            try await req.flash(.success, "考试计划 \(plan.serial) 已删除，已安排的考生回到待安排考试状态")
            return req.redirect(.examPlans)
        }
        try await req.flash(.success, "\(event.action)：\(plan.state.label)" + (published.map { "，已发布：合格 \($0.passed) 人，不合格 \($0.failed) 人，缺考 \($0.absent) 人" } ?? ""))
        return req.redirect(back)
    }

    /// The enrolment waiting for this plan's exam (`EnrolmentState.seatEligible`, the plan's
    /// region and qualification) of each ID number; a number that finds none, or two people, is a
    /// problem instead.
    static func waitingEnrolments(_ numbers: ArraySlice<String>, for plan: ExamPlanRecord, problems: inout [String],
                                  on db: any Database) async throws -> [Enrolment] {
        var enrolments: [Enrolment] = []
        for number in numbers {
            // A number may be held on two documents (a passport and a permit): the people waiting for
            // this exam decide, and two of them can't be told apart by the number alone.
            let holders = try await Person.query(on: db).filter(\.$idNumber == number).limit(5).all(\.$id)
            let waiting = holders.isEmpty ? [] : try await Enrolment.query(on: db).filter(\.$person.$id ~~ holders)
                .filter(\.$qualificationCode == plan.qualificationCode).filter(\.$state ~~ EnrolmentState.sorted(EnrolmentState.seatEligible))
                .filter(\.$regionCode =~ Region.scopePrefix(of: plan.regionCode)).limit(5).all()
            guard let e = waiting.first else {
                problems.append("\(Masking.idNumber(number))：不是本辖区该资格待安排考试的人员")
                continue
            }
            if Set(waiting.map(\.$person.id)).count > 1 {
                problems.append("\(Masking.idNumber(number))：有两名使用该号码的人员（证件类型不同）待安排，请用导入考生信息并核对姓名")
                continue
            }
            enrolments.append(e)
        }
        return enrolments
    }

    /// 手动分配 (seed 000): people by ID number into one of the plan's rooms, seats after the
    /// room's highest; all or nothing.
    /// 手动分配's seats: after the room's highest (`SeatAssignment.place`), or the Core refusal.
    static func placement(_ enrolments: [Enrolment], in link: ExamPlanRoom, plan: ExamPlanRecord,
                          on db: any Database) async throws -> Result<[Seat<UUID>], SeatAssignmentError<UUID>> {
        let room = link.room
        let existing = try await ExamCandidate.query(on: db).filter(\.$plan.$id == plan.requireID()).all()
            .map { Seat(candidate: $0.$person.id, roomID: $0.$room.id, centreID: link.centreID, number: $0.seatNumber) }
        let seating = SeatingRoom(id: try room.requireID(), centreID: room.$centre.id, name: room.name, capacity: room.capacity,
                                  isEnabled: !room.disabled)
        do {
            return .success(try SeatAssignment.place(enrolments.map { $0.$person.id }, in: seating, existing: existing))
        } catch {
            return .failure(error)
        }
    }

    static func savePlacement(_ seats: [Seat<UUID>], enrolments: [Enrolment], room: ExamRoom, plan: ExamPlanRecord, user: CurrentUser,
                              req: Request) async throws {
        let roomNumber = try await ExamPlanStore.roomNumbers(plan.requireID(), on: req.db)[room.requireID()] ?? 1
        let byPerson = Dictionary(enrolments.map { ($0.$person.id, $0) }, uniquingKeysWith: { a, _ in a })
        try await req.db.transaction { db in
            for seat in seats {
                guard let e = byPerson[seat.candidate] else { continue }
                try await seatCandidate(e, plan: plan, roomID: room.requireID(), roomNumber: roomNumber, number: seat.number,
                                        note: "手动分配座位", user: user, req: req, on: db)
            }
            try await req.audit(user, "exam-plan.place", on: db, target: "exam-plan", plan.id?.uuidString,
                                summary: "手动分配 \(seats.count) 人到 \(room.name)")
        }
    }

    static func placeCandidates(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let (plan, refusal) = try await planForCandidateChange(req, user)
        if let refusal {
            try await req.flash(.error, refusal)
            return req.redirect(.examPlan(.id(plan.id)))
        }
        guard let roomID = req.field("room").flatMap(UUID.init(uuidString:)),
              let link = try await ExamPlanRoom.query(on: req.db).filter(\.$plan.$id == plan.requireID()).filter(\.$room.$id == roomID).with(\.$room).first()
        else { throw Abort(.badRequest, reason: "请选择本计划的考场") }
        let numbers = (req.field("id_numbers") ?? "").split(whereSeparator: { $0.isNewline || $0 == "," || $0 == "，" || $0 == " " })
            .map { TextNormalizationBridge.idNumber(String($0)) }.filter { !$0.isEmpty }
        var problems: [String] = []
        if numbers.isEmpty { problems.append("请填写证件号码，每行一个") }
        if numbers.count > ImportLimits.manualPlacement { problems.append("一次最多 \(ImportLimits.manualPlacement) 人") }
        let enrolments = try await waitingEnrolments(numbers.prefix(ImportLimits.manualPlacement), for: plan, problems: &problems, on: req.db)
        let room = link.room
        var seats: [Seat<UUID>] = []
        if problems.isEmpty {
            switch try await placement(enrolments, in: link, plan: plan, on: req.db) {
            case .success(let placed): seats = placed
            case .failure(let error): problems.append(error.message)
            }
        }
        guard problems.isEmpty else {
            try await req.flash(.error, "未分配任何人——" + problems.prefix(20).joined(separator: "；"))
            return req.redirect(.examPlan(.id(plan.id)))
        }
        try await savePlacement(seats, enrolments: enrolments, room: room, plan: plan, user: user, req: req)
        try await req.flash(.success, "已分配 \(seats.count) 人到「\(room.name)」")
        return req.redirect(.examPlan(.id(plan.id)))
    }

    /// 修改考生 (seed 004): another room of the plan (the room's next free seat), the person type
    /// or the phone; until 48 hours before the start, as the plan's workflow allows.
    /// 修改考生's own fields: empty leaves a field as it is; "none" clears the person type.
    static func candidateFields(_ c: ExamCandidate, category: String, phone rawPhone: String) -> [String] {
        var problems: [String] = []
        if category == "none" { c.personCategory = nil } else if category.isEmpty {
        } else if let value = PersonCategory(text: category) { c.personCategory = value } else {
            problems.append("人员类型应为 A、B 或 C")
        }
        let phone = rawPhone.trimmingCharacters(in: .whitespaces)
        if !phone.isEmpty {
            do { c.phone = try PhoneNumber(phone).value } catch { problems.append("联系电话：" + error.message) }
        }
        return problems
    }

    /// 修改考生 to another of the plan's rooms: its lowest free seat (not saved here), or why not.
    static func move(_ c: ExamCandidate, in plan: ExamPlanRecord, to roomID: UUID, links: [ExamPlanRoom],
                     on db: any Database) async throws -> String? {
        guard let link = links.first(where: { $0.room.id == roomID }) else { throw Abort(.badRequest, reason: "请选择本计划的考场") }
        if link.room.disabled { return "考场「\(link.room.name)」已停用" }
        let used = Set(try await ExamCandidate.query(on: db).filter(\.$plan.$id == plan.requireID()).filter(\.$room.$id == roomID).all(\.$seatNumber))
        guard let seat = SeatAssignment.firstFreeSeat(taken: used, capacity: link.room.capacity) else { return "考场「\(link.room.name)」已满" }
        let roomNumber = try await ExamPlanStore.roomNumbers(plan.requireID(), on: db)[roomID] ?? 1
        CandidateSeating.move(c, in: plan, roomID: roomID, roomNumber: roomNumber, seat: seat)
        return nil
    }

        static func editCandidate(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let (plan, refusal) = try await planForCandidateChange(req, user)
        if let refusal {
            try await req.flash(.error, refusal)
            return req.redirect(.examPlan(.id(plan.id)))
        }
        guard let id = req.field("candidate").flatMap(UUID.init(uuidString:)),
              let c = try await ExamCandidate.query(on: req.db).filter(\.$plan.$id == plan.requireID()).filter(\.$id == id).first()
        else { throw Abort(.badRequest, reason: "请选择本计划的考生") }
        var problems: [String] = []
        let before = "\(Seat<UUID>.label(c.seatNumber))；人员类型 \(c.personCategory?.rawValue ?? "—")；电话 \(c.phone ?? "—")"
        problems += candidateFields(c, category: req.field("category") ?? "", phone: req.field("phone") ?? "")
        let links = try await ExamPlanRoom.query(on: req.db).filter(\.$plan.$id == plan.requireID()).with(\.$room).all()
        if let roomID = req.field("room").flatMap(UUID.init(uuidString:)), roomID != c.$room.id,
           let problem = try await move(c, in: plan, to: roomID, links: links, on: req.db) {
            problems.append(problem)
        }
        guard problems.isEmpty else {
            try await req.flash(.error, "未修改——" + problems.joined(separator: "；"))
            return req.redirect(.examPlan(.id(plan.id)))
        }
        let person = try await Person.find(c.$person.id, on: req.db)
        let room = links.first { $0.room.id == c.$room.id }?.room.name ?? ""
        do {
            try await saveEdit(c, plan: plan, person: person, room: room, before: before, user: user, req: req)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            try await req.flash(.error, "未修改——该座位刚被占用，请重试")
            return req.redirect(.examPlan(.id(plan.id)))
        }
        try await req.flash(.success, "已修改：\(person?.name ?? "") \(room) \(Seat<UUID>.label(c.seatNumber))，准考证号 \(c.ticketNumber)")
        return req.redirect(.examPlan(.id(plan.id)))
    }

    static func saveEdit(_ c: ExamCandidate, plan: ExamPlanRecord, person: Person?, room: String, before: String, user: CurrentUser,
                         req: Request) async throws {
        try await req.db.transaction { db in
            try await c.save(on: db)
            try await req.audit(user, "exam-plan.edit-candidate", on: db, target: "exam-candidate", c.id?.uuidString,
                                summary: "\(plan.serial) 修改考生 \(person?.name ?? "")：\(before) → \(room) \(Seat<UUID>.label(c.seatNumber))；人员类型 \(c.personCategory?.rawValue ?? "—")；电话 \(c.phone ?? "—")")
        }
    }

    /// Takes candidates out until 48 hours before the start (and only while the plan may change).
    /// Whether each enrolment may go back is decided first; a refusal answers with the plan page
    /// and nothing is removed.
    static func removeCandidates(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let (plan, refusal) = try await planForCandidateChange(req, user)
        if let refusal {
            try await req.flash(.error, refusal)
            return req.redirect(.examPlan(.id(plan.id)))
        }
        let ids = ((try? req.content.get([String].self, at: "ids")) ?? []).compactMap(UUID.init(uuidString:))
        let candidates = try await ExamCandidate.query(on: req.db).filter(\.$plan.$id == plan.requireID()).filter(\.$id ~~ ids)
            .with(\.$enrolment).with(\.$person).all()
        return try await takeOff(candidates, from: plan, action: "exam-plan.remove-candidates", summary: "移出考生", note: "移出考试计划 \(plan.serial)",
                                 done: "已移出", user: user, req: req)
    }

    struct RemovalRefused: Error { let message: String }

    /// Takes candidates off a plan (移出考生, 删除考场申请): each enrolment goes back to where it
    /// stood (`EnrolmentWorkflow` .unschedule), decided for all of them before anything is
    /// written; a refusal — someone already checked in, for instance — answers with the plan
    /// page again (409) naming them, and nobody is removed.
    static func takeOff(_ candidates: [ExamCandidate], from plan: ExamPlanRecord, action: String, summary: String, note: String, done: String,
                        user: CurrentUser, req: Request) async throws -> Response {
        if candidates.isEmpty {
            try await req.flash(.error, "请先勾选要移出的考生")
            return req.redirect(.examPlan(.id(plan.id)))
        }
        let refused = candidates.compactMap { c -> String? in
            do throws(EnrolmentError) {
                _ = try EnrolmentWorkflow.transition(c.enrolment.state, .unschedule(back: c.previousState), context: EnrolmentContext(kind: c.enrolment.kind, actor: .authority))
                return nil
            } catch {
                return "\(c.person.name)（\(c.state.label)）：\(error.message)"
            }
        }
        if !refused.isEmpty {
            try await req.flash(.error, "未移出任何考生——" + refused.prefix(20).joined(separator: "；"))
            return try await renderPlan(req, user, plan, status: .conflict)
        }
        do {
            try await req.db.transaction { db in
                for c in candidates {
                    if let problem = try await EnrolmentService.apply(.unschedule(back: c.previousState), to: c.enrolment, actor: .authority,
                                                                      user: user, req: req, on: db, extra: "；\(note)") {
                        throw RemovalRefused(message: "\(c.person.name)：\(problem)")
                    }
                    try await c.delete(on: db)
                }
                try await req.audit(user, action, on: db, target: "exam-plan", plan.id?.uuidString,
                                    summary: "\(summary) \(candidates.count) 人：" + candidates.map(\.person.name).prefix(50).joined(separator: "、"))
            }
        } catch let refusal as RemovalRefused {
            try await req.flash(.error, "未移出任何考生——" + refusal.message)
            return try await renderPlan(req, user, plan, status: .conflict)
        }
        try await req.flash(.success, "\(done) \(candidates.count) 人")
        return req.redirect(.examPlan(.id(plan.id)))
    }

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
