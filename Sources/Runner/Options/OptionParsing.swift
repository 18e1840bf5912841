import NeuralEngine
import Notebook

/// Reading option values: numbers, lists, samples, key=value pairs, booleans; each
/// mistake a ``BlockError`` at the option.
extension DirectiveOption {
  /// One number (`−` is read as a minus sign).
  func number() throws -> Double {
    guard let value = Self.parseNumber(value) else {
      throw BlockError("'\(key)' must be a number, not '\(value)'", at: self)
    }
    return value
  }

  /// A whole number within a range.
  func integer(in range: ClosedRange<Int>) throws -> Int {
    guard let value = Int(value.trimmed), range.contains(value) else {
      throw BlockError(
        "'\(key)' must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(value)'",
        at: self)
    }
    return value
  }

  func boolean() throws -> Bool {
    switch value.trimmed.lowercased() {
    case "true", "yes", "on": return true
    case "false", "no", "off": return false
    default: throw BlockError("'\(key)' must be true or false, not '\(value)'", at: self)
    }
  }

  /// Numbers separated by spaces or commas.
  func numbers() throws -> [Double] {
    try Self.numbers(in: value, option: self)
  }

  /// Samples separated by `;` or line breaks, each a list of numbers.
  func samples() throws -> [[Double]] {
    var rows: [[Double]] = []
    // Line by line, so that a bad number in a later row is located on its own line (the
    // continuation lines of a value follow its first, indented alike).
    for (index, line) in value.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
    {
      for part in line.split(separator: ";") where !String(part).trimmed.isEmpty {
        do {
          rows.append(try Self.numbers(in: String(part), option: self))
        } catch var error as BlockError {
          // At the bad number itself (the words are slices of the line: their offsets are
          // the line's, found without a search).
          var column = valueLocation.column
          if let bad = part.split(whereSeparator: { $0.isWhitespace || $0 == "," }).first(where: {
            Self.parseNumber(String($0)) == nil
          }) {
            column += line.utf8.distance(from: line.utf8.startIndex, to: bad.startIndex)
            error.length = max(1, bad.count)
          }
          error.location = SourceLocation(line: valueLocation.line + index, column: column)
          if index > 0 {
            error.sourceLine =
              String(repeating: " ", count: max(0, valueLocation.column - 1)) + line
          }
          throw error
        }
      }
    }
    return rows
  }

  /// The words of the value.
  var words: [String] {
    value.split(whereSeparator: { $0.isWhitespace || $0 == "," }).map(String.init)
  }

  /// `name=value` words, the values numbers.
  func assignments() throws -> [(name: String, value: Double)] {
    try words.map { word in
      let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
      guard parts.count == 2, !parts[0].isEmpty, let number = Self.parseNumber(parts[1]) else {
        throw BlockError("expected name=number in '\(key)', found '\(word)'", at: self)
      }
      return (parts[0], number)
    }
  }

  /// `key=value` words, the values kept as text (`patience=5 monitor=val_loss`).
  func settings() throws -> [String: String] {
    var result: [String: String] = [:]
    for word in words {
      let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
      guard parts.count == 2 else {
        throw BlockError("expected key=value in '\(key)', found '\(word)'", at: self)
      }
      result[parts[0]] = parts[1]
    }
    return result
  }

  static func numbers(in text: String, option: DirectiveOption) throws -> [Double] {
    try text.split(whereSeparator: { $0.isWhitespace || $0 == "," }).map { word in
      guard let number = parseNumber(String(word)) else {
        throw BlockError("'\(word)' in '\(option.key)' is not a number", at: option)
      }
      return number
    }
  }

  /// A number as notebooks write it: `0.5`, `-0.3`, `−0.3`, `1e-3`, `1/16`.
  static func parseNumber(_ text: String) -> Double? {
    var cleaned = text.trimmed
    // U+2212 (the minus sign) starts with byte 0xE2; most numbers skip the replacement.
    if cleaned.utf8.contains(0xE2) { cleaned = cleaned.replacing("−", with: "-") }
    if let slash = cleaned.firstIndex(of: "/") {
      guard let top = DecimalNumber.parse(cleaned[..<slash]),
        let bottom = DecimalNumber.parse(cleaned[cleaned.index(after: slash)...]), bottom != 0
      else { return nil }
      let value = top / bottom
      return value.isFinite ? value : nil
    }
    return DecimalNumber.parse(cleaned)
  }
}

extension String {
  /// The text without white space at either end.
  var trimmed: String {
    guard let first = firstIndex(where: { !$0.isWhitespace }),
      let last = lastIndex(where: { !$0.isWhitespace })
    else { return "" }
    return String(self[first...last])
  }
}
