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
    writer.placeholder = { [self] placeholder in
      guard let quote = quotes[placeholder.location] else {
        return MarkdownHTML.escape(placeholder.text)
      }
      return escapeHTML(text(of: quote, decimals: placeholder.decimals))
    }
    writer.reference = { [self] use in
      let words = escapeHTML(references.text(for: use))
      return references.targets[use.label].map {
        "<a class=\"xref\" href=\"#\(escapeHTML($0.anchor))\">\(words)</a>"
      } ?? words
    }
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

  /// A span's TeX with its placeholders filled in (marked for KaTeX where blanked).
  private func filledTeX(_ span: MathSpan) -> String {
    var lines = span.tex.split(separator: "\n", omittingEmptySubsequences: false).map {
      Array($0.utf8)
    }
    for index in lines.indices {
      let line = span.start.line + index
      let shift = index == 0 ? span.start.column - 1 + span.delimiterLength : 0
      for placeholder in document.placeholders(in: span).reversed() where placeholder.line == line {
        guard let quote = quotes[placeholder.location] else { continue }
        let range = (placeholder.range.lowerBound - shift)..<(placeholder.range.upperBound - shift)
        guard range.lowerBound >= 0, range.upperBound <= lines[index].count else { continue }
        let number = NumberFormat.value(quote.value, decimals: placeholder.decimals ?? precision)
        lines[index].replaceSubrange(range, with: Array(blanks.markTeX(quote.key, number).utf8))
      }
    }
    return lines.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n")
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
