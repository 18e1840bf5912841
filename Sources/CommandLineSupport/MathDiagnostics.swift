import MathCheck
import Notebook
import Runner

/// TeX mistakes found at build time: every math span of a notebook parsed by KaTeX, each
/// error located at the notebook's line and column.
public enum MathDiagnostics {
  /// Every span's mistakes, until `deadline` passes (then the rest are not checked).
  public static func check(
    _ document: Document, with checker: KaTeXChecker, deadline: Deadline = .none
  ) -> [Diagnostic] {
    var found: [Diagnostic] = []
    for span in document.math {
      guard !deadline.passed else { break }
      if let diagnostic = check(span, in: document, with: checker) { found.append(diagnostic) }
    }
    return found
  }

  private static func check(_ span: MathSpan, in document: Document, with checker: KaTeXChecker)
    -> Diagnostic?
  {
    // Placeholders stand for numbers; check the TeX with a number in their place.
    let source = Array(span.tex.utf8)
    var bytes: [UInt8] = []
    bytes.reserveCapacity(source.count)
    var copied = 0
    // The span's placeholders, as offsets into its TeX.
    var lineStart = 0
    var lineStarts: [Int] = []
    for line in span.tex.split(separator: "\n", omittingEmptySubsequences: false) {
      lineStarts.append(lineStart)
      lineStart += line.utf8.count + 1
    }
    for (index, start) in lineStarts.enumerated() {
      let shift = index == 0 ? span.start.column - 1 + span.delimiterLength : 0
      for placeholder in document.placeholders(in: span)
      where placeholder.line == span.start.line + index {
        let lower = start + placeholder.range.lowerBound - shift
        let upper = start + placeholder.range.upperBound - shift
        guard lower >= copied, upper <= source.count else { continue }
        bytes += source[copied..<lower]
        bytes.append(UInt8(ascii: "0"))
        copied = upper
      }
    }
    bytes += source[copied...]
    let tex = String(decoding: bytes, as: UTF8.self)
    if let excess = TeXLimits.excess(in: bytes) {
      return Diagnostic(
        path: document.path, location: span.start, message: excess,
        hint: "write the formula in smaller pieces; a lecture's formulas nest a few levels deep",
        sourceLine: document.lines.indices.contains(span.start.line - 1)
          ? document.lines[span.start.line - 1] : nil, length: span.delimiterLength)
    }
    guard let message = checker.error(in: tex, display: span.display) else { return nil }
    let location = location(of: message, in: span)
    return Diagnostic(
      path: document.path, location: location, message: "KaTeX: " + cleaned(message),
      hint: "fix the TeX (KaTeX's list of supported functions says what it knows)",
      sourceLine: document.lines.indices.contains(location.line - 1)
        ? document.lines[location.line - 1] : nil, length: 1)
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
