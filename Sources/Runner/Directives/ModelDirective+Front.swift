import NeuralEngine
import Notebook

/// A model's convolution, pooling and recurrent layers: the checks of their order and
/// inputs, and their construction (their weights drawn before the dense layers', in
/// Keras's layer order).
extension ModelDirective {
  /// The layers in front of the dense ones, as built: what the dense layers read.
  struct BuiltFront {
    var layers: ModelFront
    /// Values per sample reaching the first dense layer.
    var features: Int
    /// The front's parameters.
    var parameters: Int
    /// The last layer's width (the features, until dense layers follow).
    var width: Int
  }

  /// The most values a convolution may cut into patches, or make as maps, per image: a
  /// batch's work and memory grow with it (32×32×3 images through 64 filters of 3×3 stay
  /// well inside).
  static let valuesPerImage = 250_000

  /// The non-dense layers, in order, with their option lines' indices.
  private var frontLayers: [(index: Int, layer: ModelLayer)] {
    Array(layers.enumerated().prefix { $0.element.dense == nil }.map { ($0.offset, $0.element) })
  }

  func frontErrors(_ block: DirectiveBlock) -> [BlockError] {
    let options = block.options("layer")
    var errors: [BlockError] = []
    let front = frontLayers
    // A front layer after a dense one.
    if let late = layers.enumerated().dropFirst(front.count).first(where: {
      $0.element.dense == nil
    }) {
      errors.append(
        BlockError(
          "a '\(late.element.word)' layer comes after a dense layer",
          at: options.dropFirst(late.offset).first,
          hint: "put convolution, pooling, flatten and rnn layers before the dense ones"))
    }
    guard !front.isEmpty else { return errors }
    let recurrent = front.filter { if case .recurrent = $0.layer { true } else { false } }
    let shape = inputs?.shape
    if !recurrent.isEmpty {
      if front.count > 1 || recurrent.first?.index != 0 {
        errors.append(
          BlockError(
            "a recurrent model has one 'rnn' layer, first, and dense layers after it",
            at: options.dropFirst(recurrent.first?.index ?? 0).first,
            hint: "e.g. 'layer: rnn 8' then 'layer: 1 sigmoid'"))
      }
      if shape?.count != 2 {
        errors.append(
          BlockError(
            "an 'rnn' layer reads sequences: give 'inputs' as STEPSxINPUTS",
            at: block.option("inputs"),
            hint: "e.g. 'inputs: 6x1' for six steps of one input"))
      }
    } else if shape == nil {
      errors.append(
        BlockError(
          "convolution and pooling read images: give 'inputs' as HEIGHTxWIDTH or HEIGHTxWIDTHxCHANNELS",
          at: block.option("inputs"), hint: "e.g. 'inputs: 8x8'"))
    }
    if layers.count == front.count {
      errors.append(
        BlockError(
          "a \(recurrent.isEmpty ? "convolutional" : "recurrent") model needs a dense layer after its '\(front.last?.layer.word ?? "")' layer",
          at: options.last, hint: "e.g. 'layer: 10 softmax'"))
    }
    if precision == .float32 {
      errors.append(
        BlockError(
          "convolutional and recurrent models train in float64", at: block.option("dtype"),
          hint: "leave 'dtype' out"))
    }
    if !weights.isEmpty || !biases.isEmpty || !matrices.isEmpty {
      errors.append(
        BlockError(
          "a convolutional or recurrent model draws its weights: 'weights', 'biases' and 'matrix' are for dense models",
          at: block.option("weights") ?? block.option("biases") ?? block.option("matrix"),
          hint: "work given kernels by hand in a 'conv' block, a given cell in an 'rnn' block"))
    }
    return errors
  }

  /// The front layers, their weights drawn in order; `nil` for a dense model.
  func buildFront(
    _ context: BlockContext, drawing: Initializer, generator: inout RandomGenerator
  ) throws -> BuiltFront? {
    let front = frontLayers
    guard let shape = inputs?.shape, !front.isEmpty else { return nil }
    let options = context.block.options("layer")
    if case .recurrent(let units, let activation, let bias) = front[0].layer, shape.count == 2 {
      let cell = try atOption(options.first) {
        try SimpleRecurrent<Double>(
          inputs: shape[1], units: units, activation: activation, useBias: bias,
          initializer: drawing, generator: &generator)
      }
      return BuiltFront(
        layers: .recurrent(cell, steps: shape[0]), features: units,
        parameters: cell.parameterCount, width: units)
    }
    var size = (shape[0], shape[1], shape.count > 2 ? shape[2] : 1)
    var stages: [ConvolutionalNetwork<Double>.Stage] = []
    var parameters = 0
    for (index, layer) in front {
      let option = options.dropFirst(index).first
      try atOption(option) {
        switch layer {
        case .convolution(let filters, let window, let activation, let bias):
          let conv = try Convolution2D<Double>(
            filters: filters, window: window, inputChannels: size.2, activation: activation,
            useBias: bias, initializer: drawing, generator: &generator)
          let place = try window.placement(height: size.0, width: size.1)
          let cut = try FeatureMaps<Double>.elementCount(
            place.outputHeight, place.outputWidth, window.height, window.width, size.2)
          let made = try FeatureMaps<Double>.elementCount(
            place.outputHeight, place.outputWidth, filters)
          guard max(cut, made) <= Self.valuesPerImage else {
            throw BlockError(
              "this convolution would handle \(max(cut, made)) values per image (its patches and maps); nbrun's limit is \(Self.valuesPerImage)",
              at: option,
              hint:
                "nbrun is for teaching-sized networks: use a larger stride, a smaller kernel or fewer filters"
            )
          }
          size = (place.outputHeight, place.outputWidth, filters)
          parameters += conv.parameterCount
          stages.append(.convolution(conv))
        case .pooling(let pool):
          let place = try pool.window.placement(height: size.0, width: size.1)
          size = (place.outputHeight, place.outputWidth, size.2)
          stages.append(.pooling(pool))
        case .flatten, .dense, .recurrent: break
        }
      }
    }
    let features = try FeatureMaps<Double>.elementCount(size.0, size.1, size.2)
    return BuiltFront(
      layers: .convolution(
        height: shape[0], width: shape[1], channels: shape.count > 2 ? shape[2] : 1,
        stages: stages),
      features: features, parameters: parameters, width: features)
  }
}
