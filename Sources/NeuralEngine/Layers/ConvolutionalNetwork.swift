/// A convolutional network: convolution and pooling stages over images, then dense layers
/// on the flattened maps — Keras's `Sequential([Conv2D, MaxPooling2D, …, Flatten, Dense,
/// …])`. The dense part is a ``Network``, trained by the same propagation and optimizer as
/// any other; the stages are trained with it, one optimizer step for all parameters.
public struct ConvolutionalNetwork<Scalar: MatrixScalar>: LayeredNetwork {
  /// A stage over maps.
  public enum Stage: Equatable, Codable, Sendable {
    case convolution(Convolution2D<Scalar>)
    case pooling(Pooling2D)
  }

  /// The size of one input image.
  public let height: Int
  public let width: Int
  public let channels: Int
  public internal(set) var stages: [Stage]
  /// The dense layers, reading each sample's flattened maps.
  public var head: Network<Scalar>

  /// A network from its parts; each stage must fit the maps the one before it makes, and
  /// the head must take as many inputs as the last maps have values.
  public init(height: Int, width: Int, channels: Int, stages: [Stage], head: Network<Scalar>)
    throws
  {
    self.height = height
    self.width = width
    self.channels = channels
    self.stages = stages
    self.head = head
    let last = try shapes().last ?? (height, width, channels)
    let flat = try FeatureMaps<Scalar>.elementCount(last.0, last.1, last.2)
    guard head.inputCount == flat else {
      throw EngineError.shapeMismatch(
        operation: "the dense layers after the last stage",
        left: Shape(rows: 1, columns: flat), right: Shape(rows: head.inputCount, columns: 1),
        rule:
          "the flattened maps (\(last.0)×\(last.1)×\(last.2) = \(flat) values) are the first dense layer's inputs"
      )
    }
  }

  /// The maps' size after each stage (height, width, channels).
  public func shapes() throws -> [(Int, Int, Int)] {
    var shape = (height, width, channels)
    var found: [(Int, Int, Int)] = []
    for (index, stage) in stages.enumerated() {
      switch stage {
      case .convolution(let layer):
        guard layer.inputChannels == shape.2 else {
          throw EngineError.invalidArgument(
            "stage \(index + 1) takes \(layer.inputChannels) channels but receives \(shape.2)")
        }
        let place = try layer.window.placement(height: shape.0, width: shape.1)
        shape = (place.outputHeight, place.outputWidth, layer.filters)
      case .pooling(let layer):
        let place = try layer.window.placement(height: shape.0, width: shape.1)
        shape = (place.outputHeight, place.outputWidth, shape.2)
      }
      found.append(shape)
    }
    return found
  }

  /// Weights and biases of the stages and the dense layers.
  public var parameterCount: Int {
    stages.reduce(head.parameterCount) { total, stage in
      if case .convolution(let layer) = stage { return total + layer.parameterCount }
      return total
    }
  }

  /// Multiply-adds of one sample's forward pass: a measure of work that does not depend on
  /// the machine.
  public func multiplyAdds() throws -> Int {
    var total = 0
    for (stage, next) in zip(stages, try shapes()) {
      if case .convolution(let layer) = stage {
        total += next.0 * next.1 * layer.filters * layer.kernel.rows
      }
    }
    return head.layers.reduce(total) { $0 + $1.weights.elements.count }
  }

  /// What a forward pass through one stage keeps.
  public enum StagePass: Sendable {
    case convolution(Convolution2D<Scalar>.Pass)
    case pooling(Pooling2D.Pass<Scalar>)
  }

  /// The stages' passes over a batch of images (one flattened image per row), in order, and
  /// the flattened last maps.
  public func extract(_ samples: Matrix<Scalar>) throws -> (
    trace: [StagePass], features: Matrix<Scalar>
  ) {
    var maps = try FeatureMaps(
      unflattening: samples, height: height, width: width, channels: channels)
    var passes: [StagePass] = []
    passes.reserveCapacity(stages.count)
    for stage in stages {
      switch stage {
      case .convolution(let layer):
        let pass = try layer.forward(maps)
        maps = pass.output
        passes.append(.convolution(pass))
      case .pooling(let layer):
        let pass = try layer.forward(maps)
        maps = pass.output
        passes.append(.pooling(pass))
      }
    }
    return (passes, maps.flattened)
  }

  /// Back through the stages, last first, from the dense layers' input gradient: each
  /// convolution's kernel and bias gradients, first stage first. The first stage's input is
  /// the data, whose gradient is not needed.
  public func frontGradients(_ trace: [StagePass], featureGradient: [Scalar], rows: Int) throws
    -> [[Scalar]]
  {
    let last = try shapes().last ?? (height, width, channels)
    var upstream = FeatureMaps(unchecked: rows, last.0, last.1, last.2, featureGradient)
    var gradients: [[Scalar]] = []
    for (index, (stage, stagePass)) in zip(stages, trace).enumerated().reversed() {
      switch (stage, stagePass) {
      case (.convolution(let layer), .convolution(let p)):
        let g = try layer.backward(p, upstream: upstream, inputGradient: index > 0)
        gradients.append(g.bias ?? [])
        gradients.append(g.kernel.elements)
        upstream = g.input
      case (.pooling(let layer), .pooling(let p)):
        guard index > 0 else { break }
        upstream = try layer.backward(p, upstream: upstream)
      default: break
      }
    }
    return gradients.reversed()
  }

  /// Each convolution's kernel, then its bias (empty without one).
  public var frontParameterSizes: [Int] {
    convolutions.flatMap { [$0.kernel.elements.count, $0.bias?.count ?? 0] }
  }

  public mutating func updateFront(_ change: (inout [Scalar], Int) -> Void) {
    var index = 0
    for k in stages.indices {
      guard case .convolution(var layer) = stages[k] else { continue }
      change(&layer.kernel.elements, 2 * index)
      if var bias = layer.bias {
        layer.bias = nil
        change(&bias, 2 * index + 1)
        layer.bias = bias
      }
      stages[k] = .convolution(layer)
      index += 1
    }
  }

  /// The convolutional stages, in order.
  public var convolutions: [Convolution2D<Scalar>] {
    stages.compactMap { if case .convolution(let layer) = $0 { layer } else { nil } }
  }

  /// The outputs for a batch of images, one row per image.
  @_specialize(exported:true,where Scalar == Float)
  @_specialize(exported:true,where Scalar == Double)
  public func predict(_ images: FeatureMaps<Scalar>) throws -> Matrix<Scalar> {
    try checkImages(images)
    return try predict(samples: images.flattened)
  }

  /// The loss and the metrics on a batch of images.
  @_specialize(exported:true,where Scalar == Float)
  @_specialize(exported:true,where Scalar == Double)
  public func evaluate(
    _ images: FeatureMaps<Scalar>, _ targets: Matrix<Scalar>, loss: Loss, metrics: [Metric]
  ) throws -> (loss: Double, metrics: [Double]) {
    try checkImages(images)
    return try evaluate(samples: images.flattened, targets, loss: loss, metrics: metrics)
  }

  /// Mini-batch training on images, shuffled (seeded) every epoch, by the shared loop
  /// ``LayeredNetwork/fit(_:_:configuration:validation:progress:interrupt:)``; the mean
  /// training loss of each epoch.
  @_specialize(exported:true,where Scalar == Float)
  @_specialize(exported:true,where Scalar == Double)
  public mutating func fit(
    _ images: FeatureMaps<Scalar>, _ targets: Matrix<Scalar>, loss: Loss, optimizer: Optimizer,
    epochs: Int, batchSize: Int, seed: UInt64
  ) throws -> [Double] {
    try checkImages(images)
    let history = try fit(
      images.flattened, targets,
      configuration: TrainingConfiguration(
        loss: loss, optimizer: optimizer, epochs: epochs, batchSize: batchSize, seed: seed))
    return history.records.map(\.loss)
  }

  private func checkImages(_ images: FeatureMaps<Scalar>) throws {
    guard images.height == height, images.width == width, images.channels == channels else {
      throw EngineError.invalidArgument(
        "the network takes \(height)×\(width)×\(channels) images, not \(images.height)×\(images.width)×\(images.channels)"
      )
    }
  }
}
