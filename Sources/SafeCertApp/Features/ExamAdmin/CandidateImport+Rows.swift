import Fluent
import Foundation
import SafeCertCore
import Vapor

/// 导入考生信息, row by row: every row is judged in order — its format, the person, their
/// training, the room — and all of a row's problems are reported together; a row without any is
/// seated at once (`CandidateSeating`, through `ExamPlanRoutes.seatCandidate`).
struct CandidateImportRun {
    typealias Column = CandidateImportTemplate.Column

    let plan: ExamPlanRecord
    let links: [ExamPlanRoom]
    let roomIndex: [UUID: Int]
    /// Seat numbers taken per room, including this import's.
    var used: [UUID: Set<Int>]
    /// People already in the plan: a re-import skips them.
    let inPlan: Set<UUID>
    /// ID number → the first row that named it.
    var seen: [String: Int] = [:]
    private(set) var outcomes: [ImportRowProblem] = []

    /// One row's verdict: every problem found, and what happened to it if it had none.
    struct Verdict {
        var issues: [RowIssue]
        var result: (kind: ImportRowProblem.Kind, reason: String)?

        mutating func fail(_ column: Column, _ reason: String) { issues.append(RowIssue(column: column.plainTitle, reason: reason)) }

        func outcomes(row: Int) -> [ImportRowProblem] {
            (result.map { [ImportRowProblem(row: row, kind: $0.kind, column: "", reason: $0.reason)] } ?? [])
                + issues.map { ImportRowProblem(row: row, kind: .invalid, column: $0.column, reason: $0.reason) }
        }
    }

    static func start(_ plan: ExamPlanRecord, on db: any Database) async throws -> CandidateImportRun {
        let planID = try plan.requireID()
        var used: [UUID: Set<Int>] = [:]
        for c in try await ExamCandidate.query(on: db).filter(\.$plan.$id == planID).field(\.$id).field(\.$room.$id).field(\.$seatNumber).all() {
            used[c.$room.id, default: []].insert(c.seatNumber)
        }
        return CandidateImportRun(
            plan: plan, links: try await ExamPlanRoom.query(on: db).filter(\.$plan.$id == planID).with(\.$room).all(),
            roomIndex: try await ExamPlanStore.roomNumbers(planID, on: db), used: used,
            inPlan: Set(try await ExamCandidate.query(on: db).filter(\.$plan.$id == planID).all(\.$person.$id)))
    }

    mutating func importRow(_ number: Int, _ reading: CandidateImportTemplate.Reading, user: CurrentUser, req: Request) async throws {
        var verdict = Verdict(issues: reading.issues)
        try await judge(number, reading.row, &verdict, user: user, req: req)
        outcomes += verdict.outcomes(row: number)
    }

    private mutating func judge(_ number: Int, _ r: CandidateImportTemplate.Row, _ verdict: inout Verdict, user: CurrentUser,
                                req: Request) async throws {
        var chosen = links
        if let name = r.room {
            chosen = links.filter { $0.room.name == name }
            if chosen.isEmpty { verdict.fail(.room, "「\(name)」不是本考试计划的考场") }
        }
        guard !r.idNumber.isEmpty else { return }
        let id = TextNormalizationBridge.idNumber(r.idNumber)
        if let first = seen[id] { verdict.fail(.idNumber, "与第 \(first) 行重复"); return }
        seen[id] = number
        guard let person = try await Self.person(id, named: r.name, on: req.db) else {
            verdict.fail(.idNumber, "未找到该证件号码的登记人员"); return
        }
        if !r.name.isEmpty, person.name != r.name { verdict.fail(.name, "姓名「\(r.name)」与登记的「\(person.name)」不一致") }
        if inPlan.contains(try person.requireID()) {
            if verdict.issues.isEmpty { verdict.result = (.skipped, "\(person.name)：已在考生名单中，未重复导入") }
            return
        }
        if let code = r.creditCode, let problem = try await Self.employerMismatch(person, code: code, on: req.db) {
            verdict.fail(.creditCode, problem)
        }
        let enrolment = try await eligibleEnrolment(person, on: req.db)
        if enrolment == nil { verdict.fail(.idNumber, "不是本辖区该资格培训合格、待安排考试的人员") }
        guard verdict.issues.isEmpty, let e = enrolment else { return }
        guard let (link, seat) = try freeSeat(in: chosen) else { verdict.fail(.room, "考场已满"); return }
        do {
            try await place(e, row: r, link: link, seat: seat, user: user, req: req)
            verdict.result = (.imported, "\(person.name) → \(link.room.name) \(Seat<UUID>.label(seat))")
        } catch let error as AbortError {
            verdict.fail(.idNumber, error.reason)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            verdict.result = (.skipped, "\(person.name)：已在考生名单中，未重复导入")
        }
    }

    /// The template names no document type: among holders of this number (a passport and a
    /// permit may share one) the row's name decides.
    private static func person(_ id: String, named name: String, on db: any Database) async throws -> Person? {
        let holders = try await Person.query(on: db).filter(\.$idNumber == id).limit(5).all()
        return holders.first(where: { $0.name == name }) ?? holders.first
    }

    private static func employerMismatch(_ person: Person, code: String, on db: any Database) async throws -> String? {
        var employer: Organization?
        if let employerID = person.$employer.id { employer = try await Organization.find(employerID, on: db) }
        return employer?.creditCode == code ? nil : "与考生登记的工作单位（\(employer?.name ?? "无")）的统一社会信用代码不一致"
    }

    private func eligibleEnrolment(_ person: Person, on db: any Database) async throws -> Enrolment? {
        try await Enrolment.query(on: db).filter(\.$person.$id == person.requireID())
            .filter(\.$qualificationCode == plan.qualificationCode).filter(\.$state ~~ EnrolmentState.sorted(EnrolmentState.seatEligible))
            .filter(\.$regionCode =~ Region.scopePrefix(of: plan.regionCode)).first()
    }

    /// The named room, or the first with a free seat, and its lowest free number.
    private func freeSeat(in chosen: [ExamPlanRoom]) throws -> (ExamPlanRoom, Int)? {
        for link in chosen where !link.room.disabled {
            if let seat = SeatAssignment.firstFreeSeat(taken: used[try link.room.requireID()] ?? [], capacity: link.room.capacity) {
                return (link, seat)
            }
        }
        return nil
    }

    private mutating func place(_ e: Enrolment, row r: CandidateImportTemplate.Row, link: ExamPlanRoom, seat: Int, user: CurrentUser,
                                req: Request) async throws {
        let roomID = try link.room.requireID()
        let plan = plan, roomNumber = roomIndex[roomID] ?? 1
        try await req.db.transaction { db in
            let c = try await ExamPlanRoutes.seatCandidate(e, plan: plan, roomID: roomID, roomNumber: roomNumber,
                                                           number: seat, note: "导入考生", user: user, req: req, on: db)
            c.personCategory = r.category
            c.phone = r.phone
            try await c.save(on: db)
        }
        used[roomID, default: []].insert(seat)
    }
}
