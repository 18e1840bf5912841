import Foundation
import NeuralEngine
import Testing

/// The worked examples the slides print, to their printed digits.
@Suite("Worked examples of the lectures")
struct TextbookTests {
  /// Han & Kamber's network (seed 004, "Initial Input, Weight, and Bias Values"): inputs
  /// 1 2 3, hidden units 4 5, output unit 6, all sigmoid.
  static func hanKamber() throws -> Network<Double> {
    let hidden = try Dense<Double>(
      weights: Matrix([[0.2, -0.3], [0.4, 0.1], [-0.5, 0.2]]), bias: [-0.4, 0.2],
      activation: .sigmoid)
    let output = try Dense<Double>(
      weights: Matrix([[-0.3], [-0.2]]), bias: [0.1], activation: .sigmoid)
    return try Network(inputs: 3, layers: [hidden, output], inputNames: ["x1", "x2", "x3"])
  }

  @Test func hanKamberForwardErrorsAndUpdates() throws {
    let network = try Self.hanKamber()
    let x = try Matrix<Double>([[1, 0, 1]])
    let t = try Matrix<Double>([[1]])
    let (forward, backward) = try network.backward(x, target: t, loss: .halfSumOfSquares)
    let hidden = forward.layers[0].output
    let output = forward.layers[1].output
    expectClose(forward.layers[0].netInput[0, 0], -0.7, tolerance: 1e-12, "I4")
    expectClose(forward.layers[0].netInput[0, 1], 0.1, tolerance: 1e-12, "I5")
    expectClose(rounded(hidden[0, 0], 3), 0.332, tolerance: 1e-9, "O4")
    expectClose(rounded(hidden[0, 1], 3), 0.525, tolerance: 1e-9, "O5")
    expectClose(rounded(output[0, 0], 3), 0.474, tolerance: 1e-9, "O6")

    let errors = backward.textbookErrors
    // The slide rounds as it goes: Err6 is 0.13117…, printed 0.1311; one unit of the last digit.
    expectClose(errors[1][0, 0], 0.1311, tolerance: 0.0001, "Err6")
    expectClose(errors[0][0, 1], -0.0065, tolerance: 0.0001, "Err5")
    expectClose(errors[0][0, 0], -0.0087, tolerance: 0.0001, "Err4")

    let step = try network.updateStep(x, target: t, loss: .halfSumOfSquares, learningRate: 0.9)
    let printed: [(String, Double)] = [
      ("w46", -0.261), ("w56", -0.138), ("w14", 0.192), ("w15", -0.306), ("w24", 0.4),
      ("w25", 0.1), ("w34", -0.508), ("w35", 0.194), ("θ6", 0.218), ("θ5", 0.194), ("θ4", -0.408),
    ]
    let byName = Dictionary(uniqueKeysWithValues: step.updates.map { ($0.name, $0) })
    #expect(Set(byName.keys) == Set(printed.map(\.0)))
    for (name, value) in printed {
      expectClose(byName[name]?.newValue ?? .nan, value, tolerance: 0.001, name)
    }
    // The textbook's row: w46 = −0.3 + (0.9)(0.1311)(0.332).
    let w46 = try #require(byName["w46"])
    expectClose(w46.oldValue, -0.3, tolerance: 1e-15)
    expectClose(-(w46.unitDelta ?? .nan), 0.13117, tolerance: 0.00001, "Err6 in the row")
    expectClose(w46.sourceOutput ?? .nan, 0.332, tolerance: 0.0005, "O4 in the row")
    // Output layer first, weights before biases, each layer's units in order.
    #expect(
      step.updates.map(\.name) == [
        "w46", "w56", "w14", "w15", "w24", "w25", "w34", "w35", "θ6", "θ4", "θ5",
      ])
    expectClose(try step.network.layer(1).weights[0, 0], w46.newValue, tolerance: 0)
  }

  /// L(w, b) = ½ Σ (y − σ(wx + b))² on (0.5, 0.2) and (2.5, 0.9), the slides' guesses.
  ///
  /// `exact` is L to five decimals from an independent Python computation. The slide's
  /// 0.0730 and 0.0028 are one unit of their last digit away (0.07311, 0.00289); its
  /// 0.0214 for (0.94, −0.94) cannot be reproduced at all: L is 0.02167 there, and stays
  /// within 0.0215–0.0219 for any w, b that round to 0.94, −0.94.
  @Test(arguments: [
    (0.5, 0.0, 0.0730, 0.07311), (-0.1, 0.0, 0.1481, 0.14813), (0.94, -0.94, 0.0214, 0.02167),
    (1.42, -1.73, 0.0028, 0.00289), (1.65, -2.08, 0.0003, 0.00034), (1.78, -2.27, 0.0000, 0.00000),
  ])
  func sigmoidFittingTable(w: Double, b: Double, printed: Double, exact: Double) throws {
    let neuron = try Network<Double>(
      inputs: 1, layers: [Dense(weights: Matrix([[w]]), bias: [b], activation: .sigmoid)])
    let loss = try Loss.halfSumOfSquares.value(
      predicted: neuron.predict(Matrix(column: [0.5, 2.5])), target: Matrix(column: [0.2, 0.9]))
    expectClose(rounded(loss, 5), exact, tolerance: 1e-12, "L(\(w), \(b))")
    let slideTypo = w == 0.94
    expectClose(
      rounded(loss, 4), slideTypo ? 0.0217 : printed, tolerance: slideTypo ? 1e-12 : 0.0001 + 1e-12,
      "L(\(w), \(b)) against the slide's \(printed)")
  }

  /// Gradient descent from w = −2, b = −2 with η = 1 for 1000 epochs, as the slides' Python
  /// does it, against the engine's trainer.
  @Test func gradientDescentOnOneNeuronMatchesTheSlidesLoop() throws {
    let xs = [0.5, 2.5]
    let ys = [0.2, 0.9]
    var (w, b) = (-2.0, -2.0)
    var losses: [Double] = []
    for _ in 0..<1000 {
      var (dw, db, loss) = (0.0, 0.0, 0.0)
      for (x, y) in zip(xs, ys) {
        let fx = 1 / (1 + exp(-(w * x + b)))
        loss += 0.5 * (fx - y) * (fx - y)
        dw += (fx - y) * fx * (1 - fx) * x
        db += (fx - y) * fx * (1 - fx)
      }
      losses.append(loss)
      w -= dw
      b -= db
    }
    var neuron = try Network<Double>(
      inputs: 1, layers: [Dense(weights: Matrix([[-2]]), bias: [-2], activation: .sigmoid)])
    let history = try neuron.fit(
      Matrix(column: xs), Matrix(column: ys),
      configuration: TrainingConfiguration(
        loss: .halfSumOfSquares, optimizer: .sgd(learningRate: 1), epochs: 1000, batchSize: nil,
        shuffle: false))
    #expect(history.records.count == 1000)
    for (record, loss) in zip(history.records, losses) {
      expectClose(record.loss, loss, tolerance: 1e-12, "epoch \(record.epoch)")
    }
    expectClose(try neuron.layer(0).weights[0, 0], w, tolerance: 1e-10, "w")
    expectClose(try neuron.layer(0).bias?[0] ?? .nan, b, tolerance: 1e-10, "b")
    #expect(losses[0] > 0.1 && losses[999] < losses[0])
  }
}
