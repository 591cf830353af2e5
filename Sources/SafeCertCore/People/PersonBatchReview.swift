/// 批量通过 / 批量退回, judged before anything is written: each ticked record by
/// `PersonWorkflow`; those it refuses, and ticked ones not found in the reviewer's scope, are
/// named and left alone. A return without a reason refuses the whole batch.
public struct PersonBatchReview<Record: Sendable>: Sendable {
    /// Records one batch may decide.
    public static var maximum: Int { 500 }

    /// The records to change, each with its next status, in the order given.
    public private(set) var decided: [(record: Record, next: PersonStatus)] = []
    /// One sentence per record left alone.
    public private(set) var refused: [String] = []

    /// `ticked`: how many records were ticked, of which `records` are those found in scope.
    public init(_ records: [Record], ticked: Int, event: PersonEvent, status: (Record) -> PersonStatus,
                name: (Record) -> String) throws(PersonWorkflowError) {
        for record in records {
            do {
                guard case .status(let next) = try PersonWorkflow.transition(from: status(record), event) else { continue }
                decided.append((record, next))
            } catch .reasonRequired {
                throw .reasonRequired
            } catch {
                refused.append("\(name(record))：\(error.message)")
            }
        }
        let missing = ticked - records.count
        if missing > 0 { refused.append("\(missing) 人不在您的审批范围内或已不存在") }
    }
}
