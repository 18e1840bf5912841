import MathCheck
import Notebook
import Runner

/// TeX mistakes found at build time: every math span of a notebook parsed by KaTeX, each
/// error located at the notebook's line and column.
public enum MathDiagnostics {
  public static func check(_ document: Document, with checker: KaTeXChecker) -> [Diagnostic] {
    document.math.compactMap { span in
      // Placeholders stand for numbers; check the TeX with a number in their place.
      var tex = span.tex
      for placeholder in References.placeholders(in: tex, line: 0).reversed() {
        var bytes = Array(tex.utf8)
        bytes.replaceSubrange(placeholder.range, with: Array("0".utf8))
        tex = String(decoding: bytes, as: UTF8.self)
      }
      guard let message = checker.error(in: tex, display: span.display) else { return nil }
      let location = location(of: message, in: span)
      return Diagnostic(
        path: document.path, location: location, message: "KaTeX: " + cleaned(message),
        hint: "fix the TeX (KaTeX's list of supported functions says what it knows)",
        sourceLine: document.lines.indices.contains(location.line - 1)
          ? document.lines[location.line - 1] : nil, length: 1)
    }
  }

  /// KaTeX's message without its prefix and the echo of the formula.
  static func cleaned(_ message: String) -> String {
    var text = message
    if text.hasPrefix("KaTeX parse error: ") { text.removeFirst("KaTeX parse error: ".count) }
    if let range = text.range(of: #"at position \d+"#, options: .regularExpression) {
      text = String(text[..<range.upperBound])
    }
    return text
  }

  /// Where KaTeX's "at position N" (1-based, in the TeX) falls in the notebook.
  static func location(of message: String, in span: MathSpan) -> SourceLocation {
    let start = SourceLocation(
      line: span.start.line, column: span.start.column + span.delimiterLength)
    guard let range = message.range(of: #"at position \d+"#, options: .regularExpression),
      let position = Int(message[range].split(separator: " ").last ?? "")
    else { return span.start }
    var line = start.line
    var column = start.column
    for character in span.tex.prefix(max(0, position - 1)) {
      if character == "\n" {
        line += 1
        column = 1
      } else {
        column += character.utf8.count
      }
    }
    return SourceLocation(line: line, column: column)
  }
}
