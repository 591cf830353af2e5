/// The answer of the login's image captcha (seed 002): four digits, drawn on the server.
public enum CaptchaChallenge {
    public static func newAnswer<R: RandomNumberGenerator>(using rng: inout R) -> String {
        String((0..<4).map { _ in Character(String(Int.random(in: 0...9, using: &rng))) })
    }

    /// Compares what the user typed (full-width digits and spaces tolerated).
    public static func matches(answer: String, typed: String) -> Bool {
        let normalised = String(typed.unicodeScalars.compactMap { scalar -> Character? in
            if (0xFF10...0xFF19).contains(scalar.value) {
                return Character(UnicodeScalar(scalar.value - 0xFF10 + 0x30)!)
            }
            return scalar.properties.isWhitespace ? nil : Character(scalar)
        })
        return !answer.isEmpty && normalised == answer
    }
}
