import Fluent
import Foundation
import SafeCertCore
import Vapor

/// `safecert seed --scale people=N`: the register at a province's size for `bench/registry-scale`.
/// On top of the demo data (seeded first if missing): a few thousand enterprises spread over
/// 吉林省's counties and people numbered 0, 1, 2, … (`ScalePopulation`) employed by them — one in
/// 200 by the demo enterprise 长春安达, so its lists are long too — approved, waiting for approval
/// (the review queue), returned or cancelled. Written straight to the database in multi-row
/// INSERTs, 10,000 rows a transaction. Running it again tops the register up to N seeded people
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
    static func run(on app: Application, people: Int, progress: @Sendable (Int) -> Void = { _ in }) async throws -> Outcome {
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
        var index = existing
        while index < people {
            let end = min(people, index + rowsPerTransaction)
            let start = index
            try await db.transaction { db in
                var batch: [Person] = []
                batch.reserveCapacity(rowsPerInsert)
                for i in start..<end {
                    guard let p = ScalePopulation.person(i, birthRegions: birthRegions) else { throw Abort(.badRequest, reason: "人数超过生成上限") }
                    let employer: Organization? = if i % 200 == 199, let demo { demo } else { enterprises[(i * 7_919) % enterprises.count] }
                    batch.append(try person(p, employer: employer, index: i))
                    if batch.count == rowsPerInsert {
                        try await batch.create(on: db)
                        batch.removeAll(keepingCapacity: true)
                    }
                }
                if !batch.isEmpty { try await batch.create(on: db) }
            }
            index = end
            progress(index)
        }
        return Outcome(existing: existing, added: people - existing)
    }

    static func person(_ p: ScalePopulation.Person, employer: Organization?, index: Int) throws -> Person {
        let person = Person()
        person.id = UUID()
        person.idType = .residentID
        person.idNumber = p.idNumber.value
        person.name = p.name
        person.gender = p.gender.rawValue
        person.birthDate = p.birthDate.iso
        person.phone = p.phone
        person.ethnicGroup = "汉族"
        person.education = index % 4 == 0 ? "大学本科" : "高中"
        person.regionCode = employer?.regionCode ?? province
        person.status = p.status
        person.statusReason = p.status == .returned ? "照片不清晰" : p.status == .cancelled ? "离职" : nil
        person.hasPhoto = false
        person.$employer.id = try employer?.requireID()
        person.$registeredBy.id = try employer?.requireID()
        return person
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
