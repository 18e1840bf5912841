internal import CCmark

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The module's one door to cmark: parses CommonMark into Swift values and frees cmark's
/// tree before returning.
public enum MarkdownParser {
  /// What one parse of a whole text gives.
  public struct Parse: Sendable {
    /// The top-level blocks, in order, each with cmark's HTML for it.
    public var blocks: [MarkdownBlock]
    /// The lines of every code block and HTML block at any depth (in lists and quotes
    /// too): the places CommonMark has no text, so no math and no placeholders.
    public var verbatim: [ClosedRange<Int>]
    /// How many times cmark parsed the whole text to give this: once, unless masking the
    /// math put some in a code or HTML block.
    public var parses = 1
    /// The regions (runs of top-level blocks) parsed again with their math masked, where
    /// cmark read markup across math.
    public var maskedRegions = 0
  }

  /// Parses a CommonMark text once; cmark's tree is converted and freed before returning.
  /// Should `deadline` pass, the blocks converted so far are returned.
  public static func parse(_ text: String, math: [MathSpan] = [], deadline: Deadline = .none)
    -> Parse
  {
    guard let document = tree(of: text) else { return Parse(blocks: [], verbatim: []) }
    defer { cmark_node_free(document) }
    var blocks: [MarkdownBlock] = []
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    var builder = TreeBuilder(lines: lines, math: math, masked: true)
    var node = cmark_node_first_child(document)
    while let current = node {
      if blocks.count % 256 == 255, deadline.passed { break }
      var block = convert(current, lines: lines)
      block.tree = builder.events(of: current)
      blocks.append(block)
      node = cmark_node_next(current)
    }
    return Parse(blocks: blocks, verbatim: verbatimLines(document))
  }

  /// Parses a text once and finds its math in cmark's own tree: `recognise` gets the lines
  /// of the code and HTML blocks (where there is no math) and gives the math spans; each
  /// span is cut out of the text nodes it covers and becomes a math node.
  ///
  /// Where cmark read markup across a span (a line of math that starts with `+` became a
  /// list item; an emphasis opened outside a span closes inside it), the top-level blocks
  /// it touched are parsed again, alone, with their math masked — every byte of a span,
  /// delimiters included, replaced by U+0001, line breaks kept — and the notebook's link
  /// reference definitions after them, so that the page has the structure the author
  /// meant. ``Parse/parses`` counts the parses. `nil` when masking would put math in a
  /// code or HTML block (it cannot for well-formed math): the caller masks the whole text.
  public static func parseOnce(
    _ text: String, deadline: Deadline = .none,
    recognise: ([ClosedRange<Int>]) -> [MathSpan]
  ) -> (Parse, [MathSpan])? {
    guard let document = tree(of: text) else { return (Parse(blocks: [], verbatim: []), []) }
    defer { cmark_node_free(document) }
    let verbatim = verbatimLines(document)
    let math = recognise(verbatim)
    // Display math over a line of `=` would be read as a heading.
    let underlined = MathScanner.underlined(math, in: text)
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    var nodes: [OpaquePointer] = []
    var node = cmark_node_first_child(document)
    while let current = node {
      nodes.append(current)
      node = cmark_node_next(current)
    }
    // Each block's lines, known before its node is freed.
    let ranges = nodes.map { node in
      let start = Int(cmark_node_get_start_line(node))
      return start...max(start, Int(cmark_node_get_end_line(node)))
    }
    let definitions = definitions(lines: lines, ranges: ranges)
    var parse = Parse(blocks: [], verbatim: verbatim)
    var builder = TreeBuilder(lines: lines, math: math, masked: false)
    var index = 0
    while index < nodes.count {
      if parse.blocks.count % 256 == 255, deadline.passed { break }
      let before = builder
      var block = convert(nodes[index], lines: lines)
      block.tree = builder.events(of: nodes[index])
      if builder.clean, builder.inside == nil,
        !(before.next..<builder.next).contains(where: underlined.contains)
      {
        parse.blocks.append(block)
        // A converted block's nodes are freed at once: the tree and its values are never
        // both held whole.
        cmark_node_free(nodes[index])
        index += 1
        continue
      }
      // The blocks the troubled spans touch, and the spans that start in them.
      var last = index
      var end = ranges[index].upperBound
      var spans = before.next
      while true {
        while spans < math.count, math[spans].start.line <= end {
          end = max(end, math[spans].endLine)
          spans += 1
        }
        // The next block joins the region when masking may carry the region's last block
        // into it: it starts on the next line (a paragraph goes on), or it is a list or
        // indented (a list item goes on after a blank line).
        guard last + 1 < nodes.count else { break }
        let following = nodes[last + 1]
        guard
          ranges[last + 1].lowerBound <= end + 1
            || cmark_node_get_type(following) == CMARK_NODE_LIST
            || cmark_node_get_start_column(following) > 1
        else { break }
        last += 1
        end = max(end, ranges[last].upperBound)
      }
      let first = ranges[index].lowerBound
      guard
        let region = masked(
          lines: lines,
          offset: builder.lineStarts.indices.contains(first - 1)
            ? builder.lineStarts[first - 1] : 0, first: first, last: end,
          math: math, spans: before.next..<spans,
          definitions: definitions)
      else { return nil }
      parse.blocks += region
      parse.maskedRegions += 1
      builder = TreeBuilder(lines: lines, math: math, masked: false)
      builder.next = spans
      index = last + 1
    }
    guard builder.next == math.count || deadline.passed else { return nil }
    return (parse, math)
  }

  /// Lines `first...last` parsed alone with the math of `spans` masked, their blocks
  /// placed at those lines; `nil` when a span would fall in a code or HTML block.
  private static func masked(
    lines: [Substring], offset: Int, first: Int, last: Int, math: [MathSpan], spans: Range<Int>,
    definitions: String
  ) -> [MarkdownBlock]? {
    guard first >= 1, last <= lines.count, first <= last else { return nil }
    let region = lines[(first - 1)..<last].joined(separator: "\n")
    // A span that starts before the region (where cmark has no block) or runs past it
    // is the whole text's to mask.
    guard
      math[spans].allSatisfy({
        $0.range.lowerBound >= offset && $0.range.upperBound <= offset + region.utf8.count
      })
    else { return nil }
    let shifted = math[spans].map { span in
      var span = span
      span.range = (span.range.lowerBound - offset)..<(span.range.upperBound - offset)
      span.start.line -= first - 1
      return span
    }
    // The definitions after a blank line, so that links resolve; nothing else after the
    // region, so that its blocks end where they end in the whole text.
    let text =
      MathScanner.masked(region, spans: shifted)
      + (definitions.isEmpty ? "\n" : "\n\n" + definitions + "\n")
    guard let document = tree(of: text) else { return nil }
    defer { cmark_node_free(document) }
    let regionLines = text.split(separator: "\n", omittingEmptySubsequences: false)
    if shifted.contains(where: { verbatimLines(document).covers($0.start.line) }) { return nil }
    var builder = TreeBuilder(
      lines: regionLines, math: math, masked: true, lineOffset: first - 1)
    builder.next = spans.lowerBound
    var blocks: [MarkdownBlock] = []
    var node = cmark_node_first_child(document)
    while let current = node {
      guard Int(cmark_node_get_start_line(current)) <= last - first + 1 else { break }
      var block = convert(current, lines: regionLines)
      block.range = block.range.shifted(lines: first - 1)
      block.tree = builder.events(of: current)
      blocks.append(block)
      node = cmark_node_next(current)
    }
    return blocks
  }

  /// The text's link reference definitions: the lines no top-level block covers that are
  /// not blank.
  private static func definitions(
    lines: [Substring], ranges: [ClosedRange<Int>]
  ) -> String {
    var covered = [Bool](repeating: false, count: lines.count + 2)
    for range in ranges {
      for line in range where line < covered.count { covered[line] = true }
    }
    return lines.enumerated().filter { index, text in
      !covered[index + 1] && !text.allSatisfy(\.isWhitespace)
    }.map(\.element).joined(separator: "\n")
  }

  /// The lines of every code and HTML block of a text, at any depth: what a parse's
  /// ``Parse/verbatim`` holds, without converting (or rendering) its blocks.
  public static func verbatim(of text: String) -> [ClosedRange<Int>] {
    guard let document = tree(of: text) else { return [] }
    defer { cmark_node_free(document) }
    return verbatimLines(document)
  }

  /// cmark's tree of a text, with source positions; the caller frees it.
  private static func tree(of text: String) -> OpaquePointer? {
    var text = text
    return text.withUTF8 { bytes in
      bytes.withMemoryRebound(to: CChar.self) { chars in
        cmark_parse_document(chars.baseAddress, chars.count, CMARK_OPT_SOURCEPOS | CMARK_OPT_UNSAFE)
      }
    }
  }

  /// The top-level blocks of a CommonMark text, in order.
  public static func blocks(of text: String) -> [MarkdownBlock] { parse(text).blocks }

  /// cmark's HTML for a CommonMark fragment (raw HTML kept, as the author wrote it).
  public static func html(of text: String) -> String {
    let bytes = Array(text.utf8)
    guard
      let rendered = bytes.withUnsafeBufferPointer({ buffer in
        buffer.withMemoryRebound(to: CChar.self) { chars in
          cmark_markdown_to_html(chars.baseAddress, chars.count, CMARK_OPT_UNSAFE)
        }
      })
    else { return "" }
    defer { free(rendered) }
    return String(cString: rendered)
  }

  /// The line ranges of code and HTML blocks anywhere in the tree.
  private static func verbatimLines(_ document: OpaquePointer) -> [ClosedRange<Int>] {
    var ranges: [ClosedRange<Int>] = []
    guard let iterator = cmark_iter_new(document) else { return [] }
    defer { cmark_iter_free(iterator) }
    while cmark_iter_next(iterator) != CMARK_EVENT_DONE {
      guard cmark_iter_get_event_type(iterator) == CMARK_EVENT_ENTER,
        let node = cmark_iter_get_node(iterator)
      else { continue }
      let type = cmark_node_get_type(node)
      guard type == CMARK_NODE_CODE_BLOCK || type == CMARK_NODE_HTML_BLOCK else { continue }
      let start = Int(cmark_node_get_start_line(node))
      let end = max(start, Int(cmark_node_get_end_line(node)))
      ranges.append(start...end)
    }
    return ranges
  }

  private static func convert(_ node: OpaquePointer, lines: [Substring]) -> MarkdownBlock {
    let range = SourceRange(
      start: SourceLocation(
        line: Int(cmark_node_get_start_line(node)), column: Int(cmark_node_get_start_column(node))),
      end: SourceLocation(
        line: Int(cmark_node_get_end_line(node)), column: Int(cmark_node_get_end_column(node))))
    let kind: MarkdownBlock.Kind
    switch cmark_node_get_type(node) {
    case CMARK_NODE_HEADING:
      kind = .heading(level: Int(cmark_node_get_heading_level(node)))
    case CMARK_NODE_PARAGRAPH: kind = .paragraph
    case CMARK_NODE_CODE_BLOCK:
      kind = .codeBlock(
        info: string(cmark_node_get_fence_info(node)),
        literal: string(cmark_node_get_literal(node)),
        fenced: isFence(lines, line: range.start.line))
    case CMARK_NODE_HTML_BLOCK: kind = .htmlBlock
    case CMARK_NODE_BLOCK_QUOTE: kind = .blockQuote
    case CMARK_NODE_LIST: kind = .list
    case CMARK_NODE_THEMATIC_BREAK: kind = .thematicBreak
    default: kind = .other(string(cmark_node_get_type_string(node)))
    }
    return MarkdownBlock(kind: kind, range: range, tree: [])
  }

  /// Whether a code block's first line opens a fence (cmark 0.30 has no accessor for it).
  private static func isFence(_ lines: [Substring], line: Int) -> Bool {
    guard lines.indices.contains(line - 1) else { return false }
    let trimmed = lines[line - 1].drop { $0 == " " || $0 == ">" }
    return trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~")
  }

  fileprivate static func string(_ pointer: UnsafePointer<CChar>?) -> String {
    pointer.map { String(cString: $0) } ?? ""
  }
}

/// Converts cmark's nodes into ``MarkdownEvent``s with cmark's own iterator (no recursion),
/// recognising the masked math: each run of mask bytes is part of the next span of `math`,
/// in order, and a span spread over lines swallows the line breaks between its runs.
private struct TreeBuilder {
  let lines: [Substring]
  let math: [MathSpan]
  /// Whether the text was parsed with its math masked (math comes as runs of mask bytes);
  /// otherwise each span is cut from the text nodes by its range.
  let masked: Bool
  /// The offset of each line's first byte in the text.
  let lineStarts: [Int]
  /// The next span to meet, and (masked) the mask bytes the open one still has.
  var next = 0
  var remaining = 0
  /// Unmasked: the end of the span being cut, the containers opened inside it, and
  /// whether every span so far lay within the text of one block.
  var inside: Int?
  var depth = 0
  private(set) var clean = true

  /// The bytes of the line last asked for: a line's text nodes share one copy.
  private var cachedLine = 0
  private var cachedBytes: [UInt8] = []

  private mutating func lineBytes(_ line: Int) -> [UInt8] {
    if line != cachedLine {
      cachedLine = line
      cachedBytes = Array(lines[line - 1].utf8)
    }
    return cachedBytes
  }

  /// Lines before the parsed text (a region parsed alone): added to every place.
  let lineOffset: Int

  init(lines: [Substring], math: [MathSpan], masked: Bool, lineOffset: Int = 0) {
    self.lines = lines
    self.math = math
    self.masked = masked
    self.lineOffset = lineOffset
    var starts: [Int] = []
    starts.reserveCapacity(lines.count)
    var offset = 0
    for line in lines {
      starts.append(offset)
      offset += line.utf8.count + 1
    }
    lineStarts = starts
  }

  mutating func events(of root: OpaquePointer) -> [MarkdownEvent] {
    var events: [MarkdownEvent] = []
    guard let iterator = cmark_iter_new(root) else { return [] }
    defer { cmark_iter_free(iterator) }
    while true {
      let event = cmark_iter_next(iterator)
      guard event != CMARK_EVENT_DONE, let node = cmark_iter_get_node(iterator) else { break }
      let entering = event == CMARK_EVENT_ENTER
      let type = cmark_node_get_type(node)
      if let container = container(node, type) {
        if inside != nil {
          // Markup wholly inside a span is the span's; markup across its edge is not clean.
          depth += entering ? 1 : -1
          if depth < 0 { clean = false }
          continue
        }
        events.append(entering ? .enter(container) : .exit(container))
        continue
      }
      guard entering else { continue }
      if let end = inside, type != CMARK_NODE_TEXT {
        switch type {
        case CMARK_NODE_SOFTBREAK, CMARK_NODE_LINEBREAK, CMARK_NODE_CODE, CMARK_NODE_HTML_INLINE:
          // Wholly inside the span, or cmark read markup across its edge.
          let line = Int(cmark_node_get_end_line(node))
          if lineStarts.indices.contains(line - 1),
            lineStarts[line - 1] + Int(cmark_node_get_end_column(node)) > end
          {
            clean = false
          }
          continue
        default:
          clean = false
          continue
        }
      }
      let literal = MarkdownParser.string(cmark_node_get_literal(node))
      switch type {
      case CMARK_NODE_TEXT:
        text(
          literal, line: Int(cmark_node_get_start_line(node)),
          column: Int(cmark_node_get_start_column(node)),
          endLine: Int(cmark_node_get_end_line(node)), into: &events)
      case CMARK_NODE_SOFTBREAK: if remaining == 0 { events.append(.leaf(.softBreak)) }
      case CMARK_NODE_LINEBREAK: if remaining == 0 { events.append(.leaf(.lineBreak)) }
      case CMARK_NODE_CODE: events.append(.leaf(.code(literal)))
      case CMARK_NODE_HTML_INLINE: events.append(.leaf(.html(literal)))
      case CMARK_NODE_CODE_BLOCK:
        events.append(
          .leaf(
            .codeBlock(
              info: MarkdownParser.string(cmark_node_get_fence_info(node)), literal: literal)))
      case CMARK_NODE_HTML_BLOCK:
        events.append(
          .leaf(
            .htmlBlock(
              literal.replacing("\u{2}", with: "="),
              line: Int(cmark_node_get_start_line(node)) + lineOffset)))
      case CMARK_NODE_THEMATIC_BREAK: events.append(.leaf(.thematicBreak))
      default: break
      }
    }
    // A span still open at the end of a block crosses blocks.
    if inside != nil { clean = false }
    if !masked, !Self.standsApart(events) { clean = false }
    return Self.recognised(Self.labelled(events, math: math))
  }

  private func container(_ node: OpaquePointer, _ type: cmark_node_type) -> MarkdownContainer? {
    switch type {
    case CMARK_NODE_PARAGRAPH: .paragraph
    case CMARK_NODE_HEADING: .heading(level: Int(cmark_node_get_heading_level(node)))
    case CMARK_NODE_BLOCK_QUOTE: .blockQuote
    case CMARK_NODE_LIST:
      .list(
        MarkdownList(
          ordered: cmark_node_get_list_type(node) == CMARK_ORDERED_LIST,
          start: Int(cmark_node_get_list_start(node)), tight: cmark_node_get_list_tight(node) != 0
        ))
    case CMARK_NODE_ITEM: .item
    case CMARK_NODE_EMPH: .emphasis
    case CMARK_NODE_STRONG: .strong
    case CMARK_NODE_LINK:
      .link(
        destination: MarkdownParser.string(cmark_node_get_url(node)),
        title: MarkdownParser.string(cmark_node_get_title(node)))
    case CMARK_NODE_IMAGE:
      .image(
        destination: MarkdownParser.string(cmark_node_get_url(node)),
        title: MarkdownParser.string(cmark_node_get_title(node)))
    default: nil
    }
  }

  /// A text node: its plain runs and its math, in order.
  private mutating func text(
    _ literal: String, line: Int, column: Int, endLine: Int, into events: inout [MarkdownEvent]
  ) {
    let bytes = Array(literal.utf8)
    var decoded = [Int?](repeating: nil, count: bytes.count)
    let origins =
      lines.indices.contains(line - 1) && column >= 1
      ? Self.origins(
        of: bytes, in: lineBytes(line), from: column - 1, decoded: &decoded)
      : decoded
    guard masked else {
      unmaskedText(
        bytes, origins: origins, decoded: decoded, line: line, column: column, endLine: endLine,
        into: &events)
      return
    }
    var k = 0
    while k < bytes.count {
      if bytes[k] == MathScanner.mask {
        var end = k
        while end < bytes.count, bytes[end] == MathScanner.mask { end += 1 }
        consumeMath(end - k, into: &events)
        k = end
        continue
      }
      // A run copied from the source side by side, or a run cmark decoded.
      var end = k + 1
      if let origin = origins[k] {
        while end < bytes.count, bytes[end] != MathScanner.mask,
          origins[end] == origin + (end - k)
        {
          end += 1
        }
      } else {
        while end < bytes.count, bytes[end] != MathScanner.mask, origins[end] == nil { end += 1 }
      }
      let piece = String(decoding: bytes[k..<end], as: UTF8.self).replacing("\u{2}", with: "=")
      append(
        piece, at: origins[k].map { SourceLocation(line: line + lineOffset, column: $0 + 1) },
        into: &events)
      k = end
    }
  }

  /// Where each byte of a text node's literal stands in its source line (0-based), `nil`
  /// for the bytes cmark decoded (a backslash escape, an entity): the literal and the
  /// source walked side by side. All `nil` when they do not line up (cmark's inline
  /// positions are off in a few corners: leftover emphasis delimiters, lazy lines).
  static func origins(of literal: [UInt8], in source: [UInt8], from start: Int) -> [Int?] {
    var decoded: [Int?] = []
    return origins(of: literal, in: source, from: start, decoded: &decoded)
  }

  /// ``origins(of:in:from:)``, and in `decoded` where each decoded byte's escape or
  /// entity starts.
  static func origins(
    of literal: [UInt8], in source: [UInt8], from start: Int, decoded: inout [Int?]
  ) -> [Int?] {
    var origins = [Int?](repeating: nil, count: literal.count)
    decoded = origins
    var i = 0
    var j = start
    func isPunctuation(_ c: UInt8) -> Bool {
      (0x21...0x2F).contains(c) || (0x3A...0x40).contains(c) || (0x5B...0x60).contains(c)
        || (0x7B...0x7E).contains(c)
    }
    while i < literal.count {
      guard j < source.count else {
        decoded = [Int?](repeating: nil, count: literal.count)
        return decoded
      }
      let c = source[j]
      if c == UInt8(ascii: "\\"), j + 1 < source.count, isPunctuation(source[j + 1]),
        literal[i] == source[j + 1]
      {
        decoded[i] = j
        i += 1
        j += 2
        continue
      }
      if c == UInt8(ascii: "&"),
        let (length, end) = entity(in: source, at: j, literal: literal, from: i),
        !literal[i...].starts(with: source[j..<end])
      {
        for k in i..<(i + length) { decoded[k] = j }
        i += length
        j = end
        continue
      }
      guard c == literal[i] else {
        decoded = [Int?](repeating: nil, count: literal.count)
        return decoded
      }
      origins[i] = j
      i += 1
      j += 1
    }
    return origins
  }

  /// An entity at `j` (`&amp;`, `&#123;`, `&#x1F;`): how many literal bytes it decoded to
  /// (those up to the byte the source has after the `;`) and where it ends.
  private static func entity(in source: [UInt8], at j: Int, literal: [UInt8], from i: Int) -> (
    Int, Int
  )? {
    var k = j + 1
    while k < source.count, k - j <= 33,
      (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(source[k] | 0x20)
        || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(source[k])
        || source[k] == UInt8(ascii: "#")
    {
      k += 1
    }
    guard k < source.count, source[k] == UInt8(ascii: ";"), k > j + 1 else { return nil }
    let end = k + 1
    // A decoded character is one to four bytes (two characters at most, eight bytes);
    // it is the shortest that lets the literal go on as the source does.
    for length in 1...8 where i + length <= literal.count {
      let next = i + length
      if next == literal.count || (end < source.count && literal[next] == source[end])
        || (end < source.count && source[end] == UInt8(ascii: "\\"))
        || (end < source.count && source[end] == UInt8(ascii: "&"))
      {
        return (length, end)
      }
    }
    return nil
  }

  /// A text node of the unmasked parse: its bytes outside math as text, each span that
  /// starts in it as a math node (what follows, up to the span's end, is left out). A span
  /// must start and end in bytes the author wrote here (not in a decoded escape).
  private mutating func unmaskedText(
    _ bytes: [UInt8], origins: [Int?], decoded: [Int?], line: Int, column: Int, endLine: Int,
    into events: inout [MarkdownEvent]
  ) {
    guard lineStarts.indices.contains(line - 1) else { return }
    let base = lineStarts[line - 1]
    // The node's extent in the text, for a node whose bytes did not line up.
    let nodeStart = base + max(0, column - 1)
    let lineEnd = lineStarts.indices.contains(endLine) ? lineStarts[endLine] : Int.max
    let aligned = bytes.isEmpty || origins.contains { $0 != nil }
    // Text whose bytes do not line up with the source cannot be cut at a span's edge.
    if !aligned, inside != nil { clean = false }
    var k = 0
    while k < bytes.count {
      // Where this byte stands (exact bytes only; a decoded byte stands between them).
      let offset = origins[k].map { base + $0 }
      if let end = inside {
        guard let position = offset ?? decoded[k].map({ base + $0 }) else {
          k += 1
          continue
        }
        if position < end {
          k += 1
          continue
        }
        // The span ends here.
        inside = nil
        if depth != 0 { clean = false }
        depth = 0
        continue
      }
      if math.indices.contains(next) {
        let span = math[next]
        if let offset, offset == span.range.lowerBound {
          events.append(.leaf(.math(index: next, label: nil)))
          next += 1
          inside = span.range.upperBound
          depth = 0
          continue
        }
        // A span that was passed by (it starts where there is no text the author wrote),
        // or that may start in a node whose bytes did not line up with the source.
        if (offset.map { $0 > span.range.lowerBound } ?? false)
          || (!aligned && span.range.lowerBound < lineEnd && span.range.lowerBound >= nodeStart)
        {
          clean = false
          return
        }
      }
      // Plain text up to the next span's start.
      var end = k + 1
      let stop = math.indices.contains(next) ? math[next].range.lowerBound - base : Int.max
      if let origin = origins[k] {
        while end < bytes.count, origins[end] == origin + (end - k), origin + (end - k) < stop {
          end += 1
        }
      } else {
        while end < bytes.count, origins[end] == nil { end += 1 }
      }
      append(
        String(decoding: bytes[k..<end], as: UTF8.self),
        at: origins[k].map { SourceLocation(line: line, column: $0 + 1) }, into: &events)
      k = end
    }
    // A span that ends exactly at the node's end closes at the next exact byte; one that
    // ends past the node's last byte goes on into the next node.
    if let end = inside, let last = origins.last ?? nil, base + last + 1 >= end {
      inside = nil
      if depth != 0 { clean = false }
      depth = 0
    }
  }

  /// Takes `count` mask bytes: the rest of the open span, then the next ones.
  private mutating func consumeMath(_ count: Int, into events: inout [MarkdownEvent]) {
    var count = count
    while count > 0 {
      if remaining == 0 {
        guard math.indices.contains(next) else { return }
        let span = math[next]
        remaining = max(1, span.range.count - span.tex.utf8.count(where: { $0 == 0x0A }))
        next += 1
      }
      let taken = min(count, remaining)
      remaining -= taken
      count -= taken
      if remaining == 0 { events.append(.leaf(.math(index: next - 1, label: nil))) }
    }
  }

  /// Appends text, joined to the text just before it when the two stand side by side in
  /// the source (cmark splits text at every character that might start markup, so a
  /// `{{ hk.grad_w14 }}` comes in three pieces); text cmark decoded (an escape, an entity)
  /// stays a leaf of its own, without a place.
  private mutating func append(
    _ piece: String, at location: SourceLocation?, into events: inout [MarkdownEvent]
  ) {
    guard !piece.isEmpty else { return }
    if case .leaf(.text(let before, let place?))? = events.last, let location,
      place.line == location.line, place.column + before.utf8.count == location.column
    {
      events[events.count - 1] = .leaf(.text(before + piece, at: place))
    } else {
      events.append(.leaf(.text(piece, at: location)))
    }
  }

  /// The placeholders (`{{ hk.O6 }}`) and references (`@fig-surface`) in text the author
  /// wrote (text with a place), each a leaf of its own.
  static func recognised(_ events: [MarkdownEvent]) -> [MarkdownEvent] {
    var out: [MarkdownEvent] = []
    out.reserveCapacity(events.count)
    for event in events {
      guard case .leaf(.text(let text, let place?)) = event,
        text.utf8.contains(where: { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "@") })
      else {
        out.append(event)
        continue
      }
      let shift = place.column - 1
      var found: [(range: Range<Int>, leaf: MarkdownLeaf)] = []
      for placeholder in Placeholder.scan(text, line: place.line) {
        found.append((placeholder.range, .placeholder(placeholder.shifted(by: shift))))
      }
      for use in CrossReference.uses(in: text, line: place.line) {
        found.append((use.range, .reference(use.shifted(by: shift))))
      }
      guard !found.isEmpty else {
        out.append(event)
        continue
      }
      let bytes = Array(text.utf8)
      var cursor = 0
      for item in found.sorted(by: { $0.range.lowerBound < $1.range.lowerBound })
      where item.range.lowerBound >= cursor {
        if item.range.lowerBound > cursor {
          out.append(
            .leaf(
              .text(
                String(decoding: bytes[cursor..<item.range.lowerBound], as: UTF8.self),
                at: SourceLocation(line: place.line, column: place.column + cursor))))
        }
        out.append(.leaf(item.leaf))
        cursor = item.range.upperBound
      }
      if cursor < bytes.count {
        out.append(
          .leaf(
            .text(
              String(decoding: bytes[cursor...], as: UTF8.self),
              at: SourceLocation(line: place.line, column: place.column + cursor))))
      }
    }
    return out
  }

  /// Whether no emphasis delimiter touches a math node: cmark decides whether a `*` or
  /// `_` opens or closes by the characters beside it, and a span's `$` reads differently
  /// from the span the masked parse sees, so such a block is parsed again, masked.
  static func standsApart(_ events: [MarkdownEvent]) -> Bool {
    func touches(_ event: MarkdownEvent, after: Bool) -> Bool {
      switch event {
      case .enter(.emphasis), .enter(.strong), .exit(.emphasis), .exit(.strong): return true
      case .leaf(.text(let text, _)):
        let edge = after ? text.utf8.first : text.utf8.last
        return edge == UInt8(ascii: "*") || edge == UInt8(ascii: "_")
      default: return false
      }
    }
    for (index, event) in events.enumerated() {
      guard case .leaf(.math) = event else { continue }
      if index > 0, touches(events[index - 1], after: false) { return false }
      if index + 1 < events.count, touches(events[index + 1], after: true) { return false }
    }
    return true
  }

  /// A display equation followed by `{#eq-…}` takes the label; the label leaves the text.
  static func labelled(_ events: [MarkdownEvent], math: [MathSpan]) -> [MarkdownEvent] {
    var events = events
    for index in events.indices.dropLast() {
      guard case .leaf(.math(let span, nil)) = events[index], math.indices.contains(span),
        math[span].display, case .leaf(.text(let text, let at)) = events[index + 1]
      else { continue }
      let bytes = Array(text.utf8)
      var k = 0
      while k < bytes.count, bytes[k] == UInt8(ascii: " ") || bytes[k] == UInt8(ascii: "\t") {
        k += 1
      }
      guard bytes[k...].starts(with: Array("{#".utf8)) else { continue }
      var end = k + 2
      while end < bytes.count, bytes[end] != UInt8(ascii: "}"), bytes[end] != UInt8(ascii: " ") {
        end += 1
      }
      guard end < bytes.count, bytes[end] == UInt8(ascii: "}") else { continue }
      let label = String(decoding: bytes[(k + 2)..<end], as: UTF8.self)
      guard CrossReference.kind(of: label) == .equation else { continue }
      events[index] = .leaf(.math(index: span, label: label))
      let rest = String(decoding: bytes[(end + 1)...], as: UTF8.self)
      events[index + 1] = .leaf(
        .text(rest, at: at.map { SourceLocation(line: $0.line, column: $0.column + end + 1) }))
    }
    return events.filter { !Self.isEmptyText($0) }
  }

  private static func isEmptyText(_ event: MarkdownEvent) -> Bool {
    if case .leaf(.text(let text, _)) = event { return text.isEmpty }
    return false
  }
}
