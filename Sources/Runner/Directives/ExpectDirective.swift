import Figures
import Notebook

/// ```expect```: one assertion per line, checked on every run.
struct ExpectDirective: Directive {
  static let kind = DirectiveKind.expect
  static let syntax: DirectiveSyntax = DirectiveSyntax(
    body: .assertions, name: .optional("an optional label"))

  /// Nothing: it only reads.
  func changes(_ block: DirectiveBlock) -> [String] { [] }
  static let summary = "assertions on computed values, checked on every run"
  static let storedValues = "none"
  static let bodySyntax: String? =
    "The body is one assertion per line: `reference operator value`, with `≈`, `=`, `==`, `!=`, `<`, `<=`, `>`, `>=`. On numbers, `≈`, `=` and `==` hold within the precision written: one unit of the value's last decimal (`hk.O6 ≈ 0.474` holds for 0.473 to 0.475, `fit.epochs = 12` only for 12). `± tolerance` (or `+-`) states the tolerance instead, and it is used exactly: the assertion holds when |computed − expected| ≤ tolerance, with no further slack. The value may be a number, `true`/`false`, or another computed value (`flat.output = deep.output ± 1e-12`). A failed assertion fails the run, and `nbrun --check`."

  static var fields: [OptionField<Self>] { [] }

  func validate(_ block: DirectiveBlock) -> [BlockError] {
    guard !block.lines.isEmpty else {
      return [
        BlockError("an expect block needs at least one assertion", hint: "e.g. 'hk.O6 ≈ 0.474'")
      ]
    }
    return block.lines.compactMap { line in
      do {
        _ = try Assertion(parsing: line)
        return nil
      } catch let error as BlockError {
        return error
      } catch {
        return BlockError("\(error)", at: line)
      }
    }
  }

  func reads(_ block: DirectiveBlock) -> [String] {
    block.lines.compactMap { (try? Assertion(parsing: $0))?.reference.owner }
  }

  func run(_ context: BlockContext) throws -> [ResultItem] {
    let values = context.namespace.values
    let position = context.definer.index
    var rows: [[Cell]] = []
    var failures: [(SourceText, String)] = []
    for line in context.block.lines {
      var assertion = try Assertion(parsing: line)
      var other: Value?
      if case .reference(let key) = assertion.expected {
        let value = try located(values.resolve(key.description, at: position), line).1
        assertion.expected = .value(value)
        other = value
      }
      let (_, value) = try located(
        values.resolve(assertion.reference.description, at: position), line)
      let passed = assertion.holds(for: value)
      let shown: Cell =
        switch (value, other) {
        case (.number(let number), nil):
          number == number.rounded()
            ? .plain(number)
            // A value too small for the decimals written shows its significant digits.
            : abs(number) < Assertion.unit(decimals: assertion.decimals + 1)
              ? .text(NumberText.significant(number, digits: 3))
              : .number(number, decimals: assertion.decimals + 1)
        case (_, let other?):
          // Two computed values: both are shown, each to four significant digits, so a
          // comparison of small numbers never reads "0.0".
          .text("\(Self.shown(value)) \(assertion.operation.rawValue) \(Self.shown(other))")
        default: .text(value.description)
        }
      rows.append([.text(line.text), shown, .mark(passed)])
      if !passed {
        failures.append(
          (
            line,
            "expected \(line.text), but \(assertion.reference) is \(value.number.map(NumberText.plain) ?? value.description)"
          ))
      }
    }
    let table = Table(
      caption: context.caption, header: ["Expectation", "Computed", "Holds"], rows: rows,
      precision: context.precision)
    if let (line, message) = failures.first {
      var error = BlockError(
        failures.count == 1 ? message : "\(message) (and \(failures.count - 1) more)", at: line,
        hint: "if the notebook changed on purpose, update the expectation")
      error.length = line.text.count
      throw ExpectationFailure(error: error, table: table)
    }
    return context.showsResults ? [.table(table)] : []
  }

  /// A computed value as the comparison row shows it.
  static func shown(_ value: Value) -> String {
    if case .number(let number) = value { return NumberText.short(number) }
    return value.description
  }

  /// A lookup's error, placed at the assertion's line.
  private func located<T>(_ result: Result<T, BlockError>, _ line: SourceText) throws -> T {
    switch result {
    case .success(let value): return value
    case .failure(let error): throw BlockError(error.message, at: line, hint: error.hint)
    }
  }
}

/// A failed expectation: the error, and the table that still belongs in the handout.
struct ExpectationFailure: Error {
  var error: BlockError
  var table: Table
}

/// `reference operator value [± tolerance]`.
struct Assertion {
  enum Operator: String, CaseIterable {
    case approximately = "≈"
    case equal = "=="
    case notEqual = "!="
    case lessOrEqual = "<="
    case greaterOrEqual = ">="
    case less = "<"
    case greater = ">"
    case assign = "="
  }

  enum Expected {
    case value(Value)
    /// Another computed value, resolved when the block runs.
    case reference(ValueKey)
  }

  var reference: ValueKey
  var operation: Operator
  var expected: Expected
  var tolerance: Double
  /// Decimals written in the expected value.
  var decimals: Int

  init(parsing line: SourceText) throws {
    let text = line.text
    guard
      let (operation, range) = Operator.allCases.lazy.compactMap({ op in
        text.firstByteRange(of: " \(op.rawValue) ").map { (op, $0) }
          ?? text.firstByteRange(of: op.rawValue).map { (op, $0) }
      }).first
    else {
      throw BlockError(
        "expected 'name.value operator number'", at: line,
        hint: "e.g. 'hk.O6 ≈ 0.474', 'fit.loss < 0.01', 'p.converged == false'")
    }
    let left = String(text[..<range.lowerBound]).trimmed
    self.operation = operation
    var right = String(text[range.upperBound...]).trimmed
    var tolerance: Double?
    for marker in ["±", "+/-", "+-"] {
      if let split = right.firstByteRange(of: marker) {
        let written = String(right[split.upperBound...]).trimmed
        guard let value = DirectiveOption.parseNumber(written), value >= 0 else {
          throw BlockError("the tolerance '\(written)' is not a number ≥ 0", at: line)
        }
        tolerance = value
        right = String(right[..<split.lowerBound]).trimmed
        break
      }
    }
    guard let key = ValueKey(parsing: left) else {
      throw BlockError("'\(left)' is not a reference like 'hk.O6'", at: line)
    }
    reference = key
    if right == "true" || right == "false" {
      expected = .value(.bool(right == "true"))
      decimals = 0
    } else if let number = DirectiveOption.parseNumber(right) {
      expected = .value(.number(number))
      decimals =
        right.split(separator: ".").dropFirst().first.map { $0.prefix { $0.isNumber }.count } ?? 0
    } else if let other = ValueKey(parsing: right) {
      expected = .reference(other)
      decimals = 0
    } else {
      throw BlockError(
        "'\(right)' is neither a number, true/false, nor a reference like 'hk.O6'", at: line)
    }
    self.tolerance = tolerance ?? Self.unit(decimals: decimals)
    if tolerance == nil, decimals == 0 { self.tolerance = 0 }
  }

  /// One unit of the last decimal: 10⁻ᵈ, exactly as the decimal literal reads.
  static func unit(decimals: Int) -> Double {
    Double("1e-\(max(0, min(decimals, 300)))") ?? 0
  }

  func holds(for value: Value) -> Bool {
    guard case .value(let expected) = expected else { return false }
    switch (value, expected) {
    case (.bool(let a), .bool(let b)):
      return operation == .notEqual
        ? a != b
        : (operation == .equal || operation == .assign || operation == .approximately) && a == b
    case (.number(let a), .number(let b)):
      switch operation {
      case .approximately, .equal, .assign: return abs(a - b) <= tolerance
      case .notEqual: return abs(a - b) > tolerance
      case .less: return a < b
      case .lessOrEqual: return a <= b
      case .greater: return a > b
      case .greaterOrEqual: return a >= b
      }
    default:
      return false
    }
  }
}
