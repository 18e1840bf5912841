/// Where a Markdown text has TeX math: `$…$` inline and `$$…$$` display, outside code.
///
/// cmark knows nothing of math: it would turn `_` and `*` inside it into emphasis, drop
/// backslashes and make `$$` followed by `=` a heading. So math is masked before cmark
/// sees the text — every character but line breaks replaced by a neutral one, keeping
/// each line's length so that cmark's source positions still point into the original.
///
/// Rules (pandoc's): `$$` opens display math, closed by the next `$$`, across lines; a
/// single `$` opens inline math when the next character is not a space and closes at the
/// next `$` not preceded by a space and not followed by a digit, on the same line. `\$` is
/// a dollar. Fenced code blocks, indented code and inline code spans are left alone.
public struct MathSpan: Hashable, Sendable {
  /// UTF-8 offsets of the opening and one past the closing delimiter.
  public var range: Range<Int>
  public var display: Bool
  /// The TeX between the delimiters.
  public var tex: String
}

public enum MathScanner {
  /// The math spans of a text, in order.
  public static func spans(in text: String) -> [MathSpan] {
    let bytes = Array(text.utf8)
    var spans: [MathSpan] = []
    var i = 0
    var lineStart = true
    var fence: (byte: UInt8, count: Int)?
    while i < bytes.count {
      if lineStart {
        lineStart = false
        let (indent, marker, count) = fenceMarker(bytes, at: i)
        if let open = fence {
          if marker == open.byte, count >= open.count { fence = nil }
          i = endOfLine(bytes, from: i)
          continue
        }
        if let marker, count >= 3 {
          fence = (marker, count)
          i = endOfLine(bytes, from: i)
          continue
        }
        if indent >= 4 {  // indented code (approximation: not after a paragraph line)
          i = endOfLine(bytes, from: i)
          continue
        }
      }
      let c = bytes[i]
      switch c {
      case UInt8(ascii: "\n"):
        lineStart = true
        i += 1
      case UInt8(ascii: "\\"):
        i += 2
      case UInt8(ascii: "`"):
        i = endOfCodeSpan(bytes, from: i)
      case UInt8(ascii: "$"):
        if let span = mathSpan(bytes, at: i) {
          spans.append(span)
          i = span.range.upperBound
        } else {
          i += 1
        }
      default:
        i += 1
      }
    }
    return spans
  }

  /// The text with every math span's characters (delimiters kept) replaced by `x`, line
  /// breaks kept, so lengths and line numbers are unchanged. Multi-byte characters become
  /// as many `x` as they have bytes, so UTF-8 columns are kept too.
  public static func masked(_ text: String) -> String {
    var bytes = Array(text.utf8)
    for span in spans(in: text) {
      let delimiter = span.display ? 2 : 1
      let first = span.range.lowerBound + delimiter
      let last = span.range.upperBound - delimiter
      for k in first..<last where bytes[k] != UInt8(ascii: "\n") { bytes[k] = UInt8(ascii: "x") }
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  private static func mathSpan(_ b: [UInt8], at start: Int) -> MathSpan? {
    let dollar = UInt8(ascii: "$")
    if start + 1 < b.count, b[start + 1] == dollar {
      var k = start + 2
      while k + 1 < b.count {
        if b[k] == UInt8(ascii: "\\") {
          k += 2
          continue
        }
        if b[k] == dollar, b[k + 1] == dollar {
          return MathSpan(
            range: start..<(k + 2), display: true,
            tex: String(decoding: b[(start + 2)..<k], as: UTF8.self))
        }
        k += 1
      }
      return nil
    }
    guard start + 1 < b.count, !isSpace(b[start + 1]) else { return nil }
    var k = start + 1
    while k < b.count, b[k] != UInt8(ascii: "\n") {
      if b[k] == UInt8(ascii: "\\") {
        k += 2
        continue
      }
      if b[k] == dollar {
        let closesHere = !isSpace(b[k - 1]) && !(k + 1 < b.count && isDigit(b[k + 1]))
        if closesHere {
          return MathSpan(
            range: start..<(k + 1), display: false,
            tex: String(decoding: b[(start + 1)..<k], as: UTF8.self))
        }
      }
      k += 1
    }
    return nil
  }

  private static func fenceMarker(_ b: [UInt8], at start: Int) -> (Int, UInt8?, Int) {
    var i = start
    var indent = 0
    while i < b.count, b[i] == UInt8(ascii: " ") {
      indent += 1
      i += 1
    }
    guard indent < 4, i < b.count, b[i] == UInt8(ascii: "`") || b[i] == UInt8(ascii: "~") else {
      return (indent, nil, 0)
    }
    let marker = b[i]
    var count = 0
    while i < b.count, b[i] == marker {
      count += 1
      i += 1
    }
    return (indent, marker, count)
  }

  private static func endOfLine(_ b: [UInt8], from start: Int) -> Int {
    var i = start
    while i < b.count, b[i] != UInt8(ascii: "\n") { i += 1 }
    return i
  }

  /// Past an inline code span opened by a run of backticks (or past the run alone when it
  /// is never closed on its paragraph).
  private static func endOfCodeSpan(_ b: [UInt8], from start: Int) -> Int {
    var run = 0
    var i = start
    while i < b.count, b[i] == UInt8(ascii: "`") {
      run += 1
      i += 1
    }
    var k = i
    while k < b.count {
      if b[k] == UInt8(ascii: "`") {
        var closing = 0
        while k < b.count, b[k] == UInt8(ascii: "`") {
          closing += 1
          k += 1
        }
        if closing == run { return k }
      } else if b[k] == UInt8(ascii: "\n"), k + 1 < b.count, b[k + 1] == UInt8(ascii: "\n") {
        break
      } else {
        k += 1
      }
    }
    return i
  }

  private static func isSpace(_ c: UInt8) -> Bool {
    c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\n")
  }

  private static func isDigit(_ c: UInt8) -> Bool {
    c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")
  }
}
