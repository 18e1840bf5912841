import RealModule

/// A loss L(ŷ, y) over a batch of predictions ŷ (one sample per row) and targets y.
///
/// All are averaged over the batch except ``halfSumOfSquares``, the slides' L(w, b).
/// Cross-entropies paired with their natural output activation (softmax, sigmoid) are
/// fused: the network computes them from the net input and their gradient with respect to
/// z is simply (ŷ − y)/n, which is both exact and stable.
public enum Loss: Codable, Hashable, Sendable, CustomStringConvertible {
  /// L = (1/nk) Σ (y − ŷ)².
  case meanSquaredError
  /// L = ½ Σ (y − ŷ)², summed over every sample and output (the slides' L(w, b)).
  case halfSumOfSquares
  /// L = (1/nk) Σ |y − ŷ|.
  case meanAbsoluteError
  /// L = (1/nk) Σ ½e² where |e| ≤ δ, δ(|e| − ½δ) elsewhere, e = y − ŷ.
  case huber(delta: Double)
  /// L = −(1/nk) Σ [y log ŷ + (1 − y) log(1 − ŷ)].
  case binaryCrossEntropy
  /// L = −(1/n) Σ_i Σ_c y_ic log ŷ_ic with one-hot targets.
  case categoricalCrossEntropy
  /// Categorical cross-entropy with targets given as class indices (one column).
  case sparseCategoricalCrossEntropy
  /// L = (1/nk) Σ max(0, 1 − t·ŷ), with targets 0/1 read as t = −1/+1.
  case hinge
  /// L = (100/nk) Σ |y − ŷ| / max(|y|, ε): the mean absolute percentage error (Keras's).
  case meanAbsolutePercentageError
  /// L = (1/nk) Σ (log(1 + ŷ) − log(1 + y))², ŷ and y taken ≥ ε: the mean squared
  /// logarithmic error (Keras's).
  case meanSquaredLogarithmicError
  /// L = (1/n) Σ_i Σ_c y log(y/ŷ), y and ŷ clipped to [ε, 1]: the Kullback–Leibler
  /// divergence of the predicted distribution from the target's (Keras's).
  case kullbackLeibler
  /// L = (1/nk) Σ (ŷ − y log(ŷ + ε)): the Poisson loss, for counts (Keras's).
  case poisson

  /// Every loss with default parameters.
  public static let allCases: [Loss] = [
    .meanSquaredError, .halfSumOfSquares, .meanAbsoluteError, .huber(delta: 1),
    .binaryCrossEntropy, .categoricalCrossEntropy, .sparseCategoricalCrossEntropy, .hinge,
    .meanAbsolutePercentageError, .meanSquaredLogarithmicError, .kullbackLeibler, .poisson,
  ]

  /// Keras's ε, which keeps the logarithms and quotients of MAPE, MSLE, KL and Poisson
  /// finite.
  public static let epsilon = 1e-7

  /// The name used in notebooks.
  public var name: String {
    switch self {
    case .meanSquaredError: "mse"
    case .halfSumOfSquares: "half_sse"
    case .meanAbsoluteError: "mae"
    case .huber: "huber"
    case .binaryCrossEntropy: "binary_crossentropy"
    case .categoricalCrossEntropy: "categorical_crossentropy"
    case .sparseCategoricalCrossEntropy: "sparse_categorical_crossentropy"
    case .hinge: "hinge"
    case .meanAbsolutePercentageError: "mape"
    case .meanSquaredLogarithmicError: "msle"
    case .kullbackLeibler: "kl_divergence"
    case .poisson: "poisson"
    }
  }

  /// Other names for the same loss (Keras's long names among them).
  public static let aliases: [String: String] = [
    "mean_squared_error": "mse", "mean_absolute_error": "mae", "sse": "half_sse",
    "half_sum_of_squares": "half_sse", "squared_error": "half_sse", "bce": "binary_crossentropy",
    "log_loss": "binary_crossentropy", "cross_entropy": "categorical_crossentropy",
    "crossentropy": "categorical_crossentropy", "cce": "categorical_crossentropy",
    "sparse_crossentropy": "sparse_categorical_crossentropy",
    "mean_absolute_percentage_error": "mape", "mean_squared_logarithmic_error": "msle",
    "kld": "kl_divergence", "kullback_leibler_divergence": "kl_divergence",
  ]

  public static var knownNames: [String] { allCases.map(\.name) + aliases.keys.sorted() }

  /// The loss with a given name or alias (δ for Huber, default 1).
  public init?(name: String, parameter: Double? = nil) {
    let key = Self.aliases[name.lowercased()] ?? name.lowercased()
    if key == "huber" {
      self = .huber(delta: parameter ?? 1)
      return
    }
    guard parameter == nil, let found = Self.allCases.first(where: { $0.name == key }) else {
      return nil
    }
    self = found
  }

  public var description: String {
    if case .huber(let delta) = self { return "huber(\(delta))" }
    return name
  }

  /// The output activation this loss is fused with, if any.
  public var fusedActivation: Activation? {
    switch self {
    case .categoricalCrossEntropy, .sparseCategoricalCrossEntropy: .softmax
    case .binaryCrossEntropy: .sigmoid
    default: nil
    }
  }

  /// The loss of predictions against targets.
  public func value<S: MatrixScalar>(predicted: Matrix<S>, target: Matrix<S>) throws -> S {
    try checkShapes(predicted.shape, target.shape)
    return try value(predicted.elements, target.elements, yOffset: 0, columns: predicted.columns)
  }

  /// dL/dŷ, the gradient with respect to the predictions.
  public func gradient<S: MatrixScalar>(predicted: Matrix<S>, target: Matrix<S>) throws
    -> Matrix<S>
  {
    try checkShapes(predicted.shape, target.shape)
    var g = predicted.elements
    try gradient(
      predicted.elements, target.elements, yOffset: 0, columns: predicted.columns, into: &g)
    return Matrix(uncheckedRows: predicted.rows, columns: predicted.columns, elements: g)
  }

  /// The shape targets must have for predictions of a given shape.
  public func targetShape(forPredictions shape: Shape) -> Shape {
    self == .sparseCategoricalCrossEntropy ? Shape(rows: shape.rows, columns: 1) : shape
  }

  func checkShapes(_ predicted: Shape, _ target: Shape) throws {
    let expected = targetShape(forPredictions: predicted)
    guard target == expected else {
      throw EngineError.shapeMismatch(
        operation: "the loss \(name)", left: predicted, right: target,
        rule: self == .sparseCategoricalCrossEntropy
          ? "sparse targets are one class index per row: \(expected)"
          : "targets must have the predictions' shape \(expected)")
    }
  }

  /// The smallest probability a log is taken of: keeps log finite without fusing.
  @inlinable
  static func clampProbability<S: MatrixScalar>(_ p: S) -> S {
    Swift.min(Swift.max(p, S.leastNormalMagnitude), 1 - S.ulpOfOne / 2)
  }

  /// The class index a sparse target holds, or an error naming the row.
  static func classIndex<S: MatrixScalar>(_ value: S, row: Int, classes: Int) throws -> Int {
    guard let index = Int(exactly: value), (0..<classes).contains(index) else {
      throw EngineError.invalidArgument(
        "target \(value) in row \(row + 1) is not a class index 0…\(classes - 1)")
    }
    return index
  }

  func value<S: MatrixScalar>(_ p: [S], _ y: [S], yOffset o: Int, columns: Int) throws -> S {
    var total = S.zero
    try accumulate(p, y, yOffset: o, columns: columns, into: &total)
    return mean(of: total, elements: p.count, columns: columns)
  }

  /// The loss of `total`, the sum ``accumulate(_:_:yOffset:columns:into:)`` gathered over
  /// `elements` predictions of `columns` each: its mean per sample or per element, as the
  /// loss is defined.
  func mean<S: MatrixScalar>(of total: S, elements: Int, columns: Int) -> S {
    let n = S(columns == 0 ? 0 : elements / columns)
    let count = S(elements)
    guard elements > 0 else { return 0 }
    switch self {
    case .halfSumOfSquares: return total / 2
    case .meanAbsolutePercentageError: return 100 * total / count
    case .categoricalCrossEntropy, .sparseCategoricalCrossEntropy, .kullbackLeibler:
      return total / n
    case .meanSquaredError, .meanAbsoluteError, .huber, .binaryCrossEntropy, .hinge,
      .meanSquaredLogarithmicError, .poisson:
      return total / count
    }
  }

  /// Adds the loss terms of predictions `p` (rows of `columns`) against `y` from `o` on to
  /// `total`, one after another: a data set taken in parts sums to the bits of one pass.
  /// `firstRow` numbers the rows in a message about a bad target.
  func accumulate<S: MatrixScalar>(
    _ p: [S], _ y: [S], yOffset o: Int, columns: Int, firstRow: Int = 0, into total: inout S
  ) throws {
    guard !p.isEmpty else { return }
    switch self {
    case .meanSquaredError, .halfSumOfSquares:
      for i in p.indices { total += (y[o + i] - p[i]) * (y[o + i] - p[i]) }
    case .meanAbsoluteError:
      for i in p.indices { total += Swift.abs(y[o + i] - p[i]) }
    case .huber(let d):
      let delta = S(d)
      for i in p.indices {
        let e = Swift.abs(y[o + i] - p[i])
        total += e <= delta ? e * e / 2 : delta * (e - delta / 2)
      }
    case .binaryCrossEntropy:
      for i in p.indices {
        let q = Self.clampProbability(p[i])
        total -= y[o + i] * S.log(q) + (1 - y[o + i]) * S.log(onePlus: -q)
      }
    case .categoricalCrossEntropy:
      for i in p.indices where y[o + i] != 0 {
        total -= y[o + i] * S.log(Self.clampProbability(p[i]))
      }
    case .sparseCategoricalCrossEntropy:
      for row in 0..<(columns == 0 ? 0 : p.count / columns) {
        let label = y[o + row]
        let c = try Self.classIndex(label, row: firstRow + row, classes: columns)
        total -= S.log(Self.clampProbability(p[row * columns + c]))
      }
    case .hinge:
      for i in p.indices {
        let t: S = y[o + i] == 0 ? -1 : y[o + i]
        total += Swift.max(0, 1 - t * p[i])
      }
    case .meanAbsolutePercentageError:
      for i in p.indices {
        total += Swift.abs(y[o + i] - p[i]) / Swift.max(Swift.abs(y[o + i]), S(Self.epsilon))
      }
    case .meanSquaredLogarithmicError:
      let e = S(Self.epsilon)
      for i in p.indices {
        let d = S.log(onePlus: Swift.max(p[i], e)) - S.log(onePlus: Swift.max(y[o + i], e))
        total += d * d
      }
    case .kullbackLeibler:
      for i in p.indices {
        let t = Self.clipUnit(y[o + i])
        total += t * S.log(t / Self.clipUnit(p[i]))
      }
    case .poisson:
      for i in p.indices { total += p[i] - y[o + i] * S.log(p[i] + S(Self.epsilon)) }
    }
  }

  /// A value clipped to [ε, 1], as Keras clips KL divergence's distributions.
  static func clipUnit<S: MatrixScalar>(_ v: S) -> S { Swift.min(Swift.max(v, S(epsilon)), 1) }

  func gradient<S: MatrixScalar>(
    _ p: [S], _ y: [S], yOffset o: Int, columns: Int, into g: inout [S]
  ) throws {
    let count = S(p.count)
    let n = S(columns == 0 ? 0 : p.count / columns)
    guard count > 0 else { return }
    switch self {
    case .meanSquaredError:
      for i in p.indices { g[i] = 2 * (p[i] - y[o + i]) / count }
    case .halfSumOfSquares:
      for i in p.indices { g[i] = p[i] - y[o + i] }
    case .meanAbsoluteError:
      for i in p.indices { g[i] = (p[i] > y[o + i] ? 1 : (p[i] < y[o + i] ? -1 : 0)) / count }
    case .huber(let d):
      let delta = S(d)
      for i in p.indices {
        let e = p[i] - y[o + i]
        g[i] = (Swift.abs(e) <= delta ? e : (e > 0 ? delta : -delta)) / count
      }
    case .binaryCrossEntropy:
      for i in p.indices {
        let q = Self.clampProbability(p[i])
        g[i] = (q - y[o + i]) / (q * (1 - q)) / count
      }
    case .categoricalCrossEntropy:
      for i in p.indices { g[i] = -y[o + i] / Self.clampProbability(p[i]) / n }
    case .sparseCategoricalCrossEntropy:
      for i in g.indices { g[i] = 0 }
      for row in 0..<(columns == 0 ? 0 : p.count / columns) {
        let label = y[o + row]
        let c = try Self.classIndex(label, row: row, classes: columns)
        g[row * columns + c] = -1 / Self.clampProbability(p[row * columns + c]) / n
      }
    case .hinge:
      for i in p.indices {
        let t: S = y[o + i] == 0 ? -1 : y[o + i]
        g[i] = 1 - t * p[i] > 0 ? -t / count : 0
      }
    case .meanAbsolutePercentageError:
      for i in p.indices {
        let sign: S = p[i] > y[o + i] ? 1 : (p[i] < y[o + i] ? -1 : 0)
        g[i] = 100 * sign / Swift.max(Swift.abs(y[o + i]), S(Self.epsilon)) / count
      }
    case .meanSquaredLogarithmicError:
      let e = S(Self.epsilon)
      for i in p.indices {
        guard p[i] > e else {
          g[i] = 0
          continue
        }
        let d = S.log(onePlus: p[i]) - S.log(onePlus: Swift.max(y[o + i], e))
        g[i] = 2 * d / (1 + p[i]) / count
      }
    case .kullbackLeibler:
      for i in p.indices {
        let inside = p[i] > S(Self.epsilon) && p[i] < 1
        g[i] = inside ? -Self.clipUnit(y[o + i]) / p[i] / n : 0
      }
    case .poisson:
      for i in p.indices { g[i] = (1 - y[o + i] / (p[i] + S(Self.epsilon))) / count }
    }
  }
}
