import Foundation
import Testing
@testable import SafeCertCore

private func date(_ iso: String) -> CalendarDate { CalendarDate(iso: iso)! }

@Suite("报到与培训结果的时间")
struct TrainingStepTimingTests {
    static let start = date("2026-12-10")
    static let end = date("2026-12-15")

    func refusal(_ step: TrainingStep, _ state: TrainingClassState, on today: String) -> String? {
        TrainingStepTiming.refusal(step, state: state, start: Self.start, end: Self.end, today: date(today))
    }

    @Test("before the start date nothing of the class's own steps goes through, unless the class was opened")
    func notBeforeTheStart() {
        for step in TrainingStep.allCases {
            for state: TrainingClassState in [.published, .enrolmentClosed] {
                #expect(refusal(step, state, on: "2026-12-09") == "培训班 2026-12-10 开班，开班后才能\(step.label)", "\(step) \(state)")
            }
            #expect(refusal(step, .running, on: "2026-12-01") == nil, "开班 early: \(step)")
        }
    }

    @Test("check-in runs from the start date to the end date, or while the class is running")
    func checkInWindow() {
        #expect(refusal(.checkIn, .published, on: "2026-12-10") == nil)
        #expect(refusal(.checkIn, .enrolmentClosed, on: "2026-12-15") == nil)
        #expect(refusal(.checkIn, .enrolmentClosed, on: "2026-12-16") == "培训班已于 2026-12-15 结束，不能再报到")
        #expect(refusal(.checkIn, .running, on: "2027-01-20") == nil)
        #expect(refusal(.checkIn, .finished, on: "2026-12-12") == "培训班已结束，不能再报到")
    }

    @Test("results and their review wait for the start and stay open after the end")
    func resultsAfterTheStart() {
        for step: TrainingStep in [.recordResults, .reviewResults] {
            #expect(refusal(step, .published, on: "2026-12-10") == nil)
            #expect(refusal(step, .enrolmentClosed, on: "2027-02-01") == nil)
            #expect(refusal(step, .finished, on: "2027-02-01") == nil)
            #expect(refusal(step, .running, on: "2026-12-12") == nil)
        }
    }

    @Test("a draft or cancelled class has no check-in, results or review")
    func notForDraftOrCancelled() {
        for step in TrainingStep.allCases {
            #expect(refusal(step, .draft, on: "2026-12-12") == "培训班状态为「草稿」，不能\(step.label)")
            #expect(refusal(step, .cancelled, on: "2026-12-12") == "培训班状态为「已取消」，不能\(step.label)")
        }
    }
}

@Suite("院校报名")
struct SchoolEnrolmentTests {
    static let today = date("2026-11-23")

    func facts(school: Bool, employer: EnrolmentFacts.Employer?) -> EnrolmentFacts {
        EnrolmentFacts(classType: .initial, classState: .published, deadline: date("2026-12-01"), capacity: 30, enrolled: 0,
                       personApproved: true, existing: [], certificate: nil,
                       applicant: Applicant(birthDate: date("2004-05-16"), education: .bachelor, yearsOfExperience: 0,
                                            hasMedicalCheck: true, hasHealthCommitment: true),
                       rule: EligibilityRule(), today: Self.today, schoolEnrolment: school, employer: employer)
    }

    @Test("only a school's students may be enrolled as school students (no confirmation)")
    func onlyStudents() {
        #expect(EnrolmentCheck.refusals(facts(school: true, employer: .init(kind: .school, name: "吉林交通职业技术学院"))) == [])
        #expect(EnrolmentCheck.refusals(facts(school: true, employer: .init(kind: .enterprise, name: "长春安达建筑工程有限公司")))
            == ["院校报名仅限院校学生：该人员的单位「长春安达建筑工程有限公司」是企业，不是院校，请按普通报名提交（由管理部门确认）"])
        #expect(EnrolmentCheck.refusals(facts(school: true, employer: nil))
            == ["院校报名仅限院校学生：该人员未登记所在院校，请按普通报名提交（由管理部门确认）"])
        // The ordinary way stays open to both.
        #expect(EnrolmentCheck.refusals(facts(school: false, employer: .init(kind: .enterprise, name: "长春安达建筑工程有限公司"))) == [])
        #expect(EnrolmentCheck.refusals(facts(school: false, employer: .init(kind: .school, name: "吉林交通职业技术学院"))) == [])
    }

    @Test("a school is an employer of people and is identified by its credit code, a 事业单位 code starting with 12")
    func schoolsAsOrganisations() throws {
        #expect(OrganizationKind.school.employsPeople && OrganizationKind.enterprise.employsPeople)
        #expect(!OrganizationKind.trainingInstitution.employsPeople && !OrganizationKind.authority.employsPeople)
        #expect(OrganizationKind.school.requiresCreditCode)
        let code = try CreditCode.generate(region: "220100", serial: 42, type: "12")
        #expect(code.value.hasPrefix("12220100"))
        #expect(try CreditCode.parse(code.value).checkCharacterValid)
    }
}

@Suite("模板示例行")
struct TemplateExampleTests {
    static let today = date("2026-11-23")

    @Test("a row with a cell beginning 示例 is the template's example: every import skips it")
    func examplesAreSkipped() {
        let enrolment: [ImportCell] = [.text("11010519491231002X"), .text("示例：张三"), .text("2015-03-01"), .number(raw: "8"),
                                       .text("是"), .text("是"), .text("2015 年至今在本单位从事电工作业"), .text("同意报名")]
        #expect(EnrolmentImportTemplate.read(enrolment, today: Self.today) == nil)
        #expect(EnrolmentImportTemplate.parse(enrolment, today: Self.today) == .empty)
        let candidate: [ImportCell] = [.text("11010519491231002X"), .text("示例：张三"), .text("A"), .text("91220101MA0000000X"),
                                       .number(raw: "13800000000")]
        #expect(CandidateImportTemplate.read(candidate) == nil)
        // The people template, including the example row of templates downloaded before (remark 示例行…).
        let person: [ImportCell] = [.text("张三"), .text("居民身份证"), .text("11010519491231002X"), .text("13800138000"), .text("汉族"),
                                    .text("本科"), .empty, .text("2015-03-01"), .text("示例行，导入前请删除")]
        #expect(TemplateExample.isExample(person))
        #expect(TemplateExample.isExample([.text("　示例：张三")]))
        // A real row is read as before.
        var real = enrolment
        real[1] = .text("张三")
        guard case .row(let row) = EnrolmentImportTemplate.parse(real, today: Self.today) else {
            Issue.record("a real row must be read")
            return
        }
        #expect(row.name == "张三" && row.details.yearsInTrade == 8)
    }

    @Test("reading a row lists every problem and keeps what could be read")
    func everyProblemOfARow() throws {
        let cells: [ImportCell] = [.text("220102198503120318"), .empty, .empty, .text("七十"), .text("也许"), .text("是")]
        let reading = try #require(EnrolmentImportTemplate.read(cells, today: Self.today))
        #expect(reading.idNumber == "220102198503120318")
        #expect(reading.issues.map(\.column) == ["姓名", "健康承诺（是/否）", "从业年限"])
        #expect(reading.details.hasMedicalCheck)
        let candidate = try #require(CandidateImportTemplate.read([.text("220102198503120318"), .text("张伟"), .text("D"),
                                                                   .text("123"), .text("456")]))
        #expect(candidate.row.idNumber == "220102198503120318" && candidate.row.name == "张伟")
        #expect(candidate.issues.map(\.column) == ["人员类型（A/B/C）", "统一社会信用代码", "联系电话"])
    }
}
