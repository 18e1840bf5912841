import Foundation
import NeuralEngine
import Testing

@Suite("Dropout, batch normalisation, per-layer penalties, schedules and AMSGrad")
struct RegularizationTests {
  /// A 3-4-3-2 network whose layers carry what `configure` gives them.
  static func network(
    seed: UInt64, output: Activation = .sigmoid, _ configure: (Int, inout Dense<Double>) -> Void
  ) throws -> Network<Double> {
    var generator = RandomGenerator(seed: seed)
    var layers: [Dense<Double>] = []
    for (l, (inputs, units, activation)) in [
      (3, 4, Activation.tanh), (4, 3, .sigmoid), (3, 2, output),
    ]
    .enumerated() {
      var layer = try Dense<Double>(
        inputs: inputs, units: units, activation: activation,
        initializer: .uniform(low: -0.9, high: 0.9),
        biasInitializer: .uniform(low: -0.5, high: 0.5),
        generator: &generator)
      configure(l, &layer)
      layers.append(layer)
    }
    return try Network(inputs: 3, layers: layers)
  }

  static var x: Matrix<Double> {
    (try? Matrix(
      rows: 4, columns: 3,
      elements: [
        0.5, -1.2, 0.3, 1.1, 0.4, -0.7, -0.2, 0.9, 1.5, 0.8, 0.1, -0.4,
      ])) ?? Matrix(row: [])
  }
  static var y: Matrix<Double> {
    (try? Matrix(rows: 4, columns: 2, elements: [1, 0, 0, 1, 1, 1, 0, 0])) ?? Matrix(row: [])
  }

  /// Every parameter's backpropagated gradient against a centred difference of the loss,
  /// computed here from `lossValue` alone, to 1e-7 relative.
  static func expectGradientsMatch(
    _ network: Network<Double>, mode: PassMode, loss: Loss = .binaryCrossEntropy,
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let (_, trace) = try network.backward(x, target: y, loss: loss, mode: mode)
    let h = 1e-5
    func difference(_ change: (inout Network<Double>, Double) -> Void) throws -> Double {
      var plus = network
      change(&plus, h)
      var minus = network
      change(&minus, -h)
      return
        (try plus.lossValue(x, target: y, loss: loss, mode: mode)
        - minus.lossValue(x, target: y, loss: loss, mode: mode)) / (2 * h)
    }
    func expectRelative(_ analytic: Double, _ numerical: Double, _ what: String) {
      let scale = max(abs(analytic), abs(numerical))
      #expect(
        abs(analytic - numerical) <= 1e-7 * scale + 1e-10,
        "\(what): backprop \(analytic), finite differences \(numerical)",
        sourceLocation: sourceLocation)
    }
    var count = 0
    for (l, layer) in network.layers.enumerated() {
      for i in 0..<layer.inputCount {
        for j in 0..<layer.unitCount {
          let numerical = try difference { net, d in
            var w = net.layers[l].weights
            w[i, j] += d
            try? net.setWeights(w, layer: l)
          }
          expectRelative(trace.weightGradients[l][i, j], numerical, "W\(l + 1)[\(i),\(j)]")
          count += 1
        }
      }
      for j in 0..<(layer.bias?.count ?? 0) {
        let numerical = try difference { net, d in
          var b = net.layers[l].bias ?? []
          b[j] += d
          try? net.setBias(b, layer: l)
        }
        expectRelative(trace.biasGradients[l]?[j] ?? .nan, numerical, "b\(l + 1)[\(j)]")
        count += 1
      }
      if let norm = layer.batchNorm {
        for j in norm.gamma.indices {
          let dGamma = try difference { net, d in
            var layers = net.layers
            layers[l].batchNorm?.gamma[j] += d
            net = (try? Network(inputs: 3, layers: layers)) ?? net
          }
          expectRelative(trace.gammaGradients[l]?[j] ?? .nan, dGamma, "γ\(l + 1)[\(j)]")
          let dBeta = try difference { net, d in
            var layers = net.layers
            layers[l].batchNorm?.beta[j] += d
            net = (try? Network(inputs: 3, layers: layers)) ?? net
          }
          expectRelative(trace.betaGradients[l]?[j] ?? .nan, dBeta, "β\(l + 1)[\(j)]")
          count += 2
        }
      }
    }
    #expect(count == network.parameterCount, sourceLocation: sourceLocation)
    // The engine's own gradient check agrees with the one made here.
    let rows = try network.gradientCheck(x, target: y, loss: loss, step: h, mode: mode)
    #expect(rows.count == network.parameterCount, sourceLocation: sourceLocation)
    #expect(rows.allSatisfy { $0.relativeError < 1e-6 || abs($0.analytic) < 1e-9 })
  }

  @Test("dropout: backprop through fixed masks matches finite differences")
  func dropoutGradients() throws {
    let net = try Self.network(seed: 3) { l, layer in if l < 2 { layer.dropout = 0.4 } }
    try Self.expectGradientsMatch(net, mode: .training(seed: 9))
    // The masks were drawn: some units of the first layer dropped, the rest scaled by 1/0.6.
    let trace = try net.forward(Self.x, mode: .training(seed: 9))
    let mask = try #require(trace.layers[0].mask).elements
    #expect(mask.contains(0) && mask.contains { abs($0 - 1 / 0.6) < 1e-15 })
    #expect(mask.allSatisfy { $0 == 0 || abs($0 - 1 / 0.6) < 1e-15 })
    // Inference keeps every unit: the same outputs as without dropout.
    let plain = try Self.network(seed: 3) { _, _ in }
    #expect(try net.predict(Self.x) == plain.predict(Self.x))
    #expect(try net.forward(Self.x).layers[0].mask == nil)
  }

  @Test("dropout keeps about 1 − rate of the units, and the same seed the same ones")
  func dropoutRate() throws {
    var generator = RandomGenerator(seed: 1)
    let wide = try Network<Double>(
      inputs: 10,
      layers: [
        {
          var layer = try Dense<Double>(
            inputs: 10, units: 500, activation: .identity, generator: &generator)
          layer.dropout = 0.3
          return layer
        }(), try Dense(inputs: 500, units: 1, activation: .identity, generator: &generator),
      ])
    let input = try Matrix<Double>(rows: 20, columns: 10, elements: Array(repeating: 1, count: 200))
    let mask = try #require(try wide.forward(input, mode: .training(seed: 4)).layers[0].mask)
    let kept = Double(mask.elements.filter { $0 > 0 }.count) / Double(mask.elements.count)
    #expect(abs(kept - 0.7) < 0.02, "kept \(kept)")
    #expect(try wide.forward(input, mode: .training(seed: 4)).layers[0].mask == mask)
    #expect(try wide.forward(input, mode: .training(seed: 5)).layers[0].mask != mask)
    // The output layer cannot drop.
    var layers = wide.layers
    layers[1].dropout = 0.5
    #expect(throws: EngineError.self) { try Network(inputs: 10, layers: layers) }
  }

  @Test("batch normalisation: backprop matches finite differences, batch and running statistics")
  func batchNormGradients() throws {
    let net = try Self.network(seed: 5) { l, layer in
      let units = layer.unitCount
      var norm = BatchNorm<Double>(units: units)
      norm.gamma = (0..<units).map { 0.8 + 0.1 * Double($0) }
      norm.beta = (0..<units).map { -0.2 + 0.15 * Double($0) }
      norm.runningMean = (0..<units).map { 0.1 * Double($0) }
      norm.runningVariance = (0..<units).map { 0.5 + Double($0) }
      layer.batchNorm = norm
    }
    try Self.expectGradientsMatch(net, mode: .training(seed: 0))
    try Self.expectGradientsMatch(net, mode: .inference)
    // With batch statistics, x̂ has mean 0 and variance σ²/(σ² + ε) per unit.
    let trace = try net.forward(Self.x, mode: .training(seed: 0))
    let norm = try #require(trace.layers[0].normalization)
    for j in 0..<4 {
      let column = (0..<4).map { norm.normalized[$0, j] }
      let mean = column.reduce(0, +) / 4
      let variance = column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 4
      #expect(abs(mean) < 1e-15)
      #expect(abs(variance - norm.variance[j] / (norm.variance[j] + 0.001)) < 1e-12)
      // μ is the batch mean of z = x·W + b.
      let z = (0..<4).map { trace.layers[0].netInput[$0, j] }
      #expect(abs(norm.mean[j] - z.reduce(0, +) / 4) < 1e-15)
    }
    // Inference reads the running statistics.
    let inference = try #require(try net.forward(Self.x).layers[0].normalization)
    #expect(inference.mean == [0, 0.1, 0.2, 0.30000000000000004])
    #expect(!inference.batchStatistics && norm.batchStatistics)
  }

  @Test("training moves the running statistics by Keras's momentum rule and trains γ and β")
  func batchNormTraining() throws {
    var net = try Self.network(seed: 5) { l, layer in
      if l == 0 { layer.batchNorm = BatchNorm(units: layer.unitCount, momentum: 0.9) }
    }
    let before = try net.forward(Self.x, mode: .training(seed: 0)).layers[0]
    let batchMean = try #require(before.normalization).mean
    let batchVariance = try #require(before.normalization).variance
    _ = try net.fit(
      Self.x, Self.y,
      configuration: TrainingConfiguration(
        loss: .binaryCrossEntropy, optimizer: .sgd(learningRate: 0.5), epochs: 1, batchSize: nil,
        shuffle: false))
    let norm = try #require(net.layers[0].batchNorm)
    for j in 0..<4 {
      #expect(abs(norm.runningMean[j] - 0.1 * batchMean[j]) < 1e-15)
      #expect(abs(norm.runningVariance[j] - (0.9 + 0.1 * batchVariance[j])) < 1e-15)
    }
    #expect(norm.gamma != [1, 1, 1, 1] && norm.beta != [0, 0, 0, 0])
  }

  @Test("per-layer L1 and L2 (Keras's kernel_regularizer): penalty and gradients")
  func layerPenalties() throws {
    let net = try Self.network(seed: 7) { l, layer in
      layer.regularizer = Regularizer(l1: l == 0 ? 0.01 : 0, l2: l == 1 ? 0.02 : 0.005)
    }
    try Self.expectGradientsMatch(net, mode: .inference)
    let plain = try Self.network(seed: 7) { _, _ in }
    let penalty = net.layers.reduce(0.0) {
      $0 + ($1.regularizer?.penalty($1.weights.elements) ?? 0)
    }
    let difference =
      try net.lossValue(Self.x, target: Self.y, loss: .binaryCrossEntropy)
      - plain.lossValue(Self.x, target: Self.y, loss: .binaryCrossEntropy)
    #expect(abs(difference - penalty) < 1e-15)
    // l1·Σ|w| + l2·Σw², by hand for the first layer.
    let w = net.layers[0].weights.elements
    let byHand = 0.01 * w.map(abs).reduce(0, +) + 0.005 * w.map { $0 * $0 }.reduce(0, +)
    #expect(abs(net.layers[0].regularizer!.penalty(w) - byHand) < 1e-15)
  }

  @Test("everything at once: dropout, batch normalisation and penalties, softmax head")
  func combined() throws {
    let net = try Self.network(seed: 11, output: .softmax) { l, layer in
      if l < 2 {
        layer.dropout = 0.25
        layer.batchNorm = BatchNorm(units: layer.unitCount)
      }
      layer.regularizer = Regularizer(l1: 0.003, l2: 0.004)
    }
    try Self.expectGradientsMatch(net, mode: .training(seed: 2), loss: .categoricalCrossEntropy)
  }

  @Test("schedules: step, exponential and cosine factors per epoch")
  func schedules() {
    let step = Schedule.step(factor: 0.5, every: 10)
    #expect([1, 10, 11, 21].map { step.factor(epoch: $0) } == [1, 1, 0.5, 0.25])
    let exponential = Schedule.exponential(factor: 0.9, every: 2)
    #expect(abs(exponential.factor(epoch: 3) - 0.9) < 1e-15)
    #expect(abs(exponential.factor(epoch: 4) - 0.9.squareRoot() * 0.9) < 1e-15)
    let cosine = Schedule.cosine(epochs: 10, floor: 0.1)
    #expect(cosine.factor(epoch: 1) == 1)
    #expect(abs(cosine.factor(epoch: 6) - 0.55) < 1e-15)
    #expect(abs(cosine.factor(epoch: 11) - 0.1) < 1e-15)
    #expect(abs(cosine.factor(epoch: 50) - 0.1) < 1e-15)
    var optimizer = Optimizer.sgd(learningRate: 0.2, decay: 0.5)
    optimizer.schedule = step
    // η·s(e)/(1 + decay·(t − 1)).
    #expect(abs(optimizer.rate(epoch: 11, step: 3) - 0.2 * 0.5 / 2) < 1e-15)
  }

  @Test("training records the learning rate per epoch and per-layer gradient norms")
  func histories() throws {
    var net = try Self.network(seed: 2) { _, _ in }
    var optimizer = Optimizer.sgd(learningRate: 0.4)
    optimizer.schedule = .step(factor: 0.5, every: 2)
    var configuration = TrainingConfiguration(
      loss: .binaryCrossEntropy, optimizer: optimizer, epochs: 5, batchSize: 2, seed: 3)
    configuration.recordsGradientNorms = true
    let history = try net.fit(Self.x, Self.y, configuration: configuration)
    #expect(history.learningRates == [0.4, 0.4, 0.2, 0.2, 0.1])
    #expect(history.gradientNorms.count == 5 && history.gradientNorms.allSatisfy { $0.count == 3 })
    // The first epoch's first-layer norm is the mean of its two batches' norms, by hand.
    var replay = try Self.network(seed: 2) { _, _ in }
    var generator = RandomGenerator(seed: 3)
    var order = Array(0..<4)
    generator.shuffle(&order)
    var state = OptimizerState(optimizer, for: replay)
    var norms: [Double] = []
    for start in [0, 2] {
      let rows = try Matrix(order[start..<start + 2].map { try Self.x.row($0) })
      let targets = try Matrix(order[start..<start + 2].map { try Self.y.row($0) })
      let (_, trace) = try replay.backward(rows, target: targets, loss: .binaryCrossEntropy)
      norms.append(trace.weightGradients[0].elements.map { $0 * $0 }.reduce(0, +).squareRoot())
      state.update(
        &replay, weightGradients: trace.weightGradients, biasGradients: trace.biasGradients)
    }
    #expect(abs(history.gradientNorms[0][0] - (norms[0] + norms[1]) / 2) < 1e-15)
    // Encoded and decoded column by column, bit for bit.
    let data = try JSONEncoder().encode(history)
    #expect(try JSONDecoder().decode(TrainingHistory.self, from: data) == history)
  }

  @Test("AMSGrad divides by the largest second moment so far")
  func amsgrad() throws {
    let net = try Network<Double>(
      inputs: 1, layers: [try Dense(weights: Matrix([[1.0]]), bias: nil, activation: .identity)])
    var optimizer = Optimizer.adam(learningRate: 0.1, beta1: 0.5, beta2: 0.5)
    optimizer.amsgrad = true
    var state = OptimizerState(optimizer, for: net)
    var copy = net
    var (m, v, vhat, theta) = (0.0, 0.0, 0.0, 1.0)
    for (t, g) in [4.0, 0.5, 0.1].enumerated() {
      state.update(&copy, weightGradients: [try Matrix([[g]])], biasGradients: [nil])
      m = 0.5 * m + 0.5 * g
      v = 0.5 * v + 0.5 * g * g
      vhat = max(vhat, v)
      let step = Double(t + 1)
      theta -=
        0.1 * (1 - pow(0.5, step)).squareRoot() / (1 - pow(0.5, step)) * m
        / (vhat.squareRoot() + 1e-7)
      #expect(abs(copy.layers[0].weights[0, 0] - theta) < 1e-15)
    }
    #expect(throws: EngineError.self) {
      var sgd = Optimizer.sgd()
      sgd.amsgrad = true
      try sgd.validate()
    }
  }
}
