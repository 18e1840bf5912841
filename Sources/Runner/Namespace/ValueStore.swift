import NeuralEngine

/// The block that defined a value, as messages name it: `train mlp` at line 40.
public struct Definer: Hashable, Sendable, CustomStringConvertible {
  /// The block's place among the notebook's directive blocks (0-based).
  public var index: Int
  public var title: String
  public var line: Int

  public var description: String { "'\(title)' (line \(line))" }
}

/// Every value the blocks of a run computed, by ``ValueKey``, with the block that defined it.
///
/// Two rules keep a quoted number honest:
/// - A *result* (an output, a loss, a metric) defined by two blocks with different values is
///   ambiguous: looking it up is an error naming both blocks, until the author stores one
///   under another name (`as:`).
/// - A *state* (a model's weight or bias) changes on purpose: a lookup sees the state as of
///   the place it is made (the last change above it; for a reference above every change,
///   the first state).
public struct ValueStore: Sendable {
  struct Definition: Sendable {
    var value: Value
    var definer: Definer
  }

  private var results: [ValueKey: [Definition]] = [:]
  private var states: [ValueKey: [Definition]] = [:]
  /// A large model's parameters as whole networks (shared storage, not copied), looked up
  /// by name when quoted: storing millions of weights one by one would take minutes and
  /// gigabytes.
  private var networks: [String: [(definer: Definer, network: Network<Double>)]] = [:]
  /// Training histories, whose per-epoch values (`fit.loss@100`) are read from the history
  /// when quoted: a value per epoch and quantity, stored one by one, took 98 MB at 10⁵
  /// epochs.
  private var histories: [String: [(definer: Definer, history: TrainingHistory)]] = [:]

  public init() {}

  /// Why a lookup failed.
  public enum Failure: Error, Hashable, Sendable {
    case unknown
    case ambiguous(Definer, Definer)
  }

  /// Records a block's result.
  mutating func define(_ key: ValueKey, _ value: Value, by definer: Definer) {
    let definition = Definition(value: value, definer: definer)
    if var list = results[key] {
      guard !list.contains(where: { $0.value == value }) else { return }
      list.append(definition)
      results[key] = list
    } else {
      results[key] = [definition]
    }
  }

  /// Records a model parameter's state after a block changed (or made) it.
  mutating func defineState(_ key: ValueKey, _ value: Value, by definer: Definer) {
    states[key, default: []].append(Definition(value: value, definer: definer))
  }

  /// Records a large model's parameters after a block changed (or made) them, as a state
  /// of the whole network under `owner`.
  mutating func defineState(_ owner: String, network: Network<Double>, by definer: Definer) {
    networks[owner, default: []].append((definer, network))
  }

  /// Records a training run's history under `owner`: its per-epoch values.
  mutating func defineHistory(_ owner: String, _ history: TrainingHistory, by definer: Definer) {
    histories[owner, default: []].append((definer, history))
  }

  /// A per-epoch value from the histories stored under the key's owner; two runs that
  /// recorded different values make it ambiguous, as two results do.
  private func epochValue(_ key: ValueKey) -> Result<Value, Failure>? {
    guard let epoch = key.epoch, key.sample == nil, let list = histories[key.owner] else {
      return nil
    }
    var found: [(Definer, Double)] = []
    for (definer, history) in list {
      let records = history.records
      let record =
        records.indices.contains(epoch - 1) && records[epoch - 1].epoch == epoch
        ? records[epoch - 1] : records.first { $0.epoch == epoch }
      guard let value = record?.value(named: key.quantity, metrics: history.metrics) else {
        continue
      }
      if !found.contains(where: { $0.1 == value }) { found.append((definer, value)) }
    }
    guard let first = found.first else { return nil }
    if found.count > 1 { return .failure(.ambiguous(first.0, found[1].0)) }
    return .success(.number(first.1))
  }

  /// The value a key names as seen from a place in the notebook: `position` is the index of
  /// the first directive block below that place (a block sees what the blocks above it
  /// defined); `nil` sees the end of the run.
  public func lookup(_ key: ValueKey, at position: Int? = nil) -> Result<Value, Failure> {
    if let history = states[key], let first = history.first {
      let limit = position ?? Int.max
      let current = history.last { $0.definer.index < limit } ?? first
      return .success(current.value)
    }
    if results[key] == nil, key.sample == nil, key.epoch == nil, let history = networks[key.owner],
      let first = history.first
    {
      let limit = position ?? Int.max
      let network = (history.last { $0.definer.index < limit } ?? first).network
      if let id = network.parameterID(named: key.quantity), let value = network.parameterValue(id) {
        return .success(.number(value))
      }
    }
    if results[key] == nil, let value = epochValue(key) { return value }
    guard let list = results[key], let first = list.first else { return .failure(.unknown) }
    if list.count > 1 { return .failure(.ambiguous(first.definer, list[1].definer)) }
    return .success(first.value)
  }

  /// The value, or `nil` when it is unknown or ambiguous.
  public func value(_ key: ValueKey, at position: Int? = nil) -> Value? {
    try? lookup(key, at: position).get()
  }

  /// Every owner that has values (`hk`, `fit`, `digits`).
  public var owners: Set<String> {
    Set(results.keys.map(\.owner)).union(states.keys.map(\.owner))
  }

  /// The quantities stored under an owner, for suggestions (per-epoch values left out).
  public func quantities(of owner: String) -> [String] {
    let keys = results.keys.filter { $0.owner == owner } + states.keys.filter { $0.owner == owner }
    return Set(keys.filter { $0.epoch == nil }.map(\.local)).sorted()
  }

  /// Whether any block defined this key.
  public func contains(_ key: ValueKey) -> Bool {
    results[key] != nil || states[key] != nil || epochValue(key) != nil
      || (networks[key.owner]?.last?.network.parameterID(named: key.quantity) != nil
        && key.sample == nil && key.epoch == nil)
  }
}
