// safecert-bench: benchmarks of the pure layers (SafeCertCore, SafeCertDocuments), built in
// release without Vapor so a benchmark doesn't wait for the whole app. The scripts in bench/
// build and run it; each command prints its figures as one last line of key=value pairs.
import Foundation
import SafeCertCore
import SafeCertDocuments

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func format(_ value: Double, _ digits: Int = 4) -> String { String(format: "%.\(digits)f", value) }

/// bench/assign: automatic seat assignment of N candidates over R rooms (best of 5 runs, each a
/// fresh draw with its own seed; the figure is the slowest of them, so it is an upper bound).
func assign(candidates: Int, rooms roomCount: Int) throws {
    let centre = UUID()
    let perRoom = (candidates + roomCount - 1) / roomCount
    let rooms = (0..<roomCount).map { SeatingRoom(id: UUID(), centreID: centre, name: "第\($0 + 1)考场", capacity: perRoom + 5) }
    let eligible = (0..<candidates).map { _ in UUID() }
    var worst = 0.0
    var placed = 0
    for run in 0..<5 {
        var draw: SeatDraw<UUID>?
        let t = try seconds { draw = try SeatAssignment.automatic(eligible: eligible, count: candidates, rooms: rooms, seed: UInt64(run + 1)) }
        worst = max(worst, t)
        placed = draw?.seats.count ?? 0
    }
    guard placed == candidates else { throw BenchError("placed \(placed) of \(candidates)") }
    FileHandle.standardError.write(Data("placed \(placed) candidates in \(roomCount) rooms; slowest of 5 runs \(format(worst)) s\n".utf8))
    print("assign candidates=\(candidates) rooms=\(roomCount) seconds=\(format(worst))")
}

/// bench/tickets: one PDF of N admission tickets, each with its own photo and its own QR code
/// carrying a signed ticket token, as the app makes them for a whole plan.
func tickets(pages: Int) throws {
    // 50 distinct portrait JPEGs in rotation (a real plan has one photo per person; these vary
    // enough that the PDF embeds each one separately).
    var photos: [Data] = []
    for hue in 0..<50 {
        let width = 295, height = 413
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let i = (y * width + x) * 3
                let dx = Double(x - width / 2), dy = Double(y) - Double(height) * 0.4
                let head = dx * dx + dy * dy < 80 * 80
                rgb[i] = head ? 240 : UInt8((60 + hue * 3 + x / 8) % 256)
                rgb[i + 1] = head ? 205 : UInt8((120 + hue * 5 + y / 8) % 256)
                rgb[i + 2] = head ? 175 : 210
            }
        }
        photos.append(try JPEG.encode(rgb: rgb, width: width, height: height, quality: 85))
    }
    let signer = TicketSigner(key: Data(repeating: 42, count: 32))
    let list = (0..<pages).map { n -> AdmissionTicket in
        let number = "KS20261201" + String(format: "%05d", n)
        return AdmissionTicket(
            ticketNumber: number, photo: photos[n % photos.count], name: "考生\(n)", maskedIDNumber: "220102********\(String(format: "%04d", n % 10_000))",
            qualification: "低压电工作业", examType: "新取证（线下）", centre: "长春市安全生产考核点", room: "第\(n / 40 + 1)考场",
            seat: String(format: "%02d", n % 40 + 1), date: "2026-12-01", time: "09:00 至 11:00", address: "长春市朝阳区工农大路 1000 号",
            qrPayload: signer.sign(TicketClaims(ticketNumber: number, candidateID: UUID(), personID: UUID())))
    }
    var size = 0
    let t = seconds { size = AdmissionTicketRenderer.pdf(list, title: "准考证").count }
    FileHandle.standardError.write(Data("rendered \(pages) tickets in \(format(t, 3)) s, \(size / 1_048_576) MB\n".utf8))
    print("tickets pages=\(pages) pages_per_second=\(format(Double(pages) / t, 1))")
}

/// bench/upload-stall: N distinct 1-inch JPEGs (295×413) written to `directory` as
/// photo-00000.jpg…, grainy enough that each is about 40 KB, as a scanned photo is.
func photos(count: Int, directory: String) throws {
    let width = 295, height = 413
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    var total = 0
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    for n in 0..<count {
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                let grain = Int(state & 0x1F)
                let i = (y * width + x) * 3
                rgb[i] = UInt8((60 + n * 7 + x / 4 + grain) % 256)
                rgb[i + 1] = UInt8((110 + n * 3 + y / 5 + grain) % 256)
                rgb[i + 2] = UInt8((180 + grain) % 256)
            }
        }
        let jpeg = try JPEG.encode(rgb: rgb, width: width, height: height, quality: 85)
        total += jpeg.count
        try jpeg.write(to: URL(fileURLWithPath: directory).appendingPathComponent(String(format: "photo-%05d.jpg", n)))
    }
    FileHandle.standardError.write(Data("wrote \(count) photos, \(total / 1024) KB in all, to \(directory)\n".utf8))
    print("photos count=\(count) bytes=\(total)")
}

/// bench/captcha: the login captcha (120×40 PNG) drawn and compressed N times; the figure is
/// the mean time per image.
func captcha(count: Int) {
    var rng = SystemRandomNumberGenerator()
    var bytes = 0
    let total = seconds {
        for n in 0..<max(count, 1) {
            bytes += CaptchaImage.png(text: ProcessInfo.processInfo.environment["CAPTCHA_EMPTY"] != nil ? "" : String(format: "%04d", n % 10_000), using: &rng).count
        }
    }
    let perImage = total / Double(max(count, 1))
    if let i = arguments.firstIndex(of: "--out"), arguments.index(after: i) < arguments.endIndex {
        try? Data(CaptchaImage.png(text: "4821", using: &rng)).write(to: URL(fileURLWithPath: arguments[arguments.index(after: i)]))
    }
    FileHandle.standardError.write(Data("drew \(count) captchas, \(bytes / max(count, 1)) bytes each on average\n".utf8))
    print("captcha count=\(count) ms_per_image=\(format(perImage * 1000, 3))")
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

let arguments = CommandLine.arguments.dropFirst()
func option(_ name: String, _ fallback: Int) -> Int {
    guard let i = arguments.firstIndex(of: name), arguments.index(after: i) < arguments.endIndex else { return fallback }
    return Int(arguments[arguments.index(after: i)]) ?? fallback
}
do {
    switch arguments.first {
    case "assign":
        try assign(candidates: option("--candidates", 10_000), rooms: option("--rooms", 20))
    case "tickets":
        try tickets(pages: option("--pages", 1_000))
    case "captcha":
        captcha(count: option("--count", 200))
    case "photos":
        guard let i = arguments.firstIndex(of: "--dir"), arguments.index(after: i) < arguments.endIndex else {
            throw BenchError("photos needs --dir DIRECTORY")
        }
        try photos(count: option("--count", 100), directory: arguments[arguments.index(after: i)])
    default:
        FileHandle.standardError.write(Data("usage: safecert-bench assign [--candidates N] [--rooms R] | tickets [--pages N] | photos --dir D [--count N] | captcha [--count N]\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("safecert-bench: \(error)\n".utf8))
    exit(1)
}
