import NeuralEngine
import Notebook

/// `inputs: 3` or `inputs: x1 x2 x3`.
struct InputSpec: Hashable {
  var count: Int
  var names: [String]?
}

/// `layer: 4 relu`, `layer: 1 sigmoid bias=false`, `layer: 2 leaky_relu alpha=0.1 names=4,5`.
struct LayerSpec {
  var units: Int
  var activation: Activation
  var bias: Bool
  var names: [String]?
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
    OptionType("a number of inputs (1 to 100000), or their names") { option in
      let words = option.words
      if words.count == 1, let count = Int(words[0]) {
        guard (1...100_000).contains(count) else {
          throw BlockError("a model takes 1 to 100000 inputs, not \(count)", at: option)
        }
        return InputSpec(count: count, names: nil)
      }
      guard !words.isEmpty, words.count <= 100_000 else {
        throw BlockError("'inputs' needs a number or names", at: option)
      }
      return InputSpec(count: words.count, names: words)
    } show: {
      $0.names?.joined(separator: " ") ?? String($0.count)
    }
  }
}

extension OptionType where Value == LayerSpec {
  static var layer: Self {
    OptionType("units, an activation, then `bias=false`, `alpha=0.1`, `names=4,5`") { option in
      let words = option.value.split(whereSeparator: \.isWhitespace).map(String.init)
      guard words.count >= 2, let units = Int(words[0]), (1...100_000).contains(units) else {
        throw BlockError(
          "expected 'units activation' in 'layer', found '\(option.value)'", at: option,
          hint: "e.g. 'layer: 4 relu' or 'layer: 1 sigmoid bias=false'")
      }
      var settings: [String: String] = [:]
      for word in words.dropFirst(2) {
        let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, ["bias", "alpha", "names"].contains(parts[0]) else {
          throw BlockError(
            "unexpected '\(word)' in 'layer'", at: option, word: word,
            hint: "after units and activation come bias=false, alpha=0.1 or names=4,5")
        }
        settings[parts[0]] = parts[1]
      }
      let alpha = try settings["alpha"].map { text -> Double in
        guard let value = DirectiveOption.parseNumber(text) else {
          throw BlockError("alpha must be a number, not '\(text)'", at: option)
        }
        return value
      }
      let name = words[1]
      guard let activation = Activation(name: name, parameter: alpha) else {
        if Activation(name: name) != nil {
          throw BlockError("'\(name)' takes no alpha", at: option, word: name)
        }
        throw BlockError(
          "unknown activation '\(name)'", at: option, word: name,
          hint: suggestion(for: name, among: Activation.knownNames))
      }
      let names = settings["names"].map { $0.split(separator: ",").map(String.init) }
      if let names, names.count != units {
        throw BlockError("\(units) units need \(units) names, got \(names.count)", at: option)
      }
      let bias: Bool
      switch settings["bias"] {
      case nil, "true": bias = true
      case "false": bias = false
      case let other?: throw BlockError("bias must be true or false, not '\(other)'", at: option)
      }
      return LayerSpec(units: units, activation: activation, bias: bias, names: names)
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
