/// The receiver operating characteristic of a two-class scorer: for every threshold on
/// the score, the rate of true positives against the rate of false positives, and the
/// area under that curve (AUC) — the chance that a random positive scores above a random
/// negative (ties count half).
public struct ROCCurve: Sendable, Equatable {
  /// (false-positive rate, true-positive rate) from (0, 0) to (1, 1), one point per distinct
  /// score, highest score first.
  public private(set) var points: [Point]
  /// The scores at which the points are taken (the first point, (0, 0), has none).
  public private(set) var thresholds: [Double]
  /// The area under the curve, by the trapezoid rule (exact for the step curve with ties).
  public private(set) var area: Double

  public struct Point: Sendable, Equatable {
    public var falsePositiveRate: Double
    public var truePositiveRate: Double

    public init(falsePositiveRate: Double, truePositiveRate: Double) {
      self.falsePositiveRate = falsePositiveRate
      self.truePositiveRate = truePositiveRate
    }
  }

  /// The curve of `scores` (higher means class 1) against `labels` (true for class 1).
  /// Both classes must occur.
  public init(scores: [Double], labels: [Bool]) throws {
    guard scores.count == labels.count else {
      throw EngineError.invalidArgument(
        "an ROC curve needs one label per score: \(scores.count) scores, \(labels.count) labels")
    }
    let positives = labels.filter { $0 }.count
    let negatives = labels.count - positives
    guard positives > 0, negatives > 0 else {
      throw EngineError.invalidArgument(
        "an ROC curve needs samples of both classes; these are all \(positives > 0 ? "class 1" : "class 0")"
      )
    }
    guard !scores.contains(where: { $0.isNaN }) else {
      throw EngineError.invalidArgument("an ROC curve's scores must be numbers, not NaN")
    }
    let order = scores.indices.sorted { scores[$0] > scores[$1] }
    var points = [Point(falsePositiveRate: 0, truePositiveRate: 0)]
    var thresholds: [Double] = []
    var truePositives = 0
    var falsePositives = 0
    var area = 0.0
    var k = 0
    while k < order.count {
      let score = scores[order[k]]
      // Every sample with this score crosses the threshold together.
      while k < order.count, scores[order[k]] == score {
        if labels[order[k]] { truePositives += 1 } else { falsePositives += 1 }
        k += 1
      }
      let point = Point(
        falsePositiveRate: Double(falsePositives) / Double(negatives),
        truePositiveRate: Double(truePositives) / Double(positives))
      if let last = points.last {
        area +=
          (point.falsePositiveRate - last.falsePositiveRate)
          * (point.truePositiveRate + last.truePositiveRate) / 2
      }
      points.append(point)
      thresholds.append(score)
    }
    self.points = points
    self.thresholds = thresholds
    self.area = area
  }

  /// The curve of a network's predictions: one output (a probability), or two (class 1's
  /// column); targets are class indices or one-hot rows.
  public init<S: MatrixScalar>(predicted: Matrix<S>, target: Matrix<S>) throws {
    guard predicted.columns == 1 || predicted.columns == 2 else {
      throw EngineError.invalidArgument(
        "an ROC curve is for two classes; these predictions have \(predicted.columns) columns")
    }
    var scores: [Double] = []
    var labels: [Bool] = []
    scores.reserveCapacity(predicted.rows)
    labels.reserveCapacity(predicted.rows)
    for r in 0..<predicted.rows {
      scores.append(Double(predicted[r, predicted.columns - 1]))
      let label: Double =
        target.columns == 1 ? Double(target[r, 0]) : Double(target[r, target.columns - 1])
      guard label == 0 || label == 1 else {
        throw EngineError.invalidArgument(
          "an ROC curve needs targets 0 or 1; row \(r + 1) has \(label)")
      }
      labels.append(label == 1)
    }
    try self.init(scores: scores, labels: labels)
  }
}
