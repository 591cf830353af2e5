import Fluent
import Foundation
import SafeCertCore

struct CreateQualificationCatalogue: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(QualificationTypeRecord.schema)
            .id()
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("scheme", .string, .required)
            .field("certificate_type_code", .string, .required)
            .unique(on: "code")
            .create()
        try await database.schema(CatalogueEntryRecord.schema)
            .id()
            .field("qualification_code", .string, .required)
            .field("province", .string)
            .field("effective_from", .string, .required)
            .field("terms", .string, .required)
            .field("source", .string, .required)
            .field("created_by", .string, .required)
            .field("created_at", .datetime)
            .create()
        try await createIndex(on: database, name: "catalogue_entries_code", table: CatalogueEntryRecord.schema, columns: ["qualification_code"])
        // The defaults of DESIGN.md, from SafeCertCore: every installation starts with them.
        let defaults = QualificationCatalogue.defaults
        for type in defaults.types { try await QualificationTypeRecord(type).create(on: database) }
        for entry in defaults.entries { try await CatalogueEntryRecord(entry, createdBy: "系统预置").create(on: database) }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(CatalogueEntryRecord.schema).delete()
        try await database.schema(QualificationTypeRecord.schema).delete()
    }
}
