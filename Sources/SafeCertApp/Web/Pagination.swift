import Fluent
import Foundation
import Vapor

/// The pager under every list: page links keep the list's filters.
struct Pagination: Encodable, Sendable {
    struct Link: Encodable, Sendable {
        let number: Int
        let href: String
        let current: Bool
    }

    let page: Int
    let pageCount: Int
    let total: Int
    /// "12", or "10000+" when the list was counted only up to `countCap`.
    let totalLabel: String
    let previous: String?
    let next: String?
    let links: [Link]

    static let perPage = 20
    /// Pages asked for beyond this are read as this (and then as the last page).
    static let maximumPage = 100_000
    /// Big lists (the people register, the review queue) are counted up to this many rows: past
    /// it the pager says "10000+" and offers its first 500 pages, and the user narrows the list
    /// with its filters — nobody pages through a province's register, and a count or an OFFSET
    /// over a million rows is what made every page slow (issue 11).
    static let countCap = 10_000

    init(metadata: PageMetadata, path: String, filters: [(String, String?)], parameter: String = "page", capped: Bool = false) {
        let pageCount = max(1, metadata.pageCount)
        let page = min(max(1, metadata.page), pageCount)
        func href(_ number: Int) -> String {
            var items = filters.compactMap { name, value in value.map { URLQueryItem(name: name, value: $0) } }
            items.append(URLQueryItem(name: parameter, value: String(number)))
            var components = URLComponents()
            components.path = path
            components.queryItems = items
            return components.string ?? path
        }
        self.page = page
        self.pageCount = pageCount
        total = metadata.total
        totalLabel = capped ? "\(metadata.total)+" : String(metadata.total)
        previous = page > 1 ? href(page - 1) : nil
        next = page < pageCount ? href(page + 1) : nil
        links = Self.window(page: page, pageCount: pageCount).map { Link(number: $0, href: href($0), current: $0 == page) }
    }

    /// Up to nine page numbers around the current one, always inside 1...pageCount.
    static func window(page: Int, pageCount: Int) -> ClosedRange<Int> {
        let last = max(1, pageCount)
        let current = min(max(1, page), last)
        let first = max(1, min(current - 4, last - 8))
        return first...min(last, first + 8)
    }
}

extension Request {
    /// Page number and size from the query (`page`, 1-based; at most 100 rows a page). Anything
    /// that isn't a page number reads as 1; a number past the last page is clamped by `page(for:)`.
    func pageRequest(per: Int = Pagination.perPage, parameter: String = "page") -> PageRequest {
        let page = max(1, min(queryInt(parameter) ?? 1, Pagination.maximumPage))
        return PageRequest(page: page, per: max(1, min(per, 100)))
    }
}

extension QueryBuilder {
    /// One page of the list; a page past the end shows the last page instead of an empty one.
    func page(for req: Request, per: Int = Pagination.perPage, parameter: String = "page") async throws -> Page<Model> {
        let request = req.pageRequest(per: per, parameter: parameter)
        let first = try await copy().paginate(request)
        let lastPage = Swift.max(1, first.metadata.pageCount)
        guard first.items.isEmpty, request.page > lastPage else { return first }
        return try await paginate(PageRequest(page: lastPage, per: request.per))
    }

    /// One page of a list that may hold a province's people, with its total counted only up to
    /// `Pagination.countCap`: one look at the row after the cap (through the list's index) says
    /// whether there are more; only a list below the cap is counted, and no page starts past it.
    /// A page past the end shows the last page, as `page(for:)` does.
    /// `items`, when given, reads the rows of a range in the list's order in its own way (a unit's
    /// merged list); the count and the cap stay with this query.
    func cappedPage(for req: Request, per: Int = Pagination.perPage, parameter: String = "page",
                    items: ((Range<Int>) async throws -> [Model])? = nil) async throws -> (page: Page<Model>, capped: Bool) {
        let request = req.pageRequest(per: per, parameter: parameter)
        let cap = Pagination.countCap
        // Whether a row lies beyond the cap does not depend on the order: asked unsorted and for
        // ids only, so no filter that the order's index doesn't serve sorts thousands of rows for it.
        let probe = copy()
        probe.query.sorts = []
        let capped = try await !probe.range(cap..<(cap + 1)).plainRows([.id]) { _ in true }.isEmpty
        let total = capped ? cap : try await copy().count()
        let lastPage = Swift.max(1, (total + request.per - 1) / request.per)
        let page = Swift.min(request.page, lastPage)
        let start = (page - 1) * request.per
        let range = start..<(start + request.per)
        let rows = if let items { try await items(range) } else { try await copy().range(range).all() }
        return (Page(items: rows, metadata: PageMetadata(page: page, per: request.per, total: total)), capped)
    }
}
