import NeuralEngine
import Notebook

extension PlotDirective {
  /// A matplotlib rendering of the figure, where it is a chart of computed numbers (curves,
  /// a tangent and its descent, a decision boundary, an ROC curve, a confusion matrix,
  /// activations, digit images, an error surface with its descent path). Diagrams (a
  /// network, a graph) stay nbrun's figures: their cell is Markdown with the SVG.
  func python(_ context: BlockContext) throws -> [String]? {
    guard let kind else { return nil }
    let model = context.block.name.map(PythonText.name)
    let set = data.map(PythonText.name)
    switch kind {
    case .tangent:
      guard let f else { return nil }
      let owner = PythonText.string(context.block.name ?? "f")
      var lines = [
        "def f(x):",
        "    return lift(\(ExpressionDirective.pythonExpression(f, variable: { $0 })))",
        "def value_and_slope(x):",
        "    x = Node(x)",
        "    y = f(x)",
        "    gradients(y)",
        "    return y.value, x.grad",
      ]
      if let at {
        lines += [
          "value, slope = value_and_slope(\(PythonText.number(at)))",
          "V[key(\(owner), \"slope\")], V[key(\(owner), \"f_at\")] = slope, value",
        ]
      }
      if let from, steps > 0 {
        lines += [
          "x, rows = \(PythonText.number(from)), []",
          "for step in range(\(steps + 1)):  # gradient descent: x ← x − \(context.rateSymbol)·f′(x)",
          "    value, slope = value_and_slope(x)",
          "    V[key(\(owner), \"x\", epoch=step)], V[key(\(owner), \"f\", epoch=step)] = x, value",
          "    following = x - \(PythonText.number(rate)) * slope",
          "    rows.append([step, x, value, slope, following if step < \(steps) else \"\"])",
          "    x = following",
          "show([\"Step\", \"x\", \"f(x)\", \"f′(x)\", \"x − \(context.rateSymbol) f′(x)\"], rows, \(context.precision))",
        ]
      }
      lines.append(
        "plot_tangent(f, \(PythonText.numbers(x)), \(at.map(PythonText.number) ?? "None"), \(from != nil && steps > 0 ? "rows" : "None"))"
      )
      return lines
    case .curves:
      guard let runs, !runs.isEmpty else { return nil }
      return ["plot_runs(\(PythonText.strings(runs)), \(PythonText.strings(metric)))"]
    case .activations:
      return [
        "plot_activations(\(PythonText.strings(functions.map(\.name))), derivatives=\(pythonBool(derivatives)))"
      ]
    case .boundary:
      guard runs == nil, let model, let set else { return nil }
      return ["plot_boundary(\(model), \(set))"]
    case .roc:
      guard let model, let set else { return nil }
      return ["plot_roc(\(model), \(set))"]
    case .confusion:
      guard let model, let set else { return nil }
      return ["plot_confusion(confusion(\(model), \(set)))"]
    case .digits:
      guard let set else { return nil }
      let predicted = model.map { "predict(\($0), \(set).X)" } ?? "None"
      return [
        "plot_digits(\(set), \(samples), predicted=\(predicted), misclassified=\(pythonBool(misclassified)))"
      ]
    case .function:
      guard runs == nil, let model, let set else { return nil }
      return ["plot_function(\(model), \(set))"]
    case .surface:
      guard let model, let set else { return nil }
      var arguments = [
        model, set, PythonText.string(loss.name), PythonText.numbers(w), PythonText.numbers(b),
        "resolution=\(resolution)",
      ]
      if let start { arguments.append("start=\(PythonText.numbers(start))") }
      if epochs > 0 {
        arguments += ["rate=\(PythonText.number(rate))", "epochs=\(epochs)"]
        if let batch { arguments.append("batch=\(batch)") }
      }
      if search > 0 { arguments += ["search=\(search)", "seed=\(context.seed)"] }
      return ["path = plot_surface(" + arguments.joined(separator: ", ") + ")"]
    case .filters:
      guard let model else { return nil }
      return ["plot_filters(\(model))"]
    case .maps:
      guard let model, let set else { return nil }
      return ["plot_maps(\(model), \(set).X[\(sample - 1)])"]
    case .network, .graph:
      return nil
    }
  }
}
