import Fluent
import Foundation
import SafeCertCore

/// A qualification type of the catalogue (its identity; the terms are in versioned entries).
final class QualificationTypeRecord: Model, @unchecked Sendable {
    static let schema = "qualification_types"

    @ID(key: .id) var id: UUID?
    @Field(key: "code") var code: String
    @Field(key: "name") var name: String
    @Enum(key: "scheme") var scheme: QualificationScheme
    @Field(key: "certificate_type_code") var certificateTypeCode: String

    init() {}

    init(_ type: QualificationType) {
        code = type.code
        name = type.name
        scheme = type.scheme
        certificateTypeCode = type.certificateTypeCode
    }

    var value: QualificationType { QualificationType(code: code, name: name, scheme: scheme, certificateTypeCode: certificateTypeCode) }
}

/// One version of a qualification's terms: national (province nil) or a province's override,
/// in force from its effective date. Entries are added, never edited, so the history stays.
final class CatalogueEntryRecord: Model, @unchecked Sendable {
    static let schema = "catalogue_entries"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Field(key: "qualification_code") var qualificationCode: String
    @OptionalField(key: "province") var province: String?
    @Field(key: "effective_from") var effectiveFrom: String
    /// `QualificationTerms` as JSON.
    @Field(key: "terms") var terms: String
    @Field(key: "source") var source: String
    @Field(key: "created_by") var createdBy: String

    init() {}

    init(_ entry: CatalogueEntry, createdBy: String) throws {
        qualificationCode = entry.qualificationCode
        province = entry.province
        effectiveFrom = entry.effectiveFrom.iso
        terms = String(decoding: try JSONEncoder().encode(entry.terms), as: UTF8.self)
        source = entry.source
        self.createdBy = createdBy
    }

    var value: CatalogueEntry? {
        guard let date = CalendarDate(iso: effectiveFrom),
              let decoded = try? JSONDecoder().decode(QualificationTerms.self, from: Data(terms.utf8)) else { return nil }
        return CatalogueEntry(qualificationCode: qualificationCode, effectiveFrom: date, province: province, terms: decoded, source: source)
    }
}

enum CatalogueStore {
    /// The catalogue: a few dozen types and their versions, read whole.
    static func load(on db: any Database) async throws -> QualificationCatalogue {
        let types = try await QualificationTypeRecord.query(on: db).sort(\.$code).all().map(\.value)
        let entries = try await CatalogueEntryRecord.query(on: db).sort(\.$effectiveFrom).sort(\.$createdAt).all().compactMap(\.value)
        return QualificationCatalogue(types: types, entries: entries)
    }
}
