import Notebook
import Runner

/// The Markdown handout: the author's own text byte for byte (sliced from the source by
/// cmark's positions, never re-rendered), with each directive's results inserted where
/// it stands, between marker comments that `--check` uses and GitHub does not show.
public struct MarkdownHandout {
  public let result: RunResult
  /// The handout's base name (`lecture2`): figures go in `lecture2_files/`.
  public let name: String
  public let build: Build

  public init(result: RunResult, name: String, build: Build = .handout) {
    self.result = result
    self.name = name
    self.build = build
  }

  /// The handout's text.
  public var text: String {
    let walk = HandoutWalk(result: result, name: name, build: build)
    var out: [String] = []
    for piece in walk.pieces {
      switch piece {
      case .prose(let lines, _, _):
        out += lines.map(Blanks.markdown)
      case .directive(let source, let outcome, let figures):
        if outcome.common.echo { out += source }
        out.append(HandoutWalk.beginMarker(outcome.block))
        out.append("")
        if let label = outcome.common.label { out += ["<a id=\"\(label)\"></a>", ""] }
        out += results(outcome, figures: figures, walk: walk)
        out.append(HandoutWalk.endMarker)
      }
    }
    if build == .key {
      out += ["", "## Answer key", ""] + Self.table(AnswerKey.table(result.answers))
    }
    var text = out.joined(separator: "\n")
    if !text.hasSuffix("\n") { text += "\n" }
    return text
  }

  /// The figure files to write beside the handout (`lecture2_files/fig-1.svg`).
  public var figures: [(path: String, svg: String)] {
    HandoutWalk(result: result, name: name, build: build).figures
  }

  func results(_ outcome: BlockOutcome, figures: [Int], walk: HandoutWalk) -> [String] {
    var lines: [String] = []
    var figureNumbers = figures.makeIterator()
    for item in outcome.items {
      switch item {
      case .note(let text):
        lines += [escapeMarkdown(text), ""]
      case .expectedError(let message):
        lines += ["> **Error, as intended:** `\(message)`", ""]
      case .table(let table):
        lines += Self.table(table, blanks: walk.blanks(outcome)) + [""]
      case .exercise(let number, let title, let points):
        lines += [
          "### Exercise \(number)" + (title.isEmpty ? "" : ": \(escapeMarkdown(title))"), "",
          "*\(points) point\(points == 1 ? "" : "s") per answer*", "",
        ]
      case .figure(let figure):
        guard let number = figureNumbers.next() else { continue }
        lines += ["![\(escapeMarkdown(figure.caption))](\(walk.figurePath(number)))", ""]
      }
    }
    switch outcome.status {
    case .succeeded: break
    case .failed:
      for diagnostic in outcome.diagnostics where diagnostic.severity == .error {
        lines += ["> **Error** `\(diagnostic.headline)`"]
        if let hint = diagnostic.hint { lines += [">", "> \(escapeMarkdown(hint))"] }
        lines.append("")
      }
    case .skipped(let reason):
      lines += ["> **Not run:** \(escapeMarkdown(reason)).", ""]
    case .notRun:
      lines += [
        "> **Not run:** \(escapeMarkdown(result.stopReason ?? "the run stopped above")).", "",
      ]
    }
    return lines
  }

  /// A GitHub-flavoured table: numbers right-aligned, `|` escaped, caption above.
  static func table(_ table: Table, blanks: Blanks = .none) -> [String] {
    var lines: [String] = []
    if let caption = table.caption { lines += ["*\(escapeMarkdown(caption))*", ""] }
    let numeric = table.header.indices.map { column in
      table.rows.contains { $0.indices.contains(column) && NumberFormat.isNumeric($0[column]) }
    }
    func row(_ cells: [String]) -> String {
      "| " + cells.map { $0.replacing("|", with: "\\|") }.joined(separator: " | ") + " |"
    }
    lines.append(row(table.header))
    lines.append("|" + numeric.map { $0 ? "---:|" : "---|" }.joined())
    for cells in table.rows {
      var texts = cells.map {
        Blanks.markdown(NumberFormat.cell($0, precision: table.precision, blanks: blanks))
      }
      while texts.count < table.header.count { texts.append("") }
      lines.append(row(texts))
    }
    return lines
  }
}

/// Escapes the characters that would start Markdown emphasis or links in generated text.
func escapeMarkdown(_ text: String) -> String {
  var out = ""
  for c in text {
    if "*_[]`<>\\".contains(c) { out.append("\\") }
    out.append(c)
  }
  return out
}
