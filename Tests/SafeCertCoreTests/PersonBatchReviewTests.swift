import Testing
@testable import SafeCertCore

@Suite("人员批量审批")
struct PersonBatchReviewTests {
    struct Record: Sendable {
        let name: String
        let status: PersonStatus
    }

    let ticked = [Record(name: "孙一", status: .submitted), Record(name: "钱二", status: .approved), Record(name: "李三", status: .submitted)]

    func review(_ records: [Record], ticked: Int, _ event: PersonEvent) throws(PersonWorkflowError) -> PersonBatchReview<Record> {
        try PersonBatchReview(records, ticked: ticked, event: event, status: \.status, name: \.name)
    }

    @Test func submittedRecordsAreApprovedAndTheRestNamed() throws {
        let batch = try review(ticked, ticked: 3, .approve)
        #expect(batch.decided.map(\.record.name) == ["孙一", "李三"])
        #expect(batch.decided.allSatisfy { $0.next == .approved })
        #expect(batch.refused == ["钱二：人员当前状态为「已审批」，不能审批"])
    }

    @Test func tickedRecordsOutsideTheScopeAreCounted() throws {
        let batch = try review(Array(ticked.prefix(1)), ticked: 3, .approve)
        #expect(batch.decided.count == 1)
        #expect(batch.refused == ["2 人不在您的审批范围内或已不存在"])
    }

    @Test func aReturnNeedsAReasonForTheWholeBatch() throws {
        #expect(throws: PersonWorkflowError.reasonRequired) { try review(ticked, ticked: 3, .returnForCorrection(reason: " ")) }
        let batch = try review(ticked, ticked: 3, .returnForCorrection(reason: "照片不清晰"))
        #expect(batch.decided.map(\.next) == [.returned, .returned])
    }

    @Test func aBatchDecidesAtMost500() {
        #expect(PersonBatchReview<Record>.maximum == 500)
    }
}
