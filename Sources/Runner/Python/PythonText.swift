import NeuralEngine
import Notebook

/// Python source text (public for tests and tools that check generated code): literals and names for the code a block generates. Numbers are
/// written so that Python reads back the same double (Swift's shortest round-trip form).
public enum PythonText {
  public static func number(_ x: Double) -> String {
    if x.isNaN { return "math.nan" }
    if x.isInfinite { return x > 0 ? "math.inf" : "-math.inf" }
    if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) + ".0" }
    return "\(x)"
  }

  /// A string literal (double quotes; escapes as JSON writes them, which Python reads).
  static func string(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case let s where s.value < 0x20:
        let hex = String(s.value, radix: 16)
        out += "\\x" + String(repeating: "0", count: 2 - hex.count) + hex
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }

  static func strings(_ items: [String]) -> String {
    "[" + items.map(string).joined(separator: ", ") + "]"
  }

  static func numbers(_ items: [Double]) -> String {
    "[" + items.map(number).joined(separator: ", ") + "]"
  }

  /// A matrix as `np.array([[…], […]])`, one row per line when it has several.
  static func array(_ rows: [[Double]], indent: String = "") -> String {
    if rows.count <= 1 { return "np.array([" + rows.map(numbers).joined() + "])" }
    let inner = rows.map { indent + "    " + numbers($0) }.joined(separator: ",\n")
    return "np.array([\n" + inner + ",\n" + indent + "])"
  }

  static func array(_ matrix: Matrix<Double>, indent: String = "") -> String {
    array((0..<matrix.rows).map { r in (0..<matrix.columns).map { matrix[r, $0] } }, indent: indent)
  }

  /// A notebook name (`hk`, `fit`, `digits.train`) as a Python variable: letters, digits and
  /// `_`, never a keyword, a builtin or a support function (a data set named `fit` is
  /// `fit_`). A part (`digits.train`) is an attribute of its set.
  /// A data set as Python names it: `digits.train` (the part an attribute of the set).
  static func name(_ reference: DataReference) -> String {
    identifier(reference.owner) + (reference.part.map { "." + $0.rawValue } ?? "")
  }

  static func name(_ text: String) -> String {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    guard let first = parts.first else { return "_" }
    return ([identifier(first)] + parts.dropFirst().map(identifier)).joined(separator: ".")
  }

  private static func identifier(_ text: String) -> String {
    var out = String(
      text.unicodeScalars.map { scalar -> Character in
        let ascii = scalar.isASCII
        let letter = ascii && (scalar.properties.isAlphabetic || scalar == "_")
        let digit = ascii && ("0"..."9").contains(Character(scalar))
        return letter || digit ? Character(scalar) : "_"
      })
    if out.isEmpty || out.first?.isNumber == true { out = "_" + out }
    if reserved.contains(out) { out += "_" }
    return out
  }

  /// Python's keywords and builtins a notebook might reuse, and the support cell's names.
  static let reserved: Set<String> = [
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class",
    "continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if",
    "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try",
    "while", "with", "yield", "abs", "all", "any", "dict", "filter", "float", "format", "id",
    "input", "int", "iter", "len", "list", "map", "max", "min", "next", "object", "open", "print",
    "range", "round", "set", "slice", "sorted", "str", "sum", "type", "zip", "np", "math", "V",
    "Data", "Dense", "Model", "Random", "Optimizer", "Node", "Tally", "History", "Gradients",
    "activate", "backward", "forward", "predict", "fit", "evaluate", "model", "split", "show",
    "check", "key", "exp", "log", "sin", "cos", "tanh", "sqrt", "sigmoid", "relu", "absolute",
    "lift", "gradients", "scaler", "pixels", "one_hot", "table_data", "number", "display", "HTML",
    "Markdown", "plt", "X", "T", "g", "z", "a", "new", "history",
  ]

  /// The block's caption as a `show` argument (`, caption="…"`), or nothing.
  static func caption(_ context: BlockContext) -> String {
    context.caption.map { ", caption=\(string($0))" } ?? ""
  }

  /// A comment line (no line breaks inside).
  static func comment(_ text: String) -> String {
    "# " + text.split(whereSeparator: \.isNewline).joined(separator: " ")
  }
}
