import Fluent
import Foundation
import SafeCertCore
import SafeCertDocuments
import Vapor

/// `safecert bench import-people generate|run`: the two halves `bench/import-people` times.
/// `run` imports through the web import's own path (an ImportJob run by ImportRunner) into the
/// SQLite file under SAFECERT_DATA_DIR and reports its time and peak memory.
struct BenchCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "name", help: "import-people")
        var name: String
        @Argument(name: "step", help: "generate | run")
        var step: String
        @Argument(name: "xlsx", help: "the .xlsx file")
        var xlsx: String
        @Option(name: "csv", help: "generate: also write the rows as CSV (for sqlite3 .import)")
        var csv: String?
        @Option(name: "rows", help: "generate: how many rows")
        var rows: Int?
    }

    var help: String { "基准测试辅助命令（bench/import-people 使用）" }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.name == "import-people" else { throw Abort(.badRequest, reason: "unknown benchmark") }
        switch signature.step {
        case "generate":
            try generate(rows: signature.rows ?? 100_000, xlsx: signature.xlsx, csv: signature.csv)
        case "run":
            try await runImport(context.application, xlsx: signature.xlsx, console: context.console)
        default:
            throw Abort(.badRequest, reason: "step must be generate or run")
        }
    }

    static func creditCode() throws -> String { try CreditCode.generate(region: "220100", serial: 424_242).value }

    private func generate(rows: Int, xlsx: String, csv: String?) throws {
        let writer = XLSXWriter(sheetName: "人员信息", columns: PersonImportTemplate.Column.allCases.map { XLSXColumn(title: $0.title, width: 16) })
        var csvLines: [String] = ["id,id_type,id_number,name,gender,birth_date,phone,ethnic_group,education,work_start_date,remarks,region_code,status,has_photo,employer_id,registered_by_id,created_at,updated_at"]
        let employer = UUID().uuidString
        let surnames = Array("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
        let given = Array("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂")
        let regions = ["220102", "220103", "220104", "220105", "220106", "220112", "220113", "220122"]
        var seen = Set<String>()
        var i = 0
        while seen.count < rows {
            let birth = CalendarDate(year: 1960 + i % 35, month: 1 + (i / 35) % 12, day: 1 + (i / 420) % 28)!
            let id = IDNumber.generate(region: regions[(i / 11_760) % regions.count], birth: birth, sequence: (i / 94_080) % 1000).value
            i += 1
            guard seen.insert(id).inserted else { continue }
            let n = seen.count
            let name = String(surnames[n % surnames.count]) + String(given[(n / 7) % given.count]) + String(given[(n / 31) % given.count])
            let phone = "139" + String(format: "%08d", n)
            writer.append([name, "居民身份证", id, nil, nil, phone, "汉族", "本科", nil, "2010-0\(1 + n % 9)-01", nil])
            if csv != nil {
                csvLines.append("\(UUID().uuidString),residentID,\(id),\(name),male,\(birth.iso),\(phone),汉族,本科,2010-01-01,,220100,submitted,0,\(employer),\(employer),2026-11-23 00:00:00,2026-11-23 00:00:00")
            }
        }
        try writer.finish().write(to: URL(fileURLWithPath: xlsx))
        if let csv { try (csvLines.joined(separator: "\n") + "\n").write(toFile: csv, atomically: true, encoding: .utf8) }
    }

    private func runImport(_ app: Application, xlsx: String, console: any Console) async throws {
        try await prepareDatabase(app)
        try await app.autoMigrate()
        let org = Organization(name: "基准测试企业", kind: .enterprise, regionCode: "220100", creditCode: try Self.creditCode())
        try await org.create(on: app.db)
        let job = ImportJob()
        job.kind = "people"
        job.fileName = "bench.xlsx"
        job.file = try Data(contentsOf: URL(fileURLWithPath: xlsx))
        job.status = .queued
        job.totalRows = 0
        job.processedRows = 0
        job.savedRows = 0
        job.skippedRows = 0
        job.invalidRows = 0
        job.accountID = UUID()
        job.$organization.id = try org.requireID()
        try await job.create(on: app.db)
        let start = DispatchTime.now()
        await ImportRunner.run(jobID: try job.requireID(), app: app, actor: .system("bench"))
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        let done = try await ImportJob.find(job.id, on: app.db)
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        let peakMB = Double(usage.ru_maxrss) / 1024
        console.print("phases: \(PeopleImporter.lastTimings.withLock { $0 })")
        console.print("saved=\(done?.savedRows ?? 0) invalid=\(done?.invalidRows ?? 0) seconds=\(String(format: "%.3f", seconds)) peak_mb=\(Int(peakMB)) status=\(done?.status.rawValue ?? "?") message=\(done?.message ?? "")")
    }
}
