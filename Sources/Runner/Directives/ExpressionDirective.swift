import NeuralEngine
import Notebook

/// ```expr NAME```: `name = expression` lines; a line whose expression is a number gives a
/// variable its value. Shows every node's value and the output's derivative by it.
struct ExpressionDirective: Directive {
  var output: String?

  static let kind = DirectiveKind.expr
  static let syntax: DirectiveSyntax = DirectiveSyntax(
    body: .equations, name: .required("the graph it defines"))

  /// The model or data set it names, which it makes or changes.
  func changes(_ block: DirectiveBlock) -> [String] { block.name.map { [$0] } ?? [] }
  static let summary = "a scalar computation graph: values and every partial derivative"
  static let storedValues = "each named node's value and `dJ/dNAME`"
  static let bodySyntax: String? =
    "The body is one `name = expression` per line; a line whose expression is a number gives a variable its value. A value stored by a block above is read by its name (`rel = abs(fd.L1 - fd.L2) / fd.L1`), and becomes the variable `fd_L1`. Expressions use `+ - * / ^` (`**` is `^` too; a negative base takes whole exponents, so `x^2` at x = −7 is 49), `·` and `×`, parentheses, implicit products (`3(a + b)`, `2x`), the functions `sin cos tan exp log sqrt tanh sigmoid relu abs`, every layer activation (`leaky_relu` with α = 0.01, `elu` with α = 1, `selu softplus gelu silu gaussian step sign identity`) and `max(a, b)`, `min(a, b)`. At a kink the derivative is the one backpropagation uses: ReLU′(0) = 0, leaky ReLU′(0) = α, |x|′ at 0 is 0, step′ = sign′ = 0 everywhere, and `max`/`min` send the whole gradient to the first argument on a tie. A name defined again (`c = c + 1`) is a new node, as in micrograd; the earlier node is shown and stored as `c′`. Stored: every named node's value and `dOUTPUT/dNAME`."

  static var fields: [OptionField<Self>] {
    [
      .option(
        "output", \.output, .name, "the node whose derivatives are taken", example: "output: J",
        default: "the last definition")
    ]
  }

  /// The body, read: numbers given to variables, then definitions in order.
  private struct Body {
    var values: [String: Double] = [:]
    var definitions: [(name: String, expression: String)] = []
    var lines: [String: SourceText] = [:]
  }

  private func read(_ block: DirectiveBlock) throws -> Body {
    var body = Body()
    for line in block.lines {
      let parts = line.text.split(separator: "=", maxSplits: 1).map { String($0).trimmed }
      guard parts.count == 2, let head = parts[0].first, head.isLetter,
        parts[0].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" })
      else {
        throw BlockError(
          "expected 'name = expression'", at: line, hint: "e.g. 'J = 3*(a*b + c)' or 'a = 5'")
      }
      let seen = body.lines[parts[0]] != nil
      body.lines[parts[0]] = line
      if !seen, let number = DirectiveOption.parseNumber(parts[1]) {
        body.values[parts[0]] = number
      } else {
        body.definitions.append((parts[0], parts[1]))
      }
    }
    guard !body.definitions.isEmpty else {
      throw BlockError(
        "an expr block needs at least one definition with an expression",
        hint: "e.g. 'J = 3*(a*b + c)'")
    }
    return body
  }

  func validate(_ block: DirectiveBlock) -> [BlockError] {
    do {
      let body = try read(block)
      let name = output ?? body.definitions.last?.name ?? ""
      if body.lines[name] == nil {
        return [
          BlockError(
            "no definition '\(name)'", at: block.option("output"),
            hint: suggestion(for: name, among: body.definitions.map(\.name)))
        ]
      }
      return []
    } catch let error as BlockError {
      return [error]
    } catch {
      return [BlockError("\(error)")]
    }
  }

  /// The stored values an expression names (`fd.L1`, `hk.O6[2]`, `fit.loss@10`): each
  /// occurrence and the variable it becomes (`fd_L1`).
  static func storedReferences(in expression: String) -> [(text: String, variable: String)] {
    var found: [(String, String)] = []
    let characters = Array(expression)
    var i = 0
    func isNameCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }
    while i < characters.count {
      guard characters[i].isLetter, i == 0 || !isNameCharacter(characters[i - 1]) else {
        i += 1
        continue
      }
      var k = i
      while k < characters.count, isNameCharacter(characters[k]) { k += 1 }
      guard k + 1 < characters.count, characters[k] == ".", characters[k + 1].isLetter else {
        i = k
        continue
      }
      var end = k + 1
      while end < characters.count,
        isNameCharacter(characters[end]) || "[]@′".contains(characters[end])
      {
        end += 1
      }
      let text = String(characters[i..<end])
      if ValueKey(parsing: text) != nil {
        let variable = String(
          text.map { isNameCharacter($0) ? $0 : "_" }.drop { $0 == "_" })
        found.append((text, variable))
      }
      i = end
    }
    return found
  }

  /// The reads of an `expr` block: the owners of the stored values it names.
  func reads(_ block: DirectiveBlock) -> [String] {
    block.lines.flatMap { line in
      Self.storedReferences(in: line.text).compactMap { ValueKey(parsing: $0.text)?.owner }
    }
  }

  func run(_ context: BlockContext) throws -> [ResultItem] {
    guard let name = context.block.name else { return [] }
    var body = try read(context.block)
    // Values stored by blocks above become variables of the graph: `fd.L1` is `fd_L1`.
    for index in body.definitions.indices {
      var expression = body.definitions[index].expression
      let line = body.lines[body.definitions[index].name]
      for (text, variable) in Self.storedReferences(in: expression).sorted(by: {
        $0.text.count > $1.text.count
      }) {
        func located(_ message: String, _ hint: String?) -> BlockError {
          guard let line else { return BlockError(message, hint: hint) }
          var error = BlockError(message, at: line, hint: hint)
          if let range = line.text.range(of: text) {
            let start = line.text.utf8.distance(
              from: line.text.utf8.startIndex, to: range.lowerBound)
            error.location = SourceLocation(
              line: line.location.line, column: line.location.column + start)
            error.length = text.count
          }
          return error
        }
        switch context.namespace.values.resolve(text, at: context.definer.index) {
        case .success((_, .number(let value))):
          body.values[variable] = value
        case .success:
          throw located("'\(text)' is not a number, so an expression cannot use it", nil)
        case .failure(let error):
          throw located(error.message, error.hint)
        }
        expression = expression.replacingOccurrences(of: text, with: variable)
      }
      body.definitions[index].expression = expression
    }
    let outputName = output ?? body.definitions.last?.name ?? ""
    let graph: ComputationGraph
    do {
      graph = try ComputationGraph(
        output: outputName, definitions: body.definitions, values: body.values,
        interrupt: { context.isOutOfTime })
    } catch let error as ExpressionError {
      // Point into the line the expression came from.
      let line = body.definitions.last { $0.expression == error.expression }.flatMap {
        body.lines[$0.name]
      }
      var located = BlockError(error.message, hint: error.hint)
      if let line { located = BlockError(error.message, at: line, hint: error.hint) }
      if let line, let range = line.text.range(of: error.expression) {
        let start = line.text.utf8.distance(from: line.text.utf8.startIndex, to: range.lowerBound)
        located.location = SourceLocation(
          line: line.location.line, column: line.location.column + start + error.offset)
        located.length = 1
      }
      throw located
    }
    context.namespace.graphs[name] = graph
    var rows: [[Cell]] = []
    for node in graph.nodes {
      guard let nodeName = node.name else { continue }
      let valueKey = ValueKey.named(name, nodeName)
      let derivativeKey = ValueKey.derivative(name, of: outputName, by: nodeName)
      context.store(valueKey, node.value)
      context.store(derivativeKey, node.gradient)
      let expression =
        node.operation == .variable
        ? "input"
        : FigureText.math(body.definitions.last { $0.name == nodeName }?.expression ?? node.text)
      rows.append([
        .text(nodeName), .text(expression), .keyed(valueKey, .plain(node.value)),
        .keyed(derivativeKey, .plain(node.gradient)),
      ])
    }
    guard context.showsResults else { return [] }
    // Output first, then intermediate nodes back to the inputs: the order of the chain rule.
    rows.reverse()
    return [
      .table(
        Table(
          caption: context.caption,
          header: ["Node", "Definition", "Value", "∂\(outputName)/∂node"],
          rows: rows, precision: context.precision))
    ]
  }
}
