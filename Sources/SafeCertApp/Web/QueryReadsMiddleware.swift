import Vapor

/// Test mode only: names the query parameters the route read (`X-SafeCert-Query-Reads`), so the
/// hostile-input sweep sends its values to exactly the parameters each route looks at.
struct QueryReadsMiddleware: AsyncMiddleware {
    static let header = "X-SafeCert-Query-Reads"

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: req)
        let names = req.storage[QueryReadsKey.self] ?? []
        response.headers.replaceOrAdd(name: Self.header, value: names.sorted().joined(separator: ","))
        return response
    }
}
