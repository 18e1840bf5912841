import Figures
import Notebook

/// A result table as data: cells keep their numbers, and the renderers format them with
/// the one number formatter, so Markdown and HTML show the same digits.
public struct Table: Codable, Hashable, Sendable {
  public var caption: String?
  public var header: [String]
  public var rows: [[Cell]]
  /// Decimals for plain number cells.
  public var precision: Int

  public init(caption: String? = nil, header: [String], rows: [[Cell]], precision: Int) {
    self.caption = caption
    self.header = header
    self.rows = rows
    self.precision = precision
  }
}

extension Table {
  /// Every value key the table shows, in cells and inside formulas.
  public var keys: Set<ValueKey> {
    var keys: Set<ValueKey> = []
    func collect(_ part: FormulaPart) {
      if case .keyed(let key, let inner) = part {
        keys.insert(key)
        collect(inner)
      }
    }
    func collect(_ cell: Cell) {
      switch cell {
      case .keyed(let key, let inner):
        keys.insert(key)
        collect(inner)
      case .formula(let parts): parts.forEach(collect)
      default: break
      }
    }
    for row in rows { row.forEach(collect) }
    return keys
  }
}

/// One cell of a table.
public indirect enum Cell: Codable, Hashable, Sendable {
  case text(String)
  /// A number shown with the table's precision, or with its own decimals.
  case number(Double, decimals: Int? = nil)
  /// A number as an author writes it: at most the table's decimals, no trailing zeros
  /// (`42`, `0.2`, `-0.3`).
  case plain(Double)
  /// A measured quantity (a loss): fixed decimals, or scientific notation when it would
  /// otherwise print as zero (`3.2e-07`).
  case measured(Double)
  case integer(Int)
  /// A substituted formula: `−0.3 + (0.9)(0.1311)(0.332) = −0.261`.
  case formula([FormulaPart])
  /// A check mark: passed or failed.
  case mark(Bool)
  case empty
  /// A cell showing a named value of the block (`Err4`, `new_w46`, `loss@10`): the unit an
  /// exercise can blank for students.
  case keyed(ValueKey, Cell)
}

/// A piece of a formula cell.
public indirect enum FormulaPart: Codable, Hashable, Sendable {
  case text(String)
  /// A number, with its own decimals or the table's; `trimmed` drops trailing zeros (for
  /// values the author wrote, shown as written: 0.9, −0.3).
  case number(Double, decimals: Int?, trimmed: Bool = false)
  /// A number in parentheses, the textbook's way of writing a factor: (0.9).
  case factor(Double, decimals: Int?, trimmed: Bool = false)
  /// A part showing a named value (`Err6` inside w46's update row), blanked with it.
  case keyed(ValueKey, FormulaPart)
}

/// What a block shows, in order.
public enum ResultItem: Codable, Hashable, Sendable {
  case table(Table)
  case figure(FigureResult)
  /// A sentence of plain text (no Markdown).
  case note(String)
  /// The error a block was meant to fail with (`expect_error:`), shown as a result.
  case expectedError(String)
  /// Code that recomputes the block's results (``GeneratedCode``): the exported notebook's
  /// cell, and the handout's `echo: numpy` listing.
  case code(GeneratedCode)
  /// The heading of a numbered exercise.
  case exercise(number: Int, title: String, points: Int)
}

/// A figure and the caption the block gave it.
public struct FigureResult: Codable, Hashable, Sendable {
  public var figure: Figure
  public var caption: String
}

/// Code generated for a block.
public struct GeneratedCode: Codable, Hashable, Sendable {
  public enum Language: String, Codable, Sendable {
    /// Runs in a stock Python 3 kernel with NumPy, after the support cell.
    case numpy
    /// A Keras rendering of the block, as text (not run).
    case keras
  }
  public var language: Language
  public var lines: [String]

  public init(_ language: Language, _ lines: [String]) {
    self.language = language
    self.lines = lines
  }
}

extension FormulaPart {
  /// A computed value in a worked formula (a convolution's sum, a state of a recurrent
  /// cell): without trailing zeros (`2`, `0.25`) unless that would print an inexact value
  /// as a whole number (`0` for 0.00005), which a reader takes as exact; then with the
  /// table's decimals (`0.0001`).
  static func value(_ x: Double, precision: Int) -> FormulaPart {
    .number(x, decimals: nil, trimmed: writesExactly(x, precision: precision))
  }

  /// ``value(_:precision:)`` in parentheses, as a factor.
  static func factorValue(_ x: Double, precision: Int) -> FormulaPart {
    .factor(x, decimals: nil, trimmed: writesExactly(x, precision: precision))
  }

  /// Whether `x` trimmed to `precision` decimals is not a whole number standing for an
  /// inexact value.
  static func writesExactly(_ x: Double, precision: Int) -> Bool {
    var scale = 1.0
    for _ in 0..<max(0, min(precision, 15)) { scale *= 10 }
    let shown = (x * scale).rounded() / scale
    return shown != shown.rounded() || x == x.rounded()
  }
}
