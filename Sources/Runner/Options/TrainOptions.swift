import Figures
import NeuralEngine
import Notebook

/// `optimizer:` names, with the learning rate each uses when `rate:` is left out.
enum OptimizerName: String, OptionChoice {
  case sgd, momentum, nesterov, adagrad, rmsprop, adam, adadelta

  /// The optimizer with a rate, or its own default rate.
  func optimizer(rate: Double?) -> Optimizer? {
    Optimizer(name: rawValue, learningRate: rate ?? defaultRate)
  }

  /// The optimizer's name as papers write it.
  var shown: String {
    switch self {
    case .sgd: "SGD"
    case .momentum: "SGD with momentum"
    case .nesterov: "Nesterov momentum"
    case .adagrad: "AdaGrad"
    case .rmsprop: "RMSprop"
    case .adam: "Adam"
    case .adadelta: "AdaDelta"
    }
  }

  /// Keras's default learning rate for this optimizer.
  var defaultRate: Double { Optimizer(name: rawValue)?.learningRate ?? 0.01 }

  /// "sgd 0.01, …, adam 0.001": the defaults, from the engine, for the reference.
  static var defaultRates: String {
    allCases.map { "\($0.rawValue) \(NumberText.plain($0.defaultRate))" }.joined(separator: ", ")
  }
}

/// `batch: 32`, `batch: 1`, or `batch: full`.
enum BatchSize: Hashable {
  case full
  case samples(Int)

  var size: Int? {
    if case .samples(let count) = self { return count }
    return nil
  }
}

/// `validation: 0.2` (a fraction held out) or `validation: digits.validation`.
enum ValidationSource: Hashable {
  case fraction(Double)
  case data(DataReference)
}

extension OptionType where Value == BatchSize {
  static var batch: Self {
    OptionType("a number of samples from 1 to 1000000, or `full`") { option in
      let text = option.value.trimmed
      if text == "full" { return .full }
      guard let size = Int(text), (1...1_000_000).contains(size) else {
        throw BlockError("'batch' is a number of samples or 'full', not '\(text)'", at: option)
      }
      return .samples(size)
    } show: {
      $0.size.map(String.init) ?? "full"
    }
  }
}

extension OptionType where Value == ValidationSource {
  static var validation: Self {
    OptionType("a fraction between 0 and 1, or a data set's name") { option in
      let text = option.value.trimmed
      if let fraction = DirectiveOption.parseNumber(text), !text.contains(where: \.isLetter) {
        guard fraction > 0, fraction < 1 else {
          throw BlockError(
            "a validation fraction is between 0 and 1, not \(NumberText.plain(fraction))",
            at: option)
        }
        return .fraction(fraction)
      }
      return .data(try OptionType<DataReference>.dataset.read(option))
    } show: { source in
      switch source {
      case .fraction(let value): NumberText.plain(value)
      case .data(let reference): reference.description
      }
    }
  }
}

extension OptionType where Value == EarlyStopping {
  static var earlyStopping: Self {
    OptionType("`patience=5 monitor=val_loss min_delta=0 restore=true`") { option in
      var rule = EarlyStopping()
      for (key, value) in try option.settings() {
        switch key {
        case "patience":
          guard let patience = Int(value), (0...1_000_000).contains(patience) else {
            throw BlockError("patience is a whole number ≥ 0, not '\(value)'", at: option)
          }
          rule.patience = patience
        case "monitor": rule.monitor = value
        case "min_delta":
          guard let delta = DirectiveOption.parseNumber(value), delta >= 0 else {
            throw BlockError("min_delta is a number ≥ 0, not '\(value)'", at: option)
          }
          rule.minDelta = delta
        case "restore":
          guard value == "true" || value == "false" else {
            throw BlockError("restore is true or false, not '\(value)'", at: option)
          }
          rule.restoreBestWeights = value == "true"
        default:
          throw BlockError(
            "unknown early-stopping setting '\(key)'", at: option, word: key,
            hint: suggestion(for: key, among: ["patience", "monitor", "min_delta", "restore"]))
        }
      }
      return rule
    } show: {
      "patience=\($0.patience) monitor=\($0.monitor)"
    }
  }
}

/// A vertical scale for curves.
enum CurveScale: String, OptionChoice {
  case linear, log

  var axis: Axis.Scale { self == .log ? .log : .linear }
}

extension OptionType where Value == Schedule {
  /// `step 0.5 every 10`, `exponential 0.96`, `exponential 0.5 every 10`, `cosine 100`,
  /// `cosine 100 floor 0.1`.
  static var schedule: Self {
    OptionType(
      "`step F every K`, `exponential F [every K]`, `cosine T [floor A]` or `constant`"
    ) { option in
      let words = option.words
      func number(_ index: Int, _ what: String, in range: ClosedRange<Double>) throws -> Double {
        guard words.indices.contains(index) else {
          throw BlockError(
            "'schedule: \(words.first ?? "")' needs \(what)", at: option,
            hint: "e.g. 'schedule: step 0.5 every 10' or 'schedule: cosine 100'")
        }
        guard let value = DirectiveOption.parseNumber(words[index]), range.contains(value) else {
          throw BlockError(
            "\(what) must be \(NumberText.plain(range.lowerBound)) to \(NumberText.plain(range.upperBound)), not '\(words[index])'",
            at: option, word: words[index])
        }
        return value
      }
      func keyword(_ index: Int, _ word: String) throws {
        guard words.indices.contains(index) else { return }
        guard words[index] == word else {
          throw BlockError(
            "expected '\(word)' in 'schedule', found '\(words[index])'", at: option,
            word: words[index])
        }
      }
      let name = words.first ?? ""
      switch name {
      case "constant":
        return .constant
      case "step", "exponential":
        let factor = try number(1, "a factor", in: 1e-9...1e9)
        try keyword(2, "every")
        let every = words.count > 2 ? try number(3, "a number of epochs", in: 1...1_000_000) : 1
        guard words.count <= 4, every == every.rounded() else {
          throw BlockError(
            "'schedule: \(name)' is '\(name) FACTOR every EPOCHS'", at: option)
        }
        return name == "step"
          ? .step(factor: factor, every: Int(every))
          : .exponential(factor: factor, every: Int(every))
      case "cosine":
        let epochs = try number(1, "a number of epochs", in: 1...1_000_000)
        try keyword(2, "floor")
        let floor = words.count > 2 ? try number(3, "a floor", in: 0...1) : 0
        guard words.count <= 4, epochs == epochs.rounded() else {
          throw BlockError("'schedule: cosine' is 'cosine EPOCHS floor FRACTION'", at: option)
        }
        return .cosine(epochs: Int(epochs), floor: floor)
      default:
        throw BlockError(
          "unknown schedule '\(name)'", at: option, word: name,
          hint: suggestion(for: name, among: ["constant", "step", "exponential", "cosine"]))
      }
    } show: { schedule in
      switch schedule {
      case .constant: "constant"
      case .step(let f, let k): "step \(NumberText.plain(f)) every \(k)"
      case .exponential(let f, let k): "exponential \(NumberText.plain(f)) every \(k)"
      case .cosine(let t, let floor): "cosine \(t) floor \(NumberText.plain(floor))"
      }
    }
  }
}
