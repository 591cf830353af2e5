import Vapor

extension Request {
    /// The client's address. X-Forwarded-For is believed only when the direct peer is a
    /// configured trusted proxy; then the right-most address that is not a trusted proxy wins.
    var clientIP: String {
        let peer = remoteAddress?.ipAddress ?? "-"
        let trusted = application.settings.trustedProxies
        guard trusted.contains(peer) else { return peer }
        let forwarded = headers[.xForwardedFor].flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return forwarded.last(where: { !trusted.contains($0) }) ?? peer
    }
}
