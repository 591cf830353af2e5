/// The random source of the seat draw: xoshiro256** (Blackman and Vigna, 2018), its 256-bit
/// state filled from the 64-bit seed by SplitMix64, as the authors recommend.
///
/// Written out here rather than taken from Swift's `SystemRandomNumberGenerator` or the
/// standard library's `random(in:using:)` / `shuffle(using:)`, whose algorithms are not
/// promised to stay the same between Swift versions: a seed stored with an exam plan must
/// reproduce the same draw years later, on any machine, so that the draw can be audited. Every
/// step is specified below (the generator, `next(below:)`, and the shuffle in `SeatAssignment`),
/// so an auditor can also re-run a draw in another language.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable, Hashable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    public init(seed: UInt64) {
        var splitMix = seed
        s0 = Self.splitMix64(&splitMix)
        s1 = Self.splitMix64(&splitMix)
        s2 = Self.splitMix64(&splitMix)
        s3 = Self.splitMix64(&splitMix)
        // SplitMix64 is a bijection of a counter, so four consecutive outputs are never all zero
        // (the one state xoshiro can't leave).
    }

    /// The raw state, for the reference vectors in the tests.
    init(state: (UInt64, UInt64, UInt64, UInt64)) {
        precondition(state != (0, 0, 0, 0), "xoshiro256** needs a non-zero state")
        (s0, s1, s2, s3) = state
    }

    public mutating func next() -> UInt64 {
        let result = Self.rotateLeft(s1 &* 5, by: 7) &* 9
        let shifted = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= shifted
        s3 = Self.rotateLeft(s3, by: 45)
        return result
    }

    /// A uniform integer in `0..<bound`, without modulo bias: Lemire's multiply-and-reject
    /// ("Fast random integer generation in an interval", 2019). The high 64 bits of
    /// `next() × bound` are the answer; a draw whose low 64 bits fall below `2⁶⁴ mod bound` is
    /// rejected and drawn again.
    public mutating func next(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let bound = UInt64(bound)
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold {
                product = next().multipliedFullWidth(by: bound)
            }
        }
        return Int(product.high)
    }

    static func splitMix64(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    private static func rotateLeft(_ value: UInt64, by amount: UInt64) -> UInt64 {
        (value << amount) | (value >> (64 - amount))
    }
}
