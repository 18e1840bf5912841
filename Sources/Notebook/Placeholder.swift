/// A reference to a named value in prose: `{{ hk.O6 }}`, `{{ hk.O6 | 3 }}` (three decimals).
/// The notebook's tree holds each as a node (``MarkdownLeaf/placeholder(_:)``), found in its
/// text, its math and its HTML blocks when the notebook is parsed.
public struct Placeholder: Hashable, Sendable {
  /// UTF-8 offsets of `{{` to past `}}` within the line.
  public var range: Range<Int>
  /// The text between the braces, before any `|`.
  public var reference: String
  public var decimals: Int?
  public var line: Int
  public var column: Int
  /// The placeholder as written, braces included.
  public var text: String
  /// Why a placeholder that names a value cannot be filled in (arithmetic between values,
  /// a bad number of decimals); `nil` for a good one. Reported as a located error.
  public var problem: String?

  /// Whether it stands in math (filled in as TeX).
  public var inMath = false

  /// Where the placeholder starts.
  public var location: SourceLocation { SourceLocation(line: line, column: column) }

  /// The same placeholder `columns` bytes further right on its line.
  public func shifted(by columns: Int) -> Placeholder {
    var copy = self
    copy.range = (range.lowerBound + columns)..<(range.upperBound + columns)
    copy.column += columns
    return copy
  }

  /// The most decimals a placeholder may ask for.
  public static let decimalsLimit = 15

  /// The placeholders on one line, in one pass over its bytes. A placeholder names a value
  /// (`owner.quantity`, optionally `| decimals`); anything else between double braces
  /// (TeX's `\frac{1}{{n}}`) is left as written, and so is `\{{`, inside a code span or
  /// an HTML comment.
  public static func scan(_ text: String, line: Int) -> [Placeholder] {
    let bytes = Array(text.utf8)
    let open = UInt8(ascii: "{")
    let close = UInt8(ascii: "}")
    var found: [Placeholder] = []
    var i = 0
    var skipper = ProseSkipper()
    while i + 1 < bytes.count {
      let c = bytes[i]
      if skipper.skip(bytes, at: &i) { continue }
      guard c == open, bytes[i + 1] == open else {
        i += 1
        continue
      }
      // A placeholder holds no brace and is short: the search for its `}}` stops at the
      // next `{` or after 512 bytes, so nested or unclosed braces cost one pass, not one
      // pass per `{{`.
      var k = i + 2
      while k + 1 < bytes.count, k - i < 512, bytes[k] != open,
        !(bytes[k] == close && bytes[k + 1] == close)
      {
        k += 1
      }
      guard k + 1 < bytes.count else { break }
      guard bytes[k] == close, bytes[k + 1] == close else {
        i = bytes[k] == open ? k : i + 2
        continue
      }
      let inside = String(decoding: bytes[(i + 2)..<k], as: UTF8.self)
      let parts = inside.split(separator: "|", maxSplits: 1).map(Self.trimmed)
      let reference = parts.first ?? ""
      // The first word names a value: this is a placeholder, good or not (TeX's `{{n}}` and
      // `\frac{1}{{n}}` never have a dotted name first).
      let firstWord = reference.prefix { !$0.isWhitespace && !"+-*()^".contains($0) }
      if !inside.utf8.contains(UInt8(ascii: "\\")), ValueKey(parsing: firstWord) != nil {
        var problem: String?
        var decimals: Int?
        if firstWord.count != reference.count {
          problem =
            "'{{ \(reference) }}' is not one value: a placeholder names a value (owner.quantity), optionally with '| decimals', and does no arithmetic"
        }
        if parts.count > 1 {
          decimals = Int(parts[1])
          if decimals.map({ !(0...decimalsLimit).contains($0) }) ?? true {
            problem =
              "'| \(parts[1])' is not a number of decimals: a placeholder takes 0 to \(decimalsLimit) after '|'"
            decimals = nil
          }
        }
        found.append(
          Placeholder(
            range: i..<(k + 2), reference: String(firstWord), decimals: decimals, line: line,
            column: i + 1, text: String(decoding: bytes[i..<(k + 2)], as: UTF8.self),
            problem: problem))
        i = k + 2
      } else {
        i += 2
      }
    }
    return found
  }

  /// Text without the whitespace around it.
  private static func trimmed(_ text: Substring) -> String {
    guard let first = text.firstIndex(where: { !$0.isWhitespace }),
      let last = text.lastIndex(where: { !$0.isWhitespace })
    else { return "" }
    return String(text[first...last])
  }
}
