/// A text cut into lines the way CommonMark cuts it: at LF, CRLF or a lone CR, each line
/// keeping its own terminator, so that the text can be put back together byte for byte.
public struct SourceLines: Hashable, Sendable {
  /// Each line's text, without its terminator (and without a leading byte-order mark).
  public var lines: [String]
  /// Each line's terminator: `"\n"`, `"\r\n"`, `"\r"`, or `""` for a last line without one.
  public var terminators: [String]
  /// Whether the text began with a UTF-8 byte-order mark.
  public var byteOrderMark: Bool

  public init(_ text: String) {
    var bytes = Array(text.utf8)
    byteOrderMark = bytes.starts(with: [0xEF, 0xBB, 0xBF])
    if byteOrderMark { bytes.removeFirst(3) }
    var lines: [String] = []
    var terminators: [String] = []
    var start = 0
    var i = 0
    while i < bytes.count {
      switch bytes[i] {
      case UInt8(ascii: "\n"):
        lines.append(String(decoding: bytes[start..<i], as: UTF8.self))
        terminators.append("\n")
        i += 1
        start = i
      case UInt8(ascii: "\r"):
        lines.append(String(decoding: bytes[start..<i], as: UTF8.self))
        let crlf = i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\n")
        terminators.append(crlf ? "\r\n" : "\r")
        i += crlf ? 2 : 1
        start = i
      default:
        i += 1
      }
    }
    // The last line: text after the last terminator, or an empty line after a final one
    // (kept so that line numbers match an editor's), with no terminator.
    lines.append(String(decoding: bytes[start...], as: UTF8.self))
    terminators.append("")
    self.lines = lines
    self.terminators = terminators
  }

  /// The line ending most of the text uses (LF when it has none), for lines nbrun adds.
  public var newline: String {
    var counts: [String: Int] = [:]
    for terminator in terminators where !terminator.isEmpty { counts[terminator, default: 0] += 1 }
    return counts.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key ?? "\n"
  }

  /// The text with every line ending made LF and no byte-order mark: what cmark reads, so
  /// that its line numbers and byte columns are the source's.
  public var normalized: String { lines.joined(separator: "\n") }
}

extension String {
  /// The first occurrence of `pattern`, compared byte for byte: what `range(of:)` finds
  /// for the plain patterns notebooks use (an operator, `±`), at a fraction of Foundation's
  /// cost, so a block of 100,000 lines is read in well under a second.
  public func firstByteRange(of pattern: String) -> Range<String.Index>? {
    let wanted = Array(pattern.utf8)
    guard let first = wanted.first else { return nil }
    let bytes = utf8
    var from = bytes.startIndex
    while let start = bytes[from...].firstIndex(of: first) {
      if bytes[start...].starts(with: wanted) {
        return start..<bytes.index(start, offsetBy: wanted.count)
      }
      from = bytes.index(after: start)
    }
    return nil
  }
}
