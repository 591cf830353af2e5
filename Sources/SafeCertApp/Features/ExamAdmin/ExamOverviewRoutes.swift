import Fluent
import Foundation
import SafeCertCore
import Vapor

/// 考试计划总览 (seed 000 5.2.6): the month's plans by day and centre, as a calendar; 人员信息查询
/// (5.2.7): one person's enrolments and sittings, for the exam centre (its own candidates only)
/// and the authorities.
enum ExamOverviewRoutes {
    static func register(_ routes: any RoutesBuilder) {
        routes.page(.examCalendar, .viewExamPlans, use: calendar)
        routes.page(.examPeople, .viewPersonRecords, use: people)
    }

    struct PlanChip: Encodable, Sendable {
        let label: String
        let title: String
        let href: String
        let stateKey: String
    }

    struct Day: Encodable, Sendable {
        let day: Int?
        let today: Bool
        let plans: [PlanChip]
    }

    struct CalendarModel: Encodable, Sendable {
        let month: String
        let previous: String
        let next: String
        let weeks: [[Day]]
        let centreOptions: [OrganizationForm.Option]
        let total: Int
    }

    /// The month's plans by day of the month, as the calendar's chips.
    static func chips(_ plans: [ExamPlanRecord], on db: any Database) async throws -> [Int: [PlanChip]] {
        let links = try await ExamPlanRoom.query(on: db).filter(\.$plan.$id ~~ plans.map { try $0.requireID() }).with(\.$room).all()
        var roomsByPlan: [UUID: [String]] = [:]
        for l in links { roomsByPlan[l.$plan.id, default: []].append(l.room.name) }
        let catalogue = try await CatalogueStore.load(on: db)
        var byDay: [Int: [PlanChip]] = [:]
        for p in plans {
            let text = ExamSchedule.beijingText(p.startAt)
            let day = Int(text.dropFirst(8).prefix(2)) ?? 0
            let qualification = catalogue.type(code: p.qualificationCode)?.name ?? p.qualificationCode
            byDay[day, default: []].append(PlanChip(
                label: "\(text.dropFirst(11)) \(qualification)",
                title: "\(p.serial) · \(p.planType.label) · \(qualification) · \((roomsByPlan[try p.requireID()] ?? []).sorted().joined(separator: "、")) · \(p.state.label)",
                href: SiteURL.examPlan(.id(p.id)).link, stateKey: p.state.rawValue))
        }
        return byDay
    }

    /// The centres whose rooms the account's plans use, to filter the calendar by.
    static func calendarCentres(_ req: Request, _ user: CurrentUser) async throws -> [Organization] {
        let centreIDs = Set(try await ExamPlanRoom.query(on: req.db).filter(\.$plan.$id ~~ (try await ExamPlanStore.scoped(req, user).limit(2_000).all(\.$id)))
            .limit(5_000).all(\.$centreID))
        return try await Organization.query(on: req.db).filter(\.$id ~~ Array(centreIDs)).sort(\.$name).limit(200).all()
    }

    static func calendar(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let today = CalendarDate.today(now: req.now)
        let (year, month) = req.queryText("month").flatMap(ExamCalendar.parseMonth) ?? (today.year, today.month)
        let next = ExamCalendar.shift(year: year, month: month, by: 1)
        guard let first = CalendarDate(year: year, month: month, day: 1),
              let after = CalendarDate(year: next.year, month: next.month, day: 1) else {
            throw Abort(.badRequest, reason: "「月份」不是有效月份：请按 YYYY-MM 填写")
        }
        var query = try await ExamPlanStore.scoped(req, user).filter(\.$startAt >= first.startOfDay()).filter(\.$startAt < after.startOfDay())
        // Centres whose rooms the visible plans use; filter by one.
        let centreID = req.queryText("centre").flatMap(UUID.init(uuidString:))
        if let centreID {
            let planIDs = try await ExamPlanRoom.query(on: req.db).filter(\.$centreID == centreID).limit(5_000).all(\.$plan.$id)
            query = query.filter(\.$id ~~ planIDs)
        }
        let plans = try await query.sort(\.$startAt).limit(1_000).all()
        let byDay = try await chips(plans, on: req.db)
        let weeks = ExamCalendar.weeks(year: year, month: month).map { week in
            week.map { d in Day(day: d?.day, today: d == today, plans: d.map { byDay[$0.day] ?? [] } ?? []) }
        }
        let centres = try await calendarCentres(req, user)
        let prev = ExamCalendar.shift(year: year, month: month, by: -1)
        func monthText(_ y: Int, _ m: Int) -> String { String(format: "%04d-%02d", y, m) }
        let centreQuery = centreID.map { "&centre=\($0.uuidString)" } ?? ""
        return try await req.render("exams/calendar", title: "考试计划总览", CalendarModel(
            month: "\(year) 年 \(month) 月", previous: "?month=\(monthText(prev.year, prev.month))" + centreQuery,
            next: "?month=\(monthText(next.year, next.month))" + centreQuery, weeks: weeks,
            centreOptions: centres.map { .init(value: try $0.requireID().uuidString, label: $0.name, selected: $0.id == centreID) }, total: plans.count))
    }

    // MARK: 人员信息查询

    struct EnrolmentRow: Encodable, Sendable {
        let qualification: String
        let state: String
        let created: String
    }

    struct SittingRow: Encodable, Sendable {
        let plan: String
        let date: String
        let room: String
        let seat: String
        let ticketNumber: String
        let attendance: String
        let theory: String
        let practical: String
        let outcome: String
        let href: String
    }

    struct PersonModel: Encodable, Sendable {
        let query: String
        let searched: Bool
        let found: Bool
        let name: String
        let idNumber: String
        let employer: String
        let photo: String?
        let enrolments: [EnrolmentRow]
        let sittings: [SittingRow]
    }

    /// The found person: full ID number only with the permission, enrolments only in the region.
    static func personModel(_ person: Person, query raw: String, sittings: [ExamCandidate], withEnrolments: Bool, user: CurrentUser,
                            on db: any Database) async throws -> PersonModel {
        let catalogue = try await CatalogueStore.load(on: db)
        let enrolments = withEnrolments
            ? try await Enrolment.query(on: db).filter(\.$person.$id == person.requireID()).sort(\.$createdAt, .descending).limit(50).all() : []
        var employer: Organization?
        if let employerID = person.$employer.id { employer = try await Organization.find(employerID, on: db) }
        return PersonModel(
            query: raw, searched: true, found: true, name: person.name,
            idNumber: user.may(.viewFullPersonalData) ? person.idNumber : Masking.idNumber(person.idNumber), employer: employer?.name ?? "—",
            photo: sittings.first.map { SiteURL.identityImage(.id($0.id)).link + "?kind=registered" },
            enrolments: enrolments.map {
                EnrolmentRow(qualification: catalogue.type(code: $0.qualificationCode)?.name ?? $0.qualificationCode, state: $0.state.label,
                             created: $0.createdAt.map { String(ExamSchedule.beijingText($0).prefix(10)) } ?? "")
            },
            sittings: try sittings.map { c in
                let plan = try c.joined(ExamPlanRecord.self)
                return SittingRow(plan: plan.serial, date: ExamSchedule.beijingText(plan.startAt), room: try c.joined(ExamRoom.self).name,
                                  seat: Seat<UUID>.label(c.seatNumber), ticketNumber: c.ticketNumber, attendance: c.state.label,
                                  theory: c.result(.theory)?.label ?? "—", practical: c.result(.practical)?.label ?? "—",
                                  outcome: plan.state == .closed ? c.outcome.map(ExamResultRoutes.label) ?? "—" : "未发布", href: SiteURL.examPlan(.id(plan.id)).link)
            })
    }

    static func people(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let raw = req.queryText("id_number") ?? ""
        let number = TextNormalizationBridge.idNumber(raw)
        var model = PersonModel(query: raw, searched: !raw.isEmpty, found: false, name: "", idNumber: "", employer: "", photo: nil, enrolments: [], sittings: [])
        guard !number.isEmpty, let person = try await Person.query(on: req.db).filter(\.$idNumber == number).first() else {
            return try await req.render("exams/people", title: "人员信息查询", model)
        }
        // Only the candidates of plans the account sees; an exam centre sees nobody else.
        let visiblePlans = try await ExamPlanStore.scoped(req, user).limit(5_000).all(\.$id)
        let sittings = try await ExamCandidate.query(on: req.db).filter(\.$person.$id == person.requireID()).filter(\.$plan.$id ~~ visiblePlans)
            .join(parent: \.$plan).join(parent: \.$room).sort(ExamPlanRecord.self, \.$startAt, .descending).limit(100).all()
        let regionVisible: Bool = {
            switch user.scope {
            case .everything: return true
            case .region: return user.scope.includes(regionCode: person.regionCode)
            default: return false
            }
        }()
        guard regionVisible || !sittings.isEmpty else {
            return try await req.render("exams/people", title: "人员信息查询", model)
        }
        model = try await personModel(person, query: raw, sittings: sittings, withEnrolments: regionVisible, user: user, on: req.db)
        try await req.audit(user, "exam-people.view", target: "person", person.id?.uuidString,
                            summary: "人员信息查询：\(person.name)（\(Masking.idNumber(person.idNumber))）")
        return try await req.render("exams/people", title: "人员信息查询", model)
    }
}
