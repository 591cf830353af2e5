import Fluent
import Foundation
import SafeCertCore
import Vapor

/// The exam day at the centre: 实名认证 (seed 000 5.2.2) with the ID-card reader's local service
/// or a recorded manual check, the live photo beside the registration and card photos; 正在考试
/// (5.2.4), the room's state with the invigilator's incident log; and the exam client's progress
/// reports, refused for anyone who wasn't checked ("no check, no exam").
enum ExamDayRoutes {
    static func register(_ routes: any RoutesBuilder) {
        routes.page(.identity, .checkIdentity, use: identityPage)
        routes.action(.identityCheck, .checkIdentity, maxBody: "2mb", use: check)
        routes.action(.identityLivePhoto(.key), .checkIdentity, maxBody: "2mb", use: livePhoto)
        routes.page(.identityImage(.key), .checkIdentity, use: image)
        routes.page(.live, .superviseExams, use: livePage)
        routes.action(.liveIncident, .superviseExams, use: addIncident)
    }

    /// The plan and room chosen on the page (`plan`, `room` query or form fields), among the plans
    /// the account sees and the plan's rooms (an exam centre's own only).
    struct Choice {
        var plans: [ExamPlanRecord]
        var plan: ExamPlanRecord?
        var rooms: [ExamRoom]
        var room: ExamRoom?
    }

    static func choose(_ req: Request, _ user: CurrentUser, planID: UUID?, roomID: UUID?) async throws -> Choice {
        let plans = try await ExamPlanStore.scoped(req, user).filter(\.$state ~~ ExamPlanPolicy.sorted(ExamPlanPolicy.dayStates)).sort(\.$startAt, .descending).limit(100).all()
        let plan = plans.first { $0.id == planID } ?? (planID == nil ? plans.first : nil)
        var rooms: [ExamRoom] = []
        if let plan {
            var links = try ExamPlanRoom.query(on: req.db).filter(\.$plan.$id == plan.requireID())
            if user.role == .examCentre, let org = user.organizationID { links = links.filter(\.$centreID == org) }
            rooms = try await links.with(\.$room).all().map(\.room).sorted { $0.name < $1.name }
        }
        // No room asked for: the one last chosen for this plan (实名认证 and 正在考试 share it), else the first.
        let remembered = roomID == nil ? rememberedRoom(req, planID: plan?.id) : nil
        let room = rooms.first { $0.id == roomID } ?? rooms.first { $0.id == remembered } ?? (roomID == nil ? rooms.first : nil)
        return Choice(plans: plans, plan: plan, rooms: rooms, room: room)
    }

    /// The cookie keeping the plan and room last chosen on the exam-day pages ("plan:room"); it
    /// only preselects — `choose` still finds the room among the account's own.
    static let roomCookie = "safecert_exam_room"

    static func rememberedRoom(_ req: Request, planID: UUID?) -> UUID? {
        guard let planID, let value = req.cookies[roomCookie]?.string else { return nil }
        let parts = value.split(separator: ":")
        guard parts.count == 2, UUID(uuidString: String(parts[0])) == planID else { return nil }
        return UUID(uuidString: String(parts[1]))
    }

    static func remember(_ choice: Choice, on response: Response, req: Request) {
        guard let plan = choice.plan?.id, let room = choice.room?.id else { return }
        response.cookies[roomCookie] = HTTPCookies.Value(string: "\(plan.uuidString):\(room.uuidString)", maxAge: 12 * 3600, path: "/",
                                                         isSecure: req.application.settings.secureCookies, isHTTPOnly: true, sameSite: .lax)
    }

    // MARK: 实名认证

    struct IdentityRow: Encodable, Sendable {
        let id: String
        let name: String
        let idNumber: String
        let seat: String
        let state: String
        let stateKey: String
        let method: String?
        let reason: String?
        let registeredPhoto: String?
        let cardPhoto: String?
        let livePhoto: String?
        let livePhotoAction: String?
    }

    struct IdentityModel: Encodable, Sendable {
        let planOptions: [OrganizationForm.Option]
        let roomOptions: [OrganizationForm.Option]
        let planID: String
        let roomID: String
        let planFacts: String?
        let rows: [IdentityRow]
        let admitted: Int
        let total: Int
        let readerURL: String
        let checkAction: String
        let idTypeOptions: [OrganizationForm.Option]
    }

    static func identityPage(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let choice = try await choose(req, user, planID: req.queryText("plan").flatMap(UUID.init(uuidString:)),
                                      roomID: req.queryText("room").flatMap(UUID.init(uuidString:)))
        var rows: [IdentityRow] = []
        if let plan = choice.plan, let room = choice.room {
            let candidates = try await ExamCandidate.query(on: req.db).filter(\.$plan.$id == plan.requireID()).filter(\.$room.$id == room.requireID())
                .join(parent: \.$person).sort(\.$seatNumber).limit(500).all()
            let checks = try await IdentityCheckRecord.query(on: req.db).filter(\.$candidate.$id ~~ candidates.map { try $0.requireID() })
                .field(\.$id).field(\.$candidate.$id).field(\.$method).field(\.$manualReason).all()
            let byCandidate = Dictionary(checks.map { ($0.$candidate.id, $0) }, uniquingKeysWith: { a, _ in a })
            // Which checks carry which photos, without loading the bytes of every photo.
            let withCard = Set(try await IdentityCheckRecord.query(on: req.db).filter(\.$candidate.$id ~~ candidates.map { try $0.requireID() })
                .filter(\.$cardPhoto != nil).all(\.$candidate.$id))
            let withLive = Set(try await IdentityCheckRecord.query(on: req.db).filter(\.$candidate.$id ~~ candidates.map { try $0.requireID() })
                .filter(\.$livePhoto != nil).all(\.$candidate.$id))
            for c in candidates {
                let p = try c.joined(Person.self)
                let check = byCandidate[try c.requireID()]
                let image = SiteURL.identityImage(.id(c.id)).link
                rows.append(IdentityRow(
                    id: try c.requireID().uuidString, name: p.name, idNumber: Masking.idNumber(p.idNumber), seat: Seat<UUID>.label(c.seatNumber),
                    state: c.state.label, stateKey: c.state.rawValue, method: check?.method.label, reason: check?.manualReason,
                    registeredPhoto: p.hasPhoto ? image + "?kind=registered" : nil,
                    cardPhoto: withCard.contains(try c.requireID()) ? image + "?kind=card" : nil,
                    livePhoto: withLive.contains(try c.requireID()) ? image + "?kind=live" : nil,
                    livePhotoAction: check == nil ? nil : SiteURL.identityLivePhoto(.id(c.id)).link))
            }
        }
        let catalogue = try await CatalogueStore.load(on: req.db)
        let response = try await req.render("exams/identity", title: "实名认证", IdentityModel(
            planOptions: choice.plans.map { .init(value: try $0.requireID().uuidString, label: "\($0.serial) · \(catalogue.type(code: $0.qualificationCode)?.name ?? $0.qualificationCode) · \(ExamSchedule.beijingText($0.startAt))", selected: $0.id == choice.plan?.id) },
            roomOptions: choice.rooms.map { .init(value: try $0.requireID().uuidString, label: $0.name, selected: $0.id == choice.room?.id) },
            planID: choice.plan?.id?.uuidString ?? "", roomID: choice.room?.id?.uuidString ?? "",
            planFacts: choice.plan.map { "\($0.serial)：\(ExamSchedule.beijingText($0.startAt)) 起 \($0.durationMinutes) 分钟；状态 \($0.state.label)；实名认证自开考前 \(IdentityCheck.opensBeforeStartHours) 小时开放至考试结束" },
            rows: rows, admitted: rows.filter { $0.stateKey != Attendance.notArrived.rawValue && $0.stateKey != Attendance.absent.rawValue }.count,
            total: rows.count, readerURL: req.application.settings.idReaderURL, checkAction: SiteURL.identityCheck.link,
            idTypeOptions: IDDocumentType.allCases.map { .init(value: $0.rawValue, label: $0.label, selected: $0 == .residentID) }))
        remember(choice, on: response, req: req)
        return response
    }

    /// What the reader (or the invigilator, for a manual check) sends.
    struct CardInput: Content {
        var plan: String
        var room: String
        var idNumber: String
        var name: String
        var validUntil: String?
        /// Base64 of the card's photo (JPEG, PNG or BMP as the reader gives it).
        var photo: String?
        var method: String?
        var reason: String?
        /// The document shown at a manual check; the reader reads resident ID cards.
        var idType: String?
    }

    struct CheckAnswer: Content {
        let ok: Bool
        let message: String
        let reasons: [String]
        let candidate: String?
        let name: String?
        let seat: String?
        let registeredPhoto: String?
        let cardPhoto: String?
        let livePhotoAction: String?
        /// The candidate's attendance after the check, as the page's table shows it.
        let state: String?
        let stateKey: String?
        let method: String?
    }

    static func readInput(_ req: Request) throws -> (CardInput, json: Bool) {
        if req.headers.contentType == .json {
            guard let input = try? req.content.decode(CardInput.self) else { throw Abort(.badRequest, reason: "读卡数据格式不正确") }
            return (input, true)
        }
        return (CardInput(plan: req.field("plan") ?? "", room: req.field("room") ?? "", idNumber: req.field("id_number") ?? "",
                          name: req.field("name") ?? "", validUntil: req.field("valid_until"), photo: nil,
                          method: req.field("method"), reason: req.field("reason"), idType: req.field("id_type")), false)
    }

    static func decodePhoto(_ base64: String?) -> Data? {
        guard var text = base64?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        if let comma = text.firstIndex(of: ","), text.hasPrefix("data:") { text = String(text[text.index(after: comma)...]) }
        guard let data = Data(base64Encoded: text), data.count <= 1_000_000 else { return nil }
        return data
    }

    /// A refusal thrown inside the check's transaction, so nothing of it is kept.
    struct CheckRefused: Error { let message: String }

    /// The reader's or the manual check: the server admits only a candidate of that plan and room,
    /// not blacklisted, whose card matches the registration and whose enrolment may move to
    /// admitted. Core decides first (`IdentityCheck.decide`); only an admission is written, in one
    /// transaction that throws — and so keeps nothing — if anything changed meanwhile.
    static func check(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let (input, json) = try readInput(req)
        let method = IdentityMethod(rawValue: input.method ?? "reader") ?? .reader
        let reply = CheckReply(req: req, input: input, json: json, method: method)
        let choice = try await choose(req, user, planID: UUID(uuidString: input.plan), roomID: UUID(uuidString: input.room))
        guard let plan = choice.plan, let room = choice.room, let schedule = plan.schedule else {
            return try await reply.answer(false, "请选择本考点的考试计划和考场")
        }
        let number = TextNormalizationBridge.idNumber(input.idNumber)
        let cardName = String(input.name.prefix(50))
        guard !number.isEmpty, !cardName.isEmpty else { return try await reply.answer(false, "读卡数据缺少证件号码或姓名") }
        let found = try await CheckSubject.load(plan: plan, room: room, number: number, method: method, input: input, on: req.db)
        let facts = IdentityFacts(
            planState: plan.state, schedule: schedule, now: req.now, registeredName: found.person?.name, cardName: cardName,
            cardValidUntil: input.validUntil.flatMap { CalendarDate(iso: $0) ?? ExcelDate.parseText($0) },
            blacklistedUntil: found.suspendedUntil, alreadyChecked: found.alreadyChecked, method: method,
            manualReason: input.reason ?? "", enrolmentState: found.enrolment?.state)
        let refuse = { (reasons: [String]) in
            try await reply.refuse(reasons, user: user, plan: plan, room: room, number: number)
        }
        let decision = IdentityCheck.decide(facts)
        guard case .admit = decision, let candidate = found.candidate, let person = found.person, let enrolment = found.enrolment else {
            if case .refuse(let refusals) = decision { return try await refuse(refusals.map(\.message)) }
            return try await refuse([IdentityRefusal.notOnList.message])
        }
        let record = try IdentityCheckRecord(candidate, plan: plan, method: method, cardName: cardName, number: number,
                                             photo: decodePhoto(input.photo), reason: input.reason, user: user, now: req.now)
        do {
            try await admit(candidate, person: person, enrolment: enrolment, record: record, plan: plan, room: room, user: user, req: req)
        } catch let refused as CheckRefused {
            candidate.attendance = nil
            return try await refuse([refused.message])
        }
        return try await reply.answer(true, "\(person.name) 实名认证通过，座位 \(Seat<UUID>.label(candidate.seatNumber))，请拍摄现场照片",
                                      candidate: candidate, person: person, hasCardPhoto: record.cardPhoto != nil)
    }

    /// The check record, the attendance and the enrolment's move to admitted, in one transaction
    /// that throws `CheckRefused` (and keeps nothing) when another check came first or the
    /// workflow refuses.
    private static func admit(_ candidate: ExamCandidate, person: Person, enrolment: Enrolment, record: IdentityCheckRecord,
                              plan: ExamPlanRecord, room: ExamRoom, user: CurrentUser, req: Request) async throws {
        let method = record.method
        try await req.db.transaction { db in
            do {
                try await record.create(on: db)
            } catch let error as any DatabaseError where error.isConstraintFailure {
                throw CheckRefused(message: IdentityRefusal.alreadyChecked.message)
            }
            candidate.attendance = .admitted
            try await candidate.save(on: db)
            if let problem = try await EnrolmentService.apply(.checkIdentity, to: enrolment, actor: .authority, user: user, req: req, on: db,
                                                              extra: "；准考证号 \(candidate.ticketNumber)；\(method.label)") {
                throw CheckRefused(message: problem)
            }
            try await req.audit(user, "exam.identity-checked", on: db, target: "exam-candidate", candidate.id?.uuidString,
                                summary: "\(plan.serial) \(room.name) \(Seat<UUID>.label(candidate.seatNumber)) \(person.name)（\(Masking.idNumber(record.cardIDNumber))）实名认证通过（\(method.label)）"
                                       + (record.manualReason.map { "；原因：\($0)" } ?? ""))
        }
    }

    /// Who the card names on this plan's room list, and what the rule needs to know about them.
    struct CheckSubject {
        var candidate: ExamCandidate?
        var person: Person?
        var enrolment: Enrolment?
        var alreadyChecked = false
        var suspendedUntil: CalendarDate?

        static func load(plan: ExamPlanRecord, room: ExamRoom, number: String, method: IdentityMethod, input: CardInput,
                         on db: any Database) async throws -> CheckSubject {
            // The reader reads resident ID cards; a manual check names the document shown.
            let documentType = method == .reader ? .residentID : input.idType.flatMap(IDDocumentType.init(rawValue:)) ?? .residentID
            var subject = CheckSubject()
            subject.candidate = try await ExamCandidate.query(on: db).filter(\.$plan.$id == plan.requireID()).filter(\.$room.$id == room.requireID())
                .join(parent: \.$person).filter(Person.self, \.$idNumber == number).filter(Person.self, \.$idType == documentType).first()
            guard let found = subject.candidate else { return subject }
            let person = try found.joined(Person.self)
            subject.person = person
            subject.alreadyChecked = try await IdentityCheckRecord.query(on: db).filter(\.$candidate.$id == found.requireID()).count() > 0
            subject.enrolment = try await Enrolment.find(found.$enrolment.id, on: db)
            subject.suspendedUntil = try await EnrolmentService.suspendedUntil(personID: person.requireID(), on: db)
            return subject
        }
    }

    /// The check's answer: JSON for the reader's page script, a flash and a redirect for the form.
    struct CheckReply {
        let req: Request
        let input: CardInput
        let json: Bool
        let method: IdentityMethod

        func answer(_ ok: Bool, _ message: String, reasons: [String] = [], candidate: ExamCandidate? = nil, person: Person? = nil,
                    hasCardPhoto: Bool = false) async throws -> Response {
            if json {
                let image = candidate.map { SiteURL.identityImage(.id($0.id)).link }
                return try await CheckAnswer(ok: ok, message: message, reasons: reasons, candidate: candidate?.id?.uuidString, name: person?.name,
                                             seat: candidate.map { Seat<UUID>.label($0.seatNumber) },
                                             registeredPhoto: person?.hasPhoto == true ? image.map { $0 + "?kind=registered" } : nil,
                                             cardPhoto: hasCardPhoto ? image.map { $0 + "?kind=card" } : nil,
                                             livePhotoAction: candidate.map { SiteURL.identityLivePhoto(.id($0.id)).link },
                                             state: ok ? candidate?.state.label : nil, stateKey: ok ? candidate?.state.rawValue : nil,
                                             method: ok ? method.label : nil)
                    .encodeResponse(status: ok ? .ok : .unprocessableEntity, for: req)
            }
            try await req.flash(ok ? .success : .error, ([message] + reasons).joined(separator: "："))
            let chosen = [("plan", UUID(uuidString: input.plan)), ("room", UUID(uuidString: input.room))]
                .compactMap { name, id in id.map { "\(name)=\($0.uuidString)" } }
            return req.redirect(to: SiteURL.identity.link + (chosen.isEmpty ? "" : "?" + chosen.joined(separator: "&")))
        }

        /// A refusal is audited (masked ID number) and answered with its reasons.
        func refuse(_ reasons: [String], user: CurrentUser, plan: ExamPlanRecord, room: ExamRoom, number: String) async throws -> Response {
            try await req.audit(user, "exam.identity-refused", target: "exam-plan", plan.id?.uuidString,
                                summary: "\(room.name) 实名认证未通过：\(Masking.idNumber(number))（\(method.label)）：" + reasons.joined(separator: "；"))
            return try await answer(false, "实名认证未通过", reasons: reasons)
        }
    }

    /// The candidates of the plans the account sees (an exam centre: only in its rooms).
    static func visibleCandidate(_ req: Request, _ user: CurrentUser) async throws -> ExamCandidate {
        guard let c = try await ExamCandidate.query(on: req.db).filter(\.$id == req.idParameter()).first(),
              try await ExamPlanStore.scoped(req, user).filter(\.$id == c.$plan.id).count() > 0 else { throw Abort(.notFound) }
        if user.role == .examCentre, let org = user.organizationID,
           try await ExamRoom.query(on: req.db).filter(\.$id == c.$room.id).filter(\.$centre.$id == org).count() == 0 {
            throw Abort(.notFound)
        }
        return c
    }

    struct PhotoInput: Content { var photo: String }

    /// The live photo the page's webcam takes after the check (现场拍照); taking it again replaces it.
    static func livePhoto(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let c = try await visibleCandidate(req, user)
        guard let record = try await IdentityCheckRecord.query(on: req.db).filter(\.$candidate.$id == c.requireID()).first() else {
            throw Abort(.conflict, reason: "请先完成实名认证再拍照")
        }
        let raw = (try? req.content.decode(PhotoInput.self).photo) ?? req.field("photo")
        guard let data = decodePhoto(raw), data.starts(with: [0xFF, 0xD8]) else {
            throw Abort(.unprocessableEntity, reason: "现场照片应为 JPEG 图像（不超过 1 MB）")
        }
        record.livePhoto = data
        try await req.db.transaction { db in
            try await record.save(on: db)
            try await req.audit(user, "exam.live-photo", on: db, target: "exam-candidate", c.id?.uuidString,
                                summary: "现场拍照（准考证号 \(c.ticketNumber)，\(data.count / 1024) KB）")
        }
        return try await ["ok": "true", "livePhoto": SiteURL.identityImage(.id(c.id)).link + "?kind=live"].encodeResponse(for: req)
    }

    /// The registration, card or live photo of a candidate.
    static func image(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let c = try await visibleCandidate(req, user)
        let data: Data?
        switch req.queryText("kind") {
        case "card": data = try await IdentityCheckRecord.query(on: req.db).filter(\.$candidate.$id == c.requireID()).first()?.cardPhoto
        case "live": data = try await IdentityCheckRecord.query(on: req.db).filter(\.$candidate.$id == c.requireID()).first()?.livePhoto
        default: data = try await PersonPhoto.query(on: req.db).filter(\.$person.$id == c.$person.id).first()?.jpeg
        }
        guard let data else { throw Abort(.notFound) }
        var headers = HTTPHeaders()
        let type: HTTPMediaType = data.starts(with: [0x89, 0x50]) ? .png : data.starts(with: [0x42, 0x4D]) ? HTTPMediaType(type: "image", subType: "bmp") : .jpeg
        headers.contentType = type
        headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }

    // MARK: 正在考试

    struct LiveRow: Encodable, Sendable {
        let name: String
        let idNumber: String
        let seat: String
        let state: String
        let stateKey: String
        let progress: String
        let percent: Int
    }

    struct IncidentRow: Encodable, Sendable {
        let time: String
        let text: String
        let author: String
        let candidate: String?
    }

    struct LiveModel: Encodable, Sendable {
        let planOptions: [OrganizationForm.Option]
        let roomOptions: [OrganizationForm.Option]
        let planID: String
        let roomID: String
        let planFacts: String?
        let counts: [OrganizationForm.Option]
        let rows: [LiveRow]
        let incidents: [IncidentRow]
        let incidentAction: String?
        let candidateOptions: [OrganizationForm.Option]
        let refreshedAt: String
    }

    static func livePage(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let choice = try await choose(req, user, planID: req.queryText("plan").flatMap(UUID.init(uuidString:)),
                                      roomID: req.queryText("room").flatMap(UUID.init(uuidString:)))
        var live = LiveRoom()
        if let plan = choice.plan, let room = choice.room { live = try await LiveRoom.load(plan, room, on: req.db) }
        let rows = live.rows
        let counts = Attendance.allCases.map { a in
            OrganizationForm.Option(value: a.rawValue, label: "\(a.label) \(rows.filter { $0.stateKey == a.rawValue }.count)")
        }
        let mayWrite = user.role == .examCentre && choice.plan.map { ExamPlanPolicy.dayStates.contains($0.state) } == true
        let response = try await req.render("exams/live", title: "正在考试", LiveModel(
            planOptions: choice.plans.map { .init(value: try $0.requireID().uuidString, label: "\($0.serial) · \(ExamSchedule.beijingText($0.startAt)) · \($0.state.label)", selected: $0.id == choice.plan?.id) },
            roomOptions: choice.rooms.map { .init(value: try $0.requireID().uuidString, label: $0.name, selected: $0.id == choice.room?.id) },
            planID: choice.plan?.id?.uuidString ?? "", roomID: choice.room?.id?.uuidString ?? "",
            planFacts: choice.plan.flatMap { p in p.schedule.map { "\(p.serial)：\(ExamSchedule.beijingText($0.start)) 至 \(ExamSchedule.beijingText($0.end))；状态 \(p.state.label)" } },
            counts: counts, rows: rows, incidents: live.incidents,
            incidentAction: mayWrite && choice.room != nil ? SiteURL.liveIncident.link : nil,
            candidateOptions: live.options, refreshedAt: ExamSchedule.beijingText(req.now)))
        remember(choice, on: response, req: req)
        return response
    }

    /// One room of a plan during the exam: its candidates with their progress, the invigilator's
    /// notes, and the candidates a note may name.
    struct LiveRoom {
        var rows: [LiveRow] = []
        var incidents: [IncidentRow] = []
        var options: [OrganizationForm.Option] = []

        static func load(_ plan: ExamPlanRecord, _ room: ExamRoom, on db: any Database) async throws -> LiveRoom {
            var live = LiveRoom()
            let candidates = try await ExamCandidate.query(on: db).filter(\.$plan.$id == plan.requireID()).filter(\.$room.$id == room.requireID())
                .join(parent: \.$person).sort(\.$seatNumber).limit(500).all()
            var names: [UUID: String] = [:]
            for c in candidates {
                let p = try c.joined(Person.self)
                let id = try c.requireID()
                names[id] = "\(Seat<UUID>.label(c.seatNumber)) \(p.name)"
                let total = c.progressTotal ?? 0
                let answered = c.progressAnswered ?? 0
                live.rows.append(LiveRow(name: p.name, idNumber: Masking.idNumber(p.idNumber), seat: Seat<UUID>.label(c.seatNumber),
                                         state: c.state.label, stateKey: c.state.rawValue,
                                         progress: total > 0 ? "\(answered)/\(total)" : "—", percent: total > 0 ? answered * 100 / total : 0))
                live.options.append(.init(value: id.uuidString, label: names[id] ?? p.name))
            }
            live.incidents = try await ExamIncident.query(on: db).filter(\.$planID == plan.requireID()).filter(\.$roomID == room.requireID())
                .sort(\.$createdAt, .descending).limit(200).all().map {
                    IncidentRow(time: ExamSchedule.beijingText($0.createdAt), text: $0.text, author: $0.author, candidate: $0.candidateID.flatMap { names[$0] })
                }
            return live
        }
    }

    /// 考场记录: the invigilator notes what happened, optionally about one candidate.
    static func addIncident(_ req: Request, _ user: CurrentUser) async throws -> Response {
        guard user.role == .examCentre else { throw Abort(.forbidden, reason: "只有考核点可以记录考场情况") }
        let planID = req.field("plan").flatMap(UUID.init(uuidString:))
        let roomID = req.field("room").flatMap(UUID.init(uuidString:))
        let choice = try await choose(req, user, planID: planID, roomID: roomID)
        guard let plan = choice.plan, let room = choice.room, plan.id == planID, room.id == roomID else { throw Abort(.notFound) }
        let back = SiteURL.live.link + "?plan=\(try plan.requireID().uuidString)&room=\(try room.requireID().uuidString)"
        let text = (req.field("text") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, text.count <= 500 else {
            try await req.flash(.error, "考场记录：请填写内容（不超过 500 字）")
            return req.redirect(to: back)
        }
        var candidateID: UUID?
        if let raw = req.field("candidate").flatMap(UUID.init(uuidString:)),
           try await ExamCandidate.query(on: req.db).filter(\.$id == raw).filter(\.$plan.$id == plan.requireID()).filter(\.$room.$id == room.requireID()).count() > 0 {
            candidateID = raw
        }
        let incident = ExamIncident()
        incident.planID = try plan.requireID()
        incident.roomID = try room.requireID()
        incident.candidateID = candidateID
        incident.text = text
        incident.author = user.displayName
        incident.createdAt = req.now
        try await req.db.transaction { db in
            try await incident.create(on: db)
            try await req.audit(user, "exam.incident", on: db, target: "exam-plan", plan.id?.uuidString,
                                summary: "\(room.name) 考场记录：\(text)")
        }
        try await req.flash(.success, "已记录")
        return req.redirect(to: back)
    }
}

extension ExamDayRoutes {
    struct ProgressInput: Content {
        var answered: Int?
        var total: Int?
        var submitted: Bool?
    }

    struct ProgressDTO: Content {
        let ticketNumber: String
        let attendance: String
        let answered: Int?
        let total: Int?
    }

    /// `POST /api/v1/exam-candidates/{ticket}/progress` by the exam centre's exam client: answered
    /// of total, or submitted. Refused (409) for a candidate who didn't pass the identity check.
    static func apiProgress(_ req: Request) async throws -> ProgressDTO {
        let org = try req.apiOrganization()
        guard org.kind == .examCentre else { throw Abort(.forbidden, reason: "只有考核点的接口密钥可以上报考试进度") }
        let ticket = req.parameter(.ticket)
        guard let c = try await ExamCandidate.query(on: req.db).filter(\.$ticketNumber == ticket).join(parent: \.$plan).join(parent: \.$room)
            .filter(ExamRoom.self, \.$centre.$id == org.requireID()).first() else { throw Abort(.notFound, reason: "未找到该准考证号的考生") }
        let input = try req.content.decode(ProgressInput.self)
        let report: ExamAttendanceRule.Report = input.submitted == true ? .submit : .progress(answered: input.answered ?? -1, total: input.total ?? 0)
        let plan = try c.joined(ExamPlanRecord.self)
        do {
            c.attendance = try ExamAttendanceRule.apply(report, to: c.state, planState: plan.state)
        } catch {
            throw Abort(.conflict, reason: error.message)
        }
        if case .progress(let answered, let total) = report {
            c.progressAnswered = answered
            c.progressTotal = total
        } else {
            c.submittedAt = req.now
        }
        try await c.save(on: req.db)
        if input.submitted == true {
            let actor = AuditActor(accountID: nil, name: "接口密钥（\(org.name)）", organizationID: org.id, organizationName: org.name, ip: req.clientIP)
            try await Audit.record(on: req.db, actor: actor, action: "exam.submitted", targetType: "exam-candidate", targetID: c.id?.uuidString,
                                   summary: "考生交卷（准考证号 \(c.ticketNumber)）", at: req.now)
        }
        return ProgressDTO(ticketNumber: c.ticketNumber, attendance: c.state.rawValue, answered: c.progressAnswered, total: c.progressTotal)
    }
}
