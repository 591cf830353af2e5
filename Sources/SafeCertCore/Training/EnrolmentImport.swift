import Foundation

/// What an enrolment form carries beyond the person (seed 002 报名表).
public struct EnrolmentDetails: Sendable, Hashable {
    public var workStartDate: CalendarDate?
    public var yearsInTrade: Int?
    public var hasHealthCommitment: Bool
    public var hasMedicalCheck: Bool
    public var resume: String?
    public var employerOpinion: String?

    public init(workStartDate: CalendarDate? = nil, yearsInTrade: Int? = nil, hasHealthCommitment: Bool = false,
                hasMedicalCheck: Bool = false, resume: String? = nil, employerOpinion: String? = nil) {
        self.workStartDate = workStartDate
        self.yearsInTrade = yearsInTrade
        self.hasHealthCommitment = hasHealthCommitment
        self.hasMedicalCheck = hasMedicalCheck
        self.resume = resume
        self.employerOpinion = employerOpinion
    }

    /// Years in the trade as stated, or else counted from the work start date.
    public func experience(on date: CalendarDate) -> Int? {
        yearsInTrade ?? workStartDate.map { max(0, $0.age(on: date)) }
    }

    public static let maxResumeLength = 2_000
    public static let maxOpinionLength = 500

    /// The checks the form and the import share; `field` names the problem's field.
    public static func validate(workStart: String?, years: String?, resume: String?, opinion: String?, today: CalendarDate,
                                health: Bool, medical: Bool) -> (EnrolmentDetails?, [(field: String, message: String)]) {
        var problems: [(String, String)] = []
        var details = EnrolmentDetails(hasHealthCommitment: health, hasMedicalCheck: medical)
        if let workStart {
            if let d = CalendarDate(iso: workStart) ?? ExcelDate.parseText(workStart) {
                if d > today { problems.append(("work_start_date", "参加工作日期不能晚于今天")) } else { details.workStartDate = d }
            } else {
                problems.append(("work_start_date", "参加工作日期格式应为 2015-03-01"))
            }
        }
        if let years {
            if let n = Int(years), (0...60).contains(n) { details.yearsInTrade = n } else { problems.append(("years_in_trade", "从业年限须为 0–60 的整数")) }
        }
        if let resume {
            if resume.count > maxResumeLength { problems.append(("resume", "个人简历不超过 \(maxResumeLength) 字")) } else { details.resume = resume }
        }
        if let opinion {
            if opinion.count > maxOpinionLength { problems.append(("employer_opinion", "单位意见不超过 \(maxOpinionLength) 字")) } else { details.employerOpinion = opinion }
        }
        return (problems.isEmpty ? details : nil, problems)
    }
}

/// The batch enrolment template (seed 002 批量报名): one row per person already registered.
public enum EnrolmentImportTemplate {
    public enum Column: Int, CaseIterable, Sendable {
        case idNumber, name, workStartDate, yearsInTrade, healthCommitment, medicalCheck, resume, employerOpinion

        public var title: String {
            switch self {
            case .idNumber: "证件号码*"
            case .name: "姓名*"
            case .workStartDate: "参加工作日期"
            case .yearsInTrade: "从业年限"
            case .healthCommitment: "健康承诺（是/否）"
            case .medicalCheck: "体检合格（是/否）"
            case .resume: "个人简历"
            case .employerOpinion: "单位意见"
            }
        }

        public var plainTitle: String { title.replacingOccurrences(of: "*", with: "") }
    }

    public static let notes = [
        "1. 第一行为表头，请勿修改；从第二行起每行填写一人。带 * 的列必须填写。",
        "2. 报名人员须已在“人员信息管理”中登记并审批通过；证件号码与姓名须与登记一致。",
        "3. 证件号码列请设为“文本”格式，否则 Excel 会丢失 18 位号码的末几位。",
        "4. 健康承诺、体检合格填“是”或“否”；资格要求体检的，须填“是”。",
        "5. 照片：与表格一同上传，文件名为“证件号码.jpg”（或打包为 .zip）；已有登记照片的人员可不传。",
        "6. 任何一行有错误时整表不报名；错误报告一次列出每一行的全部问题，请改正后重新上传。",
        "7. 院校报名（院校学生，免管理部门确认）：勾选“院校报名”后上传；表中人员须为院校登记的学生。",
        "8. " + TemplateExample.note,
    ]

    public struct Row: Sendable, Hashable {
        public var idNumber: String
        public var name: String
        public var details: EnrolmentDetails
    }

    public enum Outcome: Sendable, Equatable {
        case empty
        case row(Row)
        case invalid([RowIssue])
    }

    /// One row read in full: every cell judged, every problem listed; the values that could be
    /// read are kept (an empty string, or a detail left out, where they couldn't), so the caller
    /// can still look the person up and report the rest of the row's problems at once.
    public struct Reading: Sendable, Equatable {
        public var idNumber: String
        public var name: String
        /// The details that could be read; complete only when `issues` is empty.
        public var details: EnrolmentDetails
        public var issues: [RowIssue]
    }

    /// nil for an empty row or the template's example row.
    public static func read(_ cells: [ImportCell], today: CalendarDate) -> Reading? {
        func text(_ column: Column) -> String? { ImportText.text(cells, column.rawValue) }
        if Column.allCases.allSatisfy({ text($0) == nil }) || TemplateExample.isExample(cells) { return nil }
        var issues: [RowIssue] = []
        func issue(_ column: Column, _ reason: String) { issues.append(RowIssue(column: column.plainTitle, reason: reason)) }

        let number = ImportText.idNumber(cells, Column.idNumber.rawValue, title: Column.idNumber.plainTitle, into: &issues)
        let name = text(.name) ?? ""
        if name.isEmpty { issue(.name, "请填写姓名") }
        func yesNo(_ column: Column) -> Bool {
            guard let value = text(column) else { return false }
            switch value {
            case "是", "Y", "y", "YES", "yes", "TRUE", "1", "有": return true
            case "否", "N", "n", "NO", "no", "FALSE", "0", "无": return false
            default:
                issue(column, "应填“是”或“否”")
                return false
            }
        }
        let health = yesNo(.healthCommitment)
        let medical = yesNo(.medicalCheck)
        let (details, problems) = EnrolmentDetails.validate(workStart: text(.workStartDate), years: text(.yearsInTrade),
                                                            resume: text(.resume), opinion: text(.employerOpinion),
                                                            today: today, health: health, medical: medical)
        let columnFor = ["work_start_date": Column.workStartDate, "years_in_trade": .yearsInTrade, "resume": .resume,
                         "employer_opinion": .employerOpinion]
        for p in problems { issue(columnFor[p.field] ?? .idNumber, p.message) }
        return Reading(idNumber: number, name: name,
                       details: details ?? EnrolmentDetails(hasHealthCommitment: health, hasMedicalCheck: medical), issues: issues)
    }

    public static func parse(_ cells: [ImportCell], today: CalendarDate) -> Outcome {
        guard let reading = read(cells, today: today) else { return .empty }
        guard reading.issues.isEmpty else { return .invalid(reading.issues) }
        return .row(Row(idNumber: reading.idNumber, name: reading.name, details: reading.details))
    }
}
