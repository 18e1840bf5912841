import Foundation
import Notebook

/// An author's pipe table found in a paragraph's tree (plain cmark leaves tables as
/// paragraphs), by GitHub's rules: a header line and a delimiter line with the same number
/// of cells (each at least one `-`, colons for alignment, indented less than four spaces),
/// each with a `|`; then one row per line. A table may interrupt a paragraph. Lines are
/// the paragraph's top-level line breaks; cells are cut at the `|` of the text the author
/// wrote (an escaped `\|` is text cmark decoded, so a pipe in a cell), never inside a code
/// span, a link, emphasis or math. No text is parsed again.
struct PipeTableTree {
  /// The paragraph's lines before the table, with the breaks between them.
  var before: [MarkdownEvent]
  var header: [[MarkdownEvent]]
  var alignments: [String?]
  var rows: [[[MarkdownEvent]]]

  /// The table in a paragraph's events, or `nil`.
  init?(_ events: [MarkdownEvent]) {
    // The inlines between `enter(.paragraph)` and its exit, cut at top-level breaks.
    guard events.first == .enter(.paragraph), events.last == .exit(.paragraph) else {
      return nil
    }
    let inlines = events.dropFirst().dropLast()
    var lines: [[MarkdownEvent]] = [[]]
    var breaks: [MarkdownEvent] = []
    var depth = 0
    for event in inlines {
      switch event {
      case .enter: depth += 1
      case .exit: depth -= 1
      case .leaf(.softBreak), .leaf(.lineBreak):
        if depth == 0 {
          lines.append([])
          breaks.append(event)
          continue
        }
      default: break
      }
      lines[lines.count - 1].append(event)
    }
    guard lines.count >= 2,
      lines.contains(where: { $0.contains(where: Self.hasAuthoredPipe) })
    else { return nil }
    for h in 0..<(lines.count - 1) {
      guard let delimiters = Self.delimiterCells(lines[h + 1]) else { continue }
      let header = Self.cells(lines[h])
      guard let header, header.count == delimiters.count else { continue }
      alignments = delimiters.map { cell -> String? in
        switch (cell.hasPrefix(":"), cell.hasSuffix(":")) {
        case (true, true): "center"
        case (false, true): "right"
        case (true, false): "left"
        default: nil
        }
      }
      self.header = header
      rows = lines.dropFirst(h + 2).map { Self.cells($0, requirePipe: false) ?? [] }
      before = []
      for index in 0..<h {
        before += lines[index]
        if index < h - 1 { before.append(breaks[index]) }
      }
      return
    }
    return nil
  }

  private static func hasAuthoredPipe(_ event: MarkdownEvent) -> Bool {
    if case .leaf(.text(let text, _?)) = event { return text.utf8.contains(UInt8(ascii: "|")) }
    return false
  }

  /// A delimiter line's cells (`---`, `:--:`), or `nil` when the line is not one: text
  /// only, of `|`, `:`, `-` and spaces, indented less than four spaces.
  private static func delimiterCells(_ line: [MarkdownEvent]) -> [String]? {
    var text = ""
    var indent = 0
    for (index, event) in line.enumerated() {
      guard case .leaf(.text(let piece, let at)) = event else { return nil }
      if index == 0, let at { indent = at.column - 1 }
      text += piece
    }
    guard indent < 4, text.contains("-"), text.contains("|"),
      text.allSatisfy({ "|:- \t".contains($0) })
    else { return nil }
    var trimmed = Substring(text.trimmingCharacters(in: " \t"))
    if trimmed.hasPrefix("|") { trimmed = trimmed.dropFirst() }
    if trimmed.hasSuffix("|") { trimmed = trimmed.dropLast() }
    let cells = trimmed.split(separator: "|", omittingEmptySubsequences: false).map {
      String($0).trimmingCharacters(in: " \t")
    }
    guard
      cells.allSatisfy({ cell in
        let core = cell.trimmingCharacters(in: ":")
        return !core.isEmpty && core.allSatisfy { $0 == "-" }
      })
    else { return nil }
    return cells
  }

  /// A line's cells: cut at the authored `|` of its top-level text, outer pipes dropped,
  /// each cell's outer spaces trimmed; `nil` when `requirePipe` and the line has none.
  static func cells(_ line: [MarkdownEvent], requirePipe: Bool = true) -> [[MarkdownEvent]]? {
    var cells: [[MarkdownEvent]] = [[]]
    var depth = 0
    var sawPipe = false
    for event in line {
      switch event {
      case .enter: depth += 1
      case .exit: depth -= 1
      case .leaf(.text(let text, let at?)) where depth == 0 && text.contains("|"):
        var pieces: [Substring] = []
        var start = text.startIndex
        for index in text.indices where text[index] == "|" {
          pieces.append(text[start..<index])
          start = text.index(after: index)
        }
        pieces.append(text[start...])
        var column = at.column
        for (index, piece) in pieces.enumerated() {
          if index > 0 {
            cells.append([])
            sawPipe = true
          }
          if !piece.isEmpty {
            cells[cells.count - 1].append(
              .leaf(.text(String(piece), at: SourceLocation(line: at.line, column: column))))
          }
          column += piece.utf8.count + 1
        }
        continue
      default: break
      }
      cells[cells.count - 1].append(event)
    }
    guard sawPipe || !requirePipe else { return nil }
    var trimmed = cells.map(trim)
    // Outer pipes: an empty first cell before a leading `|`, an empty last after a
    // trailing one.
    if trimmed.count > 1, trimmed.first?.isEmpty == true { trimmed.removeFirst() }
    if trimmed.count > 1, trimmed.last?.isEmpty == true, endsWithPipe(line) { trimmed.removeLast() }
    return trimmed
  }

  private static func endsWithPipe(_ line: [MarkdownEvent]) -> Bool {
    guard case .leaf(.text(let text, _?))? = line.last else { return false }
    return text.trimmingCharacters(in: " \t").hasSuffix("|")
  }

  /// A cell without the spaces around it.
  private static func trim(_ cell: [MarkdownEvent]) -> [MarkdownEvent] {
    var cell = cell
    if case .leaf(.text(let text, let at))? = cell.first {
      let kept = text.drop { $0 == " " || $0 == "\t" }
      let dropped = text.utf8.count - kept.utf8.count
      cell[0] = .leaf(
        .text(
          String(kept), at: at.map { SourceLocation(line: $0.line, column: $0.column + dropped) }))
    }
    if case .leaf(.text(let text, let at))? = cell.last {
      var kept = Substring(text)
      while kept.last == " " || kept.last == "\t" { kept = kept.dropLast() }
      cell[cell.count - 1] = .leaf(.text(String(kept), at: at))
    }
    return cell.filter {
      if case .leaf(.text(let text, _)) = $0 { !text.isEmpty } else { true }
    }
  }

  /// The table as HTML, each cell's inlines written by `render`.
  func html(cell render: ([MarkdownEvent]) -> String) -> String {
    func cell(_ tag: String, _ events: [MarkdownEvent], _ column: Int) -> String {
      let align = alignments.indices.contains(column) ? alignments[column] : nil
      return
        "<\(tag)\(align.map { " style=\"text-align:\($0)\"" } ?? "")>\(render(events))</\(tag)>"
    }
    var html = "<div class=\"table-wrap\"><table>\n<thead><tr>"
    html += header.enumerated().map { cell("th", $1, $0) }.joined()
    html += "</tr></thead>\n<tbody>\n"
    for row in rows {
      html +=
        "<tr>"
        + header.indices.map { cell("td", row.indices.contains($0) ? row[$0] : [], $0) }.joined()
        + "</tr>\n"
    }
    return html + "</tbody>\n</table></div>\n"
  }
}
