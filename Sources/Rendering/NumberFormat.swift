import Figures
import Notebook
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

  /// A cell as text, with a table's default precision; keyed values in `blanks` become
  /// ``Blanks/blank`` (students) or ``Blanks/answer(_:)`` (the key).
  public static func cell(_ cell: Cell, precision: Int, blanks: Blanks = .none) -> String {
    switch cell {
    case .text(let text): return text
    case .number(let value, let decimals): return fixed(value, decimals: decimals ?? precision)
    case .integer(let value): return String(value)
    case .plain(let value): return trimmed(value, decimals: precision)
    case .measured(let value): return measured(value, decimals: precision)
    case .mark(let passed): return passed ? "✓" : "✗"
    case .empty: return ""
    case .keyed(let key, let inner):
      return blanks.mark(key, Self.cell(inner, precision: precision, blanks: blanks))
    case .formula(let parts):
      return parts.map { formulaPart($0, precision: precision, blanks: blanks) }.joined()
    }
  }

  /// One part of a formula, as text.
  static func formulaPart(_ part: FormulaPart, precision: Int, blanks: Blanks) -> String {
    switch part {
    case .keyed(let key, let inner):
      return blanks.mark(key, formulaPart(inner, precision: precision, blanks: blanks))
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
  }

  /// Whether a cell is numeric (right-aligned).
  static func isNumeric(_ cell: Cell) -> Bool {
    switch cell {
    case .number, .integer, .plain, .measured: true
    case .keyed(_, let inner): isNumeric(inner)
    default: false
    }
  }
}

/// Which build a handout is, and which of a block's values it blanks.
public enum Build: String, Hashable, Sendable {
  /// The lecture handout: every result, no blanks; the author's expectation tables are
  /// left out (unless front matter says `review: true`), a failing one excepted.
  case handout
  /// The handout with every expectation table where its block stands: for the author.
  case review
  /// Solutions, expectations and blanked values left out.
  case student
  /// Everything, blanked values shown as answers, and a summary of the questions.
  case key

  /// Whether this build shows blanks (a student's) or answers (the key's).
  public var hasBlanks: Bool { self == .student || self == .key }
}

/// The blanked keys of one block in one build. Values pass through the formatter as text
/// with private-use marker characters, which each renderer turns into its own syntax.
public struct Blanks: Sendable {
  public var keys: Set<ValueKey>
  public var build: Build

  public static let none = Blanks(keys: [], build: .handout)

  /// Stands for an empty answer box.
  public static let blank = "\u{E000}"
  static let answerOpen = "\u{E001}"
  static let answerClose = "\u{E002}"

  func mark(_ key: ValueKey, _ text: String) -> String {
    guard keys.contains(key) else { return text }
    switch build {
    case .handout, .review: return text
    case .student: return Self.blank
    case .key: return Self.answerOpen + text + Self.answerClose
    }
  }

  /// A blank inside math, as TeX: an empty box for students, the boxed answer in the key
  /// (markup inside a formula would break it, in the page and on GitHub alike).
  func markTeX(_ key: ValueKey, _ text: String) -> String {
    guard keys.contains(key) else { return text }
    switch build {
    case .handout, .review: return text
    case .student: return "\\boxed{\\phantom{0.000}}"
    case .key: return "\\boxed{\(text)}"
    }
  }

  /// Whether a text holds any blank or answer mark (most lines hold none).
  static func hasMarks(_ text: String) -> Bool {
    // U+E000…U+E002 are EE 80 80…82 in UTF-8: a byte scan, no decoding (a handout's body,
    // inline SVG included, is most of a megabyte).
    let bytes = text.utf8
    var index = bytes.startIndex
    while let lead = bytes[index...].firstIndex(of: 0xEE) {
      let second = bytes.index(after: lead)
      guard second < bytes.endIndex else { return false }
      let third = bytes.index(after: second)
      if bytes[second] == 0x80, third < bytes.endIndex, (0x80...0x82).contains(bytes[third]) {
        return true
      }
      index = second
    }
    return false
  }

  /// Marked text in Markdown: a blank is `\_\_\_\_` (shown as ____; unescaped, two
  /// blanks in one cell would pair up as emphasis), an answer `**answer**`.
  static func markdown(_ text: String) -> String {
    guard hasMarks(text) else { return text }
    return text.replacing(blank, with: #"\_\_\_\_"#).replacing(answerOpen, with: "**").replacing(
      answerClose, with: "**")
  }

  /// Marked (already escaped) text in HTML that has no nbrun stylesheet (a Jupyter
  /// output): a blank is `____`, an answer bold.
  static func plainHTML(_ text: String) -> String {
    guard hasMarks(text) else { return text }
    return text.replacing(blank, with: "____").replacing(answerOpen, with: "<strong>")
      .replacing(answerClose, with: "</strong>")
  }

  /// Marked (already escaped) text in HTML: an empty box, or a highlighted answer.
  static func html(_ text: String) -> String {
    guard hasMarks(text) else { return text }
    return text.replacing(
      blank,
      with: "<span class=\"answer-box\" role=\"img\" aria-label=\"answer to fill in\"></span>"
    )
    .replacing(answerOpen, with: "<mark class=\"answer\">").replacing(answerClose, with: "</mark>")
  }
}
