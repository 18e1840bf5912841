/// The name of a computed value: `hk.O6`, `hk.O6[2]` (the second sample), `fit.loss@100`
/// (epoch 100), `g.dJ/da`, `digits.train.samples`.
///
/// This type is the one printer (``description``) and the one parser
/// (``init(parsing:)``) of value names. Blocks build keys with the factories below, so no
/// name is ever assembled or split by string surgery elsewhere.
public struct ValueKey: Codable, Hashable, Comparable, Sendable, CustomStringConvertible {
  /// What the value belongs to: a model, data set, graph or unit, or a block's `as:` name.
  public var owner: String
  /// The quantity within the owner, with its unit or parameter: `O6`, `new_w46`, `loss`.
  public var quantity: Quantity
  /// The sample, 1-based, for values of every sample of a batch; `nil` for the first.
  public var sample: Int?
  /// The epoch, for values recorded every epoch.
  public var epoch: Int?

  public init(owner: String, quantity: Quantity, sample: Int? = nil, epoch: Int? = nil) {
    self.owner = owner
    // Through the one parser, so a quantity made from a case equals the one read from its
    // text.
    self.quantity = Quantity(quantity.description)
    self.sample = sample == 1 ? nil : sample
    self.epoch = epoch
  }

  public init(owner: String, quantity: String, sample: Int? = nil, epoch: Int? = nil) {
    self.owner = owner
    self.quantity = Quantity(quantity)
    self.sample = sample == 1 ? nil : sample
    self.epoch = epoch
  }

  /// Reads `owner.quantity[sample]@epoch`; `nil` when the text is not of that form.
  public init?(parsing text: some StringProtocol) {
    guard let first = text.firstIndex(where: { !$0.isWhitespace }),
      let last = text.lastIndex(where: { !$0.isWhitespace })
    else { return nil }
    let reference = text[first...last]
    guard let dot = reference.firstIndex(of: "."), dot != reference.startIndex else { return nil }
    guard
      let local = ValueKey(
        owner: String(reference[..<dot]), local: reference[reference.index(after: dot)...])
    else { return nil }
    self = local
  }

  /// Reads the part after the owner (`O6[2]`, `loss@100`), as blanks name values.
  public init?(owner: String, local text: some StringProtocol) {
    var rest = Substring(text)
    var epoch: Int?
    if let at = rest.lastIndex(of: "@") {
      guard let number = Int(rest[rest.index(after: at)...]), number >= 0 else { return nil }
      epoch = number
      rest = rest[..<at]
    }
    var sample: Int?
    if rest.last == "]", let open = rest.lastIndex(of: "[") {
      guard let number = Int(rest[rest.index(after: open)..<rest.index(before: rest.endIndex)]),
        number >= 1
      else { return nil }
      sample = number
      rest = rest[..<open]
    }
    guard !rest.isEmpty, !owner.isEmpty, !rest.contains(where: \.isWhitespace) else { return nil }
    self.init(owner: owner, quantity: String(rest), sample: sample, epoch: epoch)
  }

  /// The name as a notebook writes it.
  public var description: String { "\(owner).\(local)" }

  /// The name without its owner, as `blank:` and tables write it: `O6[2]`, `loss@100`.
  public var local: String {
    var text = quantity.description
    if let sample { text += "[\(sample)]" }
    if let epoch { text += "@\(epoch)" }
    return text
  }

  /// The same quantity under another owner.
  public func owned(by owner: String) -> ValueKey {
    var copy = self
    copy.owner = owner
    return copy
  }

  public static func < (a: ValueKey, b: ValueKey) -> Bool {
    (a.owner, a.quantity.description, a.sample ?? 1, a.epoch ?? -1) < (
      b.owner, b.quantity.description, b.sample ?? 1, b.epoch ?? -1
    )
  }
}

/// What a value is within its owner. The quantities whose parts other code needs (a unit's
/// net input, output, error and δ; a parameter's gradient and update) are cases with those
/// parts; the rest (`loss`, `z1_2`, `dJ/da`, `train.samples`) are ``other(_:)``. Text
/// becomes a quantity in one place, ``init(_:)``, and ``description`` gives the text back,
/// so `Quantity(q.description) == q` for every quantity ``ValueKey`` holds.
public enum Quantity: Hashable, Sendable, Codable, CustomStringConvertible {
  /// `I6`: a unit's net input.
  case netInput(unit: String)
  /// `O6`: a unit's output.
  case output(unit: String)
  /// `Err6`: the textbook's error of a unit (= −δ).
  case error(unit: String)
  /// `delta6`, `delta2_1`: a unit's error signal δ.
  case delta(unit: String)
  /// `grad_w46`: ∂L/∂ of a parameter.
  case gradient(parameter: String)
  /// `new_w46`: a parameter after one update.
  case updated(parameter: String)
  /// Any other quantity, by its text.
  case other(String)

  /// Reads a quantity's text. Every prefix is taken apart here and nowhere else.
  public init(_ text: some StringProtocol) {
    let text = String(text)
    func after(_ prefix: String) -> String? {
      text.hasPrefix(prefix) && text.count > prefix.count
        ? String(text.dropFirst(prefix.count)) : nil
    }
    if let parameter = after("grad_") {
      self = .gradient(parameter: parameter)
    } else if let parameter = after("new_") {
      self = .updated(parameter: parameter)
    } else if let unit = after("Err") {
      self = .error(unit: unit)
    } else if let unit = after("delta") {
      self = .delta(unit: unit)
    } else if let unit = after("I") {
      self = .netInput(unit: unit)
    } else if let unit = after("O") {
      self = .output(unit: unit)
    } else {
      self = .other(text)
    }
  }

  public var description: String {
    switch self {
    case .netInput(let unit): "I" + unit
    case .output(let unit): "O" + unit
    case .error(let unit): "Err" + unit
    case .delta(let unit): "delta" + unit
    case .gradient(let parameter): "grad_" + parameter
    case .updated(let parameter): "new_" + parameter
    case .other(let text): text
    }
  }

  public init(from decoder: any Decoder) throws {
    self.init(try decoder.singleValueContainer().decode(String.self))
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(description)
  }
}

// MARK: - The quantities blocks compute

extension ValueKey {
  /// A plain quantity: `samples`, `loss`, `accuracy`, `converged`.
  public static func named(_ owner: String, _ quantity: String, epoch: Int? = nil) -> ValueKey {
    ValueKey(owner: owner, quantity: quantity, epoch: epoch)
  }

  /// A quantity of one part of a data set: `digits.train.samples`.
  public static func part(_ owner: String, _ part: String, _ quantity: String) -> ValueKey {
    ValueKey(owner: owner, quantity: .other("\(part).\(quantity)"))
  }

  /// Unit notation: the net input `I6` and output `O6` of a unit (sample is 0-based).
  public static func netInput(_ owner: String, unit: String, sample: Int = 0) -> ValueKey {
    ValueKey(owner: owner, quantity: .netInput(unit: unit), sample: sample + 1)
  }

  public static func output(_ owner: String, unit: String, sample: Int = 0) -> ValueKey {
    ValueKey(owner: owner, quantity: .output(unit: unit), sample: sample + 1)
  }

  /// Layer notation: `z1_2` and `a1_2` (layer 1, unit 2; both 0-based here).
  public static func layerNetInput(_ owner: String, layer: Int, unit: Int, sample: Int = 0)
    -> ValueKey
  {
    ValueKey(owner: owner, quantity: "z\(layer + 1)_\(unit + 1)", sample: sample + 1)
  }

  public static func layerOutput(_ owner: String, layer: Int, unit: Int, sample: Int = 0)
    -> ValueKey
  {
    ValueKey(owner: owner, quantity: "a\(layer + 1)_\(unit + 1)", sample: sample + 1)
  }

  /// The textbook's error `Err6` (= −δ) and the error signal `delta6` of a unit.
  public static func error(_ owner: String, unit: String, sample: Int = 0) -> ValueKey {
    ValueKey(owner: owner, quantity: .error(unit: unit), sample: sample + 1)
  }

  public static func delta(_ owner: String, unit: String, sample: Int = 0) -> ValueKey {
    ValueKey(owner: owner, quantity: .delta(unit: unit), sample: sample + 1)
  }

  /// δ in layer notation: `delta2_1`.
  public static func layerDelta(_ owner: String, layer: Int, unit: Int, sample: Int = 0)
    -> ValueKey
  {
    ValueKey(owner: owner, quantity: .delta(unit: "\(layer + 1)_\(unit + 1)"), sample: sample + 1)
  }

  /// ∂L/∂x of an input (`dL/dx1`), for circuits that need the gradient at the inputs.
  public static func inputGradient(_ owner: String, input: String, sample: Int = 0) -> ValueKey {
    ValueKey(owner: owner, quantity: "dL/d" + input, sample: sample + 1)
  }

  /// A weight or bias by its unit-notation name: `w46`, `θ6`.
  public static func parameter(_ owner: String, _ name: String) -> ValueKey {
    ValueKey(owner: owner, quantity: name)
  }

  /// ∂L/∂parameter (`grad_w46`) and the parameter after one update (`new_w46`).
  public static func gradient(_ owner: String, parameter: String) -> ValueKey {
    ValueKey(owner: owner, quantity: .gradient(parameter: parameter))
  }

  public static func updated(_ owner: String, parameter: String) -> ValueKey {
    ValueKey(owner: owner, quantity: .updated(parameter: parameter))
  }

  /// A layer's gradient size `norm1` and mean |δ| `mean_delta1` (1-based layer).
  public static func gradientNorm(_ owner: String, layer: Int) -> ValueKey {
    ValueKey(owner: owner, quantity: "norm\(layer + 1)")
  }

  public static func meanDelta(_ owner: String, layer: Int) -> ValueKey {
    ValueKey(owner: owner, quantity: "mean_delta\(layer + 1)")
  }

  /// ∂output/∂node of a computation graph: `dJ/da`.
  public static func derivative(_ owner: String, of output: String, by node: String) -> ValueKey {
    ValueKey(owner: owner, quantity: "d\(output)/d\(node)")
  }

  /// A prediction: `y1` for one output, `y1_2` for the second output of sample 1 (0-based in).
  public static func prediction(_ owner: String, sample: Int, output: Int? = nil) -> ValueKey {
    ValueKey(
      owner: owner, quantity: output.map { "y\(sample + 1)_\($0 + 1)" } ?? "y\(sample + 1)")
  }

  /// The predicted class of a sample: `class1`.
  public static func predictedClass(_ owner: String, sample: Int) -> ValueKey {
    ValueKey(owner: owner, quantity: "class\(sample + 1)")
  }

  /// The loss at the k-th guess of a `loss` block: `L1`.
  public static func guessLoss(_ owner: String, guess: Int) -> ValueKey {
    ValueKey(owner: owner, quantity: "L\(guess + 1)")
  }

  /// A perceptron's weight `w0` (the bias) … `wn`.
  public static func unitWeight(_ owner: String, index: Int) -> ValueKey {
    ValueKey(owner: owner, quantity: "w\(index)")
  }
}
