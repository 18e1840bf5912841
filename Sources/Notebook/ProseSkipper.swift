/// What the prose scanners of a line of text (placeholders, references) step over: code
/// spans (a run of backticks to the next run as long), backslash escapes and HTML
/// comments. One piece for both, so they agree on what is prose.
struct ProseSkipper {
  /// The length of the backtick run that opened the code span we are in; 0 outside one.
  private var codeRun = 0

  /// Steps `i` over what is not prose at `i`; `false` when `bytes[i]` is prose.
  mutating func skip(_ bytes: [UInt8], at i: inout Int) -> Bool {
    let c = bytes[i]
    if c == UInt8(ascii: "`") {
      var run = 0
      while i < bytes.count, bytes[i] == UInt8(ascii: "`") {
        run += 1
        i += 1
      }
      codeRun = codeRun == 0 ? run : (codeRun == run ? 0 : codeRun)
      return true
    }
    if codeRun > 0 {
      i += 1
      return true
    }
    if c == UInt8(ascii: "\\") {
      i += 2
      return true
    }
    if c == UInt8(ascii: "<"), bytes[i...].starts(with: Array("<!--".utf8)) {
      var k = i + 4
      while k + 2 < bytes.count,
        !(bytes[k] == 0x2D && bytes[k + 1] == 0x2D && bytes[k + 2] == 0x3E)
      {
        k += 1
      }
      i = k + 3
      return true
    }
    return false
  }
}
