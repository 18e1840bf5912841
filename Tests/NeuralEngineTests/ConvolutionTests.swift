import Foundation
import NeuralEngine
import Testing

/// Convolution, pooling and the recurrent cell: the forward passes against their direct
/// (loop) definitions, the backward passes against float64 central differences, over
/// random shapes, strides and paddings.
@Suite("Convolution, pooling and recurrent layers")
struct ConvolutionTests {
  /// |a − b| relative to the larger of the two (or to 10⁻³ when both are smaller, where a
  /// gradient is zero up to rounding).
  static func relativeError(_ a: Double, _ b: Double) -> Double {
    Swift.abs(a - b) / Swift.max(Swift.abs(a), Swift.abs(b), 1e-3)
  }

  /// dL/dv at `x` by the five-point centred difference (float64): its error is of order
  /// h⁴ from the Taylor series and ε·|L|/h from rounding, both far under 10⁻⁷ at h = 10⁻³.
  static func centred(step h: Double, at x: Double, _ loss: (Double) throws -> Double) rethrows
    -> Double
  {
    let near = try loss(x + h) - loss(x - h)
    let far = try loss(x + 2 * h) - loss(x - 2 * h)
    return (8 * near - far) / (12 * h)
  }

  static func randomValues(_ count: Int, _ generator: inout RandomGenerator) -> [Double] {
    (0..<count).map { _ in generator.nextUniform(in: -1, 1) }
  }

  static func maps(
    _ n: Int, _ h: Int, _ w: Int, _ c: Int, _ generator: inout RandomGenerator
  ) throws -> FeatureMaps<Double> {
    try FeatureMaps(
      count: n, height: h, width: w, channels: c,
      elements: randomValues(n * h * w * c, &generator))
  }

  /// A random window that fits (valid) or pads (same) maps of `h × w`.
  static func randomWindow(
    _ h: Int, _ w: Int, pool: Bool, _ generator: inout RandomGenerator
  ) throws -> Window {
    let padding: Window.Padding = generator.nextInt(below: 2) == 0 ? .valid : .same
    let kh = 1 + generator.nextInt(below: Swift.min(h, 3))
    let kw = 1 + generator.nextInt(below: Swift.min(w, 3))
    let sh = pool && generator.nextInt(below: 2) == 0 ? kh : 1 + generator.nextInt(below: 3)
    let sw = pool && generator.nextInt(below: 2) == 0 ? kw : 1 + generator.nextInt(below: 3)
    return try Window(height: kh, width: kw, strideHeight: sh, strideWidth: sw, padding: padding)
  }

  /// The convolution written out: for each output cell, the sum over its window.
  static func directConvolution(
    _ layer: Convolution2D<Double>, _ input: FeatureMaps<Double>
  ) throws -> [Double] {
    let place = try layer.window.placement(height: input.height, width: input.width)
    let window = layer.window
    var out: [Double] = []
    for n in 0..<input.count {
      for oy in 0..<place.outputHeight {
        for ox in 0..<place.outputWidth {
          for f in 0..<layer.filters {
            var z = layer.bias?[f] ?? 0
            for i in 0..<window.height {
              for j in 0..<window.width {
                let y = oy * window.strideHeight + i - place.padTop
                let x = ox * window.strideWidth + j - place.padLeft
                guard (0..<input.height).contains(y), (0..<input.width).contains(x) else {
                  continue
                }
                for c in 0..<input.channels {
                  z +=
                    input[n, y, x, c]
                    * layer.kernel[(i * window.width + j) * input.channels + c, f]
                }
              }
            }
            out.append(layer.activation.value(z))
          }
        }
      }
    }
    return out
  }

  @Test(
    "a convolution equals its definition; its gradients, central differences", arguments: 0..<24)
  func convolution(_ seed: Int) throws {
    var g = RandomGenerator(seed: UInt64(100 + seed))
    let (n, h, w, c) = (
      1 + g.nextInt(below: 2), 2 + g.nextInt(below: 5), 2 + g.nextInt(below: 5),
      1 + g.nextInt(below: 2)
    )
    let window = try Self.randomWindow(h, w, pool: false, &g)
    let filters = 1 + g.nextInt(below: 2)
    let activation: Activation = [.identity, .tanh, .sigmoid][seed % 3]
    let rows = window.height * window.width * c
    var layer = try Convolution2D<Double>(
      kernel: Matrix(rows: rows, columns: filters, elements: Self.randomValues(rows * filters, &g)),
      bias: Self.randomValues(filters, &g), window: window, inputChannels: c,
      activation: activation)
    let input = try Self.maps(n, h, w, c, &g)
    let pass = try layer.forward(input)
    let direct = try Self.directConvolution(layer, input)
    #expect(pass.output.elements.count == direct.count)
    for (a, b) in zip(pass.output.elements, direct) {
      #expect(Self.relativeError(a, b) <= 1e-12, "\(window): \(a) vs \(b)")
    }
    // L = Σ R ⊙ a for a fixed random R: ∂L/∂a = R.
    let r = Self.randomValues(pass.output.elements.count, &g)
    let upstream = try FeatureMaps(
      count: pass.output.count, height: pass.output.height, width: pass.output.width,
      channels: pass.output.channels, elements: r)
    let gradients = try layer.backward(pass, upstream: upstream)
    func loss(_ layer: Convolution2D<Double>, _ input: FeatureMaps<Double>) throws -> Double {
      zip(try layer.forward(input).output.elements, r).reduce(0) { $0 + $1.0 * $1.1 }
    }
    let step = 1e-3
    for k in layer.kernel.elements.indices {
      let kept = layer.kernel
      let numeric = try Self.centred(step: step, at: kept.elements[k]) { value in
        layer.kernel = try Self.replacing(kept, k, value)
        return try loss(layer, input)
      }
      layer.kernel = kept
      #expect(
        Self.relativeError(gradients.kernel.elements[k], numeric) <= 1e-7,
        "∂L/∂kernel[\(k)] \(window)")
    }
    for f in 0..<filters {
      let kept = layer.bias ?? []
      let numeric = try Self.centred(step: step, at: kept[f]) { value in
        layer.bias = kept.enumerated().map { $0 == f ? value : $1 }
        return try loss(layer, input)
      }
      layer.bias = kept
      #expect(Self.relativeError(gradients.bias?[f] ?? .nan, numeric) <= 1e-7, "∂L/∂b[\(f)]")
    }
    for k in input.elements.indices {
      let kept = input
      let numeric = try Self.centred(step: step, at: kept.elements[k]) { value in
        try loss(layer, Self.replacing(kept, k, value))
      }
      #expect(
        Self.relativeError(gradients.input.elements[k], numeric) <= 1e-7,
        "∂L/∂x[\(k)] \(window)")
    }
  }

  static func replacing(_ maps: FeatureMaps<Double>, _ index: Int, _ value: Double) throws
    -> FeatureMaps<Double>
  {
    var elements = maps.elements
    elements[index] = value
    return try FeatureMaps(
      count: maps.count, height: maps.height, width: maps.width, channels: maps.channels,
      elements: elements)
  }

  @Test("pooling equals its definition; its gradients, central differences", arguments: 0..<24)
  func pooling(_ seed: Int) throws {
    var g = RandomGenerator(seed: UInt64(300 + seed))
    let (n, h, w, c) = (
      1 + g.nextInt(below: 2), 2 + g.nextInt(below: 5), 2 + g.nextInt(below: 5),
      1 + g.nextInt(below: 2)
    )
    let layer = Pooling2D(
      kind: seed % 2 == 0 ? .max : .average, window: try Self.randomWindow(h, w, pool: true, &g))
    let input = try Self.maps(n, h, w, c, &g)
    let pass = try layer.forward(input)
    // The definition: the largest or the mean of the window's cells inside the maps.
    let window = layer.window
    let place = pass.placement
    var k = 0
    for s in 0..<n {
      for oy in 0..<place.outputHeight {
        for ox in 0..<place.outputWidth {
          for ch in 0..<c {
            var cells: [Double] = []
            for i in 0..<window.height {
              for j in 0..<window.width {
                let y = oy * window.strideHeight + i - place.padTop
                let x = ox * window.strideWidth + j - place.padLeft
                if (0..<h).contains(y), (0..<w).contains(x) {
                  cells.append(input[s, y, x, ch])
                }
              }
            }
            let expected =
              layer.kind == .max
              ? cells.max() ?? 0 : cells.reduce(0, +) / Double(Swift.max(1, cells.count))
            #expect(Self.relativeError(pass.output.elements[k], expected) <= 1e-12)
            k += 1
          }
        }
      }
    }
    let r = Self.randomValues(pass.output.elements.count, &g)
    let upstream = try FeatureMaps(
      count: n, height: pass.output.height, width: pass.output.width, channels: c, elements: r)
    let gradient = try layer.backward(pass, upstream: upstream)
    // Piecewise linear in the input: a step small enough not to change which cell is
    // largest.
    let step = 1e-5
    func loss(_ input: FeatureMaps<Double>) throws -> Double {
      zip(try layer.forward(input).output.elements, r).reduce(0) { $0 + $1.0 * $1.1 }
    }
    for k in input.elements.indices {
      let numeric = try Self.centred(step: step, at: input.elements[k]) { value in
        try loss(Self.replacing(input, k, value))
      }
      #expect(
        Self.relativeError(gradient.elements[k], numeric) <= 1e-7,
        "\(layer.kind) ∂L/∂x[\(k)] \(window)")
    }
  }

  @Test("max pooling routes each gradient to its window's largest input")
  func maxPoolingRoutes() throws {
    // The 4×4 map of the usual example, pooled 2×2 with stride 2.
    let input = try FeatureMaps<Double>(
      count: 1, height: 4, width: 4, channels: 1,
      elements: [1, 3, 2, 1, 4, 6, 5, 0, 3, 1, 1, 2, 0, 2, 4, 3])
    let layer = Pooling2D(
      kind: .max, window: try Window(height: 2, width: 2, strideHeight: 2, strideWidth: 2))
    let pass = try layer.forward(input)
    #expect(pass.output.elements == [6, 5, 3, 4])
    #expect(pass.routes == [5, 6, 8, 14])
    let back = try layer.backward(
      pass,
      upstream: FeatureMaps(count: 1, height: 2, width: 2, channels: 1, elements: [1, 2, 3, 4]))
    #expect(back.elements == [0, 0, 0, 0, 0, 1, 2, 0, 3, 0, 0, 0, 0, 0, 4, 0])
    let average = try Pooling2D(kind: .average, window: layer.window).forward(input)
    #expect(average.output.elements == [3.5, 2, 1.5, 2.5])
  }

  @Test("'same' padding gives ⌈n/s⌉ outputs, split as TensorFlow splits it")
  func samePadding() throws {
    let window = try Window(height: 3, width: 2, strideHeight: 2, strideWidth: 1, padding: .same)
    let place = try window.placement(height: 5, width: 4)
    #expect(place.outputHeight == 3 && place.outputWidth == 4)
    // Rows: (3 − 1)·2 + 3 − 5 = 2 zeros, one above; columns: 0·… + 2 − 1 = 1 zero, after.
    #expect(place.padTop == 1 && place.padLeft == 0)
    #expect(throws: EngineError.self) {
      try Window(height: 6, width: 1).placement(height: 5, width: 4)
    }
    #expect(throws: EngineError.self) { try Window(height: 0, width: 1) }
  }

  @Test("a 3×3 kernel on a 5×5 image, worked by hand")
  func handWorkedConvolution() throws {
    let image: [Double] = [
      1, 2, 0, 1, 0,
      0, 1, 3, 1, 2,
      2, 0, 1, 0, 1,
      1, 1, 0, 2, 0,
      0, 2, 1, 1, 1,
    ]
    let kernel: [Double] = [0, 1, 0, 1, -4, 1, 0, 1, 0]
    let layer = try Convolution2D<Double>(
      kernel: Matrix(rows: 9, columns: 1, elements: kernel), bias: [0],
      window: Window(height: 3, width: 3), inputChannels: 1)
    let pass = try layer.forward(
      FeatureMaps(count: 1, height: 5, width: 5, channels: 1, elements: image))
    // The Laplacian cross at the top left: x₁₂ + x₂₁ − 4x₂₂ + x₂₃ + x₃₂ = 2 + 0 − 4 + 3 + 0.
    #expect(pass.output.elements[0] == 1)
    #expect(pass.output.height == 3 && pass.output.width == 3)
    #expect(pass.output.elements == [1, -9, 2, 5, -1, 5, -1, 5, -7])
  }

  @Test("back-propagation through time equals central differences", arguments: 0..<12)
  func recurrent(_ seed: Int) throws {
    var g = RandomGenerator(seed: UInt64(500 + seed))
    let (samples, inputs, units, steps) = (
      1 + g.nextInt(below: 3), 1 + g.nextInt(below: 3), 1 + g.nextInt(below: 4),
      1 + g.nextInt(below: 6)
    )
    var cell = try SimpleRecurrent<Double>(
      inputWeights: Matrix(
        rows: inputs, columns: units, elements: Self.randomValues(inputs * units, &g)),
      recurrentWeights: Matrix(
        rows: units, columns: units, elements: Self.randomValues(units * units, &g)),
      bias: Self.randomValues(units, &g))
    var sequence = try (0..<steps).map { _ in
      try Matrix<Double>(
        rows: samples, columns: inputs, elements: Self.randomValues(samples * inputs, &g))
    }
    let pass = try cell.forward(sequence)
    // The definition, step by step.
    var h = Array(repeating: 0.0, count: samples * units)
    for (t, x) in sequence.enumerated() {
      var next = h
      for s in 0..<samples {
        for u in 0..<units {
          var z = cell.bias?[u] ?? 0
          for i in 0..<inputs { z += x[s, i] * cell.inputWeights[i, u] }
          for v in 0..<units { z += h[s * units + v] * cell.recurrentWeights[v, u] }
          next[s * units + u] = Foundation.tanh(z)
        }
      }
      h = next
      for (a, b) in zip(pass.states[t + 1].elements, h) {
        #expect(Self.relativeError(a, b) <= 1e-12)
      }
    }
    // L = Σ_t Σ R_t ⊙ h_t: every step's state is read.
    let r = try (0..<steps).map { _ in
      try Matrix<Double>(
        rows: samples, columns: units, elements: Self.randomValues(samples * units, &g))
    }
    let gradients = try cell.backward(pass, upstream: r)
    func loss() throws -> Double {
      let states = try cell.forward(sequence).states.dropFirst()
      return zip(states, r).reduce(0) { total, pair in
        total + zip(pair.0.elements, pair.1.elements).reduce(0) { $0 + $1.0 * $1.1 }
      }
    }
    func check(_ analytic: Double, _ what: String, _ set: (Double) throws -> Void, _ kept: Double)
      throws
    {
      let numeric = try Self.centred(step: 1e-3, at: kept) { value in
        try set(value)
        return try loss()
      }
      try set(kept)
      #expect(Self.relativeError(analytic, numeric) <= 1e-7, "\(what)")
    }
    for k in 0..<(inputs * units) {
      try check(
        gradients.inputWeights.elements[k], "∂L/∂W_x[\(k)]",
        { cell.inputWeights = try Self.replacing(cell.inputWeights, k, $0) },
        cell.inputWeights.elements[k])
    }
    for k in 0..<(units * units) {
      try check(
        gradients.recurrentWeights.elements[k], "∂L/∂W_h[\(k)]",
        { cell.recurrentWeights = try Self.replacing(cell.recurrentWeights, k, $0) },
        cell.recurrentWeights.elements[k])
    }
    for u in 0..<units {
      try check(
        gradients.bias?[u] ?? .nan, "∂L/∂b[\(u)]",
        { value in cell.bias = cell.bias.map { b in b.enumerated().map { $0 == u ? value : $1 } } },
        cell.bias?[u] ?? 0)
    }
    for t in 0..<steps {
      for k in 0..<(samples * inputs) {
        try check(
          gradients.inputs[t].elements[k], "∂L/∂x_\(t + 1)[\(k)]",
          { sequence[t] = try Self.replacing(sequence[t], k, $0) }, sequence[t].elements[k])
      }
    }
  }

  static func replacing(_ matrix: Matrix<Double>, _ index: Int, _ value: Double) throws
    -> Matrix<Double>
  {
    var elements = matrix.elements
    elements[index] = value
    return try Matrix(rows: matrix.rows, columns: matrix.columns, elements: elements)
  }

  @Test("the gradient reaching early states shrinks step by step with small recurrent weights")
  func vanishingGradient() throws {
    let cell = try SimpleRecurrent<Double>(
      inputWeights: Matrix([[0.5]]), recurrentWeights: Matrix([[0.4]]), bias: [0])
    let sequence = try (0..<10).map { _ in try Matrix<Double>([[1]]) }
    let pass = try cell.forward(sequence)
    var upstream = try (0..<10).map { _ in try Matrix<Double>([[0]]) }
    upstream[9] = try Matrix([[1]])
    let gradients = try cell.backward(pass, upstream: upstream)
    let sizes = gradients.states.map { Swift.abs($0.elements[0]) }
    #expect(sizes[9] == 1)
    for t in 0..<9 { #expect(sizes[t] < sizes[t + 1] * 0.4) }
    #expect(sizes[0] < 1e-4)
  }
}

/// The convolutional network: its backward pass through dense layers, pooling and
/// convolution against centred differences of its loss, and training on the digits.
@Suite("Convolutional networks")
struct ConvolutionalNetworkTests {
  static func small(seed: UInt64) throws -> ConvolutionalNetwork<Double> {
    var generator = RandomGenerator(seed: seed)
    let conv = try Convolution2D<Double>(
      filters: 3, window: Window(height: 3, width: 3), inputChannels: 1, activation: .tanh,
      generator: &generator)
    let pool = Pooling2D(
      kind: .max, window: try Window(height: 2, width: 2, strideHeight: 2, strideWidth: 2))
    let head = try Network<Double>(
      inputs: 2 * 2 * 3, units: [3], activations: [.softmax], seed: seed + 1)
    return try ConvolutionalNetwork(
      height: 6, width: 6, channels: 1, stages: [.convolution(conv), .pooling(pool)], head: head)
  }

  @Test(
    "one step of plain gradient descent moves every parameter by −η·∂L/∂θ, ∂L/∂θ by centred differences"
  )
  func gradientsThroughEveryStage() throws {
    var generator = RandomGenerator(seed: 3)
    let images = try FeatureMaps<Double>(
      count: 4, height: 6, width: 6, channels: 1,
      elements: (0..<144).map { _ in generator.nextUniform(in: -1, 1) })
    let targets = Matrix<Double>(column: [0, 2, 1, 2])
    let network = try Self.small(seed: 5)
    func loss(_ network: ConvolutionalNetwork<Double>) throws -> Double {
      try network.evaluate(images, targets, loss: .sparseCategoricalCrossEntropy, metrics: []).loss
    }
    var trained = network
    let rate = 1e-3
    _ = try trained.fit(
      images, targets, loss: .sparseCategoricalCrossEntropy, optimizer: .sgd(learningRate: rate),
      epochs: 1, batchSize: 4, seed: 1)
    guard case .convolution(let before) = network.stages[0],
      case .convolution(let after) = trained.stages[0]
    else {
      Issue.record("the first stage is not a convolution")
      return
    }
    func centred(_ set: (inout ConvolutionalNetwork<Double>, Double) throws -> Void, at x: Double)
      throws -> Double
    {
      // Max pooling is piecewise: a step small enough not to change any window's largest.
      let h = 1e-6
      func at(_ value: Double) throws -> Double {
        var copy = network
        try set(&copy, value)
        return try loss(copy)
      }
      return (try at(x + h) - at(x - h)) / (2 * h)
    }
    for k in before.kernel.elements.indices {
      let analytic = (before.kernel.elements[k] - after.kernel.elements[k]) / rate
      let numeric = try centred(
        { copy, value in
          guard case .convolution(var layer) = copy.stages[0] else { return }
          layer.kernel = try Matrix(
            rows: layer.kernel.rows, columns: layer.kernel.columns,
            elements: layer.kernel.elements.enumerated().map { $0 == k ? value : $1 })
          copy = try ConvolutionalNetwork(
            height: 6, width: 6, channels: 1, stages: [.convolution(layer), copy.stages[1]],
            head: copy.head)
        }, at: before.kernel.elements[k])
      // Rounding in θ − θ′ limits the comparison to about 10⁻¹³/η.
      #expect(
        abs(analytic - numeric) <= 1e-8 * max(1, abs(numeric)), "∂L/∂k[\(k)] \(analytic) \(numeric)"
      )
    }
    let w0 = network.head.layers[0].weights.elements
    let w1 = trained.head.layers[0].weights.elements
    for k in w0.indices {
      let analytic = (w0[k] - w1[k]) / rate
      let numeric = try centred(
        { copy, value in
          var layers = copy.head.layers
          layers[0].weights = try Matrix(
            rows: layers[0].weights.rows, columns: layers[0].weights.columns,
            elements: layers[0].weights.elements.enumerated().map { $0 == k ? value : $1 })
          copy = try ConvolutionalNetwork(
            height: 6, width: 6, channels: 1, stages: copy.stages,
            head: Network(inputs: copy.head.inputCount, layers: layers))
        }, at: w0[k])
      #expect(abs(analytic - numeric) <= 1e-8 * max(1, abs(numeric)), "∂L/∂w[\(k)]")
    }
    #expect(network.parameterCount == 3 * 9 + 3 + 12 * 3 + 3)
  }

  @Test("a small CNN learns the digits")
  func learnsTheDigits() throws {
    let digits = Datasets.digits()
    let n = 1200
    let scaled = digits.features.scaled(by: 1.0 / 16)
    func images(_ rows: Range<Int>) throws -> FeatureMaps<Float> {
      try FeatureMaps(
        unflattening: Matrix(converting: scaled.selectingRows(rows)), height: 8, width: 8,
        channels: 1)
    }
    var generator = RandomGenerator(seed: 8)
    let conv = try Convolution2D<Float>(
      filters: 8, window: Window(height: 3, width: 3), inputChannels: 1, activation: .relu,
      initializer: .heUniform, generator: &generator)
    let pool = Pooling2D(
      kind: .max, window: try Window(height: 2, width: 2, strideHeight: 2, strideWidth: 2))
    let head = try Network<Float>(inputs: 72, units: [10], activations: [.softmax], seed: 9)
    var network = try ConvolutionalNetwork(
      height: 8, width: 8, channels: 1, stages: [.convolution(conv), .pooling(pool)], head: head)
    let losses = try network.fit(
      images(0..<n), Matrix(converting: digits.targets.selectingRows(0..<n)),
      loss: .sparseCategoricalCrossEntropy, optimizer: .adam(learningRate: 0.01), epochs: 10,
      batchSize: 32, seed: 1)
    #expect(losses.count == 10 && losses[9] < losses[0])
    let test = try network.evaluate(
      images(n..<digits.features.rows),
      Matrix(converting: digits.targets.selectingRows(n..<digits.features.rows)),
      loss: .sparseCategoricalCrossEntropy, metrics: [.accuracy])
    #expect(test.metrics[0] > 0.9, "test accuracy \(test.metrics[0])")
    #expect(network.parameterCount == 8 * 9 + 8 + 72 * 10 + 10)
    #expect(try network.multiplyAdds() == 6 * 6 * 8 * 9 + 720)
  }
}

/// The recurrent network: back-propagation through time through the cell and the dense
/// layers against centred differences, and a task that needs memory.
@Suite("Recurrent networks")
struct RecurrentNetworkTests {
  @Test(
    "one step of plain gradient descent moves Wₓ, Wₕ and b by −η·∂L/∂θ, ∂L/∂θ by centred differences"
  )
  func gradientsThroughTime() throws {
    var g = RandomGenerator(seed: 11)
    let sequences = try (0..<4).map { _ in
      try Matrix<Double>(
        rows: 3, columns: 2, elements: (0..<6).map { _ in g.nextUniform(in: -1, 1) })
    }
    let targets = Matrix<Double>(column: [0, 1, 1])
    var generator = RandomGenerator(seed: 2)
    let cell = try SimpleRecurrent<Double>(
      inputs: 2, units: 3, initializer: .uniform(low: -0.8, high: 0.8), generator: &generator)
    let head = try Network<Double>(
      inputs: 3, units: [1], activations: [.sigmoid], initializer: .uniform(low: -1, high: 1),
      seed: 3)
    let network = try RecurrentNetwork(cell: cell, head: head)
    var trained = network
    let rate = 1e-3
    _ = try trained.fit(
      sequences, targets, loss: .binaryCrossEntropy, optimizer: .sgd(learningRate: rate),
      epochs: 1, batchSize: 3, seed: 1)
    func loss(_ cell: SimpleRecurrent<Double>) throws -> Double {
      try RecurrentNetwork(cell: cell, head: network.head).evaluate(
        sequences, targets, loss: .binaryCrossEntropy, metrics: []
      ).loss
    }
    func check(
      _ before: [Double], _ after: [Double], _ name: String,
      _ make: ([Double]) throws -> SimpleRecurrent<Double>
    ) throws {
      for k in before.indices {
        let h = 1e-5
        var plus = before
        plus[k] += h
        var minus = before
        minus[k] -= h
        let numeric = (try loss(make(plus)) - loss(make(minus))) / (2 * h)
        let analytic = (before[k] - after[k]) / rate
        #expect(abs(analytic - numeric) <= 1e-8 * max(1, abs(numeric)), "\(name)[\(k)]")
      }
    }
    try check(cell.inputWeights.elements, trained.cell.inputWeights.elements, "Wₓ") {
      try SimpleRecurrent(
        inputWeights: Matrix(rows: 2, columns: 3, elements: $0),
        recurrentWeights: cell.recurrentWeights, bias: cell.bias)
    }
    try check(cell.recurrentWeights.elements, trained.cell.recurrentWeights.elements, "Wₕ") {
      try SimpleRecurrent(
        inputWeights: cell.inputWeights,
        recurrentWeights: Matrix(rows: 3, columns: 3, elements: $0),
        bias: cell.bias)
    }
    try check(cell.bias ?? [], trained.cell.bias ?? [], "b") {
      try SimpleRecurrent(
        inputWeights: cell.inputWeights, recurrentWeights: cell.recurrentWeights, bias: $0)
    }
    #expect(network.parameterCount == 2 * 3 + 3 * 3 + 3 + 3 + 1)
  }

  @Test(
    "a cell learns to remember the first step of six; untrained, the gradient reaching it is the smallest"
  )
  func remembersTheFirstStep() throws {
    var g = RandomGenerator(seed: 21)
    let count = 200
    let signs = (0..<(count * 6)).map { _ in g.nextUniform() < 0.5 ? -1.0 : 1.0 }
    let sequences = try (0..<6).map { t in
      try Matrix<Float>(
        rows: count, columns: 1, elements: (0..<count).map { Float(signs[$0 * 6 + t]) })
    }
    let targets = Matrix<Float>(column: (0..<count).map { signs[$0 * 6] > 0 ? 1 : 0 })
    var generator = RandomGenerator(seed: 4)
    var network = try RecurrentNetwork(
      cell: SimpleRecurrent<Float>(inputs: 1, units: 8, generator: &generator),
      head: Network<Float>(inputs: 8, units: [1], activations: [.sigmoid], seed: 5))
    let samples = try RecurrentNetwork.samples(of: sequences)
    // Before training, the gradient reaching the first state is the smallest.
    let sizes = try network.stateGradientSizes(samples: samples, targets, loss: .binaryCrossEntropy)
    #expect(sizes.count == 6 && sizes[0] < sizes[5], "\(sizes)")
    let losses = try network.fit(
      sequences, targets, loss: .binaryCrossEntropy, optimizer: .adam(learningRate: 0.02),
      epochs: 40, batchSize: 20, seed: 6)
    #expect(losses[39] < losses[0] / 4, "\(losses)")
    let accuracy = try network.evaluate(
      sequences, targets, loss: .binaryCrossEntropy, metrics: [.binaryAccuracy]
    ).metrics[0]
    #expect(accuracy > 0.95, "accuracy \(accuracy)")
  }
}

@Suite("Convolutional and recurrent networks refuse mismatched parts")
struct NetworkShapeTests {
  @Test func mismatchesAreNamed() throws {
    var generator = RandomGenerator(seed: 1)
    let conv = try Convolution2D<Double>(
      filters: 4, window: Window(height: 3, width: 3), inputChannels: 1, generator: &generator)
    // 8×8 → 6×6×4 = 144 values, not 100.
    let head = try Network<Double>(inputs: 100, units: [2], activations: [.softmax], seed: 1)
    #expect {
      try ConvolutionalNetwork(
        height: 8, width: 8, channels: 1, stages: [.convolution(conv)], head: head)
    } throws: { error in
      "\(error)".contains("the flattened maps (6×6×4 = 144 values)")
    }
    #expect {
      try ConvolutionalNetwork(
        height: 8, width: 8, channels: 3, stages: [.convolution(conv)],
        head: Network<Double>(inputs: 144, units: [2], activations: [.softmax], seed: 1))
    } throws: { error in
      "\(error)" == "stage 1 takes 1 channels but receives 3"
    }
    let cell = try SimpleRecurrent<Double>(inputs: 2, units: 3, generator: &generator)
    #expect {
      try RecurrentNetwork(cell: cell, head: head)
    } throws: { error in
      "\(error)".contains("the cell's 3 units are the first dense layer's inputs")
    }
    let network = try ConvolutionalNetwork(
      height: 8, width: 8, channels: 1, stages: [.convolution(conv)],
      head: Network<Double>(inputs: 144, units: [2], activations: [.softmax], seed: 1))
    #expect(throws: EngineError.self) {
      try network.predict(FeatureMaps(count: 1, height: 7, width: 8, channels: 1))
    }
  }
}
