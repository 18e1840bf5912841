/// TeX math in a notebook: `$…$` and `\(…\)` inline, `$$…$$` and `\[…\]` display.
///
/// cmark knows nothing of math: it may turn `_` and `*` inside it into emphasis, drop
/// backslashes, make a line of math that starts with `+` a list and `$$` followed by `=` a
/// heading. The spans are found in the text cmark's one parse has (the lines of its code
/// and HTML blocks left out) and cut from its tree, each a math node with the TeX as
/// written; the blocks where cmark read markup across a span are parsed again with the
/// math masked — every byte of a span, delimiters included, replaced by U+0001, line
/// breaks kept, so that cmark's source positions still point into the original (see
/// ``MarkdownParser/parseOnce(_:deadline:recognise:)``).
///
/// Math is recognised only where CommonMark has text: never on the lines of a code or
/// HTML block (found by a first parse, at any depth), nor inside a code span, an HTML
/// comment, inline HTML (a tag, and the content of `<code>`, `<pre>`, `<kbd>`, `<samp>`),
/// an autolink, a link destination or title, image alt text, or a link reference
/// definition. It may cross line breaks, never a blank line.
///
/// No math runs across a backtick (a code span starts there). `\(…\)` and `\[…\]` need a
/// letter or a digit inside (CommonMark's `\[\\\]` is
/// escaped brackets, not math). Dollars follow Pandoc's rule: `$` opens inline math when the next character is not a
/// space, and closes at the next `$` that follows a non-space and is not followed by a
/// digit, so "$5 and $10" stays text; `\$` is a dollar.
public struct MathSpan: Hashable, Sendable {
  /// UTF-8 offsets of the opening and one past the closing delimiter, in the scanned text.
  public var range: Range<Int>
  public var display: Bool
  /// The TeX between the delimiters.
  public var tex: String
  /// Where the opening delimiter stands.
  public var start: SourceLocation
  /// The opening delimiter's length in bytes (`$` 1; `$$`, `\(`, `\[` 2).
  public var delimiterLength: Int
}

public enum MathScanner {
  /// The marker byte masked math is made of.
  public static let mask: UInt8 = 0x01

  /// The math spans of a text, in order; `verbatim` are the lines of code and HTML blocks
  /// (by default found by parsing the text).
  public static func spans(in text: String, verbatim: [ClosedRange<Int>]? = nil) -> [MathSpan] {
    let lines = verbatim ?? MarkdownParser.verbatim(of: text)
    var scanner = MathTextScanner(
      bytes: Array(text.utf8), verbatim: lines.sorted { $0.lowerBound < $1.lowerBound })
    return scanner.run()
  }

  /// Stands for `=` in a line of only `=` right after display math, which cmark would
  /// otherwise read as a setext heading's underline; the tree reads it as `=` again.
  public static let equals: UInt8 = 0x02

  /// The text with every span's bytes (line breaks kept) replaced by ``mask``.
  public static func masked(_ text: String, spans: [MathSpan]) -> String {
    var bytes = Array(text.utf8)
    for span in spans {
      for k in span.range where bytes[k] != UInt8(ascii: "\n") { bytes[k] = mask }
      // `$$…$$` then a line of `=`: a paragraph, not a heading.
      guard let line = underline(after: span, in: bytes) else { continue }
      for j in line where bytes[j] == UInt8(ascii: "=") { bytes[j] = equals }
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// The line of only `=` (spaces aside) right after a display span, as byte offsets.
  private static func underline(after span: MathSpan, in bytes: [UInt8]) -> Range<Int>? {
    guard span.display else { return nil }
    var k = span.range.upperBound
    while k < bytes.count, bytes[k] == UInt8(ascii: " ") || bytes[k] == UInt8(ascii: "\t") {
      k += 1
    }
    guard k < bytes.count, bytes[k] == UInt8(ascii: "\n") else { return nil }
    var end = k + 1
    while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
    let content = bytes[(k + 1)..<end].filter {
      $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t")
    }
    guard !content.isEmpty, content.allSatisfy({ $0 == UInt8(ascii: "=") }) else { return nil }
    return (k + 1)..<end
  }

  /// The indices of the display spans that stand over a line of only `=`, which cmark
  /// reads as a setext heading's underline unless the math is masked (see
  /// ``masked(_:spans:)``).
  public static func underlined(_ spans: [MathSpan], in text: String) -> Set<Int> {
    let bytes = Array(text.utf8)
    var found: Set<Int> = []
    for (index, span) in spans.enumerated() where underline(after: span, in: bytes) != nil {
      found.insert(index)
    }
    return found
  }
}

extension MathSpan {
  /// The line the closing delimiter stands on.
  public var endLine: Int { end.line }

  /// Just past the closing delimiter (one pass over the TeX, no copies).
  public var end: SourceLocation {
    var breaks = 0
    var lastLine = 0
    for byte in tex.utf8 {
      if byte == 0x0A {
        breaks += 1
        lastLine = 0
      } else {
        lastLine += 1
      }
    }
    let column = (breaks == 0 ? start.column + delimiterLength : 1) + lastLine + delimiterLength
    return SourceLocation(line: start.line + breaks, column: column)
  }

  /// Whether a place in the source lies inside the span.
  public func covers(_ location: SourceLocation) -> Bool {
    location >= start && location < end
  }

}
