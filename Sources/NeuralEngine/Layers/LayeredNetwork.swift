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
  public func predict(samples: Matrix<Scalar>) throws -> Matrix<Scalar> {
    try head.predict(extract(samples).features)
  }

  /// The loss and the metrics on a batch of samples (Keras's `evaluate`).
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
    let n = samples.rows
    let batch = min(c.batchSize ?? n, n)
    let width = samples.columns
    let outWidth = targets.columns
    var state = OptimizerState(c.optimizer, for: head, extra: frontParameterSizes)
    var generator = RandomGenerator(seed: c.seed)
    var order = Array(0..<n)
    var xs = samples.elements
    var ys = targets.elements
    let sumsOverBatches = c.loss == .halfSumOfSquares
    var records: [EpochRecord] = []
    var learningRates: [Double] = []
    var batchLosses: [[Double]] = []
    var stopReason = StopReason.completed
    var full = Propagation(network: head, rows: batch)
    var tail = n % batch > 0 ? Propagation(network: head, rows: n % batch) : nil

    func step(_ pass: inout Propagation<Scalar>, at start: Int, tally: inout MetricTally) throws
      -> Scalar
    {
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

    for epoch in 1...c.epochs {
      if c.shuffle {
        generator.shuffle(&order)
        Kernels.gatherRows(samples.elements, order: order, width: width, into: &xs)
        Kernels.gatherRows(targets.elements, order: order, width: outWidth, into: &ys)
      }
      state.epoch = epoch
      learningRates.append(state.nextRate)
      var tally = MetricTally(metrics: c.metrics, classes: max(2, head.outputCount))
      var total = 0.0
      var start = 0
      var batchNumber = 0
      var interrupted = false
      while start < n {
        if let interrupt, interrupt() {
          interrupted = true
          break
        }
        batchNumber += 1
        let rows = min(batch, n - start)
        let value: Scalar
        if rows == batch {
          value = try step(&full, at: start, tally: &tally)
        } else if var last = tail {
          tail = nil  // keeps the buffers uniquely referenced while they are written
          value = try step(&last, at: start, tally: &tally)
          tail = last
        } else {
          break  // unreachable: `tail` exists exactly when n is not a multiple of the batch
        }
        guard value.isFinite else {
          throw EngineError.nonFiniteLoss(epoch: epoch, batch: batchNumber, value: Double(value))
        }
        if c.recordsBatchLosses {
          if batchNumber == 1 { batchLosses.append([]) }
          batchLosses[batchLosses.count - 1].append(Double(value))
        }
        total += sumsOverBatches ? Double(value) : Double(value) * Double(rows)
        start += rows
      }
      if interrupted {
        learningRates.removeLast()
        if c.recordsBatchLosses, batchLosses.count > records.count { batchLosses.removeLast() }
        stopReason = .requested
        break
      }
      var record = EpochRecord(
        epoch: epoch, loss: sumsOverBatches ? total : total / Double(n),
        metrics: c.metrics.map { tally.value(of: $0) })
      if let validation {
        let result = try evaluate(
          samples: validation.samples, validation.targets, loss: c.loss, metrics: c.metrics)
        record.validationLoss = result.loss
        record.validationMetrics = result.metrics
      }
      records.append(record)
      if let progress, !progress(record) {
        stopReason = .requested
        break
      }
    }
    return TrainingHistory(
      metrics: c.metrics, records: records, stopReason: stopReason, learningRates: learningRates,
      batchLosses: batchLosses)
  }
}
