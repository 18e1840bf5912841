import NeuralEngine
import Notebook

/// `echo: keras`: the block in Keras's API, as text for the handout (it is not run: Keras
/// is not needed here, and its initial weights and shuffles are not nbrun's).
enum KerasText {
  static func loss(_ loss: Loss) -> String {
    switch loss {
    case .halfSumOfSquares: "lambda t, o: 0.5 * keras.ops.sum((t - o) ** 2)  # ½Σ(t − o)²"
    case .huber(let delta): "keras.losses.Huber(delta=\(PythonText.number(delta)))"
    case .meanSquaredError: "\"mean_squared_error\""
    case .meanAbsoluteError: "\"mean_absolute_error\""
    case .meanAbsolutePercentageError: "\"mean_absolute_percentage_error\""
    case .meanSquaredLogarithmicError: "\"mean_squared_logarithmic_error\""
    default: PythonText.string(loss.name)
    }
  }

  static func optimizer(_ optimizer: Optimizer) -> String {
    let rate = "learning_rate=\(PythonText.number(optimizer.learningRate))"
    switch optimizer.method {
    case .sgd(let momentum, let nesterov):
      let extra =
        momentum > 0
        ? ", momentum=\(PythonText.number(momentum))" + (nesterov ? ", nesterov=True" : "")
        : ""
      return "keras.optimizers.SGD(\(rate)\(extra))"
    case .adagrad: return "keras.optimizers.Adagrad(\(rate))"
    case .rmsprop(let rho, _):
      return "keras.optimizers.RMSprop(\(rate), rho=\(PythonText.number(rho)))"
    case .adam(let beta1, let beta2, _):
      return
        "keras.optimizers.Adam(\(rate), beta_1=\(PythonText.number(beta1)), beta_2=\(PythonText.number(beta2)))"
    case .adadelta(let rho, _):
      return "keras.optimizers.Adadelta(\(rate), rho=\(PythonText.number(rho)))"
    }
  }

  static func initializer(_ initializer: Initializer) -> String {
    switch initializer {
    case .constant(let value): "keras.initializers.Constant(\(PythonText.number(value)))"
    case .uniform(let low, let high):
      "keras.initializers.RandomUniform(\(PythonText.number(low)), \(PythonText.number(high)))"
    case .normal(let mean, let std):
      "keras.initializers.RandomNormal(\(PythonText.number(mean)), \(PythonText.number(std)))"
    default: PythonText.string(initializer.name)
    }
  }

  static func activation(_ activation: Activation) -> String {
    switch activation {
    case .identity: "\"linear\""
    case .leakyReLU(let alpha): "keras.layers.LeakyReLU(negative_slope=\(PythonText.number(alpha)))"
    case .binaryStep, .sign, .gaussian: "None  # \(activation.name): not a Keras activation"
    default: PythonText.string(activation.name)
    }
  }
}

extension ModelDirective {
  func keras(_ context: BlockContext) -> [String]? {
    guard let name = context.block.name, let network = context.namespace.models[name]?.network
    else { return nil }
    var lines = ["import keras", "", "\(PythonText.name(name)) = keras.Sequential(["]
    lines.append("    keras.Input(shape=(\(network.inputCount),)),")
    let drawn =
      initializer.map {
        $0 == .glorotUniform ? "" : ", kernel_initializer=\(KerasText.initializer($0))"
      } ?? ""
    for layer in network.layers {
      lines.append(
        "    keras.layers.Dense(\(layer.unitCount), activation=\(KerasText.activation(layer.activation))\(drawn)\(layer.bias == nil ? ", use_bias=False" : "")),"
      )
    }
    lines.append("])")
    if !weights.isEmpty || !biases.isEmpty || !matrices.isEmpty || collapse != nil {
      lines.append("\(PythonText.name(name)).set_weights([  # W⁽ˡ⁾ (inputs × units), then b⁽ˡ⁾")
      for layer in network.layers {
        lines.append("    \(PythonText.array(layer.weights, indent: "    ")),")
        if let bias = layer.bias { lines.append("    np.array(\(PythonText.numbers(bias))),") }
      }
      lines.append("])")
    }
    return lines
  }
}

extension TrainDirective {
  func keras(_ context: BlockContext) -> [String]? {
    guard let name = context.block.name, let data, let optimizer = try? makeOptimizer(context)
    else { return nil }
    let v = PythonText.name(name)
    let d = PythonText.name(data)
    var lines: [String] = []
    if let from { lines.append("\(v) = keras.models.clone_model(\(PythonText.name(from)))") }
    let metricList = metrics.isEmpty ? "" : ", metrics=\(PythonText.strings(metrics.map(\.name)))"
    lines += [
      "\(v).compile(",
      "    optimizer=\(KerasText.optimizer(optimizer)),",
      "    loss=\(KerasText.loss(loss))\(metricList))",
    ]
    var arguments = ["\(d).X", "\(d).Y", "epochs=\(epochs)"]
    arguments.append("batch_size=\(batch.size.map(String.init) ?? "len(\(d).X)")")
    if !shuffle { arguments.append("shuffle=False") }
    switch validation {
    case .fraction(let f): arguments.append("validation_split=\(PythonText.number(f))")
    case .data(let other):
      arguments.append("validation_data=(\(PythonText.name(other)).X, \(PythonText.name(other)).Y)")
    case nil: break
    }
    if let rule = earlyStopping {
      arguments.append(
        "callbacks=[keras.callbacks.EarlyStopping(monitor=\(PythonText.string(rule.monitor)), patience=\(rule.patience), restore_best_weights=\(pythonBool(rule.restoreBestWeights)))]"
      )
    }
    lines.append("history = \(v).fit(")
    lines.append("    " + arguments.joined(separator: ", ") + ", verbose=0)")
    return lines
  }
}

extension EvaluateDirective {
  func keras(_ context: BlockContext) -> [String]? {
    guard let name = context.block.name, let data else { return nil }
    let d = PythonText.name(data)
    return [
      "scores = \(PythonText.name(name)).evaluate(\(d).X, \(d).Y, return_dict=True, verbose=0)"
    ]
  }
}

extension PredictDirective {
  func keras(_ context: BlockContext) -> [String]? {
    guard let name = context.block.name, let x = inputs.python(context) else { return nil }
    return ["Y = \(PythonText.name(name)).predict(\(x), verbose=0)"]
  }
}
