import Foundation

/// Reading one cell of an import row the way every template here does: full-width folded,
/// trimmed, numbers as written, dates as ISO.
enum ImportText {
    static func text(_ cells: [ImportCell], _ index: Int) -> String? {
        guard index < cells.count else { return nil }
        switch cells[index] {
        case .empty: return nil
        case .text(let s):
            let t = TextNormalization.trimmed(TextNormalization.foldFullWidth(s))
            return t.isEmpty ? nil : t
        case .number(let raw): return raw
        case .date(let d): return d.iso
        }
    }

    /// An ID number Excel turned into a number has lost its last digits.
    static func idNumber(_ cells: [ImportCell], _ index: Int, title: String, into issues: inout [RowIssue]) -> String {
        if index < cells.count, case .number(let raw) = cells[index], raw.contains("E") || raw.contains("e") {
            issues.append(RowIssue(column: title, reason: "证件号码被 Excel 存成了数字（\(raw)），末几位已丢失；请将该列设为文本格式后重新填写"))
            return ""
        }
        guard let raw = text(cells, index) else {
            issues.append(RowIssue(column: title, reason: "请填写证件号码"))
            return ""
        }
        return raw.uppercased()
    }
}

/// 导入考生信息 (seed 004): candidates of an exam plan, one row each. Re-importing a corrected
/// file adds only the rows not yet in the plan ("已成功的记录不会重复导入").
public enum CandidateImportTemplate {
    public enum Column: Int, CaseIterable, Sendable {
        case idNumber, name, personCategory, creditCode, phone, room

        public var title: String {
            switch self {
            case .idNumber: "证件号码*"
            case .name: "姓名*"
            case .personCategory: "人员类型（A/B/C）"
            case .creditCode: "统一社会信用代码"
            case .phone: "联系电话"
            case .room: "考场"
            }
        }

        public var plainTitle: String { title.replacingOccurrences(of: "*", with: "") }
    }

    public static let notes = [
        "1. 第一行为表头，请勿修改；从第二行起每行填写一名考生。带 * 的列必须填写。",
        "2. 考生须已登记并审批通过，且本资格培训合格（或可补考）、尚未安排其他考试；证件号码与姓名须与登记一致。",
        "3. 请先将整个表格设为“文本”格式，否则 18 位证件号码的末几位会丢失。",
        "4. 人员类型填 A、B 或 C（通信“三类人员”）；其他资格可不填。",
        "5. 统一社会信用代码如填写，须与考生登记的工作单位一致。",
        "6. 考场填本计划的考场名称；不填时按顺序安排到有空位的考场。",
        "7. 须在考试开始 48 小时之前导入。出错的行逐条列出行号、列名和原因（每行的全部问题一次列出，可下载问题行），其余行照常导入；改正后可整表重新导入，已导入的考生不会重复导入。",
        "8. " + TemplateExample.note,
    ]

    public struct Row: Sendable, Hashable {
        public var idNumber: String
        public var name: String
        public var category: PersonCategory?
        public var creditCode: String?
        public var phone: String?
        public var room: String?
    }

    public enum Outcome: Sendable, Equatable {
        case empty
        case row(Row)
        case invalid([RowIssue])
    }

    /// One row read in full: every cell judged, every problem listed, and what could be read
    /// kept (an empty ID number or name where it couldn't) for the checks against the register.
    public struct Reading: Sendable, Equatable {
        public var row: Row
        public var issues: [RowIssue]
    }

    /// nil for an empty row or the template's example row.
    public static func read(_ cells: [ImportCell]) -> Reading? {
        func text(_ c: Column) -> String? { ImportText.text(cells, c.rawValue) }
        if Column.allCases.allSatisfy({ text($0) == nil }) || TemplateExample.isExample(cells) { return nil }
        var issues: [RowIssue] = []
        let number = ImportText.idNumber(cells, Column.idNumber.rawValue, title: Column.idNumber.plainTitle, into: &issues)
        let name = text(.name) ?? ""
        if name.isEmpty { issues.append(RowIssue(column: Column.name.plainTitle, reason: "请填写姓名")) }
        var category: PersonCategory?
        if let raw = text(.personCategory) {
            category = PersonCategory(text: raw)
            if category == nil { issues.append(RowIssue(column: Column.personCategory.plainTitle, reason: "人员类型应填 A、B 或 C（填写的是「\(raw)」）")) }
        }
        var credit: String?
        if let raw = text(.creditCode) {
            do { credit = try CreditCode.parse(raw).value } catch {
                issues.append(RowIssue(column: Column.creditCode.plainTitle, reason: error.message))
            }
        }
        var phone: String?
        if let raw = text(.phone) {
            do { phone = try PhoneNumber(raw).value } catch {
                issues.append(RowIssue(column: Column.phone.plainTitle, reason: error.message))
            }
        }
        return Reading(row: Row(idNumber: number, name: name, category: category, creditCode: credit, phone: phone, room: text(.room)),
                       issues: issues)
    }

    public static func parse(_ cells: [ImportCell]) -> Outcome {
        guard let reading = read(cells) else { return .empty }
        guard reading.issues.isEmpty else { return .invalid(reading.issues) }
        return .row(reading.row)
    }
}

/// 成绩导入 (seed 000 管理考试结果): scores per candidate, by ticket number. A cell holds a score,
/// "缺考", or nothing (that subject isn't reported in this file).
public enum ScoreImportTemplate {
    public enum Column: Int, CaseIterable, Sendable {
        case ticketNumber, idNumber, name, theory, practical

        public var title: String {
            switch self {
            case .ticketNumber: "准考证号*"
            case .idNumber: "证件号码*"
            case .name: "姓名"
            case .theory: "理论成绩"
            case .practical: "实操成绩"
            }
        }

        public var plainTitle: String { title.replacingOccurrences(of: "*", with: "") }
    }

    public static let notes = [
        "1. 第一行为表头，请勿修改；每行一名考生，准考证号与证件号码须与考生名单一致。",
        "2. 成绩填 0 至满分之间的数字（可有一位小数）；未参加考试填“缺考”；不导入的科目留空。",
        "3. 任何一行有错误时整表不导入，请按错误报告改正后重新上传；重新导入会覆盖尚未提交的成绩。",
    ]

    public struct Row: Sendable, Hashable {
        public var ticketNumber: String
        public var idNumber: String
        public var results: [ExamSubjectKind: SubjectResult]
    }

    public enum Outcome: Sendable, Equatable {
        case empty
        case row(Row)
        case invalid([RowIssue])
    }

    /// "85", "85.5", "缺考" → a result; nil for an empty cell; throws the reason otherwise.
    public static func result(_ text: String?) throws(ExamResultParseError) -> SubjectResult? {
        guard let text, !text.isEmpty else { return nil }
        if ["缺考", "缺", "absent", "ABSENT"].contains(text) { return .absent }
        guard let value = Double(text), value.isFinite, value >= 0 else { throw .notAScore(text) }
        // One decimal at most: a score is given in halves or tenths.
        guard (value * 10).rounded() == value * 10 else { throw .tooPrecise(text) }
        return .score(value)
    }

    public static func parse(_ cells: [ImportCell]) -> Outcome {
        func text(_ c: Column) -> String? { ImportText.text(cells, c.rawValue) }
        if Column.allCases.allSatisfy({ text($0) == nil }) { return .empty }
        var issues: [RowIssue] = []
        let ticket = text(.ticketNumber)?.uppercased() ?? ""
        if ticket.isEmpty { issues.append(RowIssue(column: Column.ticketNumber.plainTitle, reason: "请填写准考证号")) }
        let number = ImportText.idNumber(cells, Column.idNumber.rawValue, title: Column.idNumber.plainTitle, into: &issues)
        var results: [ExamSubjectKind: SubjectResult] = [:]
        for (column, kind) in [(Column.theory, ExamSubjectKind.theory), (.practical, .practical)] {
            do {
                if let r = try result(text(column)) { results[kind] = r }
            } catch {
                issues.append(RowIssue(column: column.plainTitle, reason: error.message))
            }
        }
        if issues.isEmpty && results.isEmpty {
            issues.append(RowIssue(column: Column.theory.plainTitle, reason: "理论成绩和实操成绩至少填写一项（未参加考试填“缺考”）"))
        }
        guard issues.isEmpty else { return .invalid(issues) }
        return .row(Row(ticketNumber: ticket, idNumber: number, results: results))
    }
}

public enum ExamResultParseError: Error, Sendable, Equatable, CustomStringConvertible {
    case notAScore(String)
    case tooPrecise(String)

    public var message: String {
        switch self {
        case .notAScore(let t): "「\(t)」不是有效的成绩：请填写 0 以上的数字，未参加考试填“缺考”"
        case .tooPrecise(let t): "成绩「\(t)」最多保留一位小数"
        }
    }

    public var description: String { message }
}

extension SubjectResult {
    /// Stored as "85.5" or "absent".
    public var stored: String {
        switch self {
        case .absent: "absent"
        case .score(let s): ExamGrading.scoreText(s)
        }
    }

    public init?(stored: String?) {
        guard let stored else { return nil }
        if stored == "absent" { self = .absent; return }
        guard let v = Double(stored) else { return nil }
        self = .score(v)
    }

    public var label: String {
        switch self {
        case .absent: "缺考"
        case .score(let s): ExamGrading.scoreText(s)
        }
    }
}
