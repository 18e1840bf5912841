import RealModule

/// An activation function φ, applied to a layer's net input z to give its output a = φ(z).
///
/// Every case has its derivative beside its value. All but softmax act element by
/// element; softmax acts on each row (one sample's units) as a whole.
public enum Activation: Codable, Hashable, Sendable, CustomStringConvertible {
  /// φ(z) = z; φ′ = 1.
  case identity
  /// φ(z) = 1 if z ≥ 0 else 0; φ′ = 0 (the perceptron's threshold).
  case binaryStep
  /// φ(z) = sign(z) ∈ {−1, 0, 1}; φ′ = 0.
  case sign
  /// φ(z) = 1 / (1 + e^−z); φ′ = φ(1 − φ).
  case sigmoid
  /// φ(z) = tanh z; φ′ = 1 − φ².
  case tanh
  /// φ(z) = max(0, z); φ′ = 1 if z > 0 else 0.
  case relu
  /// φ(z) = z if z > 0 else αz; φ′ = 1 or α.
  case leakyReLU(alpha: Double)
  /// φ(z) = z if z > 0 else α(e^z − 1); φ′ = 1 or αe^z.
  case elu(alpha: Double)
  /// λ·elu(z) with α = 1.67326…, λ = 1.05070… (self-normalising).
  case selu
  /// φ(z) = ln(1 + e^z); φ′ = σ(z).
  case softplus
  /// φ(z) = z·Φ(z) with Φ the standard normal CDF; φ′ = Φ(z) + z·ϕ(z).
  case gelu
  /// φ(z) = z·σ(z) (also called swish); φ′ = σ(z)(1 + z(1 − σ(z))).
  case silu
  /// φ(z) = e^(−z²); φ′ = −2z·e^(−z²).
  case gaussian
  /// φ(z)_j = e^(z_j) / Σ_k e^(z_k) over each row; its Jacobian is diag(a) − aaᵀ.
  case softmax

  /// SELU's fixed constants (Klambauer et al. 2017).
  public static let seluAlpha = 1.6732632423543772848170429916717
  public static let seluLambda = 1.0507009873554804934193349852946

  /// Every activation, each once, with default parameters: the cheat sheet's order.
  public static let allCases: [Activation] = [
    .identity, .binaryStep, .sign, .sigmoid, .tanh, .relu, .leakyReLU(alpha: 0.01),
    .elu(alpha: 1), .selu, .softplus, .gelu, .silu, .gaussian, .softmax,
  ]

  /// The name used in notebooks (`leaky_relu`, `sigmoid`…).
  public var name: String {
    switch self {
    case .identity: "identity"
    case .binaryStep: "step"
    case .sign: "sign"
    case .sigmoid: "sigmoid"
    case .tanh: "tanh"
    case .relu: "relu"
    case .leakyReLU: "leaky_relu"
    case .elu: "elu"
    case .selu: "selu"
    case .softplus: "softplus"
    case .gelu: "gelu"
    case .silu: "silu"
    case .gaussian: "gaussian"
    case .softmax: "softmax"
    }
  }

  /// Other names notebooks may use for the same function.
  public static let aliases: [String: String] = [
    "linear": "identity", "none": "identity", "binary_step": "step", "heaviside": "step",
    "logistic": "sigmoid", "swish": "silu", "leakyrelu": "leaky_relu", "prelu": "leaky_relu",
  ]

  /// Every name a notebook may write, aliases included.
  public static var knownNames: [String] {
    allCases.map(\.name) + aliases.keys.sorted()
  }

  /// The activation with a given name (or alias), with its parameter (α) where it takes
  /// one; `nil` for an unknown name.
  public init?(name: String, parameter: Double? = nil) {
    let key = Self.aliases[name.lowercased()] ?? name.lowercased()
    switch key {
    case "leaky_relu": self = .leakyReLU(alpha: parameter ?? 0.01)
    case "elu": self = .elu(alpha: parameter ?? 1)
    default:
      guard parameter == nil, let found = Self.allCases.first(where: { $0.name == key })
      else { return nil }
      self = found
    }
  }

  /// Whether the activation takes a parameter α.
  public var takesParameter: Bool {
    switch self {
    case .leakyReLU, .elu: true
    default: false
    }
  }

  public var description: String {
    switch self {
    case .leakyReLU(let alpha): "leaky_relu(\(alpha))"
    case .elu(let alpha): "elu(\(alpha))"
    default: name
    }
  }

  /// The range of outputs, as the cheat sheet prints it.
  public var range: String {
    switch self {
    case .identity, .leakyReLU: "(−∞, ∞)"
    case .binaryStep: "{0, 1}"
    case .sign: "{−1, 0, 1}"
    case .sigmoid, .softmax: "(0, 1)"
    case .tanh: "(−1, 1)"
    case .relu: "[0, ∞)"
    case .elu(let alpha): "(−\(alpha), ∞)"
    case .selu: "(−1.7581, ∞)"
    case .softplus: "(0, ∞)"
    case .gelu: "[−0.1700, ∞)"
    case .silu: "[−0.2785, ∞)"
    case .gaussian: "(0, 1]"
    }
  }

  /// Whether the function acts on whole rows rather than element by element.
  public var isRowwise: Bool { self == .softmax }

  /// φ(z) for an element-wise activation. For softmax, a one-unit row: 1.
  @inlinable
  public func value<S: MatrixScalar>(_ z: S) -> S {
    switch self {
    case .identity: return z
    case .binaryStep: return z >= 0 ? 1 : 0
    case .sign: return z > 0 ? 1 : (z < 0 ? -1 : 0)
    case .sigmoid: return Self.logistic(z)
    case .tanh: return S.tanh(z)
    case .relu: return z > 0 ? z : 0
    case .leakyReLU(let alpha): return z > 0 ? z : S(alpha) * z
    case .elu(let alpha): return z > 0 ? z : S(alpha) * S.expMinusOne(z)
    case .selu:
      return S(Self.seluLambda) * (z > 0 ? z : S(Self.seluAlpha) * S.expMinusOne(z))
    case .softplus: return Swift.max(z, 0) + S.log(onePlus: S.exp(-Swift.abs(z)))
    case .gelu: return z * Self.normalCDF(z)
    case .silu: return z * Self.logistic(z)
    case .gaussian: return S.exp(-z * z)
    case .softmax: return 1
    }
  }

  /// φ′(z), given z and a = φ(z) (several derivatives are cheapest in terms of a).
  /// For softmax this is the diagonal of the Jacobian, a(1 − a).
  @inlinable
  public func derivative<S: MatrixScalar>(_ z: S, output a: S) -> S {
    switch self {
    case .identity: return 1
    case .binaryStep, .sign: return 0
    case .sigmoid, .softmax: return a * (1 - a)
    case .tanh: return 1 - a * a
    case .relu: return z > 0 ? 1 : 0
    case .leakyReLU(let alpha): return z > 0 ? 1 : S(alpha)
    case .elu(let alpha): return z > 0 ? 1 : S(alpha) * S.exp(z)
    case .selu: return S(Self.seluLambda) * (z > 0 ? 1 : S(Self.seluAlpha) * S.exp(z))
    case .softplus: return Self.logistic(z)
    case .gelu:
      return Self.normalCDF(z) + z * S.exp(-z * z / 2) / S.sqrt(2 * S.pi)
    case .silu:
      let s = Self.logistic(z)
      return s * (1 + z * (1 - s))
    case .gaussian: return -2 * z * a
    }
  }

  /// The numerically stable logistic function.
  @inlinable
  static func logistic<S: MatrixScalar>(_ z: S) -> S {
    if z >= 0 { return 1 / (1 + S.exp(-z)) }
    let e = S.exp(z)
    return e / (1 + e)
  }

  /// Φ(z), the standard normal cumulative distribution.
  @inlinable
  static func normalCDF<S: MatrixScalar>(_ z: S) -> S {
    (1 + S.erf(z / S.sqrt(2))) / 2
  }
}

extension Activation {
  /// a = φ(z) for a whole matrix (softmax row by row, stabilised by the row maximum).
  public func apply<S: MatrixScalar>(_ z: Matrix<S>) -> Matrix<S> {
    var a = z.elements
    apply(z.elements, into: &a, columns: z.columns)
    return Matrix(uncheckedRows: z.rows, columns: z.columns, elements: a)
  }

  /// dL/dz from dL/da: element-wise φ′(z)·g, or for softmax the Jacobian-vector product
  /// a ⊙ (g − Σ g⊙a) per row.
  public func backward<S: MatrixScalar>(
    netInput z: Matrix<S>, output a: Matrix<S>, upstream g: Matrix<S>
  ) -> Matrix<S> {
    var dz = g.elements
    backward(z: z.elements, a: a.elements, upstream: g.elements, into: &dz, columns: z.columns)
    return Matrix(uncheckedRows: z.rows, columns: z.columns, elements: dz)
  }

  /// Softmax of each row of `z` into `a`: e_j = exp(z_j − m) with m the row's largest,
  /// a_j = e_j / Σe. `row(r, m, Σe)` sees each row's two statistics, from which the fused
  /// cross-entropy takes log Σexp(z) = m + log Σe without taking the exponentials again.
  @inline(__always)
  static func softmax<S: MatrixScalar>(
    _ z: UnsafeBufferPointer<S>, into a: UnsafeMutableBufferPointer<S>, columns: Int,
    row: (Int, S, S) -> Void
  ) {
    guard columns > 0 else { return }
    var start = 0
    var r = 0
    while start < z.count {
      var top = z[start]
      for j in 1..<columns { top = Swift.max(top, z[start &+ j]) }
      var total = S.zero
      for j in 0..<columns {
        let e = S.exp(z[start &+ j] - top)
        a[start &+ j] = e
        total += e
      }
      row(r, top, total)
      let inverse = 1 / total
      for j in 0..<columns { a[start &+ j] *= inverse }
      start &+= columns
      r &+= 1
    }
  }

  /// Softmax into `output`, each row's largest net input and sum of exponentials into
  /// `tops` and `sums` (one per row).
  func softmax<S: MatrixScalar>(
    _ input: [S], into output: inout [S], columns: Int, tops: inout [S], sums: inout [S]
  ) {
    let rows = columns > 0 ? input.count / columns : 0
    precondition(tops.count >= rows && sums.count >= rows)
    Kernels.map(input, into: &output) { z, a in
      tops.withUnsafeMutableBufferPointer { top in
        sums.withUnsafeMutableBufferPointer { sum in
          Self.softmax(z, into: a, columns: columns) { r, m, total in
            top[r] = m
            sum[r] = total
          }
        }
      }
    }
  }

  /// The kernel behind ``apply(_:)``, writing into a reused buffer of the same size.
  func apply<S: MatrixScalar>(_ input: [S], into output: inout [S], columns: Int) {
    Kernels.map(input, into: &output) { z, a in
      switch self {
      case .softmax:
        Self.softmax(z, into: a, columns: columns) { _, _, _ in }
      case .relu:
        for i in 0..<z.count { a[i] = Swift.max(z[i], 0) }
      case .identity:
        for i in 0..<z.count { a[i] = z[i] }
      case .sigmoid:
        for i in 0..<z.count { a[i] = Self.logistic(z[i]) }
      case .tanh:
        for i in 0..<z.count { a[i] = S.tanh(z[i]) }
      default:
        for i in 0..<z.count { a[i] = value(z[i]) }
      }
    }
  }

  /// The kernel behind ``backward(netInput:output:upstream:)``: buffers of one size.
  func backward<S: MatrixScalar>(
    z netInput: [S], a output: [S], upstream: [S], into result: inout [S], columns: Int
  ) {
    Kernels.map(netInput, output, upstream, into: &result) { z, a, g, dz in
      switch self {
      case .softmax:
        guard columns > 0 else { return }
        var start = 0
        while start < z.count {
          var dot = S.zero
          for j in 0..<columns { dot += g[start &+ j] * a[start &+ j] }
          for j in 0..<columns { dz[start &+ j] = a[start &+ j] * (g[start &+ j] - dot) }
          start &+= columns
        }
      case .relu:
        // Both loads unconditional: a select, not a data-dependent branch, so it vectorises.
        for i in 0..<z.count {
          let upstream = g[i]
          dz[i] = z[i] > 0 ? upstream : 0
        }
      case .identity:
        for i in 0..<z.count { dz[i] = g[i] }
      case .sigmoid:
        for i in 0..<z.count { dz[i] = g[i] * a[i] * (1 - a[i]) }
      case .tanh:
        for i in 0..<z.count { dz[i] = g[i] * (1 - a[i] * a[i]) }
      default:
        for i in 0..<z.count { dz[i] = g[i] * derivative(z[i], output: a[i]) }
      }
    }
  }
}
