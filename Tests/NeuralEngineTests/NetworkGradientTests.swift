import NeuralEngine
import Testing

@Suite("Backpropagation against finite differences")
struct NetworkGradientTests {
  /// Output activation and loss pairings that make sense, each with suitable targets.
  static let heads: [(Activation, Loss)] = [
    (.identity, .meanSquaredError), (.identity, .halfSumOfSquares), (.identity, .meanAbsoluteError),
    (.identity, .huber(delta: 0.5)), (.tanh, .hinge), (.sigmoid, .binaryCrossEntropy),
    (.sigmoid, .meanSquaredError), (.softmax, .categoricalCrossEntropy),
    (.softmax, .sparseCategoricalCrossEntropy), (.softmax, .meanSquaredError),
  ]
  static let hidden: [Activation] = [
    .identity, .sigmoid, .tanh, .relu, .leakyReLU(alpha: 0.1), .elu(alpha: 1), .selu, .softplus,
    .gelu, .silu, .gaussian,
  ]
  static let cases: [(Activation, Int)] = hidden.flatMap { h in heads.indices.map { (h, $0) } }

  static func targets(for loss: Loss, rows: Int, outputs: Int) throws -> Matrix<Double> {
    switch loss {
    case .sparseCategoricalCrossEntropy:
      return Matrix(column: (0..<rows).map { Double($0 % outputs) })
    case .categoricalCrossEntropy, .binaryCrossEntropy, .hinge:
      var y = try Matrix<Double>(rows: rows, columns: outputs)
      for r in 0..<rows { y[r, (r + 1) % outputs] = 1 }
      return y
    default:
      return try Matrix(
        rows: rows, columns: outputs,
        elements: (0..<rows * outputs).map { Double($0 % 5) * 0.3 - 0.4 })
    }
  }

  @Test("∂L/∂W and ∂L/∂b match central differences", arguments: cases)
  func gradientsMatch(_ hiddenActivation: Activation, headIndex: Int) throws {
    let (outputActivation, loss) = Self.heads[headIndex]
    let outputs = outputActivation == .softmax ? 3 : 2
    let network = try randomNetwork(
      inputs: 3, hidden: 4, outputs: outputs, hiddenActivation: hiddenActivation,
      outputActivation: outputActivation, seed: UInt64(headIndex + 11))
    let x = try Matrix<Double>([[0.5, -1.2, 0.3], [1.1, 0.4, -0.7], [-0.2, 0.9, 1.5]])
    let y = try Self.targets(for: loss, rows: 3, outputs: outputs)
    for l2 in [0.0, 0.3] {
      let (_, backward) = try network.backward(x, target: y, loss: loss, l2: l2)
      func lossAfter(_ change: (inout Network<Double>) throws -> Void) throws -> Double {
        var copy = network
        try change(&copy)
        return try copy.backward(x, target: y, loss: loss, l2: l2).backward.loss
      }
      for (l, layer) in network.layers.enumerated() {
        for i in 0..<layer.weights.rows {
          for j in 0..<layer.weights.columns {
            let numeric = try centralDifference(
              { value in
                try lossAfter { net in
                  var w = layer.weights
                  w[i, j] = value
                  try net.setWeights(w, layer: l)
                }
              }, at: layer.weights[i, j])
            expectClose(
              backward.weightGradients[l][i, j], numeric, tolerance: 2e-7,
              "\(hiddenActivation)/\(outputActivation)/\(loss) l2=\(l2) W\(l)[\(i),\(j)]")
          }
        }
        for j in 0..<layer.unitCount {
          let numeric = try centralDifference(
            { value in
              try lossAfter { net in
                var b = layer.bias ?? []
                b[j] = value
                try net.setBias(b, layer: l)
              }
            }, at: layer.bias?[j] ?? 0)
          expectClose(
            backward.biasGradients[l]?[j] ?? .nan, numeric, tolerance: 2e-7,
            "\(hiddenActivation)/\(outputActivation)/\(loss) b\(l)[\(j)]")
        }
      }
    }
  }

  /// Seed 001's shape: three weight matrices, sigmoid hidden layers, a softmax output; the
  /// δ⁽ˡ⁾ = δ⁽ˡ⁺¹⁾W⁽ˡ⁾ᵀ ⊙ a′⁽ˡ⁾ recursion runs through two hidden layers.
  @Test(arguments: [Loss.categoricalCrossEntropy, .meanSquaredError])
  func threeWeightMatricesWithSoftmax(_ loss: Loss) throws {
    let network = try Network<Double>(
      inputs: 3, units: [4, 3, 2], activations: [.sigmoid, .sigmoid, .softmax],
      initializer: .uniform(low: -1, high: 1), seed: 21)
    let x = try Matrix<Double>([[0.2, -0.4, 0.9], [1.3, 0.1, -0.5]])
    let y = try Matrix<Double>([[1, 0], [0, 1]])
    let (_, backward) = try network.backward(x, target: y, loss: loss)
    for (l, layer) in network.layers.enumerated() {
      for i in 0..<layer.weights.rows {
        for j in 0..<layer.weights.columns {
          let numeric = try centralDifference(
            { value in
              var copy = network
              var w = layer.weights
              w[i, j] = value
              try copy.setWeights(w, layer: l)
              return try copy.backward(x, target: y, loss: loss).backward.loss
            }, at: layer.weights[i, j])
          expectClose(
            backward.weightGradients[l][i, j], numeric, tolerance: 1e-8, "W\(l + 1)[\(i),\(j)]")
        }
      }
    }
  }

  @Test func fusedCrossEntropyEqualsTheUnfusedLoss() throws {
    let network = try randomNetwork(
      inputs: 3, hidden: 4, outputs: 3, hiddenActivation: .tanh, outputActivation: .softmax, seed: 5
    )
    let x = try Matrix<Double>([[0.5, -1.2, 0.3], [1.1, 0.4, -0.7]])
    let y = try Matrix<Double>([[0, 1, 0], [0, 0, 1]])
    let fused = try network.backward(x, target: y, loss: .categoricalCrossEntropy).backward.loss
    let plain = try Loss.categoricalCrossEntropy.value(predicted: network.predict(x), target: y)
    expectClose(fused, plain, tolerance: 1e-12)
  }
}
