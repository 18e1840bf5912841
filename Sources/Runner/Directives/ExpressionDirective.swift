import NeuralEngine
import Notebook

/// ```expr NAME```: `name = expression` lines; a line whose expression is a number gives a
/// variable its value. Shows every node's value and the output's derivative by it.
struct ExpressionDirective: Directive {
  var output: String?

  static let kind = DirectiveKind.expr
  static let summary = "a scalar computation graph: values and every partial derivative"
  static let storedValues = "each named node's value and `dJ/dNAME`"
  static let bodySyntax: String? =
    "The body is one `name = expression` per line; a line whose expression is a number gives a variable its value. Expressions use `+ - * / ^` (`**` is `^` too; a negative base takes whole exponents, so `x^2` at x = −7 is 49), `·` and `×`, parentheses, implicit products (`3(a + b)`, `2x`), the functions `sin cos tan exp log sqrt tanh sigmoid relu abs` and `max(a, b)`, `min(a, b)`. A name defined again (`c = c + 1`) is a new node, as in micrograd; the earlier node is shown and stored as `c′`. Stored: every named node's value and `dOUTPUT/dNAME`."

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

  func run(_ context: BlockContext) throws -> [ResultItem] {
    guard let name = context.block.name else { return [] }
    let body = try read(context.block)
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
        ? "input" : (body.definitions.last { $0.name == nodeName }?.expression ?? node.text)
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
