import Foundation
import Testing
@testable import SafeCertCore

@Suite("审计日志哈希链")
struct AuditChainTests {
    func chain(_ count: Int) -> [(fields: AuditChain.Fields, storedHash: String)] {
        var previous = AuditChain.genesis
        return (1...count).map { i in
            let f = AuditChain.Fields(sequence: Int64(i), previous: previous, atMilliseconds: 1_795_000_000_000 + Int64(i), accountID: "",
                                      actor: "张三", organizationID: "", organizationName: "单位", action: "person.approve",
                                      targetType: "person", targetID: "\(i)", summary: "审批通过 \(i)", ip: "127.0.0.1")
            previous = AuditChain.hash(f)
            return (f, previous)
        }
    }

    @Test("an intact chain checks out, also in parts")
    func intact() throws {
        let entries = chain(10)
        let first = try AuditChain.check(Array(entries.prefix(4)), after: .start).get()
        let end = try AuditChain.check(Array(entries.dropFirst(4)), after: first).get()
        #expect(end.sequence == 10)
    }

    @Test("an altered field, a removed entry and a moved entry are each found at the first place they break")
    func breaks() {
        var entries = chain(10)
        var altered = entries
        altered[5].fields.summary = "审批退回 6"
        #expect(AuditChain.check(altered, after: .start) == .failure(.altered(sequence: 6)))
        entries.remove(at: 3)
        #expect(AuditChain.check(entries, after: .start) == .failure(.missingBefore(sequence: 5)))
        var renumbered = chain(10)
        renumbered.remove(at: 3)
        for i in 3..<renumbered.count { renumbered[i].fields.sequence -= 1 }
        #expect(AuditChain.check(renumbered, after: .start) == .failure(.missingBefore(sequence: 4)))
    }

    @Test("fields can't run into each other")
    func separated() {
        let a = AuditChain.Fields(sequence: 1, previous: "", atMilliseconds: 0, accountID: "", actor: "ab", organizationID: "",
                                  organizationName: "c", action: "", targetType: "", targetID: "", summary: "", ip: "")
        var b = a
        b.actor = "a"
        b.organizationName = "bc"
        #expect(AuditChain.hash(a) != AuditChain.hash(b))
    }
}
