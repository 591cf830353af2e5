import Fluent
import Foundation
import SafeCertCore
import SQLKit
import Vapor

/// The plan's candidates: 手动分配, 修改考生, 移出考生 (and 删除考场申请 through `takeOff`).
extension ExamPlanRoutes {
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
}
