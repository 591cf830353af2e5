import Fluent
import Foundation
import SafeCertCore
import Vapor

/// Walks the audit log's hash chain from the first entry to the head (`safecert audit verify`).
enum AuditVerifier {
    enum Outcome: Sendable, Equatable {
        case intact(entries: Int64)
        /// The first place the chain breaks, with the entry there (nil when it is gone).
        case broken(AuditChain.Break, entryID: UUID?)
    }

    static func verify(on db: any Database, batch: Int = 2_000) async throws -> Outcome {
        var position = AuditChain.Position.start
        while true {
            let entries = try await AuditEntry.query(on: db).filter(\.$sequence > position.sequence).sort(\.$sequence)
                .limit(batch).all()
            if entries.isEmpty { break }
            switch AuditChain.check(entries.map { ($0.chainFields, $0.hash ?? "") }, after: position) {
            case .success(let next):
                position = next
            case .failure(let problem):
                let sequence: Int64? = switch problem {
                case .altered(let s), .missingBefore(let s): s
                case .missingAtEnd: nil
                }
                return .broken(problem, entryID: entries.first { $0.sequence == sequence }?.id)
            }
        }
        if try await AuditEntry.query(on: db).filter(\.$sequence == nil).count() > 0 {
            let stray = try await AuditEntry.query(on: db).filter(\.$sequence == nil).first()
            return .broken(.missingBefore(sequence: position.sequence + 1), entryID: stray?.id)
        }
        let head = try await AuditChainHead.query(on: db).filter(\.$name == AuditChainHead.name).first()
        if let head, head.sequence != position.sequence || head.hash != position.hash {
            return .broken(.missingAtEnd(after: position.sequence), entryID: nil)
        }
        return .intact(entries: position.sequence)
    }

    static func describe(_ outcome: Outcome) -> String {
        switch outcome {
        case .intact(let count):
            "审计日志完整：共 \(count) 条，哈希链逐条核对无误"
        case .broken(.altered(let sequence), let id):
            "审计日志被篡改：第 \(sequence) 条（\(id?.uuidString ?? "-")）的内容与其哈希不符"
        case .broken(.missingBefore(let sequence), let id):
            "审计日志缺失：第 \(sequence) 条（\(id?.uuidString ?? "-")）之前的条目被删除或顺序被改动"
        case .broken(.missingAtEnd(let after), _):
            "审计日志缺失：第 \(after) 条之后的最新条目被删除"
        }
    }
}

/// `safecert audit verify`: exits non-zero when the chain is broken.
struct AuditCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "verify：逐条核对审计日志的哈希链")
        var action: String
    }

    var help: String { "审计日志工具（verify）" }

    struct Broken: Error, CustomStringConvertible {
        let description: String
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.action == "verify" else {
            context.console.error("未知的操作「\(signature.action)」，可用：verify")
            throw Broken(description: "unknown action")
        }
        let outcome = try await AuditVerifier.verify(on: context.application.db)
        let text = AuditVerifier.describe(outcome)
        if case .intact = outcome {
            context.console.print(text)
        } else {
            context.console.error(text)
            throw Broken(description: text)
        }
    }
}
