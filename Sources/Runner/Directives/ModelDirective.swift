import NeuralEngine
import Notebook

/// ```model NAME```: a dense network, with initial or given weights.
struct ModelDirective: Directive {
  var inputs: InputSpec?
  var layers: [ModelLayer] = []
  var initializer: Initializer?
  var weights: [Assignment] = []
  var biases: [Assignment] = []
  var matrices: [MatrixSpec] = []
  var precision = Precision.float64
  var show: [String] = ["summary"]
  var collapse: String?

  static let kind = DirectiveKind.model
  static let syntax: DirectiveSyntax = .options(name: .required("the model it defines"))

  /// The model or data set it names, which it makes or changes.
  func changes(_ block: DirectiveBlock) -> [String] { block.name.map { [$0] } ?? [] }
  static let summary = "a dense network: inputs, layers, activations, and initial or given weights"
  static let storedValues =
    "`parameters` and every weight and bias by its unit-notation name (`w14`, `θ4`): always the model's state at the place they are quoted, after any `train` or `backward … apply: true` above"

  static var fields: [OptionField<Self>] {
    [
      .option(
        "inputs", \.inputs, .inputs,
        "the number of inputs, or their names; names `x1 x2 …` number the input units 1, 2, …, other names label them as written",
        example: "inputs: x1 x2 x3"),
      .repeated(
        "layer", \.layers, .layer,
        "one per layer: units, activation, then `bias=false`, `alpha=0.1`, `names=4,5`; `dropout=0.5` (inverted dropout on the layer's outputs while training), `l1=…`/`l2=…` (Keras's kernel_regularizer: the loss gains l1·Σ|w| + l2·Σw²), `batchnorm=true` (normalise z before the activation; `bn_momentum=0.99`, `bn_epsilon=0.001`). Before the dense layers, on shaped inputs: `conv 8 3x3 relu` (Keras's Conv2D: filters, kernel, activation; `stride=2`, `padding=same`, `bias=false`), `pool max 2` or `pool average 2` (`stride=`, `padding=`; the stride is the size unless given), `flatten` (implied before the first dense layer), or first `rnn 8` (Keras's SimpleRNN over `inputs: STEPSxINPUTS`, tanh unless named; the dense layers read its last state)",
        example: "layer: 2 sigmoid"),
      .option(
        "init", \.initializer, .initializer,
        "the weight initialiser (`he_normal`, `uniform -0.5 0.5`, …); needed to draw the weights a block leaves out when it gives some",
        example: "init: he_normal", default: "`glorot_uniform` when no weight is given"),
      .option(
        "weights", \.weights, .assignments, "weights by name in unit notation",
        example: "weights: w14=0.2 w15=-0.3"),
      .option(
        "biases", \.biases, .assignments, "biases by name (`θ4`, `theta4` or `b4`)",
        example: "biases: θ4=-0.4"),
      .repeated(
        "matrix", \.matrices, .matrix,
        "a whole weight matrix `W1` (rows separated by `;`) or bias vector `b1`",
        example: "matrix: W1 0.2 -0.3; 0.4 0.1; -0.5 0.2"),
      .option(
        "dtype", \.precision, .choice, "the precision training runs in", example: "dtype: float32"),
      .option(
        "show", \.show, .words(from: ModelTable.allCases.map(\.rawValue)), "the tables shown",
        example: "show: summary weights"),
      .option(
        "collapse", \.collapse, .name,
        "the one linear layer equal to another model whose activations are all identity",
        example: "collapse: deep"),
    ]
  }

  func validate(_ block: DirectiveBlock) -> [BlockError] {
    guard collapse == nil else { return [] }
    var errors: [BlockError] = []
    if inputs == nil {
      errors.append(
        BlockError("a model needs 'inputs'", hint: "e.g. 'inputs: 3' or 'inputs: x1 x2 x3'"))
    }
    if layers.isEmpty {
      errors.append(
        BlockError("a model needs at least one 'layer'", hint: "e.g. 'layer: 2 sigmoid'"))
    }
    errors += frontErrors(block)
    let denseCount = layers.filter { $0.dense != nil }.count
    for spec in matrices where spec.layer > denseCount {
      errors.append(
        BlockError(
          "'\(spec.label)' names no layer: use W1…W\(denseCount) or b1…b\(denseCount)",
          at: block.options("matrix").first { $0.value.trimmed.hasPrefix(spec.label) }))
    }
    for (option, biasesGiven) in [("weights", false), ("biases", true)] {
      for assignment in biasesGiven ? biases : weights
      where Self.isBiasName(assignment.name) != biasesGiven {
        errors.append(
          BlockError(
            "'\(assignment.name)' is a \(biasesGiven ? "weight" : "bias"): give it under '\(biasesGiven ? "weights" : "biases")'",
            at: block.option(option), word: assignment.name))
      }
    }
    return errors
  }

  func reads(_ block: DirectiveBlock) -> [String] { collapse.map { [$0] } ?? [] }

  func run(_ context: BlockContext) throws -> [ResultItem] {
    guard let name = context.block.name else { return [] }
    if let collapse { return try Collapse(base: collapse, into: name).run(context) }
    guard let inputs else { return [] }
    var generator = RandomGenerator(seed: context.seed)
    var built: [Dense<Double>] = []
    let givesSome = !weights.isEmpty || !biases.isEmpty || !matrices.isEmpty
    let drawing = initializer ?? (givesSome ? .zeros : .glorotUniform)
    let layerOptions = context.block.options("layer")
    let front = try buildFront(context, drawing: drawing, generator: &generator)
    var width = front?.width ?? inputs.count
    var parameters = front?.parameters ?? 0
    for (index, layer) in layers.enumerated() {
      guard let spec = layer.dense else { continue }
      let option = layerOptions.dropFirst(index).first
      let (count, overflow) = width.multipliedReportingOverflow(by: spec.units + 1)
      parameters += overflow ? Self.parameterLimit + 1 : count
      guard parameters <= Self.parameterLimit else {
        throw BlockError(
          "this model would have more than \(Self.parameterLimit) parameters", at: option,
          hint: "nbrun is for teaching-sized networks; use fewer units")
      }
      try context.checkTime("while drawing the initial weights")
      built.append(
        try atOption(option) {
          var layer = try Dense<Double>(
            inputs: width, units: spec.units, activation: spec.activation, useBias: spec.bias,
            initializer: drawing, unitNames: spec.names, generator: &generator)
          layer.dropout = spec.dropout
          layer.regularizer = spec.regularizer
          layer.batchNorm = spec.batchNorm.map {
            BatchNorm(units: spec.units, momentum: $0.momentum, epsilon: $0.epsilon)
          }
          return layer
        })
      width = spec.units
    }
    var network = try atOption(context.option("inputs")) {
      try Network(
        inputs: front.map { $0.features } ?? inputs.count, layers: built,
        inputNames: front == nil ? inputs.names : nil)
    }
    // A single neuron whose author writes `w` and `b` is shown with those names.
    if network.isSingleNeuron,
      (weights + biases).contains(where: { $0.name == "w" || $0.name == "b" })
    {
      network.parameterNaming = .neuron
    }
    var given = GivenParameters(network: network)
    for spec in matrices {
      try given.set(
        spec, in: &network,
        at: context.block.options("matrix").first { $0.value.trimmed.hasPrefix(spec.label) })
    }
    try given.set(weights, in: &network, at: context.option("weights"))
    try given.set(biases, in: &network, at: context.option("biases"))
    if givesSome, initializer == nil, let missing = given.missing(in: network) {
      throw BlockError(
        "the weights are partly given: \(missing.count == 1 ? "\(missing[0]) is" : "\(missing.prefix(8).joined(separator: ", "))\(missing.count > 8 ? ", …" : "") are") missing (\(missing.count) of \(network.parameterCount))",
        at: context.option("weights") ?? context.option("biases") ?? context.option("inputs"),
        hint:
          "give every parameter (\(given.expectedNames(in: network))), or add 'init:' (e.g. 'init: zeros') to draw the rest"
      )
    }
    let entry = ModelEntry(
      network: network, trainsInFloat: precision == .float32, front: front?.layers)
    context.namespace.models[name] = entry
    try context.storeParameters(of: entry, model: name)
    guard context.showsResults else { return [] }
    if entry.front != nil {
      return [.table(try FrontTables(entry: entry, context: context).summary())]
    }
    var items: [ResultItem] = []
    let tables = ModelTables(network: network, context: context)
    if show.contains("summary") { items.append(.table(tables.summary())) }
    if show.contains("weights") {
      items += tables.weights(caption: items.isEmpty ? context.caption : nil)
    }
    return items
  }

  /// The most parameters a notebook's model may have (20 million: 160 MB of weights).
  static let parameterLimit = 20_000_000

  /// Whether a parameter name is a bias's (`θ4`, `theta4`, `b4`) rather than a weight's.
  static func isBiasName(_ name: String) -> Bool {
    !name.hasPrefix("w") && !name.hasPrefix("W")
  }
}
