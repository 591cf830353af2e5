import Crypto
import Foundation
import Testing
@testable import SafeCertCore

@Suite struct SignedDocumentTests {
    static let payload = Data(#"{"encodedList":"uH4sIAAAAAAAAA","statusPurpose":"revocation"}"#.utf8)

    @Test func aSignedDocumentVerifiesAndNamesItsKey() throws {
        let key = CertificateSigningKey.generate()
        let jws = try SignedDocument.sign(Self.payload, type: "statuslist+jwt", with: key)
        #expect(jws.split(separator: ".").count == 3)
        let (payload, keyID) = try SignedDocument.verify(jws, keys: [key.id: key.publicKey])
        #expect(payload == Self.payload && keyID == key.id)
        let header = try #require(Base64URL.decode(jws.split(separator: ".")[0]))
        #expect(String(decoding: header, as: UTF8.self) == #"{"alg":"EdDSA","kid":"\#(key.id)","typ":"statuslist+jwt"}"#)
    }

    @Test func tamperingAnotherAlgorithmOrAnUnknownKeyIsRefused() throws {
        let key = CertificateSigningKey.generate(), other = CertificateSigningKey.generate()
        let keys = [key.id: key.publicKey]
        let jws = try SignedDocument.sign(Self.payload, type: "statuslist+jwt", with: key)
        let parts = jws.split(separator: ".").map(String.init)
        let changedPayload = Base64URL.encode(Data(#"{"encodedList":"u","statusPurpose":"revocation"}"#.utf8))
        #expect(throws: SignedDocument.Failure.badSignature) { try SignedDocument.verify([parts[0], changedPayload, parts[2]].joined(separator: "."), keys: keys) }
        let none = Base64URL.encode(Data(#"{"alg":"none","kid":"\#(key.id)"}"#.utf8))
        #expect(throws: SignedDocument.Failure.unsupportedAlgorithm("none")) { try SignedDocument.verify([none, parts[1], ""].joined(separator: "."), keys: keys) }
        let byOther = try SignedDocument.sign(Self.payload, type: "statuslist+jwt", with: other)
        #expect(throws: SignedDocument.Failure.unknownKey(other.id)) { try SignedDocument.verify(byOther, keys: keys) }
        for garbage in ["", "a.b", "a.b.c.d", "!.!.!", parts[0] + "." + parts[1]] {
            #expect(throws: SignedDocument.Failure.self) { try SignedDocument.verify(garbage, keys: keys) }
        }
    }
}
