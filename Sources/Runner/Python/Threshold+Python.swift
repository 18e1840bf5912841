import NeuralEngine
import Notebook

extension PerceptronDirective {
  /// The truth table, the unit's outputs, and (with `train: true`) Rosenblatt's rule.
  func python(_ context: BlockContext) throws -> [String]? {
    guard let name = context.block.name else { return nil }
    let owner = PythonText.string(name)
    let n = inputs.count
    let targets = function.map { f in (try? truthTableInputs(count: n))?.map { Self.apply(f, $0) } }
    var lines = [
      "rows = [[(r >> (\(n) - 1 - i)) & 1 for i in range(\(n))] for r in range(2 ** \(n))]  # the truth table"
    ]
    if let targets = targets ?? nil {
      lines.append(
        "targets = [\(targets.map(String.init).joined(separator: ", "))]  # \(function?.rawValue.uppercased() ?? "")"
      )
    }
    var header = PythonText.strings(inputs)
    switch unit {
    case .mccullochPitts:
      let blocked = inhibitory.compactMap { inputs.firstIndex(of: $0) }
      lines += [
        "theta, inhibitory = \(threshold ?? 0), \(blocked)",
        "def mcculloch_pitts(x):  # 1 when the excitatory sum g reaches θ and no inhibitory input is on",
        "    g = sum(v for i, v in enumerate(x) if i not in inhibitory)",
        "    return g, 0 if any(x[i] for i in inhibitory) else int(g >= theta)",
        "table = [x + list(mcculloch_pitts(x)) for x in rows]",
        "V[key(\(owner), \"threshold\")] = theta",
      ]
      header += " + [\"g(x)\", \"y\"]"
    case .perceptron:
      var w = Array(repeating: 0.0, count: n + 1)
      for assignment in weights {
        if let index = Int(assignment.name.dropFirst()), w.indices.contains(index) {
          w[index] = assignment.value
        }
      }
      lines.append("w = \(PythonText.numbers(w))  # w0 (the bias −θ), w1 … w\(n)")
      if train, targets != nil {
        lines += [
          "w, epochs, converged = perceptron_rule(w, rows, targets, rate=\(PythonText.number(rate)), epochs=\(epochs))",
          "V[key(\(owner), \"converged\")], V[key(\(owner), \"epochs\")] = converged, len(epochs)",
          "print(\"The learning rule \" + (\"converged\" if converged else \"did not converge\") + f\" in {len(epochs)} epochs.\")",
        ]
        if context.showsResults {
          lines.append(
            "show([\"Epoch\", \"Mistakes\"] + [f\"w{i}\" for i in range(\(n + 1))], [[e, m] + ws for e, m, ws in epochs], \(context.precision))"
          )
        }
      }
      lines += [
        "for i, wi in enumerate(w):",
        "    V[key(\(owner), f\"w{i}\")] = wi",
        "table = [x + list(perceptron_output(w, x)) for x in rows]",
      ]
      header += " + [\"w0 + Σ wᵢxᵢ\", \"y\"]"
    }
    lines += [
      "for r, row in enumerate(table):",
      "    V[key(\(owner), f\"y{r + 1}\")] = row[-1]",
    ]
    if targets != nil {
      lines += [
        "V[key(\(owner), \"correct\")] = [row[-1] for row in table] == targets",
        "table = [row + [t, row[-1] == t] for row, t in zip(table, targets)]",
      ]
      header += " + [\"target\", \"✓\"]"
    }
    if context.showsResults {
      lines.append("show(\(header), table, \(context.precision)\(PythonText.caption(context)))")
    }
    return lines
  }
}

extension ExerciseDirective {
  func python(_ context: BlockContext) throws -> [String]? { nil }
}
