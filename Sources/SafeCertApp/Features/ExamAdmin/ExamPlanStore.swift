import Fluent
import Foundation
import SafeCertCore
import SQLKit
import Vapor

/// The exam-plan queries several features share (plans, sessions, tickets, the exam day,
/// results, candidates): the plans an account sees, one plan of the request, the candidates per
/// plan, and the plan's rooms with their numbers.
enum ExamPlanStore {
    /// The plans with a room of the exam centre's (for an exam centre; empty for everyone else).
    static func centrePlanIDs(_ req: Request, _ user: CurrentUser) async throws -> [UUID] {
        guard user.role == .examCentre, let org = user.organizationID else { return [] }
        return try await ExamPlanRoom.query(on: req.db).filter(\.$centreID == org).limit(5_000).all(\.$plan.$id)
    }

    /// The plans the account sees (`scoped(to:)`): the one way into a tenant's plans.
    static func scoped(_ req: Request, _ user: CurrentUser) async throws -> QueryBuilder<ExamPlanRecord> {
        ExamPlanRecord.query(on: req.db).scoped(to: user.scope, role: user.role, centrePlanIDs: try await centrePlanIDs(req, user))
    }

    /// Candidates per plan, one grouped query.
    static func candidateCounts(_ planIDs: [UUID], on db: any Database) async throws -> [UUID: Int] {
        guard let sql = db as? any SQLDatabase, !planIDs.isEmpty else { return [:] }
        struct Count: Decodable { let plan_id: UUID; let n: Int }
        let counts = try await sql.select().column("plan_id").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from(ExamCandidate.schema).where("plan_id", .in, planIDs).groupBy("plan_id").all(decoding: Count.self)
        return Dictionary(counts.map { ($0.plan_id, $0.n) }, uniquingKeysWith: +)
    }

    /// The plan's rooms, numbered in the order given (the ticket number's two digits).
    static func linkRooms(_ rooms: [ExamRoom], to plan: ExamPlanRecord, on db: any Database) async throws {
        for (index, room) in rooms.enumerated() {
            let link = ExamPlanRoom()
            link.$plan.id = try plan.requireID()
            link.$room.id = try room.requireID()
            link.centreID = room.$centre.id
            link.position = index + 1
            try await link.create(on: db)
        }
    }

    /// Each room's number in the plan (the ticket number's two digits): its stored position, or
    /// for links made before positions were kept, its place in name order after them.
    static func roomNumbers(_ planID: UUID, on db: any Database) async throws -> [UUID: Int] {
        let links = try await ExamPlanRoom.query(on: db).filter(\.$plan.$id == planID).with(\.$room).all()
        var numbers: [UUID: Int] = [:]
        var next = (links.compactMap(\.position).max() ?? 0) + 1
        for l in links.sorted(by: { ($0.position ?? Int.max, $0.room.name) < ($1.position ?? Int.max, $1.room.name) }) {
            if let p = l.position { numbers[try l.room.requireID()] = p } else { numbers[try l.room.requireID()] = next; next += 1 }
        }
        return numbers
    }

    /// The plan named by the request's `:id`, among those the account sees; another's is a 404.
    static func findPlan(_ req: Request, _ user: CurrentUser) async throws -> ExamPlanRecord {
        guard let plan = try await scoped(req, user).filter(\.$id == req.idParameter()).first() else { throw Abort(.notFound) }
        return plan
    }
}
