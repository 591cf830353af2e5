import Foundation
import Testing
@testable import SafeCertCore

@Suite struct BeijingTimestampTests {
    @Test func arithmeticAgreesWithTheCalendar() {
        var generator = SystemRandomNumberGenerator()
        // Every day boundary, leap days and the turn of centuries included, and random moments.
        var moments: [TimeInterval] = [BeijingTimestamp.arithmeticFrom, 951_782_400 - 8 * 3600 - 1, 951_782_400 - 8 * 3600,
                                       4_107_542_400 - 1, 4_107_542_400, 1_798_761_599.999, 1_798_761_600.5]
        for _ in 0..<20_000 { moments.append(Double.random(in: BeijingTimestamp.arithmeticFrom..<4_200_000_000, using: &generator)) }
        for t in moments {
            let date = Date(timeIntervalSince1970: t)
            #expect(BeijingTimestamp.format(date) == BeijingTimestamp.formatWithCalendar(date), "\(t)")
        }
    }

    @Test func knownMoments() {
        #expect(BeijingTimestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01 08:00:00")
        #expect(BeijingTimestamp.format(Date(timeIntervalSince1970: 1_764_838_800)) == "2025-12-04 17:00:00")
        // 2000-02-29 23:59:59 Beijing time.
        #expect(BeijingTimestamp.format(Date(timeIntervalSince1970: 951_839_999)) == "2000-02-29 23:59:59")
        // Before 1992 and far outside: the calendar's answer, never a trap.
        #expect(BeijingTimestamp.format(Date(timeIntervalSince1970: 585_000_000)) == "1988-07-16 05:00:00")
        #expect(BeijingTimestamp.format(Date(timeIntervalSince1970: 694_195_199)) == "1991-12-31 23:59:59")
        #expect(BeijingTimestamp.format(Date(timeIntervalSince1970: 694_195_200)) == "1992-01-01 00:00:00")
        #expect(BeijingTimestamp.format(Date(timeIntervalSince1970: .infinity)) == "")
        #expect(BeijingTimestamp.format(Date(timeIntervalSince1970: -1e12)) == "")
    }
}
