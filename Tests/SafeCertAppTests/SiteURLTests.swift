import Foundation
import RoutingKit
import Testing
import Vapor
@testable import SafeCertApp

/// The one route table: patterns register the routes, the same cases with values build the links.
@Suite("the typed route table")
struct SiteURLTests {
    let id = UUID(uuidString: "6F1C1D8E-3A0B-4E7A-9C59-2B1E5D0A7C11")!

    @Test("a key is the pattern, a value is the link")
    func patternAndLink() {
        #expect(SiteURL.person(.key).link == "/people/:id")
        #expect(SiteURL.person(.key).pattern == "/people/:id")
        #expect(SiteURL.person(.value(id)).link == "/people/\(id.uuidString)")
        #expect(SiteURL.examPlanResultsImport(.value(id)).link == "/exam-plans/\(id.uuidString)/results/import")
        #expect(SiteURL.home.link == "/")
        #expect(SiteURL.apiPlanScores(.key).link == "/api/v1/exam-plans/:serial/scores")
        #expect(SiteURL.apiCandidateProgress(.value("0112301001")).link == "/api/v1/exam-candidates/0112301001/progress")
    }

    @Test("a parameter value is percent-encoded as one segment")
    func percentEncoding() {
        #expect(SiteURL.catalogueQualification(.value("高处 作业/A")).link
                == "/catalogue/%E9%AB%98%E5%A4%84%20%E4%BD%9C%E4%B8%9A%2FA")
    }

    @Test("a record not yet saved has no address: it links to the pattern")
    func unsavedRecord() {
        #expect(SiteURL.person(.id(nil)) == .person(.key))
        #expect(SiteURL.person(.id(id)) == .person(.value(id)))
    }

    @Test("components name each parameter as the route table declares it")
    func components() {
        #expect(SiteURL.catalogueQualification(.key).components == [.constant("catalogue"), .parameter("code")])
        #expect(SiteURL.apiPlanScores(.key).components.contains(.parameter("serial")))
        #expect(SiteURL.apiCandidateProgress(.key).components.contains(.parameter("ticket")))
        for url in SiteURL.all {
            #expect(url.link == url.pattern, "\(url): a pattern's link is its pattern")
        }
    }

    @Test("every route of the application comes from the table, and every case of the table is registered")
    func tableIsTheRegisteredSet() async throws {
        try await withSafeCert(seed: false) { t in
            let registered = Set(t.app.routes.all.map { "/" + $0.path.map(\.description).joined(separator: "/") })
            let table = Set(SiteURL.all.map(\.pattern))
            #expect(registered.subtracting(table).sorted() == [], "registered without a SiteURL case")
            #expect(table.subtracting(registered).sorted() == [], "a SiteURL case nothing registers")
            #expect(SiteURL.all.count == table.count, "each case once")
        }
    }

    @Test("a filled-in link routes back to its own pattern (no fixed word is shadowed by a parameter)")
    func linksRouteToTheirPattern() {
        let router = TrieRouter(String.self)
        // The home page ("/") has no segments: the router takes it apart from the trie.
        let routed = SiteURL.all.filter { !$0.components.isEmpty }
        #expect(routed.count == SiteURL.all.count - 1)
        for url in routed { router.register(url.pattern, at: url.components) }
        for url in routed {
            let filled = url.segments.map { segment -> String in
                switch segment {
                case .fixed(let word): word
                case .parameter(let name, _): name == .id ? id.uuidString : "X123"
                }
            }
            var parameters = Parameters()
            #expect(router.route(path: filled, parameters: &parameters) == url.pattern, "\(url)")
        }
    }

    @Test("templates take fixed addresses from layout.site, and every name they use exists")
    func templatesUseKnownSiteLinks() throws {
        let links = SiteLinks.shared.links
        #expect(links["people"] == "/people")
        #expect(links["home"] == "/")
        #expect(links.values.allSatisfy { !$0.contains(":") }, "only routes without a parameter")
        let views = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Resources/Views")
        let files = try #require(FileManager.default.enumerator(at: views, includingPropertiesForKeys: nil))
        var used = Set<String>()
        for case let file as URL in files where file.pathExtension == "leaf" {
            let text = try String(contentsOf: file, encoding: .utf8)
            let pattern = try Regex(#"layout\.site\.(\w+)"#)
            for match in text.matches(of: pattern) {
                if let name = match.output[1].substring { used.insert(String(name)) }
            }
        }
        #expect(!used.isEmpty)
        #expect(used.subtracting(links.keys).sorted() == [], "a template names a link the table doesn't have")
    }

    @Test("an :id that is not a UUID is a 404, as a missing record would be")
    func idParameter() async throws {
        try await withSafeCert { t in
            let client = try await t.loggedIn("changchun")
            let response = try await client.get(SiteURL.person(.key).link.replacingOccurrences(of: ":id", with: "not-a-uuid"))
            #expect(response.status == .notFound)
        }
    }
}
