import Foundation

/// The export links under a list: one "导出 Excel" link, or one per 5,000-row part, each keeping
/// the list's filters (DESIGN.md: exports in pages of 5,000).
enum ExportParts {
    static let pageSize = 5_000
    /// Parts asked for beyond this read as this one (an empty part, never an overflow).
    static let maximumPart = 100_000

    /// `capped`: the list was counted only up to `Pagination.countCap`, so the parts offered
    /// cover that many rows and the last one says to narrow the list for the rest.
    static func options(path: String, filters: [(String, String?)], total: Int, capped: Bool = false) -> [OrganizationForm.Option] {
        var components = URLComponents()
        components.path = path
        components.queryItems = filters.compactMap { name, value in value.map { URLQueryItem(name: name, value: $0) } }
        let base = components.string ?? path
        let joiner = base.contains("?") ? "&" : "?"
        let parts = max(1, (total + pageSize - 1) / pageSize)
        return (1...parts).map { part in
            let more = capped && part == parts ? "；更多记录请先筛选" : ""
            return .init(value: base + joiner + "part=\(part)",
                         label: parts == 1 && !capped ? "导出 Excel"
                             : "导出第 \(part) 部分（第 \((part - 1) * pageSize + 1)–\(min(part * pageSize, total)) 条\(more)）")
        }
    }

    /// The rows of part `part` (1-based) of a list.
    static func range(part: Int) -> Range<Int> {
        let part = max(1, min(part, maximumPart))
        return ((part - 1) * pageSize)..<(part * pageSize)
    }
}
