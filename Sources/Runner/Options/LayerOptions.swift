import NeuralEngine
import Notebook
import Spelling

extension BlockError {
  /// An error at a word of the option when there is one, else at the option.
  static func at(_ option: DirectiveOption, word: String?, _ message: String, hint: String?)
    -> BlockError
  {
    if let word { return BlockError(message, at: option, word: word, hint: hint) }
    return BlockError(message, at: option, hint: hint)
  }
}

/// One `layer:` line of a model: a dense layer, or one of the layers in front of them —
/// Keras's `Conv2D`, `MaxPooling2D`/`AveragePooling2D`, `Flatten` and `SimpleRNN`.
enum ModelLayer {
  case dense(LayerSpec)
  /// `layer: conv 8 3x3 relu stride=1 padding=valid bias=true`.
  case convolution(filters: Int, window: Window, activation: Activation, bias: Bool)
  /// `layer: pool max 2`, `layer: pool average 2 stride=1 padding=same`.
  case pooling(Pooling2D)
  /// `layer: flatten` (the maps become one row per sample; implied before a dense layer).
  case flatten
  /// `layer: rnn 8 tanh bias=true`.
  case recurrent(units: Int, activation: Activation, bias: Bool)

  var dense: LayerSpec? { if case .dense(let spec) = self { spec } else { nil } }

  /// The word that starts the line.
  var word: String {
    switch self {
    case .dense: "dense"
    case .convolution: "conv"
    case .pooling: "pool"
    case .flatten: "flatten"
    case .recurrent: "rnn"
    }
  }

  /// The most filters, units, kernel and stride a teaching model may have.
  static let limits = (filters: 64, kernel: 7, stride: 8, units: 64)
}

extension OptionType where Value == ModelLayer {
  static var layer: Self {
    let dense = OptionType<LayerSpec>.denseLayer
    return OptionType(
      dense.summary
        + "; or `conv FILTERS KxK ACTIVATION` (`stride=`, `padding=valid|same`, `bias=`), `pool max|average SIZE` (`stride=`, `padding=`), `flatten`, `rnn UNITS [tanh]` (`bias=`)"
    ) { option in
      let words = option.words
      switch words.first?.lowercased() {
      case "conv", "conv2d": return try convolution(option, words)
      case "pool", "maxpool", "avgpool": return try pooling(option, words)
      case "flatten":
        guard words.count == 1 else {
          throw BlockError("'flatten' takes nothing after it", at: option, word: words[1])
        }
        return .flatten
      case "rnn", "simplernn": return try recurrent(option, words)
      default: return .dense(try dense.read(option))
      }
    } show: { layer in
      switch layer {
      case .dense(let spec): dense.show(spec)
      case .convolution(let filters, let window, let activation, _):
        "conv \(filters) \(window.height)x\(window.width) \(activation.name)"
      case .pooling(let pool): "pool \(pool.kind.rawValue) \(pool.window.height)"
      case .flatten: "flatten"
      case .recurrent(let units, let activation, _): "rnn \(units) \(activation.name)"
      }
    }
  }

  /// `key=value` words after the first `fixed`, each key one of `known`.
  private static func settings(
    _ option: DirectiveOption, _ words: [String], after fixed: Int, known: [String]
  ) throws -> [String: String] {
    var found: [String: String] = [:]
    for word in words.dropFirst(fixed) {
      let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
      guard parts.count == 2, known.contains(parts[0]) else {
        throw BlockError(
          "unexpected '\(word)' in '\(words[0])' layer", at: option, word: word,
          hint: closestName(to: parts.first ?? word, among: known).map { "did you mean '\($0)=…'?" }
            ?? "it takes " + known.map { "\($0)=…" }.joined(separator: ", "))
      }
      found[parts[0]] = parts[1]
    }
    return found
  }

  private static func count(
    _ option: DirectiveOption, _ text: String?, _ what: String, in range: ClosedRange<Int>,
    example: String
  ) throws -> Int {
    guard let text, let value = Int(text), range.contains(value) else {
      throw BlockError.at(
        option, word: text,
        "expected \(what) from \(range.lowerBound) to \(range.upperBound)\(text.map { ", found '\($0)'" } ?? "")",
        hint: "e.g. '\(example)'")
    }
    return value
  }

  private static func flag(_ option: DirectiveOption, _ settings: [String: String], _ key: String)
    throws -> Bool
  {
    switch settings[key] {
    case nil, "true": return true
    case "false": return false
    case let other?:
      throw BlockError(
        "\(key) must be true or false, not '\(other)'", at: option, word: "\(key)=\(other)")
    }
  }

  private static func padding(_ option: DirectiveOption, _ settings: [String: String]) throws
    -> Window.Padding
  {
    guard let text = settings["padding"] else { return .valid }
    guard let padding = Window.Padding(rawValue: text) else {
      throw BlockError(
        "padding is 'valid' or 'same', not '\(text)'", at: option, word: "padding=\(text)")
    }
    return padding
  }

  private static func activation(_ option: DirectiveOption, _ name: String?) throws -> Activation {
    guard let name else { return .identity }
    guard let found = Activation(name: name) else {
      throw BlockError(
        "unknown activation '\(name)'", at: option, word: name,
        hint: suggestion(for: name, among: Activation.knownNames))
    }
    return found
  }

  private static func convolution(_ option: DirectiveOption, _ words: [String]) throws
    -> ModelLayer
  {
    let example = "layer: conv 8 3x3 relu"
    let limits = ModelLayer.limits
    let filters = try count(
      option, words.dropFirst().first, "a number of filters", in: 1...limits.filters,
      example: example)
    guard words.count >= 3,
      let size = InputSpec.shape(words[2]) ?? Int(words[2]).map({ [$0, $0] }),
      size.count == 2, size.allSatisfy({ (1...limits.kernel).contains($0) })
    else {
      throw BlockError.at(
        option, word: words.count >= 3 ? words[2] : nil,
        "expected a kernel size such as 3x3 (1 to \(limits.kernel) a side)\(words.count >= 3 ? ", found '\(words[2])'" : "")",
        hint: "e.g. '\(example)'")
    }
    let named = words.count >= 4 && !words[3].contains("=")
    let settings = try settings(
      option, words, after: named ? 4 : 3, known: ["stride", "padding", "bias"])
    let stride = try settings["stride"].map {
      try count(option, $0, "a stride", in: 1...limits.stride, example: "stride=2")
    }
    let window = try Window(
      height: size[0], width: size[1], strideHeight: stride ?? 1, strideWidth: stride ?? 1,
      padding: padding(option, settings))
    return .convolution(
      filters: filters, window: window,
      activation: try activation(option, named ? words[3] : nil),
      bias: try flag(option, settings, "bias"))
  }

  private static func pooling(_ option: DirectiveOption, _ words: [String]) throws -> ModelLayer {
    let example = "layer: pool max 2"
    var rest = Array(words.dropFirst())
    var kind = Pooling2D.Kind.max
    if words[0].lowercased() == "avgpool" { kind = .average }
    if let first = rest.first, let named = Pooling2D.Kind(rawValue: first.lowercased()) {
      kind = named
      rest.removeFirst()
    } else if words[0].lowercased() == "pool" {
      throw BlockError.at(
        option, word: rest.first,
        "expected 'max' or 'average' after 'pool'\(rest.first.map { ", found '\($0)'" } ?? "")",
        hint: "e.g. '\(example)'")
    }
    let size = try count(
      option, rest.first, "a pool size", in: 1...ModelLayer.limits.kernel, example: example)
    let settings = try settings(
      option, [words[0]] + rest, after: 2, known: ["stride", "padding"])
    let stride = try settings["stride"].map {
      try count(option, $0, "a stride", in: 1...ModelLayer.limits.stride, example: "stride=2")
    }
    let window = try Window(
      height: size, width: size, strideHeight: stride ?? size, strideWidth: stride ?? size,
      padding: padding(option, settings))
    return .pooling(Pooling2D(kind: kind, window: window))
  }

  private static func recurrent(_ option: DirectiveOption, _ words: [String]) throws
    -> ModelLayer
  {
    let units = try count(
      option, words.dropFirst().first, "a number of units", in: 1...ModelLayer.limits.units,
      example: "layer: rnn 8")
    let named = words.count >= 3 && !words[2].contains("=")
    let settings = try settings(option, words, after: named ? 3 : 2, known: ["bias"])
    return .recurrent(
      units: units, activation: named ? try activation(option, words[2]) : .tanh,
      bias: try flag(option, settings, "bias"))
  }
}
