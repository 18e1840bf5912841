/// A CSV text split into fields (RFC 4180: commas, double-quoted fields with `""` escapes,
/// LF or CRLF line ends; blank lines are skipped).
public struct CSVTable: Equatable, Sendable {
  public var header: [String]?
  public var rows: [[String]]
  /// The 1-based source line of each row, for error messages.
  public var lines: [Int]

  public init(parsing text: String, hasHeader: Bool) throws {
    var records: [([String], Int)] = []
    var field = ""
    var record: [String] = []
    var inQuotes = false
    var line = 1
    var recordLine = 1
    var column = 0
    var quoteColumn = 0
    var iterator = text.makeIterator()
    var pending: Character? = nil
    func endRecord() {
      record.append(field)
      field = ""
      if !(record.count == 1 && record[0].trimmingSpaces.isEmpty) {
        records.append((record, recordLine))
      }
      record = []
    }
    while let c = pending ?? iterator.next() {
      pending = nil
      column += 1
      if inQuotes {
        if c == "\"" {
          let next = iterator.next()
          if next == "\"" {
            field.append("\"")
            column += 1
          } else {
            inQuotes = false
            pending = next
          }
        } else {
          if c == "\n" || c == "\r\n" {
            line += 1
            column = 0
          }
          field.append(c)
        }
        continue
      }
      switch c {
      case "\"" where field.trimmingSpaces.isEmpty:
        field = ""
        inQuotes = true
        quoteColumn = column
      case ",":
        record.append(field)
        field = ""
      case "\n", "\r\n", "\r":
        endRecord()
        line += 1
        recordLine = line
        column = 0
      default:
        field.append(c)
      }
    }
    if inQuotes {
      throw EngineError.malformedCSV(
        line: recordLine, column: quoteColumn, message: "a quoted field is never closed")
    }
    if !field.isEmpty || !record.isEmpty { endRecord() }
    if hasHeader, let first = records.first {
      header = first.0.map(\.trimmingSpaces)
      records.removeFirst()
    } else {
      header = nil
    }
    rows = records.map(\.0)
    lines = records.map(\.1)
    let width = header?.count ?? rows.first?.count ?? 0
    for (row, lineNumber) in zip(rows, lines) where row.count != width {
      throw EngineError.malformedCSV(
        line: lineNumber, column: 1,
        message:
          "this row has \(row.count) fields but the \(header == nil ? "first row" : "header") has \(width)"
      )
    }
  }

  /// The table as numbers, or an error naming the line and field that is not a number.
  public func numbers() throws -> Matrix<Double> {
    let width = header?.count ?? rows.first?.count ?? 0
    var values: [Double] = []
    values.reserveCapacity(rows.count * width)
    for (row, line) in zip(rows, lines) {
      for (index, field) in row.enumerated() {
        guard let value = DecimalNumber.parse(field.trimmingSpaces) else {
          let name = header.map { " ('\($0[index])')" } ?? ""
          throw EngineError.malformedCSV(
            line: line, column: index + 1,
            message: "field \(index + 1)\(name) is '\(field)', not a number")
        }
        values.append(value)
      }
    }
    return try Matrix(rows: rows.count, columns: width, elements: values)
  }
}

extension Dataset {
  /// A data set from CSV text; the target columns (0-based, default the last) become
  /// targets and the rest features.
  public init(csv text: String, hasHeader: Bool, targetColumns: [Int]? = nil) throws {
    let table = try CSVTable(parsing: text, hasHeader: hasHeader)
    let all = try table.numbers()
    guard all.columns > 0 else {
      throw EngineError.invalidArgument("the CSV has no columns: it holds no data")
    }
    let targets = targetColumns ?? [all.columns - 1]
    for column in targets where !(0..<all.columns).contains(column) {
      throw EngineError.invalidArgument(
        "the CSV has \(all.columns) columns; there is no column \(column + 1)")
    }
    let featureColumns = (0..<all.columns).filter { !targets.contains($0) }
    try self.init(
      features: all.selectingColumns(featureColumns), targets: all.selectingColumns(targets),
      featureNames: table.header.map { header in featureColumns.map { header[$0] } },
      targetNames: table.header.map { header in targets.map { header[$0] } })
  }
}

extension String {
  var trimmingSpaces: String {
    // A field that starts and ends in printable ASCII has nothing to trim (most do).
    if let head = utf8.first, let tail = utf8.last, (0x21..<0x80).contains(head),
      (0x21..<0x80).contains(tail)
    {
      return self
    }
    guard let first = firstIndex(where: { !$0.isWhitespace }),
      let last = lastIndex(where: { !$0.isWhitespace })
    else { return "" }
    return String(self[first...last])
  }
}
