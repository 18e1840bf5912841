import Foundation
import Notebook
import Runner

/// `--to ipynb`: a Jupyter notebook (nbformat 4.5) that runs in a stock Python 3 kernel.
///
/// The prose becomes Markdown cells. The first code cell is the support code
/// (`Python/nbrun_support.py`: nbrun's engine in NumPy); every directive whose results can
/// be recomputed becomes a code cell of generated NumPy that recomputes them, its stored
/// outputs nbrun's own results (tables as HTML and Markdown, figures as SVG). Results with
/// no code (an exercise heading, an intended error, a diagram) are a Markdown cell, with
/// figures as attachments, so that nbconvert and JupyterLab show them. Run top to bottom,
/// the notebook prints nbrun's numbers; `expect` blocks become `assert`s.
public struct NotebookExport {
  public let result: RunResult
  public let name: String
  public let build: Build

  public init(result: RunResult, name: String, build: Build = .handout) {
    self.result = result
    self.name = name
    self.build = build
  }

  /// The notebook as JSON, keys in a fixed order (byte-identical on every run).
  public var json: String {
    var walk = HandoutWalk(result: result, name: name, build: build)
    walk.keepsPassingChecks = true
    let markdown = MarkdownHandout(result: result, name: name, build: build)
    let page = HTMLHandout(result: result, name: name, math: nil, build: build)
    var cells: [String] = []
    // Table-caption ids run through the whole notebook, as on the page: one DOM in Jupyter.
    var tables = TableIDs()
    var supportWritten = false
    for piece in walk.pieces {
      guard !result.deadline.passed else { break }
      switch piece {
      case .prose(let lines, let firstLine, _):
        let text = walk.cellLines(lines, from: firstLine)
        guard !text.isEmpty else { continue }
        cells.append(cell(kind: "markdown", index: cells.count, source: text))
      case .directive(let source, let outcome, let figures):
        let code = outcome.items.lazy.compactMap { item -> GeneratedCode? in
          guard case .code(let code) = item, code.language == .numpy else { return nil }
          return code
        }.first
        let checksHidden = outcome.block.kind == .expect && !walk.showsChecks
        let html = Blanks.plainHTML(
          page.directive(
            source, outcome, figures: figures, walk: walk, tables: &tables, includingFigures: false)
        )
        let results = markdown.results(outcome, figures: [], walk: walk).map(Blanks.markdown)
        let hasResults = !checksHidden && results.contains { !$0.isEmpty }
        var figureOutputs: [(number: Int, svg: String, caption: String)] = []
        var numbers = figures.makeIterator()
        for case .figure(let figure) in outcome.items {
          guard let number = numbers.next() else { continue }
          figureOutputs.append((number, walk.svg(figure.figure, number: number), figure.caption))
        }
        // A student's cell whose table has blanks keeps that table visible above the code
        // (which computes the answers into V without showing them).
        let blanked = build == .student && Self.showsBlanks(outcome, walk.blanks)
        guard var lines = code?.lines, !(build == .student && outcome.block.kind == .expect)
        else {
          if hasResults || !figureOutputs.isEmpty {
            cells.append(
              markdownResults(
                index: cells.count, results: hasResults ? results : [], figures: figureOutputs))
          }
          continue
        }
        if !supportWritten {
          cells.append(
            cell(
              kind: "markdown", index: cells.count,
              source: [
                "**Set-up.** The next cell is nbrun's engine written out in NumPy: the functions every later cell calls (`forward`, `backward`, `fit`, `show`, …), with nbrun's formulas and its random numbers, so that the cells below print the handout's numbers. Run it first; *Run All* runs every cell in order. Its code is folded in JupyterLab: click the bar beside it to read it."
              ]))
          cells.append(supportCell(index: cells.count))
          supportWritten = true
        }
        var outputs: [String] = []
        if blanked {
          cells.append(
            markdownResults(index: cells.count, results: results, figures: figureOutputs))
          lines = lines.filter { !$0.hasPrefix("show") && !$0.hasPrefix("plot_") }
          lines.append(
            "# The blanks in the table above are yours to work out; this cell computes them into V."
          )
        } else {
          if hasResults {
            outputs.append(
              display(
                [("text/html", html), ("text/markdown", results.joined(separator: "\n"))],
                numbers: checksHidden ? [] : Self.numbers(in: outcome, walk.blanks)))
          }
          for figure in figureOutputs {
            outputs.append(display([("image/svg+xml", figure.svg)]))
            let caption = "Figure \(figure.number). \(figure.caption)"
            outputs.append(
              display([
                ("text/html", "<p><em>\(escapeHTML(caption))</em></p>"),
                ("text/markdown", "*\(escapeMarkdown(caption))*"),
              ]))
          }
        }
        let header = source.map { "# " + $0 }
        cells.append(
          cell(
            kind: "code", index: cells.count, source: header + lines, outputs: outputs,
            block: outcome.block))
      }
    }
    let title = result.document.frontMatter.title.map { ", \"title\": \(quoted($0))" } ?? ""
    return Self.notebook(
      cells: cells,
      metadata: """
          "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
          "language_info": {"name": "python", "pygments_lexer": "ipython3"}\(title)
        """)
  }

  /// An nbformat 4.5 notebook: its cells (each an object's JSON) and its metadata's fields,
  /// in a fixed layout (byte-identical on every run).
  static func notebook(cells: [String], metadata: String) -> String {
    """
    {
     "cells": [
    \(cells.joined(separator: ",\n"))
     ],
     "metadata": {
    \(metadata)
     },
     "nbformat": 4,
     "nbformat_minor": 5
    }

    """
  }

  /// The support cell: nbrun's engine in NumPy, which every later cell calls.
  private func supportCell(index: Int) -> String {
    var lines = PythonSupport.source.split(separator: "\n", omittingEmptySubsequences: false).map(
      String.init)
    while lines.last == "" { lines.removeLast() }
    return cell(
      kind: "code", index: index, source: lines, outputs: [],
      metadata: "{\"jupyter\": {\"source_hidden\": true}, \"tags\": [\"nbrun-support\"]}")
  }

  /// Results shown without code: the Markdown of the results, and each figure as an
  /// attachment with its caption.
  private func markdownResults(
    index: Int, results: [String], figures: [(number: Int, svg: String, caption: String)]
  ) -> String {
    var text = results
    while text.last == "" { text.removeLast() }
    var attachments: [String] = []
    for figure in figures {
      if !text.isEmpty { text.append("") }
      text.append("![\(escapeMarkdown(figure.caption))](attachment:fig-\(figure.number).svg)")
      text += ["", "*Figure \(figure.number). \(escapeMarkdown(figure.caption))*"]
      // Jupyter keeps attachments base64-encoded, SVG included (JupyterLab, nbconvert).
      attachments.append(
        "\"fig-\(figure.number).svg\": {\"image/svg+xml\": \"\(Data(figure.svg.utf8).base64EncodedString())\"}"
      )
    }
    return cell(kind: "markdown", index: index, source: text, attachments: attachments)
  }

  private func cell(
    kind: String, index: Int, source: [String], outputs: [String]? = nil,
    attachments: [String] = [], block: DirectiveBlock? = nil, metadata given: String = "{}"
  ) -> String {
    let lines = source.enumerated().map { offset, line in
      quoted(offset == source.count - 1 ? line : line + "\n")
    }
    var metadata = given
    if let block {
      metadata =
        "{\"nbrun\": {\"block\": \(quoted(block.title)), \"line\": \(block.range.start.line)}}"
    }
    var fields = [
      "\"cell_type\": \"\(kind)\"", "\"id\": \"cell-\(index + 1)\"", "\"metadata\": \(metadata)",
      "\"source\": [\(lines.joined(separator: ", "))]",
    ]
    if !attachments.isEmpty {
      fields.insert("\"attachments\": {\(attachments.joined(separator: ", "))}", at: 1)
    }
    if let outputs {
      fields.insert("\"execution_count\": \(outputs.isEmpty ? "null" : "\(index + 1)")", at: 1)
      fields.append("\"outputs\": [\(outputs.joined(separator: ", "))]")
    }
    return "  {" + fields.joined(separator: ", ") + "}"
  }

  private func display(_ data: [(String, String)], numbers: [(Double, Int)] = []) -> String {
    let entries = data.map { "\(quoted($0.0)): \(quoted($0.1))" }.joined(separator: ", ")
    var metadata = "{}"
    if !numbers.isEmpty {
      let list = numbers.map { "[\(Self.json($0.0)), \($0.1)]" }.joined(separator: ", ")
      metadata = "{\"nbrun\": {\"printed\": [\(list)]}}"
    }
    return "{\"output_type\": \"display_data\", \"data\": {\(entries)}, \"metadata\": \(metadata)}"
  }

  private static func json(_ x: Double) -> String {
    x.isFinite ? "\(x)" : "null"
  }

  /// Every number a block's tables print (full precision, with the decimals printed), except
  /// blanked ones: what the executed cell must print again.
  static func numbers(in outcome: BlockOutcome, _ blanks: Blanks) -> [(Double, Int)] {
    var found: [(Double, Int)] = []
    func visit(_ cell: Cell, precision: Int) {
      switch cell {
      case .number(let x, let decimals): found.append((x, decimals ?? precision))
      case .plain(let x), .measured(let x): found.append((x, precision))
      case .integer(let x): found.append((Double(x), 0))
      case .formula(let parts): for part in parts { visit(part, precision: precision) }
      case .keyed(let key, let inner):
        if !blanks.keys.contains(key) { visit(inner, precision: precision) }
      case .text, .mark, .empty: break
      }
    }
    func visit(_ part: FormulaPart, precision: Int) {
      switch part {
      case .number(let x, let decimals, _), .factor(let x, let decimals, _):
        found.append((x, decimals ?? precision))
      case .keyed(let key, let inner):
        if !blanks.keys.contains(key) { visit(inner, precision: precision) }
      case .text: break
      }
    }
    for case .table(let table) in outcome.items {
      for row in table.rows { for cell in row { visit(cell, precision: table.precision) } }
    }
    return found
  }

  /// Whether a block's tables show a blank in this build.
  static func showsBlanks(_ outcome: BlockOutcome, _ blanks: Blanks) -> Bool {
    guard !blanks.keys.isEmpty else { return false }
    for case .table(let table) in outcome.items where !table.keys.isDisjoint(with: blanks.keys) {
      return true
    }
    return false
  }
}

/// A JSON string literal.
func quoted(_ text: String) -> String {
  var out = "\""
  for scalar in text.unicodeScalars {
    switch scalar {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case "\n": out += "\\n"
    case "\r": out += "\\r"
    case "\t": out += "\\t"
    case let s where s.value < 0x20:
      let hex = String(s.value, radix: 16)
      out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    default: out.unicodeScalars.append(scalar)
    }
  }
  return out + "\""
}
