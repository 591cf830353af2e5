/// The rows of one upload that name the same thing twice (an ID number, a document): the first
/// row stands, and every later one is refused naming it ("与第 3 行重复").
public struct DuplicateRows<Key: Hashable & Sendable>: Sendable {
    private var firstRow: [Key: Int] = [:]

    public init() {}

    /// The earlier row that named `key`, or nil when `row` is the first to name it (and is
    /// remembered as such).
    public mutating func earlierRow(naming key: Key, at row: Int) -> Int? {
        if let first = firstRow[key] { return first }
        firstRow[key] = row
        return nil
    }
}
