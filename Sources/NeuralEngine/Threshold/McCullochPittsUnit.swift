/// The McCulloch–Pitts neuron: boolean inputs, g(x) = Σ xᵢ over the excitatory inputs,
/// y = 1 if g(x) ≥ θ, and y = 0 whenever any inhibitory input is on.
public struct McCullochPittsUnit: Codable, Hashable, Sendable {
  public var threshold: Int
  /// 0-based indices of inhibitory inputs (the NOT unit has one).
  public var inhibitory: Set<Int>

  public init(threshold: Int, inhibitory: Set<Int> = []) {
    self.threshold = threshold
    self.inhibitory = inhibitory
  }

  /// g(x), the sum of the excitatory inputs.
  public func aggregate(_ inputs: [Int]) -> Int {
    inputs.indices.reduce(0) { inhibitory.contains($1) ? $0 : $0 + inputs[$1] }
  }

  /// y for boolean inputs (each 0 or 1).
  public func output(_ inputs: [Int]) throws -> Int {
    for (index, x) in inputs.enumerated() where x != 0 && x != 1 {
      throw EngineError.invalidArgument(
        "a McCulloch–Pitts unit takes inputs 0 or 1; input \(index + 1) is \(x)")
    }
    if inputs.indices.contains(where: { inhibitory.contains($0) && inputs[$0] == 1 }) { return 0 }
    return aggregate(inputs) >= threshold ? 1 : 0
  }
}

/// Every combination of n boolean inputs, in counting order: (0,0), (0,1), (1,0), (1,1).
public func truthTableInputs(count n: Int) throws -> [[Int]] {
  guard (0...16).contains(n) else {
    throw EngineError.invalidArgument("a truth table takes 0 to 16 inputs, got \(n)")
  }
  return (0..<(1 << n)).map { row in (0..<n).map { (row >> (n - 1 - $0)) & 1 } }
}
