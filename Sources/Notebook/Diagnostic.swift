import Spelling

/// A located mistake or warning in a notebook: `path:line:column: error: message`, the
/// offending line with a caret under the place, and a suggestion where one exists.
public struct Diagnostic: Error, Hashable, Sendable, CustomStringConvertible {
  public enum Severity: String, Hashable, Sendable {
    case error, warning
  }

  public var severity: Severity
  public var path: String
  public var location: SourceLocation
  public var message: String
  /// The fix to try, when one can be suggested ("did you mean 'sigmoid'?").
  public var hint: String?
  /// The source line the location points into.
  public var sourceLine: String?
  /// How many characters the caret underlines.
  public var length: Int

  public init(
    _ severity: Severity = .error, path: String, location: SourceLocation, message: String,
    hint: String? = nil, sourceLine: String? = nil, length: Int = 1
  ) {
    self.severity = severity
    self.path = path
    self.location = location
    // What a notebook wrote may be quoted in a message; never more than a line's worth.
    self.message = clippingQuotes(message)
    self.hint = hint.map { clippingQuotes($0) }
    self.sourceLine = sourceLine
    self.length = max(1, length)
  }

  /// `path:line:column: severity: message`.
  public var headline: String {
    "\(path):\(location.line):\(location.column): \(severity.rawValue): \(message)"
  }

  /// The headline, the source line with a caret, and the hint, one per line.
  public var description: String {
    var text = headline
    if let sourceLine {
      // At most a window of the line around the place, so a long line prints briefly. A
      // very long line is cut by bytes first (its UTF-8 view indexes in constant time), so
      // thousands of diagnostics on one line stay linear.
      let line =
        sourceLine.utf8.count > 4_096 ? Self.window(sourceLine, around: location.column) : nil
      let characters = Array((line?.text ?? sourceLine).replacingTabs)
      let column = min(max(0, location.column - 1 - (line?.offset ?? 0)), characters.count)
      let from = max(0, column - 60)
      let to = min(characters.count, column + max(length, 1) + 60)
      let before = from > 0 || (line?.offset ?? 0) > 0
      let after = to < characters.count || line?.cut == true
      let shown = (before ? "…" : "") + String(characters[from..<to]) + (after ? "…" : "")
      let pad = String(repeating: " ", count: column - from + (before ? 1 : 0))
      let caret = String(repeating: "~", count: max(0, min(length, 120) - 1))
      text += "\n    \(shown)\n    \(pad)^" + caret
    }
    if let hint { text += "\n    \(hint)" }
    return text
  }

  /// 128 bytes either side of a 1-based column of a long line (taken as a byte offset),
  /// widened to whole characters: the text, the byte offset it starts at, and whether the
  /// line goes on after it.
  static func window(_ line: String, around column: Int) -> (text: String, offset: Int, cut: Bool) {
    let bytes = line.utf8
    let count = bytes.count
    var start = max(0, min(count, column - 1 - 128))
    var end = max(start, min(count, column - 1 + 128))
    func isContinuation(_ offset: Int) -> Bool {
      offset < count && bytes[bytes.index(bytes.startIndex, offsetBy: offset)] & 0xC0 == 0x80
    }
    while start > 0, isContinuation(start) { start -= 1 }
    while end < count, isContinuation(end) { end += 1 }
    let from = bytes.index(bytes.startIndex, offsetBy: start)
    let to = bytes.index(bytes.startIndex, offsetBy: end)
    return (String(decoding: bytes[from..<to], as: UTF8.self), start, end < count)
  }
}

extension String {
  fileprivate var replacingTabs: String {
    String(map { $0 == "\t" ? " " : $0 })
  }
}
