import Foundation

/// One bit per certificate, as the W3C Bitstring Status List has it: index 0 is the left-most
/// (most significant) bit of the first byte. A list has a fixed size chosen when it is made —
/// at least 131,072 entries (16 KB), so that one certificate's look-up says little about which
/// one it was — and indexes outside it read as unset and are refused on write, never a trap.
public struct StatusBitstring: Sendable, Hashable {
    public static let minimumEntries = 131_072

    public private(set) var bytes: [UInt8]

    public var count: Int { bytes.count * 8 }

    /// A list for at least `entries` certificates (rounded up to whole bytes, never below the minimum).
    public init(entries: Int) {
        let wanted = max(Self.minimumEntries, min(entries, 1 << 30))
        bytes = [UInt8](repeating: 0, count: (wanted + 7) / 8)
    }

    /// A list read back from its bytes (nil when it is shorter than the minimum).
    public init?(bytes: [UInt8]) {
        guard bytes.count * 8 >= Self.minimumEntries else { return nil }
        self.bytes = bytes
    }

    public subscript(index: Int) -> Bool {
        guard index >= 0, index < count else { return false }
        return bytes[index >> 3] & (0x80 >> UInt8(index & 7)) != 0
    }

    /// Sets or clears one entry; false when the index lies outside the list.
    @discardableResult
    public mutating func set(_ index: Int, _ value: Bool) -> Bool {
        guard index >= 0, index < count else { return false }
        let mask: UInt8 = 0x80 >> UInt8(index & 7)
        if value { bytes[index >> 3] |= mask } else { bytes[index >> 3] &= ~mask }
        return true
    }
}
