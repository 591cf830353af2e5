/// Password complexity per 等保 2.0 (GB/T 22239-2019, 身份鉴别): length, character classes,
/// and not derived from the username.
public struct PasswordPolicy: Sendable, Hashable {
    public var minLength: Int
    /// How many of the four classes (upper-case, lower-case, digit, symbol) must appear.
    public var requiredClasses: Int
    /// bcrypt only reads the first 72 bytes, so anything longer would be silently truncated.
    public var maxBytes: Int

    public init(minLength: Int = 8, requiredClasses: Int = 3, maxBytes: Int = 72) {
        self.minLength = minLength
        self.requiredClasses = requiredClasses
        self.maxBytes = maxBytes
    }

    public static let standard = PasswordPolicy()

    /// Every rule the password breaks, as Chinese messages; empty when it is acceptable.
    public func violations(password: String, username: String) -> [String] {
        if password.isEmpty { return ["密码不能为空"] }
        if password.allSatisfy(\.isWhitespace) { return ["密码不能全为空白字符"] }

        var problems: [String] = []
        if password.count < minLength {
            problems.append("密码长度至少 \(minLength) 位，当前为 \(password.count) 位")
        }
        let classes = PasswordPolicy.characterClasses(in: password)
        if classes.count < requiredClasses {
            problems.append("密码需包含大写字母、小写字母、数字、特殊字符中的至少 \(requiredClasses) 类，当前为 \(classes.count) 类")
        }
        let bytes = password.utf8.count
        if bytes > maxBytes {
            problems.append("密码不能超过 \(maxBytes) 字节（当前 \(bytes) 字节，一个汉字占 3 字节），请缩短")
        }
        let name = username.trimmingWhitespaceForPolicy
        if !name.isEmpty, password.lowercased().contains(name.lowercased()) {
            problems.append("密码不能包含用户名")
        }
        return problems
    }

    public func validate(password: String, username: String) throws(PasswordPolicyError) {
        let problems = violations(password: password, username: username)
        if !problems.isEmpty { throw PasswordPolicyError(violations: problems) }
    }

    // MARK: Character classes

    public enum CharacterClass: Sendable, Hashable, CaseIterable {
        case upper, lower, digit, symbol
    }

    /// Non-ASCII characters other than cased letters (e.g. 汉字) count as symbols.
    static func characterClasses(in password: String) -> Set<CharacterClass> {
        var classes: Set<CharacterClass> = []
        for character in password where !character.isWhitespace {
            if TextNormalization.isASCIIDigit(character) {
                classes.insert(.digit)
            } else if character.isUppercase {
                classes.insert(.upper)
            } else if character.isLowercase {
                classes.insert(.lower)
            } else {
                classes.insert(.symbol)
            }
        }
        return classes
    }

    // MARK: Temporary passwords

    // Look-alikes (0/O, 1/l/I) are left out because these passwords are read off a screen or paper.
    private static let upperPool = Array("ABCDEFGHJKLMNPQRSTUVWXYZ")
    private static let lowerPool = Array("abcdefghijkmnpqrstuvwxyz")
    private static let digitPool = Array("23456789")
    private static let symbolPool = Array("!@#$%&*?-_+=")
    static let temporaryLength = 12

    /// A 12-character password with every class present, for newly issued accounts.
    /// Pass `SystemRandomNumberGenerator` in production; a seeded generator only in tests.
    public static func generateTemporary<R: RandomNumberGenerator>(using generator: inout R) -> String {
        let pools = [upperPool, lowerPool, digitPool, symbolPool]
        let everything = pools.flatMap { $0 }
        var characters = pools.map { $0.randomElement(using: &generator)! }
        while characters.count < temporaryLength {
            characters.append(everything.randomElement(using: &generator)!)
        }
        characters.shuffle(using: &generator)
        return String(characters)
    }
}

public struct PasswordPolicyError: Error, Equatable, Sendable, CustomStringConvertible {
    public let violations: [String]

    public init(violations: [String]) {
        self.violations = violations
    }

    public var message: String { violations.joined(separator: "；") }

    public var description: String { message }
}

private extension String {
    var trimmingWhitespaceForPolicy: Substring {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map { index(after: $0) } ?? start
        return self[start..<end]
    }
}
