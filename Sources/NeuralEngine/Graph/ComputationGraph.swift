import RealModule

/// A scalar computation graph: an expression over named variables, evaluated forward,
/// then differentiated in reverse mode so that every node knows ∂output/∂node.
///
/// ```
/// let graph = try ComputationGraph(
///   output: "J", definitions: [("u", "a*b"), ("v", "u + c"), ("J", "3v")],
///   values: ["a": 5, "b": 3, "c": 2])
/// graph.derivative(of: "a")  // 9 = ∂J/∂a = 3·b
/// ```
/// Definitions may refer to earlier ones; a definition used twice is one node whose
/// gradient sums both paths (the chain rule's sum over branches).
public struct ComputationGraph: Codable, Equatable, Sendable {
  public private(set) var nodes: [Node]
  /// Index of the output node.
  public let output: Int

  public struct Node: Codable, Equatable, Sendable {
    /// A variable's or definition's name; `nil` for an anonymous intermediate.
    public var name: String?
    public var operation: Operation
    /// Indices of the nodes this one is computed from.
    public var inputs: [Int]
    /// The expression text this node stands for.
    public var text: String
    public var value: Double
    /// ∂node/∂input for each input, in the order of `inputs`.
    public var localDerivatives: [Double]
    /// ∂output/∂node.
    public var gradient: Double
  }

  public enum Operation: Codable, Equatable, Sendable {
    case constant(Double)
    case variable
    case add, subtract, multiply, divide, power, negate
    /// Another name for its one input.
    case identity
    case function(Function)
  }

  public enum Function: String, Codable, CaseIterable, Sendable {
    case sin, cos, tan, exp, log, sqrt, tanh, sigmoid, relu, abs, max, min
    /// The engine's other activations, with their default parameters (leaky ReLU's
    /// α = 0.01, ELU's α = 1), so every activation a layer can use is a function here.
    case leakyReLU = "leaky_relu"
    case elu, selu, softplus, gelu, silu, gaussian, step, sign, identity

    /// How many arguments it takes.
    public var arity: Int { self == .max || self == .min ? 2 : 1 }

    /// The layer activation it is, for those computed by the engine's activations.
    public var activation: Activation? {
      switch self {
      case .leakyReLU, .elu, .selu, .softplus, .gelu, .silu, .gaussian, .step, .sign, .identity:
        Activation(name: rawValue)
      default: nil
      }
    }
  }

  /// Builds and evaluates the graph of `output`, which is either an expression or the name
  /// of one of `definitions` (evaluated in order), with values for every free variable.
  ///
  /// A name defined again (`c = c + 1`) is a new node, as a Python variable rebound in
  /// micrograd; the earlier node keeps the name with a prime (`c′`). `interrupt` is asked
  /// as the graph grows; answering `true` stops the build with an error.
  public init(
    output: String, definitions: [(name: String, expression: String)] = [],
    values: [String: Double], interrupt: (() -> Bool)? = nil
  ) throws {
    var builder = GraphBuilder(values: values)
    builder.interrupt = interrupt
    for (name, expression) in definitions {
      let index: Int
      do {
        index = try builder.parse(expression)
      } catch let error as ExpressionError where builder.stopped {
        throw ExpressionError(
          message: "the time ran out while building '\(name)'", expression: error.expression,
          offset: 0)
      }
      builder.redefine(name)
      builder.name(index, name, expression: expression)
    }
    let outputIndex: Int
    if let named = builder.named[output] {
      outputIndex = named
    } else {
      outputIndex = try builder.parse(output)
    }
    nodes = builder.nodes
    self.output = outputIndex
    try checkFinite()
    backpropagate()
  }

  /// The output's value.
  public var value: Double { nodes[output].value }

  /// The node a variable or definition names.
  public func node(named name: String) -> Node? {
    nodes.first { $0.name == name }
  }

  /// ∂output/∂(named node), or `nil` for an unknown name.
  public func derivative(of name: String) -> Double? {
    node(named: name)?.gradient
  }

  /// The names of the free variables, in order of first appearance.
  public var variables: [String] {
    nodes.compactMap { $0.operation == .variable ? $0.name : nil }
  }

  private mutating func backpropagate() {
    for i in nodes.indices { nodes[i].gradient = 0 }
    nodes[output].gradient = 1
    // Nodes are created after their inputs, so reverse creation order is topological.
    for i in nodes.indices.reversed() {
      let node = nodes[i]
      for (input, local) in zip(node.inputs, node.localDerivatives) {
        nodes[input].gradient += node.gradient * local
      }
    }
  }

  private func checkFinite() throws {
    if let bad = nodes.first(where: { !$0.value.isFinite }) {
      throw ExpressionError(
        message: "'\(bad.text)' is \(bad.value.isNaN ? "undefined" : "infinite") at these values",
        expression: bad.text, offset: 0)
    }
  }
}

/// A mistake in an expression: the message, the 0-based character offset, and a
/// suggestion where one exists.
public struct ExpressionError: Error, Equatable, Sendable, CustomStringConvertible {
  public var message: String
  public var expression: String
  public var offset: Int
  public var hint: String?

  public init(message: String, expression: String, offset: Int, hint: String? = nil) {
    self.message = message
    self.expression = expression
    self.offset = offset
    self.hint = hint
  }

  public var description: String { hint.map { "\(message) — \($0)" } ?? message }
}

extension ComputationGraph {
  private enum CodingKeys: String, CodingKey { case nodes, output }

  /// Checked when decoded: every node reads only nodes before it, with one local
  /// derivative per input, and the output is a node.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let nodes = try container.decode([Node].self, forKey: .nodes)
    let output = try container.decode(Int.self, forKey: .output)
    for (index, node) in nodes.enumerated() {
      guard node.inputs.allSatisfy({ (0..<index).contains($0) }),
        node.localDerivatives.count == node.inputs.count
      else {
        throw DecodingError.dataCorruptedError(
          forKey: .nodes, in: container, debugDescription: "node \(index) reads a later node")
      }
    }
    guard nodes.indices.contains(output) else {
      throw DecodingError.dataCorruptedError(
        forKey: .output, in: container, debugDescription: "the output is not a node")
    }
    self.nodes = nodes
    self.output = output
  }
}
