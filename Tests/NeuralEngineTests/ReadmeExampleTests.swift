import NeuralEngine
import Testing

/// README's engine example, line for line, with the values its comments promise.
@Suite("README example")
struct ReadmeExampleTests {
  @Test func theExampleRunsAsPrinted() throws {
    let hidden = try Dense<Double>(
      weights: Matrix([[0.2, -0.3], [0.4, 0.1], [-0.5, 0.2]]),
      bias: [-0.4, 0.2], activation: .sigmoid)
    let output = try Dense<Double>(
      weights: Matrix([[-0.3], [-0.2]]), bias: [0.1], activation: .sigmoid)
    let network = try Network(inputs: 3, layers: [hidden, output])

    let x = try Matrix<Double>([[1, 0, 1]])
    let (forward, backward) = try network.backward(
      x, target: Matrix([[1]]), loss: .halfSumOfSquares)
    expectClose(rounded(forward.layers[1].output[0, 0], 3), 0.474, tolerance: 1e-12)
    expectClose(rounded(backward.textbookErrors[1][0, 0], 4), 0.1312, tolerance: 1e-12)
    let step = try network.updateStep(
      x, target: Matrix([[1]]), loss: .halfSumOfSquares, learningRate: 0.9)
    #expect(step.updates[0].name == "w46")
    expectClose(rounded(step.updates[0].newValue, 3), -0.261, tolerance: 1e-12)

    let digits = Datasets.digits()
    var model = try Network<Float>(
      inputs: 64, units: [64, 10], activations: [.relu, .softmax], initializer: .heUniform,
      seed: 1)
    let history = try model.fit(
      Matrix(converting: digits.features.scaled(by: 1.0 / 16)),
      Matrix(converting: digits.targets),
      configuration: TrainingConfiguration(
        loss: .sparseCategoricalCrossEntropy, optimizer: .sgd(learningRate: 0.1), epochs: 20,
        batchSize: 32, metrics: [.accuracy], validationSplit: 0.2,
        earlyStopping: EarlyStopping(monitor: "val_loss", patience: 3)))
    let accuracy = history.series("val_accuracy")
    #expect(!accuracy.isEmpty && accuracy.count == history.records.count)
    #expect((accuracy.last?.value ?? 0) > 0.85)

    let graph = try ComputationGraph(
      output: "J", definitions: [("u", "a·b"), ("v", "u + c"), ("J", "3v")],
      values: ["a": 3, "b": 4, "c": 2])
    #expect(graph.derivative(of: "a") == 12)
  }
}
