import Figures
import Notebook
import Runner

/// Unique, readable heading ids: `gradient-descent`, then `gradient-descent-2`.
struct HeadingIDs {
  private var used: [String: Int] = [:]

  mutating func id(for text: String) -> String {
    var slug = ""
    for c in text.lowercased() {
      if c.isLetter || c.isNumber {
        slug.append(c)
      } else if c == " " || c == "-" || c == "_", !slug.isEmpty, slug.last != "-" {
        slug.append("-")
      }
    }
    while slug.hasSuffix("-") { slug.removeLast() }
    if slug.isEmpty { slug = "section" }
    let count = used[slug, default: 0] + 1
    used[slug] = count
    return count == 1 ? slug : "\(slug)-\(count)"
  }
}

/// Math taken out of Markdown before cmark and put back, escaped, for KaTeX after.
enum MathText {
  static func protect(_ markdown: String) -> (String, [MathSpan]) {
    let spans = MathScanner.spans(in: markdown)
    guard !spans.isEmpty else { return (markdown, []) }
    var bytes = Array(markdown.utf8)
    for (index, span) in spans.enumerated().reversed() {
      bytes.replaceSubrange(span.range, with: Array("NBRUNMATH\(index)X".utf8))
    }
    return (String(decoding: bytes, as: UTF8.self), spans)
  }

  static func restore(_ html: String, math: [MathSpan]) -> String {
    guard !math.isEmpty else { return html }
    var out = html
    for (index, span) in math.enumerated().reversed() {
      let tex = escapeHTML(span.tex)
      let replacement =
        span.display
        ? "<span class=\"math display\">\\[\(tex)\\]</span>"
        : "<span class=\"math inline\">\\(\(tex)\\)</span>"
      out = out.replacing("NBRUNMATH\(index)X", with: replacement)
    }
    return out
  }
}

/// An author's pipe table (GitHub's syntax), which plain cmark leaves as a paragraph.
struct PipeTable {
  var header: [String]
  var alignments: [String?]
  var rows: [[String]]

  init?(lines: [String]) {
    guard lines.count >= 2 else { return nil }
    let header = Self.cells(lines[0])
    let delimiters = Self.cells(lines[1])
    guard header.count >= 1, delimiters.count == header.count,
      delimiters.allSatisfy({ cell in
        let core = cell.trimmingCharacters(in: ":")
        return !core.isEmpty && core.allSatisfy { $0 == "-" }
      })
    else { return nil }
    self.header = header
    alignments = delimiters.map { cell in
      switch (cell.hasPrefix(":"), cell.hasSuffix(":")) {
      case (true, true): "center"
      case (false, true): "right"
      case (true, false): "left"
      default: nil
      }
    }
    rows = lines.dropFirst(2).map { Self.cells($0) }
  }

  func html(inline: (String) -> String) -> String {
    func cell(_ tag: String, _ text: String, _ column: Int) -> String {
      let align = alignments.indices.contains(column) ? alignments[column] : nil
      return "<\(tag)\(align.map { " style=\"text-align:\($0)\"" } ?? "")>\(inline(text))</\(tag)>"
    }
    var html = "<div class=\"table-wrap\"><table>\n<thead><tr>"
    html += header.enumerated().map { cell("th", $1, $0) }.joined()
    html += "</tr></thead>\n<tbody>\n"
    for row in rows {
      html +=
        "<tr>"
        + header.indices.map { cell("td", row.indices.contains($0) ? row[$0] : "", $0) }.joined()
        + "</tr>\n"
    }
    return html + "</tbody>\n</table></div>\n"
  }

  /// A row's cells: split at `|` not escaped, outer pipes dropped, cells trimmed.
  static func cells(_ line: String) -> [String] {
    var trimmed = Substring(line.trimmingCharacters(in: " \t"))
    if trimmed.hasPrefix("|") { trimmed = trimmed.dropFirst() }
    if trimmed.hasSuffix("|"), !trimmed.hasSuffix("\\|") { trimmed = trimmed.dropLast() }
    var cells: [String] = []
    var current = ""
    var escaped = false
    for c in trimmed {
      if escaped {
        current.append(c == "|" ? "|" : "\\\(c)")
        escaped = false
      } else if c == "\\" {
        escaped = true
      } else if c == "|" {
        cells.append(current.trimmingCharacters(in: " \t"))
        current = ""
      } else {
        current.append(c)
      }
    }
    cells.append(current.trimmingCharacters(in: " \t"))
    return cells
  }
}

/// Escapes text for HTML element content and attribute values (as XML: `&<>"'`).
func escapeHTML(_ text: String) -> String {
  escapeXML(text)
}

extension String {
  /// The text of some HTML, tags removed.
  var strippingTags: String {
    var out = ""
    var inTag = false
    for c in self {
      if c == "<" {
        inTag = true
      } else if c == ">" {
        inTag = false
      } else if !inTag {
        out.append(c)
      }
    }
    return out
  }

  func trimmingCharacters(in set: String) -> String {
    String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
  }
}
