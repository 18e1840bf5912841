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
  /// Batch normalisation, per layer (empty for a layer without): y = γ·x̂ + β (what the
  /// activation reads), x̂, the mean and variance used, ∂L/∂y, ∂L/∂γ and ∂L/∂β.
  var normalized: [[S]]
  var xhat: [[S]]
  var mean: [[S]]
  var variance: [[S]]
  var normalizedDelta: [[S]]
  var gammaGradients: [[S]]
  var betaGradients: [[S]]
  /// Dropout, per layer (empty for a layer without): the kept units' scale 1/(1 − rate)
  /// or 0, and φ before the mask.
  var mask: [[S]]
  var activated: [[S]]
  /// A softmax output layer's statistics per row: its largest net input m and Σexp(z − m)
  /// (empty for other output layers); the fused cross-entropy reads them.
  var softmaxTops: [S]
  var softmaxSums: [S]
  /// Whether the last forward pass trained (masks drawn, batch statistics).
  private(set) var training = false

  /// Buffers for `rows` samples; with `backward: false`, those of the forward pass alone
  /// (evaluation, validation), the backward pass's left empty.
  init(network: Network<S>, rows: Int, backward: Bool = true) {
    self.rows = rows
    let widths = network.layers.map(\.unitCount)
    z = widths.map { Array(repeating: 0, count: rows * $0) }
    a = z
    let none = widths.map { _ in [S]() }
    delta = backward ? z : none
    upstream = delta
    weightGradients =
      backward
      ? network.layers.map { Array(repeating: 0, count: $0.weights.elements.count) } : none
    biasGradients = backward ? widths.map { Array(repeating: 0, count: $0) } : none
    let normalizing = network.layers.map { $0.batchNorm != nil }
    let dropping = network.layers.map { backward && $0.dropout > 0 }
    func sized(_ used: [Bool], _ count: (Int) -> Int) -> [[S]] {
      zip(used, widths).map { Array(repeating: 0, count: $0 ? count($1) : 0) }
    }
    normalized = sized(normalizing) { rows * $0 }
    xhat = normalized
    normalizedDelta = backward ? normalized : none
    mean = sized(normalizing) { $0 }
    variance = mean
    gammaGradients = backward ? mean : none
    betaGradients = gammaGradients
    mask = sized(dropping) { rows * $0 }
    activated = mask
    let softmaxOutput = network.layers.last?.activation == .softmax
    softmaxTops = Array(repeating: 0, count: softmaxOutput ? rows : 0)
    softmaxSums = softmaxTops
  }

  /// What layer l's activation reads: y under batch normalisation, else z.
  func activationInput(_ l: Int) -> [S] { normalized[l].isEmpty ? z[l] : normalized[l] }

  /// An inference pass: every unit kept, running statistics.
  mutating func forward(_ network: Network<S>, input: [S], inputOffset: Int) {
    var unused = RandomGenerator(seed: 0)
    forward(network, input: input, inputOffset: inputOffset, training: false, masks: &unused)
  }

  /// z⁽ˡ⁾ = a⁽ˡ⁻¹⁾·W⁽ˡ⁾ + b⁽ˡ⁾ and a⁽ˡ⁾ = φ(z⁽ˡ⁾) for every layer (φ(BN(z)) under batch
  /// normalisation, times the dropout mask while training), reading `rows` samples of
  /// `input` from the element offset `inputOffset`. Masks are drawn layer by layer, row by
  /// row: a unit is kept when the generator's next uniform number is ≥ the rate.
  mutating func forward(
    _ network: Network<S>, input: [S], inputOffset: Int, training: Bool,
    masks generator: inout RandomGenerator
  ) {
    self.training = training
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
      if let norm = layer.batchNorm { normalize(l, norm, units: units, training: training) }
      if layer.activation == .softmax, l == network.layers.count - 1, !softmaxTops.isEmpty {
        layer.activation.softmax(
          activationInput(l), into: &a[l], columns: units, tops: &softmaxTops, sums: &softmaxSums)
      } else {
        layer.activation.apply(activationInput(l), into: &a[l], columns: units)
      }
      if training, layer.dropout > 0, !mask[l].isEmpty {
        let rate = layer.dropout
        let scale = S(1 / (1 - rate))
        for i in mask[l].indices {
          mask[l][i] = generator.nextUniform() >= rate ? scale : 0
          activated[l][i] = a[l][i]
          a[l][i] *= mask[l][i]
        }
      }
    }
  }

  /// x̂ and y = γ·x̂ + β of layer l's net inputs, with the batch's statistics (training) or
  /// the running ones.
  private mutating func normalize(_ l: Int, _ norm: BatchNorm<S>, units: Int, training: Bool) {
    let n = S(rows)
    for j in 0..<units {
      var mu = norm.runningMean[j]
      var sigma2 = norm.runningVariance[j]
      if training {
        var sum = S.zero
        for i in 0..<rows { sum += z[l][i * units + j] }
        mu = sum / n
        var squares = S.zero
        for i in 0..<rows {
          let d = z[l][i * units + j] - mu
          squares += d * d
        }
        sigma2 = squares / n
      }
      mean[l][j] = mu
      variance[l][j] = sigma2
      let inverse = 1 / (sigma2 + S(norm.epsilon)).squareRoot()
      for i in 0..<rows {
        let k = i * units + j
        xhat[l][k] = (z[l][k] - mu) * inverse
        normalized[l][k] = norm.gamma[j] * xhat[l][k] + norm.beta[j]
      }
    }
  }

  /// δ = ∂L/∂z of a normalised layer from ∂L/∂y (in `delta[l]` on entry), with ∂L/∂γ and
  /// ∂L/∂β: training, δ = γ/σ·(∂L/∂y − Σ∂L/∂y/n − x̂·Σ(∂L/∂y·x̂)/n); with running
  /// statistics, δ = γ/σ·∂L/∂y (σ = √(σ² + ε)).
  private mutating func normalizeBackward(_ l: Int, _ norm: BatchNorm<S>, units: Int) {
    swap(&normalizedDelta[l], &delta[l])
    let n = S(rows)
    for j in 0..<units {
      var sumDy = S.zero
      var sumDyXhat = S.zero
      for i in 0..<rows {
        let k = i * units + j
        sumDy += normalizedDelta[l][k]
        sumDyXhat += normalizedDelta[l][k] * xhat[l][k]
      }
      betaGradients[l][j] = sumDy
      gammaGradients[l][j] = sumDyXhat
      let scale = norm.gamma[j] / (variance[l][j] + S(norm.epsilon)).squareRoot()
      for i in 0..<rows {
        let k = i * units + j
        delta[l][k] =
          training
          ? scale * (normalizedDelta[l][k] - sumDy / n - xhat[l][k] * sumDyXhat / n)
          : scale * normalizedDelta[l][k]
      }
    }
  }

  /// δ of layer l from ∂L/∂a in `upstream[l]`: through the dropout mask, the activation
  /// and the normalisation.
  private mutating func throughLayer(_ l: Int, _ layer: Dense<S>) {
    let units = layer.unitCount
    if training, !mask[l].isEmpty {
      for i in upstream[l].indices { upstream[l][i] *= mask[l][i] }
      layer.activation.backward(
        z: activationInput(l), a: activated[l], upstream: upstream[l], into: &delta[l],
        columns: units)
    } else {
      layer.activation.backward(
        z: activationInput(l), a: a[l], upstream: upstream[l], into: &delta[l], columns: units)
    }
    if let norm = layer.batchNorm { normalizeBackward(l, norm, units: units) }
  }

  /// Errors δ and gradients of every layer after a forward pass, returning the loss (with
  /// the L2 penalty α/(2n)·Σ‖W‖² when `l2` > 0, and each layer's regularizer).
  mutating func backward(
    _ network: Network<S>, input: [S], inputOffset: Int, target: [S], targetOffset: Int,
    loss: Loss, l2: S
  ) throws -> S {
    guard let last = network.layers.indices.last else { return 0 }
    let outputLayer = network.layers[last]
    var value: S
    if loss.fusedActivation == outputLayer.activation, mask[last].isEmpty || !training {
      value = try loss.fusedValueAndGradient(
        netInput: activationInput(last), output: a[last], target: target,
        targetOffset: targetOffset, columns: outputLayer.unitCount, softmaxTops: softmaxTops,
        softmaxSums: softmaxSums, into: &delta[last])
      if let norm = outputLayer.batchNorm {
        normalizeBackward(last, norm, units: outputLayer.unitCount)
      }
    } else {
      value = try loss.value(a[last], target, yOffset: targetOffset, columns: outputLayer.unitCount)
      try loss.gradient(
        a[last], target, yOffset: targetOffset, columns: outputLayer.unitCount,
        into: &upstream[last])
      throughLayer(last, outputLayer)
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
      if let regularizer = layer.regularizer {
        value += regularizer.addGradient(&weightGradients[l], weights: layer.weights.elements)
      }
      Kernels.columnSums(delta[l], rows: rows, into: &biasGradients[l])
      guard l > 0 else { break }
      // ∂L/∂a⁽ˡ⁻¹⁾ = δ⁽ˡ⁾ · W⁽ˡ⁾ᵀ, then δ⁽ˡ⁻¹⁾ through the layer below.
      BLAS.gemm(
        transposeA: false, transposeB: true, m: rows, n: layer.inputCount, k: units,
        alpha: 1, a: delta[l], lda: units, b: layer.weights.elements, ldb: units,
        beta: 0, c: &upstream[l - 1], ldc: layer.inputCount)
      throughLayer(l - 1, network.layers[l - 1])
    }
    return value
  }
}

extension Propagation {
  /// ∂L/∂X, the gradient of the batch's inputs, `rows × inputs`, after ``backward``: what a
  /// convolutional stage under the dense layers receives (δ⁽¹⁾ · W⁽¹⁾ᵀ).
  func inputGradient(_ network: Network<S>) -> [S] {
    guard let first = network.layers.first else { return [] }
    var gradient = Array(repeating: S.zero, count: rows * first.inputCount)
    BLAS.gemm(
      transposeA: false, transposeB: true, m: rows, n: first.inputCount, k: first.unitCount,
      alpha: 1, a: delta[0], lda: first.unitCount, b: first.weights.elements,
      ldb: first.unitCount, beta: 0, c: &gradient, ldc: first.inputCount)
    return gradient
  }
}

extension Loss {
  /// The loss computed from the net input z of its fused activation (stable log-sum-exp
  /// and softplus forms), writing ∂L/∂z = (a − y)/n into `delta`.
  func fusedValueAndGradient<S: MatrixScalar>(
    netInput: [S], output: [S], target: [S], targetOffset o: Int, columns: Int,
    softmaxTops: [S] = [], softmaxSums: [S] = [], into delta: inout [S]
  ) throws -> S {
    var total = S.zero
    try fusedAccumulate(
      netInput: netInput, output: output, target: target, targetOffset: o, columns: columns,
      softmaxTops: softmaxTops, softmaxSums: softmaxSums, into: &total, gradient: &delta)
    return fusedMean(of: total, elements: netInput.count, columns: columns)
  }

  /// The fused loss of `total`, the sum ``fusedAccumulate`` gathered over `elements` net
  /// inputs of `columns` each: per element for the binary cross-entropy, else per sample.
  func fusedMean<S: MatrixScalar>(of total: S, elements: Int, columns: Int) -> S {
    guard columns > 0, elements > 0 else { return 0 }
    return self == .binaryCrossEntropy ? total / S(elements) : total / S(elements / columns)
  }

  /// Adds the fused loss terms of net inputs `netInput` (rows of `columns`) on to `total`,
  /// one after another, and, when `gradient` is not empty, writes ∂L/∂z = (a − y)/n there
  /// (n the rows given). `firstRow` numbers the rows in a message about a bad target.
  /// `softmaxTops` and `softmaxSums`, when the softmax forward pass gave them (one per
  /// row), spare taking each row's exponentials a second time; the loss has the same bits.
  func fusedAccumulate<S: MatrixScalar>(
    netInput: [S], output: [S], target: [S], targetOffset o: Int, columns: Int,
    firstRow: Int = 0, softmaxTops: [S] = [], softmaxSums: [S] = [], into total: inout S,
    gradient delta: inout [S]
  ) throws {
    guard columns > 0, !netInput.isEmpty else { return }
    let rows = netInput.count / columns
    precondition(
      o + (self == .sparseCategoricalCrossEntropy ? rows : netInput.count) <= target.count)
    let writes = !delta.isEmpty
    precondition(!writes || delta.count >= netInput.count)
    try Kernels.map(netInput, output, target, into: &delta) { z, a, y, d in
      switch self {
      case .binaryCrossEntropy:
        let count = S(z.count)
        for i in 0..<z.count {
          let t = y[o &+ i]
          total += Swift.max(z[i], 0) - z[i] * t + S.log(onePlus: S.exp(-Swift.abs(z[i])))
          if writes { d[i] = (a[i] - t) / count }
        }
      default:  // categorical and sparse categorical cross-entropy, fused with softmax
        let n = S(rows)
        let known = softmaxTops.count >= rows && softmaxSums.count >= rows
        for r in 0..<rows {
          let start = r &* columns
          let logSum: S
          if known {
            logSum = softmaxTops[r] + S.log(softmaxSums[r])
          } else {
            var top = z[start]
            for j in 1..<columns { top = Swift.max(top, z[start &+ j]) }
            var sum = S.zero
            for j in 0..<columns { sum += S.exp(z[start &+ j] - top) }
            logSum = top + S.log(sum)
          }
          if self == .sparseCategoricalCrossEntropy {
            let c = try Self.classIndex(y[o &+ r], row: firstRow + r, classes: columns)
            total += logSum - z[start &+ c]
            guard writes else { continue }
            for j in 0..<columns { d[start &+ j] = a[start &+ j] / n }
            d[start &+ c] -= 1 / n
          } else {
            // ∂L/∂z_j = a_j·Σ_k y_k − y_j: (a − y) when the targets sum to one.
            var targetSum = S.zero
            if writes { for j in 0..<columns { targetSum += y[o &+ start &+ j] } }
            for j in 0..<columns {
              let t = y[o &+ start &+ j]
              if t != 0 { total += t * (logSum - z[start &+ j]) }
              if writes { d[start &+ j] = (a[start &+ j] * targetSum - t) / n }
            }
          }
        }
      }
    }
  }
}
