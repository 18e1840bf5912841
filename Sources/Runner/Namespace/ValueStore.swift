import Foundation
import NeuralEngine
import Notebook

/// The block that defined a value, as messages name it: `train mlp` at line 40.
public struct Definer: Codable, Hashable, Sendable, CustomStringConvertible {
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
  struct Definition: Codable, Sendable {
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
  /// Every definition made since ``startRecording()``, in order, for the block cache.
  private var log: Change?

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
    log?.results.append(.init(key: key, value: value))
  }

  /// Records a model parameter's state after a block changed (or made) it.
  mutating func defineState(_ key: ValueKey, _ value: Value, by definer: Definer) {
    states[key, default: []].append(Definition(value: value, definer: definer))
    log?.states.append(.init(key: key, value: value))
  }

  /// Records a large model's parameters after a block changed (or made) them, as a state
  /// of the whole network under `owner`.
  mutating func defineState(_ owner: String, network: Network<Double>, by definer: Definer) {
    networks[owner, default: []].append((definer, network))
    log?.networks.append(.init(owner: owner, item: network))
  }

  /// Records a training run's history under `owner`: its per-epoch values.
  mutating func defineHistory(_ owner: String, _ history: TrainingHistory, by definer: Definer) {
    histories[owner, default: []].append((definer, history))
    log?.histories.append(.init(owner: owner, item: history))
  }

  /// Forgets every value the blocks numbered `blocks` defined: a kernel cell run again
  /// replaces its earlier results instead of making them ambiguous.
  mutating func forget(_ blocks: Range<Int>) {
    /// Each list without the entries of those blocks; a list left empty goes.
    func pruned<Key, Entry>(_ lists: [Key: [Entry]], _ definer: (Entry) -> Definer) -> [Key:
      [Entry]]
    {
      lists.compactMapValues { list in
        let kept = list.filter { !blocks.contains(definer($0).index) }
        return kept.isEmpty ? nil : kept
      }
    }
    results = pruned(results, \.definer)
    states = pruned(states, \.definer)
    networks = pruned(networks, \.definer)
    histories = pruned(histories, \.definer)
  }

  /// A per-epoch value from the histories stored under the key's owner; two runs that
  /// recorded different values make it ambiguous, as two results do.
  private func epochValue(_ key: ValueKey) -> Result<Value, Failure>? {
    guard let epoch = key.epoch, key.sample == nil, let list = histories[key.owner] else {
      return nil
    }
    var found: [(Definer, Double)] = []
    for (definer, history) in list {
      guard let value = history.value(named: key.quantity.description, epoch: epoch) else {
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
      if let id = network.parameterID(named: key.quantity.description),
        let value = network.parameterValue(id)
      {
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

  /// Every result and every state a block defined, each with its block (a state once per
  /// change), in no particular order. Whole networks and per-epoch histories are left out:
  /// they are read from their owners when quoted.
  public var definitions: [(key: ValueKey, value: Value, definer: Definer)] {
    (results.flatMap { key, list in list.map { (key, $0.value, $0.definer) } }
      + states.flatMap { key, list in list.map { (key, $0.value, $0.definer) } })
  }

  /// Whether any block defined this key.
  public func contains(_ key: ValueKey) -> Bool {
    results[key] != nil || states[key] != nil || epochValue(key) != nil
      || (networks[key.owner]?.last?.network.parameterID(named: key.quantity.description) != nil
        && key.sample == nil && key.epoch == nil)
  }

  /// What one block defined, for the block cache: every definition it made, in order.
  struct Change: Codable, Sendable {
    struct Entry: Sendable {
      var key: ValueKey
      var value: Value
    }
    struct Whole<Item: Codable & Sendable>: Codable, Sendable {
      var owner: String
      var item: Item
    }
    var results: [Entry] = []
    var states: [Entry] = []
    var networks: [Whole<Network<Double>>] = []
    var histories: [Whole<TrainingHistory>] = []
  }

  /// Starts recording definitions; ``takeRecord()`` returns and clears what was made since.
  mutating func startRecording() { log = Change() }

  /// The definitions made since the last call (or since recording started).
  mutating func takeRecord() -> Change {
    defer { if log != nil { log = Change() } }
    return log ?? Change()
  }

  /// Makes a block's definitions again, as made by `definer` (not recorded: the change is
  /// already cached).
  mutating func apply(_ change: Change, by definer: Definer) {
    let recording = log
    log = nil
    defer { log = recording }
    for entry in change.results { define(entry.key, entry.value, by: definer) }
    for entry in change.states { defineState(entry.key, entry.value, by: definer) }
    for whole in change.networks { defineState(whole.owner, network: whole.item, by: definer) }
    for whole in change.histories { defineHistory(whole.owner, whole.item, by: definer) }
  }
}

/// A block's definitions are written column by column (numbers as their exact bits), so
/// that thousands of per-sample values decode in a moment.
extension ValueStore.Change.Entry {
  struct Columns: Codable {
    /// The distinct owners, and per entry the index of its owner.
    var owners: [String] = []
    /// The quantities, joined by U+001F (a character no name holds).
    var quantities = ""
    /// Per entry, as 32-bit integers: the owner's index, the sample (0 for none: samples
    /// count from 1) and the epoch plus one (0 for none: epoch 0 is a value's start).
    var places = Data()
    /// Per entry, the value's kind: n number, s text, t true, f false.
    var kinds = ""
    var numbers = Data()
    var texts: [String] = []

    private static let separator: Character = "\u{1F}"

    init(_ entries: [ValueStore.Change.Entry]) {
      var numbers: [Double] = []
      var places: [Int32] = []
      var owners: [String: Int32] = [:]
      var names: [String] = []
      for entry in entries {
        let owner =
          owners[entry.key.owner]
          ?? {
            let index = Int32(self.owners.count)
            self.owners.append(entry.key.owner)
            owners[entry.key.owner] = index
            return index
          }()
        names.append(entry.key.quantity.description)
        places += [
          owner, Int32(clamping: entry.key.sample ?? 0),
          entry.key.epoch.map { Int32(clamping: min($0, Int(Int32.max) - 1) + 1) } ?? 0,
        ]
        switch entry.value {
        case .number(let number):
          kinds.append("n")
          numbers.append(number)
        case .bool(let flag):
          kinds.append(flag ? "t" : "f")
        case .text(let text):
          kinds.append("s")
          texts.append(text)
        }
      }
      quantities = names.joined(separator: String(Self.separator))
      self.places = places.withUnsafeBytes { Data($0) }
      self.numbers = numbers.withUnsafeBytes { Data($0) }
    }

    var entries: [ValueStore.Change.Entry]? {
      let count = kinds.utf8.count
      let names =
        count == 0
        ? [] : quantities.split(separator: Self.separator, omittingEmptySubsequences: false)
      guard names.count == count, places.count == 3 * count * MemoryLayout<Int32>.size,
        numbers.count % MemoryLayout<Double>.size == 0
      else { return nil }
      var numbers = [Double](repeating: 0, count: self.numbers.count / MemoryLayout<Double>.size)
      _ = numbers.withUnsafeMutableBytes { self.numbers.copyBytes(to: $0) }
      var places = [Int32](repeating: 0, count: 3 * count)
      _ = places.withUnsafeMutableBytes { self.places.copyBytes(to: $0) }
      var entries: [ValueStore.Change.Entry] = []
      entries.reserveCapacity(count)
      var nextNumber = 0
      var nextText = 0
      for (index, kind) in kinds.utf8.enumerated() {
        let value: Value
        switch kind {
        case UInt8(ascii: "n"):
          guard nextNumber < numbers.count else { return nil }
          value = .number(numbers[nextNumber])
          nextNumber += 1
        case UInt8(ascii: "s"):
          guard nextText < texts.count else { return nil }
          value = .text(texts[nextText])
          nextText += 1
        case UInt8(ascii: "t"): value = .bool(true)
        case UInt8(ascii: "f"): value = .bool(false)
        default: return nil
        }
        let owner = Int(places[3 * index])
        guard owners.indices.contains(owner) else { return nil }
        let sample = Int(places[3 * index + 1])
        let epoch = Int(places[3 * index + 2])
        let key = ValueKey(
          owner: owners[owner], quantity: String(names[index]), sample: sample == 0 ? nil : sample,
          epoch: epoch == 0 ? nil : epoch - 1)
        entries.append(.init(key: key, value: value))
      }
      return entries
    }
  }
}

extension ValueStore.Change {
  private enum CodingKeys: String, CodingKey { case results, states, networks, histories }

  init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    guard let results = try container.decode(Entry.Columns.self, forKey: .results).entries,
      let states = try container.decode(Entry.Columns.self, forKey: .states).entries
    else {
      throw DecodingError.dataCorruptedError(
        forKey: .results, in: container, debugDescription: "the columns do not line up")
    }
    self.results = results
    self.states = states
    networks = try container.decode([Whole<Network<Double>>].self, forKey: .networks)
    histories = try container.decode([Whole<TrainingHistory>].self, forKey: .histories)
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(Entry.Columns(results), forKey: .results)
    try container.encode(Entry.Columns(states), forKey: .states)
    try container.encode(networks, forKey: .networks)
    try container.encode(histories, forKey: .histories)
  }
}
