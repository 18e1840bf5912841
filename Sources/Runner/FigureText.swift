/// Text in a figure that shows a named value (a unit's output `hk.O4` in a network
/// diagram, a node's value in a computation graph): marked with its key, so each build
/// can blank it where the student build blanks that value, in the SVG's text and titles
/// alike. The marks are private-use characters that never reach a written file.
public enum FigureText {
  public static let open: Unicode.Scalar = "\u{E003}"
  public static let separator: Unicode.Scalar = "\u{E004}"
  public static let close: Unicode.Scalar = "\u{E005}"

  /// `text`, marked as showing `key`.
  public static func keyed(_ key: ValueKey, _ text: String) -> String {
    "\(open)\(key)\(separator)\(text)\(close)"
  }

  /// The text with every marked value resolved: `replace(key, text)` gives what is shown.
  /// One pass over the text; a text without marks is returned as it is.
  public static func resolve(_ text: String, _ replace: (ValueKey?, String) -> String) -> String {
    guard text.unicodeScalars.contains(open) else { return text }
    var out = String.UnicodeScalarView()
    var key = String.UnicodeScalarView()
    var value = String.UnicodeScalarView()
    enum State { case plain, key, value }
    var state = State.plain
    for scalar in text.unicodeScalars {
      switch (state, scalar) {
      case (.plain, open):
        state = .key
        key = String.UnicodeScalarView()
        value = String.UnicodeScalarView()
      case (.key, separator): state = .value
      case (.value, close):
        out.append(
          contentsOf: replace(ValueKey(parsing: String(key)), String(value)).unicodeScalars)
        state = .plain
      case (.plain, _): out.append(scalar)
      case (.key, _): key.append(scalar)
      case (.value, _): value.append(scalar)
      }
    }
    return String(out)
  }
}
