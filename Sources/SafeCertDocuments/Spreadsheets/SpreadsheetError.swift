import Foundation

/// Why a spreadsheet could not be read or written. `message` is shown to the person who uploaded the file.
public enum SpreadsheetError: Error, Sendable, Equatable, LocalizedError, CustomStringConvertible {
    /// Not an .xlsx package: a CSV, an old .xls (BIFF), random bytes, a zip without a workbook…
    case notXLSX
    /// An .xlsx saved with a password is an encrypted OLE file, not a zip; say so instead of "not Excel".
    case passwordProtected
    /// A zip that claims to be a workbook but whose parts cannot be inflated or are missing.
    case damaged
    /// The file could not be opened at all (missing, unreadable).
    case unreadableFile
    /// More rows holding values than the reader was allowed to return (the header row counts).
    case tooManyRows(Int)
    /// One part of the package, or all parts read together, inflate to more than this many bytes:
    /// refused as soon as the bytes coming out of the inflater pass it.
    case fileTooLarge(maximumBytes: Int)
    /// The package lists more parts than any workbook has: refuse before reading them all.
    case tooManyParts(maximum: Int)
    /// `rows(sheet:)` was asked for a sheet the workbook does not have.
    case sheetNotFound(String)
    /// The writer could not assemble the zip package.
    case writeFailed

    public var message: String {
        switch self {
        case .notXLSX:
            return "文件不是有效的 Excel（.xlsx）文件，请使用模板另存为 .xlsx 后上传"
        case .passwordProtected:
            return "Excel 文件设置了打开密码，请取消密码保护后重新上传"
        case .damaged:
            return "Excel 文件已损坏，无法读取，请用 Excel 重新保存为 .xlsx 后上传"
        case .unreadableFile:
            return "无法读取上传的文件，请重新上传"
        case .tooManyRows(let limit):
            return "文件行数过多：每个文件最多 \(limit) 行（含表头），请拆分后分批上传"
        case .fileTooLarge(let maximumBytes):
            return "文件内容过大（解压后超过 \(maximumBytes / (1024 * 1024)) MB），请拆分后分批上传"
        case .tooManyParts(let maximum):
            return "文件内部包含的部件过多（超过 \(maximum) 个），不是正常的 Excel 文件，请用模板重新填写后上传"
        case .sheetNotFound(let name):
            return "文件中找不到名为“\(name)”的工作表，请使用模板填写"
        case .writeFailed:
            return "生成 Excel 文件失败，请稍后重试"
        }
    }

    public var errorDescription: String? { message }
    public var description: String { message }
}
