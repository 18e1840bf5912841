import NeuralEngine
import Testing

@Suite("Training")
struct TrainingTests {
  static let xor = Datasets.truthTable(.xor)

  @Test(arguments: [2, 4])
  func xorIsLearnedByASmallMLP(hidden: Int) throws {
    var network = try Network<Double>(
      inputs: 2, units: [hidden, 1], activations: [.tanh, .sigmoid], seed: 3)
    let history = try network.fit(
      Self.xor.features, Self.xor.targets,
      configuration: TrainingConfiguration(
        loss: .binaryCrossEntropy, optimizer: .adam(learningRate: 0.05), epochs: 2000,
        batchSize: nil, metrics: [.accuracy]))
    let predictions = try network.predict(Self.xor.features).elements.map { $0 >= 0.5 ? 1.0 : 0 }
    #expect(predictions == [0, 1, 1, 0])
    #expect((history.records.last?.loss ?? 1) < 0.05)
    #expect(history.records.last?.metrics == [1])
  }

  @Test func digitsReachNinetyFivePercentTrainingAccuracy() throws {
    let digits = Datasets.digits()
    let x = Matrix<Float>(converting: digits.features.scaled(by: 1.0 / 16))
    let y = Matrix<Float>(converting: digits.targets)
    var network = try Network<Float>(
      inputs: 64, units: [64, 10], activations: [.relu, .softmax], initializer: .heUniform, seed: 1)
    _ = try network.fit(
      x, y,
      configuration: TrainingConfiguration(
        loss: .sparseCategoricalCrossEntropy, optimizer: .sgd(learningRate: 0.1), epochs: 20,
        batchSize: 32, seed: 1))
    let (_, metrics) = try network.evaluate(
      x, y, loss: .sparseCategoricalCrossEntropy, metrics: [.accuracy])
    #expect(metrics[0] >= 0.95, "training accuracy \(metrics[0])")
  }

  @Test func sameSeedSameBits() throws {
    func run() throws -> (Network<Float>, TrainingHistory) {
      let data = try Datasets.twoMoons(samples: 120, noise: 0.2, seed: 9)
      var network = try Network<Float>(
        inputs: 2, units: [8, 2], activations: [.relu, .softmax], seed: 4)
      let history = try network.fit(
        Matrix(converting: data.features), Matrix(converting: data.targets),
        configuration: TrainingConfiguration(
          loss: .sparseCategoricalCrossEntropy, optimizer: .adam(learningRate: 0.01), epochs: 15,
          batchSize: 16, seed: 12, metrics: [.accuracy], validationSplit: 0.25))
      return (network, history)
    }
    let (a, historyA) = try run()
    let (b, historyB) = try run()
    #expect(a == b)
    #expect(historyA == historyB)
    #expect(BLAS.threadCount == 1, "handouts depend on the pinned thread count")
  }

  @Test(
    "every optimizer lowers the loss",
    arguments: [
      Optimizer.sgd(learningRate: 0.05), .sgd(learningRate: 0.05, momentum: 0.9),
      .sgd(learningRate: 0.05, momentum: 0.9, nesterov: true), .sgd(learningRate: 0.1, decay: 0.01),
      .adagrad(learningRate: 0.1), .rmsprop(learningRate: 0.01), .adam(learningRate: 0.01),
      .adadelta(learningRate: 1),
    ])
  func optimizerLowersTheLoss(_ optimizer: Optimizer) throws {
    let data = try Datasets.noisySine(samples: 64, noise: 0.05, seed: 2)
    var network = try Network<Double>(
      inputs: 1, units: [16, 1], activations: [.tanh, .identity], seed: 8)
    let history = try network.fit(
      data.features, data.targets,
      configuration: TrainingConfiguration(
        loss: .meanSquaredError, optimizer: optimizer, epochs: 60, batchSize: 16, seed: 3))
    let first = try #require(history.records.first?.loss)
    let last = try #require(history.records.last?.loss)
    #expect(last < 0.5 * first, "\(optimizer): \(first) → \(last)")
  }

  @Test func momentumAndAdamFollowTheirFormulas() throws {
    // One weight, identity output, loss ½(w·1 − 0)²: the gradient is w itself.
    func neuron() throws -> Network<Double> {
      try Network(
        inputs: 1, layers: [Dense(weights: Matrix([[1]]), bias: nil, activation: .identity)])
    }
    let x = try Matrix<Double>([[1]])
    let y = try Matrix<Double>([[0]])
    var net = try neuron()
    var state = OptimizerState(.sgd(learningRate: 0.1, momentum: 0.5), for: net)
    for _ in 0..<2 {
      let (_, b) = try net.backward(x, target: y, loss: .halfSumOfSquares)
      state.update(&net, weightGradients: b.weightGradients, biasGradients: b.biasGradients)
    }
    // v1 = −0.1, w1 = 0.9; v2 = 0.5·(−0.1) − 0.1·0.9 = −0.14, w2 = 0.76.
    expectClose(try net.layer(0).weights[0, 0], 0.76, tolerance: 1e-15)

    net = try neuron()
    var adam = OptimizerState(.adam(learningRate: 0.01), for: net)
    let (_, b) = try net.backward(x, target: y, loss: .halfSumOfSquares)
    adam.update(&net, weightGradients: b.weightGradients, biasGradients: b.biasGradients)
    // Adam's first step is η·√(1 − β₂)·g / (√(1 − β₂)·|g| + ε) = η(1 − 3.16e-6) for g = 1.
    expectClose(
      try net.layer(0).weights[0, 0], 1 - 0.01 * (1 - 1e-7 / 0.001.squareRoot()), tolerance: 1e-12)
  }

  @Test func earlyStoppingStopsAndRestoresTheBestWeights() throws {
    let data = try Datasets.noisySine(samples: 40, noise: 0.3, seed: 4)
    var network = try Network<Double>(
      inputs: 1, units: [64, 1], activations: [.relu, .identity], seed: 2)
    let history = try network.fit(
      data.features, data.targets,
      configuration: TrainingConfiguration(
        loss: .meanSquaredError, optimizer: .adam(learningRate: 0.05), epochs: 500, batchSize: 8,
        seed: 1, validationSplit: 0.25,
        earlyStopping: EarlyStopping(monitor: "val_loss", patience: 5)))
    guard case .earlyStopping(let best) = history.stopReason else {
      Issue.record("expected early stopping, got \(history.stopReason)")
      return
    }
    #expect(history.records.count == best + 5)
    let bestLoss = history.records.compactMap(\.validationLoss).min()
    #expect(history.records[best - 1].validationLoss == bestLoss)
    #expect(history.keys == ["loss", "val_loss"])
  }

  @Test func progressCanStopTraining() throws {
    var network = try Network<Double>(
      inputs: 2, units: [2, 1], activations: [.tanh, .sigmoid], seed: 1)
    var seen: [Int] = []
    let history = try network.fit(
      Self.xor.features, Self.xor.targets,
      configuration: TrainingConfiguration(
        loss: .binaryCrossEntropy, optimizer: .sgd(learningRate: 0.5), epochs: 50, batchSize: 1),
      progress: { record in
        seen.append(record.epoch)
        return record.epoch < 3
      })
    #expect(seen == [1, 2, 3])
    #expect(history.stopReason == .requested)
  }

  @Test func validationDataAndMetricsAreRecorded() throws {
    let data = try Datasets.blobs(samples: 90, centers: 3, standardDeviation: 1, seed: 5)
    let (train, validation, _) = try data.split(validation: 0.2, seed: 1)
    var network = try Network<Double>(
      inputs: 2, units: [8, 3], activations: [.relu, .softmax], seed: 6)
    let history = try network.fit(
      train.features, train.targets,
      configuration: TrainingConfiguration(
        loss: .sparseCategoricalCrossEntropy, optimizer: .adam(learningRate: 0.05), epochs: 30,
        batchSize: 10, metrics: [.accuracy, .precision, .recall, .f1, .topKAccuracy(k: 2)]),
      validation: (validation.features, validation.targets))
    #expect(history.keys.contains("val_f1"))
    let last = try #require(history.records.last)
    #expect((last.validationMetrics?[0] ?? 0) > 0.9)
    #expect((last.metrics[4]) >= last.metrics[0])
    #expect(history.series("val_accuracy").count == 30)
  }

  @Test func aDivergingLossNamesTheEpochAndBatch() throws {
    var network = try Network<Double>(
      inputs: 1, units: [4, 1], activations: [.relu, .identity], seed: 1)
    let x = Matrix<Double>(column: [1e3, -2e3, 3e3, 5e2])
    let y = Matrix<Double>(column: [1e4, 2e4, -3e4, 1e3])
    let error = #expect(throws: EngineError.self) {
      try network.fit(
        x, y,
        configuration: TrainingConfiguration(
          loss: .meanSquaredError, optimizer: .sgd(learningRate: 10), epochs: 100, batchSize: 2,
          shuffle: false))
    }
    guard case .nonFiniteLoss(let epoch, let batch, _) = error else {
      Issue.record("expected a non-finite loss, got \(String(describing: error))")
      return
    }
    #expect(epoch >= 1 && (1...2).contains(batch))
    #expect(error?.description.contains("at epoch \(epoch), batch \(batch)") == true)
  }

  @Test func badConfigurationsAreRejected() throws {
    var network = try Network<Double>(
      inputs: 2, units: [2, 1], activations: [.tanh, .sigmoid], seed: 1)
    let bad: [TrainingConfiguration] = [
      .init(loss: .meanSquaredError, optimizer: .sgd(), epochs: 0),
      .init(loss: .meanSquaredError, optimizer: .sgd(), epochs: 5, batchSize: 0),
      .init(loss: .meanSquaredError, optimizer: .sgd(learningRate: -1), epochs: 5),
      .init(loss: .meanSquaredError, optimizer: .sgd(momentum: 1.5), epochs: 5),
      .init(loss: .meanSquaredError, optimizer: .sgd(), epochs: 5, validationSplit: 1),
      .init(
        loss: .meanSquaredError, optimizer: .sgd(), epochs: 5,
        earlyStopping: EarlyStopping(monitor: "val_loss")),
      .init(loss: .meanSquaredError, optimizer: .sgd(), epochs: 5, l2: -1),
    ]
    for configuration in bad {
      #expect(throws: EngineError.self, "\(configuration)") {
        try network.fit(Self.xor.features, Self.xor.targets, configuration: configuration)
      }
    }
    #expect(throws: EngineError.self) {
      try network.fit(
        Self.xor.features, try Matrix(rows: 3, columns: 1),
        configuration: .init(loss: .meanSquaredError, optimizer: .sgd(), epochs: 1))
    }
    let wide = try Matrix<Double>(rows: 4, columns: 3)
    let error = #expect(throws: EngineError.self) {
      try network.fit(
        wide, Self.xor.targets,
        configuration: .init(loss: .meanSquaredError, optimizer: .sgd(), epochs: 1))
    }
    #expect(error?.description.contains("NCOL(X) == NROW(W) needs 3 == 2") == true)
  }

  @Test func l2ShrinksTheWeights() throws {
    func trainedNorm(alpha: Double) throws -> Double {
      let data = try Datasets.twoMoons(samples: 60, seed: 1)
      var network = try Network<Double>(
        inputs: 2, units: [16, 2], activations: [.relu, .softmax], seed: 2)
      _ = try network.fit(
        data.features, data.targets,
        configuration: TrainingConfiguration(
          loss: .sparseCategoricalCrossEntropy, optimizer: .sgd(learningRate: 0.1), epochs: 40,
          batchSize: 10, l2: alpha))
      return network.layers.reduce(0) { $0 + $1.weights.elements.reduce(0) { $0 + $1 * $1 } }
    }
    #expect(try trainedNorm(alpha: 1) < 0.8 * trainedNorm(alpha: 0))
  }
}
