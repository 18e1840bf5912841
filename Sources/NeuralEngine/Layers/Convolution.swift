/// A 2-D convolution layer (Keras's `Conv2D`): each filter slides over the input's maps and
/// gives one output map, z = Σ (input patch ⊙ kernel) + b, a = φ(z).
///
/// The kernel is Keras's `(kernel height, kernel width, input channels, filters)`, stored as
/// a matrix with one row per `(i, j, channel)` of a patch (channel fastest) and one column
/// per filter. A pass cuts the input into patches, one row per output position (im2col),
/// and multiplies them by the kernel in one BLAS product; the backward pass is two more
/// products and the patches' gradients added back where they came from (col2im).
public struct Convolution2D<Scalar: MatrixScalar>: Equatable, Codable, Sendable {
  /// `(kernel height · kernel width · input channels) × filters`.
  public var kernel: Matrix<Scalar>
  /// One bias per filter, or `nil` for a layer without bias.
  public var bias: [Scalar]?
  public var window: Window
  public var inputChannels: Int
  public var activation: Activation

  public var filters: Int { kernel.columns }
  public var parameterCount: Int { kernel.elements.count + (bias?.count ?? 0) }

  /// A layer with its kernel and bias given.
  public init(
    kernel: Matrix<Scalar>, bias: [Scalar]?, window: Window, inputChannels: Int,
    activation: Activation = .identity
  ) throws {
    let rows = try FeatureMaps<Scalar>.elementCount(window.height, window.width, inputChannels)
    guard inputChannels > 0, kernel.rows == rows, kernel.columns > 0 else {
      throw EngineError.shapeMismatch(
        operation: "a convolution's kernel", left: kernel.shape,
        right: Shape(rows: rows, columns: max(1, kernel.columns)),
        rule:
          "one row per kernel position and input channel: \(window.height)·\(window.width)·\(inputChannels) = \(rows)"
      )
    }
    if let bias, bias.count != kernel.columns {
      throw EngineError.invalidArgument(
        "a convolution of \(kernel.columns) filters needs \(kernel.columns) biases, got \(bias.count)"
      )
    }
    self.kernel = kernel
    self.bias = bias
    self.window = window
    self.inputChannels = inputChannels
    self.activation = activation
  }

  /// A layer with its kernel drawn from an initialiser (fan-in: a patch's values; fan-out:
  /// a filter's kernel positions, Keras's rule).
  public init(
    filters: Int, window: Window, inputChannels: Int, activation: Activation = .identity,
    useBias: Bool = true, initializer: Initializer = .glorotUniform,
    generator: inout RandomGenerator
  ) throws {
    let rows = try FeatureMaps<Scalar>.elementCount(window.height, window.width, inputChannels)
    let count = try FeatureMaps<Scalar>.elementCount(rows, filters)
    guard filters > 0, inputChannels > 0 else {
      throw EngineError.invalidArgument(
        "a convolution needs at least one filter and one input channel, got \(filters) and \(inputChannels)"
      )
    }
    let kernel = try Matrix<Scalar>(
      rows: rows, columns: filters,
      elements: initializer.values(
        count: count, fanIn: rows, fanOut: window.height * window.width * filters,
        using: &generator))
    try self.init(
      kernel: kernel, bias: useBias ? Array(repeating: 0, count: filters) : nil, window: window,
      inputChannels: inputChannels, activation: activation)
  }

  /// What a forward pass keeps for the backward one.
  public struct Pass: Sendable {
    public var input: FeatureMaps<Scalar>
    public var placement: Window.Placement
    /// The input's patches, one row per output position (im2col).
    public var patches: Matrix<Scalar>
    /// z, one row per output position, one column per filter.
    public var netInput: Matrix<Scalar>
    /// a = φ(z) as maps: `count × output height × output width × filters`.
    public var output: FeatureMaps<Scalar>
  }

  /// The layer's gradients for one upstream gradient.
  public struct Gradients: Sendable {
    public var input: FeatureMaps<Scalar>
    /// ∂L/∂kernel, the kernel's shape: the correlation of the input with ∂L/∂z.
    public var kernel: Matrix<Scalar>
    public var bias: [Scalar]?
    /// ∂L/∂z, one row per output position.
    public var netInput: Matrix<Scalar>
  }

  @_specialize(exported:true,where Scalar == Float)
  @_specialize(exported:true,where Scalar == Double)
  public func forward(_ input: FeatureMaps<Scalar>) throws -> Pass {
    guard input.channels == inputChannels else {
      throw EngineError.shapeMismatch(
        operation: "a convolution",
        left: Shape(rows: input.height * input.width, columns: input.channels),
        right: kernel.shape,
        rule: "the input has \(input.channels) channels; the kernel takes \(inputChannels)")
    }
    let placement = try window.placement(height: input.height, width: input.width)
    let patches = try Self.patches(of: input, window: window, placement: placement)
    // z = b + patches · kernel: each row starts as the bias, and one product adds to it.
    let rows = patches.rows
    var values = Array(repeating: Scalar.zero, count: rows * filters)
    if let bias {
      values.withUnsafeMutableBufferPointer { out in
        bias.withUnsafeBufferPointer { b in
          guard var row = out.baseAddress, let first = b.baseAddress else { return }
          for _ in 0..<rows {
            for f in 0..<filters { row[f] = first[f] }
            row += filters
          }
        }
      }
    }
    BLAS.gemm(
      transposeA: false, transposeB: false, m: rows, n: filters, k: kernel.rows, alpha: 1,
      a: patches.elements, lda: kernel.rows, b: kernel.elements, ldb: filters,
      beta: bias == nil ? 0 : 1, c: &values, ldc: filters)
    let z = Matrix(uncheckedRows: rows, columns: filters, elements: values)
    let a = activation.apply(z)
    return Pass(
      input: input, placement: placement, patches: patches, netInput: z,
      output: FeatureMaps(
        unchecked: input.count, placement.outputHeight, placement.outputWidth, filters,
        a.elements))
  }

  /// The gradients from ∂L/∂a, maps of the output's shape.
  @_specialize(exported:true,where Scalar == Float)
  @_specialize(exported:true,where Scalar == Double)
  public func backward(_ pass: Pass, upstream: FeatureMaps<Scalar>) throws -> Gradients {
    try backward(pass, upstream: upstream, inputGradient: true)
  }

  /// The backward pass; without `inputGradient` (the network's first stage, whose input is
  /// the data) ∂L/∂input is not computed and is returned empty.
  func backward(_ pass: Pass, upstream: FeatureMaps<Scalar>, inputGradient: Bool) throws
    -> Gradients
  {
    guard upstream.elements.count == pass.output.elements.count,
      upstream.channels == filters
    else {
      throw EngineError.shapeMismatch(
        operation: "a convolution's backward pass",
        left: Shape(
          rows: upstream.count * upstream.height * upstream.width, columns: upstream.channels),
        right: pass.netInput.shape, rule: "the upstream gradient has the output's shape")
    }
    let dz = activation.backward(
      netInput: pass.netInput, output: pass.output.positions, upstream: upstream.positions)
    let dKernel = try pass.patches.multiplied(by: dz, transposingSelf: true)
    var dBias: [Scalar]?
    if bias != nil {
      var sums = Array(repeating: Scalar.zero, count: filters)
      Kernels.columnSums(dz.elements, rows: dz.rows, into: &sums)
      dBias = sums
    }
    guard inputGradient else {
      return Gradients(
        input: FeatureMaps(unchecked: 0, 0, 0, 0, []), kernel: dKernel, bias: dBias, netInput: dz)
    }
    let dPatches = try dz.multiplied(by: kernel, transposingOther: true)
    let dInput = Self.addingPatches(
      dPatches, into: pass.input, window: window, placement: pass.placement)
    return Gradients(input: dInput, kernel: dKernel, bias: dBias, netInput: dz)
  }

  /// im2col: row `(n, oy, ox)` holds the patch under the window at that output position,
  /// `(i, j, channel)` with channel fastest, zeros where it covers padding.
  static func patches(of input: FeatureMaps<Scalar>, window: Window, placement: Window.Placement)
    throws -> Matrix<Scalar>
  {
    let width = try FeatureMaps<Scalar>.elementCount(window.height, window.width, input.channels)
    let rows = try FeatureMaps<Scalar>.elementCount(
      input.count, placement.outputHeight, placement.outputWidth)
    var values = Array(
      repeating: Scalar.zero, count: try FeatureMaps<Scalar>.elementCount(rows, width))
    let channels = input.channels
    // A run of cells along a window's row is contiguous in the maps and in the patch: one
    // copy each.
    values.withUnsafeMutableBufferPointer { out in
      input.elements.withUnsafeBufferPointer { maps in
        guard let to = out.baseAddress, let from = maps.baseAddress else { return }
        window.forEachCoveredRun(input, placement) { row, cell, position, count in
          // A run is a few values (a 3-wide kernel on one channel: three): a loop, not a
          // call to memmove each.
          let target = to + (row &* width &+ cell &* channels)
          let source = from + position
          for k in 0..<(count &* channels) { target[k] = source[k] }
        }
      }
    }
    return Matrix(uncheckedRows: rows, columns: width, elements: values)
  }

  /// col2im: each patch's values added back to the input positions it was cut from.
  static func addingPatches(
    _ patches: Matrix<Scalar>, into input: FeatureMaps<Scalar>, window: Window,
    placement: Window.Placement
  ) -> FeatureMaps<Scalar> {
    var values = Array(repeating: Scalar.zero, count: input.elements.count)
    let channels = input.channels
    let width = patches.columns
    values.withUnsafeMutableBufferPointer { maps in
      patches.elements.withUnsafeBufferPointer { cut in
        window.forEachCoveredRun(input, placement) { row, cell, position, count in
          let patch = row &* width &+ cell &* channels
          for k in 0..<(count &* channels) { maps[position &+ k] += cut[patch &+ k] }
        }
      }
    }
    return FeatureMaps(unchecked: input.count, input.height, input.width, channels, values)
  }
}

extension Window {
  /// Every run of window cells that covers the maps (not padding), window row by window
  /// row: `body(r, k, q, n)` with `r` the output position (`(n, oy, ox)` counted row by
  /// row), `k` the run's first cell within the window (`i · width + j`), `q` where its
  /// channels start in the maps' values, and `n` the cells in the run (contiguous in the
  /// maps and in a patch). The indices stay within the maps and the outputs that
  /// ``placement(height:width:)`` sized, so the loop's arithmetic wraps rather than checks.
  @inline(__always)
  func forEachCoveredRun<Scalar>(
    _ input: FeatureMaps<Scalar>, _ placement: Placement, _ body: (Int, Int, Int, Int) -> Void
  ) {
    let rowStride = input.width &* input.channels
    let sampleStride = input.height &* rowStride
    // Each output column's run along a window row: its first cell and its length.
    var runs: [(first: Int, count: Int, x: Int)] = []
    runs.reserveCapacity(placement.outputWidth)
    for ox in 0..<placement.outputWidth {
      let left = ox &* strideWidth &- placement.padLeft
      let first = max(0, -left)
      let last = min(width &- 1, input.width &- 1 &- left)
      runs.append((first, max(0, last &- first &+ 1), left &+ first))
    }
    var row = 0
    for n in 0..<input.count {
      let sample = n &* sampleStride
      for oy in 0..<placement.outputHeight {
        let top = oy &* strideHeight &- placement.padTop
        for run in runs {
          if run.count > 0 {
            for i in 0..<height {
              let y = top &+ i
              guard y >= 0, y < input.height else { continue }
              body(
                row, i &* width &+ run.first,
                sample &+ y &* rowStride &+ run.x &* input.channels, run.count)
            }
          }
          row &+= 1
        }
      }
    }
  }
}
