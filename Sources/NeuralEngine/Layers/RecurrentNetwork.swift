/// A recurrent network: a simple recurrent cell read over each sequence, and dense layers on
/// its last state — Keras's `Sequential([SimpleRNN(units), Dense(…)])`. Training is
/// back-propagation through time: the dense layers' input gradient is ∂L/∂h_T, and the cell
/// sends it back step by step; one optimizer step updates the cell and the dense layers.
public struct RecurrentNetwork<Scalar: MatrixScalar>: LayeredNetwork {
  public internal(set) var cell: SimpleRecurrent<Scalar>
  public var head: Network<Scalar>

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

  /// The steps of a batch of samples, each row a sequence's steps one after another
  /// (`x_1`'s inputs, then `x_2`'s, …): `steps[t]` is step t, one row per sample.
  public func steps(of samples: Matrix<Scalar>) throws -> [Matrix<Scalar>] {
    let d = cell.inputCount
    guard samples.columns >= d, samples.columns % d == 0 else {
      throw EngineError.invalidArgument(
        "a sequence of steps of \(d) input\(d == 1 ? "" : "s") needs a multiple of \(d) values per sample, got \(samples.columns)"
      )
    }
    let count = samples.columns / d
    return (0..<count).map { t in
      var values: [Scalar] = []
      values.reserveCapacity(samples.rows * d)
      for r in 0..<samples.rows {
        let start = r * samples.columns + t * d
        values.append(contentsOf: samples.elements[start..<(start + d)])
      }
      return Matrix(uncheckedRows: samples.rows, columns: d, elements: values)
    }
  }

  /// A batch of sequences (`sequences[t]` is step t) as samples, one row per sequence.
  public static func samples(of sequences: [Matrix<Scalar>]) throws -> Matrix<Scalar> {
    guard let first = sequences.first,
      sequences.allSatisfy({ $0.rows == first.rows && $0.columns == first.columns })
    else {
      throw EngineError.invalidArgument(
        "a batch of sequences needs at least one step, every step with the same samples and inputs"
      )
    }
    let width = try FeatureMaps<Scalar>.elementCount(sequences.count, first.columns)
    var values = [Scalar](
      repeating: 0, count: try FeatureMaps<Scalar>.elementCount(first.rows, width))
    for (t, step) in sequences.enumerated() {
      for r in 0..<first.rows {
        for j in 0..<first.columns {
          values[r * width + t * first.columns + j] = step.elements[r * first.columns + j]
        }
      }
    }
    return Matrix(uncheckedRows: first.rows, columns: width, elements: values)
  }

  /// The cell over each sample's steps; the features are its last state `h_T`.
  public func extract(_ samples: Matrix<Scalar>) throws -> (
    trace: SimpleRecurrent<Scalar>.Pass, features: Matrix<Scalar>
  ) {
    let pass = try cell.forward(steps(of: samples))
    return (pass, pass.last)
  }

  /// Back-propagation through time from ∂L/∂h_T: the gradients of `W_x`, `W_h` and `b`.
  public func frontGradients(
    _ trace: SimpleRecurrent<Scalar>.Pass, featureGradient: [Scalar], rows: Int
  ) throws -> [[Scalar]] {
    let g = try cell.backward(trace, upstream: upstreamAtLast(trace, featureGradient, rows: rows))
    return [g.inputWeights.elements, g.recurrentWeights.elements, g.bias ?? []]
  }

  /// ∂L/∂h_t for every step: the head's gradient at the last, zeros before it.
  private func upstreamAtLast(
    _ trace: SimpleRecurrent<Scalar>.Pass, _ gradient: [Scalar], rows: Int
  ) throws -> [Matrix<Scalar>] {
    var upstream = try trace.inputs.map {
      try Matrix<Scalar>(rows: $0.rows, columns: cell.unitCount)
    }
    upstream[upstream.count - 1] = Matrix(
      uncheckedRows: rows, columns: cell.unitCount, elements: gradient)
    return upstream
  }

  /// `W_x`, `W_h`, then `b` (empty without one).
  public var frontParameterSizes: [Int] {
    [
      cell.inputWeights.elements.count, cell.recurrentWeights.elements.count,
      cell.bias?.count ?? 0,
    ]
  }

  public mutating func updateFront(_ change: (inout [Scalar], Int) -> Void) {
    change(&cell.inputWeights.elements, 0)
    change(&cell.recurrentWeights.elements, 1)
    if var bias = cell.bias {
      cell.bias = nil
      change(&bias, 2)
      cell.bias = bias
    }
  }

  /// The outputs for a batch of sequences: `sequences[t]` is step t, one row per sequence.
  public func predict(_ sequences: [Matrix<Scalar>]) throws -> Matrix<Scalar> {
    try head.predict(cell.forward(sequences).last)
  }

  /// The loss and the metrics on a batch of sequences.
  public func evaluate(
    _ sequences: [Matrix<Scalar>], _ targets: Matrix<Scalar>, loss: Loss, metrics: [Metric]
  ) throws -> (loss: Double, metrics: [Double]) {
    try head.evaluate(cell.forward(sequences).last, targets, loss: loss, metrics: metrics)
  }

  /// Mini-batch training on sequences, shuffled (seeded) every epoch, by the shared loop
  /// ``LayeredNetwork/fit(_:_:configuration:validation:progress:interrupt:)``; the mean
  /// training loss of each epoch.
  @_specialize(exported:true,where Scalar == Float)
  @_specialize(exported:true,where Scalar == Double)
  public mutating func fit(
    _ sequences: [Matrix<Scalar>], _ targets: Matrix<Scalar>, loss: Loss, optimizer: Optimizer,
    epochs: Int, batchSize: Int, seed: UInt64
  ) throws -> [Double] {
    let history = try fit(
      Self.samples(of: sequences), targets,
      configuration: TrainingConfiguration(
        loss: loss, optimizer: optimizer, epochs: epochs, batchSize: batchSize, seed: seed))
    return history.records.map(\.loss)
  }

  /// How much of the loss's gradient reaches each step's state: ‖∂L/∂h_t‖ (over the samples
  /// and units) for t = 1 … T, for the loss's mean over the samples. Small early values are
  /// the gradient vanishing back in time: early steps barely change what the cell learns.
  public func stateGradientSizes(samples: Matrix<Scalar>, _ targets: Matrix<Scalar>, loss: Loss)
    throws -> [Double]
  {
    let (trace, features) = try extract(samples)
    try loss.checkShapes(Shape(rows: targets.rows, columns: head.outputCount), targets.shape)
    guard targets.rows == samples.rows else {
      throw EngineError.invalidArgument(
        "one target row per sample: \(samples.rows) needed, got \(targets.rows)")
    }
    var pass = Propagation(network: head, rows: samples.rows)
    pass.forward(head, input: features.elements, inputOffset: 0)
    _ = try pass.backward(
      head, input: features.elements, inputOffset: 0, target: targets.elements, targetOffset: 0,
      loss: loss, l2: 0)
    let g = try cell.backward(
      trace, upstream: upstreamAtLast(trace, pass.inputGradient(head), rows: samples.rows))
    return g.states.map { Double($0.elements.reduce(0) { $0 + $1 * $1 }.squareRoot()) }
  }
}
