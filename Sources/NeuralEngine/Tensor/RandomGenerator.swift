/// A seeded, platform-independent random generator: xoshiro256** seeded through
/// SplitMix64.
///
/// Everything it produces — integers, uniform and normal numbers, shuffles — is computed
/// with integer and correctly rounded IEEE arithmetic only (its logarithm is its own),
/// so the same seed gives the same bits on every machine and every Swift version.
public struct RandomGenerator: RandomNumberGenerator, Sendable, Equatable {
  private var state: (UInt64, UInt64, UInt64, UInt64)

  public init(seed: UInt64) {
    var mix = seed
    func splitMix() -> UInt64 {
      mix &+= 0x9E37_79B9_7F4A_7C15
      var z = mix
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    state = (splitMix(), splitMix(), splitMix(), splitMix())
  }

  public static func == (lhs: RandomGenerator, rhs: RandomGenerator) -> Bool {
    lhs.state == rhs.state
  }

  public mutating func next() -> UInt64 {
    let result = rotateLeft(state.1 &* 5, by: 7) &* 9
    let t = state.1 << 17
    state.2 ^= state.0
    state.3 ^= state.1
    state.1 ^= state.2
    state.0 ^= state.3
    state.2 ^= t
    state.3 = rotateLeft(state.3, by: 45)
    return result
  }

  /// A uniform number in [0, 1) with 53 random bits.
  public mutating func nextUniform() -> Double {
    Double(next() >> 11) * 0x1.0p-53
  }

  /// A uniform number in [low, high).
  public mutating func nextUniform(in low: Double, _ high: Double) -> Double {
    low + (high - low) * nextUniform()
  }

  /// A uniform integer in 0..<bound (bound ≥ 1), unbiased (Lemire's method).
  public mutating func nextInt(below bound: Int) -> Int {
    guard bound > 1 else { return 0 }
    let range = UInt64(bound)
    var product = next().multipliedFullWidth(by: range)
    if product.low < range {
      let threshold = (0 &- range) % range
      while product.low < threshold { product = next().multipliedFullWidth(by: range) }
    }
    return Int(product.high)
  }

  /// A standard normal number (Marsaglia's polar method).
  public mutating func nextGaussian() -> Double {
    while true {
      let u = 2 * nextUniform() - 1
      let v = 2 * nextUniform() - 1
      let s = u * u + v * v
      if s > 0, s < 1 {
        return u * (-2 * Self.portableLog(s) / s).squareRoot()
      }
    }
  }

  /// A normal number with the given mean and standard deviation.
  public mutating func nextGaussian(mean: Double, standardDeviation: Double) -> Double {
    mean + standardDeviation * nextGaussian()
  }

  /// A uniformly random permutation of 0..<count (Fisher–Yates).
  public mutating func permutation(of count: Int) -> [Int] {
    var order = Array(0..<max(0, count))
    shuffle(&order)
    return order
  }

  /// Shuffles an array in place (Fisher–Yates).
  public mutating func shuffle<T>(_ values: inout [T]) {
    guard values.count > 1 else { return }
    for i in stride(from: values.count - 1, to: 0, by: -1) {
      values.swapAt(i, nextInt(below: i + 1))
    }
  }

  private func rotateLeft(_ x: UInt64, by k: UInt64) -> UInt64 {
    (x << k) | (x >> (64 - k))
  }

  /// ln(x) for x > 0 from IEEE arithmetic alone: x = m·2^e with m in [√½, √2), then
  /// ln m = 2 atanh((m − 1)/(m + 1)) by its series, accurate to a few ulps.
  static func portableLog(_ x: Double) -> Double {
    var m = x.significand
    var e = Double(x.exponent)
    if m > 1.4142135623730951 {
      m /= 2
      e += 1
    }
    let s = (m - 1) / (m + 1)
    let s2 = s * s
    var term = s
    var sum = 0.0
    var k = 1.0
    while k < 40 {
      sum += term / k
      term *= s2
      k += 2
    }
    return 2 * sum + e * 0.693_147_180_559_945_3
  }
}
