import NeuralEngine
import Spelling
import Testing

@Suite("Activations")
struct ActivationTests {
  static let differentiable: [Activation] =
    Activation.allCases.filter {
      $0 != .binaryStep && $0 != .sign && $0 != .softmax
    } + [.leakyReLU(alpha: 0.2), .elu(alpha: 0.5)]

  // Points away from the kinks at 0.
  static let points: [Double] = [-3.1, -1.3, -0.4, 0.35, 1.7, 4.2]

  @Test("φ′ matches the central difference", arguments: differentiable)
  func derivativeMatchesFiniteDifference(_ activation: Activation) {
    for z in Self.points {
      let numeric = centralDifference({ activation.value($0) }, at: z)
      let analytic = activation.derivative(z, output: activation.value(z))
      expectClose(analytic, numeric, tolerance: 1e-6, "\(activation) at \(z)")
    }
  }

  @Test("φ′ in Float agrees with Double", arguments: differentiable)
  func floatAgreesWithDouble(_ activation: Activation) {
    for z in Self.points {
      let single = Double(activation.derivative(Float(z), output: activation.value(Float(z))))
      expectClose(single, activation.derivative(z, output: activation.value(z)), tolerance: 1e-5)
    }
  }

  @Test func knownValues() {
    expectClose(Activation.sigmoid.value(0.0), 0.5, tolerance: 1e-15)
    expectClose(Activation.sigmoid.value(-800.0), 0, tolerance: 1e-300, "no overflow")
    expectClose(Activation.softplus.value(800.0), 800, tolerance: 1e-9, "no overflow")
    expectClose(Activation.relu.value(-2.0), 0, tolerance: 0)
    expectClose(Activation.leakyReLU(alpha: 0.01).value(-2.0), -0.02, tolerance: 1e-15)
    expectClose(Activation.elu(alpha: 1).value(-1.0), -0.6321205588285577, tolerance: 1e-15)
    expectClose(Activation.selu.value(1.0), 1.0507009873554805, tolerance: 1e-15)
    expectClose(Activation.gelu.value(1.0), 0.8413447460685429, tolerance: 1e-12)
    expectClose(Activation.silu.value(1.0), 0.7310585786300049, tolerance: 1e-15)
    expectClose(Activation.gaussian.value(1.0), 0.36787944117144233, tolerance: 1e-15)
    #expect(Activation.binaryStep.value(0.0) == 1 && Activation.binaryStep.value(-0.1) == 0)
    #expect(Activation.sign.value(-3.0) == -1 && Activation.sign.value(0.0) == 0)
  }

  @Test func softmaxRowsSumToOneAndSurviveLargeInputs() throws {
    let z = try Matrix<Double>([[1, 2, 3], [1000, 1000, 1001]])
    let a = Activation.softmax.apply(z)
    for row in a.nestedRows { expectClose(row.reduce(0, +), 1, tolerance: 1e-12) }
    expectClose(a[0, 2], 0.6652409557748219, tolerance: 1e-12)
    #expect(a.elements.allSatisfy { $0.isFinite })
  }

  @Test func softmaxBackwardIsTheJacobianVectorProduct() throws {
    let z = try Matrix<Double>([[0.3, -1.2, 0.8, 0.1]])
    let g = try Matrix<Double>([[0.5, -0.25, 1.5, 2]])
    let a = Activation.softmax.apply(z)
    let dz = Activation.softmax.backward(netInput: z, output: a, upstream: g)
    for j in 0..<4 {
      let numeric = try centralDifference(
        { x in
          var shifted = z
          shifted[0, j] = x
          return try Activation.softmax.apply(shifted).multipliedElementwise(by: g).sum()
        }, at: z[0, j])
      expectClose(dz[0, j], numeric, tolerance: 1e-8, "∂/∂z\(j)")
    }
  }

  @Test func namesRoundTripAndAliasesResolve() {
    for activation in Activation.allCases {
      #expect(Activation(name: activation.name) != nil)
    }
    #expect(Activation(name: "swish") == .silu)
    #expect(Activation(name: "logistic") == .sigmoid)
    #expect(Activation(name: "leaky_relu", parameter: 0.2) == .leakyReLU(alpha: 0.2))
    #expect(Activation(name: "sigmod") == nil)
    #expect(closestName(to: "sigmod", among: Activation.knownNames) == "sigmoid")
    #expect(closestName(to: "rleu", among: Activation.knownNames) == "relu")
    #expect(closestName(to: "banana", among: Activation.knownNames) == nil)
  }
}
