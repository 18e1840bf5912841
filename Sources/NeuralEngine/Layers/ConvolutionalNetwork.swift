/// A convolutional network: convolution and pooling stages over images, then dense layers
/// on the flattened maps — Keras's `Sequential([Conv2D, MaxPooling2D, …, Flatten, Dense,
/// …])`. The dense part is a ``Network``, trained by the same propagation and optimizer as
/// any other; the stages are trained with it, one optimizer step for all parameters.
public struct ConvolutionalNetwork<Scalar: MatrixScalar>: Sendable {
  /// A stage over maps.
  public enum Stage: Sendable {
    case convolution(Convolution2D<Scalar>)
    case pooling(Pooling2D)
  }

  /// The size of one input image.
  public let height: Int
  public let width: Int
  public let channels: Int
  public internal(set) var stages: [Stage]
  /// The dense layers, reading each sample's flattened maps.
  public internal(set) var head: Network<Scalar>

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

  /// The stages' passes over a batch, in order, and the flattened last maps.
  private func stagePasses(_ images: FeatureMaps<Scalar>) throws -> (
    [StagePass], Matrix<Scalar>
  ) {
    var maps = images
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

  private enum StagePass {
    case convolution(Convolution2D<Scalar>.Pass)
    case pooling(Pooling2D.Pass<Scalar>)
  }

  /// The outputs for a batch of images, one row per image.
  @_specialize(exported:true,where Scalar == Float)
  @_specialize(exported:true,where Scalar == Double)
  public func predict(_ images: FeatureMaps<Scalar>) throws -> Matrix<Scalar> {
    try checkImages(images)
    let (_, features) = try stagePasses(images)
    return try head.predict(features)
  }

  /// The loss and the metrics on a batch of images.
  @_specialize(exported:true,where Scalar == Float)
  @_specialize(exported:true,where Scalar == Double)
  public func evaluate(
    _ images: FeatureMaps<Scalar>, _ targets: Matrix<Scalar>, loss: Loss, metrics: [Metric]
  ) throws -> (loss: Double, metrics: [Double]) {
    try checkImages(images)
    let (_, features) = try stagePasses(images)
    return try head.evaluate(features, targets, loss: loss, metrics: metrics)
  }

  /// Mini-batch training: each epoch the samples are shuffled (seeded), and each batch runs
  /// forward through the stages and the dense layers, back through both, and takes one
  /// optimizer step for every parameter. Returns the mean training loss of each epoch.
  @_specialize(exported:true,where Scalar == Float)
  @_specialize(exported:true,where Scalar == Double)
  public mutating func fit(
    _ images: FeatureMaps<Scalar>, _ targets: Matrix<Scalar>, loss: Loss, optimizer: Optimizer,
    epochs: Int, batchSize: Int, seed: UInt64
  ) throws -> [Double] {
    try checkImages(images)
    try optimizer.validate()
    guard epochs >= 1, batchSize >= 1, targets.rows == images.count, images.count > 0 else {
      throw EngineError.invalidArgument(
        "training needs epochs ≥ 1, a batch size ≥ 1 and one target row per image (\(images.count) images, \(targets.rows) rows)"
      )
    }
    let n = images.count
    let batch = min(batchSize, n)
    let sample = height * width * channels
    let outWidth = targets.columns
    let kernels = stages.compactMap { stage -> Convolution2D<Scalar>? in
      if case .convolution(let layer) = stage { return layer }
      return nil
    }
    var state = OptimizerState(
      optimizer, for: head,
      extra: kernels.flatMap { [$0.kernel.elements.count, $0.bias?.count ?? 0] })
    var generator = RandomGenerator(seed: seed)
    var order = Array(0..<n)
    var xs = images.elements
    var ys = targets.elements
    var full = Propagation(network: head, rows: batch)
    var tail = n % batch > 0 ? Propagation(network: head, rows: n % batch) : nil
    var losses: [Double] = []
    for epoch in 1...epochs {
      generator.shuffle(&order)
      Kernels.gatherRows(images.elements, order: order, width: sample, into: &xs)
      Kernels.gatherRows(targets.elements, order: order, width: outWidth, into: &ys)
      state.epoch = epoch
      var total = 0.0
      var start = 0
      while start < n {
        let rows = min(batch, n - start)
        let value: Scalar
        if rows == batch {
          value = try step(
            &full, &state, &generator, xs, ys, start: start, rows: rows,
            targetWidth: outWidth, loss: loss)
        } else if var last = tail {
          tail = nil
          value = try step(
            &last, &state, &generator, xs, ys, start: start, rows: rows,
            targetWidth: outWidth, loss: loss)
          tail = last
        } else {
          break
        }
        guard value.isFinite else {
          throw EngineError.nonFiniteLoss(
            epoch: epoch, batch: start / batch + 1, value: Double(value))
        }
        total += Double(value) * Double(rows)
        start += rows
      }
      losses.append(total / Double(n))
    }
    return losses
  }

  /// One batch: forward, backward, one optimizer step; the batch's loss.
  private mutating func step(
    _ pass: inout Propagation<Scalar>, _ state: inout OptimizerState<Scalar>,
    _ generator: inout RandomGenerator, _ xs: [Scalar], _ ys: [Scalar], start: Int, rows: Int,
    targetWidth: Int, loss: Loss
  ) throws -> Scalar {
    let sample = height * width * channels
    let images = FeatureMaps(
      unchecked: rows, height, width, channels,
      Array(xs[(start * sample)..<((start + rows) * sample)]))
    let (passes, features) = try stagePasses(images)
    pass.forward(
      head, input: features.elements, inputOffset: 0, training: true, masks: &generator)
    let value = try pass.backward(
      head, input: features.elements, inputOffset: 0, target: ys,
      targetOffset: start * targetWidth, loss: loss, l2: 0)
    // Back through the stages, last first, from the dense layers' input gradient.
    let shapes = try shapes()
    let last = shapes.last ?? (height, width, channels)
    var upstream = FeatureMaps(
      unchecked: rows, last.0, last.1, last.2, pass.inputGradient(head))
    var gradients: [(kernel: [Scalar], bias: [Scalar])] = []
    // The first stage's input is the data: its gradient is not needed.
    for (index, (stage, stagePass)) in zip(stages, passes).enumerated().reversed() {
      switch (stage, stagePass) {
      case (.convolution(let layer), .convolution(let p)):
        let g = try layer.backward(p, upstream: upstream, inputGradient: index > 0)
        gradients.append((g.kernel.elements, g.bias ?? []))
        upstream = g.input
      case (.pooling(let layer), .pooling(let p)):
        guard index > 0 else { break }
        upstream = try layer.backward(p, upstream: upstream)
      default: break
      }
    }
    state.update(
      &head, weightGradients: pass.weightGradients, biasGradients: pass.biasGradients)
    var index = 0
    for (k, stage) in stages.enumerated() {
      guard case .convolution(var layer) = stage else { continue }
      let g = gradients[gradients.count - 1 - index]
      state.updateExtra(&layer.kernel.elements, gradient: g.kernel, index: 2 * index)
      if var bias = layer.bias {
        state.updateExtra(&bias, gradient: g.bias, index: 2 * index + 1)
        layer.bias = bias
      }
      stages[k] = .convolution(layer)
      index += 1
    }
    return value
  }

  private func checkImages(_ images: FeatureMaps<Scalar>) throws {
    guard images.height == height, images.width == width, images.channels == channels else {
      throw EngineError.invalidArgument(
        "the network takes \(height)×\(width)×\(channels) images, not \(images.height)×\(images.width)×\(images.channels)"
      )
    }
  }
}
