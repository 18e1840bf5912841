import RealModule

/// A quality measure of predictions against targets, Keras's vocabulary.
///
/// Class labels are read the same way everywhere: a prediction with several columns is
/// its arg-max, one column is 1 when ≥ 0.5 (after a sigmoid) else 0; a target with several
/// columns is one-hot (its arg-max), one column is the class index. Precision, recall and
/// F1 are of class 1 for two classes and macro-averaged over classes otherwise.
public enum Metric: Codable, Hashable, Sendable, CustomStringConvertible {
  case accuracy
  case binaryAccuracy
  case categoricalAccuracy
  /// Whether the target class is among the k highest outputs.
  case topKAccuracy(k: Int)
  case meanSquaredError
  case rootMeanSquaredError
  case meanAbsoluteError
  case precision
  case recall
  case f1
  /// The area under the ROC curve of a two-class scorer (see ``ROCCurve``).
  case auc

  public static let allCases: [Metric] = [
    .accuracy, .binaryAccuracy, .categoricalAccuracy, .topKAccuracy(k: 5), .meanSquaredError,
    .rootMeanSquaredError, .meanAbsoluteError, .precision, .recall, .f1, .auc,
  ]

  /// The name in notebooks and history tables.
  public var name: String {
    switch self {
    case .accuracy: "accuracy"
    case .binaryAccuracy: "binary_accuracy"
    case .categoricalAccuracy: "categorical_accuracy"
    case .topKAccuracy(let k): "top_\(k)_accuracy"
    case .meanSquaredError: "mse"
    case .rootMeanSquaredError: "rmse"
    case .meanAbsoluteError: "mae"
    case .precision: "precision"
    case .recall: "recall"
    case .f1: "f1"
    case .auc: "auc"
    }
  }

  public var description: String { name }

  public static let aliases: [String: String] = [
    "acc": "accuracy", "mean_squared_error": "mse", "root_mean_squared_error": "rmse",
    "mean_absolute_error": "mae", "f1_score": "f1", "sparse_categorical_accuracy": "accuracy",
    "top_k_accuracy": "top_5_accuracy", "roc_auc": "auc",
  ]

  public static var knownNames: [String] {
    allCases.map(\.name) + aliases.keys.sorted()
  }

  /// The metric with a name (`top_3_accuracy` for any k ≥ 1).
  public init?(name: String) {
    let key = Self.aliases[name.lowercased()] ?? name.lowercased()
    if key.hasPrefix("top_"), key.hasSuffix("_accuracy") {
      guard let k = Int(key.dropFirst(4).dropLast(9)), k >= 1 else { return nil }
      self = .topKAccuracy(k: k)
      return
    }
    guard let found = Self.allCases.first(where: { $0.name == key }) else { return nil }
    self = found
  }

  /// Whether a larger value is better (for early stopping on a metric).
  public var higherIsBetter: Bool {
    switch self {
    case .meanSquaredError, .rootMeanSquaredError, .meanAbsoluteError: false
    default: true
    }
  }

  /// The metric over a whole set of predictions.
  public func value<S: MatrixScalar>(predicted: Matrix<S>, target: Matrix<S>) throws -> Double {
    var tally = MetricTally(metrics: [self], classes: max(2, predicted.columns))
    try tally.add(
      predicted: predicted.elements, target: target.elements, targetOffset: 0,
      rows: predicted.rows, outputs: predicted.columns, targetColumns: target.columns)
    return tally.value(of: self)
  }
}

/// A confusion matrix: `counts[actual][predicted]`.
public struct ConfusionMatrix: Equatable, Sendable {
  public private(set) var counts: [[Int]]

  public init(classes: Int) {
    counts = Array(repeating: Array(repeating: 0, count: max(1, classes)), count: max(1, classes))
  }

  /// The confusion matrix of predictions against targets (labels read as ``Metric`` says).
  public init<S: MatrixScalar>(predicted: Matrix<S>, target: Matrix<S>) throws {
    var tally = MetricTally(metrics: [.accuracy], classes: max(2, predicted.columns))
    try tally.add(
      predicted: predicted.elements, target: target.elements, targetOffset: 0,
      rows: predicted.rows, outputs: predicted.columns, targetColumns: target.columns)
    self = tally.confusion
  }

  public var classes: Int { counts.count }
  public var total: Int { counts.reduce(0) { $0 + $1.reduce(0, +) } }
  public var correct: Int { counts.indices.reduce(0) { $0 + counts[$1][$1] } }
  public var accuracy: Double { total == 0 ? 0 : Double(correct) / Double(total) }

  mutating func record(actual: Int, predicted: Int) {
    counts[actual][predicted] += 1
  }

  /// Precision of one class: TP / (TP + FP), 0 when nothing was predicted as it.
  public func precision(of c: Int) -> Double {
    let predicted = counts.reduce(0) { $0 + $1[c] }
    return predicted == 0 ? 0 : Double(counts[c][c]) / Double(predicted)
  }

  /// Recall of one class: TP / (TP + FN), 0 for a class with no samples.
  public func recall(of c: Int) -> Double {
    let actual = counts[c].reduce(0, +)
    return actual == 0 ? 0 : Double(counts[c][c]) / Double(actual)
  }

  public func f1(of c: Int) -> Double {
    let p = precision(of: c)
    let r = recall(of: c)
    return p + r == 0 ? 0 : 2 * p * r / (p + r)
  }

  /// Class 1's score for two classes, the mean over classes otherwise.
  func averaged(_ score: (Int) -> Double) -> Double {
    classes == 2 ? score(1) : counts.indices.map(score).reduce(0, +) / Double(classes)
  }
}

/// Running sums from which every metric is read: a confusion matrix for the classification
/// metrics, sums of errors for the regression ones. Fed batch by batch during training.
struct MetricTally {
  let metrics: [Metric]
  var confusion: ConfusionMatrix
  var rows = 0
  /// Hits per k of the top-k accuracies asked for (each k counted on its own: top 2 and
  /// top 3 in one run are two tallies).
  var topKHits: [Int: Int] = [:]
  var elements = 0
  var squaredError = 0.0
  var absoluteError = 0.0
  /// Class 1's score and whether the sample is class 1, for the AUC.
  var scores: [Double] = []
  var labels: [Bool] = []
  private let needsScores: Bool
  private let needsConfusion: Bool
  private let needsErrors: Bool

  init(metrics: [Metric], classes: Int) {
    self.metrics = metrics
    confusion = ConfusionMatrix(classes: classes)
    needsConfusion = metrics.contains { $0.higherIsBetter }
    needsErrors = metrics.contains { !$0.higherIsBetter }
    needsScores = metrics.contains(.auc)
  }

  mutating func add<S: MatrixScalar>(
    predicted p: [S], target y: [S], targetOffset o: Int, rows count: Int, outputs: Int,
    targetColumns: Int
  ) throws {
    rows += count
    if needsErrors {
      guard targetColumns == outputs else {
        throw EngineError.shapeMismatch(
          operation: "a regression metric", left: Shape(rows: count, columns: outputs),
          right: Shape(rows: count, columns: targetColumns), rule: "targets must match outputs")
      }
      for i in 0..<count * outputs {
        let e = Double(p[i] - y[o + i])
        squaredError += e * e
        absoluteError += Swift.abs(e)
      }
      elements += count * outputs
    }
    guard needsConfusion else { return }
    let classes = confusion.classes
    let topKs = metrics.compactMap { if case .topKAccuracy(let k) = $0 { k } else { nil } }
    for r in 0..<count {
      let actual: Int
      if targetColumns == 1 {
        guard let label = Int(exactly: y[o + r]), (0..<classes).contains(label) else {
          throw EngineError.invalidArgument(
            "target \(y[o + r]) in row \(r + 1) is not a class label 0…\(classes - 1)")
        }
        actual = label
      } else {
        actual = Matrix<S>.argmax(y, from: o + r * targetColumns, count: targetColumns)
      }
      let predicted =
        outputs == 1
        ? (p[r] >= S(0.5) ? 1 : 0) : Matrix<S>.argmax(p, from: r * outputs, count: outputs)
      guard predicted < classes, actual < classes else { continue }
      confusion.record(actual: actual, predicted: predicted)
      if needsScores {
        guard outputs <= 2, actual <= 1 else {
          throw EngineError.invalidArgument(
            "auc is for two classes; this model has \(outputs) outputs and a sample of class \(actual)"
          )
        }
        scores.append(Double(p[r * outputs + outputs - 1]))
        labels.append(actual == 1)
      }
      if !topKs.isEmpty, outputs > 1 {
        let score = p[r * outputs + actual]
        var higher = 0
        for j in 0..<outputs where p[r * outputs + j] > score { higher += 1 }
        for k in topKs where higher < k { topKHits[k, default: 0] += 1 }
      }

    }
  }

  func value(of metric: Metric) -> Double {
    switch metric {
    case .accuracy, .binaryAccuracy, .categoricalAccuracy: confusion.accuracy
    case .topKAccuracy(let k): rows == 0 ? 0 : Double(topKHits[k] ?? 0) / Double(rows)
    case .meanSquaredError: elements == 0 ? 0 : squaredError / Double(elements)
    case .rootMeanSquaredError: elements == 0 ? 0 : (squaredError / Double(elements)).squareRoot()
    case .meanAbsoluteError: elements == 0 ? 0 : absoluteError / Double(elements)
    case .precision: confusion.averaged(confusion.precision(of:))
    case .recall: confusion.averaged(confusion.recall(of:))
    case .f1: confusion.averaged(confusion.f1(of:))
    // A set of one class has no ROC curve; its AUC is undefined, shown as NaN.
    case .auc: (try? ROCCurve(scores: scores, labels: labels))?.area ?? .nan
    }
  }
}
