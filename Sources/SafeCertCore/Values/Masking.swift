import Foundation

/// Masked forms of personal data for lists, logs and exports (个人信息去标识化展示).
/// All functions work on characters, so Chinese text is masked per character, not per byte.
public enum Masking {
    /// "110105********1234" for 18-character IDs (first 6, last 4); other long document numbers
    /// likewise. Values shorter than 15 characters keep only the first and last character.
    public static func idNumber(_ s: String) -> String {
        let characters = Array(s.trimmingWhitespace)
        if characters.count >= 15 { return keep(characters, prefix: 6, suffix: 4) }
        return keepFirstAndLast(characters)
    }

    /// "138****5678": first 3 and last 4 kept.
    public static func phone(_ s: String) -> String {
        let characters = Array(s.trimmingWhitespace)
        if characters.count >= 8 { return keep(characters, prefix: 3, suffix: 4) }
        return keepFirstAndLast(characters)
    }

    /// "张*" for two characters, "张*三" for three, "欧**锋" for four: the first character,
    /// and the last one too once the name is longer than two. A single character is fully masked.
    public static func name(_ s: String) -> String {
        let characters = Array(s.trimmingWhitespace)
        switch characters.count {
        case 0: return ""
        case 1: return "*"
        case 2: return String(characters[0]) + "*"
        default: return keep(characters, prefix: 1, suffix: 1)
        }
    }

    private static func keep(_ characters: [Character], prefix: Int, suffix: Int) -> String {
        String(characters.prefix(prefix))
            + String(repeating: "*", count: characters.count - prefix - suffix)
            + String(characters.suffix(suffix))
    }

    /// "E*******8"; one or two characters become all asterisks, since keeping any would reveal most.
    private static func keepFirstAndLast(_ characters: [Character]) -> String {
        characters.count <= 2
            ? String(repeating: "*", count: characters.count)
            : keep(characters, prefix: 1, suffix: 1)
    }
}

private extension String {
    var trimmingWhitespace: Substring {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map { index(after: $0) } ?? start
        return self[start..<end]
    }
}

/// Whether an export shows a person's ID number and phone in full. DESIGN.md §3 masks them in
/// exports that leave the data's owner: the authority keeping the register for its region, and
/// the unit that keeps the person's record (their employer — a group with its branches — or the
/// unit that registered them). Anyone else (an association, another unit) gets masked values.
extension Masking {
    public enum Exposure: Sendable, Equatable {
        case full
        case masked
    }

    /// Who is exporting.
    public struct ExportViewer: Sendable, Equatable {
        /// An authority of the person's region (the register's keeper).
        public var keepsRegister: Bool
        /// The units the viewer acts for: its organisation (and a group's branches).
        public var organizationIDs: Set<UUID>

        public init(keepsRegister: Bool, organizationIDs: Set<UUID> = []) {
            self.keepsRegister = keepsRegister
            self.organizationIDs = organizationIDs
        }
    }

    /// Whose record a person is.
    public struct RecordOwner: Sendable, Equatable {
        public var employerID: UUID?
        public var registeredByID: UUID?

        public init(employerID: UUID?, registeredByID: UUID?) {
            self.employerID = employerID
            self.registeredByID = registeredByID
        }
    }

    public static func exportPolicy(viewer: ExportViewer, owner: RecordOwner) -> Exposure {
        if viewer.keepsRegister { return .full }
        let owners = [owner.employerID, owner.registeredByID].compactMap { $0 }
        return owners.contains(where: viewer.organizationIDs.contains) ? .full : .masked
    }
}
