import Foundation
import Testing
@testable import SafeCertCore

@Suite("证件号码已登记时的提示")
struct ExistingPersonNoticeTests {
    static func existing(inScope: Bool) -> ExistingPersonNotice.Existing {
        .init(name: "孙一", employer: "长春安达建筑工程有限公司", status: .approved, inScope: inScope)
    }

    @Test("outside one's scope the notice names nobody, no employer and no status, and offers the transfer")
    func outsideScope() {
        for text in [ExistingPersonNotice.forForm(Self.existing(inScope: false), mayRequestTransfer: true),
                     ExistingPersonNotice.forImport(Self.existing(inScope: false), mayRequestTransfer: true)] {
            #expect(text.hasPrefix(ExistingPersonNotice.registeredElsewhere))
            #expect(!text.contains("孙一"))
            #expect(!text.contains("长春安达"))
            #expect(!text.contains(PersonStatus.approved.label))
            #expect(text.contains("申请调入"))
        }
        #expect(!ExistingPersonNotice.forForm(Self.existing(inScope: false), mayRequestTransfer: false).contains("申请调入"))
    }

    @Test("inside one's scope the notice still says where the person stands")
    func insideScope() {
        let form = ExistingPersonNotice.forForm(Self.existing(inScope: true), mayRequestTransfer: true)
        #expect(form.contains("孙一") && form.contains("长春安达建筑工程有限公司") && form.contains("已审批"))
        let row = ExistingPersonNotice.forImport(Self.existing(inScope: true), mayRequestTransfer: true)
        #expect(row.contains("已登记") && row.contains("长春安达建筑工程有限公司") && row.contains("未作改动"))
    }
}

@Suite("证件号码已登记：是否在本单位范围内")
struct ExistingPersonScopeTests {
    let unit = UUID(), branch = UUID(), other = UUID()

    @Test func employedOrRegisteredByTheUnitOrItsBranchIsInScope() {
        let own: Set<UUID> = [unit, branch]
        #expect(ExistingPersonNotice.isInScope(employer: unit, registeredBy: other, ownUnits: own))
        #expect(ExistingPersonNotice.isInScope(employer: other, registeredBy: branch, ownUnits: own))
        #expect(ExistingPersonNotice.isInScope(employer: nil, registeredBy: unit, ownUnits: own))
    }

    @Test func someoneElsesPersonIsNot() {
        #expect(!ExistingPersonNotice.isInScope(employer: other, registeredBy: other, ownUnits: [unit]))
        // A self-registered individual (no employer, no registering unit) is in nobody's scope.
        #expect(!ExistingPersonNotice.isInScope(employer: nil, registeredBy: nil, ownUnits: [unit]))
    }
}
