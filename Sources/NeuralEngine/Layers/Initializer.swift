/// How a layer's weights (or biases) start.
///
/// fan_in is the number of inputs to the layer, fan_out its number of units. The "normal"
/// schemes draw from an untruncated normal distribution.
public enum Initializer: Codable, Hashable, Sendable, CustomStringConvertible {
  case zeros
  case ones
  case constant(Double)
  /// U(low, high).
  case uniform(low: Double, high: Double)
  /// N(mean, std²).
  case normal(mean: Double, standardDeviation: Double)
  /// U(−l, l) with l = √(6 / (fan_in + fan_out)) (Glorot & Bengio 2010; Keras's default).
  case glorotUniform
  /// N(0, 2 / (fan_in + fan_out)).
  case glorotNormal
  /// U(−l, l) with l = √(3 / fan_in).
  case lecunUniform
  /// N(0, 1 / fan_in).
  case lecunNormal
  /// U(−l, l) with l = √(6 / fan_in) (He et al. 2015, for ReLU).
  case heUniform
  /// N(0, 2 / fan_in).
  case heNormal

  public static let allCases: [Initializer] = [
    .zeros, .ones, .constant(0), .uniform(low: -0.05, high: 0.05),
    .normal(mean: 0, standardDeviation: 0.05), .glorotUniform, .glorotNormal, .lecunUniform,
    .lecunNormal, .heUniform, .heNormal,
  ]

  public var name: String {
    switch self {
    case .zeros: "zeros"
    case .ones: "ones"
    case .constant: "constant"
    case .uniform: "uniform"
    case .normal: "normal"
    case .glorotUniform: "glorot_uniform"
    case .glorotNormal: "glorot_normal"
    case .lecunUniform: "lecun_uniform"
    case .lecunNormal: "lecun_normal"
    case .heUniform: "he_uniform"
    case .heNormal: "he_normal"
    }
  }

  public static let aliases: [String: String] = [
    "zero": "zeros", "one": "ones", "xavier_uniform": "glorot_uniform", "xavier": "glorot_uniform",
    "xavier_normal": "glorot_normal", "glorot": "glorot_uniform", "he": "he_normal",
    "lecun": "lecun_normal",
  ]

  public static var knownNames: [String] { allCases.map(\.name) + aliases.keys.sorted() }

  /// The initialiser with a name; `parameters` are the value for `constant`, low and high
  /// for `uniform`, mean and standard deviation for `normal`.
  public init?(name: String, parameters: [Double] = []) {
    let key = Self.aliases[name.lowercased()] ?? name.lowercased()
    switch (key, parameters.count) {
    case ("constant", 1): self = .constant(parameters[0])
    case ("uniform", 0): self = .uniform(low: -0.05, high: 0.05)
    case ("uniform", 2): self = .uniform(low: parameters[0], high: parameters[1])
    case ("normal", 0): self = .normal(mean: 0, standardDeviation: 0.05)
    case ("normal", 2): self = .normal(mean: parameters[0], standardDeviation: parameters[1])
    case (_, 0):
      guard key != "constant", let found = Self.allCases.first(where: { $0.name == key }) else {
        return nil
      }
      self = found
    default: return nil
    }
  }

  public var description: String {
    switch self {
    case .constant(let value): "constant(\(value))"
    case .uniform(let low, let high): "uniform(\(low), \(high))"
    case .normal(let mean, let std): "normal(\(mean), \(std))"
    default: name
    }
  }

  /// `count` initial values for a layer with the given fans.
  public func values<S: MatrixScalar>(
    count: Int, fanIn: Int, fanOut: Int, using generator: inout RandomGenerator
  ) -> [S] {
    let fanIn = Double(max(1, fanIn))
    let fanSum = Double(max(1, fanIn + Double(fanOut)))
    func uniform(_ limit: Double) -> [S] {
      (0..<count).map { _ in S(generator.nextUniform(in: -limit, limit)) }
    }
    func normal(_ std: Double) -> [S] {
      (0..<count).map { _ in S(generator.nextGaussian(mean: 0, standardDeviation: std)) }
    }
    switch self {
    case .zeros: return Array(repeating: 0, count: count)
    case .ones: return Array(repeating: 1, count: count)
    case .constant(let value): return Array(repeating: S(value), count: count)
    case .uniform(let low, let high):
      return (0..<count).map { _ in S(generator.nextUniform(in: low, high)) }
    case .normal(let mean, let std):
      return (0..<count).map { _ in
        S(generator.nextGaussian(mean: mean, standardDeviation: std))
      }
    case .glorotUniform: return uniform((6 / fanSum).squareRoot())
    case .glorotNormal: return normal((2 / fanSum).squareRoot())
    case .lecunUniform: return uniform((3 / fanIn).squareRoot())
    case .lecunNormal: return normal((1 / fanIn).squareRoot())
    case .heUniform: return uniform((6 / fanIn).squareRoot())
    case .heNormal: return normal((2 / fanIn).squareRoot())
    }
  }
}
