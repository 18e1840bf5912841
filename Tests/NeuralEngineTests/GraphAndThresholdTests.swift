import Foundation
import NeuralEngine
import Testing

@Suite("Computation graphs")
struct ComputationGraphTests {
  @Test func threeTimesABPlusC() throws {
    let graph = try ComputationGraph(
      output: "J", definitions: [("u", "a·b"), ("v", "u + c"), ("J", "3v")],
      values: ["a": 3, "b": 4, "c": 2])
    #expect(graph.value == 42)
    #expect(graph.derivative(of: "J") == 1)
    #expect(graph.derivative(of: "v") == 3)
    #expect(graph.derivative(of: "u") == 3)
    #expect(graph.derivative(of: "c") == 3)
    #expect(graph.derivative(of: "a") == 12, "the slide's dJ/da = 12")
    #expect(graph.derivative(of: "b") == 9)
    #expect(graph.variables == ["a", "b", "c"])
    // Written inline, with implicit multiplication.
    let inline = try ComputationGraph(output: "3(a*b + c)", values: ["a": 3, "b": 4, "c": 2])
    #expect(inline.value == 42 && inline.derivative(of: "a") == 12)
  }

  @Test func chainRuleThroughSinAndCube() throws {
    let x = 0.7
    let graph = try ComputationGraph(
      output: "y",
      definitions: [("z1", "sin(x)"), ("z2", "x^3"), ("y", "z1^4*exp(z2) + 5*z1 + 7*z2")],
      values: ["x": x])
    let (z1, z2) = (sin(x), x * x * x)
    let dydx = (4 * pow(z1, 3) * exp(z2) + 5) * cos(x) + (pow(z1, 4) * exp(z2) + 7) * 3 * x * x
    expectClose(graph.value, pow(z1, 4) * exp(z2) + 5 * z1 + 7 * z2, tolerance: 1e-12)
    expectClose(graph.derivative(of: "x") ?? .nan, dydx, tolerance: 1e-10, "dy/dx")
    expectClose(graph.derivative(of: "z1") ?? .nan, 4 * pow(z1, 3) * exp(z2) + 5, tolerance: 1e-10)
    expectClose(graph.derivative(of: "z2") ?? .nan, pow(z1, 4) * exp(z2) + 7, tolerance: 1e-10)
    let numeric = try centralDifference(
      {
        try ComputationGraph(output: "sin(x)^4*exp(x^3) + 5sin(x) + 7x^3", values: ["x": $0]).value
      }, at: x)
    expectClose(graph.derivative(of: "x") ?? .nan, numeric, tolerance: 1e-6)
  }

  @Test func productAndBranchesSumTheirPaths() throws {
    let product = try ComputationGraph(
      output: "y", definitions: [("y", "z1*z2")], values: ["z1": 2, "z2": 5])
    #expect(product.derivative(of: "z1") == 5 && product.derivative(of: "z2") == 2)
    // z1 feeds z2 and z3; J = z4 = wD·z2 + wE·z3, so ∂J/∂z1 sums two paths.
    let branching = try ComputationGraph(
      output: "J",
      definitions: [("z2", "2*z1"), ("z3", "z1^2"), ("J", "wD*z2 + wE*z3")],
      values: ["z1": 1.5, "wD": 0.4, "wE": -0.7])
    let viaZ2 = (branching.derivative(of: "z2") ?? 0) * 2
    let viaZ3 = (branching.derivative(of: "z3") ?? 0) * 2 * 1.5
    expectClose(branching.derivative(of: "z1") ?? .nan, viaZ2 + viaZ3, tolerance: 1e-14)
    expectClose(viaZ2 + viaZ3, 0.4 * 2 + -0.7 * 3, tolerance: 1e-14)
  }

  @Test func mistakesAreLocatedAndSuggested() {
    func failure(_ expression: String, values: [String: Double] = ["x": 1]) -> ExpressionError? {
      #expect(throws: ExpressionError.self) {
        try ComputationGraph(output: expression, values: values)
      }
    }
    #expect(failure("3*(x + ")?.message.contains("expected") == true)
    let unknown = failure("sine(x)")
    #expect(unknown?.hint == "did you mean 'sin'?")
    #expect(unknown?.offset == 0)
    let missing = failure("x + y1")
    #expect(missing?.message.contains("no value for 'y1'") == true)
    #expect(missing?.hint == "give it one, e.g. 'y1 = 1'")
    #expect(missing?.offset == 4)
    #expect(failure("x )")?.offset == 2)
    #expect(failure("log(x - 1)")?.message.contains("infinite") == true)
    #expect(failure("")?.message.contains("expected an expression") == true)
  }
}

@Suite("Threshold units")
struct ThresholdUnitTests {
  @Test func mcCullochPittsBooleanFunctions() throws {
    let inputs = try truthTableInputs(count: 2)
    #expect(inputs == [[0, 0], [0, 1], [1, 0], [1, 1]])
    let and = McCullochPittsUnit(threshold: 2)
    let or = McCullochPittsUnit(threshold: 1)
    let nor = McCullochPittsUnit(threshold: 0, inhibitory: [0, 1])
    #expect(try inputs.map(and.output) == [0, 0, 0, 1])
    #expect(try inputs.map(or.output) == [0, 1, 1, 1])
    #expect(try inputs.map(nor.output) == [1, 0, 0, 0])
    let not = McCullochPittsUnit(threshold: 0, inhibitory: [0])
    #expect(try [[0], [1]].map(not.output) == [1, 0])
    #expect(throws: EngineError.self) { try and.output([2, 0]) }
  }

  @Test func theSlidesOrPerceptron() throws {
    let or = Perceptron(weights: [1.1, 1.1], bias: -1)
    let inputs: [[Double]] = [[0, 0], [1, 0], [0, 1], [1, 1]]
    #expect(try inputs.map(or.output) == [0, 1, 1, 1])
    expectClose(try or.netInput([0, 0]), -1, tolerance: 1e-15)
    expectClose(try or.netInput([1, 1]), 1.2, tolerance: 1e-15)
  }

  @Test func learningRuleSolvesOrAndFailsOnXor() throws {
    let inputs: [[Double]] = [[0, 0], [0, 1], [1, 0], [1, 1]]
    var or = Perceptron(weights: [0, 0], bias: 0)
    let learned = try or.train(
      inputs: inputs, targets: [0, 1, 1, 1], learningRate: 1, maxEpochs: 50)
    #expect(learned.converged)
    #expect(try inputs.map(or.output) == [0, 1, 1, 1])
    #expect(learned.epochs.last?.mistakes == 0)

    var xor = Perceptron(weights: [0, 0], bias: 0)
    let failed = try xor.train(
      inputs: inputs, targets: [0, 1, 1, 0], learningRate: 1, maxEpochs: 100)
    #expect(!failed.converged)
    #expect(failed.epochs.count == 100)
    #expect(failed.epochs.allSatisfy { $0.mistakes > 0 })
    #expect(throws: EngineError.self) { try xor.train(inputs: inputs, targets: [0, 1, 2, 0]) }
  }
}
