import Testing
@testable import SafeCertCore

@Suite("考场")
struct ExamRoomTests {
    @Test func ipRanges() throws {
        let cidr = try IPv4Range("10.1.2.0/24")
        #expect(cidr.count == 256)
        #expect(cidr.contains("10.1.2.255"))
        #expect(!cidr.contains("10.1.3.0"))
        #expect(cidr.description == "10.1.2.0-10.1.2.255")
        let span = try IPv4Range(" 192.168.0.10-192.168.0.70 ")
        #expect(span.count == 61)
        #expect(span.contains("192.168.0.10") && span.contains("192.168.0.70") && !span.contains("192.168.0.71"))
        #expect(try IPv4Range("10.0.0.7").count == 1)
        #expect(throws: IPv4Range.ParseError.invalid) { try IPv4Range("10.1.2.256/24") }
        #expect(throws: IPv4Range.ParseError.invalid) { try IPv4Range("10.1.2/24") }
        #expect(throws: IPv4Range.ParseError.reversed) { try IPv4Range("10.0.0.9-10.0.0.1") }
        #expect(throws: IPv4Range.ParseError.tooLarge) { try IPv4Range("10.0.0.0/8") }
        #expect(!cidr.contains("not an address"))
    }

    @Test func roomRules() {
        #expect(ExamRoomRules.problems(name: "第一机房", capacity: 60, kind: .computer, address: "长春市", ipRange: "10.1.2.0/26").isEmpty)
        let fields = ExamRoomRules.problems(name: "", capacity: 0, kind: nil, address: "", ipRange: nil).map(\.field)
        #expect(fields == ["name", "kind", "capacity", "address"])
        #expect(ExamRoomRules.problems(name: "机房", capacity: 80, kind: .computer, address: "x", ipRange: "10.1.2.0/26").map(\.message)
            == ["IP 段只有 64 个地址，少于核定人数 80"])
        #expect(ExamRoomRules.problems(name: "场地", capacity: 10, kind: .practical, address: "x", ipRange: "10.1.2.0/26").map(\.field)
            == ["ip_range"])
    }
}
