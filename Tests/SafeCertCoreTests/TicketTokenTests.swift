import Foundation
import Testing
@testable import SafeCertCore

@Suite("准考证二维码")
struct TicketTokenTests {
    let signer = TicketSigner(key: Data(repeating: 7, count: 32))
    let claims = TicketClaims(ticketNumber: "KS2026112300001001", candidateID: UUID(), personID: UUID())

    @Test func roundTrip() {
        let token = signer.sign(claims)
        #expect(token.count < 140)
        #expect(signer.verify(token) == claims)
    }

    @Test func tamperedOrForeignTokensAreRefused() {
        let token = signer.sign(claims)
        var chars = Array(token)
        chars[3] = chars[3] == "1" ? "2" : "1"          // another ticket number
        #expect(signer.verify(String(chars)) == nil)
        let other = TicketClaims(ticketNumber: claims.ticketNumber, candidateID: UUID(), personID: claims.personID)
        let swapped = signer.sign(other).split(separator: ".")
        let original = token.split(separator: ".")
        #expect(signer.verify([original[0], swapped[1], original[2], original[3]].joined(separator: ".")) == nil)
        #expect(TicketSigner(key: Data(repeating: 8, count: 32)).verify(token) == nil)
        #expect(signer.verify("") == nil)
        #expect(signer.verify("a.b.c.d") == nil)
        #expect(signer.verify(token + "A") == nil)
    }
}
