import SafeCertCore
import SafeCertDocuments
import Vapor

/// The rows below the header of an uploaded workbook's first sheet, each turned into a reading
/// by the import's template: opened, inflated and scanned on the document pool.
struct UploadedSheet<Reading: Sendable>: Sendable {
    var readings: [(Int, Reading)] = []
    /// The first row with a reading past `limit`, when the sheet had more; nothing from it on is read.
    var firstRowPastLimit: Int?

    /// `read` gives nil for a row to skip (empty, the template's example).
    static func read(_ file: File, limit: Int = .max, on pool: DocumentPool,
                     _ read: @escaping @Sendable (_ cells: [ImportCell]) -> Reading?) async throws -> Result<Self, SpreadsheetError> {
        try await pool.run {
            do throws(SpreadsheetError) {
                var sheet = Self()
                let reader = try XLSXReader(data: Data(file.data.readableBytesView))
                for row in try reader.rows() where row.number > 1 {
                    guard let reading = read(row.cells.map(PeopleImporter.importCell)) else { continue }
                    guard sheet.readings.count < limit else {
                        sheet.firstRowPastLimit = row.number
                        break
                    }
                    sheet.readings.append((row.number, reading))
                }
                return .success(sheet)
            } catch {
                return .failure(error)
            }
        }
    }

}
