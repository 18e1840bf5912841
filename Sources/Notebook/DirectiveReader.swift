/// Reads one directive block's fence words and body into a ``DirectiveBlock``: the name,
/// `key: value` options (on the fence, and body lines with their indented continuations),
/// and every other body line. What the body may hold, and whether the name is required, is
/// each directive's own (`Directive.syntax` in Runner), checked when the block is planned.
struct DirectiveReader {
  let kind: DirectiveKind
  let path: String
  let lines: [String]
  let fenceLine: Int

  mutating func read(
    words: [String], info: String, range: SourceRange, diagnostics: inout [Diagnostic]
  ) -> DirectiveBlock {
    var options: [DirectiveOption] = []
    var name: String?
    let fence = line(fenceLine)
    // Fence words: the directive, an optional name, then key=value options, each found
    // after the one before it (one pass over the line, however many words it has).
    var from = fence.startIndex
    if let first = words.first, let found = fence.firstRange(of: first) { from = found.upperBound }
    for word in words.dropFirst() {
      var column = 1
      if let found = fence[from...].firstRange(of: word) {
        column = fence.utf8.distance(from: fence.utf8.startIndex, to: found.lowerBound) + 1
        from = found.upperBound
      }
      if let equals = word.firstIndex(of: "=") {
        let key = String(word[..<equals])
        options.append(
          DirectiveOption(
            key: key, value: String(word[word.index(after: equals)...]),
            keyLocation: SourceLocation(line: fenceLine, column: column),
            valueLocation: SourceLocation(line: fenceLine, column: column + key.count + 1),
            sourceLine: fence))
      } else if name == nil, options.isEmpty {
        name = word
      } else {
        diagnostics.append(
          error(
            "unexpected '\(word)' after the directive", line: fenceLine, column: column,
            length: word.count, hint: "options on the fence line are written key=value"))
      }
    }
    // The body: from the line after the fence to the line before the closing fence.
    var bodyLines: [SourceText] = []
    let closing = isFence(line(range.end.line)) && range.end.line > fenceLine
    let last = closing ? range.end.line - 1 : range.end.line
    var current: DirectiveOption?
    func flush() {
      if let option = current { options.append(option) }
      current = nil
    }
    if last > fenceLine {
      for number in (fenceLine + 1)...last {
        let text = line(number)
        let trimmed = text.drop(while: \.isWhitespace)
        if trimmed.isEmpty { continue }
        if trimmed.hasPrefix("#"), !trimmed.hasPrefix("#|") {
          // A comment line (an error or a comment by the directive's body role, which the
          // runner knows); it does not end the option above it.
          bodyLines.append(
            SourceText(
              text: String(trimmed),
              location: SourceLocation(line: number, column: column(of: String(trimmed), in: text)),
              sourceLine: text))
          continue
        }
        let indented = text.first?.isWhitespace ?? false
        if indented, current != nil {
          // Appended in place: a copy per line would make long `rows:` quadratic.
          if current?.value.isEmpty == true {
            // A value that starts on the next line is located there.
            current?.valueLocation = SourceLocation(
              line: number, column: column(of: String(trimmed), in: text))
            current?.sourceLine = text
          } else {
            current?.value += "\n"
          }
          current?.value += trimmed
          continue
        }
        flush()
        if let (key, value, valueColumn) = optionLine(text) {
          let keyColumn = column(of: key, in: text)
          current = DirectiveOption(
            key: key, value: value, keyLocation: SourceLocation(line: number, column: keyColumn),
            valueLocation: SourceLocation(line: number, column: valueColumn), sourceLine: text)
        } else {
          bodyLines.append(
            SourceText(
              text: String(trimmed),
              location: SourceLocation(line: number, column: column(of: String(trimmed), in: text)),
              sourceLine: text))
        }
      }
    }
    flush()
    if !closing {
      diagnostics.append(
        error(
          "this \(kind.rawValue) block is never closed", line: fenceLine, column: 1, length: 3,
          hint: "end it with a fence line like the opening one"))
    }
    return DirectiveBlock(
      kind: kind, name: name, options: options, lines: bodyLines, range: range, info: info)
  }

  /// `key: value` → (key, value, the value's column).
  private func optionLine(_ text: String) -> (String, String, Int)? {
    let trimmed = text.drop(while: \.isWhitespace)
    guard let colon = trimmed.firstIndex(of: ":") else { return nil }
    let key = trimmed[..<colon]
    guard let head = key.first, head.isLetter || head == "_",
      key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" })
    else { return nil }
    let rest = trimmed[trimmed.index(after: colon)...]
    let value = rest.drop(while: \.isWhitespace)
    let column =
      text.utf8.distance(
        from: text.utf8.startIndex,
        to: value.startIndex.samePosition(in: text.utf8) ?? text.utf8.endIndex) + 1
    return (String(key), String(value.trimmingCharacters()), column)
  }

  private func isFence(_ text: String) -> Bool {
    let trimmed = text.drop { $0 == " " }
    return trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~")
  }

  private func line(_ number: Int) -> String {
    lines.indices.contains(number - 1) ? lines[number - 1] : ""
  }

  private func column(of word: String, in text: String) -> Int {
    guard let found = text.firstByteRange(of: word) else { return 1 }
    return text.utf8.distance(from: text.utf8.startIndex, to: found.lowerBound) + 1
  }

  private func error(
    _ message: String, line number: Int, column: Int, length: Int, hint: String? = nil
  )
    -> Diagnostic
  {
    Diagnostic(
      path: path, location: SourceLocation(line: number, column: column), message: message,
      hint: hint, sourceLine: line(number), length: length)
  }
}

extension Substring {
  func trimmingCharacters() -> Substring {
    var end = endIndex
    while end > startIndex, self[index(before: end)].isWhitespace { end = index(before: end) }
    return self[startIndex..<end]
  }
}
