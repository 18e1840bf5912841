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
      let line = sourceLine.replacingTabs
      let pad = String(repeating: " ", count: max(0, location.column - 1))
      text += "\n    \(line)\n    \(pad)^" + String(repeating: "~", count: max(0, length - 1))
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
