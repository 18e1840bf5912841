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
  /// The starts of blank lines: a paragraph ends at the first one after a place.
  private var blankLines = Marks()
  /// Unescaped `$`: the only ones that may close inline math.
  private var inlineClosers = Marks()
  /// Unescaped `$$`, `\)`, `\]`, and every `>`.
  private var displayClosers = Marks()
  private var parenClosers = Marks()
  private var bracketClosers = Marks()
  private var angles = Marks()
  /// Backticks. A code span never starts inside math, so math never runs across one.
  private var backticks = Marks()
  /// Each `[` and `(` that closes within its paragraph, by position, and where it closes.
  private var openers = Marks()
  private var closers: [Int32] = []
  /// Backtick runs of each length known to have no closer before a position.
  private var noBacktickCloser: [Int: Int] = [:]
  /// Searches known to fail before a position (`-->`, `</code`…).
  private var noText: [String: Int] = [:]

  /// Positions of one kind of byte, in order; memory in proportion to how many there
  /// are (a table per position would cost eight bytes a byte of the notebook).
  struct Marks {
    var positions: [Int32] = []

    /// The first position at or after `k`, or `end` when there is none.
    func next(from k: Int, end: Int) -> Int {
      var low = 0
      var high = positions.count
      while low < high {
        let middle = (low + high) / 2
        if Int(positions[middle]) < k { low = middle + 1 } else { high = middle }
      }
      return low < positions.count ? Int(positions[low]) : end
    }

    /// Where `k` stands in the list, if it is there.
    func index(of k: Int) -> Int? {
      var low = 0
      var high = positions.count
      while low < high {
        let middle = (low + high) / 2
        if Int(positions[middle]) < k { low = middle + 1 } else { high = middle }
      }
      return low < positions.count && Int(positions[low]) == k ? low : nil
    }
  }

  /// The scanner of a text's bytes; positions are 32-bit (notebooks are far smaller than
  /// 2 GB: ``FileText`` refuses larger ones).
  init(bytes: [UInt8], verbatim: [ClosedRange<Int>]) {
    self.bytes = bytes
    self.verbatim = verbatim
    if bytes.count < Int(Int32.max) { makeTables() }
  }

  private var n: Int { bytes.count }
  /// The start of the next blank line after `k` (a paragraph's end), or the text's end.
  private func paragraphEnd(_ k: Int) -> Int { blankLines.next(from: k + 1, end: n) }
  private func nextInlineCloser(_ k: Int) -> Int { inlineClosers.next(from: k, end: n) }
  private func nextDisplayCloser(_ k: Int) -> Int { displayClosers.next(from: k, end: n) }
  private func nextParenCloser(_ k: Int) -> Int { parenClosers.next(from: k, end: n) }
  private func nextBracketCloser(_ k: Int) -> Int { bracketClosers.next(from: k, end: n) }
  private func nextAngle(_ k: Int) -> Int { angles.next(from: k, end: n) }
  private func nextBacktick(_ k: Int) -> Int { backticks.next(from: k, end: n) }
  /// The `]` or `)` that closes the `[` or `(` at `k` within its paragraph.
  private func matching(_ k: Int) -> Int? {
    openers.index(of: k).map { Int(closers[$0]) }
  }

  private mutating func makeTables() {
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
    for k in 0..<n {
      let c = bytes[k]
      let at = Int32(k)
      if c == UInt8(ascii: "\n") {
        // Is the line after this break blank?
        var j = k + 1
        while j < n, bytes[j] == UInt8(ascii: " ") || bytes[j] == UInt8(ascii: "\t") { j += 1 }
        if j >= n || bytes[j] == UInt8(ascii: "\n") { blankLines.positions.append(at + 1) }
      }
      if c == UInt8(ascii: "$"), !escaped[k] {
        inlineClosers.positions.append(at)
        if k + 1 < n, bytes[k + 1] == UInt8(ascii: "$") { displayClosers.positions.append(at) }
      }
      if c == 0x5C, !escaped[k], k + 1 < n {
        if bytes[k + 1] == UInt8(ascii: ")") { parenClosers.positions.append(at) }
        if bytes[k + 1] == UInt8(ascii: "]") { bracketClosers.positions.append(at) }
      }
      if c == UInt8(ascii: ">") { angles.positions.append(at) }
      if c == UInt8(ascii: "`") { backticks.positions.append(at) }
    }
    // Brackets and parentheses matched by a stack, reset at each paragraph's end.
    var squares: [Int] = []
    var rounds: [Int] = []
    var pairs: [(open: Int32, close: Int32)] = []
    var blank = 0
    for k in 0..<n {
      // The first blank line after k: a new one starts a new paragraph.
      if blank < blankLines.positions.count, Int(blankLines.positions[blank]) <= k {
        while blank < blankLines.positions.count, Int(blankLines.positions[blank]) <= k {
          blank += 1
        }
        squares.removeAll()
        rounds.removeAll()
      }
      guard !escaped[k] else { continue }
      switch bytes[k] {
      case UInt8(ascii: "["): squares.append(k)
      case UInt8(ascii: "]"):
        if let open = squares.popLast() { pairs.append((Int32(open), Int32(k))) }
      case UInt8(ascii: "("): rounds.append(k)
      case UInt8(ascii: ")"):
        if let open = rounds.popLast() { pairs.append((Int32(open), Int32(k))) }
      default: break
      }
    }
    pairs.sort { $0.open < $1.open }
    openers.positions = pairs.map(\.open)
    closers = pairs.map(\.close)
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
        // An image: its alt text, and its destination and title, are not text.
        guard let close = matching(i + 1) else {
          i += 2
          break
        }
        let end =
          byte(close + 1) == UInt8(ascii: "(") ? (matching(close + 1) ?? close) : close
        i = advance(to: end + 1)
      case UInt8(ascii: "]") where byte(i + 1) == UInt8(ascii: "("):
        i = advance(to: matching(i + 1).map { $0 + 1 } ?? i + 2)
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
    let close = nextDisplayCloser(open + 2)
    guard close < paragraphEnd(open), close > open + 2, close + 2 <= bytes.count,
      nextBacktick(open) > close
    else { return nil }
    return span(open..<(close + 2), display: true, delimiter: 2)
  }

  /// `\(…\)` and `\[…\]`, whose content has a letter or a digit: TeX always does, and
  /// CommonMark's escaped brackets (`\[\\\]`) do not.
  private func backslashed(at open: Int, display: Bool) -> MathSpan? {
    let close = display ? nextBracketCloser(open + 2) : nextParenCloser(open + 2)
    guard close < paragraphEnd(open), close > open + 2, close + 2 <= bytes.count,
      bytes[(open + 2)..<close].contains(where: { isLetter($0) || isDigit($0) })
    else { return nil }
    return span(open..<(close + 2), display: display, delimiter: 2)
  }

  /// `$…$` by Pandoc's rule, across line breaks but not a blank line.
  private func inlineDollar(at open: Int) -> MathSpan? {
    guard let next = byte(open + 1), !isSpace(next) else { return nil }
    let close = nextInlineCloser(open + 1)
    guard close < paragraphEnd(open), close < bytes.count, nextBacktick(open) > close,
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
    let limit = paragraphEnd(start)
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
    let close = nextAngle(start + 1)
    guard close < paragraphEnd(start), close < bytes.count else { return start + 1 }
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
    guard byte(k) == UInt8(ascii: "["), let close = matching(k) else { return false }
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
