import Figures
import Notebook
import Runner

/// The HTML of a notebook's prose, from its one parse: each block's HTML as cmark made it
/// (reference links resolved across the whole notebook), with its math put back for
/// KaTeX, its `{{ … }}` filled in, its heading given an id, and pipe tables made tables.
struct ProseHTML {
  let document: Document
  let quotes: [SourceLocation: Quote]
  let blanks: Blanks
  let precision: Int
  let references: CrossReferenceNumbers
  var ids: HeadingIDs
  var toc: [(level: Int, id: String, html: String)] = []

  init(result: RunResult, blanks: Blanks, ids: HeadingIDs, references: CrossReferenceNumbers) {
    document = result.document
    quotes = result.quotes
    self.blanks = blanks
    self.references = references
    precision = result.document.frontMatter.precision
    self.ids = ids
  }

  /// One top-level block of prose as HTML: a walk over its tree (``MarkdownHTML``) with
  /// its math written for KaTeX, its `{{ … }}` filled in, its references linked and, for a
  /// heading, an id.
  mutating func html(_ block: MarkdownBlock) -> String {
    var ids = self.ids
    var toc = self.toc
    let isHeading = if case .heading = block.kind { true } else { false }
    var writer = MarkdownHTML()
    writer.text = { [self] text, at in fill(text, at: at) }
    writer.math = { [self] index, _ in mathHTML(index) }
    writer.headingID = { level, inner in
      guard isHeading else { return nil }
      let id = ids.id(for: inner.visibleText)
      toc.append((level, id, inner))
      return id
    }
    let html: String
    if block.kind == .paragraph, let table = PipeTableTree(block.tree) {
      // The text before the table is a paragraph of its own.
      html =
        (table.before.isEmpty
          ? "" : "<p>" + writer.html(table.before) + "</p>\n")
        + table.html(cell: writer.html)
    } else {
      html = writer.html(block.tree)
    }
    self.ids = ids
    self.toc = toc
    return html
  }

  // MARK: - Math

  /// A math span as KaTeX reads it, its placeholders filled in; a labelled equation gets
  /// its number (`\tag`) and its label as the id.
  private func mathHTML(_ index: Int) -> String {
    guard document.math.indices.contains(index) else { return "" }
    let span = document.math[index]
    guard let (label, number) = references.equations[index] else {
      return Self.mathHTML(tex: filledTeX(span), display: span.display)
    }
    return Self.mathHTML(tex: filledTeX(span) + " \\tag{\(number)}", display: true, id: label)
  }

  static func mathHTML(tex: String, display: Bool, id: String? = nil) -> String {
    let id = id.map { " id=\"\(escapeHTML($0))\"" } ?? ""
    return display
      ? "<span class=\"math display\"\(id)>\\[\(escapeHTML(tex))\\]</span>"
      : "<span class=\"math inline\"\(id)>\\(\(escapeHTML(tex))\\)</span>"
  }

  /// A span's TeX with its placeholders filled in.
  private func filledTeX(_ span: MathSpan) -> String {
    var lines = span.tex.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    for index in lines.indices {
      let line = span.start.line + index
      let column = index == 0 ? span.start.column + span.delimiterLength : 1
      lines[index] = substitute(lines[index], line: line, columnOffset: column - 1, inMath: true)
    }
    return lines.joined(separator: "\n")
  }

  // MARK: - Placeholders

  /// A text of the prose with each placeholder replaced by its value and each reference
  /// (`@fig-surface`) by a link ("Figure 3"); escaped as cmark escapes text. Text whose
  /// place cmark does not know exactly (an escape, an entity) holds neither.
  private func fill(_ text: String, at place: SourceLocation?) -> String {
    guard let place,
      text.utf8.contains(where: { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "@") })
    else { return MarkdownHTML.escape(text) }
    var found: [(range: Range<Int>, html: String)] = []
    for placeholder in References.placeholders(in: text, line: place.line) {
      let location = SourceLocation(
        line: place.line, column: place.column + placeholder.column - 1)
      guard let quote = quotes[location] else { continue }
      found.append(
        (placeholder.range, escapeHTML(self.text(of: quote, decimals: placeholder.decimals))))
    }
    for use in CrossReference.uses(in: text, line: place.line) {
      let words = escapeHTML(references.text(for: use))
      let html =
        references.targets[use.label].map {
          "<a class=\"xref\" href=\"#\(escapeHTML($0.anchor))\">\(words)</a>"
        } ?? words
      found.append((use.range, html))
    }
    guard !found.isEmpty else { return MarkdownHTML.escape(text) }
    let bytes = Array(text.utf8)
    var out = ""
    var cursor = 0
    for item in found.sorted(by: { $0.range.lowerBound < $1.range.lowerBound })
    where item.range.lowerBound >= cursor {
      out += MarkdownHTML.escape(
        String(decoding: bytes[cursor..<item.range.lowerBound], as: UTF8.self))
      out += item.html
      cursor = item.range.upperBound
    }
    return out + MarkdownHTML.escape(String(decoding: bytes[cursor...], as: UTF8.self))
  }

  /// A line with its placeholders replaced (for TeX and table cells).
  func substitute(_ line: String, line number: Int, columnOffset: Int = 0, inMath: Bool = false)
    -> String
  {
    let placeholders = References.placeholders(in: line, line: number)
    guard !placeholders.isEmpty else { return line }
    var bytes = Array(line.utf8)
    for placeholder in placeholders.reversed() {
      let location = SourceLocation(line: number, column: placeholder.column + columnOffset)
      guard let quote = quotes[location] else { continue }
      let number = NumberFormat.value(quote.value, decimals: placeholder.decimals ?? precision)
      let inSpan = inMath || document.mathSpan(covering: location) != nil
      let value = inSpan ? blanks.markTeX(quote.key, number) : blanks.mark(quote.key, number)
      bytes.replaceSubrange(placeholder.range, with: Array(value.utf8))
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  private func text(of quote: Quote, decimals: Int?) -> String {
    blanks.mark(quote.key, NumberFormat.value(quote.value, decimals: decimals ?? precision))
  }
}

extension String {
  /// The text a reader sees in some HTML: tags removed, entities decoded.
  var visibleText: String {
    strippingTags.replacing("\n", with: " ").replacing("&lt;", with: "<").replacing(
      "&gt;", with: ">"
    )
    .replacing("&quot;", with: "\"").replacing("&#39;", with: "'").replacing("&amp;", with: "&")
  }
}
