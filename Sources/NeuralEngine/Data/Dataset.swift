/// A data set: features (one sample per row) and targets, with names for the columns.
///
/// Targets are a column of class indices for classification (see ``oneHotTargets()``) or
/// one column per output for regression. Convert to `Float` with `Matrix(converting:)`.
public struct Dataset: Codable, Equatable, Sendable {
  public var features: Matrix<Double>
  public var targets: Matrix<Double>
  public var featureNames: [String]
  public var targetNames: [String]
  /// For classification: the name of each class index.
  public var classNames: [String]?

  public init(
    features: Matrix<Double>, targets: Matrix<Double>, featureNames: [String]? = nil,
    targetNames: [String]? = nil, classNames: [String]? = nil
  ) throws {
    guard features.rows == targets.rows else {
      throw EngineError.shapeMismatch(
        operation: "a data set", left: features.shape, right: targets.shape,
        rule: "one target row per sample")
    }
    let featureNames =
      featureNames ?? (1...max(1, features.columns)).prefix(features.columns).map { "x\($0)" }
    let targetNames =
      targetNames ?? (targets.columns == 1 ? ["y"] : (0..<targets.columns).map { "y\($0 + 1)" })
    guard featureNames.count == features.columns, targetNames.count == targets.columns else {
      throw EngineError.invalidArgument(
        "\(features.columns) features and \(targets.columns) targets need as many names, got \(featureNames.count) and \(targetNames.count)"
      )
    }
    self.features = features
    self.targets = targets
    self.featureNames = featureNames
    self.targetNames = targetNames
    self.classNames = classNames
  }

  public var count: Int { features.rows }

  /// The class index of every sample (targets that are one column of whole numbers ≥ 0).
  public func labels() throws -> [Int] {
    guard targets.columns == 1 else {
      return targets.argmaxPerRow()
    }
    return try targets.elements.enumerated().map { row, value in
      guard let label = Int(exactly: value), label >= 0 else {
        throw EngineError.invalidArgument(
          "target \(value) in row \(row + 1) is not a class label (a whole number ≥ 0)")
      }
      return label
    }
  }

  /// The number of classes: the class names' count, or the largest label plus one.
  /// The number of classes: the class names', else the largest label plus one — bounded
  /// by the data (at most the number of samples, or 1,000), so a stray label such as
  /// 999999999 is an error naming its row, never a billion columns.
  public func classCount() throws -> Int {
    if let classNames { return classNames.count }
    let labels = try labels()
    let limit = max(count, Self.classLimit)
    if let row = labels.firstIndex(where: { $0 >= limit }) {
      throw EngineError.invalidArgument(
        "label \(labels[row]) in row \(row + 1) would make \(labels[row]) + 1 one-hot columns, more than the \(count) samples allow; class labels are 0, 1, 2, … (at most \(limit - 1) here)"
      )
    }
    return (labels.max() ?? 0) + 1
  }

  /// The most classes a data set's labels may imply beyond its sample count.
  public static var classLimit: Int { 1_000 }

  /// The same samples with one-hot targets, one column per class.
  public func oneHotTargets(classes: Int? = nil) throws -> Dataset {
    let labels = try labels()
    let classes = try classes ?? classCount()
    var copy = self
    copy.targets = try oneHot(labels, classes: classes)
    copy.targetNames = (classNames ?? (0..<classes).map(String.init)).map { "y=\($0)" }
    if copy.targetNames.count != classes { copy.targetNames = (0..<classes).map { "y=\($0)" } }
    return copy
  }

  /// The samples at the given 0-based rows.
  public func selecting(rows indices: [Int]) throws -> Dataset {
    var copy = self
    copy.features = try features.selectingRows(indices)
    copy.targets = try targets.selectingRows(indices)
    return copy
  }

  /// Train, validation and test sets: the given fractions go to validation and test (each
  /// rounded to whole samples), the rest to training, after a seeded shuffle if asked.
  public func split(
    validation: Double = 0, test: Double = 0, shuffle: Bool = true, seed: UInt64 = 0
  ) throws -> (train: Dataset, validation: Dataset, test: Dataset) {
    guard validation >= 0, test >= 0, validation + test < 1 else {
      throw EngineError.invalidArgument(
        "validation and test fractions must be ≥ 0 and leave some training data, got \(validation) and \(test)"
      )
    }
    var order = Array(0..<count)
    if shuffle {
      var generator = RandomGenerator(seed: seed)
      generator.shuffle(&order)
    }
    let testCount = Int((Double(count) * test).rounded())
    let validationCount = Int((Double(count) * validation).rounded())
    let trainCount = count - testCount - validationCount
    guard trainCount >= 1 else {
      throw EngineError.invalidArgument("a split of \(count) samples leaves none for training")
    }
    return (
      try selecting(rows: Array(order[0..<trainCount])),
      try selecting(rows: Array(order[trainCount..<trainCount + validationCount])),
      try selecting(rows: Array(order[(trainCount + validationCount)...]))
    )
  }
}

/// One-hot encoding of class labels: row i has a 1 in column labels[i].
public func oneHot(_ labels: [Int], classes: Int) throws -> Matrix<Double> {
  guard classes >= 1 else {
    throw EngineError.invalidArgument("one-hot encoding needs at least one class")
  }
  var result = try Matrix<Double>(rows: labels.count, columns: classes)
  for (row, label) in labels.enumerated() {
    guard (0..<classes).contains(label) else {
      throw EngineError.invalidArgument(
        "label \(label) in row \(row + 1) is outside the \(classes) classes 0…\(classes - 1)")
    }
    result[row, label] = 1
  }
  return result
}

extension Dataset {
  private enum CodingKeys: String, CodingKey {
    case features, targets, featureNames, targetNames, classNames
  }

  /// Decoded through the checking initializer (one target row per sample, a name per column).
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    try self.init(
      features: try container.decode(Matrix<Double>.self, forKey: .features),
      targets: try container.decode(Matrix<Double>.self, forKey: .targets),
      featureNames: try container.decode([String].self, forKey: .featureNames),
      targetNames: try container.decode([String].self, forKey: .targetNames),
      classNames: try container.decodeIfPresent([String].self, forKey: .classNames))
  }
}
