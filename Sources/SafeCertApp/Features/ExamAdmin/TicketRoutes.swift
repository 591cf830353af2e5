import Fluent
import Foundation
import SafeCertCore
import SafeCertDocuments
import Vapor

/// 打印准考证 (seed 002: Word or PDF; seed 003: withdrawal only until the ticket is printed).
/// Tickets exist once a plan is approved. The candidate, their enterprise or the drafting
/// institution printing a ticket marks it printed; the authorities and the exam centre can print
/// a whole plan for their records without doing so. The QR carries a signed token the identity
/// check verifies.
enum TicketRoutes {
    static func register(_ routes: any RoutesBuilder) {
        routes.page(.tickets, .viewTickets, use: list)
        routes.page(.ticket(.key), .viewTickets, use: one)
        routes.action(.ticketWithdraw(.key), .viewTickets, use: withdraw)
        routes.page(.examPlanTickets(.key), .viewExamPlans, use: plan)
        routes.page(.ticketVerify, .viewExamPlans, use: verify)
    }

    static func signer(_ req: Request) async throws -> TicketSigner {
        TicketSigner(key: try await AppSecret.key(for: "ticket-key", on: req.db))
    }

    /// The candidates whose tickets the account may print: its own (individual), its employees'
    /// (enterprise), those of plans it drafted (institution).
    static func mine(_ req: Request, _ user: CurrentUser) -> QueryBuilder<ExamCandidate> {
        let q = ExamCandidate.query(on: req.db).join(parent: \.$plan).join(parent: \.$person).join(parent: \.$room)
            .filter(ExamPlanRecord.self, \.$state ~~ ExamPlanPolicy.sorted(ExamPlanPolicy.ticketStates))
        switch user.scope {
        case .person(let id): return q.filter(\.$person.$id == id)
        case .organizations(let ids):
            if user.role == .trainingInstitution { return q.filter(ExamPlanRecord.self, \.$institution.$id ~~ ids) }
            return q.filter(Person.self, \.$employer.$id ~~ ids)
        case .region(let prefix): return q.filter(ExamPlanRecord.self, \.$regionCode =~ prefix)
        case .everything: return q
        }
    }

    struct Row: Encodable, Sendable {
        let name: String
        let ticketNumber: String
        let plan: String
        let room: String
        let seat: String
        let start: String
        let printed: Bool
        let pdf: String
        let docx: String
        let withdraw: String?
    }

    static func list(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let holder = SeatApplicationActor(ticketHolder: user.role)
        let page = try await mine(req, user).sort(ExamPlanRecord.self, \.$startAt, .descending).sort(\.$id).page(for: req)
        let rows = try page.items.map { c in
            let plan = try c.joined(ExamPlanRecord.self)
            let person = try c.joined(Person.self)
            let room = try c.joined(ExamRoom.self)
            return Row(name: person.name, ticketNumber: c.ticketNumber, plan: plan.serial, room: room.name, seat: Seat<UUID>.label(c.seatNumber),
                       start: ExamSchedule.beijingText(plan.startAt), printed: c.ticketPrintedAt != nil,
                       pdf: SiteURL.ticket(.id(c.id)).link, docx: SiteURL.ticket(.id(c.id)).link + "?format=docx",
                       withdraw: c.mayWithdraw(by: holder) ? SiteURL.ticketWithdraw(.id(c.id)).link : nil)
        }
        return try await req.render("exams/tickets", title: "打印准考证", ["rows": rows] as [String: [Row]])
    }

    static func ticket(for c: ExamCandidate, plan: ExamPlanRecord, person: Person, room: ExamRoom, signer: TicketSigner,
                       catalogue: QualificationCatalogue, on db: any Database) async throws -> AdmissionTicket {
        let centre = try await Organization.find(room.$centre.id, on: db)
        let photo = try await PersonPhoto.query(on: db).filter(\.$person.$id == person.requireID()).first()?.jpeg
        let end = plan.schedule.map { ExamSchedule.beijingText($0.end) } ?? ""
        return AdmissionTicket(
            ticketNumber: c.ticketNumber, photo: photo, name: person.name, maskedIDNumber: Masking.idNumber(person.idNumber),
            qualification: catalogue.type(code: plan.qualificationCode)?.name ?? plan.qualificationCode, examType: plan.planType.label,
            centre: centre?.name ?? "", room: room.name, seat: Seat<UUID>.label(c.seatNumber),
            date: String(ExamSchedule.beijingText(plan.startAt).prefix(10)),
            time: "\(ExamSchedule.beijingText(plan.startAt).dropFirst(11)) 至 \(end.dropFirst(11))", address: room.address,
            qrPayload: signer.sign(TicketClaims(ticketNumber: c.ticketNumber, candidateID: try c.requireID(), personID: try person.requireID())))
    }

    static func respond(_ tickets: [AdmissionTicket], docx: Bool, name: String, on req: Request) async throws -> Response {
        let data: Data = try await req.application.documentPool.run {
            docx ? try AdmissionTicketRenderer.docx(tickets) : AdmissionTicketRenderer.pdf(tickets)
        }
        var headers = HTTPHeaders()
        headers.contentType = docx ? HTTPMediaType(type: "application", subType: "vnd.openxmlformats-officedocument.wordprocessingml.document")
            : HTTPMediaType(type: "application", subType: "pdf")
        let file = (name + (docx ? ".docx" : ".pdf")).addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "ticket"
        headers.replaceOrAdd(name: .contentDisposition, value: "\(docx ? "attachment" : "inline"); filename=\"ticket\"; filename*=UTF-8''\(file)")
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }

    /// One ticket as PDF (or ?format=docx); the candidate's side printing it marks it printed.
    static func one(_ req: Request, _ user: CurrentUser) async throws -> Response {
        guard let c = try await mine(req, user).filter(\.$id == req.idParameter()).first() else { throw Abort(.notFound) }
        let plan = try c.joined(ExamPlanRecord.self)
        let person = try c.joined(Person.self)
        let room = try c.joined(ExamRoom.self)
        let catalogue = try await CatalogueStore.load(on: req.db)
        let ticket = try await ticket(for: c, plan: plan, person: person, room: room, signer: try await signer(req), catalogue: catalogue, on: req.db)
        if [.individual, .enterprise, .trainingInstitution].contains(user.role) {
            try await markPrinted([c], user: user, req: req)
        }
        return try await respond([ticket], docx: req.queryText("format") == "docx", name: "准考证-\(person.name)", on: req)
    }

    /// Marks tickets printed and their enrolments ticketed (no withdrawal from now on).
    static func markPrinted(_ candidates: [ExamCandidate], user: CurrentUser, req: Request) async throws {
        let fresh = candidates.filter { $0.ticketPrintedAt == nil }
        guard !fresh.isEmpty else { return }
        try await req.db.transaction { db in
            for c in fresh {
                c.ticketPrintedAt = req.now
                try await c.save(on: db)
                if let e = try await Enrolment.find(c.$enrolment.id, on: db) {
                    _ = try await EnrolmentService.apply(.printTicket, to: e, actor: .registrant, user: user, req: req, on: db,
                                                         extra: "；准考证号 \(c.ticketNumber)")
                }
            }
        }
    }

    /// One PDF (or .docx) for a whole plan, for those who see the plan.
    static func plan(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let plan = try await ExamPlanStore.findPlan(req, user)
        guard ExamPlanPolicy.ticketStates.contains(plan.state) else { throw Abort(.conflict, reason: "考试计划审核通过后才能打印准考证") }
        let candidates = try await ExamCandidate.query(on: req.db).filter(\.$plan.$id == plan.requireID()).join(parent: \.$person).join(parent: \.$room)
            .sort(ExamRoom.self, \.$name).sort(\.$seatNumber).limit(5_000).all()
        let catalogue = try await CatalogueStore.load(on: req.db)
        let signer = try await signer(req)
        var tickets: [AdmissionTicket] = []
        for c in candidates {
            tickets.append(try await ticket(for: c, plan: plan, person: try c.joined(Person.self), room: try c.joined(ExamRoom.self),
                                            signer: signer, catalogue: catalogue, on: req.db))
        }
        if user.role == .trainingInstitution { try await markPrinted(candidates, user: user, req: req) }
        try await req.audit(user, "exam-plan.tickets", target: "exam-plan", plan.id?.uuidString, summary: "打印准考证 \(tickets.count) 张")
        return try await respond(tickets, docx: req.queryText("format") == "docx", name: "准考证-\(plan.serial)", on: req)
    }

    /// 退考 (seed 003): the learner, or their enterprise on their behalf, only until the ticket is
    /// printed (`SeatApplicationRule.mayWithdraw`); the enrolment is withdrawn and the seat freed.
    static func withdraw(_ req: Request, _ user: CurrentUser) async throws -> Response {
        guard let holder = SeatApplicationActor(ticketHolder: user.role),
              let c = try await mine(req, user).filter(\.$id == req.idParameter()).first() else { throw Abort(.notFound) }
        guard let e = try await Enrolment.find(c.$enrolment.id, on: req.db) else { throw Abort(.notFound) }
        // From an applied-for session the learner only gives the seat back and may apply again;
        // from a drawn plan 退考 ends the enrolment's exam. The enterprise sees no session page.
        let session = try c.joined(ExamPlanRecord.self).isSession
        let back: SiteURL = session && user.may(.viewExamSessions) ? .examSessions : .tickets
        do throws(SeatApplicationError) {
            try SeatApplicationRule.mayWithdraw(ticketPrinted: c.ticketPrintedAt != nil, by: holder)
        } catch {
            try await req.flash(.error, error.message)
            return req.redirect(back)
        }
        do {
            try await SeatApplicationStore.withdraw(c, enrolment: e, fromSession: session, user: user, req: req)
            try await req.flash(.success, session ? "已退考，座位已释放" : "已退考")
        } catch let refused as CandidateSeating.Refused {
            try await req.flash(.error, refused.message)
        }
        return req.redirect(back)
    }

    struct VerifyAnswer: Content {
        let valid: Bool
        let name: String?
        let ticketNumber: String?
        let plan: String?
        let room: String?
        let seat: String?
        let reason: String?
    }

    /// The identity check's first step: the QR's token → the candidate, if this server signed it
    /// and the account sees the plan.
    static func verify(_ req: Request, _ user: CurrentUser) async throws -> Response {
        guard let token = req.queryText("token"), let claims = try await signer(req).verify(token) else {
            return try await VerifyAnswer(valid: false, name: nil, ticketNumber: nil, plan: nil, room: nil, seat: nil, reason: "准考证二维码无效")
                .encodeResponse(status: .unprocessableEntity, for: req)
        }
        let found = try await ExamCandidate.query(on: req.db).filter(\.$id == claims.candidateID)
            .join(parent: \.$plan).join(parent: \.$person).join(parent: \.$room).first()
        var inScope = false
        if let found { inScope = try await ExamPlanStore.scoped(req, user).filter(\.$id == found.$plan.id).count() > 0 }
        guard let c = found, inScope, c.ticketNumber == claims.ticketNumber, c.$person.id == claims.personID else {
            return try await VerifyAnswer(valid: false, name: nil, ticketNumber: claims.ticketNumber, plan: nil, room: nil, seat: nil,
                                          reason: "未找到该准考证，或不属于本考点的考试计划").encodeResponse(status: .notFound, for: req)
        }
        return try await VerifyAnswer(valid: true, name: try c.joined(Person.self).name, ticketNumber: c.ticketNumber,
                                      plan: try c.joined(ExamPlanRecord.self).serial, room: try c.joined(ExamRoom.self).name,
                                      seat: Seat<UUID>.label(c.seatNumber), reason: nil).encodeResponse(for: req)
    }
}
