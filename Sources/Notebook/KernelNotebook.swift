import Foundation

/// A notebook as Jupyter cells for the nbrun kernel, and back: the front matter and every
/// directive block a code cell (its fence left out), the prose between them Markdown cells.
/// Whatever the cells do not show (blank lines between them, a fence other than three
/// backticks, CRLF line endings, a byte-order mark) is kept in metadata, so that a `.md`
/// notebook written as `.ipynb` and read back is the same bytes (jupytext's pairing idea).
public enum KernelNotebook {
  /// One cell: its kind, its lines, and what it needs to be put back exactly.
  public struct Cell: Equatable, Sendable {
    public enum Kind: String, Sendable { case markdown, code }
    public var kind: Kind
    public var lines: [String]
    /// The source line its first line came from.
    public var firstLine: Int
    /// The opening and closing fence lines when they are not three backticks and the
    /// block's info (`nil` closing: the block ran to the end of the file).
    public var fence: (opening: String, closing: String?)?
    /// Blank lines between this cell and the next, when not one.
    public var blankLinesAfter = 1

    /// Equal cells hold the same (where they came from is not compared).
    public static func == (a: Cell, b: Cell) -> Bool {
      a.kind == b.kind && a.lines == b.lines
        && a.fence?.opening == b.fence?.opening && a.fence?.closing == b.fence?.closing
        && a.blankLinesAfter == b.blankLinesAfter
    }
  }

  /// The cells of a notebook, and what lies around them.
  public struct Layout: Equatable, Sendable {
    public var cells: [Cell]
    public var blankLinesBefore = 0
    /// Blank lines after the last cell; 1 is a file that ends with a line break.
    public var blankLinesAfterLast = 1
    public var newline = "\n"
    public var byteOrderMark = false

    public init(cells: [Cell]) {
      self.cells = cells
    }
  }

  /// A parsed notebook's cells.
  public static func layout(of document: Document) -> Layout {
    let source = document.source
    let lines = source.lines
    var cells: [Cell] = []
    var cursor = 1
    var pendingBlanks = 0
    var layout = Layout(cells: [])
    layout.newline = source.newline
    layout.byteOrderMark = source.byteOrderMark

    func close(gap: Int) {
      if cells.isEmpty {
        layout.blankLinesBefore = gap
      } else {
        cells[cells.count - 1].blankLinesAfter = gap
      }
    }
    /// Lines cursor..<end as a Markdown cell, blank lines around it counted as gaps.
    func prose(until end: Int) {
      var first = cursor
      var last = end - 1
      while first <= last, lines[first - 1].isEmpty { first += 1 }
      if first > last {
        pendingBlanks += max(0, end - cursor)
        cursor = end
        return
      }
      while last >= first, lines[last - 1].isEmpty { last -= 1 }
      close(gap: pendingBlanks + first - cursor)
      cells.append(
        Cell(kind: .markdown, lines: Array(lines[(first - 1)..<last]), firstLine: first))
      pendingBlanks = end - 1 - last
      cursor = end
    }
    func code(_ range: ClosedRange<Int>, fenced: Bool) {
      close(gap: pendingBlanks)
      pendingBlanks = 0
      var body = Array(lines[(range.lowerBound - 1)..<range.upperBound])
      var fence: (String, String?)?
      if fenced, let opening = body.first {
        let marker = opening.prefix { $0 == "`" || $0 == "~" }
        let info = String(opening.dropFirst(marker.count))
        let closingLine = body.count > 1 ? body.last : nil
        let closes = closingLine.map { Self.closes($0, marker: marker) } ?? false
        if closes { body.removeLast() }
        body[0] = info
        if marker != "```" || info.first == " " || !closes || closingLine != "```" {
          fence = (opening, closes ? closingLine : nil)
        }
      }
      cells.append(
        Cell(kind: .code, lines: body, firstLine: range.lowerBound, fence: fence))
      cursor = range.upperBound + 1
    }

    if let matter = document.frontMatter.lines, matter.lowerBound == 1,
      matter.upperBound <= lines.count
    {
      code(matter, fenced: false)
    }
    for block in document.directives {
      let start = block.range.start.line
      let end = min(block.range.end.line, lines.count)
      guard start >= cursor, start <= end else { continue }
      prose(until: start)
      code(start...end, fenced: true)
    }
    prose(until: lines.count + 1)
    if cells.isEmpty {
      layout.blankLinesBefore = 0
      layout.blankLinesAfterLast = 0
      // A file of blank lines only: kept as one Markdown cell of them.
      cells = [Cell(kind: .markdown, lines: lines, firstLine: 1, blankLinesAfter: 0)]
    } else {
      layout.blankLinesAfterLast = pendingBlanks
    }
    layout.cells = cells
    return layout
  }

  /// Whether `line` closes a fence opened with `marker`.
  static func closes(_ line: String, marker: Substring) -> Bool {
    let trimmed = line.drop { $0 == " " }
    let run = trimmed.prefix { $0 == marker.first }
    return run.count >= marker.count && trimmed.dropFirst(run.count).allSatisfy(\.isWhitespace)
  }

  /// The notebook text the cells stand for, and for each of its lines the cell (0-based)
  /// and the line within the cell it came from.
  public static func text(of layout: Layout) -> (text: String, origin: [(cell: Int, line: Int)]) {
    var lines: [String] = Array(repeating: "", count: layout.blankLinesBefore)
    var origin: [(cell: Int, line: Int)] = Array(repeating: (0, 0), count: lines.count)
    for (index, cell) in layout.cells.enumerated() {
      var cellLines = cell.lines
      if cell.kind == .code, let first = cellLines.first {
        if let fence = cell.fence {
          cellLines[0] = fence.opening
          if let closing = fence.closing { cellLines.append(closing) }
        } else if Self.isDirective(first) {
          cellLines[0] = "```" + first
          cellLines.append("```")
        }
      }
      for offset in cellLines.indices { origin.append((index, min(offset + 1, cell.lines.count))) }
      lines += cellLines
      let gap = index == layout.cells.count - 1 ? layout.blankLinesAfterLast : cell.blankLinesAfter
      lines += Array(repeating: "", count: gap)
      origin += Array(repeating: (index, cell.lines.count), count: gap)
    }
    let text = (layout.byteOrderMark ? "\u{FEFF}" : "") + lines.joined(separator: layout.newline)
    return (text, origin)
  }

  /// Whether a code cell's first line names a directive (`model hk`).
  static func isDirective(_ line: String) -> Bool {
    guard let word = line.split(separator: " ").first else { return false }
    return DirectiveKind(rawValue: String(word)) != nil
  }

  /// The most blank lines the metadata may put between two cells.
  public static let maximumBlankLines = 10_000

  /// Why an `.ipynb` cannot be read as an nbrun notebook.
  public struct ReadError: Error, CustomStringConvertible {
    public var description: String
  }

  /// Reads an nbformat 4 notebook whose kernel is `nbrun`: its cells and layout.
  public static func read(_ data: Data, path: String) throws -> Layout {
    guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      throw ReadError(description: "\(path): error: not a Jupyter notebook (not a JSON object)")
    }
    let metadata = object["metadata"] as? [String: Any] ?? [:]
    let kernel = (metadata["kernelspec"] as? [String: Any])?["name"] as? String
    guard kernel == "nbrun" else {
      throw ReadError(
        description:
          "\(path): error: the notebook's kernel is '\(kernel ?? "none")', not nbrun\n    nbrun reads notebooks of its own kernel: write one with nbrun --to ipynb --kernel nbrun, or choose the nbrun kernel in Jupyter"
      )
    }
    guard let cells = object["cells"] as? [[String: Any]] else {
      throw ReadError(description: "\(path): error: the notebook has no 'cells' list")
    }
    let mine = metadata["nbrun"] as? [String: Any] ?? [:]
    /// A count of blank lines from the metadata: at most ``maximumBlankLines``.
    func blanks(_ value: Any?, default fallback: Int, where place: String) throws -> Int {
      guard let value else { return fallback }
      guard let count = value as? Int, (0...maximumBlankLines).contains(count) else {
        throw ReadError(
          description:
            "\(path): error: \(place) 'blank_lines' is '\(value)', expected a whole number from 0 to \(maximumBlankLines)\n    nbrun writes it; remove it from the metadata to put one blank line there"
        )
      }
      return count
    }
    var layout = Layout(cells: [])
    layout.blankLinesBefore = try blanks(
      mine["blank_lines_before"], default: 0, where: "the notebook's metadata")
    layout.blankLinesAfterLast = try blanks(
      mine["blank_lines_after"], default: 1, where: "the notebook's metadata")
    layout.newline = mine["newline"] as? String ?? "\n"
    layout.byteOrderMark = mine["byte_order_mark"] as? Bool ?? false
    for (index, cell) in cells.enumerated() {
      let type = cell["cell_type"] as? String ?? "markdown"
      let source: String
      if let list = cell["source"] as? [String] {
        source = list.joined()
      } else {
        source = cell["source"] as? String ?? ""
      }
      let cellMetadata = (cell["metadata"] as? [String: Any])?["nbrun"] as? [String: Any] ?? [:]
      var read = Cell(
        kind: type == "code" ? .code : .markdown,
        lines: source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init),
        firstLine: index == 0 ? 1 : 2)
      if let fence = cellMetadata["fence"] as? [Any], let opening = fence.first as? String {
        read.fence = (opening, fence.count > 1 ? fence[1] as? String : nil)
      }
      read.blankLinesAfter = try blanks(
        cellMetadata["blank_lines_after"], default: 1, where: "cell \(index + 1)'s metadata")
      layout.cells.append(read)
    }
    return layout
  }
}
