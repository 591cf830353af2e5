import Testing
@testable import SafeCertCore

@Suite("人员详情：可做的操作")
struct PersonRecordActionsTests {
    @Test func theKeepingEnterpriseEditsUntilTheRecordIsCancelled() {
        for status in [PersonStatus.submitted, .approved, .returned] {
            #expect(PersonRecordActions(role: .enterprise, keepsRecord: true, status: status, changePending: false).edit)
        }
        #expect(!PersonRecordActions(role: .enterprise, keepsRecord: true, status: .cancelled, changePending: false).edit)
        // Another unit's person: not theirs to edit.
        #expect(!PersonRecordActions(role: .enterprise, keepsRecord: false, status: .approved, changePending: false).edit)
    }

    @Test func anEnterpriseNeverApprovesCancelsOrMoves() {
        let actions = PersonRecordActions(role: .enterprise, keepsRecord: true, status: .submitted, changePending: true)
        #expect(!actions.approve && !actions.decideChange && !actions.cancel && !actions.changeUnit)
    }

    @Test func theAuthorityApprovesSubmittedRecordsAndDecidesPendingChanges() {
        #expect(PersonRecordActions(role: .cityAuthority, keepsRecord: false, status: .submitted, changePending: false).approve)
        #expect(!PersonRecordActions(role: .cityAuthority, keepsRecord: false, status: .approved, changePending: false).approve)
        #expect(PersonRecordActions(role: .cityAuthority, keepsRecord: false, status: .approved, changePending: true).decideChange)
        #expect(!PersonRecordActions(role: .cityAuthority, keepsRecord: false, status: .approved, changePending: false).decideChange)
        #expect(!PersonRecordActions(role: .cityAuthority, keepsRecord: false, status: .approved, changePending: false).edit)
    }

    @Test func cancellingAndMovingDependOnTheStatus() {
        #expect(PersonRecordActions(role: .provinceAuthority, keepsRecord: false, status: .approved, changePending: false).cancel)
        #expect(!PersonRecordActions(role: .provinceAuthority, keepsRecord: false, status: .cancelled, changePending: false).cancel)
        #expect(PersonRecordActions(role: .association, keepsRecord: false, status: .approved, changePending: false).changeUnit)
        #expect(!PersonRecordActions(role: .association, keepsRecord: false, status: .submitted, changePending: false).changeUnit)
    }

    @Test func fullDataForTheAuthorityTheKeepingUnitAndThePerson() {
        #expect(PersonRecordActions.showsFullData(role: .cityAuthority, keepsRecord: false, isThePerson: false))
        #expect(PersonRecordActions.showsFullData(role: .enterprise, keepsRecord: true, isThePerson: false))
        #expect(PersonRecordActions.showsFullData(role: .individual, keepsRecord: false, isThePerson: true))
        #expect(!PersonRecordActions.showsFullData(role: .enterprise, keepsRecord: false, isThePerson: false))
        #expect(!PersonRecordActions.showsFullData(role: .association, keepsRecord: false, isThePerson: false))
    }
}
