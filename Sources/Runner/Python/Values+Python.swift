import NeuralEngine
import Notebook

extension LossDirective {
  func python(_ context: BlockContext) throws -> [String]? {
    let owner = PythonText.string(context.resultName)
    if let model, let data, let entry = context.namespace.models[model] {
      let v = PythonText.name(model)
      var lines = ["rows = []"]
      for (index, line) in (guesses ?? "").split(separator: "\n").enumerated() {
        guard var guess = context.option("guesses") else { break }
        guess.value = String(line)
        guard let assignments = try? OptionType<[Assignment]>.assignments.read(guess) else {
          continue
        }
        lines.append("guess = \(v).copy()")
        var values: [String] = []
        for assignment in assignments {
          guard let id = entry.network.parameterID(named: assignment.name) else { continue }
          lines.append(
            "guess.\(PythonText.parameter(id)) = \(PythonText.number(assignment.value))  # \(assignment.name)"
          )
          values.append(PythonText.number(assignment.value))
        }
        lines.append(
          "L = loss_value(\(PythonText.string(loss.name)), predict(guess, \(PythonText.name(data)).X), \(PythonText.name(data)).Y)"
        )
        lines.append("V[key(\(owner), \"L\(index + 1)\")] = L")
        lines.append(
          "rows.append([\(values.joined(separator: ", "))\(values.isEmpty ? "" : ", ")L])")
      }
      if context.showsResults {
        lines.append(
          "show([f\"guess\" for _ in rows[0][:-1]] + [\"L\"], rows, \(context.precision)\(PythonText.caption(context)))"
        )
      }
      return lines
    }
    guard let predicted, let target else { return nil }
    var lines = ["rows = []"]
    for loss in losses {
      lines.append(
        "value = loss_value(\(PythonText.string(loss.name)), \(PythonText.array(Self.shaped(predicted, for: loss))), \(PythonText.array(Self.shaped(target, for: loss)))\(PythonText.huber(loss).replacingOccurrences(of: "huber=", with: "delta=")))"
      )
      lines.append("V[key(\(owner), \(PythonText.string(loss.name)))] = value")
      lines.append("rows.append([\(PythonText.string(loss.name)), value])")
    }
    if context.showsResults {
      lines.append(
        "show([\"Loss\", \"Value\"], rows, \(context.precision)\(PythonText.caption(context)))")
    }
    return lines
  }
}

extension SoftmaxDirective {
  func python(_ context: BlockContext) throws -> [String]? {
    let owner = PythonText.string(context.resultName)
    var lines = [
      "z = np.array([\(PythonText.numbers(scores))])",
      "p = activate(\"softmax\", z)[0]  # e^(z − max z) / Σ e^(z − max z)",
      "e = np.exp(z[0])",
      "for k in range(len(e)):",
      "    V[key(\(owner), f\"exp{k + 1}\")] = e[k]",
      "    V[key(\(owner), f\"p{k + 1}\")] = p[k]",
      "V[key(\(owner), \"sum\")] = e.sum()",
      "V[key(\(owner), \"class\")] = int(p.argmax()) + 1",
    ]
    if context.showsResults {
      let names = classes ?? scores.indices.map { "\($0 + 1)" }
      lines.append(
        "show([\"Class\", \"Score z\", \"e^z\", \"softmax = e^z / Σ e^z\"], [[c, z[0, k], e[k], F(e[k], \" / \", e.sum(), \" = \", p[k])] for k, c in enumerate(\(PythonText.strings(names)))] + [[\"Σ\", \"\", e.sum(), p.sum()]], \(context.precision)\(PythonText.caption(context)))"
      )
    }
    return lines
  }
}

extension ExpectDirective {
  /// Each assertion as a Python `assert`, with the tolerance nbrun uses.
  func python(_ context: BlockContext) throws -> [String]? {
    var lines: [String] = []
    var names: [String] = []
    for line in context.block.lines {
      guard let assertion = try? Assertion(parsing: line) else { continue }
      let name = assertion.reference.description
      names.append(name)
      let left = "val(\(PythonText.string(name)))"
      let right: String
      switch assertion.expected {
      case .reference(let other): right = "val(\(PythonText.string(other.description)))"
      case .value(.number(let number)): right = PythonText.number(number)
      case .value(.bool(let flag)): right = pythonBool(flag)
      case .value(.text(let text)): right = PythonText.string(text)
      }
      let tolerance = PythonText.number(assertion.tolerance)
      let test: String
      switch (assertion.operation, assertion.expected) {
      case (_, .value(.bool)):
        test = assertion.operation == .notEqual ? "\(left) != \(right)" : "\(left) == \(right)"
      case (.approximately, _), (.equal, _), (.assign, _):
        test = "abs(\(left) - \(right)) <= \(tolerance)"
      case (.notEqual, _): test = "abs(\(left) - \(right)) > \(tolerance)"
      case (.less, _): test = "\(left) < \(right)"
      case (.lessOrEqual, _): test = "\(left) <= \(right)"
      case (.greater, _): test = "\(left) > \(right)"
      case (.greaterOrEqual, _): test = "\(left) >= \(right)"
      }
      lines.append("assert \(test), \(PythonText.string(line.text))")
    }
    if context.showsResults {
      lines.append(
        "show([\"Expectation\", \"Computed\"], [[n, val(n)] for n in \(PythonText.strings(names))], \(context.precision + 1))"
      )
    }
    return lines
  }
}

extension PythonText {
  /// A parameter as an element of a Python model: `layers[1].W[0, 2]`, `layers[0].b[1]`.
  static func parameter(_ id: ParameterID) -> String {
    switch id {
    case .weight(let layer, let from, let to): "layers[\(layer)].W[\(from), \(to)]"
    case .bias(let layer, let unit): "layers[\(layer)].b[\(unit)]"
    }
  }
}
