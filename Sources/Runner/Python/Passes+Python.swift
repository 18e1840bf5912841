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
    let owner = PythonText.string(context.resultName)
    var lines = ["X = \(x)"]
    if mode == .training {
      lines += [
        "trace = {}",
        "z, a = forward(\(v), X, training=True, rng=Random(\(context.seed)), trace=trace)  # masks from the block's seed, batch statistics",
        "publish_forward(\(owner), \(v), z, a)",
        "publish_regularization(\(owner), \(v), trace)",
      ]
    } else {
      lines += [
        "z, a = forward(\(v), X)  # every layer's net input z = x·W + b and output a = φ(z)",
        "publish_forward(\(owner), \(v), z, a)",
      ]
    }
    if context.showsResults {
      lines.append(
        "show_forward(\(v), z, a, \(context.precision)\(PythonText.caption(context)), layer_notation=\(pythonBool(context.notation == .layer)), X=X)"
      )
      if mode == .training {
        lines.append("show_regularization(\(v), trace, \(context.precision))")
      }
    }
    return lines
  }
}

extension BackwardDirective {
  func python(_ context: BlockContext) throws -> [String]? {
    guard let name = context.block.name, let x = inputs.python(context),
      let targets = inputs.pythonTargets(target, context),
      let network = context.namespace.models[name]?.network
    else {
      return nil
    }
    let v = PythonText.name(name)
    let owner = PythonText.string(context.resultName)
    let layer = pythonBool(context.notation == .layer)
    let training = (mode ?? PassModeChoice.usual(for: network)) == .training
    let modeArguments = training ? ", training=True, rng=Random(\(context.seed))" : ""
    var lines = [
      "X = \(x)",
      "T = \(targets)",
      "g = backward(\(v), X, T, \(PythonText.string(loss.name))\(PythonText.huber(loss))\(modeArguments))  # δ, ∂L/∂W, ∂L/∂b, ∂L/∂x",
      "new = gradient_step(\(v), g, rate=\(PythonText.number(rate)))  # θ ← θ − η·∂L/∂θ",
      "publish_backward(\(owner), \(v), g, new)",
    ]
    if training { lines.append("publish_regularization(\(owner), \(v), g.trace, g)") }
    if context.showsResults {
      for word in show {
        switch word {
        case "forward":
          lines.append(
            "show_forward(\(v), g.z, g.a, \(context.precision), layer_notation=\(layer), X=g.X)")
          if training {
            lines.append("show_regularization(\(v), g.trace, \(context.precision))")
          }
        case "errors":
          let formulas =
            context.notation == .unit && loss == .halfSumOfSquares && (target?.count ?? 0) == 1
            && network.layers.allSatisfy { $0.activation == .sigmoid && $0.batchNorm == nil }
          lines.append(
            "show_errors(\(v), g, \(context.precision), layer_notation=\(layer), formulas=\(pythonBool(formulas)))"
          )
        case "gradients":
          lines.append("show_gradients(\(v), g, \(context.precision + 1))")
        case "updates":
          lines.append(
            "show_updates(\(v), g, new, \(PythonText.number(rate)), \(context.precision), layer_notation=\(layer))"
          )
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

extension PassInputs {
  /// The targets as Python: the given rows, or the data set's for the rows taken.
  func pythonTargets(_ target: [[Double]]?, _ context: BlockContext) -> String? {
    if let target { return PythonText.array(target) }
    if let data, let set = context.namespace.datasets[data] {
      return "\(PythonText.name(data)).Y[:\(samples ?? min(20, set.count))]"
    }
    return nil
  }
}

extension GradientCheckDirective {
  func python(_ context: BlockContext) throws -> [String]? {
    guard let name = context.block.name, let x = inputs.python(context),
      let targets = inputs.pythonTargets(target, context)
    else { return nil }
    let owner = PythonText.string(context.resultName)
    var lines = [
      "X = \(x)",
      "T = \(targets)",
      "rows = gradient_check(\(PythonText.name(name)), X, T, \(PythonText.string(loss.name)), h=\(PythonText.number(step)), l2=\(PythonText.number(l2)), training=\(pythonBool(mode == .training)), seed=\(context.seed))",
      "publish_gradient_check(\(owner), rows)",
    ]
    if context.showsResults {
      lines.append(
        "show([\"Parameter θ\", \"Backprop ∂L/∂θ\", \"(L(θ + h) − L(θ − h)) / 2h\", \"Relative error\"], [[n, a, b, e] for n, a, b, e in rows], 8)"
      )
    }
    return lines
  }
}

extension ActivationDirective {
  func python(_ context: BlockContext) throws -> [String]? {
    let names = functions.map(\.name)
    return [
      "activation_table(\(PythonText.string(context.resultName)), \(PythonText.strings(names)), \(PythonText.numbers(points)), \(context.precision)\(PythonText.caption(context))\(context.showsResults ? "" : ", shown=False"))"
    ]
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
