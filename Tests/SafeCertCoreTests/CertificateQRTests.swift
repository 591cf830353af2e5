import Crypto
import Foundation
import Testing
@testable import SafeCertCore

@Suite struct CertificateQRTests {
    static let claim = CertificateClaim(
        number: "吉建安C1（2026）0000001", maskedHolder: Masking.name("张三丰"),
        validFrom: CalendarDate(year: 2026, month: 12, day: 4)!, validUntil: CalendarDate(year: 2029, month: 12, day: 3)!,
        issuer: "吉林省住房和城乡建设厅", statusIndex: 70_001)

    @Test func aSignedClaimVerifiesOfflineWithThePublishedKey() throws {
        let key = CertificateSigningKey.generate()
        let token = try CertificateQR.token(for: Self.claim, signedWith: key)
        let (claim, keyID) = try CertificateQR.verify(token, keys: [key.id: key.publicKey])
        #expect(claim == Self.claim && keyID == key.id && key.id.count == 12)
        #expect(CertificateQR.url(site: "https://safecert.example/", token: token) == "https://safecert.example/verify?c=" + token)
        // Compact enough for a QR code a phone reads at a glance.
        #expect(token.count < 260, "\(token.count)")
    }

    @Test func anyChangedByteFailsTheSignature() throws {
        let key = CertificateSigningKey.generate()
        let token = try CertificateQR.token(for: Self.claim, signedWith: key)
        let bytes = try #require(Base64URL.decode(token))
        for position in bytes.indices {
            var changed = bytes
            changed[position] ^= 0x01
            #expect(throws: CertificateQRError.self) { try CertificateQR.verify(Base64URL.encode(changed), keys: [key.id: key.publicKey]) }
        }
        // A claim re-signed by another key, under this key's id, is refused too.
        let forger = CertificateSigningKey.generate()
        var forged = try CertificateQR.encode(Self.claim, keyID: key.id)
        forged += Array(try forger.key.signature(for: CertificateQR.context + forged))
        #expect(throws: CertificateQRError.badSignature) { try CertificateQR.verify(Base64URL.encode(forged), keys: [key.id: key.publicKey]) }
    }

    @Test func oldKeysStayGoodForWhatTheySignedAfterARotation() throws {
        let old = CertificateSigningKey.generate(), new = CertificateSigningKey.generate()
        let before = try CertificateQR.token(for: Self.claim, signedWith: old)
        let after = try CertificateQR.token(for: Self.claim, signedWith: new)
        let published = [old.id: old.publicKey, new.id: new.publicKey]
        #expect(try CertificateQR.verify(before, keys: published).keyID == old.id)
        #expect(try CertificateQR.verify(after, keys: published).keyID == new.id)
        #expect(throws: CertificateQRError.unknownKey(old.id)) { try CertificateQR.verify(before, keys: [new.id: new.publicKey]) }
        // The key survives being stored and read back.
        let restored = try CertificateSigningKey(rawRepresentation: old.rawRepresentation)
        #expect(restored.id == old.id)
    }

    @Test func hostileTokensAreRefusedNeverTrapped() throws {
        let key = CertificateSigningKey.generate()
        let keys = [key.id: key.publicKey]
        let valid = try CertificateQR.token(for: Self.claim, signedWith: key)
        for token in ["", "a", "!!!!", String(repeating: "A", count: 90), String(valid.dropLast(3)), valid + "AAAA",
                      Base64URL.encode([UInt8](repeating: 0xFF, count: 200)), Base64URL.encode([1, 250] + [UInt8](repeating: 0, count: 70))] {
            #expect(throws: CertificateQRError.self) { try CertificateQR.verify(token, keys: keys) }
        }
        var long = Self.claim
        long.issuer = String(repeating: "省", count: 100)
        #expect(throws: CertificateQRError.fieldTooLong("发证机关")) { try CertificateQR.token(for: long, signedWith: key) }
        var far = Self.claim
        far.statusIndex = -1
        #expect(throws: CertificateQRError.statusIndexOutOfRange(-1)) { try CertificateQR.token(for: far, signedWith: key) }
    }

    @Test func datesRoundTripAcrossTheYears() throws {
        let key = CertificateSigningKey.generate()
        for (from, until) in [((1965, 3, 1), (1968, 2, 29)), ((1999, 12, 31), (2000, 2, 29)), ((2026, 6, 1), (2032, 5, 31)), ((2100, 1, 1), (2199, 12, 31))] {
            var claim = Self.claim
            claim.validFrom = try #require(CalendarDate(year: from.0, month: from.1, day: from.2))
            claim.validUntil = try #require(CalendarDate(year: until.0, month: until.1, day: until.2))
            #expect(try CertificateQR.verify(CertificateQR.token(for: claim, signedWith: key), keys: [key.id: key.publicKey]).claim == claim)
        }
    }
}

@Suite struct CertificateStandingTests {
    static func day(_ iso: String) -> CalendarDate { CalendarDate(iso: iso)! }

    @Test func theLiveStatusFollowsFromTheRecordAndTheDay() {
        var standing = CertificateStanding(validFrom: Self.day("2026-01-10"), validUntil: Self.day("2029-01-09"))
        #expect(standing.status(on: Self.day("2026-01-09")) == .notYetValid)
        #expect(standing.status(on: Self.day("2026-01-10")) == .valid)
        #expect(standing.status(on: Self.day("2029-01-09")) == .valid)
        #expect(standing.status(on: Self.day("2029-01-10")) == .expired)
        // A suspension lifts itself after its last day.
        standing.suspendedUntil = Self.day("2027-03-31")
        #expect(standing.status(on: Self.day("2027-03-31")) == .suspended(until: Self.day("2027-03-31")))
        #expect(standing.status(on: Self.day("2027-04-01")) == .valid)
        #expect(!standing.mayDownloadElectronicCertificate(on: Self.day("2027-02-01")))
        #expect(standing.mayDownloadElectronicCertificate(on: Self.day("2027-04-01")))
        // Revocation and cancellation are final and win over everything else.
        standing.revokedOn = Self.day("2027-02-01")
        #expect(standing.status(on: Self.day("2027-01-31")) == .suspended(until: Self.day("2027-03-31")))
        #expect(standing.status(on: Self.day("2027-02-01")) == .revoked)
        #expect(standing.status(on: Self.day("2030-01-01")) == .revoked)
        standing.cancelledOn = Self.day("2027-05-01")
        #expect(standing.status(on: Self.day("2027-05-01")) == .cancelled)
        #expect(CertificateStatus.cancelled.statusListBits == (true, false) && CertificateStatus.revoked.label == "已撤销")
        #expect(CertificateStatus.suspended(until: Self.day("2027-03-31")).label == "暂扣（至 2027-03-31）")
    }

    @Test func theStatusBitstringPutsIndexZeroInTheLeftmostBit() throws {
        var bits = StatusBitstring(entries: 10)
        #expect(bits.count == StatusBitstring.minimumEntries && bits.bytes.count == 16_384)
        #expect(bits.set(0, true) && bits.set(9, true) && bits.set(bits.count - 1, true))
        #expect(bits.bytes[0] == 0x80 && bits.bytes[1] == 0x40 && bits.bytes[16_383] == 0x01)
        #expect(bits[0] && bits[9] && !bits[1] && bits[bits.count - 1])
        #expect(!bits.set(-1, true) && !bits.set(bits.count, true) && !bits[-5] && !bits[Int.max])
        bits.set(9, false)
        #expect(!bits[9] && bits.bytes[1] == 0)
        #expect(StatusBitstring(bytes: bits.bytes) == bits)
        #expect(StatusBitstring(bytes: [0, 1, 2]) == nil)
        #expect(StatusBitstring(entries: 1_000_001).count == 1_000_008)
    }
}
