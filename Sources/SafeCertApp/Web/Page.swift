import Foundation
import SafeCertCore
import Vapor

/// What the shared layout needs on every page.
struct LayoutContext: Encodable, Sendable {
    let title: String
    let user: UserBadge?
    let menu: [MenuSection]
    let flashes: [Flash]
    let csrf: String
    let demoMode: Bool
    /// The page's own address with its query, for forms that return here.
    let path: String
    /// The site's fixed addresses (`#(layout.site.people)`), from the route table.
    let site = SiteLinks.shared
}

struct UserBadge: Encodable, Sendable {
    let name: String
    let username: String
    let role: String
    let organization: String
}

struct Flash: Codable, Sendable {
    enum Kind: String, Codable, Sendable { case success, error, info, warning }
    let kind: Kind
    let text: String
}

/// A page: the layout's context plus the page's own model, rendered by one Leaf template.
struct PageView<Model: Encodable & Sendable>: Encodable, Sendable {
    let layout: LayoutContext
    let page: Model
}

/// Field name → message, shown inline next to the field.
struct FieldErrors: Encodable, Sendable {
    private(set) var messages: [String: String] = [:]
    var isEmpty: Bool { messages.isEmpty }
    mutating func add(_ field: String, _ message: String) {
        if messages[field] == nil { messages[field] = message }
    }
    func encode(to encoder: any Encoder) throws { try messages.encode(to: encoder) }
}

extension Request {
    func render<Model: Encodable & Sendable>(
        _ template: String, title: String, _ model: Model, status: HTTPStatus = .ok
    ) async throws -> Response {
        let flashes = try await takeFlashes()
        let user = currentUser
        let layout = LayoutContext(
            title: title,
            user: user.map { UserBadge(name: $0.displayName, username: $0.username, role: $0.role.label,
                                     // An individual's account has no unit of its own; the name is already shown.
                                     organization: $0.role == .individual ? "" : $0.organizationName) },
            menu: user.map { Menu.sections(for: $0.role, currentPath: url.path) } ?? [],
            flashes: flashes,
            csrf: formToken(),
            demoMode: application.settings.demoMode,
            path: url.string
        )
        let view = try await self.view.render(template, PageView(layout: layout, page: model)).get()
        let response = try await view.encodeResponse(for: self)
        response.status = status
        return response
    }

    /// The CSRF token of the page's forms: the session's, or for a visitor without one the token
    /// derived from the visitor cookie (an anonymous page writes no session row).
    private func formToken() -> String {
        if let session = webSession { return session.csrfToken }
        return visitorCSRFToken(for: ensureVisitor()) ?? ""
    }

    /// A message for the next page the user sees (after a redirect).
    func flash(_ kind: Flash.Kind, _ text: String) async throws {
        let session = try await ensureSession()
        var list = (session.flash.flatMap { try? JSONDecoder().decode([Flash].self, from: Data($0.utf8)) }) ?? []
        list.append(Flash(kind: kind, text: text))
        session.flash = String(decoding: try JSONEncoder().encode(list), as: UTF8.self)
        try await session.save(on: db)
    }

    private func takeFlashes() async throws -> [Flash] {
        guard let session = webSession, let raw = session.flash else { return [] }
        session.flash = nil
        try await session.save(on: db)
        return (try? JSONDecoder().decode([Flash].self, from: Data(raw.utf8))) ?? []
    }

    func redirect(_ url: SiteURL) -> Response { redirect(to: url.link, redirectType: .normal) }

    /// A trimmed form field (of the parsed form on an upload route); empty is nil.
    func field(_ name: String) -> String? {
        let sent = uploadForm.map { $0.text(name) } ?? (try? content.get(String.self, at: name))
        guard let value = sent else { return nil }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// A trimmed query parameter; empty is nil. Every query parameter is read through here (or
    /// `queryInt` / `queryDate`, which call it), so test mode can tell which ones a route reads.
    func queryText(_ name: String) -> String? {
        var read = storage[QueryReadsKey.self] ?? []
        if read.insert(name).inserted { storage[QueryReadsKey.self] = read }
        guard let value = query[String.self, at: name] else { return nil }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// A whole-number query parameter; anything that isn't one (or doesn't fit) is nil.
    func queryInt(_ name: String) -> Int? {
        queryText(name).flatMap { Int($0) }
    }

    /// A date filter ("YYYY-MM-DD", years 1900–2100); nil when absent, a 400 naming the field
    /// when it isn't a real date in that range.
    func queryDate(_ name: String, label: String) throws -> CalendarDate? {
        guard let text = queryText(name) else { return nil }
        guard let date = CalendarDate(input: text) else {
            throw Abort(.badRequest, reason: "「\(label)」不是有效日期：请按 YYYY-MM-DD 填写 \(CalendarDate.inputYears.lowerBound)–\(CalendarDate.inputYears.upperBound) 年之间的日期")
        }
        return date
    }

    /// The export part asked for (1-based), at most `ExportParts.maximumPart`.
    func exportPart() -> Int {
        max(1, min(queryInt("part") ?? 1, ExportParts.maximumPart))
    }
}

/// The query parameters this request read (test mode reports them in a response header).
struct QueryReadsKey: StorageKey { typealias Value = Set<String> }
