import NeuralEngine
import Notebook

extension PassInputs {
  /// The samples as Python: the given rows, or the first rows of a data set.
  func python(_ context: BlockContext) -> String? {
    if let input { return PythonText.array(input) }
    if let data, let set = context.namespace.datasets[data] {
      return "\(PythonText.name(data)).X[:\(samples ?? min(20, set.count))]"
    }
    return nil
  }
}

extension ForwardDirective {
  func python(_ context: BlockContext) throws -> [String]? {
    guard let name = context.block.name, let x = inputs.python(context) else { return nil }
    let v = PythonText.name(name)
    var lines = [
      "X = \(x)",
      "z, a = forward(\(v), X)  # every layer's net input z = x·W + b and output a = φ(z)",
      "publish_forward(\(PythonText.string(context.resultName)), \(v), z, a)",
    ]
    if context.showsResults {
      lines.append(
        "show_forward(\(v), z, a, \(context.precision)\(PythonText.caption(context)), layer_notation=\(pythonBool(context.notation == .layer)))"
      )
    }
    return lines
  }
}

extension BackwardDirective {
  func python(_ context: BlockContext) throws -> [String]? {
    guard let name = context.block.name, let x = inputs.python(context), let target else {
      return nil
    }
    let v = PythonText.name(name)
    let owner = PythonText.string(context.resultName)
    let layer = pythonBool(context.notation == .layer)
    var lines = [
      "X = \(x)",
      "T = \(PythonText.array(target))",
      "g = backward(\(v), X, T, \(PythonText.string(loss.name))\(PythonText.huber(loss)))  # δ, ∂L/∂W, ∂L/∂b, ∂L/∂x",
      "new = gradient_step(\(v), g, rate=\(PythonText.number(rate)))  # θ ← θ − η·∂L/∂θ",
      "publish_backward(\(owner), \(v), g, new)",
    ]
    if context.showsResults {
      for word in show {
        switch word {
        case "forward":
          lines.append(
            "show_forward(\(v), g.z, g.a, \(context.precision), layer_notation=\(layer))")
        case "errors":
          let formulas =
            context.notation == .unit && loss == .halfSumOfSquares && target.count == 1
            && (context.namespace.models[name]?.network.layers.allSatisfy {
              $0.activation == .sigmoid
            } ?? false)
          lines.append(
            "show_errors(\(v), g, \(context.precision + 1), layer_notation=\(layer), formulas=\(pythonBool(formulas)))"
          )
        case "gradients":
          lines.append("show_gradients(\(v), g, \(context.precision + 1))")
        case "updates":
          lines.append(
            "show_updates(\(v), g, new, \(PythonText.number(rate)), \(context.precision))")
        case "loss":
          lines.append(
            "show([\"Loss\", \"Value\"], [[\(PythonText.string(loss.name)), g.loss]], \(context.precision))"
          )
        case "input_gradients":
          lines.append(
            "show([\"Input\"] + [f\"∂L/∂x ({s + 1})\" for s in range(len(X))], [[n] + list(g.dX[:, i]) for i, n in enumerate(\(v).inputs)], \(context.precision + 1))"
          )
        default: break
        }
      }
      if norms { lines.append("show_gradient_sizes(\(v), g)") }
    }
    if apply {
      lines.append("\(v) = new  # apply: true keeps the step")
      lines.append("publish_parameters(\(PythonText.string(name)), \(v))")
    }
    return lines
  }
}

extension PredictDirective {
  func python(_ context: BlockContext) throws -> [String]? {
    guard let name = context.block.name, let x = inputs.python(context) else { return nil }
    let v = PythonText.name(name)
    var lines = [
      "X = \(x)",
      "Y = predict(\(v), X)",
      "publish_predictions(\(PythonText.string(context.resultName)), Y)",
    ]
    if context.showsResults {
      lines.append("show_predictions(X, Y, \(context.precision)\(PythonText.caption(context)))")
    }
    return lines
  }
}

extension PythonText {
  /// The Huber loss's δ as an extra argument.
  static func huber(_ loss: Loss) -> String {
    if case .huber(let delta) = loss { return ", huber=\(number(delta))" }
    return ""
  }
}
