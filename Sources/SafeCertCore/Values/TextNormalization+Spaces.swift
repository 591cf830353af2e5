extension TextNormalization {
    /// Leading and trailing whitespace removed (including the ideographic space), without
    /// Foundation's bridging: imports trim every cell.
    public static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        if first == scalars.startIndex && last == scalars.index(before: scalars.endIndex) { return text }
        return String(scalars[first...last])
    }

    /// Trims, folds full-width forms and collapses runs of spaces (names pasted from Word or Excel).
    static func collapseSpaces(_ text: String) -> String {
        foldFullWidth(text).split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
