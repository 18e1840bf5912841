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
    self.message = message
    self.hint = hint
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
      // At most a window of the line around the place, so a long line prints briefly.
      let characters = Array(sourceLine.replacingTabs)
      let column = min(max(0, location.column - 1), characters.count)
      let from = max(0, column - 60)
      let to = min(characters.count, column + max(length, 1) + 60)
      let shown =
        (from > 0 ? "…" : "") + String(characters[from..<to]) + (to < characters.count ? "…" : "")
      let pad = String(repeating: " ", count: column - from + (from > 0 ? 1 : 0))
      let caret = String(repeating: "~", count: max(0, min(length, 120) - 1))
      text += "\n    \(shown)\n    \(pad)^" + caret
    }
    if let hint { text += "\n    \(hint)" }
    return text
  }
}

extension String {
  fileprivate var replacingTabs: String {
    String(map { $0 == "\t" ? " " : $0 })
  }
}
