import RealModule
import Spelling

/// Parses expressions into ``ComputationGraph`` nodes and evaluates them as it goes.
///
/// Grammar (`·` and `×` also multiply; a number or `)` followed by `(` or a name
/// multiplies implicitly, so `3(a·b + c)` and `2x` read as written):
/// ```
/// sum     = product (("+" | "-") product)*
/// product = unary (("*" | "/") unary | implicit unary)*
/// unary   = "-" unary | power
/// power   = primary (("^" | "**") unary)?
/// primary = number | name | function "(" sum ("," sum)? ")" | "(" sum ")"
/// ```
/// A power of a negative base is defined for whole exponents ((−2)³ = −8). Nesting is
/// limited (``maximumDepth``), so no input can exhaust the stack.
struct GraphBuilder {
  var nodes: [ComputationGraph.Node] = []
  var named: [String: Int] = [:]
  let values: [String: Double]
  private var characters: [Character] = []
  private var position = 0
  private var source = ""
  private var depth = 0
  /// Set when `interrupt` asked to stop; the build then ends with an error.
  private(set) var stopped = false
  /// Asked every 4096 nodes; `true` stops the build (a time limit).
  var interrupt: (() -> Bool)?

  /// The longest text a node keeps of the expression it stands for.
  static let maximumText = 120

  /// The deepest nesting of parentheses, signs and powers an expression may have.
  static let maximumDepth = 256

  init(values: [String: Double]) {
    self.values = values
  }

  /// Gives a name that is defined again (`c = c + 1`, micrograd's way) to the new node; the
  /// earlier node keeps the name with a prime (`c′`).
  mutating func redefine(_ name: String) {
    guard let old = named[name] else { return }
    var primed = name + "′"
    while named[primed] != nil { primed += "′" }
    if nodes[old].name == name { nodes[old].name = primed }
    named[primed] = old
    named[name] = nil
  }

  mutating func name(_ index: Int, _ name: String, expression: String) {
    if nodes[index].name == nil {
      nodes[index].name = name
    } else {
      // The definition is an alias of an existing node (`v = u`): give it its own node.
      let alias = add(
        .identity, inputs: [index], text: expression, value: nodes[index].value, local: [1])
      nodes[alias].name = name
      named[name] = alias
      return
    }
    named[name] = index
  }

  mutating func parse(_ expression: String) throws -> Int {
    characters = Array(expression)
    position = 0
    source = expression
    skipSpaces()
    guard position < characters.count else { throw error("expected an expression") }
    let index = try sum()
    skipSpaces()
    guard position >= characters.count else {
      throw error("unexpected '\(characters[position])'")
    }
    return index
  }

  private mutating func sum() throws -> Int {
    var left = try product()
    while true {
      if stopped { throw error("the time ran out") }
      skipSpaces()
      guard let c = peek(), c == "+" || c == "-" || c == "−" else { return left }
      position += 1
      let right = try product()
      left = c == "+" ? binary(.add, left, right) : binary(.subtract, left, right)
    }
  }

  private mutating func product() throws -> Int {
    var left = try unary()
    while true {
      if stopped { throw error("the time ran out") }
      skipSpaces()
      guard let c = peek() else { return left }
      if "*·×/".contains(c) {
        position += 1
        let right = try unary()
        left = c == "/" ? binary(.divide, left, right) : binary(.multiply, left, right)
      } else if c == "(" || c.isLetter {
        let right = try unary()
        left = binary(.multiply, left, right)
      } else {
        return left
      }
    }
  }

  private mutating func unary() throws -> Int {
    skipSpaces()
    depth += 1
    defer { depth -= 1 }
    guard depth <= Self.maximumDepth else {
      throw error("the expression is nested more than \(Self.maximumDepth) levels deep")
    }
    if let c = peek(), c == "-" || c == "−" {
      position += 1
      let operand = try unary()
      return add(
        .negate, inputs: [operand], text: "−" + wrapped(operand),
        value: -nodes[operand].value, local: [-1])
    }
    return try power()
  }

  private mutating func power() throws -> Int {
    let base = try primary()
    skipSpaces()
    if peek() == "^" {
      position += 1
    } else if peek() == "*", position + 1 < characters.count, characters[position + 1] == "*" {
      position += 2
    } else {
      return base
    }
    let exponent = try unary()
    let (x, y) = (nodes[base].value, nodes[exponent].value)
    let value = Self.power(x, y)
    let dBase = y == 0 ? 0 : y * Self.power(x, y - 1)
    let dExponent = x > 0 ? value * Double.log(x) : 0
    return add(
      .power, inputs: [base, exponent],
      text: "\(wrapped(base))^\(wrapped(exponent))", value: value, local: [dBase, dExponent])
  }

  /// xʸ, with whole exponents of negative bases defined: (−7)² = 49, (−2)³ = −8.
  static func power(_ x: Double, _ y: Double) -> Double {
    if x < 0, y == y.rounded(), Swift.abs(y) < 1e9, let n = Int(exactly: y) {
      return Double.pow(x, n)
    }
    return Double.pow(x, y)
  }

  private mutating func primary() throws -> Int {
    skipSpaces()
    guard let c = peek() else { throw error("expected a number, a name or '('") }
    if c == "(" {
      position += 1
      let inner = try sum()
      try expect(")")
      return inner
    }
    if c.isNumber || c == "." {
      let start = position
      while let d = peek(), d.isNumber || d == "." { position += 1 }
      if let e = peek(), e == "e" || e == "E",
        position + 1 < characters.count,
        characters[position + 1].isNumber || "+-".contains(characters[position + 1])
      {
        position += 2
        while let d = peek(), d.isNumber { position += 1 }
      }
      let text = String(characters[start..<position])
      guard let number = Double(text) else {
        throw error("'\(text)' is not a number", at: start)
      }
      return add(.constant(number), inputs: [], text: text, value: number, local: [])
    }
    guard c.isLetter || c == "_" else { throw error("unexpected '\(c)'") }
    let start = position
    while let d = peek(), d.isLetter || d.isNumber || d == "_" { position += 1 }
    let name = String(characters[start..<position])
    skipSpaces()
    if peek() == "(", let function = ComputationGraph.Function(rawValue: name) {
      position += 1
      let argument = try sum()
      if function.arity == 2 {
        try expect(",")
        let second = try sum()
        try expect(")")
        return apply(function, to: argument, and: second)
      }
      try expect(")")
      return apply(function, to: argument)
    }
    if let index = named[name] { return index }
    if peek() == "(", values[name] == nil {
      let known = ComputationGraph.Function.allCases.map(\.rawValue)
      throw error(
        "unknown function '\(name)'", at: start,
        hint: closestName(to: name, among: known).map { "did you mean '\($0)'?" })
    }
    guard let value = values[name] else {
      throw error(
        "no value for '\(name)'", at: start,
        hint: closestName(to: name, among: Array(values.keys) + Array(named.keys))
          .map { "did you mean '\($0)'?" } ?? "give it one, e.g. '\(name) = 1'")
    }
    let index = add(.variable, inputs: [], text: name, value: value, local: [])
    nodes[index].name = name
    named[name] = index
    return index
  }

  private mutating func apply(_ function: ComputationGraph.Function, to argument: Int) -> Int {
    let x = nodes[argument].value
    let (value, local): (Double, Double)
    switch function {
    case .sin: (value, local) = (.sin(x), .cos(x))
    case .cos: (value, local) = (.cos(x), -.sin(x))
    case .tan: (value, local) = (.tan(x), 1 + .tan(x) * .tan(x))
    case .exp: (value, local) = (.exp(x), .exp(x))
    case .log: (value, local) = (.log(x), 1 / x)
    case .sqrt: (value, local) = (x.squareRoot(), 1 / (2 * x.squareRoot()))
    case .tanh: (value, local) = (.tanh(x), 1 - .tanh(x) * .tanh(x))
    case .sigmoid:
      let s = Activation.logistic(x)
      (value, local) = (s, s * (1 - s))
    case .relu: (value, local) = (max(0, x), x > 0 ? 1 : 0)
    case .abs: (value, local) = (Swift.abs(x), x > 0 ? 1 : (x < 0 ? -1 : 0))
    case .max, .min: (value, local) = (x, 1)  // two arguments: apply(_:to:and:)
    case .leakyReLU, .elu, .selu, .softplus, .gelu, .silu, .gaussian, .step, .sign, .identity:
      let activation = function.activation ?? .identity
      let a = activation.value(x)
      (value, local) = (a, activation.derivative(x, output: a))
    }
    return add(
      .function(function), inputs: [argument],
      text: "\(function.rawValue)(\(nodes[argument].name ?? nodes[argument].text))", value: value,
      local: [local])
  }

  /// `max(a, b)` and `min(a, b)`: the gradient flows to the argument chosen (to the first
  /// on a tie, as PyTorch's `maximum` splits it … here it goes whole to the first).
  private mutating func apply(
    _ function: ComputationGraph.Function, to first: Int, and second: Int
  ) -> Int {
    let (a, b) = (nodes[first].value, nodes[second].value)
    let takesFirst = function == .max ? a >= b : a <= b
    return add(
      .function(function), inputs: [first, second],
      text:
        "\(function.rawValue)(\(nodes[first].name ?? nodes[first].text), \(nodes[second].name ?? nodes[second].text))",
      value: takesFirst ? a : b, local: takesFirst ? [1, 0] : [0, 1])
  }

  private mutating func binary(_ operation: ComputationGraph.Operation, _ l: Int, _ r: Int) -> Int {
    let (a, b) = (nodes[l].value, nodes[r].value)
    let (value, local): (Double, [Double])
    let symbol: String
    switch operation {
    case .add: (value, local, symbol) = (a + b, [1, 1], " + ")
    case .subtract: (value, local, symbol) = (a - b, [1, -1], " − ")
    case .multiply: (value, local, symbol) = (a * b, [b, a], "·")
    default: (value, local, symbol) = (a / b, [1 / b, -a / (b * b)], "/")
    }
    return add(
      operation, inputs: [l, r], text: wrapped(l) + symbol + wrapped(r), value: value,
      local: local)
  }

  private mutating func add(
    _ operation: ComputationGraph.Operation, inputs: [Int], text: String, value: Double,
    local: [Double]
  ) -> Int {
    if nodes.count % 4096 == 4095, let interrupt, interrupt() { stopped = true }
    // A node's text is for labels: capped, so a long expression stays linear in memory.
    let label =
      text.utf8.count > Self.maximumText ? String(text.prefix(Self.maximumText)) + "…" : text
    nodes.append(
      ComputationGraph.Node(
        name: nil, operation: operation, inputs: inputs, text: label, value: value,
        localDerivatives: local, gradient: 0))
    return nodes.count - 1
  }

  /// A node's text, parenthesised when it is a compound without a name.
  private func wrapped(_ index: Int) -> String {
    let node = nodes[index]
    if let name = node.name { return name }
    switch node.operation {
    case .constant, .variable, .function: return node.text
    default: return "(\(node.text))"
    }
  }

  private func peek() -> Character? {
    position < characters.count ? characters[position] : nil
  }

  private mutating func skipSpaces() {
    while let c = peek(), c.isWhitespace { position += 1 }
  }

  private mutating func expect(_ c: Character) throws {
    skipSpaces()
    guard peek() == c else { throw error("expected '\(c)'") }
    position += 1
  }

  private func error(_ message: String, at offset: Int? = nil, hint: String? = nil)
    -> ExpressionError
  {
    let at = offset ?? position
    return ExpressionError(
      message: "\(message) at column \(at + 1) of '\(excerpt(source, around: at))'",
      expression: source, offset: at,
      hint: hint)
  }
}
