import Foundation
import Testing
@testable import SafeCertCore

@Suite struct UUIDTextTests {
    @Test func readsWhatFoundationReads() {
        for _ in 0..<2_000 {
            let id = UUID()
            #expect(UUIDText.parse(id.uuidString) == id)
            #expect(UUIDText.parse(id.uuidString.lowercased()) == id)
        }
    }

    @Test func refusesWhatFoundationRefuses() {
        let id = UUID().uuidString
        let bad = ["", "x", String(id.dropLast()), id + "0", id.replacingOccurrences(of: "-", with: ""),
                   "G" + id.dropFirst(), String(id.prefix(8)) + "+" + id.dropFirst(9), "{" + id + "}",
                   String(repeating: "-", count: 36), id.prefix(35) + "é"]
        for text in bad {
            #expect(UUIDText.parse(text) == nil, "\(text)")
            #expect(UUID(uuidString: text) == nil, "\(text)")
        }
    }
}
