import Runner

/// `--check`: whether the committed handouts are exactly what the sources give now, and
/// if not, which block and which value changed.
public enum Check {
  /// One difference, readable on its own.
  public struct Difference: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var message: String
    /// A changed value, said at the notebook's line ("lecture2.md:151: hk.new_w46 was …").
    public var isValue = false
    public var description: String { isValue ? message : "\(file): \(message)" }

    public init(file: String, message: String, isValue: Bool = false) {
      self.file = file
      self.message = message
      self.isValue = isValue
    }
  }

  /// Compares a committed handout with the fresh one. Markdown handouts are compared
  /// block by block and cell by cell, naming the values that changed
  /// (`backward hk, w46: -0.2608 → -0.2611`); other files byte for byte.
  /// A run's values (``ResultsFile``) are compared by value, each change said at the
  /// notebook's line (`notebook` names the notebook).
  public static func compare(
    file: String, committed: String?, fresh: String, notebook: String? = nil
  ) -> [Difference] {
    guard let committed else {
      return [Difference(file: file, message: "missing: run nbrun to write it")]
    }
    guard committed != fresh else { return [] }
    if file.hasSuffix("/" + ResultsFile.name), let notebook,
      let old = ResultsFile.parse(committed), let new = ResultsFile.parse(fresh)
    {
      let changes = ResultsFile.differences(committed: old, now: new, notebook: notebook)
      if !changes.isEmpty {
        return changes.map { Difference(file: file, message: $0, isValue: true) }
      }
    }
    guard file.hasSuffix(".md") else {
      return [Difference(file: file, message: "stale: it differs from what the notebook gives now")]
    }
    var differences: [Difference] = []
    let old = sections(committed)
    let new = sections(fresh)
    for index in 0..<max(old.count, new.count) {
      guard index < old.count, index < new.count else {
        differences.append(
          Difference(
            file: file, message: "the number of result blocks changed (\(old.count) → \(new.count))"
          ))
        break
      }
      let (oldTitle, oldLines) = old[index]
      let (newTitle, newLines) = new[index]
      guard oldLines != newLines || oldTitle != newTitle else { continue }
      let title = newTitle ?? "prose"
      let changes = tableChanges(oldLines, newLines)
      if changes.isEmpty {
        if newTitle == nil {
          let line =
            oldLines.indices.first { $0 >= newLines.count || oldLines[$0] != newLines[$0] }.map {
              "\($0 + 1)"
            } ?? "the end"
          differences.append(
            Difference(
              file: file, message: "the prose changed (section \(index + 1), line \(line) of it)"))
        } else {
          differences.append(Difference(file: file, message: "\(title): the results changed"))
        }
      }
      differences += changes.map { Difference(file: file, message: "\(title), \($0)") }
    }
    if differences.isEmpty {
      differences.append(Difference(file: file, message: "stale: whitespace or markers differ"))
    }
    return differences
  }

  /// The handout cut into alternating prose and result sections: (block title or nil, lines).
  static func sections(_ text: String) -> [(String?, [Substring])] {
    var result: [(String?, [Substring])] = []
    var current: (String?, [Substring]) = (nil, [])
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix("<!-- nbrun: "), line.hasSuffix(" -->") {
        result.append(current)
        current = (String(line.dropFirst(12).dropLast(4)), [])
      } else if line == HandoutWalk.endMarker {
        result.append(current)
        current = (nil, [])
      } else {
        current.1.append(line)
      }
    }
    result.append(current)
    return result
  }

  /// Changed cells of the tables in two versions of a result section:
  /// `w46: -0.2608 → -0.2611` (row label, column when the row has several values).
  static func tableChanges(_ old: [Substring], _ new: [Substring]) -> [String] {
    let oldTables = tables(old)
    let newTables = tables(new)
    guard oldTables.count == newTables.count else { return [] }
    var changes: [String] = []
    for (a, b) in zip(oldTables, newTables) {
      guard a.header == b.header, a.rows.count == b.rows.count else { return [] }
      for (rowA, rowB) in zip(a.rows, b.rows) where rowA != rowB {
        for column in rowA.indices where column < rowB.count && rowA[column] != rowB[column] {
          let label = rowA.first ?? ""
          let what =
            column == 0
            ? a.header[0] : (a.header.count > 2 ? "\(label) \(a.header[column])" : label)
          changes.append("\(what): \(rowA[column]) → \(rowB[column])")
        }
      }
    }
    return changes
  }

  private static func tables(_ lines: [Substring]) -> [(header: [String], rows: [[String]])] {
    var found: [(header: [String], rows: [[String]])] = []
    var index = 0
    while index + 1 < lines.count {
      if lines[index].hasPrefix("|"),
        lines[index + 1].hasPrefix("|-") || lines[index + 1].hasPrefix("|---")
      {
        let header = cells(String(lines[index])) ?? []
        var rows: [[String]] = []
        var k = index + 2
        while k < lines.count, lines[k].hasPrefix("|") {
          rows.append(cells(String(lines[k])) ?? [])
          k += 1
        }
        found.append((header, rows))
        index = k
      } else {
        index += 1
      }
    }
    return found
  }

  /// A row's cells in a handout's table: split at `|` not escaped, outer pipes
  /// dropped, cells trimmed; `nil` when `requirePipe` and the line has no `|`.
  private static func cells(_ line: String, requirePipe: Bool = true) -> [String]? {
    var trimmed = Substring(line.trimmingCharacters(in: " \t"))
    var cells: [String] = []
    var current = ""
    var escaped = false
    var sawPipe = false
    if trimmed.hasPrefix("|") {
      trimmed = trimmed.dropFirst()
      sawPipe = true
    }
    for c in trimmed {
      if escaped {
        current.append(c == "|" ? "|" : "\\\(c)")
        escaped = false
      } else if c == "\\" {
        escaped = true
      } else if c == "|" {
        cells.append(current.trimmingCharacters(in: " \t"))
        current = ""
        sawPipe = true
      } else {
        current.append(c)
      }
    }
    if escaped { current.append("\\") }
    let last = current.trimmingCharacters(in: " \t")
    if !last.isEmpty || !trimmed.hasSuffix("|") || trimmed.hasSuffix("\\|") { cells.append(last) }
    guard sawPipe || !requirePipe else { return nil }
    return cells
  }
}
