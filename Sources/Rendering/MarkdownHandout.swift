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

  /// The handout's text: the author's lines with their own line endings (CRLF, CR, a
  /// byte-order mark and a missing final newline all kept), results in the notebook's
  /// own line ending.
  public var text: String {
    let walk = HandoutWalk(result: result, name: name, build: build)
    let source = result.document.source
    func terminator(_ line: Int) -> String? {
      source.terminators.indices.contains(line - 1) ? source.terminators[line - 1] : nil
    }
    var out: [(text: String, terminator: String?)] = []
    // The default build of an exercise sheet says under its first heading that it carries
    // every answer.
    var edition: Int? =
      walk.isInstructorVersion
      ? result.document.blocks.lazy.compactMap {
        guard case .markdown(let block) = $0, case .heading = block.kind else { return nil }
        return block.range.end.line
      }.first : nil
    for piece in walk.pieces {
      guard !result.deadline.passed else { break }
      switch piece {
      case .prose(let lines, let first, _):
        for (offset, line) in lines.enumerated() {
          out.append((Blanks.markdown(line), terminator(first + offset)))
          if first + offset == edition {
            out += [("", nil), (Self.instructorNotice, nil)]
            edition = nil
          }
        }
      case .directive(let sourceLines, let outcome, let figures):
        let first = outcome.block.range.start.line
        if outcome.common.echo.showsSource {
          out += sourceLines.enumerated().map { ($1, terminator(first + $0)) }
        }
        var generated = [HandoutWalk.beginMarker(outcome.block), ""]
        if let label = outcome.common.label { generated += ["<a id=\"\(label)\"></a>", ""] }
        generated += results(outcome, figures: figures, walk: walk)
        generated.append(HandoutWalk.endMarker)
        out += generated.map { ($0, nil) }
      }
    }
    if build == .key {
      out += (["", "## Answer key", ""] + Self.table(AnswerKey.table(result.answers))).map {
        ($0, nil)
      }
    }
    let newline = source.newline
    var text = source.byteOrderMark ? "\u{FEFF}" : ""
    for (index, line) in out.enumerated() {
      text += line.text
      let isLast = index == out.count - 1
      switch line.terminator {
      case let own? where !own.isEmpty: text += own
      case .some: if !isLast { text += newline }  // the source's last line, unterminated
      case nil: text += newline
      }
    }
    return text
  }

  /// The line under an exercise sheet's first heading in its default build.
  static let instructorNotice =
    "> **Instructor version:** this page shows every answer. Students get their sheet from `nbrun --student`."

  /// The figure files to write beside the handout (`lecture2_files/fig-1.svg`).
  public var figures: [(path: String, svg: String)] {
    HandoutWalk(result: result, name: name, build: build).figures
  }

  func results(_ outcome: BlockOutcome, figures: [Int], walk: HandoutWalk) -> [String] {
    var lines: [String] = []
    var figureNumbers = figures.makeIterator()
    var tableNumber = walk.references.tables[outcome.block.range.start.line]
    for code in outcome.echoedCode {
      lines += [
        code.language == .keras
          ? "*Keras (a sketch, not run):*" : "*NumPy (the code the notebook export runs):*", "",
      ]
      lines += ["```python"] + code.lines + ["```", ""]
    }
    for item in outcome.items {
      switch item {
      case .code: continue
      case .note(let text):
        lines += [escapeMarkdown(text), ""]
      case .expectedError(let message):
        lines += ["> **Error, as intended:** `\(message)`", ""]
      case .table(let table):
        lines += Self.table(table, number: tableNumber, blanks: walk.blanks) + [""]
        tableNumber = nil
      case .exercise(let number, let title, let points):
        let level = walk.exerciseLevel(at: outcome.block.range.start.line)
        lines += [
          String(repeating: "#", count: level) + " Exercise \(number)"
            + (title.isEmpty ? "" : ": \(escapeMarkdown(title))"), "",
          "*\(points) point\(points == 1 ? "" : "s") per answer*", "",
        ]
      case .figure(let figure):
        guard let number = figureNumbers.next() else { continue }
        lines += [
          "![\(escapeMarkdown(figure.caption))](\(walk.figurePath(number)))", "",
          "Figure \(number). \(escapeMarkdown(figure.caption))", "",
        ]
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
  static func table(_ table: Table, number: Int? = nil, blanks: Blanks = .none) -> [String] {
    var lines: [String] = []
    if let caption = HTMLHandout.caption(table, number: number) {
      lines += ["*\(escapeMarkdown(caption))*", ""]
    }
    let numeric = table.header.indices.map { column in
      table.rows.contains { $0.indices.contains(column) && NumberFormat.isNumeric($0[column]) }
    }
    func row(_ cells: [String]) -> String {
      "| " + cells.joined(separator: " | ") + " |"
    }
    lines.append(row(table.header.map(escapeCell)))
    lines.append("|" + numeric.map { $0 ? "---:|" : "---|" }.joined())
    for cells in table.rows {
      var texts = cells.map {
        Blanks.markdown(
          escapeCell(NumberFormat.cell($0, precision: table.precision, blanks: blanks)))
      }
      while texts.count < table.header.count { texts.append("") }
      lines.append(row(texts))
    }
    return lines
  }
}

/// Escapes the characters that would start Markdown emphasis or links in generated text.
func escapeMarkdown(_ text: String) -> String { escaping(text, "*_[]`<>\\") }

/// Text for a generated table cell: what GitHub would read as markup (`*`, `_`, a
/// backtick, `<`, `|`, a backslash) is escaped, so `3 * v` keeps its asterisk and a row its
/// cells.
func escapeCell(_ text: String) -> String { escaping(text, "*_`<|\\") }

/// The text with a backslash before each of `characters`.
private func escaping(_ text: String, _ characters: String) -> String {
  var out = ""
  for c in text {
    if characters.contains(c) { out.append("\\") }
    out.append(c)
  }
  return out
}
