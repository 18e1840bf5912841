/// Keras's epochs and batches, shared by every trainer (``Network``'s `fit` and
/// ``LayeredNetwork``'s): each epoch reshuffles the samples (seeded), steps through them in
/// batches, records the mean loss and the metrics tallied over the batches, and asks the
/// trainer for what it adds (validation, gradient norms, early stopping).
///
/// The loop owns the samples' order and the random generator; the trainer's `step` owns
/// the network and the optimizer, so neither is reached from two places at once.
struct EpochLoop<Scalar: MatrixScalar> {
  let configuration: TrainingConfiguration
  /// The network's outputs: the metrics' class count.
  let outputs: Int

  /// What a run recorded.
  struct Result {
    var records: [EpochRecord] = []
    var stopReason = StopReason.completed
    var learningRates: [Double] = []
    var batchLosses: [[Double]] = []
  }

  /// Runs the epochs over `features` and `targets` (one sample per row).
  ///
  /// - `beginEpoch(epoch)` readies the epoch and gives its learning rate;
  /// - `step(pass, start, xs, ys, tally, generator)` trains on the batch of `pass.rows`
  ///   samples from row `start` of the shuffled `xs`/`ys`, and gives its loss;
  /// - `endEpoch(record, batches)` completes the epoch's record (validation, norms);
  /// - `recorded(record)` sees it after it is kept; a stop reason ends training.
  func run(
    _ features: Matrix<Scalar>, _ targets: Matrix<Scalar>,
    generator: inout RandomGenerator, interrupt: (() -> Bool)?, progress: TrainingProgress?,
    beginEpoch: (Int) -> Double,
    step: (
      inout Propagation<Scalar>, Int, [Scalar], [Scalar], inout MetricTally,
      inout RandomGenerator
    ) throws -> Scalar,
    makePass: (Int) -> Propagation<Scalar>,
    endEpoch: (inout EpochRecord, Int) throws -> Void,
    recorded: (EpochRecord) -> StopReason?
  ) throws -> Result {
    let c = configuration
    let n = features.rows
    let batch = min(c.batchSize ?? n, n)
    let inWidth = features.columns
    let outWidth = targets.columns
    let sumsOverBatches = c.loss == .halfSumOfSquares
    var full = makePass(batch)
    var tail = n % batch > 0 ? makePass(n % batch) : nil
    var order = Array(0..<n)
    var xs = features.elements
    var ys = targets.elements
    var result = Result()
    for epoch in 1...c.epochs {
      if c.shuffle {
        generator.shuffle(&order)
        Kernels.gatherRows(features.elements, order: order, width: inWidth, into: &xs)
        Kernels.gatherRows(targets.elements, order: order, width: outWidth, into: &ys)
      }
      result.learningRates.append(beginEpoch(epoch))
      var tally = MetricTally(metrics: c.metrics, classes: max(2, outputs))
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
          value = try step(&full, start, xs, ys, &tally, &generator)
        } else if var last = tail {
          tail = nil  // keeps the buffers uniquely referenced while they are written
          value = try step(&last, start, xs, ys, &tally, &generator)
          tail = last
        } else {
          break  // unreachable: `tail` exists exactly when n is not a multiple of the batch
        }
        guard value.isFinite else {
          throw EngineError.nonFiniteLoss(epoch: epoch, batch: batchNumber, value: Double(value))
        }
        if c.recordsBatchLosses {
          if batchNumber == 1 { result.batchLosses.append([]) }
          result.batchLosses[result.batchLosses.count - 1].append(Double(value))
        }
        // Mean losses are weighted by batch size; the ½-sum-of-squares loss is a sum.
        total += sumsOverBatches ? Double(value) : Double(value) * Double(rows)
        start += rows
      }
      if interrupted {
        result.learningRates.removeLast()
        if c.recordsBatchLosses, result.batchLosses.count > result.records.count {
          result.batchLosses.removeLast()
        }
        result.stopReason = .requested
        break
      }
      var record = EpochRecord(
        epoch: epoch, loss: sumsOverBatches ? total : total / Double(n),
        metrics: c.metrics.map { tally.value(of: $0) })
      try endEpoch(&record, batchNumber)
      result.records.append(record)
      if let reason = recorded(record) {
        result.stopReason = reason
        break
      }
      if let progress, !progress(record) {
        result.stopReason = .requested
        break
      }
    }
    return result
  }
}
