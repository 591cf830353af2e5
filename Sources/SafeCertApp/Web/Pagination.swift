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
    let previous: String?
    let next: String?
    let links: [Link]

    static let perPage = 20

    init(metadata: PageMetadata, path: String, filters: [(String, String?)], parameter: String = "page") {
        let page = metadata.page
        let pageCount = max(1, metadata.pageCount)
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
        previous = page > 1 ? href(page - 1) : nil
        next = page < pageCount ? href(page + 1) : nil
        let window = max(1, page - 4)...min(pageCount, max(1, page - 4) + 8)
        links = window.map { Link(number: $0, href: href($0), current: $0 == page) }
    }
}

extension Request {
    /// Page number and size from the query (`page`, 1-based; at most 100 rows a page).
    func pageRequest(per: Int = Pagination.perPage, parameter: String = "page") -> PageRequest {
        let page = max(1, min(query[Int.self, at: parameter] ?? 1, 100_000))
        return PageRequest(page: page, per: min(per, 100))
    }
}
