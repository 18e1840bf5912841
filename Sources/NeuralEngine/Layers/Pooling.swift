/// A 2-D pooling layer (Keras's `MaxPooling2D` and `AveragePooling2D`): each window of
/// each channel becomes one value, its largest or its mean. It has no parameters.
///
/// The backward pass routes the gradient: max pooling gives each output's gradient to the
/// one input that was largest in its window (the first, reading row by row, on a tie);
/// average pooling shares it equally among the window's cells inside the maps (with
/// `same` padding, the padded cells are not counted, as in TensorFlow).
public struct Pooling2D: Hashable, Codable, Sendable {
  public enum Kind: String, Codable, CaseIterable, Sendable {
    case max
    case average
  }

  public var kind: Kind
  public var window: Window

  /// Keras's default stride is the pool's size.
  public init(kind: Kind, window: Window) {
    self.kind = kind
    self.window = window
  }

  /// What a forward pass keeps for the backward one.
  public struct Pass<Scalar: MatrixScalar>: Sendable {
    public var input: FeatureMaps<Scalar>
    public var output: FeatureMaps<Scalar>
    public var placement: Window.Placement
    /// For max pooling, the input value each output took (its index in the input's
    /// values), or -1 for a window with no cell inside the maps.
    public var routes: [Int]
    /// For average pooling, the number of cells inside the maps each output averaged.
    public var counts: [Int]
  }

  @_specialize(exported:true,where Scalar == Float)
  @_specialize(exported:true,where Scalar == Double)
  public func forward<Scalar: MatrixScalar>(_ input: FeatureMaps<Scalar>) throws -> Pass<Scalar> {
    let placement = try window.placement(height: input.height, width: input.width)
    let total = try FeatureMaps<Scalar>.elementCount(
      input.count, placement.outputHeight, placement.outputWidth, input.channels)
    // Max pooling starts every output below any value; the first cell of a window always
    // takes it, so ties go to the first, and a window with no cell inside stays empty (0).
    var values = Array(repeating: kind == .max ? -Scalar.infinity : Scalar.zero, count: total)
    var routes = kind == .max ? Array(repeating: -1, count: total) : []
    var counts = kind == .average ? Array(repeating: 0, count: total) : []
    let channels = input.channels
    values.withUnsafeMutableBufferPointer { out in
      input.elements.withUnsafeBufferPointer { maps in
        switch kind {
        case .max:
          routes.withUnsafeMutableBufferPointer { route in
            guard let best = out.baseAddress, let from = route.baseAddress,
              let cells = maps.baseAddress
            else { return }
            window.forEachCoveredRun(input, placement) { row, _, position, count in
              let o = best + row &* channels
              let r = from + row &* channels
              var q = position
              for _ in 0..<count {
                let cell = cells + q
                // Without branches (which a comparison of data mispredicts half the
                // time): the larger of the two, and the route only where it is the new one.
                for c in 0..<channels {
                  let value = cell[c]
                  let taken = value > o[c] ? 1 : 0
                  o[c] = Swift.max(o[c], value)
                  r[c] = r[c] &+ taken &* (q &+ c &- r[c])
                }
                q &+= channels
              }
            }
          }
        case .average:
          counts.withUnsafeMutableBufferPointer { number in
            window.forEachCoveredRun(input, placement) { row, _, position, count in
              let o = row * channels
              for q in stride(from: position, to: position + count * channels, by: channels) {
                for c in 0..<channels {
                  out[o + c] += maps[q + c]
                  number[o + c] += 1
                }
              }
            }
          }
        }
      }
    }
    switch kind {
    case .max:
      for k in values.indices where routes[k] < 0 { values[k] = 0 }
    case .average:
      for k in values.indices where counts[k] > 0 { values[k] /= Scalar(counts[k]) }
    }
    return Pass(
      input: input,
      output: FeatureMaps(
        unchecked: input.count, placement.outputHeight, placement.outputWidth, input.channels,
        values),
      placement: placement, routes: routes, counts: counts)
  }

  /// ∂L/∂input from ∂L/∂output, maps of the output's shape.
  @_specialize(exported:true,where Scalar == Float)
  @_specialize(exported:true,where Scalar == Double)
  public func backward<Scalar: MatrixScalar>(_ pass: Pass<Scalar>, upstream: FeatureMaps<Scalar>)
    throws -> FeatureMaps<Scalar>
  {
    guard upstream.elements.count == pass.output.elements.count else {
      throw EngineError.invalidArgument(
        "a pooling's upstream gradient needs the output's \(pass.output.elements.count) values, got \(upstream.elements.count)"
      )
    }
    let input = pass.input
    var gradient = Array(repeating: Scalar.zero, count: input.elements.count)
    switch kind {
    case .max:
      for (output, position) in pass.routes.enumerated() where position >= 0 {
        gradient[position] += upstream.elements[output]
      }
    case .average:
      forEachWindowCell(input, pass.placement) { output, position in
        gradient[position] += upstream.elements[output] / Scalar(max(1, pass.counts[output]))
      }
    }
    return FeatureMaps(
      unchecked: input.count, input.height, input.width, input.channels, gradient)
  }

  /// Every cell inside the maps of every window, channel by channel: `body(o, q)` with `o`
  /// the output's index and `q` the cell's index in the input's values.
  @inline(__always)
  private func forEachWindowCell<Scalar>(
    _ input: FeatureMaps<Scalar>, _ placement: Window.Placement, _ body: (Int, Int) -> Void
  ) {
    let channels = input.channels
    window.forEachCoveredRun(input, placement) { row, _, position, count in
      for q in stride(from: position, to: position + count * channels, by: channels) {
        for c in 0..<channels { body(row * channels + c, q + c) }
      }
    }
  }
}
