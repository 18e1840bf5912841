import Foundation
import Runner

/// The one number formatter: every number in every handout is written here, so Markdown
/// and HTML, tables and prose show the same digits, on every run and machine.
public enum NumberFormat {
  /// Fixed decimals, rounded half away from zero on the printed decimal value, with no
  /// negative zero: `-0.26082` at 3 → `-0.261`, `-0.0001` at 3 → `0.000`.
  public static func fixed(_ value: Double, decimals: Int) -> String {
    guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "∞" : "-∞") }
    let digits = max(0, min(12, decimals))
    var text = String(format: "%.\(digits)f", value)
    if text.hasPrefix("-"), text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) {
      text.removeFirst()
    }
    return text
  }

  /// Fixed decimals without trailing zeros: how an author writes a given value (0.9, -0.3, 1).
  public static func trimmed(_ value: Double, decimals: Int) -> String {
    var text = fixed(value, decimals: decimals)
    if text.contains(".") {
      while text.hasSuffix("0") { text.removeLast() }
      if text.hasSuffix(".") { text.removeLast() }
    }
    return text == "-0" ? "0" : text
  }

  /// Fixed decimals, or two significant digits in scientific notation for a non-zero value
  /// that fixed decimals would show as zero.
  public static func measured(_ value: Double, decimals: Int) -> String {
    var threshold = 0.5
    for _ in 0..<max(0, decimals) { threshold /= 10 }
    guard value != 0, abs(value) < threshold, value.isFinite else {
      return fixed(value, decimals: decimals)
    }
    return String(format: "%.1e", value)
  }

  /// A value quoted in prose (`{{ hk.O6 }}`).
  public static func value(_ value: Value, decimals: Int) -> String {
    switch value {
    case .number(let number):
      number == number.rounded() && abs(number) < 1e12 && decimals == 0
        ? String(Int(number)) : fixed(number, decimals: decimals)
    case .bool(let flag): flag ? "true" : "false"
    case .text(let text): text
    }
  }

  /// A cell as text, with a table's default precision.
  public static func cell(_ cell: Cell, precision: Int) -> String {
    switch cell {
    case .text(let text): return text
    case .number(let value, let decimals): return fixed(value, decimals: decimals ?? precision)
    case .integer(let value): return String(value)
    case .plain(let value): return trimmed(value, decimals: precision)
    case .measured(let value): return measured(value, decimals: precision)
    case .mark(let passed): return passed ? "✓" : "✗"
    case .empty: return ""
    case .formula(let parts):
      return parts.map { part -> String in
        switch part {
        case .text(let text): return text
        case .number(let value, let decimals, let trimmed):
          return trimmed
            ? Self.trimmed(value, decimals: decimals ?? precision)
            : fixed(value, decimals: decimals ?? precision)
        case .factor(let value, let decimals, let trimmed):
          let text =
            trimmed
            ? Self.trimmed(value, decimals: decimals ?? precision)
            : fixed(value, decimals: decimals ?? precision)
          return "(\(text))"
        }
      }.joined()
    }
  }

  /// Whether a cell is numeric (right-aligned).
  static func isNumeric(_ cell: Cell) -> Bool {
    switch cell {
    case .number, .integer, .plain, .measured: true
    default: false
    }
  }
}
