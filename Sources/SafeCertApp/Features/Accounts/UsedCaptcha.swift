import Fluent
import Foundation
import SafeCertCore

/// A login captcha already spent. The answer travels in the visitor's sealed cookie, so a copy
/// of the cookie could be replayed: the first login that uses a captcha records its id here, and
/// a second one with the same id finds it taken. Rows older than the cookie's lifetime are purged.
final class UsedCaptcha: Model, @unchecked Sendable {
    static let schema = "used_captchas"

    /// SHA-256 of the captcha id.
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "used_at") var usedAt: Date

    init() {}

    init(captchaID: String, at: Date) {
        id = Tokens.sha256(captchaID)
        usedAt = at
    }

    /// Spends the captcha; false when it was spent before (a replayed cookie).
    static func spend(_ captchaID: String, at now: Date, on db: any Database) async throws -> Bool {
        do {
            try await UsedCaptcha(captchaID: captchaID, at: now).create(on: db)
            return true
        } catch let error as any DatabaseError where error.isConstraintFailure {
            return false
        }
    }

    /// Deletes the ids whose cookies can no longer be opened; returns how many.
    @discardableResult
    static func purge(on db: any Database, now: Date) async throws -> Int {
        let stale = UsedCaptcha.query(on: db).filter(\.$usedAt < now.addingTimeInterval(-VisitorState.lifetime - 120))
        let count = try await stale.copy().count()
        if count > 0 { try await stale.delete() }
        return count
    }
}
