import Figures
import NeuralEngine
import Notebook

/// ```rnn NAME```: a simple recurrent (Elman) cell unrolled by hand over a short sequence:
/// each step's z_t = x_t·W_x + h_{t−1}·W_h + b and h_t = tanh(z_t); with `target:` the loss
/// on the last state and back-propagation through time, step by step back, with the size
/// of the gradient that reaches each state (the vanishing gradient in time).
struct RecurrentDirective: Directive {
  var inputs: [[Double]] = []
  var inputWeights: [[Double]] = []
  var recurrentWeights: [[Double]] = []
  var bias: [Double]?
  var initial: [Double]?
  var activation: Activation = .tanh
  var target: [Double]?
  var figure = true

  static let kind = DirectiveKind.rnn
  static let syntax: DirectiveSyntax = .options(
    name: .required("the name its values are stored under"))

  /// Nothing: it only reads.
  func changes(_ block: DirectiveBlock) -> [String] { [] }
  static let summary =
    "a recurrent (Elman) cell unrolled by hand: each step's state, and with `target:` back-propagation through time"
  static let storedValues =
    "`z1`, `h1`, `z2`, `h2`… (each step's net input and state; `h2_1` for unit 1 when there are several), `steps`; with `target:`, `L` (½ Σ (h_T − y)²), `dh1`… (∂L/∂hₜ), `dz1`… (∂L/∂zₜ), `size1`… (|∂L/∂hₜ|, the gradient's size at each step), `dwx1_1`…, `dwh1_1`…, `db1`…"

  static let largestSteps = 20
  static let largestUnits = 4

  static var fields: [OptionField<Self>] {
    [
      .option(
        "inputs", \.inputs, .samples, "x_1, x_2, …: one step per `;` or line, its inputs",
        example: "inputs: 1; 0.5; -1"),
      .option(
        "wx", \.inputWeights, .grid, "Wₓ: a row per input, a column per unit",
        example: "wx: 0.5"),
      .option(
        "wh", \.recurrentWeights, .grid, "Wₕ: a row and a column per unit", example: "wh: 0.8"),
      .option(
        "bias", \.bias, .numbers, "b: one per unit", example: "bias: 0.1", default: "zeros"),
      .option(
        "h0", \.initial, .numbers, "the state before the first step", example: "h0: 0",
        default: "zeros"),
      .option(
        "activation", \.activation, .curve, "φ of the state: hₜ = φ(zₜ)",
        example: "activation: tanh"),
      .option(
        "target", \.target, .numbers,
        "y for the last state: the loss L = ½ Σ (h_T − y)² is back-propagated through time",
        example: "target: 0.5", default: "none: the forward pass alone"),
      .option(
        "figure", \.figure, .boolean,
        "draw the cell unrolled, with the gradient's size at each step under a `target:`",
        example: "figure: false"),
    ]
  }

  func validate(_ block: DirectiveBlock) -> [BlockError] {
    var errors: [BlockError] = []
    let units = inputWeights.first?.count ?? 0
    let width = inputs.first?.count ?? 0
    if inputs.isEmpty || inputs.count > Self.largestSteps {
      errors.append(
        BlockError(
          "'inputs' takes 1 to \(Self.largestSteps) steps; this has \(inputs.count)",
          at: block.option("inputs"),
          hint: "e.g. 'inputs: 1; 0.5; -1'"))
    }
    if let (index, step) = inputs.enumerated().first(where: { $0.element.count != width }) {
      errors.append(
        BlockError(
          "step \(index + 1) has \(step.count) inputs but step 1 has \(width)",
          at: block.option("inputs")))
    }
    if inputWeights.count != width || units < 1 || units > Self.largestUnits {
      errors.append(
        BlockError(
          "'wx' needs a row per input (\(width)) and 1 to \(Self.largestUnits) columns, one per unit; it is \(inputWeights.count)×\(units)",
          at: block.option("wx") ?? block.option("inputs"),
          hint: "e.g. 'wx: 0.5' for one input and one unit"))
    }
    if recurrentWeights.count != units || (recurrentWeights.first?.count ?? 0) != units {
      errors.append(
        BlockError(
          "'wh' needs \(units)×\(units) numbers, a row and a column per unit; it is \(recurrentWeights.count)×\(recurrentWeights.first?.count ?? 0)",
          at: block.option("wh") ?? block.option("wx"),
          hint: "e.g. 'wh: 0.8' for one unit"))
    }
    errors += ConvolutionDirective.magnitudes(
      [
        ("inputs", inputs.flatMap { $0 }), ("wx", inputWeights.flatMap { $0 }),
        ("wh", recurrentWeights.flatMap { $0 }), ("bias", bias ?? []), ("h0", initial ?? []),
        ("target", target ?? []),
      ], in: block)
    for (key, values) in [("bias", bias), ("h0", initial), ("target", target)] {
      if let values, values.count != units {
        errors.append(
          BlockError("'\(key)' needs one number per unit (\(units))", at: block.option(key)))
      }
    }
    return errors
  }

  /// `h3` for one unit, `h3_2` (step 3, unit 2) for several.
  static func name(_ prefix: String, _ step: Int, _ unit: Int, units: Int) -> String {
    units == 1 ? "\(prefix)\(step)" : "\(prefix)\(step)_\(unit + 1)"
  }

  func run(_ context: BlockContext) throws -> [ResultItem] {
    let owner = context.resultName
    let units = inputWeights.first?.count ?? 0
    let cell = try SimpleRecurrent<Double>(
      inputWeights: Matrix(inputWeights), recurrentWeights: Matrix(recurrentWeights),
      bias: bias, activation: activation)
    let sequence = inputs.map { Matrix(row: $0) }
    let pass = try cell.forward(sequence, initialState: initial.map { Matrix(row: $0) })
    let steps = inputs.count
    context.store(.named(owner, "steps"), Double(steps))
    func state(_ t: Int, _ u: Int) -> Double { pass.states[t].elements[u] }
    var forward: [[Cell]] = []
    for t in 1...steps {
      for u in 0..<units {
        let z = pass.netInputs[t - 1].elements[u]
        let zKey = ValueKey.named(owner, Self.name("z", t, u, units: units))
        let hKey = ValueKey.named(owner, Self.name("h", t, u, units: units))
        context.store(zKey, z)
        context.store(hKey, state(t, u))
        var parts: [FormulaPart] = []
        for (i, x) in inputs[t - 1].enumerated() {
          if !parts.isEmpty { parts.append(.text(" + ")) }
          parts += [
            .factorValue(x, precision: context.precision),
            .factorValue(inputWeights[i][u], precision: context.precision),
          ]
        }
        for v in 0..<units {
          parts += [
            .text(" + "), .factorValue(state(t - 1, v), precision: context.precision),
            .factorValue(recurrentWeights[v][u], precision: context.precision),
          ]
        }
        if let bias {
          parts += [.text(" + "), .factorValue(bias[u], precision: context.precision)]
        }
        parts += [.text(" = "), .keyed(zKey, .value(z, precision: context.precision))]
        forward.append(
          [.text(units == 1 ? "\(t)" : "\(t), unit \(u + 1)"), .formula(parts)]
            + [
              .formula([
                .text(activation.name + "("), .value(z, precision: context.precision),
                .text(") = "), .keyed(hKey, .value(state(t, u), precision: context.precision)),
              ])
            ])
      }
    }
    var tables = [
      Table(
        caption: context.caption
          ?? "The cell unrolled: each step reads its input and the state before it",
        header: [
          "t", "zₜ = xₜ·Wₓ + hₜ₋₁·Wₕ" + (bias == nil ? "" : " + b"), "hₜ = \(activation.name)(zₜ)",
        ],
        rows: forward, precision: context.precision)
    ]
    var sizes: [Double] = []
    if let target {
      tables += try throughTime(context, cell: cell, pass: pass, target: target)
      sizes = (1...steps).compactMap {
        context.namespace.values.value(.named(owner, "size\($0)"))?.number
      }
    }
    guard context.showsResults else { return [] }
    guard figure else { return tables.map { .table($0) } }
    let shown = { (values: [Double]) in
      values.map { NumberText.trimmed($0, decimals: context.precision) }.joined(separator: ", ")
    }
    let states = (1...steps).map { t in
      (0..<units).map { u in
        FigureText.keyed(
          .named(owner, Self.name("h", t, u, units: units)),
          NumberText.trimmed(state(t, u), decimals: context.precision))
      }.joined(separator: ", ")
    }
    let diagram = UnrolledRecurrence(
      title: "The cell unrolled over \(steps) steps", inputs: inputs.map(shown), states: states,
      initialState: shown(pass.states[0].elements),
      gradientSizes: sizes.enumerated().map { t, size in
        (
          size,
          FigureText.keyed(
            .named(owner, "size\(t + 1)"), NumberText.measured(size, decimals: context.precision))
        )
      })
    let caption =
      "One cell, drawn once per step: each state is computed from the step's input and the state before it"
      + (sizes.isEmpty ? "." : "; the bars are the sizes of the gradient that reaches each state.")
    return [.figure(FigureResult(figure: diagram.figure(caption: caption), caption: caption))]
      + tables.map { .table($0) }
  }

  private func throughTime(
    _ context: BlockContext, cell: SimpleRecurrent<Double>, pass: SimpleRecurrent<Double>.Pass,
    target: [Double]
  ) throws -> [Table] {
    let owner = context.resultName
    let steps = inputs.count
    let units = cell.unitCount
    let last = pass.last
    let y = Matrix(row: target)
    let loss = try Loss.halfSumOfSquares.value(predicted: last, target: y)
    let lossKey = ValueKey.named(owner, "L")
    context.store(lossKey, loss)
    var upstream = try (0..<steps).map { _ in try Matrix<Double>(rows: 1, columns: units) }
    upstream[steps - 1] = try Loss.halfSumOfSquares.gradient(predicted: last, target: y)
    let gradients = try cell.backward(pass, upstream: upstream)
    var lossParts: [FormulaPart] = [.text("0.5(")]
    for u in 0..<units {
      if u > 0 { lossParts.append(.text(" + ")) }
      lossParts += [
        .text("("), .value(last.elements[u], precision: context.precision), .text(" − "),
        .value(target[u], precision: context.precision), .text(")²"),
      ]
    }
    lossParts += [.text(") = "), .keyed(lossKey, .value(loss, precision: context.precision))]
    var rows: [[Cell]] = [[.text("loss"), .formula(lossParts), .empty, .empty]]
    for t in stride(from: steps, through: 1, by: -1) {
      let dh = gradients.states[t - 1].elements
      let dz = gradients.netInputs[t - 1].elements
      let size = dh.reduce(0) { $0 + $1 * $1 }.squareRoot()
      let sizeKey = ValueKey.named(owner, "size\(t)")
      context.store(sizeKey, size)
      for u in 0..<units {
        let dhKey = ValueKey.named(owner, Self.name("dh", t, u, units: units))
        let dzKey = ValueKey.named(owner, Self.name("dz", t, u, units: units))
        context.store(dhKey, dh[u])
        context.store(dzKey, dz[u])
        var dhParts: [FormulaPart]
        if t == steps {
          dhParts = [
            .factorValue(last.elements[u], precision: context.precision), .text(" − "),
            .factorValue(target[u], precision: context.precision),
          ]
        } else {
          dhParts = []
          let next = gradients.netInputs[t].elements
          for w in 0..<units {
            if !dhParts.isEmpty { dhParts.append(.text(" + ")) }
            dhParts += [
              .factorValue(next[w], precision: context.precision),
              .factorValue(recurrentWeights[u][w], precision: context.precision),
            ]
          }
        }
        dhParts += [.text(" = "), .keyed(dhKey, .value(dh[u], precision: context.precision))]
        let slope = activation.derivative(
          pass.netInputs[t - 1].elements[u], output: pass.states[t].elements[u])
        rows.append([
          .text(units == 1 ? "\(t)" : "\(t), unit \(u + 1)"), .formula(dhParts),
          .formula([
            .factorValue(dh[u], precision: context.precision),
            .factorValue(slope, precision: context.precision), .text(" = "),
            .keyed(dzKey, .value(dz[u], precision: context.precision)),
          ]),
          u == 0 ? .keyed(sizeKey, .measured(size)) : .empty,
        ])
      }
    }
    var parameters: [[Cell]] = []
    func sum(
      _ name: String, key: String, _ value: Double, _ left: (Int) -> Double, unit u: Int
    ) {
      let valueKey = ValueKey.named(owner, key)
      context.store(valueKey, value)
      var parts: [FormulaPart] = []
      for t in 1...steps {
        if !parts.isEmpty { parts.append(.text(" + ")) }
        parts += [
          .factorValue(left(t), precision: context.precision),
          .factorValue(gradients.netInputs[t - 1].elements[u], precision: context.precision),
        ]
      }
      parts += [.text(" = "), .keyed(valueKey, .value(value, precision: context.precision))]
      parameters.append([.text(name), .formula(parts)])
    }
    for i in 0..<cell.inputCount {
      for u in 0..<units {
        sum(
          "Wₓ(\(i + 1), \(u + 1))", key: "dwx\(i + 1)_\(u + 1)",
          gradients.inputWeights[i, u], { inputs[$0 - 1][i] }, unit: u)
      }
    }
    for v in 0..<units {
      for u in 0..<units {
        sum(
          "Wₕ(\(v + 1), \(u + 1))", key: "dwh\(v + 1)_\(u + 1)",
          gradients.recurrentWeights[v, u], { pass.states[$0 - 1].elements[v] }, unit: u)
      }
    }
    if let db = gradients.bias {
      for u in 0..<units {
        sum("b(\(u + 1))", key: "db\(u + 1)", db[u], { _ in 1 }, unit: u)
      }
    }
    return [
      Table(
        caption:
          "Back-propagation through time: from the loss on the last state back to the first step",
        header: ["t", "∂L/∂hₜ", "∂L/∂zₜ = ∂L/∂hₜ · \(activation.name)′(zₜ)", "|∂L/∂hₜ|"],
        rows: rows, precision: context.precision),
      Table(
        caption: "Each weight's gradient: its share at every step, summed",
        header: ["Parameter", "∂L/∂θ = Σₜ (what θ multiplies at t)(∂L/∂zₜ)"], rows: parameters,
        precision: context.precision),
    ]
  }
}
