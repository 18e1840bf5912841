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
    var builder = TreeBuilder(lines: lines, math: math)
    var node = cmark_node_first_child(document)
    while let current = node {
      if blocks.count % 256 == 255, deadline.passed { break }
      var block = convert(current, lines: lines)
      block.tree = builder.events(of: current)
      if case .heading = block.kind { block.headingText = block.tree.plainText }
      blocks.append(block)
      node = cmark_node_next(current)
    }
    return Parse(blocks: blocks, verbatim: verbatimLines(document))
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
    return MarkdownBlock(kind: kind, range: range, headingText: "", tree: [])
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
  /// The next span to meet, and the mask bytes the open one still has.
  var next = 0
  var remaining = 0

  init(lines: [Substring], math: [MathSpan]) {
    self.lines = lines
    self.math = math
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
        events.append(entering ? .enter(container) : .exit(container))
        continue
      }
      guard entering else { continue }
      let literal = MarkdownParser.string(cmark_node_get_literal(node))
      switch type {
      case CMARK_NODE_TEXT:
        text(
          literal, line: Int(cmark_node_get_start_line(node)),
          column: Int(cmark_node_get_start_column(node)), into: &events)
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
        events.append(.leaf(.htmlBlock(literal.replacing("\u{2}", with: "="))))
      case CMARK_NODE_THEMATIC_BREAK: events.append(.leaf(.thematicBreak))
      default: break
      }
    }
    return Self.labelled(events, math: math)
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
    _ literal: String, line: Int, column: Int, into events: inout [MarkdownEvent]
  ) {
    let bytes = Array(literal.utf8)
    let origins =
      lines.indices.contains(line - 1) && column >= 1
      ? Self.origins(of: bytes, in: Array(lines[line - 1].utf8), from: column - 1)
      : [Int?](repeating: nil, count: bytes.count)
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
        piece, at: origins[k].map { SourceLocation(line: line, column: $0 + 1) },
        into: &events)
      k = end
    }
  }

  /// Where each byte of a text node's literal stands in its source line (0-based), `nil`
  /// for the bytes cmark decoded (a backslash escape, an entity): the literal and the
  /// source walked side by side. All `nil` when they do not line up (cmark's inline
  /// positions are off in a few corners: leftover emphasis delimiters, lazy lines).
  static func origins(of literal: [UInt8], in source: [UInt8], from start: Int) -> [Int?] {
    var origins = [Int?](repeating: nil, count: literal.count)
    var i = 0
    var j = start
    func isPunctuation(_ c: UInt8) -> Bool {
      (0x21...0x2F).contains(c) || (0x3A...0x40).contains(c) || (0x5B...0x60).contains(c)
        || (0x7B...0x7E).contains(c)
    }
    while i < literal.count {
      guard j < source.count else { return [Int?](repeating: nil, count: literal.count) }
      let c = source[j]
      if c == UInt8(ascii: "\\"), j + 1 < source.count, isPunctuation(source[j + 1]),
        literal[i] == source[j + 1]
      {
        i += 1
        j += 2
        continue
      }
      if c == UInt8(ascii: "&"),
        let (decoded, end) = entity(in: source, at: j, literal: literal, from: i),
        !literal[i...].starts(with: source[j..<end])
      {
        i += decoded
        j = end
        continue
      }
      guard c == literal[i] else { return [Int?](repeating: nil, count: literal.count) }
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
