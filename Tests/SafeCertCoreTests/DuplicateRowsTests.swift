import Testing
@testable import SafeCertCore

@Suite("上传文件中的重复行")
struct DuplicateRowsTests {
    @Test func everyLaterRowNamesTheFirst() {
        var rows = DuplicateRows<String>()
        #expect(rows.earlierRow(naming: "220102199001011234", at: 2) == nil)
        #expect(rows.earlierRow(naming: "220102199001015678", at: 3) == nil)
        #expect(rows.earlierRow(naming: "220102199001011234", at: 4) == 2)
        // A third mention still names the first row, not the second.
        #expect(rows.earlierRow(naming: "220102199001011234", at: 7) == 2)
    }

    @Test func aRepeatedRowDoesNotReplaceTheFirst() {
        var rows = DuplicateRows<String>()
        _ = rows.earlierRow(naming: "a", at: 5)
        _ = rows.earlierRow(naming: "a", at: 6)
        #expect(rows.earlierRow(naming: "a", at: 9) == 5)
    }
}
