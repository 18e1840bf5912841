import NeuralEngine
import Notebook

/// The weights and biases a notebook gives by name (`w14=0.2`, `θ4=-0.4`) or as matrices,
/// and which ones it left out. The name table is built once: O(parameters).
struct GivenParameters {
  private var byName: [String: ParameterID] = [:]
  private var given: Set<ParameterID> = []

  init(network: Network<Double>) {
    self.network = network
  }

  /// The network the names are of; its name table is built when a name is first given.
  private let network: Network<Double>

  private mutating func buildNames() {
    guard byName.isEmpty else { return }
    for parameter in network.parameterNames() {
      switch parameter.id {
      case .weight:
        byName[parameter.name] = parameter.id
        let plain = parameter.name.replacing(",", with: "")
        if byName[plain] == nil { byName[plain] = parameter.id }
      case .bias:
        let label = String(parameter.name.dropFirst())
        for prefix in ["θ", "theta", "b"] { byName[prefix + label] = parameter.id }
      }
    }
  }

  /// Sets parameters by their unit-notation names (`w14`; `θ4`, `theta4` or `b4`).
  mutating func set(
    _ assignments: [Assignment], in network: inout Network<Double>, at option: DirectiveOption?
  ) throws {
    if !assignments.isEmpty { buildNames() }
    for assignment in assignments {
      guard let id = byName[assignment.name] else {
        let bias = ModelDirective.isBiasName(assignment.name)
        let candidates = byName.keys.filter {
          ModelDirective.isBiasName($0) == bias && !$0.hasPrefix("theta")
        }
        throw BlockError(
          "the model has no \(bias ? "bias" : "weight") '\(assignment.name)'", at: option,
          word: assignment.name, hint: suggestion(for: assignment.name, among: candidates.sorted()))
      }
      try atOption(option) { try network.setParameter(id, to: assignment.value) }
      given.insert(id)
    }
  }

  /// Sets a whole weight matrix or bias vector.
  mutating func set(
    _ spec: MatrixSpec, in network: inout Network<Double>, at option: DirectiveOption?
  )
    throws
  {
    let index = spec.layer - 1
    let layer = try atOption(option) { try network.layer(index) }
    if spec.isBias {
      let values = spec.rows.flatMap { $0 }
      guard values.count == layer.unitCount, layer.bias != nil else {
        throw BlockError(
          "\(spec.label) needs \(layer.unitCount) values (one per unit), got \(values.count)",
          at: option)
      }
      try atOption(option) { try network.setBias(values, layer: index) }
      for unit in 0..<layer.unitCount { given.insert(.bias(layer: index, unit: unit)) }
    } else {
      guard spec.rows.count == layer.inputCount,
        spec.rows.allSatisfy({ $0.count == layer.unitCount })
      else {
        throw BlockError(
          "\(spec.label) is \(layer.inputCount)×\(layer.unitCount) (a row per input, a column per unit); got \(spec.rows.count) rows of \(spec.rows.map(\.count).map(String.init).joined(separator: ", "))",
          at: option)
      }
      try atOption(option) { try network.setWeights(try Matrix(spec.rows), layer: index) }
      for from in 0..<layer.inputCount {
        for to in 0..<layer.unitCount { given.insert(.weight(layer: index, from: from, to: to)) }
      }
    }
  }

  /// The names of the parameters not given, in the network's order; `nil` when all were.
  func missing(in network: Network<Double>) -> [String]? {
    guard given.count < network.parameterCount else { return nil }
    let names = network.parameterNames().filter { !given.contains($0.id) }.map(\.name)
    return names.isEmpty ? nil : names
  }

  /// Every parameter's name, abbreviated for a long list.
  func expectedNames(in network: Network<Double>) -> String {
    let names = network.parameterNames().map(\.name)
    return names.count <= 12
      ? names.joined(separator: " ")
      : names.prefix(6).joined(separator: " ") + " … " + names.suffix(3).joined(separator: " ")
  }
}
