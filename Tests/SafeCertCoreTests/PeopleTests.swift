import Testing
@testable import SafeCertCore

@Suite("人员状态") struct PersonWorkflowTests {
    @Test("every allowed transition")
    func allowed() throws {
        #expect(try PersonWorkflow.transition(from: .submitted, .approve) == .status(.approved))
        #expect(try PersonWorkflow.transition(from: .submitted, .returnForCorrection(reason: "照片不清晰")) == .status(.returned))
        #expect(try PersonWorkflow.transition(from: .returned, .edit) == .status(.submitted))
        #expect(try PersonWorkflow.transition(from: .submitted, .edit) == .status(.submitted))
        #expect(try PersonWorkflow.transition(from: .approved, .edit) == .pendingChange)
        for status in [PersonStatus.submitted, .approved, .returned] {
            #expect(try PersonWorkflow.transition(from: status, .cancel(reason: "离职")) == .status(.cancelled))
        }
    }

    @Test("every refused transition")
    func refused() {
        #expect(throws: PersonWorkflowError.notAllowed(from: .approved, action: "审批")) { try PersonWorkflow.transition(from: .approved, .approve) }
        #expect(throws: PersonWorkflowError.notAllowed(from: .returned, action: "审批")) { try PersonWorkflow.transition(from: .returned, .approve) }
        #expect(throws: PersonWorkflowError.notAllowed(from: .approved, action: "退回")) { try PersonWorkflow.transition(from: .approved, .returnForCorrection(reason: "x")) }
        for event in [PersonEvent.approve, .edit, .returnForCorrection(reason: "x"), .cancel(reason: "x")] {
            #expect(throws: PersonWorkflowError.self) { try PersonWorkflow.transition(from: .cancelled, event) }
        }
        #expect(throws: PersonWorkflowError.reasonRequired) { try PersonWorkflow.transition(from: .submitted, .returnForCorrection(reason: "  ")) }
        #expect(throws: PersonWorkflowError.reasonRequired) { try PersonWorkflow.transition(from: .approved, .cancel(reason: "")) }
    }
}

@Suite("人员导入行") struct PersonImportRowTests {
    let today = CalendarDate(year: 2026, month: 11, day: 23)!

    func row(_ values: [ImportCell]) -> PersonImportTemplate.Outcome { PersonImportTemplate.parse(values, today: today) }

    @Test("a valid row becomes a person; gender and birth come from the ID number")
    func valid() throws {
        let outcome = row([.text("张三"), .empty, .text("11010519491231002x"), .empty, .empty, .text("13800138000"), .text("汉"), .text("本科"),
                           .empty, .date(CalendarDate(year: 1970, month: 7, day: 1)!), .text("  ")])
        guard case .person(let draft) = outcome else { Issue.record("expected a person, got \(outcome)"); return }
        #expect(draft.identity.number == "11010519491231002X")
        #expect(draft.identity.gender == .female)
        #expect(draft.gender == .female && draft.birthDate?.iso == "1949-12-31")
        #expect(draft.ethnicGroup == "汉族")
        #expect(draft.workStartDate?.iso == "1970-07-01")
        #expect(draft.remarks == nil)
    }

    @Test("an ID stored as a number is refused with a message that says so")
    func idAsNumber() {
        guard case .invalid(let issues) = row([.text("李四"), .empty, .number(raw: "1.10105194912310E+17"), .empty, .empty, .text("13800138000")]) else {
            Issue.record("expected invalid"); return
        }
        #expect(issues.first?.column == "证件号码")
        #expect(issues.first?.reason.contains("存成了数字") == true)
    }

    @Test("every problem of a row is reported, by column")
    func allProblems() {
        guard case .invalid(let issues) = row([.text("王"), .text("军官证"), .text("110105194912310021"), .empty, .empty, .text("12345"), .text("火星"),
                                               .text("小学"), .text("123"), .text("2031-01-01")]) else {
            Issue.record("expected invalid"); return
        }
        let columns = Set(issues.map(\.column))
        #expect(columns == ["姓名", "证件类型", "证件号码", "手机号码", "民族", "学历", "所在单位统一社会信用代码", "参加工作日期"])
    }

    @Test("full-width digits, trailing spaces and Excel serial dates are understood")
    func normalisation() throws {
        let outcome = row([.text(" 赵 六 "), .empty, .text("１１０１０５１９４９１２３１００２Ｘ "), .empty, .empty, .text("１３８００１３８０００ "), .empty, .empty,
                           .empty, .number(raw: "42005")])
        guard case .person(let draft) = outcome else { Issue.record("expected a person, got \(outcome)"); return }
        #expect(draft.name == "赵 六")
        #expect(draft.identity.number == "11010519491231002X")
        #expect(draft.phone.value == "13800138000")
        #expect(draft.workStartDate?.iso == "2015-01-01")
    }

    @Test("an empty row is empty")
    func emptyRow() {
        #expect(row([.empty, .text("  "), .empty]) == .empty)
        #expect(row([]) == .empty)
    }

    @Test("Excel serials follow the 1900 system")
    func serials() {
        #expect(ExcelDate.calendarDate(serial: 1)?.iso == "1900-01-01")
        #expect(ExcelDate.calendarDate(serial: 59)?.iso == "1900-02-28")
        #expect(ExcelDate.calendarDate(serial: 61)?.iso == "1900-03-01")
        #expect(ExcelDate.calendarDate(serial: 45000)?.iso == "2023-03-15")
        #expect(ExcelDate.parseText("2015年3月1日")?.iso == "2015-03-01")
        #expect(ExcelDate.parseText("2015/3/1")?.iso == "2015-03-01")
        #expect(ExcelDate.parseText("20150301")?.iso == "2015-03-01")
        #expect(ExcelDate.parseText("2015-13-01") == nil)
    }
}

@Suite("单位规则") struct OrganizationRulesTests {
    @Test("an enterprise deletes itself only with no people and no branches")
    func selfDeletion() {
        #expect(throws: Never.self) { try OrganizationRules.checkSelfDeletion(people: 0, branches: 0) }
        #expect(throws: OrganizationRules.Refusal.hasPeople(3)) { try OrganizationRules.checkSelfDeletion(people: 3, branches: 0) }
        #expect(throws: OrganizationRules.Refusal.hasBranches(1)) { try OrganizationRules.checkSelfDeletion(people: 0, branches: 1) }
        #expect(OrganizationRules.Refusal.hasPeople(3).message.contains("3 名人员"))
    }

    @Test("a group with branches can't stop being a group")
    func leavingGroup() {
        #expect(throws: Never.self) { try OrganizationRules.checkLeavingGroupRole(branches: 0) }
        #expect(throws: OrganizationRules.Refusal.hasBranches(2)) { try OrganizationRules.checkLeavingGroupRole(branches: 2) }
    }
}
