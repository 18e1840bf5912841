/// A simple recurrent (Elman) cell, Keras's `SimpleRNN`, unrolled over a sequence:
///
///     z_t = x_t · W_x + h_{t−1} · W_h + b,    h_t = φ(z_t),    h_0 = 0
///
/// with φ = tanh by default. Each step is a batch: `x_t` is `samples × inputs`, `h_t` is
/// `samples × units`. The backward pass is back-propagation through time: the gradient of
/// each state is what the layer above sends it plus what the next step sends back through
/// `W_h`, and the weights' gradients are summed over the steps.
public struct SimpleRecurrent<Scalar: MatrixScalar>: Equatable, Codable, Sendable {
  /// `inputs × units` (Keras's `kernel`).
  public var inputWeights: Matrix<Scalar>
  /// `units × units` (Keras's `recurrent_kernel`).
  public var recurrentWeights: Matrix<Scalar>
  public var bias: [Scalar]?
  public var activation: Activation

  public var inputCount: Int { inputWeights.rows }
  public var unitCount: Int { inputWeights.columns }
  public var parameterCount: Int {
    inputWeights.elements.count + recurrentWeights.elements.count + (bias?.count ?? 0)
  }

  public init(
    inputWeights: Matrix<Scalar>, recurrentWeights: Matrix<Scalar>, bias: [Scalar]?,
    activation: Activation = .tanh
  ) throws {
    let units = inputWeights.columns
    guard units > 0, inputWeights.rows > 0 else {
      throw EngineError.invalidArgument(
        "a recurrent cell needs at least one input and one unit, got \(inputWeights.rows) and \(units)"
      )
    }
    guard recurrentWeights.rows == units, recurrentWeights.columns == units else {
      throw EngineError.shapeMismatch(
        operation: "a recurrent cell's weights", left: inputWeights.shape,
        right: recurrentWeights.shape, rule: "W_h is units × units: \(units)×\(units)")
    }
    if let bias, bias.count != units {
      throw EngineError.invalidArgument(
        "a recurrent cell of \(units) units needs \(units) biases, got \(bias.count)")
    }
    self.inputWeights = inputWeights
    self.recurrentWeights = recurrentWeights
    self.bias = bias
    self.activation = activation
  }

  /// A cell with weights drawn from an initialiser (both matrices; Keras draws `W_h`
  /// orthogonal, which nbrun does not), biases zero.
  public init(
    inputs: Int, units: Int, activation: Activation = .tanh, useBias: Bool = true,
    initializer: Initializer = .glorotUniform, generator: inout RandomGenerator
  ) throws {
    guard inputs > 0, units > 0 else {
      throw EngineError.invalidArgument(
        "a recurrent cell needs at least one input and one unit, got \(inputs) and \(units)")
    }
    let inputCount = try FeatureMaps<Scalar>.elementCount(inputs, units)
    let recurrentCount = try FeatureMaps<Scalar>.elementCount(units, units)
    let input = try Matrix<Scalar>(
      rows: inputs, columns: units,
      elements: initializer.values(
        count: inputCount, fanIn: inputs, fanOut: units, using: &generator))
    let recurrent = try Matrix<Scalar>(
      rows: units, columns: units,
      elements: initializer.values(
        count: recurrentCount, fanIn: units, fanOut: units, using: &generator))
    try self.init(
      inputWeights: input, recurrentWeights: recurrent,
      bias: useBias ? Array(repeating: 0, count: units) : nil, activation: activation)
  }

  /// What a forward pass keeps: the inputs, the states `h_0 … h_T` and the net inputs
  /// `z_1 … z_T`.
  public struct Pass: Sendable {
    public var inputs: [Matrix<Scalar>]
    public var states: [Matrix<Scalar>]
    public var netInputs: [Matrix<Scalar>]
    /// `h_T`, what a cell without `return_sequences` passes on.
    public var last: Matrix<Scalar> { states[states.count - 1] }
  }

  /// The gradients of back-propagation through time.
  public struct Gradients: Sendable {
    public var inputWeights: Matrix<Scalar>
    public var recurrentWeights: Matrix<Scalar>
    public var bias: [Scalar]?
    /// ∂L/∂x_t for each step.
    public var inputs: [Matrix<Scalar>]
    /// ∂L/∂h_t for t = 1 … T, everything that reaches the state (its size per step shows
    /// the gradient vanishing, or exploding, back in time).
    public var states: [Matrix<Scalar>]
    /// ∂L/∂z_t for t = 1 … T.
    public var netInputs: [Matrix<Scalar>]
    /// ∂L/∂h_0 (the initial state's gradient).
    public var initialState: Matrix<Scalar>
  }

  /// Runs the cell over `sequence` (each step `samples × inputs`) from `h_0` (zeros if not
  /// given).
  public func forward(_ sequence: [Matrix<Scalar>], initialState: Matrix<Scalar>? = nil) throws
    -> Pass
  {
    guard let first = sequence.first else {
      throw EngineError.invalidArgument("a recurrent cell needs a sequence of at least one step")
    }
    let samples = first.rows
    var state = try initialState ?? Matrix(rows: samples, columns: unitCount)
    guard state.rows == samples, state.columns == unitCount else {
      throw EngineError.shapeMismatch(
        operation: "a recurrent cell's initial state", left: state.shape,
        right: Shape(rows: samples, columns: unitCount),
        rule: "one row per sample, one column per unit")
    }
    var states = [state]
    var netInputs: [Matrix<Scalar>] = []
    states.reserveCapacity(sequence.count + 1)
    netInputs.reserveCapacity(sequence.count)
    for (step, x) in sequence.enumerated() {
      guard x.rows == samples, x.columns == inputCount else {
        throw EngineError.shapeMismatch(
          operation: "step \(step + 1) of a recurrent cell", left: x.shape,
          right: inputWeights.shape,
          rule: "every step has \(samples) samples of \(inputCount) inputs")
      }
      var z = try x.multiplied(by: inputWeights)
      z = try z.adding(state.multiplied(by: recurrentWeights))
      if let bias { z = try z.adding(Matrix(row: bias)) }
      state = activation.apply(z)
      netInputs.append(z)
      states.append(state)
    }
    return Pass(inputs: sequence, states: states, netInputs: netInputs)
  }

  /// Back-propagation through time from ∂L/∂h_t sent down by the layer above, one matrix
  /// per step (zeros for a step whose state nothing above reads: a cell whose last state
  /// alone is used gets a gradient at the last step only).
  public func backward(_ pass: Pass, upstream: [Matrix<Scalar>]) throws -> Gradients {
    let steps = pass.netInputs.count
    guard upstream.count == steps else {
      throw EngineError.invalidArgument(
        "back-propagation through \(steps) steps needs \(steps) upstream gradients, got \(upstream.count)"
      )
    }
    var dInput = try Matrix<Scalar>(rows: inputCount, columns: unitCount)
    var dRecurrent = try Matrix<Scalar>(rows: unitCount, columns: unitCount)
    var dBias = try Matrix<Scalar>(rows: 1, columns: unitCount)
    var dInputs = Array(repeating: Matrix<Scalar>(row: []), count: steps)
    var dStates = Array(repeating: Matrix<Scalar>(row: []), count: steps)
    var dNetInputs = Array(repeating: Matrix<Scalar>(row: []), count: steps)
    var carried = try Matrix<Scalar>(rows: pass.last.rows, columns: unitCount)
    for t in stride(from: steps - 1, through: 0, by: -1) {
      guard upstream[t].shape == carried.shape else {
        throw EngineError.shapeMismatch(
          operation: "step \(t + 1)'s upstream gradient", left: upstream[t].shape,
          right: carried.shape, rule: "the state's shape")
      }
      let dState = try upstream[t].adding(carried)
      dStates[t] = dState
      let dz = activation.backward(
        netInput: pass.netInputs[t], output: pass.states[t + 1], upstream: dState)
      dNetInputs[t] = dz
      dInput = try dInput.adding(pass.inputs[t].multiplied(by: dz, transposingSelf: true))
      dRecurrent = try dRecurrent.adding(pass.states[t].multiplied(by: dz, transposingSelf: true))
      dBias = try dBias.adding(dz.columnSums())
      dInputs[t] = try dz.multiplied(by: inputWeights, transposingOther: true)
      carried = try dz.multiplied(by: recurrentWeights, transposingOther: true)
    }
    return Gradients(
      inputWeights: dInput, recurrentWeights: dRecurrent, bias: bias.map { _ in dBias.elements },
      inputs: dInputs, states: dStates, netInputs: dNetInputs, initialState: carried)
  }
}
