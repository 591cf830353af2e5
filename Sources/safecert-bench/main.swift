// safecert-bench: benchmarks of the pure layers (SafeCertCore, SafeCertDocuments), built in
// release without Vapor so a benchmark doesn't wait for the whole app. The scripts in bench/
// build and run it; each command prints its figures as one last line of key=value pairs.
import Foundation
import SafeCertCore

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
    default:
        FileHandle.standardError.write(Data("usage: safecert-bench assign [--candidates N] [--rooms R]\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("safecert-bench: \(error)\n".utf8))
    exit(1)
}
