/// Fields of the CSV files nbrun writes (answers, scores): quoted when they hold a comma, a
/// quote or a line break, and, as OWASP recommends, prefixed with `'` when a spreadsheet
/// would read them as a formula (`=`, `+`, `-`, `@`, a tab or a carriage return first).
public enum CSVText {
  public static func field(_ text: String) -> String {
    var text = text
    if let first = text.first, "=+-@\t\r".contains(first) { text = "'" + text }
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
      return text
    }
    return "\"" + text.replacing("\"", with: "\"\"") + "\""
  }

  /// A field as read back: the formula guard removed.
  public static func unguarded(_ text: String) -> String {
    guard text.hasPrefix("'"), let second = text.dropFirst().first, "=+-@\t\r".contains(second)
    else { return text }
    return String(text.dropFirst())
  }
}
