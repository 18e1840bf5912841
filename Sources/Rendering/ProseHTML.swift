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
  private let body: [UInt8]
  private var mathCursor = 0
  private let definitions: String

  init(result: RunResult, blanks: Blanks, ids: HeadingIDs, references: CrossReferenceNumbers) {
    document = result.document
    quotes = result.quotes
    self.blanks = blanks
    self.references = references
    precision = result.document.frontMatter.precision
    self.ids = ids
    body = Array(result.document.body.utf8)
    definitions = result.document.referenceDefinitions
  }

  /// One top-level block of prose as HTML.
  mutating func html(_ block: MarkdownBlock) -> String {
    let math = spans(in: block.range)
    if block.kind == .paragraph,
      let table = PipeTable.split(lines(of: block), firstLine: block.range.start.line)
    {
      return tableHTML(table)
    }
    var html = restore(
      math, in: fill(MathScanner.unmaskedHTML(block.html), lines: block.range.lines))
    if case .heading(let level) = block.kind {
      html = withID(html, level: level)
    }
    return html
  }

  // MARK: - Headings

  private mutating func withID(_ html: String, level: Int) -> String {
    let open = "<h\(level)>"
    let close = "</h\(level)>"
    guard html.hasPrefix(open), let end = html.range(of: close, options: .backwards) else {
      return html
    }
    let inner = String(html[html.index(html.startIndex, offsetBy: open.count)..<end.lowerBound])
    let id = ids.id(for: inner.visibleText)
    toc.append((level, id, inner))
    return "<h\(level) id=\"\(id)\">" + inner + html[end.lowerBound...]
  }

  // MARK: - Math

  /// The math spans that start in a block's lines, in order, with their indices.
  private mutating func spans(in range: SourceRange) -> [(index: Int, span: MathSpan)] {
    let all = document.math
    while mathCursor < all.count, all[mathCursor].start.line < range.start.line { mathCursor += 1 }
    var found: [(Int, MathSpan)] = []
    while mathCursor < all.count, all[mathCursor].start.line <= range.end.line {
      found.append((mathCursor, all[mathCursor]))
      mathCursor += 1
    }
    return found
  }

  /// Puts each span's TeX back where cmark's HTML holds its masked form, in order; a
  /// labelled equation gets its number (`\tag`) and its label as the id, and the
  /// `{#eq-…}` after it goes.
  private func restore(_ spans: [(index: Int, span: MathSpan)], in html: String) -> String {
    guard !spans.isEmpty else { return html }
    var out = ""
    var rest = Substring(html)
    for (index, span) in spans {
      let masked = MathScanner.maskedForm(span, in: body)
      guard let found = rest.range(of: masked) else { continue }
      out += rest[..<found.lowerBound]
      rest = rest[found.upperBound...]
      guard let (label, number) = references.equations[index] else {
        out += Self.mathHTML(tex: filledTeX(span), display: span.display)
        continue
      }
      out += Self.mathHTML(
        tex: filledTeX(span) + " \\tag{\(number)}", display: true, id: label)
      let spaces = rest.prefix { $0 == " " || $0 == "\t" }
      if rest.dropFirst(spaces.count).hasPrefix("{#\(label)}") {
        rest = rest.dropFirst(spaces.count + label.utf8.count + 3)
      }
    }
    return out + rest
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

  /// The block's HTML with each placeholder of its prose (outside math) replaced by its
  /// value and each reference (`@fig-surface`) by a link ("Figure 3"), in order.
  private func fill(_ html: String, lines: ClosedRange<Int>) -> String {
    var out = ""
    var rest = Substring(html)
    for number in lines where document.lines.indices.contains(number - 1) {
      let line = document.lines[number - 1]
      var found: [(column: Int, text: String, html: String)] = []
      for placeholder in References.placeholders(in: line, line: number) {
        let location = SourceLocation(line: number, column: placeholder.column)
        guard let quote = quotes[location], document.mathSpan(covering: location) == nil else {
          continue
        }
        found.append(
          (
            placeholder.column, placeholder.text,
            escapeHTML(text(of: quote, decimals: placeholder.decimals))
          ))
      }
      if line.utf8.contains(UInt8(ascii: "@")) {
        for use in CrossReference.uses(in: line, line: number)
        where document.mathSpan(covering: use.location) == nil {
          let text = escapeHTML(references.text(for: use))
          let html =
            references.targets[use.label].map {
              "<a class=\"xref\" href=\"#\(escapeHTML($0.anchor))\">\(text)</a>"
            } ?? text
          found.append((use.location.column, use.text, html))
        }
      }
      for item in found.sorted(by: { $0.column < $1.column }) {
        guard let place = rest.range(of: item.text) else { continue }
        out += rest[..<place.lowerBound]
        out += item.html
        rest = rest[place.upperBound...]
      }
    }
    return out + rest
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

  // MARK: - Pipe tables

  /// A block's source lines, placeholders filled in.
  private func lines(of block: MarkdownBlock) -> [String] {
    block.range.lines.compactMap {
      document.lines.indices.contains($0 - 1) ? substitute(document.lines[$0 - 1], line: $0) : nil
    }
  }

  private func tableHTML(_ split: PipeTable.Split) -> String {
    var html = ""
    if !split.before.isEmpty {
      html += inlineHTML(split.before.joined(separator: "\n"), paragraph: true)
    }
    return html + split.table.html { inlineHTML(PipeTable.inline($0), paragraph: false) }
  }

  /// Markdown (placeholders already filled in) as HTML through cmark, its math put back,
  /// with the notebook's reference definitions so that links resolve.
  private func inlineHTML(_ text: String, paragraph: Bool) -> String {
    let spans = MathScanner.spans(in: text)
    var html = MarkdownParser.html(
      of: MathScanner.masked(text, spans: spans) + "\n\n" + definitions)
    let bytes = Array(text.utf8)
    var rest = Substring(html)
    var out = ""
    for span in spans {
      guard let found = rest.range(of: MathScanner.maskedForm(span, in: bytes)) else { continue }
      out += rest[..<found.lowerBound] + Self.mathHTML(tex: span.tex, display: span.display)
      rest = rest[found.upperBound...]
    }
    html = out + rest
    guard !paragraph else { return html }
    if html.hasPrefix("<p>") { html.removeFirst(3) }
    while html.hasSuffix("\n") { html.removeLast() }
    if html.hasSuffix("</p>") { html.removeLast(4) }
    return html
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
