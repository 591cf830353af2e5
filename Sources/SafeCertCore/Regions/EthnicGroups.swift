import Foundation

/// The 56 民族, in the order of the national standard.
public enum EthnicGroups {
    public static let all: [String] = {
        guard let url = Bundle.module.url(forResource: "ethnic-groups", withExtension: "txt"),
              let text = try? String(contentsOf: url, encoding: .utf8)
        else { return [] }
        return text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }()
}
