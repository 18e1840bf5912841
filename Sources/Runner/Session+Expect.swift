import Notebook

extension Session {
  /// ```expect```: one assertion per line, `hk.O6 ≈ 0.474`, `fit.accuracy >= 0.95`,
  /// `p.converged == false`. `≈`, `=` and `==` allow one unit of the last decimal written
  /// (0.474 ± 0.001) unless `± tolerance` is given.
  func runExpect(_ block: DirectiveBlock, _ context: BlockContext) throws -> [ResultItem] {
    guard !block.lines.isEmpty else {
      throw BlockError("an expect block needs at least one assertion", hint: "e.g. 'hk.O6 ≈ 0.474'")
    }
    var rows: [[Cell]] = []
    var failures: [(SourceText, String)] = []
    for line in block.lines {
      var assertion = try Assertion(parsing: line)
      if case .text(let other) = assertion.expected {
        guard let resolved = References.lookup(other, in: values) else {
          throw BlockError(
            "'\(other)' names no computed value", at: line,
            hint: referenceSuggestion(for: other, in: values))
        }
        assertion.expected = resolved
      }
      guard let value = References.lookup(assertion.reference, in: values) else {
        throw BlockError(
          "'\(assertion.reference)' names no computed value", at: line,
          hint: referenceSuggestion(for: assertion.reference, in: values))
      }
      let passed = assertion.holds(for: value)
      let shown: Cell =
        switch value {
        case .number(let number):
          number == number.rounded()
            ? .plain(number) : .number(number, decimals: assertion.decimals + 1)
        default: .text(value.description)
        }
      rows.append([.text(line.text), shown, .mark(passed)])
      if !passed {
        failures.append((line, "expected \(line.text), but \(assertion.reference) is \(value)"))
      }
    }
    if let (line, message) = failures.first {
      var error = BlockError(
        failures.count == 1 ? message : "\(message) (and \(failures.count - 1) more)", at: line,
        hint: "if the notebook changed on purpose, update the expectation")
      error.length = line.text.count
      throw ExpectationFailure(
        error: error,
        table: Table(
          caption: context.caption, header: ["Expectation", "Computed", "Holds"], rows: rows,
          precision: context.precision))
    }
    guard context.showsResults else { return [] }
    return [
      .table(
        Table(
          caption: context.caption, header: ["Expectation", "Computed", "Holds"], rows: rows,
          precision: context.precision))
    ]
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
    case
      less = "<"
    case greater = ">"
    case assign = "="
  }

  var reference: String
  var operation: Operator
  var expected: Value
  var tolerance: Double
  /// Decimals written in the expected value.
  var decimals: Int

  init(parsing line: SourceText) throws {
    let text = line.text
    guard
      let (operation, range) = Operator.allCases.lazy.compactMap({ op in
        text.range(of: " \(op.rawValue) ").map { (op, $0) }
          ?? text.range(of: op.rawValue).map { (op, $0) }
      }).first
    else {
      throw BlockError(
        "expected 'name.value operator number'", at: line,
        hint: "e.g. 'hk.O6 ≈ 0.474', 'fit.loss < 0.01', 'p.converged == false'")
    }
    reference = String(text[..<range.lowerBound]).trimmed
    self.operation = operation
    var right = String(text[range.upperBound...]).trimmed
    var tolerance: Double?
    for marker in ["±", "+-", "+/-"] {
      if let split = right.range(of: marker) {
        let written = String(right[split.upperBound...]).trimmed
        guard let value = DirectiveOption.parseNumber(written), value >= 0 else {
          throw BlockError("the tolerance '\(written)' is not a number ≥ 0", at: line)
        }
        tolerance = value
        right = String(right[..<split.lowerBound]).trimmed
        break
      }
    }
    guard !reference.isEmpty, reference.contains(".") else {
      throw BlockError("'\(reference)' is not a reference like 'hk.O6'", at: line)
    }
    if right == "true" || right == "false" {
      expected = .bool(right == "true")
      decimals = 0
    } else if let number = DirectiveOption.parseNumber(right) {
      expected = .number(number)
      decimals =
        right.split(separator: ".").dropFirst().first.map { $0.prefix { $0.isNumber }.count } ?? 0
    } else if right.contains("."), !right.contains(" ") {
      expected = .text(right)  // another computed value, resolved when the block runs
      decimals = 0
    } else {
      throw BlockError(
        "'\(right)' is neither a number, true/false, nor a reference like 'hk.O6'", at: line)
    }
    var unit = 1.0
    for _ in 0..<decimals { unit /= 10 }
    self.tolerance = tolerance ?? (decimals > 0 ? unit : 0)
  }

  func holds(for value: Value) -> Bool {
    switch (value, expected) {
    case (.bool(let a), .bool(let b)):
      return operation == .notEqual
        ? a != b
        : (operation == .equal || operation == .assign || operation == .approximately) && a == b
    case (.number(let a), .number(let b)):
      switch operation {
      case .approximately, .equal, .assign: return abs(a - b) <= tolerance + 1e-12
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
