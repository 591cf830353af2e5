import Foundation

/// An exam room as a plan sees it (seed 000, 考场维护): rooms are never deleted, only disabled,
/// and a room's seats are its approved capacity (核定人数).
public struct SeatingRoom: Sendable, Hashable, Codable {
    public var id: UUID
    public var centreID: UUID
    public var name: String
    /// 核定人数: the approved number of seats.
    public var capacity: Int
    /// A disabled room (停用) takes no new plan and no new candidate.
    public var isEnabled: Bool

    public init(id: UUID, centreID: UUID, name: String, capacity: Int, isEnabled: Bool = true) {
        self.id = id
        self.centreID = centreID
        self.name = name
        self.capacity = capacity
        self.isEnabled = isEnabled
    }
}

/// One candidate's place: a room and a seat number in it (1, 2, … shown as "01", "02", …).
/// `Candidate` is whatever identifies a person in the plan (an enrolment's UUID in the app).
public struct Seat<Candidate: Hashable & Sendable>: Sendable, Hashable {
    public var candidate: Candidate
    public var roomID: UUID
    public var centreID: UUID
    public var number: Int

    public init(candidate: Candidate, roomID: UUID, centreID: UUID, number: Int) {
        self.candidate = candidate
        self.roomID = roomID
        self.centreID = centreID
        self.number = number
    }

    /// "01" … "99", then "100": seat numbers as tickets and door lists show them.
    public var label: String { Self.label(number) }

    public static func label(_ number: Int) -> String { TextNormalization.zeroPadded(number, width: 2) }
}

extension Seat: Codable where Candidate: Codable {}

/// Why an automatic draw placed fewer people than were asked for.
public enum SeatShortfall: Sendable, Hashable {
    /// Fewer eligible candidates than the number asked for: all of them were drawn.
    case fewerEligible(asked: Int, eligible: Int)
    /// The chosen rooms have fewer seats than drawn candidates; the rest are `SeatDraw.unplaced`.
    case notEnoughSeats(drawn: Int, seats: Int)

    public var message: String {
        switch self {
        case .fewerEligible(let asked, let eligible): "计划安排 \(asked) 人，符合条件的考生只有 \(eligible) 人，已全部安排"
        case .notEnoughSeats(let drawn, let seats): "所选考场共 \(seats) 个座位，抽取的 \(drawn) 名考生中有 \(drawn - seats) 人未能安排，请增加考场"
        }
    }
}

/// The outcome of an automatic draw. Storing `seed` with the plan, together with the candidate
/// and room lists in the order given, lets anyone re-run `SeatAssignment.automatic` and get
/// exactly these seats.
public struct SeatDraw<Candidate: Hashable & Sendable>: Sendable, Hashable {
    public var seed: UInt64
    /// Room by room in the order the rooms were given, seat numbers rising within each room.
    public var seats: [Seat<Candidate>]
    /// Drawn candidates left without a seat because the rooms ran out, in draw order.
    public var unplaced: [Candidate]
    /// Empty when every one of the `count` asked for got a seat.
    public var shortfalls: [SeatShortfall]

    public init(seed: UInt64, seats: [Seat<Candidate>], unplaced: [Candidate], shortfalls: [SeatShortfall]) {
        self.seed = seed
        self.seats = seats
        self.unplaced = unplaced
        self.shortfalls = shortfalls
    }

    public func seats(in roomID: UUID) -> [Seat<Candidate>] { seats.filter { $0.roomID == roomID } }
}

/// The payload names the offending candidate or room so the page can name the person or the row.
public enum SeatAssignmentError<Candidate: Hashable & Sendable>: Error, Sendable, Equatable, CustomStringConvertible {
    case noRooms
    case invalidCount(Int)
    case noCandidatesSelected
    case roomDisabled(room: String)
    case duplicateRoom(room: String)
    case invalidCapacity(room: String, capacity: Int)
    /// The same person twice in the list given.
    case duplicateCandidate(Candidate)
    /// The person already has a seat in this plan.
    case alreadySeated(Candidate, seat: Seat<Candidate>)
    case overCapacity(room: String, capacity: Int, taken: Int, adding: Int)

    public var message: String {
        switch self {
        case .noRooms: "请至少选择一个考场"
        case .invalidCount(let count): "考生人数应大于 0（填写的是 \(count)）"
        case .noCandidatesSelected: "请勾选要分配的人员"
        case .roomDisabled(let room): "考场「\(room)」已停用，不能安排考试"
        case .duplicateRoom(let room): "考场「\(room)」重复选择"
        case .invalidCapacity(let room, let capacity): "考场「\(room)」的核定人数（\(capacity)）无效"
        case .duplicateCandidate: "所选人员中有同一考生重复出现"
        case .alreadySeated(_, let seat): "该考生已安排在本考试计划中（座号 \(seat.label)）"
        case .overCapacity(let room, let capacity, let taken, let adding):
            "考场「\(room)」核定 \(capacity) 人，已安排 \(taken) 人，不能再安排 \(adding) 人（最多还可安排 \(max(0, capacity - taken)) 人）"
        }
    }

    public var description: String { message }
}

/// 制定考试计划 (seed 000): automatic assignment draws the number asked for at random from the
/// eligible candidates and spreads them over the chosen rooms; manual assignment puts chosen
/// people into one room.
public enum SeatAssignment {
    /// Automatic assignment (自动分配) of a plan's seats from scratch.
    ///
    /// The draw, fully specified so that it can be re-run elsewhere:
    /// 1. `g = Xoshiro256StarStar(seed: seed)`; `pool` = `eligible` in the order given.
    /// 2. For `i` in `0..<k`, `k = min(count, eligible.count)`: swap `pool[i]` with
    ///    `pool[i + g.next(below: pool.count - i)]` (the first `k` steps of a Fisher–Yates
    ///    shuffle). `pool[0..<k]` are the drawn candidates, in draw order.
    /// 3. `p = min(k, total seats)` of them are placed. Each room's share of `p` is proportional to
    ///    its capacity (largest remainders; ties go to the room given first), so the candidates
    ///    are spread over every chosen room rather than filling the first ones: the rooms were
    ///    chosen for the plan and will be staffed anyway, and spacing candidates out helps
    ///    invigilation. No share exceeds a room's capacity.
    /// 4. Rooms in the order given take the drawn candidates in draw order, seats 1, 2, … .
    ///
    /// The result depends on the order of `eligible` and `rooms`, so the caller passes them in a
    /// stable order (by enrolment number, by room number) and stores the seed.
    public static func automatic<Candidate>(eligible: [Candidate], count: Int, rooms: [SeatingRoom],
                                            seed: UInt64) throws(SeatAssignmentError<Candidate>) -> SeatDraw<Candidate> {
        guard count > 0 else { throw .invalidCount(count) }
        try checkRooms(rooms, for: Candidate.self)
        try checkNoDuplicates(eligible)

        var pool = eligible
        let drawn = min(count, pool.count)
        var generator = Xoshiro256StarStar(seed: seed)
        for index in 0..<drawn {
            pool.swapAt(index, index + generator.next(below: pool.count - index))
        }

        let totalSeats = rooms.reduce(0) { $0 + $1.capacity }
        let placed = min(drawn, totalSeats)
        let shares = apportion(placed, over: rooms.map(\.capacity))
        var seats: [Seat<Candidate>] = []
        seats.reserveCapacity(placed)
        var next = 0
        for (room, share) in zip(rooms, shares) where share > 0 {
            for number in 1...share {
                seats.append(Seat(candidate: pool[next], roomID: room.id, centreID: room.centreID, number: number))
                next += 1
            }
        }

        var shortfalls: [SeatShortfall] = []
        if drawn < count { shortfalls.append(.fewerEligible(asked: count, eligible: eligible.count)) }
        if placed < drawn { shortfalls.append(.notEnoughSeats(drawn: drawn, seats: totalSeats)) }
        return SeatDraw(seed: seed, seats: seats, unplaced: Array(pool[placed..<drawn]), shortfalls: shortfalls)
    }

    /// Manual assignment (手动分配): `people`, in the order given, into `room`, while the plan
    /// already holds `existing` seats (in any room). All or nothing: a refusal places nobody.
    ///
    /// New seat numbers continue after the room's highest one. A seat number names a physical
    /// seat, of which the room has `capacity`, so once numbering reaches the capacity the numbers
    /// freed by removed candidates are reused, lowest first.
    /// The lowest seat number of a room of `capacity` seats not in `taken`; nil when it is full.
    /// Used where one person at a time takes a seat (an application, an import row, a move).
    public static func firstFreeSeat(taken: Set<Int>, capacity: Int) -> Int? {
        guard capacity > 0 else { return nil }
        return (1...capacity).first { !taken.contains($0) }
    }

    public static func place<Candidate>(_ people: [Candidate], in room: SeatingRoom,
                                        existing: [Seat<Candidate>]) throws(SeatAssignmentError<Candidate>) -> [Seat<Candidate>] {
        guard !people.isEmpty else { throw .noCandidatesSelected }
        try checkRoom(room, for: Candidate.self)
        try checkNoDuplicates(people)
        var seatOf: [Candidate: Seat<Candidate>] = [:]
        for seat in existing { seatOf[seat.candidate] = seat }
        if let seated = people.first(where: { seatOf[$0] != nil }), let seat = seatOf[seated] {
            throw .alreadySeated(seated, seat: seat)
        }

        let used = Set(existing.lazy.filter { $0.roomID == room.id }.map(\.number))
        if used.count + people.count > room.capacity {
            throw .overCapacity(room: room.name, capacity: room.capacity, taken: used.count, adding: people.count)
        }
        // Capacity is at least 1 here: the check above passed with at least one person.
        let highest = used.max() ?? 0
        let free = (1...room.capacity).filter { $0 > highest } + (1...room.capacity).filter { $0 < highest && !used.contains($0) }
        return zip(people, free).map { person, number in
            Seat(candidate: person, roomID: room.id, centreID: room.centreID, number: number)
        }
    }

    /// Hamilton's largest-remainder apportionment of `total` (≤ the sum of `capacities`) in
    /// proportion to `capacities`, ties to the lower index. Shares never exceed capacities: a
    /// share gets its extra unit only when its quota has a remainder, so it was below capacity.
    static func apportion(_ total: Int, over capacities: [Int]) -> [Int] {
        let sum = capacities.reduce(0, +)
        guard total > 0, sum > 0 else { return capacities.map { _ in 0 } }
        var shares = capacities.map { total * $0 / sum }
        let remainders = capacities.map { total * $0 % sum }
        let leftover = total - shares.reduce(0, +)
        let order = capacities.indices.sorted { remainders[$0] != remainders[$1] ? remainders[$0] > remainders[$1] : $0 < $1 }
        for index in order.prefix(leftover) { shares[index] += 1 }
        return shares
    }

    private static func checkRooms<Candidate>(_ rooms: [SeatingRoom], for _: Candidate.Type) throws(SeatAssignmentError<Candidate>) {
        guard !rooms.isEmpty else { throw .noRooms }
        var seen = Set<UUID>()
        for room in rooms {
            try checkRoom(room, for: Candidate.self)
            if !seen.insert(room.id).inserted { throw .duplicateRoom(room: room.name) }
        }
    }

    private static func checkRoom<Candidate>(_ room: SeatingRoom, for _: Candidate.Type) throws(SeatAssignmentError<Candidate>) {
        guard room.isEnabled else { throw .roomDisabled(room: room.name) }
        guard room.capacity >= 0 else { throw .invalidCapacity(room: room.name, capacity: room.capacity) }
    }

    private static func checkNoDuplicates<Candidate>(_ people: [Candidate]) throws(SeatAssignmentError<Candidate>) {
        var seen = Set<Candidate>(minimumCapacity: people.count)
        for person in people where !seen.insert(person).inserted {
            throw .duplicateCandidate(person)
        }
    }
}
