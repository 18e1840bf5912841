import Runner

/// `--to ipynb`: a Jupyter notebook (nbformat 4.5). The prose becomes Markdown cells, and
/// each directive a cell whose source is the directive and whose outputs carry the rendered
/// results: an HTML table, the same as Markdown, and the figures as SVG. It opens in
/// Jupyter, VS Code and on GitHub.
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
    let walk = HandoutWalk(result: result, name: name, build: build)
    let markdown = MarkdownHandout(result: result, name: name, build: build)
    let page = HTMLHandout(result: result, name: name, math: nil, build: build)
    var cells: [String] = []
    // Table-caption ids run through the whole notebook, as on the page: one DOM in Jupyter.
    var tables = TableIDs()
    for piece in walk.pieces {
      switch piece {
      case .prose(let lines, let firstLine, _):
        var text = lines.map(Blanks.markdown)
        if let matter = result.document.frontMatter.lines {
          text = text.enumerated().filter { !matter.contains(firstLine + $0.offset) }.map(\.element)
        }
        while text.first?.trimmingCharacters(in: " ") == "" { text.removeFirst() }
        while text.last?.trimmingCharacters(in: " ") == "" { text.removeLast() }
        guard !text.isEmpty else { continue }
        cells.append(cell(kind: "markdown", index: cells.count, source: text, outputs: nil))
      case .directive(let source, let outcome, let figures):
        // Every result the page shows — notes, exercise headings, captioned tables, an
        // intended error — as HTML that needs no stylesheet (a blank is `____`), and as
        // Markdown; each figure as SVG with its caption under it.
        let html = Blanks.plainHTML(
          page.directive(
            source, outcome, figures: figures, walk: walk, tables: &tables, includingFigures: false)
        )
        let results = markdown.results(outcome, figures: [], walk: walk).map(Blanks.markdown)
        var outputs: [String] = []
        if results.contains(where: { !$0.isEmpty }) {
          outputs.append(
            display([("text/html", html), ("text/markdown", results.joined(separator: "\n"))]))
        }
        var numbers = figures.makeIterator()
        for case .figure(let figure) in outcome.items {
          guard let number = numbers.next() else { continue }
          outputs.append(display([("image/svg+xml", walk.svg(figure.figure, number: number))]))
          let caption = "Figure \(number). \(figure.caption)"
          outputs.append(
            display([
              ("text/html", "<p><em>\(escapeHTML(caption))</em></p>"),
              ("text/markdown", "*\(escapeMarkdown(caption))*"),
            ]))
        }
        cells.append(cell(kind: "code", index: cells.count, source: source, outputs: outputs))
      }
    }
    let title = result.document.frontMatter.title.map { ", \"title\": \(quoted($0))" } ?? ""
    return """
      {
       "cells": [
      \(cells.joined(separator: ",\n"))
       ],
       "metadata": {
        "kernelspec": {"display_name": "nbrun", "language": "markdown", "name": "nbrun"},
        "language_info": {"name": "markdown"}\(title)
       },
       "nbformat": 4,
       "nbformat_minor": 5
      }

      """
  }

  private func cell(kind: String, index: Int, source: [String], outputs: [String]?) -> String {
    let lines = source.enumerated().map { offset, line in
      quoted(offset == source.count - 1 ? line : line + "\n")
    }
    var fields = [
      "\"cell_type\": \"\(kind)\"", "\"id\": \"cell-\(index + 1)\"", "\"metadata\": {}",
      "\"source\": [\(lines.joined(separator: ", "))]",
    ]
    if let outputs {
      fields.insert("\"execution_count\": \(index + 1)", at: 1)
      fields.append("\"outputs\": [\(outputs.joined(separator: ", "))]")
    }
    return "  {" + fields.joined(separator: ", ") + "}"
  }

  private func display(_ data: [(String, String)]) -> String {
    let entries = data.map { "\(quoted($0.0)): \(quoted($0.1))" }.joined(separator: ", ")
    return "{\"output_type\": \"display_data\", \"data\": {\(entries)}, \"metadata\": {}}"
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
