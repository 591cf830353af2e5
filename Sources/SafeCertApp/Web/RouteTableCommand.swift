import Foundation
import Vapor

/// `safecert route-table`: every registered route as one JSON object a line (method, path and
/// the permission it was registered with), for the hostile-input sweep and the access matrix.
struct RouteTableCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "以 JSON 行列出全部路由及其所需权限" }

    struct Entry: Encodable {
        let method: String
        let path: String
        let permission: String
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for route in context.application.routes.all {
            let entry = Entry(method: route.method.rawValue, path: "/" + route.path.map(\.description).joined(separator: "/"),
                              permission: route.userInfo["permission"] as? String ?? "")
            context.console.print(String(decoding: try encoder.encode(entry), as: UTF8.self))
        }
    }
}
