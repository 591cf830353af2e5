import Foundation
import Testing
@testable import SafeCertCore

@Suite("The one constant-time comparison and the one base64url")
struct ConstantTimeAndBase64URLTests {
    @Test func equalBytesCompareEqual() {
        #expect(ConstantTime.equals([UInt8](), [UInt8]()))
        #expect(ConstantTime.equals([1, 2, 3] as [UInt8], Data([1, 2, 3])))
        #expect(ConstantTime.equals("令牌-abc", "令牌-abc"))
    }

    @Test func anyDifferenceComparesUnequal() {
        #expect(!ConstantTime.equals([1, 2, 3] as [UInt8], [1, 2, 4] as [UInt8]))
        #expect(!ConstantTime.equals([1, 2, 3] as [UInt8], [1, 2] as [UInt8]), "a prefix is not equal")
        #expect(!ConstantTime.equals([0] as [UInt8], [UInt8]()))
        #expect(!ConstantTime.equals("abc", "abd"))
        #expect(!ConstantTime.equals("abc", "abc "))
        // Composed and decomposed é are different bytes, and secrets are compared as bytes.
        #expect(!ConstantTime.equals("\u{E9}", "e\u{301}"))
    }

    @Test func base64URLUsesTheURLAlphabetWithoutPadding() {
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(Base64URL.encode([UInt8]()) == "")
        #expect(Base64URL.encode(Array("hello".utf8)) == "aGVsbG8")
    }

    @Test func base64URLRoundTripsEveryLength() {
        var rng = SystemRandomNumberGenerator()
        for length in 1...40 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
        }
    }

    @Test func base64URLDecodingIsStrict() {
        #expect(Base64URL.decode("") == nil)
        #expect(Base64URL.decode("aGVsbG8=") == nil, "padding is refused")
        #expect(Base64URL.decode("+/8") == nil, "the standard alphabet is refused")
        #expect(Base64URL.decode("-_9") == nil, "unused low bits must be zero: one spelling per value")
        #expect(Base64URL.decode("a") == nil, "one character holds no whole byte")
        #expect(Base64URL.decode("-_8"[...]) == [0xFB, 0xFF])
    }
}
