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
  public static func parse(_ text: String, deadline: Deadline = .none) -> Parse {
    guard let document = tree(of: text) else { return Parse(blocks: [], verbatim: []) }
    defer { cmark_node_free(document) }
    var blocks: [MarkdownBlock] = []
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    var node = cmark_node_first_child(document)
    while let current = node {
      if blocks.count % 256 == 255, deadline.passed { break }
      var block = convert(current, lines: lines)
      block.html = render(current)
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

  private static func render(_ node: OpaquePointer) -> String {
    guard let rendered = cmark_render_html(node, CMARK_OPT_UNSAFE) else { return "" }
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
    var headingText = ""
    switch cmark_node_get_type(node) {
    case CMARK_NODE_HEADING:
      kind = .heading(level: Int(cmark_node_get_heading_level(node)))
      headingText = plainText(of: node)
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
    return MarkdownBlock(kind: kind, range: range, headingText: headingText, html: "")
  }

  /// Whether a code block's first line opens a fence (cmark 0.30 has no accessor for it).
  private static func isFence(_ lines: [Substring], line: Int) -> Bool {
    guard lines.indices.contains(line - 1) else { return false }
    let trimmed = lines[line - 1].drop { $0 == " " || $0 == ">" }
    return trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~")
  }

  /// The concatenated text and code literals under a node.
  private static func plainText(of node: OpaquePointer) -> String {
    var text = ""
    guard let iterator = cmark_iter_new(node) else { return "" }
    defer { cmark_iter_free(iterator) }
    while cmark_iter_next(iterator) != CMARK_EVENT_DONE {
      guard let current = cmark_iter_get_node(iterator) else { continue }
      switch cmark_node_get_type(current) {
      case CMARK_NODE_TEXT, CMARK_NODE_CODE: text += string(cmark_node_get_literal(current))
      case CMARK_NODE_SOFTBREAK, CMARK_NODE_LINEBREAK: text += " "
      default: break
      }
    }
    return text
  }

  private static func string(_ pointer: UnsafePointer<CChar>?) -> String {
    pointer.map { String(cString: $0) } ?? ""
  }
}
