import NeuralEngine
import Notebook

extension EvaluateDirective {
  func python(_ context: BlockContext) throws -> [String]? {
    guard let name = context.block.name, let data,
      let set = context.namespace.datasets[data], let entry = context.namespace.models[name]
    else { return nil }
    let v = PythonText.name(name)
    let d = PythonText.name(data)
    let owner = context.resultName
    let classification = set.classNames != nil || entry.network.outputCount > 1
    let chosen = (metrics ?? [Metric(name: classification ? "accuracy" : "mse")].compactMap { $0 })
      .map(\.name)
    var lines = [
      "value, scores = evaluate(\(v), \(d), \(loss.map { PythonText.string($0.name) } ?? "None"), \(PythonText.strings(chosen)))"
    ]
    var names: [String] = []
    if loss != nil {
      lines.append("V[key(\(PythonText.string(owner)), \"loss\")] = value")
      names.append("loss")
    }
    lines.append(
      "V.update({key(\(PythonText.string(owner)), m): s for m, s in scores.items()})")
    names += chosen
    if context.showsResults {
      lines.append(
        "show_values(\(PythonText.string(owner)), \(PythonText.strings(names)), \(context.precision)\(PythonText.caption(context)), header=(\"Metric\", \"Value\"))"
      )
      if confusion ?? classification {
        lines.append("show_confusion(confusion(\(v), \(d)))")
      }
    }
    return lines
  }
}

extension TrainDirective {
  /// The same loop as nbrun's: the same initial weights (from the model cell), the same
  /// seeded shuffles and batches, the same optimizer state.
  func python(_ context: BlockContext) throws -> [String]? {
    guard let name = context.block.name, let data else { return nil }
    let v = PythonText.name(name)
    let owner = context.resultName
    let optimizer = try makeOptimizer(context)
    var lines: [String] = []
    if let from { lines.append("\(v) = \(PythonText.name(from)).copy()  # a copy of \(from)") }
    var arguments = [
      "\(v)", PythonText.name(data), PythonText.string(loss.name),
      PythonText.optimizer(optimizer), "epochs=\(epochs)",
    ]
    arguments.append("batch=\(batch.size.map(String.init) ?? "None")")
    if !shuffle { arguments.append("shuffle=False") }
    arguments.append("seed=\(context.seed)")
    if !metrics.isEmpty { arguments.append("metrics=\(PythonText.strings(metrics.map(\.name)))") }
    if l2 > 0 { arguments.append("l2=\(PythonText.number(l2))") }
    if recordsNorms { arguments.append("norms=True") }
    if batches { arguments.append("batch_losses=True") }
    switch validation {
    case .fraction(let fraction):
      arguments.append("validation_split=\(PythonText.number(fraction))")
    case .data(let other): arguments.append("validation=\(PythonText.name(other))")
    case nil: break
    }
    if let rule = earlyStopping {
      arguments.append(
        "early_stopping=(\(PythonText.string(rule.monitor)), \(rule.patience), \(PythonText.number(rule.minDelta)), \(pythonBool(rule.restoreBestWeights)))"
      )
    }
    lines.append("history = fit(")
    lines.append("    " + arguments.joined(separator: ", ") + ")")
    lines.append("publish_history(\(PythonText.string(owner)), history)")
    lines.append("publish_parameters(\(PythonText.string(name)), \(v))")
    if owner != name { lines.append("publish_parameters(\(PythonText.string(owner)), \(v))") }
    if context.showsResults {
      let showsRate = schedule.map { $0 != .constant } ?? false || (decay ?? 0) > 0
      lines.append(
        "show_history(history, \(log.map(String.init) ?? "None")\(PythonText.caption(context))\(showsRate ? ", rate=True" : ""))"
      )
      if let network = context.namespace.models[name]?.network,
        let note = penaltyNote(network, validated: validation != nil)
      {
        lines.append("print(\(PythonText.string(note)))")
      }
      if batches { lines.append("show_batches(history, \(context.precision))") }
      lines.append("plot_history(history)")
      if plot?.contains("lr") == true { lines.append("plot_rates(history)") }
      if plot?.contains("norms") == true { lines.append("plot_norms(history)") }
    }
    return lines
  }
}

extension PythonText {
  /// The support module's `Optimizer(…)` for an engine optimiser, every constant written.
  public static func optimizer(_ optimizer: Optimizer) -> String {
    let rate = "rate=\(number(optimizer.learningRate))"
    var decay = optimizer.decay > 0 ? ", decay=\(number(optimizer.decay))" : ""
    if optimizer.amsgrad { decay += ", amsgrad=True" }
    switch optimizer.schedule {
    case .constant: break
    case .step(let f, let k): decay += ", schedule=(\"step\", \(number(f)), \(k))"
    case .exponential(let f, let k): decay += ", schedule=(\"exponential\", \(number(f)), \(k))"
    case .cosine(let t, let floor): decay += ", schedule=(\"cosine\", \(t), \(number(floor)))"
    }
    switch optimizer.method {
    case .sgd(let momentum, let nesterov):
      let extra =
        momentum > 0 ? ", momentum=\(number(momentum))" + (nesterov ? ", nesterov=True" : "") : ""
      return "Optimizer(\"sgd\", \(rate)\(extra)\(decay))"
    case .adagrad(let epsilon):
      return "Optimizer(\"adagrad\", \(rate), epsilon=\(number(epsilon))\(decay))"
    case .rmsprop(let rho, let epsilon):
      return
        "Optimizer(\"rmsprop\", \(rate), rho=\(number(rho)), epsilon=\(number(epsilon))\(decay))"
    case .adam(let beta1, let beta2, let epsilon):
      return
        "Optimizer(\"adam\", \(rate), beta1=\(number(beta1)), beta2=\(number(beta2)), epsilon=\(number(epsilon))\(decay))"
    case .adadelta(let rho, let epsilon):
      return
        "Optimizer(\"adadelta\", \(rate), rho=\(number(rho)), epsilon=\(number(epsilon))\(decay))"
    }
  }
}
