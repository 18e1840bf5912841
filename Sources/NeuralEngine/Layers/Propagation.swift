import RealModule

/// The one forward and backward algorithm, over flat buffers that are reused from batch to
/// batch. The teaching traces and the trainer both run on it.
///
/// Buffers are sized for a fixed number of rows; callers keep one `Propagation` per batch
/// size they use, so no step allocates.
struct Propagation<S: MatrixScalar> {
  let rows: Int
  /// Per layer: net inputs z, outputs a, errors δ = ∂L/∂z, upstream ∂L/∂a, gradients.
  var z: [[S]]
  var a: [[S]]
  var delta: [[S]]
  var upstream: [[S]]
  var weightGradients: [[S]]
  var biasGradients: [[S]]

  init(network: Network<S>, rows: Int) {
    self.rows = rows
    let widths = network.layers.map(\.unitCount)
    z = widths.map { Array(repeating: 0, count: rows * $0) }
    a = z
    delta = z
    upstream = z
    weightGradients = network.layers.map { Array(repeating: 0, count: $0.weights.elements.count) }
    biasGradients = widths.map { Array(repeating: 0, count: $0) }
  }

  /// z⁽ˡ⁾ = a⁽ˡ⁻¹⁾·W⁽ˡ⁾ + b⁽ˡ⁾ and a⁽ˡ⁾ = φ(z⁽ˡ⁾) for every layer, reading `rows` samples of
  /// `input` from the element offset `inputOffset`.
  mutating func forward(_ network: Network<S>, input: [S], inputOffset: Int) {
    for (l, layer) in network.layers.enumerated() {
      let units = layer.unitCount
      var beta = S.zero
      if let bias = layer.bias {
        Kernels.fill(&z[l], rows: rows, with: bias)
        beta = 1
      }
      if l == 0 {
        BLAS.gemm(
          transposeA: false, transposeB: false, m: rows, n: units, k: layer.inputCount,
          alpha: 1, a: input, aOffset: inputOffset, lda: layer.inputCount,
          b: layer.weights.elements, ldb: units, beta: beta, c: &z[l], ldc: units)
      } else {
        BLAS.gemm(
          transposeA: false, transposeB: false, m: rows, n: units, k: layer.inputCount,
          alpha: 1, a: a[l - 1], lda: layer.inputCount,
          b: layer.weights.elements, ldb: units, beta: beta, c: &z[l], ldc: units)
      }
      layer.activation.apply(z[l], into: &a[l], columns: units)
    }
  }

  /// Errors δ and gradients of every layer after ``forward(_:input:inputOffset:)``,
  /// returning the loss (with the L2 penalty α/(2n)·Σ‖W‖² when `l2` > 0).
  mutating func backward(
    _ network: Network<S>, input: [S], inputOffset: Int, target: [S], targetOffset: Int,
    loss: Loss, l2: S
  ) throws -> S {
    guard let last = network.layers.indices.last else { return 0 }
    let outputLayer = network.layers[last]
    var value: S
    if loss.fusedActivation == outputLayer.activation {
      value = try loss.fusedValueAndGradient(
        netInput: z[last], output: a[last], target: target, targetOffset: targetOffset,
        columns: outputLayer.unitCount, into: &delta[last])
    } else {
      value = try loss.value(a[last], target, yOffset: targetOffset, columns: outputLayer.unitCount)
      try loss.gradient(
        a[last], target, yOffset: targetOffset, columns: outputLayer.unitCount,
        into: &upstream[last])
      outputLayer.activation.backward(
        z: z[last], a: a[last], upstream: upstream[last], into: &delta[last],
        columns: outputLayer.unitCount)
    }
    let n = S(rows)
    for l in stride(from: last, through: 0, by: -1) {
      let layer = network.layers[l]
      let units = layer.unitCount
      // ∂L/∂W = a⁽ˡ⁻¹⁾ᵀ · δ⁽ˡ⁾, with the transpose passed to BLAS.
      if l == 0 {
        BLAS.gemm(
          transposeA: true, transposeB: false, m: layer.inputCount, n: units, k: rows,
          alpha: 1, a: input, aOffset: inputOffset, lda: layer.inputCount,
          b: delta[l], ldb: units, beta: 0, c: &weightGradients[l], ldc: units)
      } else {
        BLAS.gemm(
          transposeA: true, transposeB: false, m: layer.inputCount, n: units, k: rows,
          alpha: 1, a: a[l - 1], lda: layer.inputCount,
          b: delta[l], ldb: units, beta: 0, c: &weightGradients[l], ldc: units)
      }
      if l2 > 0 {
        let squares = Kernels.addScaled(&weightGradients[l], layer.weights.elements, factor: l2 / n)
        value += l2 / (2 * n) * squares
      }
      Kernels.columnSums(delta[l], rows: rows, into: &biasGradients[l])
      guard l > 0 else { break }
      // ∂L/∂a⁽ˡ⁻¹⁾ = δ⁽ˡ⁾ · W⁽ˡ⁾ᵀ, then δ⁽ˡ⁻¹⁾ = φ′ ⊙ that.
      BLAS.gemm(
        transposeA: false, transposeB: true, m: rows, n: layer.inputCount, k: units,
        alpha: 1, a: delta[l], lda: units, b: layer.weights.elements, ldb: units,
        beta: 0, c: &upstream[l - 1], ldc: layer.inputCount)
      network.layers[l - 1].activation.backward(
        z: z[l - 1], a: a[l - 1], upstream: upstream[l - 1], into: &delta[l - 1],
        columns: layer.inputCount)
    }
    return value
  }
}

extension Loss {
  /// The loss computed from the net input z of its fused activation (stable log-sum-exp
  /// and softplus forms), writing ∂L/∂z = (a − y)/n into `delta`.
  func fusedValueAndGradient<S: MatrixScalar>(
    netInput: [S], output: [S], target: [S], targetOffset o: Int, columns: Int,
    into delta: inout [S]
  ) throws -> S {
    guard columns > 0, !netInput.isEmpty else { return 0 }
    let rows = netInput.count / columns
    precondition(
      o + (self == .sparseCategoricalCrossEntropy ? rows : netInput.count) <= target.count)
    return try Kernels.map(netInput, output, target, into: &delta) { z, a, y, d in
      var total = S.zero
      switch self {
      case .binaryCrossEntropy:
        let count = S(z.count)
        for i in 0..<z.count {
          let t = y[o &+ i]
          total += Swift.max(z[i], 0) - z[i] * t + S.log(onePlus: S.exp(-Swift.abs(z[i])))
          d[i] = (a[i] - t) / count
        }
        return total / count
      default:  // categorical and sparse categorical cross-entropy, fused with softmax
        let n = S(rows)
        for r in 0..<rows {
          let start = r &* columns
          var top = z[start]
          for j in 1..<columns { top = Swift.max(top, z[start &+ j]) }
          var sum = S.zero
          for j in 0..<columns { sum += S.exp(z[start &+ j] - top) }
          let logSum = top + S.log(sum)
          if self == .sparseCategoricalCrossEntropy {
            let c = try Self.classIndex(y[o &+ r], row: r, classes: columns)
            total += logSum - z[start &+ c]
            for j in 0..<columns { d[start &+ j] = a[start &+ j] / n }
            d[start &+ c] -= 1 / n
          } else {
            // ∂L/∂z_j = a_j·Σ_k y_k − y_j: (a − y) when the targets sum to one.
            var targetSum = S.zero
            for j in 0..<columns { targetSum += y[o &+ start &+ j] }
            for j in 0..<columns {
              let t = y[o &+ start &+ j]
              if t != 0 { total += t * (logSum - z[start &+ j]) }
              d[start &+ j] = (a[start &+ j] * targetSum - t) / n
            }
          }
        }
        return total / n
      }
    }
  }
}
