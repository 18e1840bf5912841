import Figures
import NeuralEngine
import Notebook
import Spelling

/// `inputs: 3`, `inputs: x1 x2 x3`, or a shape: `inputs: 8x8` (an image; `8x8x3` with
/// channels) or `inputs: 6x1` (six steps of one input, for a recurrent first layer) — the
/// way Keras's `input_shape` reads.
struct InputSpec: Hashable {
  var count: Int
  var names: [String]?
  /// The sizes of a shaped input: height, width and channels, or steps and inputs.
  var shape: [Int]?
}

/// `layer: 4 relu`, `layer: 1 sigmoid bias=false`, `layer: 2 leaky_relu alpha=0.1 names=4,5`,
/// `layer: 64 relu dropout=0.5 l2=0.001 batchnorm=true`.
struct LayerSpec {
  var units: Int
  var activation: Activation
  var bias: Bool
  var names: [String]?
  /// The dropout rate on the layer's outputs while training.
  var dropout = 0.0
  /// Keras's kernel_regularizer.
  var regularizer: Regularizer?
  /// Batch normalisation before the activation: (momentum, ε).
  var batchNorm: (momentum: Double, epsilon: Double)?
}

/// Several mistakes in one option (a layer line with two unknown settings), all reported.
struct BlockErrorList: Error {
  var errors: [BlockError]
}

/// `matrix: W1 0.2 -0.3; 0.4 0.1` (a weight matrix) or `matrix: b1 -0.4 0.2` (biases).
struct MatrixSpec {
  var isBias: Bool
  /// 1-based layer.
  var layer: Int
  var rows: [[Double]]
  var label: String { (isBias ? "b" : "W") + String(layer) }
}

/// The precision a model trains in.
enum Precision: String, OptionChoice {
  case float64, float32
  static let aliases: [String: Precision] = ["double": .float64, "float": .float32]
}

/// What a model block shows.
enum ModelTable: String, OptionChoice {
  case summary, weights
}

extension OptionType where Value == InputSpec {
  static var inputs: Self {
    OptionType(
      "a number of inputs (1 to 100000), their names, or a shape (`8x8`, `8x8x3`; `6x1`: six steps of one input)"
    ) { option in
      let words = option.words
      if words.count == 1, let count = Int(words[0]) {
        guard (1...100_000).contains(count) else {
          throw BlockError("a model takes 1 to 100000 inputs, not \(count)", at: option)
        }
        return InputSpec(count: count, names: nil)
      }
      if words.count == 1, let shape = InputSpec.shape(words[0]) {
        guard shape.allSatisfy({ (1...1_000).contains($0) }),
          shape.reduce(1, *) <= 100_000
        else {
          throw BlockError(
            "a shaped input takes sizes from 1 to 1000 and at most 100000 values, not '\(words[0])'",
            at: option, word: words[0])
        }
        return InputSpec(count: shape.reduce(1, *), names: nil, shape: shape)
      }
      guard !words.isEmpty, words.count <= 100_000 else {
        throw BlockError("'inputs' needs a number or names", at: option)
      }
      return InputSpec(count: words.count, names: words)
    } show: {
      $0.shape.map { $0.map(String.init).joined(separator: "x") }
        ?? $0.names?.joined(separator: " ") ?? String($0.count)
    }
  }
}

extension InputSpec {
  /// `8x8`, `8×8×3`: two or three sizes, each at most four digits; `nil` for anything else
  /// (a name such as `x1`).
  static func shape(_ word: String) -> [Int]? {
    let parts = word.split(
      omittingEmptySubsequences: false, whereSeparator: { $0 == "x" || $0 == "×" })
    guard (2...3).contains(parts.count),
      parts.allSatisfy({ (1...4).contains($0.count) && $0.allSatisfy { $0.isASCII } })
    else { return nil }
    let sizes = parts.compactMap { Int($0) }
    return sizes.count == parts.count ? sizes : nil
  }
}

extension OptionType where Value == LayerSpec {
  /// The settings a layer line takes after its units and activation.
  static let layerSettings = [
    "bias", "alpha", "names", "dropout", "l1", "l2", "batchnorm", "bn_momentum", "bn_epsilon",
  ]

  static var denseLayer: Self {
    OptionType(
      "units, an activation, then `bias=false`, `alpha=0.1`, `names=4,5`, `dropout=0.5`, `l1=0.01`, `l2=0.01`, `batchnorm=true` (`bn_momentum=0.99`, `bn_epsilon=0.001`)"
    ) { option in
      let words = option.value.split(whereSeparator: \.isWhitespace).map(String.init)
      guard words.count >= 2, let units = Int(words[0]), (1...100_000).contains(units) else {
        throw BlockError(
          "expected 'units activation' in 'layer', found '\(option.value)'", at: option,
          hint: "e.g. 'layer: 4 relu' or 'layer: 1 sigmoid bias=false'")
      }
      var errors: [BlockError] = []
      var settings: [String: String] = [:]
      for word in words.dropFirst(2) {
        let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, layerSettings.contains(parts[0]) else {
          let key = parts.first ?? word
          errors.append(
            BlockError(
              "unexpected '\(word)' in 'layer'", at: option, word: word,
              hint: closestName(to: key, among: layerSettings).map { "did you mean '\($0)=…'?" }
                ?? "after units and activation come "
                + layerSettings.map { "\($0)=…" }.joined(separator: ", ")))
          continue
        }
        settings[parts[0]] = parts[1]
      }
      func number(_ key: String, in range: Range<Double>, _ what: String) -> Double? {
        guard let text = settings[key] else { return nil }
        guard let value = DirectiveOption.parseNumber(text), range.contains(value) else {
          errors.append(
            BlockError(
              "\(key) must be \(what), not '\(text)'", at: option, word: "\(key)=\(text)"))
          return nil
        }
        return value
      }
      func flag(_ key: String) -> Bool? {
        switch settings[key] {
        case nil: return nil
        case "true": return true
        case "false": return false
        case let other?:
          errors.append(
            BlockError(
              "\(key) must be true or false, not '\(other)'", at: option,
              word: "\(key)=\(other)"))
          return nil
        }
      }
      let alpha = number("alpha", in: -1e6..<1e6, "a number")
      let dropout = number("dropout", in: 0..<1, "a rate from 0 up to (not including) 1")
      let l1 = number("l1", in: 0..<1e6, "a number ≥ 0")
      let l2 = number("l2", in: 0..<1e6, "a number ≥ 0")
      let momentum = number("bn_momentum", in: 0..<1, "a number from 0 up to 1")
      let epsilon = number("bn_epsilon", in: 1e-12..<1, "a small positive number")
      let normalizes = flag("batchnorm")
      let bias = flag("bias") ?? true
      let name = words[1]
      var activation = Activation.identity
      if let found = Activation(name: name, parameter: alpha) {
        activation = found
      } else if Activation(name: name) != nil {
        errors.append(BlockError("'\(name)' takes no alpha", at: option, word: name))
      } else {
        errors.append(
          BlockError(
            "unknown activation '\(name)'", at: option, word: name,
            hint: suggestion(for: name, among: Activation.knownNames)))
      }
      let names = settings["names"].map { $0.split(separator: ",").map(String.init) }
      if let names, names.count != units {
        errors.append(
          BlockError("\(units) units need \(units) names, got \(names.count)", at: option))
      }
      if normalizes != true, momentum != nil || epsilon != nil {
        errors.append(
          BlockError(
            "bn_momentum and bn_epsilon belong to batch normalisation", at: option,
            hint: "add batchnorm=true, or leave them out"))
      }
      if errors.count == 1, let error = errors.first { throw error }
      if !errors.isEmpty { throw BlockErrorList(errors: errors) }
      var spec = LayerSpec(units: units, activation: activation, bias: bias, names: names)
      spec.dropout = dropout ?? 0
      if l1 != nil || l2 != nil { spec.regularizer = Regularizer(l1: l1 ?? 0, l2: l2 ?? 0) }
      if normalizes == true { spec.batchNorm = (momentum ?? 0.99, epsilon ?? 0.001) }
      return spec
    } show: {
      "\($0.units) \($0.activation.name)"
    }
  }
}

extension OptionType where Value == Initializer {
  static var initializer: Self {
    OptionType(
      "an initialiser: " + Initializer.knownNames.map { "`\($0)`" }.joined(separator: ", ")
    ) {
      option in
      let words = option.words
      guard let name = words.first else {
        throw BlockError("'init' needs an initialiser", at: option)
      }
      let parameters = try words.dropFirst().map { word -> Double in
        guard let value = DirectiveOption.parseNumber(word) else {
          throw BlockError("'\(word)' is not a number", at: option, word: word)
        }
        return value
      }
      guard let initializer = Initializer(name: name, parameters: parameters) else {
        if Initializer(name: name) != nil || ["constant", "uniform", "normal"].contains(name) {
          throw BlockError(
            "wrong parameters for '\(name)'", at: option,
            hint: "constant takes one value; uniform low high; normal mean std")
        }
        throw BlockError(
          "unknown initialiser '\(name)'", at: option, word: name,
          hint: suggestion(for: name, among: Initializer.knownNames))
      }
      return initializer
    } show: {
      $0.name
    }
  }
}

extension OptionType where Value == MatrixSpec {
  static var matrix: Self {
    OptionType("`W1` then rows separated by `;`, or `b1` then values") { option in
      let trimmed = option.value.trimmed
      guard let space = trimmed.firstIndex(where: \.isWhitespace) else {
        throw BlockError("expected 'W1 rows…' or 'b1 values…' in 'matrix'", at: option)
      }
      let label = String(trimmed[..<space])
      guard let kind = label.first, kind == "W" || kind == "b", let index = Int(label.dropFirst()),
        index >= 1
      else {
        throw BlockError(
          "'\(label)' names no layer: use W1, W2, … or b1, b2, …", at: option, word: label)
      }
      let rows = try trimmed[space...].split(separator: ";").map {
        try DirectiveOption.numbers(in: String($0), option: option)
      }
      return MatrixSpec(isBias: kind == "b", layer: index, rows: rows)
    } show: {
      $0.label
    }
  }
}
