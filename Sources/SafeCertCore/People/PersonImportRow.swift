import Foundation

/// A spreadsheet cell as the import sees it (the document layer reads the file; this layer
/// judges the values).
public enum ImportCell: Sendable, Equatable {
    case empty
    case text(String)
    /// A numeric cell, with the number as the file wrote it ("1.10105194912310E+17").
    case number(raw: String)
    case date(CalendarDate)
}

/// The example row each import template shows under its header: marked by a cell that begins
/// with "示例" (the name "示例：张三", the remark "示例行…"), and skipped by every import, so an
/// untouched template imports nobody and reports nothing. Real values never begin so: names,
/// ID numbers, codes and phone numbers can't, and a remark or résumé that did would be odd.
public enum TemplateExample {
    public static let marker = "示例"

    public static func isExample(_ cells: [ImportCell]) -> Bool {
        cells.contains { cell in
            guard case .text(let raw) = cell else { return false }
            return TextNormalization.trimmed(TextNormalization.foldFullWidth(raw)).hasPrefix(marker)
        }
    }

    /// The note every template's notes sheet carries.
    public static let note = "第 2 行为填写示例（以“示例”开头），导入时自动跳过，可保留或删除。"
}

/// One problem of one row: the column's title and the reason.
public struct RowIssue: Sendable, Equatable, Codable {
    public let column: String
    public let reason: String
    public init(column: String, reason: String) {
        self.column = column
        self.reason = reason
    }
}

/// The people import template (seed 002 / seed 004): its columns and the rules of each row.
public enum PersonImportTemplate {
    public enum Column: Int, CaseIterable, Sendable {
        case name, idType, idNumber, gender, birthDate, phone, ethnicGroup, education, employerCreditCode, workStartDate, remarks

        public var title: String {
            switch self {
            case .name: "姓名*"
            case .idType: "证件类型"
            case .idNumber: "证件号码*"
            case .gender: "性别"
            case .birthDate: "出生日期"
            case .phone: "手机号码*"
            case .ethnicGroup: "民族"
            case .education: "学历"
            case .employerCreditCode: "所在单位统一社会信用代码"
            case .workStartDate: "参加工作日期"
            case .remarks: "备注"
            }
        }

        var plainTitle: String { title.replacingOccurrences(of: "*", with: "") }
    }

    public static let notes = [
        "1. 第一行为表头，请勿修改；从第二行起每行填写一人。带 * 的列必须填写。",
        "2. 证件号码列请设为“文本”格式：Excel 会把 18 位身份证号存成数字（如 1.10105E+17），丢失末几位。",
        "3. 证件类型可填：居民身份证（默认）、护照、港澳居民来往内地通行证、台湾居民来往大陆通行证、外国人永久居留身份证。",
        "4. 居民身份证的性别和出生日期由号码自动得出，可不填；其他证件必须填写性别（男/女）和出生日期（如 1985-03-12）。",
        "5. 港澳居民来往内地通行证号码为 H 或 M 加 8 位数字（如 H12345678）；台湾居民来往大陆通行证号码为 8 位数字；护照号码为 5–17 位字母和数字。",
        "6. 所在单位统一社会信用代码：企业导入本单位人员时可不填；培训机构导入时必须填写已登记企业的代码。",
        "7. 参加工作日期格式如 2015-03-01。",
        "8. 已导入的人员（证件类型和号码相同）再次导入不会重复登记，也不会被修改；改正错误行后可整表重新导入。",
        "9. " + TemplateExample.note,
    ]

    public enum Outcome: Sendable, Equatable {
        case empty
        case person(PersonDraft)
        case invalid([RowIssue])
    }

    /// Judges one row: every field is checked, and every problem reported (not just the first).
    public static func parse(_ cells: [ImportCell], today: CalendarDate) -> Outcome {
        func cell(_ column: Column) -> ImportCell { column.rawValue < cells.count ? cells[column.rawValue] : .empty }
        // Each cell's text once: an import judges every cell of every row.
        let texts: [String?] = Column.allCases.map { column in
            switch cell(column) {
            case .empty: return nil
            case .text(let s):
                let t = TextNormalization.trimmed(TextNormalization.foldFullWidth(s))
                return t.isEmpty ? nil : t
            case .number(let raw): return raw
            case .date(let d): return d.iso
            }
        }
        func text(_ column: Column) -> String? { texts[column.rawValue] }
        if texts.allSatisfy({ $0 == nil }) { return .empty }

        var issues: [RowIssue] = []
        func issue(_ column: Column, _ reason: String) { issues.append(RowIssue(column: column.plainTitle, reason: reason)) }

        let (name, nameError) = PersonFields.validateName(text(.name) ?? "")
        if let nameError { issue(.name, nameError) }

        var idType = IDDocumentType.residentID
        if let typed = text(.idType) {
            if let match = IDDocumentType.allCases.first(where: { $0.label == typed || $0.rawValue == typed }) { idType = match }
            else { issue(.idType, "证件类型「\(typed)」无法识别") }
        }

        var identity: PersonIdentity?
        switch cell(.idNumber) {
        case .number(let raw):
            issue(.idNumber, "证件号码被 Excel 存成了数字（\(raw)），末几位已丢失；请将该列设为文本格式后重新填写")
        case .empty:
            issue(.idNumber, "请填写证件号码")
        default:
            do { identity = try PersonIdentity(type: idType, number: text(.idNumber) ?? "", today: today) }
            catch { issue(.idNumber, error.message) }
        }

        // Gender and birth date: derived from a resident ID (a typed value must agree), asked for
        // every other document.
        let (typedGender, genderError) = PersonFields.validateGender(text(.gender))
        if let genderError { issue(.gender, genderError) }
        var typedBirth: CalendarDate?
        var birthUnreadable = false
        switch parseDate(cell(.birthDate), label: "出生日期") {
        case .success(let date): typedBirth = date
        case .failure(let reason):
            birthUnreadable = true
            issue(.birthDate, reason.text)
        }
        if idType.derivesGenderAndBirthDate {
            if let typedGender, let derived = identity?.gender, typedGender != derived {
                issue(.gender, "性别与身份证号不符（身份证号为\(derived.label)性）")
            }
            if let typedBirth, let derived = identity?.birthDate, typedBirth != derived {
                issue(.birthDate, "出生日期与身份证号不符（身份证号为 \(derived.iso)）")
            }
        } else {
            if typedGender == nil && genderError == nil { issue(.gender, "\(idType.label)须填写性别") }
            if let typedBirth {
                if let problem = PersonFields.checkBirthDate(typedBirth, today: today) { issue(.birthDate, problem) }
            } else if !birthUnreadable {
                issue(.birthDate, "\(idType.label)须填写出生日期")
            }
        }
        let birthDate = identity?.birthDate ?? typedBirth

        var phone: PhoneNumber?
        do { phone = try PhoneNumber(text(.phone) ?? "") } catch { issue(.phone, error.message) }

        let (ethnic, ethnicError) = PersonFields.validateEthnicGroup(text(.ethnicGroup))
        if let ethnicError { issue(.ethnicGroup, ethnicError) }
        let (education, educationError) = PersonFields.validateEducation(text(.education))
        if let educationError { issue(.education, educationError) }

        var creditCode: String?
        if let raw = text(.employerCreditCode) {
            do { creditCode = try CreditCode.parse(raw).value } catch { issue(.employerCreditCode, error.message) }
        }

        var workStart: CalendarDate?
        switch parseDate(cell(.workStartDate), label: "参加工作日期") {
        case .success(let date): workStart = date
        case .failure(let reason): issue(.workStartDate, reason.text)
        }
        if let workStart, workStart > today { issue(.workStartDate, "参加工作日期不能晚于今天") }
        if let workStart, let birth = birthDate, workStart < birth.adding(years: 14) {
            issue(.workStartDate, "参加工作日期早于 14 周岁")
        }

        let remarks = text(.remarks).map { String($0.prefix(200)) }
        guard issues.isEmpty, let name, let identity, let phone else { return .invalid(issues) }
        return .person(PersonDraft(identity: identity, gender: typedGender, birthDate: typedBirth, name: name, phone: phone,
                                   ethnicGroup: ethnic, education: education, employerCreditCode: creditCode,
                                   workStartDate: workStart, remarks: remarks))
    }

    struct DateProblem: Error { let text: String }

    /// A date cell: empty (nil), a date, an Excel serial, or text as `ExcelDate.parseText` reads
    /// it; a real day in `CalendarDate.inputYears`.
    static func parseDate(_ cell: ImportCell, label: String) -> Result<CalendarDate?, DateProblem> {
        let date: CalendarDate
        switch cell {
        case .empty:
            return .success(nil)
        case .date(let d):
            date = d
        case .number(let raw):
            guard let serial = Double(raw), let d = ExcelDate.calendarDate(serial: serial) else {
                return .failure(DateProblem(text: "\(label)「\(raw)」不是有效日期"))
            }
            date = d
        case .text(let s):
            let trimmed = TextNormalization.trimmed(s)
            if trimmed.isEmpty { return .success(nil) }
            guard let d = ExcelDate.parseText(s) else { return .failure(DateProblem(text: "\(label)「\(trimmed)」格式应为 2015-03-01")) }
            date = d
        }
        guard CalendarDate.inputYears.contains(date.year) else {
            return .failure(DateProblem(text: "\(label)「\(date.iso)」不在 \(CalendarDate.inputYears.lowerBound)–\(CalendarDate.inputYears.upperBound) 年之间"))
        }
        return .success(date)
    }
}

/// Excel's dates: serial numbers of the 1900 system, or dates typed as text.
public enum ExcelDate {
    public static func calendarDate(serial: Double) -> CalendarDate? {
        guard serial >= 1, serial < 2_958_466 else { return nil }
        // Serial 60 is the fictitious 1900-02-29; serials after it are one day ahead.
        let days = Int(serial.rounded(.down)) - (serial >= 61 ? 2 : 1)
        return CalendarDate(year: 1900, month: 1, day: 1)?.adding(days: days)
    }

    /// "2015-03-01", "2015/3/1", "2015.3.1", "2015年3月1日", "20150301".
    public static func parseText(_ raw: String) -> CalendarDate? {
        let s = TextNormalization.trimmed(TextNormalization.foldFullWidth(raw))
        // The digit runs, separated by - / . 年 月 (and a final 日); anything else is not a date.
        var runs: [[UInt8]] = [[]]
        var separators = 0
        var ended = false
        for scalar in s.unicodeScalars {
            if ended { return nil }
            switch scalar {
            case "0"..."9":
                runs[runs.count - 1].append(UInt8(scalar.value))
            case "-", "/", ".", "年", "月":
                separators += 1
                runs.append([])
            case "日":
                ended = true
            default:
                return nil
            }
        }
        func number(_ digits: ArraySlice<UInt8>) -> Int? {
            guard !digits.isEmpty, digits.count <= 4 else { return nil }
            return digits.reduce(0) { $0 * 10 + Int($1 - 48) }
        }
        if separators == 0, let only = runs.first, only.count == 8 {
            guard let y = number(only[0..<4]), let m = number(only[4..<6]), let d = number(only[6..<8]) else { return nil }
            return CalendarDate(year: y, month: m, day: d)
        }
        guard runs.count == 3, runs[0].count == 4, let y = number(runs[0][...]), let m = number(runs[1][...]),
              let d = number(runs[2][...]) else { return nil }
        return CalendarDate(year: y, month: m, day: d)
    }
}
