/// A recurrent network: a simple recurrent cell read over each sequence, and dense layers on
/// its last state — Keras's `Sequential([SimpleRNN(units), Dense(…)])`. Training is
/// back-propagation through time: the dense layers' input gradient is ∂L/∂h_T, and the cell
/// sends it back step by step; one optimizer step updates the cell and the dense layers.
public struct RecurrentNetwork<Scalar: MatrixScalar>: Sendable {
  public internal(set) var cell: SimpleRecurrent<Scalar>
  public internal(set) var head: Network<Scalar>

  public init(cell: SimpleRecurrent<Scalar>, head: Network<Scalar>) throws {
    guard head.inputCount == cell.unitCount else {
      throw EngineError.shapeMismatch(
        operation: "the dense layers after the recurrent cell",
        left: Shape(rows: 1, columns: cell.unitCount),
        right: Shape(rows: head.inputCount, columns: 1),
        rule: "the cell's \(cell.unitCount) units are the first dense layer's inputs")
    }
    self.cell = cell
    self.head = head
  }

  public var parameterCount: Int { cell.parameterCount + head.parameterCount }

  /// The outputs for a batch of sequences: `sequences[t]` is step t, one row per sequence.
  @_specialize(exported:true,where Scalar == Float)
  @_specialize(exported:true,where Scalar == Double)
  public func predict(_ sequences: [Matrix<Scalar>]) throws -> Matrix<Scalar> {
    try head.predict(cell.forward(sequences).last)
  }

  /// The loss and the metrics on a batch of sequences.
  @_specialize(exported:true,where Scalar == Float)
  @_specialize(exported:true,where Scalar == Double)
  public func evaluate(
    _ sequences: [Matrix<Scalar>], _ targets: Matrix<Scalar>, loss: Loss, metrics: [Metric]
  ) throws -> (loss: Double, metrics: [Double]) {
    try head.evaluate(cell.forward(sequences).last, targets, loss: loss, metrics: metrics)
  }

  /// Mini-batch training with the sequences shuffled (seeded) every epoch; the mean
  /// training loss of each epoch. Each batch's gradient reaching every state is measured:
  /// `stateGradientSizes` is, per epoch, the mean |∂L/∂hₜ| of each step t.
  @_specialize(exported:true,where Scalar == Float)
  @_specialize(exported:true,where Scalar == Double)
  public mutating func fit(
    _ sequences: [Matrix<Scalar>], _ targets: Matrix<Scalar>, loss: Loss, optimizer: Optimizer,
    epochs: Int, batchSize: Int, seed: UInt64
  ) throws -> (losses: [Double], stateGradientSizes: [[Double]]) {
    try optimizer.validate()
    guard let first = sequences.first, epochs >= 1, batchSize >= 1, first.rows > 0,
      targets.rows == first.rows,
      sequences.allSatisfy({ $0.rows == first.rows && $0.columns == cell.inputCount })
    else {
      throw EngineError.invalidArgument(
        "training needs epochs ≥ 1, a batch size ≥ 1, and every step and the targets with one row per sequence and the cell's \(cell.inputCount) inputs"
      )
    }
    let n = first.rows
    let batch = min(batchSize, n)
    var state = OptimizerState(
      optimizer, for: head,
      extra: [
        cell.inputWeights.elements.count, cell.recurrentWeights.elements.count,
        cell.bias?.count ?? 0,
      ])
    var generator = RandomGenerator(seed: seed)
    var order = Array(0..<n)
    var losses: [Double] = []
    var sizes: [[Double]] = []
    for epoch in 1...epochs {
      generator.shuffle(&order)
      state.epoch = epoch
      var total = 0.0
      var stepSizes = Array(repeating: 0.0, count: sequences.count)
      var batches = 0
      var start = 0
      while start < n {
        let rows = Array(order[start..<min(n, start + batch)])
        let xs = try sequences.map { try $0.selectingRows(rows) }
        let ys = try targets.selectingRows(rows)
        var pass = Propagation(network: head, rows: rows.count)
        let forward = try cell.forward(xs)
        pass.forward(
          head, input: forward.last.elements, inputOffset: 0, training: true, masks: &generator)
        let value = try pass.backward(
          head, input: forward.last.elements, inputOffset: 0, target: ys.elements,
          targetOffset: 0, loss: loss, l2: 0)
        guard value.isFinite else {
          throw EngineError.nonFiniteLoss(epoch: epoch, batch: batches + 1, value: Double(value))
        }
        var upstream = try xs.map { try Matrix<Scalar>(rows: $0.rows, columns: cell.unitCount) }
        upstream[upstream.count - 1] = Matrix(
          uncheckedRows: rows.count, columns: cell.unitCount, elements: pass.inputGradient(head))
        let gradients = try cell.backward(forward, upstream: upstream)
        for (t, g) in gradients.states.enumerated() {
          stepSizes[t] += Double(g.elements.reduce(0) { $0 + $1 * $1 }.squareRoot())
        }
        state.update(
          &head, weightGradients: pass.weightGradients, biasGradients: pass.biasGradients)
        state.updateExtra(
          &cell.inputWeights.elements, gradient: gradients.inputWeights.elements, index: 0)
        state.updateExtra(
          &cell.recurrentWeights.elements, gradient: gradients.recurrentWeights.elements, index: 1)
        if var bias = cell.bias, let gradient = gradients.bias {
          state.updateExtra(&bias, gradient: gradient, index: 2)
          cell.bias = bias
        }
        total += Double(value) * Double(rows.count)
        batches += 1
        start += rows.count
      }
      losses.append(total / Double(n))
      sizes.append(stepSizes.map { $0 / Double(max(1, batches)) })
    }
    return (losses, sizes)
  }
}
