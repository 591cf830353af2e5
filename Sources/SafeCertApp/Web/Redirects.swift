import Foundation
import Vapor

/// Where a form may send the user back to: only a path of this site's own route table, with its
/// query re-encoded, never another host, a scheme, a backslash or a line break (which would end
/// the header and start another).
enum LocalRedirect {
    static func validated(_ raw: String, routes: [Route]) -> String? {
        guard raw.hasPrefix("/"), !raw.hasPrefix("//"), raw.count <= 2_000,
              !raw.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == "\\" }),
              let components = URLComponents(string: raw), components.scheme == nil, components.host == nil,
              components.user == nil, components.fragment == nil
        else { return nil }
        let segments = components.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        let known = routes.contains { route in
            route.method == .GET && route.path.count == segments.count && zip(route.path, segments).allSatisfy { component, segment in
                switch component {
                case .constant(let value): value == segment
                case .parameter: !segment.isEmpty
                case .anything, .catchall: true
                }
            }
        }
        guard known else { return nil }
        var rebuilt = URLComponents()
        rebuilt.path = components.path
        rebuilt.queryItems = components.queryItems
        return rebuilt.string
    }
}

extension Request {
    /// Back to `back` (a form's field) when it is one of the site's own pages, else to `fallback`.
    func redirect(back raw: String?, fallback: SiteURL) -> Response {
        let target = raw.flatMap { LocalRedirect.validated($0, routes: application.routes.all) } ?? fallback.link
        return redirect(to: target, redirectType: .normal)
    }
}
