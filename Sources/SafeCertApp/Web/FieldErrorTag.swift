import Leaf

/// `#fieldError(errors.name)`: a form field's inline message, `<span class="field-error">…</span>`
/// with the message HTML-escaped, or nothing when the field has no error. A second argument
/// names the span for the browser tests: `#fieldError(errors.rooms, "rooms-error")`.
struct FieldErrorTag: UnsafeUnescapedLeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let message = ctx.parameters.first?.string, !message.isEmpty else { return .string("") }
        let testID = ctx.parameters.count > 1 ? ctx.parameters[1].string : nil
        let attributes = testID.map { " data-testid=\"\($0.htmlEscaped())\"" } ?? ""
        return .string("<span class=\"field-error\"\(attributes)>\(message.htmlEscaped())</span>")
    }
}
