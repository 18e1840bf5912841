import Dispatch
import Figures
import NeuralEngine
import Notebook

/// What a block's execution may use besides its own options: the block as written (for
/// locating errors), the common options resolved against the front matter, the namespace,
/// and the clock.
struct BlockContext {
  var block: DirectiveBlock
  var common: CommonOptions
  var precision: Int
  var notation: Notation
  /// The learning rate's symbol in what the block prints (front matter `rate_symbol`).
  var rateSymbol: String
  var seed: UInt64
  /// What the block's values are stored under.
  var resultName: String
  var definer: Definer
  var namespace: Namespace
  var run: RunOptions
  /// When the block must stop: the sooner of its timeout and the run's budget.
  var deadline: DispatchTime?

  var caption: String? { common.caption }
  var showsResults: Bool { common.results == .show }
  var timeout: Double? { common.timeout }

  /// The value of one of the block's options, for locating an error.
  func option(_ key: String) -> DirectiveOption? { block.option(key) }

  // MARK: - Values

  /// Stores one of the block's results.
  func store(_ key: ValueKey, _ value: Value) {
    namespace.values.define(key, value, by: definer)
  }

  func store(_ key: ValueKey, _ number: Double) { store(key, .number(number)) }

  /// Stores a model's parameters as its current state (after `model`, `train`, or
  /// `backward … apply: true`): O(parameters).
  func storeParameters(of network: Network<Double>, model: String) {
    // A large model is kept whole and looked up by name when quoted.
    if network.parameterCount > Self.parametersStoredOneByOne {
      namespace.values.defineState(model, network: network, by: definer)
      namespace.values.defineState(
        .named(model, "parameters"), .number(Double(network.parameterCount)), by: definer)
      return
    }
    for parameter in network.parameterNames() {
      namespace.values.defineState(
        .parameter(model, parameter.name), .number(parameter.value), by: definer)
    }
    namespace.values.defineState(
      .named(model, "parameters"), .number(Double(network.parameterCount)), by: definer)
  }

  /// Models up to this many parameters store each one as a value (with suggestions among
  /// their names); larger ones are kept whole, looked up by name when quoted (a 64-16-10
  /// model trained twenty times took 5 MB as single values).
  static let parametersStoredOneByOne = 1_000

  // MARK: - The namespace

  /// A dense model by name, or an error with a suggestion. The tables of single units
  /// (forward, backward, …) are a dense network's; a convolutional or recurrent model is
  /// refused with a sentence saying which blocks take it.
  func model(_ name: String?, at option: DirectiveOption? = nil) throws -> ModelEntry {
    let entry = try anyModel(name, at: option)
    guard entry.front == nil else {
      throw BlockError(
        "'\(name ?? "")' is \(entry.kindPhrase): a \(block.kind.rawValue) block works on dense networks",
        at: option,
        hint:
          "train, evaluate and plot it (curves, confusion, digits, filters, maps); work its layers by hand with 'conv', 'pool' and 'rnn' blocks"
      )
    }
    return entry
  }

  /// A model by name, whatever its layers, or an error with a suggestion.
  func anyModel(_ name: String?, at option: DirectiveOption? = nil) throws -> ModelEntry {
    guard let name, let entry = namespace.models[name] else {
      throw BlockError(
        "no model '\(name ?? "")' is defined above", at: option,
        hint: suggestion(for: name ?? "", among: namespace.models.keys.sorted()))
    }
    return entry
  }

  /// A model's stored values: every parameter of a dense model (or the whole state, when
  /// large), and `parameters`; a convolutional or recurrent model's `parameters` and
  /// `multiply_adds` (per sample's forward pass).
  func storeParameters(of entry: ModelEntry, model: String) throws {
    guard entry.front != nil else { return storeParameters(of: entry.network, model: model) }
    namespace.values.defineState(
      .named(model, "parameters"), .number(Double(entry.parameterCount)), by: definer)
    namespace.values.defineState(
      .named(model, "multiply_adds"), .number(Double(try entry.multiplyAdds())), by: definer)
  }

  /// A data set by its reference (`digits`, `digits.train`), or an error with a
  /// suggestion.
  func dataset(_ reference: DataReference, at option: DirectiveOption?) throws -> Dataset {
    guard let data = namespace.datasets[reference] else {
      throw BlockError(
        "no data set '\(reference)' is defined above", at: option,
        hint: suggestion(
          for: reference.description,
          among: (namespace.datasets.keys + namespace.releasedDatasets).map(\.description).sorted()
        ))
    }
    return data
  }

  // MARK: - Time

  /// Whether the block's time (its timeout, or the run's budget) is up, or the run was
  /// interrupted (the kernel's interrupt): long loops stop either way.
  var isOutOfTime: Bool {
    if isInterrupted { return true }
    guard let deadline else { return false }
    return DispatchTime.now() >= deadline
  }

  /// Whether the run was asked to stop (``RunOptions/interrupted``).
  var isInterrupted: Bool { run.interrupted?() ?? false }

  /// Stops the block when its time is up; long loops call this as they go.
  func checkTime(_ doing: String) throws {
    guard isOutOfTime else { return }
    if isInterrupted {
      throw BlockError(
        "\(block.title) was interrupted \(doing)", at: nil,
        hint: "run the cell again to compute its results")
    }
    let limit = timeout.map { "its timeout of \(NumberText.plain($0)) s" } ?? "the run's budget"
    throw BlockError(
      "\(block.title) ran out of time \(doing) (\(limit))", at: option("timeout"),
      hint: "raise the timeout or --budget, or ask for less work")
  }
}

/// Runs engine code, turning its errors into errors at an option.
func atOption<T>(_ option: DirectiveOption?, _ body: () throws -> T) throws -> T {
  do {
    return try body()
  } catch let error as EngineError {
    throw BlockError(error.description, at: option)
  }
}

/// The moment some seconds after another (at most a day: options are checked to that).
func after(seconds: Double, from start: DispatchTime) -> DispatchTime {
  let nanoseconds = UInt64(max(0, min(seconds, 86_400 * 365)) * 1e9)
  return DispatchTime(uptimeNanoseconds: start.uptimeNanoseconds &+ nanoseconds)
}
