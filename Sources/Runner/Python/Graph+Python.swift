import NeuralEngine
import Notebook

extension ExpressionDirective {
  /// The graph as Python: every input a `Node`, every definition the same expression
  /// (`^` is `**`), then reverse-mode differentiation from the output.
  func python(_ context: BlockContext) throws -> [String]? {
    guard let name = context.block.name, let graph = context.namespace.graphs[name] else {
      return nil
    }
    let taken = Set(context.namespace.models.keys).union(
      context.namespace.datasets.keys.map(\.owner))
    func variable(_ node: String) -> String {
      let plain = PythonText.name(node)
      return taken.contains(plain) && plain == node ? node + "_" : plain
    }
    var lines: [String] = []
    var defined: Set<String> = []
    for line in context.block.lines {
      var parts = line.text.split(separator: "=", maxSplits: 1).map { String($0).trimmed }
      guard parts.count == 2 else { continue }
      // A stored value (`fd.L1`) is a variable of the graph (`fd_L1`), read from `V`.
      for (text, name) in Self.storedReferences(in: parts[1]).sorted(by: {
        $0.text.count > $1.text.count
      }) {
        if !defined.contains(name) {
          lines.append(
            "\(variable(name)) = Node(val(\(PythonText.string(text))), name=\(PythonText.string(name)))"
          )
          defined.insert(name)
        }
        parts[1] = parts[1].replacingOccurrences(of: text, with: name)
      }
      let target = variable(parts[0])
      if !defined.contains(parts[0]), let number = DirectiveOption.parseNumber(parts[1]) {
        lines.append(
          "\(target) = Node(\(PythonText.number(number)), name=\(PythonText.string(parts[0])))")
      } else {
        lines.append("\(target) = define(\(Self.pythonExpression(parts[1], variable: variable)))")
      }
      defined.insert(parts[0])
    }
    let output = output ?? graph.nodes.last(where: { $0.name != nil })?.name ?? ""
    let named = graph.nodes.compactMap(\.name)
    let owner = PythonText.string(context.resultName)
    lines.append(
      "gradients(\(variable(output)))  # ∂\(output)/∂node for every node, by the chain rule")
    lines.append(
      "nodes = {"
        + named.map { "\(PythonText.string($0)): \(variable($0))" }.joined(separator: ", ")
        + "}")
    lines.append("for n, node in nodes.items():")
    lines.append("    V[key(\(owner), n)] = node.value")
    lines.append("    V[key(\(owner), \(PythonText.string("d\(output)/d")) + n)] = node.grad")
    if context.showsResults {
      lines.append(
        "show([\"Node\", \"Value\", \(PythonText.string("∂\(output)/∂node"))], [[n, node.value, node.grad] for n, node in reversed(nodes.items())], \(context.precision)\(PythonText.caption(context)))"
      )
    }
    return lines
  }

  /// An expression in Python: `^` becomes `**`, `abs`/`max`/`min` the graph's own
  /// functions, every name its Python variable.
  static func pythonExpression(_ text: String, variable: (String) -> String) -> String {
    let functions = [
      "abs": "absolute", "max": "maximum", "min": "minimum", "sin": "sin", "cos": "cos",
      "tan": "tan", "exp": "exp", "log": "log", "sqrt": "sqrt", "tanh": "tanh",
      "sigmoid": "sigmoid", "relu": "relu", "leaky_relu": "leaky_relu", "elu": "elu",
      "selu": "selu", "softplus": "softplus", "gelu": "gelu", "silu": "silu",
      "gaussian": "gaussian", "step": "step", "sign": "sign_", "identity": "identity",
    ]
    var out = ""
    var characters = Array(text)[...]
    while let first = characters.first {
      if first.isLetter || first == "_" {
        let word = String(characters.prefix { $0.isLetter || $0.isNumber || $0 == "_" })
        characters = characters.dropFirst(word.count)
        let call = characters.drop { $0 == " " }.first == "("
        out += call ? (functions[word] ?? word) : variable(word)
      } else if first.isNumber || first == "." {
        // A number, with its exponent (1e-3) kept together.
        var number = String(characters.prefix { $0.isNumber || $0 == "." })
        characters = characters.dropFirst(number.count)
        if let e = characters.first, e == "e" || e == "E" {
          let rest = characters.dropFirst()
          let sign = rest.first == "-" || rest.first == "+" ? String(rest.first ?? "+") : ""
          let digits = String(rest.dropFirst(sign.count).prefix { $0.isNumber })
          if !digits.isEmpty {
            number += "e" + sign + digits
            characters = rest.dropFirst(sign.count + digits.count)
          }
        }
        out += number
      } else {
        out += first == "^" ? "**" : String(first)
        characters = characters.dropFirst()
      }
    }
    return out
  }
}
