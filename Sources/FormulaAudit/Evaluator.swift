import Foundation

/// An interval of reals: a printed number stands for every value that rounds to it.
public struct Interval: Equatable, Sendable, CustomStringConvertible {
  public var low: Double
  public var high: Double

  public init(_ low: Double, _ high: Double) {
    self.low = min(low, high)
    self.high = max(low, high)
  }

  public init(exactly value: Double) { self.init(value, value) }

  /// The midpoint, the value a reader would compute.
  public var middle: Double { low / 2 + high / 2 }

  public var description: String { "[\(low), \(high)]" }

  static let everything = Interval(-.infinity, .infinity)

  /// Whether two intervals share a point, with a sliver of slack for the binary rounding of
  /// the evaluation itself.
  public func meets(_ other: Interval) -> Bool {
    let slack = 1e-12 * max(1, abs(low), abs(high), abs(other.low), abs(other.high))
    return low <= other.high + slack && other.low <= high + slack
  }

  static func + (a: Interval, b: Interval) -> Interval { Interval(a.low + b.low, a.high + b.high) }
  static func - (a: Interval, b: Interval) -> Interval { Interval(a.low - b.high, a.high - b.low) }
  static prefix func - (a: Interval) -> Interval { Interval(-a.high, -a.low) }

  static func * (a: Interval, b: Interval) -> Interval {
    let products = [a.low * b.low, a.low * b.high, a.high * b.low, a.high * b.high]
    guard !products.contains(where: \.isNaN) else { return .everything }
    return Interval(products.min() ?? 0, products.max() ?? 0)
  }

  static func / (a: Interval, b: Interval) -> Interval {
    guard b.low > 0 || b.high < 0 else { return .everything }
    return a * Interval(1 / b.high, 1 / b.low)
  }

  /// A function that only rises: its ends are the interval's.
  func rising(_ f: (Double) -> Double) -> Interval { Interval(f(low), f(high)) }
}

/// A formula as printed, read back: arithmetic on printed numbers and names, with
/// `+ − · × / ÷ ^`, unary minus, parentheses, implicit products (`(0.9)(0.1312)`,
/// `2(a + b)`), superscript powers (`x²`), `√(…)` and the functions a lecture prints. It
/// shares no code with nbrun's engine or its printers: it reads the page as a reader would.
public struct Evaluator {
  /// Values of the names a formula may use (`w1 = 0.8` printed beside it).
  public var names: [String: Interval]

  public init(names: [String: Interval] = [:]) { self.names = names }

  /// What went wrong reading a formula: it is not one (a word the grammar does not know),
  /// or it names something with no printed value.
  public enum Failure: Error, Equatable {
    case notAFormula
    case unknownName(String)
  }

  /// The value of an expression, or why it has none.
  public func evaluate(_ text: String) throws(Failure) -> Interval {
    let tokens = try Tokenizer.tokens(text)
    // The grammar first, with any name allowed: words are not a formula with unknown names.
    var grammar = Parser(tokens: tokens, names: names, anyName: true)
    _ = try grammar.sum()
    guard grammar.atEnd else { throw .notAFormula }
    var parser = Parser(tokens: tokens, names: names)
    return try parser.sum()
  }

  /// Whether an expression has an operator (or a function): `w1·x1`, not `w1`.
  public static func isCompound(_ text: String) -> Bool {
    guard let tokens = try? Tokenizer.tokens(text) else { return false }
    return tokens.count > 1
  }
}

/// The tokens of a printed formula.
enum Token: Equatable {
  case number(Interval)
  case name(String)
  case symbol(Character)
  /// A superscript exponent (`²`).
  case power(Double)
}

enum Tokenizer {
  static let superscripts: [Character: Int] = [
    "⁰": 0, "¹": 1, "²": 2, "³": 3, "⁴": 4, "⁵": 5, "⁶": 6, "⁷": 7, "⁸": 8, "⁹": 9,
  ]
  static let subscripts = Set("₀₁₂₃₄₅₆₇₈₉ⱼₖᵢ")

  static func tokens(_ text: String) throws(Evaluator.Failure) -> [Token] {
    let characters = Array(text)
    guard characters.count <= 2_000 else { throw .notAFormula }
    var tokens: [Token] = []
    var i = 0
    while i < characters.count {
      let c = characters[i]
      if c.isWhitespace {
        i += 1
      } else if c.isASCII, c.isNumber || c == "." {
        var end = i
        while end < characters.count, characters[end].isASCII,
          characters[end].isNumber || characters[end] == "."
        {
          end += 1
        }
        var mantissa = String(characters[i..<end])
        var exponent = 0
        // An exponent: 1e-05, 2.4e-10.
        if end < characters.count, characters[end] == "e" {
          var k = end + 1
          var sign = 1
          if k < characters.count, characters[k] == "-" || characters[k] == "+" {
            sign = characters[k] == "-" ? -1 : 1
            k += 1
          }
          let digits = characters[k...].prefix { $0.isASCII && $0.isNumber }
          if !digits.isEmpty, digits.count < 4, let e = Int(String(digits)) {
            exponent = sign * e
            end = k + digits.count
          }
        }
        guard mantissa.filter({ $0 == "." }).count <= 1, mantissa != "." else {
          throw .notAFormula
        }
        if mantissa.hasPrefix(".") { mantissa = "0" + mantissa }
        guard let value = Double(mantissa) else { throw .notAFormula }
        tokens.append(.number(printed(value, mantissa: mantissa, exponent: exponent)))
        i = end
      } else if let digit = superscripts[c] {
        var value = Double(digit)
        var k = i + 1
        while k < characters.count, let next = superscripts[characters[k]] {
          value = value * 10 + Double(next)
          k += 1
        }
        tokens.append(.power(value))
        i = k
      } else if c.isLetter || c == "_" {
        var end = i + 1
        while end < characters.count,
          characters[end].isLetter || characters[end].isNumber || characters[end] == "_"
            || characters[end] == "′" || subscripts.contains(characters[end])
        {
          end += 1
        }
        tokens.append(.name(String(characters[i..<end])))
        i = end
      } else if "+-−·×*/÷^()√,".contains(c) {
        tokens.append(.symbol(c))
        i += 1
      } else {
        throw .notAFormula
      }
    }
    return tokens
  }

  /// A printed number as the interval of values that print so: a number with d decimals is
  /// ±½·10⁻ᵈ; one printed without a decimal point (a count, a constant, `1` in `1 − a`) is
  /// exact.
  static func printed(_ mantissa: Double, mantissa text: String, exponent: Int) -> Interval {
    let scale = power10(exponent)
    let value = mantissa * scale
    guard let dot = text.firstIndex(of: ".") else { return Interval(exactly: value) }
    let decimals = text.distance(from: dot, to: text.endIndex) - 1
    let half = 0.5 * power10(-decimals) * scale
    return Interval(value - half, value + half)
  }

  static func power10(_ n: Int) -> Double {
    var result = 1.0
    for _ in 0..<min(abs(n), 400) { result *= 10 }
    return n < 0 ? 1 / result : result
  }
}

/// Recursive descent over the tokens, depth-limited (a page's formula is short).
struct Parser {
  var tokens: [Token]
  var names: [String: Interval]
  /// Whether an unknown name reads as any value (checking the grammar alone).
  var anyName = false
  var position = 0
  var depth = 0

  var atEnd: Bool { position == tokens.count }

  static let functions: [String: @Sendable (Interval) -> Interval] = [
    "exp": { $0.rising { Foundation.exp($0) } },
    "log": { $0.low > 0 ? $0.rising { Foundation.log($0) } : .everything },
    "ln": { $0.low > 0 ? $0.rising { Foundation.log($0) } : .everything },
    "sqrt": { $0.low >= 0 ? $0.rising { $0.squareRoot() } : .everything },
    "tanh": { $0.rising { Foundation.tanh($0) } },
    "sigmoid": { $0.rising { 1 / (1 + Foundation.exp(-$0)) } },
    "σ": { $0.rising { 1 / (1 + Foundation.exp(-$0)) } },
    "relu": { $0.rising { max(0, $0) } },
    "abs": { x in
      x.low >= 0 ? x : x.high <= 0 ? -x : Interval(0, max(-x.low, x.high))
    },
  ]

  func peek() -> Token? { position < tokens.count ? tokens[position] : nil }

  mutating func take(_ symbol: Character) -> Bool {
    guard peek() == .symbol(symbol) else { return false }
    position += 1
    return true
  }

  mutating func sum() throws(Evaluator.Failure) -> Interval {
    depth += 1
    defer { depth -= 1 }
    guard depth < 200 else { throw .notAFormula }
    var value = try product()
    while true {
      if take("+") {
        value = value + (try product())
      } else if take("-") || take("−") {
        value = value - (try product())
      } else {
        return value
      }
    }
  }

  mutating func product() throws(Evaluator.Failure) -> Interval {
    var value = try unary()
    while true {
      if take("·") || take("×") || take("*") {
        value = value * (try unary())
      } else if take("/") || take("÷") {
        value = value / (try unary())
      } else if startsFactor {
        // An implicit product: (0.9)(0.1312), 2(a + b), 3x.
        value = value * (try power())
      } else {
        return value
      }
    }
  }

  /// An implicit product continues after a number or a parenthesis: `(0.9)(0.1312)`,
  /// `2(a + b)`, `3x`. Two names side by side (`at η`) are words, not a product.
  var startsFactor: Bool {
    let previous = position > 0 ? tokens[position - 1] : nil
    switch (previous, peek()) {
    case (.name?, .name?): return false
    case (_, .symbol("(")?), (_, .symbol("√")?), (_, .name?): return true
    default: return false
    }
  }

  mutating func unary() throws(Evaluator.Failure) -> Interval {
    if take("-") || take("−") { return -(try unary()) }
    if take("+") { return try unary() }
    return try power()
  }

  mutating func power() throws(Evaluator.Failure) -> Interval {
    let base = try primary()
    if case .power(let n)? = peek() {
      position += 1
      return raise(base, n)
    }
    if take("^") {
      let exponent = try unary()
      guard exponent.low == exponent.high, exponent.low == exponent.low.rounded(),
        abs(exponent.low) <= 64
      else {
        // A real exponent: the ends, for a positive base.
        guard base.low > 0 else { return .everything }
        let ends = [base.low, base.high].flatMap { b in
          [exponent.low, exponent.high].map { Foundation.pow(b, $0) }
        }
        return Interval(ends.min() ?? 0, ends.max() ?? 0)
      }
      return raise(base, exponent.low)
    }
    return base
  }

  /// x^n for a whole n.
  func raise(_ x: Interval, _ n: Double) -> Interval {
    let count = Int(abs(n))
    var result = Interval(exactly: 1)
    if count % 2 == 0, x.low < 0, x.high > 0 {
      let top = Foundation.pow(max(-x.low, x.high), Double(count))
      result = Interval(0, top)
    } else {
      for _ in 0..<count { result = result * x }
    }
    return n < 0 ? Interval(exactly: 1) / result : result
  }

  mutating func primary() throws(Evaluator.Failure) -> Interval {
    guard let token = peek() else { throw .notAFormula }
    position += 1
    switch token {
    case .number(let value):
      return value
    case .symbol("("):
      let value = try sum()
      guard take(")") else { throw .notAFormula }
      return value
    case .symbol("√"):
      return try Self.functions["sqrt"]?(primary()) ?? .everything
    case .name(let name):
      if peek() == .symbol("("), let function = Self.functions[name] {
        position += 1
        let argument = try sum()
        guard take(")") else { throw .notAFormula }
        return function(argument)
      }
      if peek() == .symbol("("), name == "max" || name == "min" {
        position += 1
        let a = try sum()
        guard take(",") else { throw .notAFormula }
        let b = try sum()
        guard take(")") else { throw .notAFormula }
        return name == "max"
          ? Interval(max(a.low, b.low), max(a.high, b.high))
          : Interval(min(a.low, b.low), min(a.high, b.high))
      }
      guard let value = names[name] else {
        if anyName { return .everything }
        throw .unknownName(name)
      }
      return value
    default:
      throw .notAFormula
    }
  }
}
