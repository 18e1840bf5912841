/// One pass over the bytes, linear in the text: every skip moves forward, and every
/// search for a closing delimiter is a look-up in a table made by one backward pass, so no
/// run of unclosed openers (200,000 `$` signs) makes it quadratic.
struct MathTextScanner {
  let bytes: [UInt8]
  let verbatim: [ClosedRange<Int>]
  var i = 0
  var line = 1
  var lineStart = 0
  var nextVerbatim = 0
  var spans: [MathSpan] = []
  /// Per position: the start of the next blank line (a paragraph's end), or the text's end.
  private var paragraphEnd: [Int] = []
  /// Per position: the next unescaped `$`: the only one that may close inline math.
  private var nextInlineCloser: [Int] = []
  /// Per position: the next unescaped `$$`, `\)`, `\]`, `>`.
  private var nextDisplayCloser: [Int] = []
  private var nextParenCloser: [Int] = []
  private var nextBracketCloser: [Int] = []
  private var nextAngle: [Int] = []
  /// Per position: the next backtick. A code span never starts inside math, so math never
  /// runs across one.
  private var nextBacktick: [Int] = []
  /// Matching `]` / `)` of each `[` / `(` within its paragraph, by a stack.
  private var matching: [Int: Int] = [:]
  /// Backtick runs of each length known to have no closer before a position.
  private var noBacktickCloser: [Int: Int] = [:]
  /// Searches known to fail before a position (`-->`, `</code`…).
  private var noText: [String: Int] = [:]

  init(bytes: [UInt8], verbatim: [ClosedRange<Int>]) {
    self.bytes = bytes
    self.verbatim = verbatim
    makeTables()
  }

  private mutating func makeTables() {
    let n = bytes.count
    var escaped = [Bool](repeating: false, count: n + 1)
    var k = 0
    while k < n {
      if bytes[k] == 0x5C, k + 1 < n {
        escaped[k + 1] = true
        k += 2
      } else {
        k += 1
      }
    }
    paragraphEnd = [Int](repeating: n, count: n + 2)
    nextInlineCloser = paragraphEnd
    nextDisplayCloser = paragraphEnd
    nextParenCloser = paragraphEnd
    nextBracketCloser = paragraphEnd
    nextAngle = paragraphEnd
    nextBacktick = paragraphEnd
    var blankStart = n
    k = n - 1
    var lineEnd = n
    while k >= 0 {
      let c = bytes[k]
      if c == UInt8(ascii: "\n") {
        // Is the line after this break blank?
        var j = k + 1
        while j < lineEnd, bytes[j] == UInt8(ascii: " ") || bytes[j] == UInt8(ascii: "\t") {
          j += 1
        }
        if j >= lineEnd { blankStart = k + 1 }
        lineEnd = k
      }
      paragraphEnd[k] = blankStart
      nextInlineCloser[k] = nextInlineCloser[k + 1]
      nextDisplayCloser[k] = nextDisplayCloser[k + 1]
      nextParenCloser[k] = nextParenCloser[k + 1]
      nextBracketCloser[k] = nextBracketCloser[k + 1]
      nextAngle[k] = nextAngle[k + 1]
      if c == UInt8(ascii: "$"), !escaped[k] {
        nextInlineCloser[k] = k
        if k + 1 < n, bytes[k + 1] == UInt8(ascii: "$") { nextDisplayCloser[k] = k }
      }
      if c == 0x5C, !escaped[k], k + 1 < n {
        if bytes[k + 1] == UInt8(ascii: ")") { nextParenCloser[k] = k }
        if bytes[k + 1] == UInt8(ascii: "]") { nextBracketCloser[k] = k }
      }
      nextBacktick[k] = nextBacktick[k + 1]
      if c == UInt8(ascii: ">") { nextAngle[k] = k }
      if c == UInt8(ascii: "`") { nextBacktick[k] = k }
      k -= 1
    }
    // Brackets and parentheses matched by a stack, reset at each paragraph's end.
    var squares: [Int] = []
    var rounds: [Int] = []
    var paragraph = -1
    for k in 0..<n {
      if paragraphEnd[k] != paragraph {
        squares.removeAll()
        rounds.removeAll()
        paragraph = paragraphEnd[k]
      }
      guard !escaped[k] else { continue }
      switch bytes[k] {
      case UInt8(ascii: "["): squares.append(k)
      case UInt8(ascii: "]"): if let open = squares.popLast() { matching[open] = k }
      case UInt8(ascii: "("): rounds.append(k)
      case UInt8(ascii: ")"): if let open = rounds.popLast() { matching[open] = k }
      default: break
      }
    }
  }

  mutating func run() -> [MathSpan] {
    var atLineStart = true
    while i < bytes.count {
      if atLineStart {
        atLineStart = false
        if isVerbatim(line) || isDefinition(at: i) {
          skipToEndOfLine()
          continue
        }
      }
      let c = bytes[i]
      switch c {
      case UInt8(ascii: "\n"):
        newLine()
        atLineStart = true
      case 0x5C:
        if let next = byte(i + 1), next == UInt8(ascii: "(") || next == UInt8(ascii: "["),
          let span = backslashed(at: i, display: next == UInt8(ascii: "["))
        {
          add(span)
        } else {
          i = min(bytes.count, i + 2)
        }
      case UInt8(ascii: "`"):
        i = endOfCodeSpan(from: i)
      case UInt8(ascii: "<"):
        i = endOfAngle(from: i)
      case UInt8(ascii: "!") where byte(i + 1) == UInt8(ascii: "["):
        i = advance(to: matching[i + 1].map { $0 + 1 } ?? i + 2)
      case UInt8(ascii: "]") where byte(i + 1) == UInt8(ascii: "("):
        i = advance(to: matching[i + 1].map { $0 + 1 } ?? i + 2)
      case UInt8(ascii: "$"):
        if byte(i + 1) == UInt8(ascii: "$") {
          if let span = doubleDollar(at: i) { add(span) } else { i += 2 }
        } else if let span = inlineDollar(at: i) {
          add(span)
        } else {
          i += 1
        }
      default:
        i += 1
      }
    }
    return spans
  }

  // MARK: - Math

  private mutating func add(_ span: MathSpan) {
    spans.append(span)
    _ = advance(to: span.range.upperBound)
  }

  private func doubleDollar(at open: Int) -> MathSpan? {
    let close = nextDisplayCloser[open + 2]
    guard close < paragraphEnd[open], close > open + 2, close + 2 <= bytes.count,
      nextBacktick[open] > close
    else { return nil }
    return span(open..<(close + 2), display: true, delimiter: 2)
  }

  /// `\(…\)` and `\[…\]`, whose content has a letter or a digit: TeX always does, and
  /// CommonMark's escaped brackets (`\[\\\]`) do not.
  private func backslashed(at open: Int, display: Bool) -> MathSpan? {
    let close = display ? nextBracketCloser[open + 2] : nextParenCloser[open + 2]
    guard close < paragraphEnd[open], close > open + 2, close + 2 <= bytes.count,
      bytes[(open + 2)..<close].contains(where: { isLetter($0) || isDigit($0) })
    else { return nil }
    return span(open..<(close + 2), display: display, delimiter: 2)
  }

  /// `$…$` by Pandoc's rule, across line breaks but not a blank line.
  private func inlineDollar(at open: Int) -> MathSpan? {
    guard let next = byte(open + 1), !isSpace(next) else { return nil }
    let close = nextInlineCloser[open + 1]
    guard close < paragraphEnd[open], close < bytes.count, nextBacktick[open] > close,
      !isSpace(bytes[close - 1]),
      !(byte(close + 1).map(isDigit) ?? false)
    else { return nil }
    return span(open..<(close + 1), display: false, delimiter: 1)
  }

  private func span(_ range: Range<Int>, display: Bool, delimiter: Int) -> MathSpan {
    MathSpan(
      range: range, display: display,
      tex: String(
        decoding: bytes[(range.lowerBound + delimiter)..<(range.upperBound - delimiter)],
        as: UTF8.self),
      start: SourceLocation(line: line, column: range.lowerBound - lineStart + 1),
      delimiterLength: delimiter)
  }

  // MARK: - What is not text

  /// Past a code span opened by a run of backticks (or past the run when it never closes
  /// before a blank line).
  private mutating func endOfCodeSpan(from start: Int) -> Int {
    var run = 0
    var k = start
    while k < bytes.count, bytes[k] == UInt8(ascii: "`") {
      run += 1
      k += 1
    }
    let afterRun = k
    let limit = paragraphEnd[start]
    if let known = noBacktickCloser[run], known >= limit { return afterRun }
    while k < limit {
      if bytes[k] == UInt8(ascii: "`") {
        var closing = 0
        while k < bytes.count, bytes[k] == UInt8(ascii: "`") {
          closing += 1
          k += 1
        }
        if closing == run { return advance(to: k) }
      } else {
        k += 1
      }
    }
    noBacktickCloser[run] = limit
    return afterRun
  }

  /// Past an HTML comment, a tag (and the content of `<code>`, `<pre>`, `<kbd>`, `<samp>`),
  /// or an autolink; past the `<` alone when none of these starts here.
  private mutating func endOfAngle(from start: Int) -> Int {
    if starts(with: "<!--", at: start) {
      return advance(to: find("-->", from: start + 4).map { $0 + 3 } ?? start + 1)
    }
    guard let next = byte(start + 1),
      isLetter(next) || next == UInt8(ascii: "/") || next == UInt8(ascii: "?")
        || next == UInt8(ascii: "!")
    else { return start + 1 }
    let close = nextAngle[start + 1]
    guard close < paragraphEnd[start], close < bytes.count else { return start + 1 }
    let tag = String(decoding: bytes[(start + 1)..<close], as: UTF8.self).lowercased()
    let name = String(tag.prefix { $0.isLetter || $0.isNumber })
    if ["code", "pre", "kbd", "samp"].contains(name), !tag.hasSuffix("/"),
      let end = find("</\(name)", from: close)
    {
      return advance(to: end)
    }
    return advance(to: close + 1)
  }

  /// A link reference definition's line: `[label]: destination "title"`.
  private func isDefinition(at start: Int) -> Bool {
    var k = start
    var indent = 0
    while k < bytes.count, bytes[k] == UInt8(ascii: " "), indent < 4 {
      k += 1
      indent += 1
    }
    guard byte(k) == UInt8(ascii: "["), let close = matching[k] else { return false }
    return byte(close + 1) == UInt8(ascii: ":")
  }

  // MARK: - Lines and bytes

  /// Whether a line is a code or HTML block's; lines are asked in increasing order.
  private mutating func isVerbatim(_ line: Int) -> Bool {
    while nextVerbatim < verbatim.count, verbatim[nextVerbatim].upperBound < line {
      nextVerbatim += 1
    }
    return nextVerbatim < verbatim.count && verbatim[nextVerbatim].contains(line)
  }

  private mutating func newLine() {
    i += 1
    line += 1
    lineStart = i
  }

  /// Moves to `target`, keeping the line count; returns where it stopped.
  private mutating func advance(to target: Int) -> Int {
    while i < target, i < bytes.count {
      if bytes[i] == UInt8(ascii: "\n") { newLine() } else { i += 1 }
    }
    return i
  }

  private mutating func skipToEndOfLine() {
    while i < bytes.count, bytes[i] != UInt8(ascii: "\n") { i += 1 }
  }

  private func byte(_ k: Int) -> UInt8? { k >= 0 && k < bytes.count ? bytes[k] : nil }

  private func starts(with text: String, at k: Int) -> Bool {
    let pattern = Array(text.utf8)
    return k + pattern.count <= bytes.count && Array(bytes[k..<(k + pattern.count)]) == pattern
  }

  /// The next occurrence of a text; a search that failed is remembered, so repeating it
  /// from a later place costs nothing.
  private mutating func find(_ text: String, from start: Int) -> Int? {
    if let failed = noText[text], start >= failed { return nil }
    let pattern = Array(text.utf8)
    var k = start
    while k + pattern.count <= bytes.count {
      if bytes[k] == pattern[0], Array(bytes[k..<(k + pattern.count)]) == pattern { return k }
      k += 1
    }
    noText[text] = min(noText[text] ?? start, start)
    return nil
  }

  private func isSpace(_ c: UInt8) -> Bool {
    c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\n")
  }

  private func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

  private func isLetter(_ c: UInt8) -> Bool {
    (c | 0x20) >= UInt8(ascii: "a") && (c | 0x20) <= UInt8(ascii: "z")
  }
}
