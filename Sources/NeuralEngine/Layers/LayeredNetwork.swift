/// A network whose dense layers (its *head*) read features that other layers make from each
/// sample: convolution and pooling over an image, or a recurrent cell over a sequence.
/// A sample is one row of a ``Matrix`` (an image flattened channel last, or a sequence's
/// steps one after another), so a ``Dataset`` trains any of them.
///
/// The training loop is one, shared by every such network (``fit(_:_:configuration:validation:progress:interrupt:)``):
/// the conformer says only how its front layers run forwards and backwards and where its
/// parameters are.
public protocol LayeredNetwork: Sendable {
  associatedtype Scalar: MatrixScalar
  /// What a forward pass through the front layers keeps for the backward pass.
  associatedtype Trace

  /// The dense layers, reading the front's features.
  var head: Network<Scalar> { get set }

  /// The front layers over a batch of samples (one per row): what the backward pass needs,
  /// and the features, one row per sample.
  func extract(_ samples: Matrix<Scalar>) throws -> (trace: Trace, features: Matrix<Scalar>)

  /// The gradients of the front's parameter sets (in ``frontParameterSizes``'s order),
  /// given ∂L/∂features (`rows × features`, row-major).
  func frontGradients(_ trace: Trace, featureGradient: [Scalar], rows: Int) throws -> [[Scalar]]

  /// The number of values in each of the front's parameter sets.
  var frontParameterSizes: [Int] { get }

  /// Changes every front parameter set in place; `change` gets the set and its index.
  mutating func updateFront(_ change: (inout [Scalar], Int) -> Void)
}

extension LayeredNetwork {
  /// The outputs for a batch of samples, one row per sample.
  @_specialize(exported:true,where Self == ConvolutionalNetwork<Float>)
  @_specialize(exported:true,where Self == ConvolutionalNetwork<Double>)
  @_specialize(exported:true,where Self == RecurrentNetwork<Float>)
  @_specialize(exported:true,where Self == RecurrentNetwork<Double>)
  public func predict(samples: Matrix<Scalar>) throws -> Matrix<Scalar> {
    try head.predict(extract(samples).features)
  }

  /// The loss and the metrics on a batch of samples (Keras's `evaluate`).
  @_specialize(exported:true,where Self == ConvolutionalNetwork<Float>)
  @_specialize(exported:true,where Self == ConvolutionalNetwork<Double>)
  @_specialize(exported:true,where Self == RecurrentNetwork<Float>)
  @_specialize(exported:true,where Self == RecurrentNetwork<Double>)
  public func evaluate(
    samples: Matrix<Scalar>, _ targets: Matrix<Scalar>, loss: Loss, metrics: [Metric]
  ) throws -> (loss: Double, metrics: [Double]) {
    try head.evaluate(extract(samples).features, targets, loss: loss, metrics: metrics)
  }

  /// Keras's `fit`, as ``Network/fit(_:_:configuration:validation:progress:interrupt:observe:)``
  /// does it for dense networks: each epoch reshuffles the samples (seeded) and steps
  /// through them in batches; each batch runs forward through the front and the head, back
  /// through both, and takes one optimizer step for every parameter. The loss and the
  /// metrics are recorded per epoch (the metrics over the epoch's batches, before each
  /// batch's update), validation data after every epoch. `interrupt` is asked between
  /// batches; `progress` after every epoch.
  ///
  /// Early stopping, gradient norms and the L2 penalty are the dense trainer's alone; a
  /// configuration asking for them is refused.
  ///
  /// Specialised for the networks of this module in `Float` and `Double`: called through
  /// the protocol from another module, the loop, `extract` and every layer ran generic
  /// (witness calls per element, four fifths of lecture 8's time).
  @_specialize(exported:true,where Self == ConvolutionalNetwork<Float>)
  @_specialize(exported:true,where Self == ConvolutionalNetwork<Double>)
  @_specialize(exported:true,where Self == RecurrentNetwork<Float>)
  @_specialize(exported:true,where Self == RecurrentNetwork<Double>)
  public mutating func fit(
    _ samples: Matrix<Scalar>, _ targets: Matrix<Scalar>, configuration: TrainingConfiguration,
    validation: (samples: Matrix<Scalar>, targets: Matrix<Scalar>)? = nil,
    progress: TrainingProgress? = nil, interrupt: (() -> Bool)? = nil
  ) throws -> TrainingHistory {
    let c = configuration
    try c.validate()
    guard c.earlyStopping == nil, !c.recordsGradientNorms, c.l2 == 0, c.validationSplit == 0
    else {
      throw EngineError.invalidArgument(
        "early stopping, gradient norms, an L2 penalty and a validation split are for dense networks; give validation data instead of a split"
      )
    }
    guard samples.rows > 0, targets.rows == samples.rows else {
      throw EngineError.invalidArgument(
        "training needs samples and one target row per sample (\(samples.rows) samples, \(targets.rows) target rows)"
      )
    }
    try c.loss.checkShapes(Shape(rows: targets.rows, columns: head.outputCount), targets.shape)
    if let validation {
      try c.loss.checkShapes(
        Shape(rows: validation.samples.rows, columns: head.outputCount), validation.targets.shape)
    }
    guard let outputLayer = head.layers.indices.last else {
      throw EngineError.invalidArgument("a network without dense layers has nothing to train")
    }
    let width = samples.columns
    let outWidth = targets.columns
    var state = OptimizerState(c.optimizer, for: head, extra: frontParameterSizes)
    var generator = RandomGenerator(seed: c.seed)

    // One batch: forward through the front and the head, back through both, one step.
    func step(
      _ pass: inout Propagation<Scalar>, _ start: Int, _ xs: [Scalar], _ ys: [Scalar],
      _ tally: inout MetricTally, _ generator: inout RandomGenerator
    ) throws -> Scalar {
      let rows = pass.rows
      let chunk = Matrix(
        uncheckedRows: rows, columns: width,
        elements: Array(xs[(start * width)..<((start + rows) * width)]))
      let (trace, features) = try extract(chunk)
      pass.forward(
        head, input: features.elements, inputOffset: 0, training: true, masks: &generator)
      let value = try pass.backward(
        head, input: features.elements, inputOffset: 0, target: ys,
        targetOffset: start * outWidth, loss: c.loss, l2: 0)
      let gradients = try frontGradients(
        trace, featureGradient: pass.inputGradient(head), rows: rows)
      if !c.metrics.isEmpty {
        try tally.add(
          predicted: pass.a[outputLayer], target: ys, targetOffset: start * outWidth, rows: rows,
          outputs: head.outputCount, targetColumns: outWidth)
      }
      state.update(
        &head, weightGradients: pass.weightGradients, biasGradients: pass.biasGradients)
      updateFront { parameters, index in
        state.updateExtra(&parameters, gradient: gradients[index], index: index)
      }
      return value
    }

    func endEpoch(_ record: inout EpochRecord, _ batches: Int) throws {
      guard let validation else { return }
      let result = try evaluate(
        samples: validation.samples, validation.targets, loss: c.loss, metrics: c.metrics)
      record.validationLoss = result.loss
      record.validationMetrics = result.metrics
    }

    let network = head
    let result = try EpochLoop<Scalar>(configuration: c, outputs: head.outputCount).run(
      samples, targets, generator: &generator, interrupt: interrupt, progress: progress,
      beginEpoch: { epoch in
        state.epoch = epoch
        return state.nextRate
      },
      step: step, makePass: { Propagation(network: network, rows: $0) }, endEpoch: endEpoch,
      recorded: { _ in nil })
    return TrainingHistory(
      metrics: c.metrics, records: result.records, stopReason: result.stopReason,
      learningRates: result.learningRates, batchLosses: result.batchLosses)
  }
}
