import NeuralEngine
import Testing

/// |a − b| ≤ tolerance, with both values in the failure message.
func expectClose(
  _ a: Double, _ b: Double, tolerance: Double, _ what: String = "",
  sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(
    Swift.abs(a - b) <= tolerance, "\(what): \(a) vs \(b) (tolerance \(tolerance))",
    sourceLocation: sourceLocation)
}

/// Central finite difference of f at x.
func centralDifference(_ f: (Double) throws -> Double, at x: Double, step h: Double = 1e-6)
  rethrows -> Double
{
  (try f(x + h) - f(x - h)) / (2 * h)
}

/// Rounds to a number of decimals, the way a slide prints.
func rounded(_ x: Double, _ decimals: Int) -> Double {
  let scale = (0..<decimals).reduce(1.0) { value, _ in value * 10 }
  return (x * scale).rounded() / scale
}

/// A network with seeded random weights, for gradient checks.
func randomNetwork(
  inputs: Int, hidden: Int, outputs: Int, hiddenActivation: Activation,
  outputActivation: Activation,
  seed: UInt64
) throws -> Network<Double> {
  try Network(
    inputs: inputs, units: [hidden, outputs], activations: [hiddenActivation, outputActivation],
    initializer: .uniform(low: -0.9, high: 0.9), seed: seed)
}
