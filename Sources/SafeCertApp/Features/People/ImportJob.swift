import Fluent
import Foundation

/// A spreadsheet import, run off the request so a large file shows its progress. The uploaded
/// file is kept in the database (any instance can serve the error report).
final class ImportJob: Model, @unchecked Sendable {
    static let schema = "import_jobs"

    enum Status: String, Codable, Sendable {
        case queued, running, done, failed

        var label: String {
            switch self {
            case .queued: "排队中"
            case .running: "导入中"
            case .done: "已完成"
            case .failed: "失败"
            }
        }
    }

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Field(key: "kind") var kind: String
    @Field(key: "file_name") var fileName: String
    @Field(key: "file") var file: Data
    @Enum(key: "status") var status: Status
    @Field(key: "total_rows") var totalRows: Int
    @Field(key: "processed_rows") var processedRows: Int
    @Field(key: "saved_rows") var savedRows: Int
    @Field(key: "skipped_rows") var skippedRows: Int
    @Field(key: "invalid_rows") var invalidRows: Int
    /// Row problems as JSON (`[ImportRowProblem]`), at most `ImportJob.maxStoredProblems`.
    @OptionalField(key: "problems") var problems: String?
    @OptionalField(key: "message") var message: String?
    @OptionalField(key: "finished_at") var finishedAt: Date?
    @Field(key: "account_id") var accountID: UUID
    @Parent(key: "organization_id") var organization: Organization
    /// What the rows were imported into (the exam plan of a candidate import); nil for people.
    @OptionalField(key: "subject_id") var subjectID: UUID?

    static let maxStoredProblems = 20_000

    init() {}

    var decodedProblems: [ImportRowProblem] {
        problems.flatMap { try? JSONDecoder().decode([ImportRowProblem].self, from: Data($0.utf8)) } ?? []
    }
}

/// One reported row: refused (invalid), left alone because the person is already registered
/// (or already a candidate), or — for the candidate import, which lists them — imported.
struct ImportRowProblem: Codable, Sendable {
    enum Kind: String, Codable, Sendable { case invalid, skipped, imported }
    let row: Int
    let kind: Kind
    let column: String
    let reason: String
}
