import Fluent
import FluentSQLiteDriver
import Foundation
import Synchronization
import SQLKit
import SafeCertCore
import SafeCertDocuments

/// The people import (seed 004): every row judged by `PersonImportTemplate`, valid rows saved
/// in one transaction per chunk, bad rows reported by row, column and reason, and a person
/// already registered (the same document: type and number) left exactly as they are — so
/// re-importing a corrected file adds only what is new. The web import and `bench/import-people` both run this.
struct PeopleImporter {
    let db: any Database
    let actor: AuditActor
    /// The enterprise or training institution importing.
    let importer: Organization
    /// Branches a group may import for.
    let branchIDs: Set<UUID>
    let today: CalendarDate
    let now: @Sendable () -> Date
    /// Rows per transaction: each commit is a durable sync, so chunks are large; one INSERT
    /// statement takes `rowsPerStatement` rows (SQLite allows 32,766 bound values per statement).
    var chunkSize = 5_000
    static let rowsPerStatement = 1_000

    struct Summary: Sendable {
        var total = 0
        var saved = 0
        var skipped = 0
        var invalid = 0
        var problems: [ImportRowProblem] = []
    }

    enum Failure: Error {
        case wrongHeader(String)
    }

    /// Where the last import spent its time (read by `bench/import-people`).
    static let lastTimings = Mutex<String>("")

    private struct Candidate: Sendable {
        let row: Int
        let draft: PersonDraft
    }

    /// Reads the rows and imports them; `progress` is told after each chunk.
    func run(_ rows: some Sequence<XLSXRow>, progress: (Summary) async throws -> Void) async throws -> Summary {
        var pipeline = Pipeline(importer: self, employers: EmployerResolver(importer: importer, branchIDs: branchIDs))
        var documents = DuplicateRows<String>()
        var headerChecked = false
        let started = pipeline.clock.now
        for row in rows {
            if !headerChecked {
                headerChecked = true
                try Self.checkHeader(row)
                continue
            }
            judge(row, documents: &documents, into: &pipeline)
            if pipeline.chunk.count >= chunkSize { try await pipeline.dispatch(progress) }
        }
        if !headerChecked {
            throw Failure.wrongHeader("文件中没有数据：第一行应为模板表头")
        }
        if !pipeline.chunk.isEmpty { try await pipeline.dispatch(progress) }
        try await pipeline.collect(progress)
        var summary = pipeline.summary
        summary.problems.sort { $0.row < $1.row }
        if summary.problems.count > ImportJob.maxStoredProblems { summary.problems.removeLast(summary.problems.count - ImportJob.maxStoredProblems) }
        let total = pipeline.clock.now - started
        Self.lastTimings.withLock { $0 = "total=\(total) waiting-for-database=\(pipeline.waiting)" }
        return summary
    }

    /// One row of the file: skipped (empty, the template's example), reported (invalid, or a
    /// document an earlier row already named), or put into the chunk to save.
    private func judge(_ row: XLSXRow, documents: inout DuplicateRows<String>, into pipeline: inout Pipeline) {
        let cells = row.cells.map(Self.importCell)
        if TemplateExample.isExample(cells) { return }
        switch PersonImportTemplate.parse(cells, today: today) {
        case .empty:
            return
        case .invalid(let issues):
            pipeline.summary.total += 1
            pipeline.summary.invalid += 1
            for issue in issues { Self.report(row.number, .invalid, issue.column, issue.reason, into: &pipeline.summary) }
        case .person(let draft):
            pipeline.summary.total += 1
            if let first = documents.earlierRow(naming: Self.key(draft.identity.type.rawValue, draft.identity.number), at: row.number) {
                pipeline.summary.invalid += 1
                Self.report(row.number, .invalid, "证件号码", "与第 \(first) 行的证件（\(draft.identity.type.label)）号码重复",
                            into: &pipeline.summary)
                return
            }
            pipeline.chunk.append(Candidate(row: row.number, draft: draft))
        }
    }

    /// While one chunk is written, the next is read and judged: on two cores the database work
    /// and the spreadsheet work overlap. One chunk at a time is in flight, so results arrive in order.
    private struct Pipeline {
        let importer: PeopleImporter
        var employers: EmployerResolver
        var summary = Summary()
        var chunk: [Candidate] = []
        var inFlight: Task<(Summary, EmployerResolver), any Error>?
        let clock = ContinuousClock()
        var waiting = Duration.zero

        init(importer: PeopleImporter, employers: EmployerResolver) {
            self.importer = importer
            self.employers = employers
        }

        /// Waits for the chunk in flight and adds what happened to its rows.
        mutating func collect(_ progress: (Summary) async throws -> Void) async throws {
            guard let task = inFlight else { return }
            let t0 = clock.now
            let (written, resolver) = try await task.value
            waiting += clock.now - t0
            inFlight = nil
            employers = resolver
            summary.saved += written.saved
            summary.skipped += written.skipped
            summary.invalid += written.invalid
            summary.problems += written.problems
            try await progress(summary)
        }

        /// Sends the chunk read so far to be written, once the one before it is done.
        mutating func dispatch(_ progress: (Summary) async throws -> Void) async throws {
            try await collect(progress)
            let (rows, resolver, importer) = (chunk, employers, importer)
            inFlight = Task { try await importer.save(rows, employers: resolver) }
            chunk.removeAll(keepingCapacity: true)
        }
    }

    /// A person's document as one key: the type and the number.
    static func key(_ type: String, _ number: String) -> String { type + " " + number }

    static func report(_ row: Int, _ kind: ImportRowProblem.Kind, _ column: String, _ reason: String, into s: inout Summary) {
        if s.problems.count < ImportJob.maxStoredProblems {
            s.problems.append(ImportRowProblem(row: row, kind: kind, column: column, reason: reason))
        }
    }

    static let personColumns = [
        "id", "id_type", "id_number", "name", "gender", "birth_date", "phone", "ethnic_group", "education",
        "work_start_date", "remarks", "region_code", "status", "has_photo", "employer_id", "registered_by_id",
        "created_at", "updated_at",
    ]

    /// SQLite's share of the one insert: the statement text is made once per size and the values
    /// handed over as SQLite stores Fluent's (UUIDs as text, dates as seconds, booleans as 0/1),
    /// skipping the generic encoder that cost a second per 100,000 rows.
    static func insertSQLite(_ rows: [(PersonDraft, UUID, String)], registeredBy: UUID, at: Date, on db: any SQLiteDatabase) async throws {
        let placeholders = "(" + Array(repeating: "?", count: personColumns.count).joined(separator: ",") + ")"
        let sql = "INSERT INTO \"\(Person.schema)\" (" + personColumns.map { "\"\($0)\"" }.joined(separator: ",") + ") VALUES "
            + Array(repeating: placeholders, count: rows.count).joined(separator: ",")
        func text(_ s: String?) -> SQLiteData { s.map { .text($0) } ?? .null }
        let registrar = SQLiteData.text(registeredBy.uuidString)
        let time = SQLiteData.float(at.timeIntervalSince1970)
        var binds: [SQLiteData] = []
        binds.reserveCapacity(rows.count * personColumns.count)
        for (d, employerID, region) in rows {
            binds += [
                .text(UUID().uuidString), .text(d.identity.type.rawValue), .text(d.identity.number), .text(d.name),
                text(d.gender?.rawValue), text(d.birthDate?.iso), .text(d.phone.value), text(d.ethnicGroup),
                text(d.education), text(d.workStartDate?.iso), text(d.remarks), .text(region), .text(PersonStatus.submitted.rawValue),
                .integer(0), .text(employerID.uuidString), registrar, time, time,
            ]
        }
        _ = try await db.query(sql, binds)
    }

    static func checkHeader(_ row: XLSXRow) throws {
        let titles = row.cells.map { ($0.text ?? "").trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "*", with: "") }
        for column in PersonImportTemplate.Column.allCases {
            let expected = column.title.replacingOccurrences(of: "*", with: "")
            let actual = column.rawValue < titles.count ? titles[column.rawValue] : ""
            if actual != expected {
                throw Failure.wrongHeader("第 1 行表头第 \(column.rawValue + 1) 列应为「\(expected)」，实为「\(actual)」；请使用下载的模板")
            }
        }
    }

    static func importCell(_ cell: XLSXCell) -> ImportCell {
        switch cell {
        case .empty: return .empty
        case .text(let s): return .text(s)
        case .number(_, let raw): return .number(raw: raw)
        case .bool(let b): return .text(b ? "TRUE" : "FALSE")
        case .date(let y, let m, let d): return CalendarDate(year: y, month: m, day: d).map { .date($0) } ?? .text("\(y)-\(m)-\(d)")
        case .error(let e): return .text(e)
        }
    }

    /// Writes one chunk in one transaction; returns what happened to its rows.
    private func save(_ chunk: [Candidate], employers resolver: EmployerResolver) async throws -> (Summary, EmployerResolver) {
        var summary = Summary()
        var employers = resolver
        guard let sql = db as? any SQLDatabase else { return (summary, employers) }
        let known = try await registered(Array(Set(chunk.map(\.draft.identity.number))), on: sql)
        // The importer's scope (AccessScope.of): itself and, for a group, its branches.
        let ownUnits = branchIDs.union([try importer.requireID()])
        var rows: [NewRow] = []
        for candidate in chunk {
            if let person = known[Self.key(candidate.draft.identity.type.rawValue, candidate.draft.identity.number)] {
                summary.skipped += 1
                let notice = ExistingPersonNotice.forImport(
                    .init(name: person.name, employer: person.employer_name, status: PersonStatus(rawValue: person.status) ?? .submitted,
                          inScope: ExistingPersonNotice.isInScope(employer: person.employer_id, registeredBy: person.registered_by_id,
                                                                  ownUnits: ownUnits)),
                    mayRequestTransfer: importer.kind == .enterprise)
                Self.report(candidate.row, .skipped, "证件号码", notice, into: &summary)
                continue
            }
            switch try await employers.resolve(candidate.draft.employerCreditCode, on: db) {
            case .failure(let reason):
                summary.invalid += 1
                Self.report(candidate.row, .invalid, "所在单位统一社会信用代码", reason, into: &summary)
            case .success(let employer):
                rows.append((candidate, employer.id, employer.regionCode))
            }
        }
        guard !rows.isEmpty else { return (summary, employers) }
        try await insert(rows)
        summary.saved += rows.count
        return (summary, employers)
    }

    /// A row to insert: the candidate, its employer and the region it is registered in.
    private typealias NewRow = (Candidate, UUID, String)

    /// Who is already registered: left alone, reported with where they stand — but only to the
    /// unit that registered or employs them; to others, only that the number is taken.
    private struct Registered: Decodable {
        let id_type: String; let id_number: String; let name: String; let status: String; let employer_name: String?
        let employer_id: UUID?; let registered_by_id: UUID?
    }

    /// The registered people with these numbers, by document key. Numbers are looked up by the
    /// index on id_number; a person is the same only with the same type.
    private func registered(_ numbers: [String], on sql: any SQLDatabase) async throws -> [String: Registered] {
        let existing = try await sql.select()
            .column(SQLColumn("id_type", table: "people")).column(SQLColumn("id_number", table: "people"))
            .column(SQLColumn("status", table: "people")).column(SQLColumn("name", table: "people"))
            .column(SQLColumn("employer_id", table: "people")).column(SQLColumn("registered_by_id", table: "people"))
            .column(SQLAlias(SQLColumn("name", table: "organizations"), as: SQLIdentifier("employer_name")))
            .from("people")
            .join("organizations", method: SQLJoinMethod.left, on: SQLColumn("employer_id", table: "people"), .equal, SQLColumn("id", table: "organizations"))
            .where(SQLColumn("id_number", table: "people"), .in, SQLBind.group(numbers))
            .all(decoding: Registered.self)
        return Dictionary(existing.map { (Self.key($0.id_type, $0.id_number), $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// The new people in one transaction, `rowsPerStatement` to an INSERT, with one audit entry.
    private func insert(_ newRows: [NewRow]) async throws {
        let at = now()
        let registeredBy = try importer.requireID()
        try await db.transaction { db in
            guard let sql = db as? any SQLDatabase else { return }
            for start in stride(from: 0, to: newRows.count, by: Self.rowsPerStatement) {
                let batch = newRows[start..<min(start + Self.rowsPerStatement, newRows.count)]
                if let sqlite = db as? any SQLiteDatabase {
                    try await Self.insertSQLite(batch.map { ($0.0.draft, $0.1, $0.2) }, registeredBy: registeredBy, at: at, on: sqlite)
                    continue
                }
                var insert = sql.insert(into: Person.schema).columns(Self.personColumns.map { SQLIdentifier($0) })
                for (candidate, employerID, region) in batch {
                    insert = insert.values(Self.personValues(candidate.draft, employerID: employerID, region: region, registeredBy: registeredBy, at: at))
                }
                try await insert.run()
            }
            try await Audit.record(on: db, actor: actor, action: "person.import", targetType: "organization",
                                   targetID: registeredBy.uuidString,
                                   summary: "批量导入人员 \(newRows.count) 名（第 \(newRows.first?.0.row ?? 0)–\(newRows.last?.0.row ?? 0) 行），待审批", at: at)
        }
    }

    /// One new person's values in `personColumns` order (PostgreSQL's share of the insert).
    private static func personValues(_ d: PersonDraft, employerID: UUID, region: String, registeredBy: UUID, at: Date) -> [any SQLExpression] {
        [
            SQLBind(UUID()), SQLBind(d.identity.type.rawValue), SQLBind(d.identity.number), SQLBind(d.name),
            SQLBind(d.gender?.rawValue), SQLBind(d.birthDate?.iso), SQLBind(d.phone.value),
            SQLBind(d.ethnicGroup), SQLBind(d.education), SQLBind(d.workStartDate?.iso), SQLBind(d.remarks),
            SQLBind(region), SQLBind(PersonStatus.submitted.rawValue), SQLBind(false), SQLBind(employerID),
            SQLBind(registeredBy), SQLBind(at), SQLBind(at),
        ]
    }
}

/// Which organisation a row's credit code names, cached across the file.
struct EmployerResolver: Sendable {
    struct Employer: Sendable { let id: UUID; let regionCode: String }
    let importer: Organization
    let branchIDs: Set<UUID>
    private var cache: [String: Result<Employer, Refusal>] = [:]

    struct Refusal: Error, Sendable { let reason: String }

    init(importer: Organization, branchIDs: Set<UUID>) {
        self.importer = importer
        self.branchIDs = branchIDs
    }

    enum Outcome {
        case success(Employer)
        case failure(String)
    }

    mutating func resolve(_ creditCode: String?, on db: any Database) async throws -> Outcome {
        let own = Employer(id: try importer.requireID(), regionCode: importer.regionCode)
        guard let code = creditCode else {
            return importer.kind == .enterprise ? .success(own) : .failure("培训机构录入人员须填写所在单位（企业或院校）的统一社会信用代码")
        }
        if code == importer.creditCode, importer.kind == .enterprise { return .success(own) }
        if let cached = cache[code] {
            switch cached {
            case .success(let e): return .success(e)
            case .failure(let r): return .failure(r.reason)
            }
        }
        let result: Result<Employer, Refusal>
        if let org = try await Organization.query(on: db).filter(\.$creditCode == code).filter(\.$deleted == false).first() {
            if !org.kind.employsPeople {
                result = .failure(Refusal(reason: "「\(org.name)」是\(org.kind.label)，人员的所在单位应为企业或院校"))
            } else if importer.kind == .enterprise, !branchIDs.contains(try org.requireID()) {
                result = .failure(Refusal(reason: "企业只能导入本单位（集团含分公司）的人员"))
            } else {
                result = .success(Employer(id: try org.requireID(), regionCode: org.regionCode))
            }
        } else {
            result = .failure(Refusal(reason: "统一社会信用代码 \(code) 未登记，请先由管理部门（院校由协会或管理部门）录入该单位"))
        }
        cache[code] = result
        switch result {
        case .success(let e): return .success(e)
        case .failure(let r): return .failure(r.reason)
        }
    }
}
