import Foundation

/// How to train: Keras's `compile` and `fit` arguments in one value.
public struct TrainingConfiguration: Hashable, Sendable {
  public var loss: Loss
  public var optimizer: Optimizer
  public var epochs: Int
  /// Samples per gradient step: `nil` for full batch, 1 for stochastic gradient descent.
  public var batchSize: Int?
  /// Whether to reshuffle the training samples before every epoch.
  public var shuffle: Bool
  /// Seeds the shuffling.
  public var seed: UInt64
  /// Metrics recorded per epoch, on the training and validation data.
  public var metrics: [Metric]
  /// L2 penalty α (scikit-learn's `alpha`): α/(2n)·Σ‖W‖² per batch of n samples.
  public var l2: Double
  /// A fraction of the training samples held out for validation (the last ones, before
  /// shuffling, as Keras's `validation_split`). Ignored when validation data are given.
  public var validationSplit: Double
  public var earlyStopping: EarlyStopping?
  /// Whether to record each layer's gradient norm per epoch (``TrainingHistory/gradientNorms``).
  public var recordsGradientNorms = false
  /// Whether to record every batch's loss (``TrainingHistory/batchLosses``).
  public var recordsBatchLosses = false

  public init(
    loss: Loss, optimizer: Optimizer, epochs: Int, batchSize: Int? = 32, shuffle: Bool = true,
    seed: UInt64 = 0, metrics: [Metric] = [], l2: Double = 0, validationSplit: Double = 0,
    earlyStopping: EarlyStopping? = nil
  ) {
    self.loss = loss
    self.optimizer = optimizer
    self.epochs = epochs
    self.batchSize = batchSize
    self.shuffle = shuffle
    self.seed = seed
    self.metrics = metrics
    self.l2 = l2
    self.validationSplit = validationSplit
    self.earlyStopping = earlyStopping
  }

  func validate() throws {
    try optimizer.validate()
    guard epochs >= 1 else {
      throw EngineError.invalidArgument("epochs must be at least 1, got \(epochs)")
    }
    if let batchSize, batchSize < 1 {
      throw EngineError.invalidArgument("the batch size must be at least 1, got \(batchSize)")
    }
    guard l2.isFinite, l2 >= 0 else {
      throw EngineError.invalidArgument("the L2 penalty alpha must be zero or positive, got \(l2)")
    }
    guard validationSplit.isFinite, (0..<1).contains(validationSplit) else {
      throw EngineError.invalidArgument(
        "the validation split must be a fraction in [0, 1), got \(validationSplit)")
    }
    if let earlyStopping {
      guard earlyStopping.patience >= 0, earlyStopping.minDelta >= 0 else {
        throw EngineError.invalidArgument("early stopping needs patience ≥ 0 and min delta ≥ 0")
      }
    }
  }
}

/// Stop when the monitored quantity has not improved by more than `minDelta` for
/// `patience` epochs (Keras's `EarlyStopping`).
public struct EarlyStopping: Hashable, Sendable {
  /// `loss`, `val_loss` or a metric's name, optionally with `val_`.
  public var monitor: String
  public var patience: Int
  public var minDelta: Double
  /// Whether to end with the best epoch's weights rather than the last.
  public var restoreBestWeights: Bool

  public init(
    monitor: String = "val_loss", patience: Int = 5, minDelta: Double = 0,
    restoreBestWeights: Bool = true
  ) {
    self.monitor = monitor
    self.patience = patience
    self.minDelta = minDelta
    self.restoreBestWeights = restoreBestWeights
  }
}

/// One epoch's record: the training loss and metrics, and the validation ones if any.
public struct EpochRecord: Codable, Hashable, Sendable {
  /// 1-based.
  public var epoch: Int
  /// The mean of the epoch's batch losses, each taken before its batch's update (Keras's
  /// convention: for full-batch descent, the loss of the weights the epoch started with).
  public var loss: Double
  /// In the configuration's order.
  public var metrics: [Double]
  public var validationLoss: Double?
  public var validationMetrics: [Double]?

  /// A recorded value by its history name: `loss`, `val_loss`, `accuracy`, `val_accuracy`…
  public func value(named name: String, metrics names: [Metric]) -> Double? {
    if name == "loss" { return loss }
    if name == "val_loss" { return validationLoss }
    let validation = name.hasPrefix("val_")
    let key = validation ? String(name.dropFirst(4)) : name
    guard let index = names.firstIndex(where: { $0.name == key }) else { return nil }
    let values = validation ? validationMetrics : metrics
    guard let values, values.indices.contains(index) else { return nil }
    return values[index]
  }
}

/// Why training ended.
public enum StopReason: Codable, Hashable, Sendable {
  case completed
  /// Early stopping ended training; the best epoch (1-based) is named.
  case earlyStopping(bestEpoch: Int)
  /// The progress callback asked to stop.
  case requested
}

/// Keras's `History`: one record per epoch.
public struct TrainingHistory: Hashable, Sendable {
  public var metrics: [Metric]
  public var records: [EpochRecord]
  public var stopReason: StopReason
  /// The learning rate of each epoch's first step.
  public var learningRates: [Double] = []
  /// Per epoch, per layer: the mean over the epoch's batches of ‖∂L/∂W⁽ˡ⁾‖ (Frobenius, the
  /// regularisation included), when the configuration asked for them.
  public var gradientNorms: [[Double]] = []
  /// Per epoch, each batch's loss, taken before its update (penalties included), when the
  /// configuration asked for them.
  public var batchLosses: [[Double]] = []

  public init(
    metrics: [Metric], records: [EpochRecord], stopReason: StopReason,
    learningRates: [Double] = [], gradientNorms: [[Double]] = [], batchLosses: [[Double]] = []
  ) {
    self.metrics = metrics
    self.records = records
    self.stopReason = stopReason
    self.learningRates = learningRates
    self.gradientNorms = gradientNorms
    self.batchLosses = batchLosses
  }

  /// The column of values recorded under a name (`loss`, `val_accuracy`…, `lr`,
  /// `grad_norm1`), with epochs.
  public func series(_ name: String) -> [(epoch: Int, value: Double)] {
    if name == "lr" || name.hasPrefix("grad_norm") {
      return records.indices.compactMap { index in
        value(named: name, epoch: records[index].epoch).map { (records[index].epoch, $0) }
      }
    }
    return records.compactMap { record in
      record.value(named: name, metrics: metrics).map { (record.epoch, $0) }
    }
  }

  /// A recorded value of one epoch: `loss`, a metric, `val_…`, `lr` (the learning rate of
  /// the epoch's first step) or `grad_norm1`, `grad_norm2`… (a layer's gradient norm).
  public func value(named name: String, epoch: Int) -> Double? {
    let index =
      records.indices.contains(epoch - 1) && records[epoch - 1].epoch == epoch
      ? epoch - 1 : records.firstIndex { $0.epoch == epoch }
    guard let index else { return nil }
    if name == "lr" { return learningRates.indices.contains(index) ? learningRates[index] : nil }
    if name.hasPrefix("batch_loss"), let batch = Int(name.dropFirst("batch_loss".count)) {
      guard batchLosses.indices.contains(index), batchLosses[index].indices.contains(batch - 1)
      else { return nil }
      return batchLosses[index][batch - 1]
    }
    if name.hasPrefix("grad_norm"), let layer = Int(name.dropFirst("grad_norm".count)) {
      guard gradientNorms.indices.contains(index),
        gradientNorms[index].indices.contains(layer - 1)
      else { return nil }
      return gradientNorms[index][layer - 1]
    }
    return records[index].value(named: name, metrics: metrics)
  }

  /// What else a run recorded per epoch: `lr`, and `grad_norm1`… when norms were recorded.
  public var extraKeys: [String] {
    ["lr"] + (gradientNorms.first.map { (1...max(1, $0.count)).map { "grad_norm\($0)" } } ?? [])
  }

  /// The names of everything recorded, Keras's `history.keys()`.
  public var keys: [String] {
    let hasValidation = records.first?.validationLoss != nil
    var names = ["loss"] + metrics.map(\.name)
    if hasValidation { names += ["val_loss"] + metrics.map { "val_" + $0.name } }
    return names
  }
}

/// Called after every epoch; return `false` to stop training.
public typealias TrainingProgress = (EpochRecord) -> Bool

/// A history is written column by column, its numbers as their exact bits: a run of
/// 10⁵ epochs encodes and decodes in milliseconds, not as 10⁵ keyed objects.
extension TrainingHistory: Codable {
  private enum CodingKeys: String, CodingKey {
    case metrics, stopReason, epochs, losses, metricValues, validated, validationValues
    case learningRates, gradientNorms, layers, batchLosses, batches
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let metrics = try container.decode([Metric].self, forKey: .metrics)
    let stopReason = try container.decode(StopReason.self, forKey: .stopReason)
    let epochs = try container.decode([Int].self, forKey: .epochs)
    let losses = try Self.numbers(container.decode(Data.self, forKey: .losses))
    let values = try Self.numbers(container.decode(Data.self, forKey: .metricValues))
    let validated = Array(try container.decode(String.self, forKey: .validated).utf8)
    let validation = try Self.numbers(container.decode(Data.self, forKey: .validationValues))
    let width = metrics.count
    // Per record: "0" not validated, "1" a validation loss and metrics, "2" a loss alone.
    let full = validated.filter { $0 == UInt8(ascii: "1") }.count
    let lossOnly = validated.filter { $0 == UInt8(ascii: "2") }.count
    guard let losses, let values, let validation, losses.count == epochs.count,
      values.count == epochs.count * width, validated.count == epochs.count,
      validation.count == full * (width + 1) + lossOnly
    else {
      throw DecodingError.dataCorruptedError(
        forKey: .losses, in: container, debugDescription: "the columns do not line up")
    }
    var records: [EpochRecord] = []
    records.reserveCapacity(epochs.count)
    var next = 0
    for (index, epoch) in epochs.enumerated() {
      var record = EpochRecord(
        epoch: epoch, loss: losses[index],
        metrics: Array(values[index * width..<(index + 1) * width]))
      switch validated[index] {
      case UInt8(ascii: "1"):
        record.validationLoss = validation[next]
        record.validationMetrics = Array(validation[(next + 1)..<(next + 1 + width)])
        next += width + 1
      case UInt8(ascii: "2"):
        record.validationLoss = validation[next]
        next += 1
      default: break
      }
      records.append(record)
    }
    let rates = try Self.numbers(container.decode(Data.self, forKey: .learningRates))
    let norms = try Self.numbers(container.decode(Data.self, forKey: .gradientNorms))
    let layers = try container.decode(Int.self, forKey: .layers)
    guard let rates, let norms, layers >= 0, layers == 0 ? norms.isEmpty : norms.count % layers == 0
    else {
      throw DecodingError.dataCorruptedError(
        forKey: .gradientNorms, in: container, debugDescription: "the norms do not line up")
    }
    let rows =
      layers == 0
      ? []
      : stride(from: 0, to: norms.count, by: layers).map {
        Array(norms[$0..<($0 + layers)])
      }
    let steps = try Self.numbers(container.decode(Data.self, forKey: .batchLosses))
    let batches = try container.decode([Int].self, forKey: .batches)
    // Counts that overrun the losses (a damaged entry) are refused before they are added.
    let limit = steps?.count ?? 0
    var total = 0
    for count in batches {
      guard count >= 0, count <= limit - total else {
        total = -1
        break
      }
      total += count
    }
    guard let steps, total == steps.count else {
      throw DecodingError.dataCorruptedError(
        forKey: .batchLosses, in: container, debugDescription: "the batch losses do not line up")
    }
    var perEpoch: [[Double]] = []
    var start = 0
    for count in batches {
      perEpoch.append(Array(steps[start..<(start + count)]))
      start += count
    }
    self.init(
      metrics: metrics, records: records, stopReason: stopReason, learningRates: rates,
      gradientNorms: rows, batchLosses: perEpoch)
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(metrics, forKey: .metrics)
    try container.encode(stopReason, forKey: .stopReason)
    try container.encode(records.map(\.epoch), forKey: .epochs)
    try container.encode(Self.bits(records.map(\.loss)), forKey: .losses)
    try container.encode(Self.bits(records.flatMap(\.metrics)), forKey: .metricValues)
    var validated = ""
    var validation: [Double] = []
    for record in records {
      switch (record.validationLoss, record.validationMetrics) {
      case (let loss?, let values?) where values.count == metrics.count:
        validated.append("1")
        validation.append(loss)
        validation += values
      case (let loss?, _):
        validated.append("2")
        validation.append(loss)
      default:
        validated.append("0")
      }
    }
    try container.encode(validated, forKey: .validated)
    try container.encode(Self.bits(validation), forKey: .validationValues)
    try container.encode(Self.bits(learningRates), forKey: .learningRates)
    try container.encode(Self.bits(gradientNorms.flatMap { $0 }), forKey: .gradientNorms)
    try container.encode(gradientNorms.first?.count ?? 0, forKey: .layers)
    try container.encode(Self.bits(batchLosses.flatMap { $0 }), forKey: .batchLosses)
    try container.encode(batchLosses.map(\.count), forKey: .batches)
  }

  private static func bits(_ values: [Double]) -> Data { values.withUnsafeBytes { Data($0) } }

  private static func numbers(_ data: Data) -> [Double]? {
    let size = MemoryLayout<Double>.size
    guard data.count % size == 0 else { return nil }
    var values = [Double](repeating: 0, count: data.count / size)
    _ = values.withUnsafeMutableBytes { data.copyBytes(to: $0) }
    return values
  }
}
