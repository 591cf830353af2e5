import Foundation
import Testing
@testable import SafeCertCore

@Suite("TOTP")
struct TOTPTests {
    /// RFC 6238 Appendix B, SHA-1 secret.
    let rfc = TOTP(secret: Array("12345678901234567890".utf8))

    @Test(arguments: [
        (59, "94287082"), (1_111_111_109, "07081804"), (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"), (2_000_000_000, "69279037"), (20_000_000_000, "65353130"),
    ] as [(TimeInterval, String)])
    func rfc6238EightDigitVectors(time: TimeInterval, expected: String) {
        let step = TOTP.step(at: Date(timeIntervalSince1970: time))
        #expect(rfc.code(forStep: step, digits: 8) == expected)
        // Six digits are the same truncation modulo 10^6.
        #expect(rfc.code(at: Date(timeIntervalSince1970: time)) == String(expected.suffix(6)))
    }

    @Test func sixDigitCodes() {
        #expect(rfc.code(at: Date(timeIntervalSince1970: 59)) == "287082")
        #expect(rfc.code(at: Date(timeIntervalSince1970: 1_111_111_109)) == "081804")
        #expect(rfc.code(at: Date(timeIntervalSince1970: 1_111_111_111)) == "050471")
        #expect(rfc.code(at: Date(timeIntervalSince1970: 1_234_567_890)) == "005924")
        #expect(rfc.code(at: Date(timeIntervalSince1970: 2_000_000_000)) == "279037")
        #expect(rfc.code(at: Date(timeIntervalSince1970: 20_000_000_000)) == "353130")
    }

    @Test func steps() {
        #expect(TOTP.step(at: Date(timeIntervalSince1970: 0)) == 0)
        #expect(TOTP.step(at: Date(timeIntervalSince1970: 29.9)) == 0)
        #expect(TOTP.step(at: Date(timeIntervalSince1970: 30)) == 1)
        #expect(TOTP.step(at: Date(timeIntervalSince1970: 59)) == 1)
        #expect(TOTP.step(at: Date(timeIntervalSince1970: -100)) == 0)
        #expect(TOTP.step(at: Date(timeIntervalSince1970: 1_111_111_109)) == 0x23523EC)
    }

    @Test func verifyAcceptsAdjacentStepsAndReturnsTheMatchedOne() {
        let now = Date(timeIntervalSince1970: 1_234_567_890)
        let current = TOTP.step(at: now)
        #expect(rfc.verify(rfc.code(forStep: current), at: now, lastUsedStep: nil) == current)
        #expect(rfc.verify(rfc.code(forStep: current - 1), at: now, lastUsedStep: nil) == current - 1)
        #expect(rfc.verify(rfc.code(forStep: current + 1), at: now, lastUsedStep: nil) == current + 1)
        #expect(rfc.verify(rfc.code(forStep: current - 2), at: now, lastUsedStep: nil) == nil)
        #expect(rfc.verify(rfc.code(forStep: current + 2), at: now, lastUsedStep: nil) == nil)
    }

    @Test func verifyRefusesReplay() {
        let now = Date(timeIntervalSince1970: 1_234_567_890)
        let current = TOTP.step(at: now)
        let code = rfc.code(forStep: current)
        let used = rfc.verify(code, at: now, lastUsedStep: nil)
        #expect(used == current)
        #expect(rfc.verify(code, at: now, lastUsedStep: used) == nil)
        #expect(rfc.verify(code, at: now, lastUsedStep: current + 1) == nil)
        #expect(rfc.verify(code, at: now, lastUsedStep: current - 1) == current)
        // A code from the previous step is refused once the current one has been used.
        #expect(rfc.verify(rfc.code(forStep: current - 1), at: now, lastUsedStep: current) == nil)
    }

    @Test func verifyInputHandling() {
        let now = Date(timeIntervalSince1970: 59)
        #expect(rfc.verify("287 082", at: now, lastUsedStep: nil) == 1)
        #expect(rfc.verify("２８７０８２", at: now, lastUsedStep: nil) == 1)
        #expect(rfc.verify("28708", at: now, lastUsedStep: nil) == nil)
        #expect(rfc.verify("2870820", at: now, lastUsedStep: nil) == nil)
        #expect(rfc.verify("94287082", at: now, lastUsedStep: nil) == nil)
        #expect(rfc.verify("", at: now, lastUsedStep: nil) == nil)
        #expect(rfc.verify("28708a", at: now, lastUsedStep: nil) == nil)
        // At step 0 there is no previous step to look at.
        #expect(rfc.verify(rfc.code(forStep: 0), at: Date(timeIntervalSince1970: 1), lastUsedStep: nil) == 0)
    }

    @Test func base32Secret() {
        #expect(rfc.base32Secret == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        #expect(TOTP(base32: "gezd gnbv gy3t qojq gezd gnbv gy3t qojq") == rfc)
        #expect(TOTP(base32: "") == nil)
        #expect(TOTP(base32: "not base32!") == nil)
    }

    @Test func generatedSecrets() {
        var generator = SplitMix64(seed: 6238)
        let first = TOTP.generateSecret(using: &generator)
        let second = TOTP.generateSecret(using: &generator)
        #expect(first.secret.count == 20)
        #expect(first != second)
        #expect(first.base32Secret.count == 32)
        #expect(TOTP(base32: first.base32Secret) == first)
    }

    @Test func provisioningURI() {
        let uri = rfc.provisioningURI(account: "zhang.san@example.com", issuer: "安全证书 SafeCert")
        #expect(uri == "otpauth://totp/%E5%AE%89%E5%85%A8%E8%AF%81%E4%B9%A6%20SafeCert:zhang.san%40example.com"
            + "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=%E5%AE%89%E5%85%A8%E8%AF%81%E4%B9%A6%20SafeCert"
            + "&algorithm=SHA1&digits=6&period=30")
        #expect(URL(string: uri) != nil)
    }

    @Test func descriptionHidesSecret() {
        #expect(!"\(rfc)".contains("49"))
        #expect("\(rfc)".contains("hidden"))
    }
}

@Suite("Base32")
struct Base32Tests {
    /// RFC 4648 section 10.
    @Test(arguments: [
        ("", ""), ("f", "MY======"), ("fo", "MZXQ===="), ("foo", "MZXW6==="), ("foob", "MZXW6YQ="),
        ("fooba", "MZXW6YTB"), ("foobar", "MZXW6YTBOI======"),
    ])
    func rfc4648Vectors(plain: String, encoded: String) {
        #expect(Base32.encode(Array(plain.utf8), padding: true) == encoded)
        let unpadded = String(encoded.prefix { $0 != "=" })
        #expect(Base32.encode(Array(plain.utf8)) == unpadded)
        #expect(Base32.decode(encoded) == Array(plain.utf8))
        #expect(Base32.decode(unpadded) == Array(plain.utf8))
        #expect(Base32.decode(unpadded.lowercased()) == Array(plain.utf8))
    }

    @Test func roundTripsRandomBytes() {
        var generator = SplitMix64(seed: 4648)
        for length in 0..<64 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(Base32.decode(Base32.encode(bytes)) == bytes)
            #expect(Base32.decode(Base32.encode(bytes, padding: true)) == bytes)
        }
    }

    @Test func decodingIgnoresSpacesAndRefusesGarbage() {
        #expect(Base32.decode("MZXW 6YTB OI") == Array("foobar".utf8))
        #expect(Base32.decode("MZXW6YTB1") == nil)
        #expect(Base32.decode("MZXW0") == nil)
        #expect(Base32.decode("MZ=XW") == nil)
        #expect(Base32.decode("M") == nil)
        #expect(Base32.decode("MZX") == nil)
    }
}
