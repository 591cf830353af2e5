import Fluent
import Foundation
import SafeCertCore
import Synchronization
import Testing
@testable import SafeCertApp

/// `plainRows` reads the export's rows without Fluent models — on SQLite straight from the
/// driver's rows — and must read exactly what the models hold, filters, order and range included.
@Suite struct PlainRowsTests {
    @Test func plainRowsReadWhatTheModelsHold() async throws {
        try await withSafeCert { t in
            _ = try await ScaleSeed.run(on: t.app, people: 120)
            let query = Person.query(on: t.db).scoped(to: .region(prefix: "22")).filter(\.$status != .cancelled)
                .sort(\.$name).sort(\.$id).range(7..<67)
            let models = try await query.copy().all()
            let direct = Mutex(0)
            let rows = try await query.copy().plainRows(Person.ExportRow.fields + [.id]) { row in
                if row.isDirect { direct.withLock { $0 += 1 } }
                return (try Person.ExportRow(row), try row.uuid(.id))
            }
            #expect(models.count == 60 && rows.count == models.count)
            // SQLite takes the driver's rows; PostgreSQL reads through Fluent's output.
            #expect(direct.withLock { $0 } == (t.isPostgres ? 0 : rows.count))
            for (model, (row, id)) in zip(models, rows) {
                #expect(id == model.id)
                #expect(row.name == model.name && row.idNumber == model.idNumber && row.phone == model.phone)
                #expect(row.gender == model.gender && row.idType == model.idType && row.birthDate == model.birthDate)
                #expect(row.ethnicGroup == model.ethnicGroup && row.education == model.education && row.regionCode == model.regionCode)
                #expect(row.status == model.status && row.employerID == model.$employer.id && row.registeredByID == model.$registeredBy.id)
                let created = try #require(row.createdAt), modelCreated = try #require(model.createdAt)
                #expect(abs(created.timeIntervalSince(modelCreated)) < 0.001)
            }
            let someEmployer = try #require(models.compactMap { $0.$employer.id }.first)
            let names = try await Organization.names([someEmployer, nil, UUID()], on: t.db)
            #expect(names.count == 1)
            #expect(names[someEmployer] == (try await Organization.find(someEmployer, on: t.db))?.name)
        }
    }

    /// A value of the wrong shape is an error to the caller, never a trap.
    @Test func aMissingFieldThrows() async throws {
        try await withSafeCert { t in
            _ = try await ScaleSeed.run(on: t.app, people: 3)
            await #expect(throws: (any Error).self) {
                _ = try await Person.query(on: t.db).limit(1).plainRows(["name"]) { try $0.string("phone") }
            }
        }
    }
}
