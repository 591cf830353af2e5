import Foundation

/// The site's fixed addresses for templates, keyed by their `SiteURL` case: a template writes
/// `#(layout.site.classes)`, never `/classes`. Addresses with a parameter come from each page's model.
struct SiteLinks: Encodable, Sendable {
    static let shared = SiteLinks()

    /// Case name → link, for every route without a parameter.
    let links: [String: String]

    private init() {
        var links: [String: String] = [:]
        for url in SiteURL.all where url.segments.allSatisfy(\.isFixed) {
            links[String(describing: url)] = url.link
        }
        self.links = links
    }

    func encode(to encoder: any Encoder) throws { try links.encode(to: encoder) }
}

extension RouteSegment {
    var isFixed: Bool {
        if case .fixed = self { return true }
        return false
    }
}
