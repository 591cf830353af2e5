extension TextNormalization {
    /// Trims, folds full-width forms and collapses runs of spaces (names pasted from Word or Excel).
    static func collapseSpaces(_ text: String) -> String {
        foldFullWidth(text).split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
