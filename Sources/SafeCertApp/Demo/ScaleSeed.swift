import Fluent
import FluentSQLiteDriver
import SQLKit
import Foundation
import SafeCertCore
import Vapor

/// `safecert seed --scale people=N`: the register at a province's size for `bench/registry-scale`.
/// On top of the demo data (seeded first if missing): a few thousand enterprises spread over
/// 吉林省's counties and people numbered 0, 1, 2, … (`ScalePopulation`) employed by them — one in
/// 200 by the demo enterprise 长春安达, so its lists are long too — approved, waiting for approval
/// (the review queue), returned or cancelled. Written straight to the table in 500-row SQL
/// INSERTs (no models), in one transaction. Running it again tops the register up to N seeded people
/// (it counts those already there and writes the numbers after them); it never removes any.
enum ScaleSeed {
    static let province = "220000"
    static let enterpriseCount = 3_000
    static let enterprisePrefix = "规模测试企业"
    static let rowsPerInsert = 500
    static let rowsPerTransaction = 10_000

    struct Outcome: Sendable, Equatable {
        let existing: Int
        let added: Int
    }

    static func counties() -> [String] {
        let provincePrefix = Region.scopePrefix(of: province)
        return RegionCatalog.shared.regions.filter { $0.level == .county && $0.code.hasPrefix(provincePrefix) }.map(\.code).sorted()
    }

    /// Tops the seeded people up to `people`; returns how many were there and how many it added.
    static func run(on app: Application, people: Int, bulkFrom bulkThreshold: Int = bulkThreshold, progress: @escaping @Sendable (Int) -> Void = { _ in }) async throws -> Outcome {
        try await DemoSeed.run(on: app)
        let db = app.db
        let counties = counties()
        guard !counties.isEmpty else { throw Abort(.internalServerError, reason: "地区数据缺少吉林省的区县") }
        let enterprises = try await enterprises(counties: counties, on: db)
        guard !enterprises.isEmpty else { throw Abort(.internalServerError, reason: "未能生成规模测试企业") }
        let demo = try await Organization.query(on: db).filter(\.$name == "长春安达建筑工程有限公司").first()
        let existing = try await seededCount(on: db)
        guard people > existing else { return Outcome(existing: existing, added: 0) }
        let birthRegions = counties
        let employers: [Employer] = try enterprises.map { Employer(id: try $0.requireID(), regionCode: $0.regionCode) }
        let demoEmployer: Employer? = try demo.map { Employer(id: try $0.requireID(), regionCode: $0.regionCode) }
        let row: @Sendable (Int) throws -> [any Encodable & Sendable] = { i in
            guard let p = ScalePopulation.person(i, birthRegions: birthRegions) else { throw Abort(.badRequest, reason: "人数超过生成上限") }
            let employer: Employer? = if demoEmploys(i), let demoEmployer { demoEmployer } else { employers[employerIndex(i, of: employers.count)] }
            return values(p, employer: employer, index: i)
        }
        // A large top-up writes into the bare table and builds the secondary indexes once at the
        // end (a sort instead of a million random index inserts), all in one transaction: an
        // interrupted run leaves the register as it was.
        let bulk = people - existing >= bulkThreshold
        try await db.transaction { db in
            guard let sql = db as? any SQLDatabase else { throw Abort(.internalServerError, reason: "规模数据需要 SQL 数据库") }
            var index = existing
            let indexes = bulk ? try await SecondaryIndexes.drop(on: sql, table: Person.schema) : []
            if db is SQLiteDatabase { try await sql.raw("PRAGMA cache_size = -262144").run() }
            while index < people {
                let end = min(people, index + rowsPerInsert)
                var insert = sql.insert(into: Person.schema).columns(columns)
                for i in index..<end { insert = insert.values(try row(i)) }
                try await insert.run()
                index = end
                if index % rowsPerTransaction == 0 || index == people { progress(index) }
            }
            try await SecondaryIndexes.create(indexes, on: sql)
        }
        // PostgreSQL after a bulk load: statistics for the planner and the visibility map, as an
        // operator would (autovacuum gets there too, minutes later). Not on SQLite, whose list
        // queries are written for its planner without statistics.
        if bulk, let sql = db as? any SQLDatabase, sql.dialect.name == "postgresql" {
            try await sql.raw("VACUUM ANALYZE \(ident: Person.schema)").run()
        }
        return Outcome(existing: existing, added: people - existing)
    }

    /// One person in 200 works for the demo enterprise: number 200·j + (7·j mod 200), so that its
    /// people have every status (the status follows the number mod 20).
    static func demoEmploys(_ i: Int) -> Bool { i % 200 == (i / 200 * 7) % 200 }

    /// The seeded enterprise employing person `i`: spread over all of them, each getting people
    /// of every status (every remainder mod 20).
    static func employerIndex(_ i: Int, of count: Int) -> Int { (i / 20 * 7_919 + i % 20 * 7) % max(1, count) }

    /// Tops-ups of at least this many people drop and rebuild the people table's secondary indexes.
    static let bulkThreshold = 50_000

    struct Employer: Sendable {
        let id: UUID
        let regionCode: String
    }

    static let columns = ["id", "created_at", "updated_at", "id_type", "id_number", "name", "gender", "birth_date", "phone",
                          "ethnic_group", "education", "region_code", "status", "status_reason", "has_photo",
                          "employer_id", "registered_by_id"]

    /// One seeded person as the row `columns` names (the same values `person(_:employer:index:)` sets).
    static func values(_ p: ScalePopulation.Person, employer: Employer?, index: Int) -> [any Encodable & Sendable] {
        let now = Date()
        let reason: String? = p.status == .returned ? "照片不清晰" : p.status == .cancelled ? "离职" : nil
        return [UUID(), now, now, IDDocumentType.residentID.rawValue, p.idNumber.value, p.name, p.gender.rawValue, p.birthDate.iso,
                p.phone, "汉族", index % 4 == 0 ? "大学本科" : "高中", employer?.regionCode ?? province, p.status.rawValue, reason,
                false, employer?.id, employer?.id]
    }

    /// The seeded people already there (their phones are 170 + their number).
    static func seededCount(on db: any Database) async throws -> Int {
        try await Person.query(on: db).filter(\.$phone >= ScalePopulation.phonePrefix).filter(\.$phone < "171").count()
    }

    static func pad(_ n: Int) -> String { String(format: "%04d", n) }

    /// The seeded enterprises, creating those missing (by name) — the same ones every run.
    static func enterprises(counties: [String], on db: any Database) async throws -> [Organization] {
        let existing = try await Organization.query(on: db).filter(\.$name >= enterprisePrefix).filter(\.$name < enterprisePrefix + "\u{10FFFF}")
            .filter(\.$kind == .enterprise).all()
        var byName = Dictionary(existing.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var missing: [Organization] = []
        for i in 0..<enterpriseCount {
            let name = enterprisePrefix + pad(i + 1) + "号有限公司"
            guard byName[name] == nil else { continue }
            let region = counties[i % counties.count]
            let org = Organization(name: name, kind: .enterprise, regionCode: region,
                                   creditCode: try CreditCode.generate(region: region, serial: 70_000_000 + i).value)
            org.id = UUID()
            org.contactPerson = "联系人"
            org.contactPhone = "0431-8888" + pad(i % 10_000)
            missing.append(org)
            byName[name] = org
        }
        for chunk in stride(from: 0, to: missing.count, by: rowsPerInsert) {
            try await Array(missing[chunk..<min(missing.count, chunk + rowsPerInsert)]).create(on: db)
        }
        return (0..<enterpriseCount).compactMap { byName[enterprisePrefix + pad($0 + 1) + "号有限公司"] }
    }
}
