import Foundation
import NeuralEngine
import Testing

@Suite("Losses")
struct LossTests {
  static func predictions() throws -> Matrix<Double> {
    try Matrix([[0.8, 0.15, 0.05], [0.3, 0.4, 0.3]])
  }
  static func oneHot() throws -> Matrix<Double> { try Matrix([[1, 0, 0], [0, 0, 1]]) }

  /// A prediction/target pair each loss is meant for.
  static func pair(_ loss: Loss) throws -> (Matrix<Double>, Matrix<Double>) {
    switch loss {
    case .sparseCategoricalCrossEntropy: (try predictions(), Matrix(column: [0, 2]))
    case .categoricalCrossEntropy, .binaryCrossEntropy: (try predictions(), try oneHot())
    case .hinge: (try Matrix([[0.3, -0.6, 1.4], [-0.2, 0.5, 0.9]]), try oneHot())
    case .kullbackLeibler:
      (try predictions(), try Matrix([[0.7, 0.2, 0.1], [0.25, 0.25, 0.5]]))
    case .meanSquaredLogarithmicError, .poisson:
      (
        try Matrix([[0.3, 1.6, 2.4], [0.2, 0.5, 0.9]]),
        try Matrix([[0.1, 2, 1], [1, 0, 3]])
      )
    default:
      (
        try Matrix([[0.3, -0.6, 2.4], [-0.2, 0.5, 0.9]]),
        try Matrix([[0.1, 0.4, 0.1], [1, 0.45, 0.7]])
      )
    }
  }

  @Test("dL/dŷ matches the central difference", arguments: Loss.allCases + [.huber(delta: 0.3)])
  func gradientMatchesFiniteDifference(_ loss: Loss) throws {
    let (p, y) = try Self.pair(loss)
    let gradient = try loss.gradient(predicted: p, target: y)
    for i in p.elements.indices {
      let numeric = try centralDifference(
        { x in
          var q = p
          q[i / p.columns, i % p.columns] = x
          return try loss.value(predicted: q, target: y)
        }, at: p.elements[i])
      expectClose(gradient.elements[i], numeric, tolerance: 1e-7, "\(loss) element \(i)")
    }
  }

  /// The examples of Keras's documentation for its MAPE, MSLE, KL divergence and Poisson
  /// losses, with the values it prints.
  @Test func kerasDocumentationExamples() throws {
    let y = try Matrix<Double>([[0, 1], [0, 0]])
    expectClose(
      try Loss.meanAbsolutePercentageError.value(
        predicted: try Matrix([[1, 1], [1, 0]]), target: try Matrix([[2, 1], [2, 3]])), 50,
      tolerance: 1e-12)
    expectClose(
      try Loss.meanSquaredLogarithmicError.value(
        predicted: try Matrix([[1, 1], [1, 0]]), target: y),
      0.5 * log(2) * log(2), tolerance: 1e-6)
    expectClose(
      try Loss.kullbackLeibler.value(predicted: try Matrix([[0.6, 0.4], [0.4, 0.6]]), target: y),
      0.458, tolerance: 5e-4)
    expectClose(
      try Loss.poisson.value(predicted: try Matrix([[1, 1], [0, 0]]), target: y), 0.5,
      tolerance: 1e-6)
    #expect(Loss(name: "mean_squared_logarithmic_error") == .meanSquaredLogarithmicError)
    #expect(Loss(name: "kld") == .kullbackLeibler)
  }

  @Test func knownValues() throws {
    let p = Matrix<Double>(column: [2.5, 0, 2])
    let y = Matrix<Double>(column: [3, -0.5, 2])
    expectClose(try Loss.meanSquaredError.value(predicted: p, target: y), 1.0 / 6, tolerance: 1e-15)
    expectClose(
      try Loss.meanAbsoluteError.value(predicted: p, target: y), 1.0 / 3, tolerance: 1e-15)
    expectClose(try Loss.halfSumOfSquares.value(predicted: p, target: y), 0.25, tolerance: 1e-15)
    expectClose(
      try Loss.huber(delta: 0.4).value(predicted: p, target: y), 0.4 * 0.3 * 2 / 3, tolerance: 1e-15
    )
    // −(ln 0.8 + ln 0.3)/2
    expectClose(
      try Loss.categoricalCrossEntropy.value(
        predicted: try Self.predictions(), target: try Self.oneHot()),
      0.7135581778200728, tolerance: 1e-12)
    expectClose(
      try Loss.sparseCategoricalCrossEntropy.value(
        predicted: try Self.predictions(), target: Matrix(column: [0, 2])),
      0.7135581778200728, tolerance: 1e-12)
    let probabilities = Matrix<Double>(column: [0.9, 0.2])
    let labels = Matrix<Double>(column: [1, 0])
    expectClose(
      try Loss.binaryCrossEntropy.value(predicted: probabilities, target: labels),
      0.164252033486018, tolerance: 1e-12)
    // Targets 1/0 are read as +1/−1: max(0, 1 − 0.3) and max(0, 1 + 0.4).
    expectClose(
      try Loss.hinge.value(predicted: Matrix(column: [0.3, 0.4]), target: labels), 1.05,
      tolerance: 1e-15)
  }

  @Test func crossEntropyStaysFiniteAtCertainWrongPredictions() throws {
    let p = try Matrix<Double>([[1, 0]])
    let y = try Matrix<Double>([[0, 1]])
    let value = try Loss.categoricalCrossEntropy.value(predicted: p, target: y)
    #expect(value.isFinite && value > 700)
    #expect(
      try Loss.binaryCrossEntropy.gradient(predicted: p, target: y).elements.allSatisfy(\.isFinite))
  }

  @Test func badTargetsAreNamed() throws {
    let p = try Matrix<Double>([[0.5, 0.5]])
    #expect(throws: EngineError.self) {
      try Loss.meanSquaredError.value(predicted: p, target: Matrix(column: [1]))
    }
    let error = #expect(throws: EngineError.self) {
      try Loss.sparseCategoricalCrossEntropy.value(predicted: p, target: Matrix(column: [2]))
    }
    #expect(error?.description.contains("not a class index 0…1") == true)
  }

  @Test func namesAndAliases() {
    for loss in Loss.allCases { #expect(Loss(name: loss.name) == loss) }
    #expect(Loss(name: "mean_squared_error") == .meanSquaredError)
    #expect(Loss(name: "huber", parameter: 2) == .huber(delta: 2))
    #expect(Loss(name: "crossentropy") == .categoricalCrossEntropy)
    #expect(Loss(name: "msee") == nil)
  }
}
