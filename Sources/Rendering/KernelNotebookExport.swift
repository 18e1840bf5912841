import Notebook
import Runner

/// `--to ipynb --kernel nbrun`: the notebook as Jupyter cells for the nbrun kernel (see
/// ``KernelNotebook``), each code cell's outputs the kernel's displays of its block (the
/// Markdown handout's text, the HTML handout's table or figure), so the notebook opens with
/// its results shown. Read back, it is the `.md` notebook byte for byte.
public struct KernelNotebookExport {
  public let result: RunResult
  public let name: String

  public init(result: RunResult, name: String) {
    self.result = result
    self.name = name
  }

  public var json: String {
    let layout = KernelNotebook.layout(of: result.document)
    var renderer = CellRenderer(name: name)
    var outputs: [Int: [CellRenderer.Display]] = [:]
    for (line, display) in renderer.tagged(result) {
      guard let line else { continue }
      outputs[line, default: []].append(display)
    }
    var cells: [String] = []
    var count = 0
    for (index, cell) in layout.cells.enumerated() {
      var mine: [String] = []
      if let fence = cell.fence {
        mine.append(
          "\"fence\": [\(quoted(fence.opening)), \(fence.closing.map(quoted) ?? "null")]")
      }
      if cell.blankLinesAfter != 1, index < layout.cells.count - 1 {
        mine.append("\"blank_lines_after\": \(cell.blankLinesAfter)")
      }
      let metadata = mine.isEmpty ? "{}" : "{\"nbrun\": {\(mine.joined(separator: ", "))}}"
      let source = cell.lines.enumerated().map { offset, line in
        quoted(offset == cell.lines.count - 1 ? line : line + "\n")
      }
      var fields = [
        "\"cell_type\": \"\(cell.kind.rawValue)\"", "\"id\": \"cell-\(index + 1)\"",
        "\"metadata\": \(metadata)", "\"source\": [\(source.joined(separator: ", "))]",
      ]
      if cell.kind == .code {
        count += 1
        let displays = outputs[cell.firstLine] ?? []
        let shown = displays.map(Self.output)
        fields.insert("\"execution_count\": \(shown.isEmpty ? "null" : "\(count)")", at: 1)
        fields.append("\"outputs\": [\(shown.joined(separator: ", "))]")
      }
      cells.append("  {" + fields.joined(separator: ", ") + "}")
    }
    var mine: [String] = []
    if layout.blankLinesBefore != 0 {
      mine.append("\"blank_lines_before\": \(layout.blankLinesBefore)")
    }
    if layout.blankLinesAfterLast != 1 {
      mine.append("\"blank_lines_after\": \(layout.blankLinesAfterLast)")
    }
    if layout.newline != "\n" { mine.append("\"newline\": \(quoted(layout.newline))") }
    if layout.byteOrderMark { mine.append("\"byte_order_mark\": true") }
    let nbrun = mine.isEmpty ? "" : ",\n  \"nbrun\": {\(mine.joined(separator: ", "))}"
    let title = result.document.frontMatter.title.map { ",\n  \"title\": \(quoted($0))" } ?? ""
    return NotebookExport.notebook(
      cells: cells,
      metadata: """
          "kernelspec": {"display_name": "nbrun", "language": "nbrun", "name": "nbrun"},
          "language_info": {"name": "nbrun", "mimetype": "text/x-nbrun", "file_extension": ".md", "codemirror_mode": "yaml"}\(nbrun)\(title)
        """)
  }

  /// A display as a stored `display_data` output.
  static func output(_ display: CellRenderer.Display) -> String {
    var data = [("text/plain", display.plain)]
    if !display.markdown.isEmpty { data.append(("text/markdown", display.markdown)) }
    if !display.html.isEmpty { data.append(("text/html", display.html)) }
    let entries = data.sorted { $0.0 < $1.0 }.map { "\(quoted($0.0)): \(quoted($0.1))" }
    let metadata = display.block.map { "{\"nbrun\": {\"block\": \(quoted($0))}}" } ?? "{}"
    return
      "{\"output_type\": \"display_data\", \"data\": {\(entries.joined(separator: ", "))}, \"metadata\": \(metadata)}"
  }
}
