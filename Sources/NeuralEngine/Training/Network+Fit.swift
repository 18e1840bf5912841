extension Network {
  /// Trains the network on features (one sample per row) and targets, Keras's `fit`.
  ///
  /// Each epoch reshuffles the samples (seeded), steps through them in batches, and
  /// records the loss and metrics; validation data (given, or split off the end of the
  /// training data) are evaluated after every epoch. A loss that becomes NaN or infinite
  /// stops training with ``EngineError/nonFiniteLoss(epoch:batch:value:)``. `interrupt` is
  /// asked between batches (a time limit); when it answers `true`, training stops with the
  /// epochs completed so far and ``StopReason/requested``. `observe` sees the network after
  /// every epoch (the path of gradient descent on an error surface).
  @_specialize(exported:true,where Scalar == Float)
  @_specialize(exported:true,where Scalar == Double)
  public mutating func fit(
    _ features: Matrix<Scalar>, _ targets: Matrix<Scalar>, configuration: TrainingConfiguration,
    validation: (features: Matrix<Scalar>, targets: Matrix<Scalar>)? = nil,
    progress: TrainingProgress? = nil, interrupt: (() -> Bool)? = nil,
    observe: ((Network) -> Void)? = nil
  ) throws -> TrainingHistory {
    let c = configuration
    try c.validate()
    guard let outputLayer = layers.indices.last else {
      throw EngineError.invalidArgument("a network without layers has nothing to train")
    }
    try checkData(features, targets, loss: c.loss, role: "training")
    var trainX = features
    var trainY = targets
    var held = validation
    if let validation {
      try checkData(validation.features, validation.targets, loss: c.loss, role: "validation")
    } else if c.validationSplit > 0 {
      let keep = Int((Double(features.rows) * (1 - c.validationSplit)).rounded(.down))
      guard keep >= 1, keep < features.rows else {
        throw EngineError.invalidArgument(
          "a validation split of \(c.validationSplit) leaves no samples on one side of \(features.rows)"
        )
      }
      trainX = try features.selectingRows(0..<keep)
      trainY = try targets.selectingRows(0..<keep)
      held = (
        try features.selectingRows(keep..<features.rows),
        try targets.selectingRows(keep..<features.rows)
      )
    }
    try checkMonitor(c, hasValidation: held != nil)

    let inWidth = inputCount
    let outWidth = trainY.columns
    var check = held.map { EvaluationPasses(self, rows: $0.features.rows) }
    var state = OptimizerState(c.optimizer, for: self)
    var generator = RandomGenerator(seed: c.seed)
    let l2 = Scalar(c.l2)
    var best: (value: Double, epoch: Int, network: Network?)?
    var waited = 0
    var gradientNorms: [[Double]] = []
    var normSums = [Double](repeating: 0, count: layers.count)

    // One gradient step on `pass.rows` samples starting at sample `start`.
    func step(
      _ pass: inout Propagation<Scalar>, _ start: Int, _ xs: [Scalar], _ ys: [Scalar],
      _ tally: inout MetricTally, _ generator: inout RandomGenerator
    ) throws -> Scalar {
      pass.forward(
        self, input: xs, inputOffset: start * inWidth, training: true, masks: &generator)
      let value = try pass.backward(
        self, input: xs, inputOffset: start * inWidth, target: ys,
        targetOffset: start * outWidth, loss: c.loss, l2: l2)
      for l in layers.indices where layers[l].batchNorm != nil {
        layers[l].batchNorm?.track(mean: pass.mean[l], variance: pass.variance[l])
      }
      if c.recordsGradientNorms {
        for l in layers.indices {
          var squares = 0.0
          for g in pass.weightGradients[l] { squares += Double(g) * Double(g) }
          normSums[l] += squares.squareRoot()
        }
      }
      if !c.metrics.isEmpty {
        try tally.add(
          predicted: pass.a[outputLayer], target: ys, targetOffset: start * outWidth,
          rows: pass.rows, outputs: outputCount, targetColumns: outWidth)
      }
      state.update(
        &self, weightGradients: pass.weightGradients, biasGradients: pass.biasGradients,
        gammaGradients: pass.gammaGradients, betaGradients: pass.betaGradients)
      return value
    }

    func endEpoch(_ record: inout EpochRecord, _ batches: Int) throws {
      if c.recordsGradientNorms {
        gradientNorms.append(normSums.map { $0 / Double(max(1, batches)) })
      }
      if let held, var pass = check {
        check = nil
        (record.validationLoss, record.validationMetrics) = try evaluate(
          &pass, held.features, held.targets, loss: c.loss, metrics: c.metrics)
        check = pass
      }
    }

    // After each kept epoch: the observer, then early stopping.
    func recorded(_ record: EpochRecord) -> StopReason? {
      observe?(self)
      guard let rule = c.earlyStopping,
        let value = record.value(named: rule.monitor, metrics: c.metrics)
      else { return nil }
      let higherIsBetter = Self.higherIsBetter(rule.monitor, metrics: c.metrics)
      let improved =
        best.map {
          higherIsBetter ? value > $0.value + rule.minDelta : value < $0.value - rule.minDelta
        } ?? true
      if improved {
        best = (value, record.epoch, rule.restoreBestWeights ? self : nil)
        waited = 0
        return nil
      }
      waited += 1
      guard waited >= rule.patience else { return nil }
      if let network = best?.network { self = network }
      return .earlyStopping(bestEpoch: best?.epoch ?? record.epoch)
    }

    let network = self
    let result = try EpochLoop<Scalar>(configuration: c, outputs: outputCount).run(
      trainX, trainY, generator: &generator, interrupt: interrupt, progress: progress,
      beginEpoch: { epoch in
        state.epoch = epoch
        for l in normSums.indices { normSums[l] = 0 }
        return state.nextRate
      },
      step: step, makePass: { Propagation(network: network, rows: $0) }, endEpoch: endEpoch,
      recorded: recorded)
    return TrainingHistory(
      metrics: c.metrics, records: result.records, stopReason: result.stopReason,
      learningRates: result.learningRates, gradientNorms: gradientNorms,
      batchLosses: result.batchLosses)
  }

  /// The loss and metrics of a data set, without training (Keras's `evaluate`).
  @_specialize(exported:true,where Scalar == Float)
  @_specialize(exported:true,where Scalar == Double)
  public func evaluate(
    _ features: Matrix<Scalar>, _ targets: Matrix<Scalar>, loss: Loss, metrics: [Metric]
  ) throws -> (loss: Double, metrics: [Double]) {
    try checkData(features, targets, loss: loss, role: "evaluation")
    var passes = EvaluationPasses(self, rows: features.rows)
    let (value, values) = try evaluate(&passes, features, targets, loss: loss, metrics: metrics)
    return (value ?? 0, values ?? [])
  }

  /// Evaluation and validation take a data set this many rows at a time, so their buffers
  /// stay the size of a batch (a 256-unit layer on 539 validation samples held 3.4 MB per
  /// run); the loss is summed row after row across the parts, to the bits of one pass.
  static var evaluationRows: Int { 128 }

  /// The forward passes an evaluation reuses: parts of ``evaluationRows`` rows, and the
  /// rows left over.
  struct EvaluationPasses {
    var full: Propagation<Scalar>
    var tail: Propagation<Scalar>?

    init(_ network: Network, rows: Int) {
      let part = Swift.max(1, Swift.min(rows, Network.evaluationRows))
      full = Propagation(network: network, rows: part, backward: false)
      tail =
        rows > part && rows % part > 0
        ? Propagation(network: network, rows: rows % part, backward: false) : nil
    }

    /// Runs the inference pass over `x` part by part, in order, handing `body` each pass
    /// and the row it started at.
    mutating func forward(
      _ network: Network, _ x: Matrix<Scalar>,
      _ body: (Propagation<Scalar>, _ start: Int) throws -> Void
    ) rethrows {
      var start = 0
      while start < x.rows {
        if x.rows - start >= full.rows {
          full.forward(network, input: x.elements, inputOffset: start * x.columns)
          try body(full, start)
          start += full.rows
        } else if var last = tail, last.rows == x.rows - start {
          tail = nil  // keeps its buffers uniquely referenced while they are written
          last.forward(network, input: x.elements, inputOffset: start * x.columns)
          try body(last, start)
          tail = last
          start += last.rows
        } else {
          break  // unreachable: the passes were made for these rows
        }
      }
    }
  }

  private func evaluate(
    _ passes: inout EvaluationPasses, _ x: Matrix<Scalar>, _ y: Matrix<Scalar>, loss: Loss,
    metrics: [Metric]
  ) throws -> (Double?, [Double]?) {
    guard let last = layers.indices.last else { return (nil, nil) }
    let fused = loss.fusedActivation == layers[last].activation
    var total = Scalar.zero
    var tally = MetricTally(metrics: metrics, classes: max(2, outputCount))
    var noGradient: [Scalar] = []
    try passes.forward(self, x) { pass, start in
      let targetOffset = start * y.columns
      if fused {
        try loss.fusedAccumulate(
          netInput: pass.activationInput(last), output: pass.a[last], target: y.elements,
          targetOffset: targetOffset, columns: outputCount, firstRow: start,
          softmaxTops: pass.softmaxTops, softmaxSums: pass.softmaxSums, into: &total,
          gradient: &noGradient)
      } else {
        try loss.accumulate(
          pass.a[last], y.elements, yOffset: targetOffset, columns: outputCount,
          firstRow: start, into: &total)
      }
      try tally.add(
        predicted: pass.a[last], target: y.elements, targetOffset: targetOffset, rows: pass.rows,
        outputs: outputCount, targetColumns: y.columns)
    }
    let elements = x.rows * outputCount
    let value =
      fused
      ? loss.fusedMean(of: total, elements: elements, columns: outputCount)
      : loss.mean(of: total, elements: elements, columns: outputCount)
    return (Double(value), metrics.map { tally.value(of: $0) })
  }

  private func checkData(
    _ x: Matrix<Scalar>, _ y: Matrix<Scalar>, loss: Loss, role: String
  ) throws {
    guard x.rows > 0 else {
      throw EngineError.invalidArgument("the \(role) data have no samples")
    }
    guard x.columns == inputCount else {
      throw EngineError.shapeMismatch(
        operation: "the \(role) features", left: x.shape,
        right: layers.first?.weights.shape ?? Shape(rows: inputCount, columns: inputCount),
        rule: "NCOL(X) == NROW(W) needs \(x.columns) == \(inputCount)")
    }
    guard y.rows == x.rows else {
      throw EngineError.shapeMismatch(
        operation: "the \(role) targets", left: x.shape, right: y.shape,
        rule: "one target row per sample: \(x.rows) rows needed")
    }
    try loss.checkShapes(Shape(rows: x.rows, columns: outputCount), y.shape)
  }

  private func checkMonitor(_ c: TrainingConfiguration, hasValidation: Bool) throws {
    guard let monitor = c.earlyStopping?.monitor else { return }
    let names =
      ["loss"] + c.metrics.map(\.name)
      + (hasValidation ? ["val_loss"] + c.metrics.map { "val_" + $0.name } : [])
    guard names.contains(monitor) else {
      throw EngineError.invalidArgument(
        "early stopping cannot monitor '\(monitor)': recorded are \(names.joined(separator: ", "))"
          + (monitor.hasPrefix("val_") && !hasValidation ? " (no validation data was given)" : ""))
    }
  }

  private static func higherIsBetter(_ monitor: String, metrics: [Metric]) -> Bool {
    let key = monitor.hasPrefix("val_") ? String(monitor.dropFirst(4)) : monitor
    return metrics.first { $0.name == key }?.higherIsBetter ?? false
  }
}
