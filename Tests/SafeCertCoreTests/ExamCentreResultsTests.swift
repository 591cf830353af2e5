import Foundation
import Testing
@testable import SafeCertCore

@Suite("多考核点的考试结果")
struct ExamCentreResultsTests {
    let a = UUID()
    let b = UUID()

    @Test("each centre enters only until it has submitted, and only in its own plan")
    func entry() {
        #expect(ExamCentreResults.mayEnter(centre: a, centres: [a, b], submitted: [], state: .finished))
        #expect(ExamCentreResults.mayEnter(centre: a, centres: [a, b], submitted: [b], state: .inProgress))
        #expect(!ExamCentreResults.mayEnter(centre: a, centres: [a, b], submitted: [a], state: .finished))
        #expect(!ExamCentreResults.mayEnter(centre: UUID(), centres: [a, b], submitted: [], state: .finished))
        #expect(!ExamCentreResults.mayEnter(centre: a, centres: [a], submitted: [], state: .resultsUnderReview))
    }

    @Test("the plan goes to review when the last centre submits")
    func submission() throws {
        #expect(try ExamCentreResults.submit(centre: a, centres: [a, b], submitted: [], state: .finished) == .centreSubmitted(waitingFor: 1))
        #expect(try ExamCentreResults.submit(centre: b, centres: [a, b], submitted: [a], state: .finished) == .planSubmitted)
        #expect(try ExamCentreResults.submit(centre: a, centres: [a], submitted: [], state: .finished) == .planSubmitted)
        #expect(throws: ExamCentreResultsError.alreadySubmitted) {
            try ExamCentreResults.submit(centre: a, centres: [a, b], submitted: [a], state: .finished)
        }
        #expect(throws: ExamCentreResultsError.notThisCentresPlan) {
            try ExamCentreResults.submit(centre: UUID(), centres: [a, b], submitted: [], state: .finished)
        }
        #expect(throws: ExamCentreResultsError.notFinished(.inProgress)) {
            try ExamCentreResults.submit(centre: a, centres: [a], submitted: [], state: .inProgress)
        }
    }

    @Test("only a centre holding every room starts or finishes by hand")
    func byHand() {
        #expect(ExamCentreResults.mayRunByHand(centre: a, centres: [a]))
        #expect(!ExamCentreResults.mayRunByHand(centre: a, centres: [a, b]))
        #expect(!ExamCentreResults.mayRunByHand(centre: a, centres: [b]))
    }
}
