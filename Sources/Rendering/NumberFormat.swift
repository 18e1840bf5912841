import Figures
import Runner

/// Numbers in handouts: cells and quoted values, written by the one formatter
/// (``NumberText``) so Markdown, HTML, tables, prose and figures agree.
public enum NumberFormat {
  /// Fixed decimals (``NumberText/fixed(_:decimals:)``).
  public static func fixed(_ value: Double, decimals: Int) -> String {
    NumberText.fixed(value, decimals: decimals)
  }

  /// Fixed decimals without trailing zeros (``NumberText/trimmed(_:decimals:)``).
  public static func trimmed(_ value: Double, decimals: Int) -> String {
    NumberText.trimmed(value, decimals: decimals)
  }

  /// Fixed, or scientific when fixed would show zero (``NumberText/measured(_:decimals:)``).
  public static func measured(_ value: Double, decimals: Int) -> String {
    NumberText.measured(value, decimals: decimals)
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
