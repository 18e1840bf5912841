import NeuralEngine

/// What the blocks of one run share, Jupyter's way: the models, data sets, training
/// histories, graphs and threshold units defined so far, and every named value.
final class Namespace {
  var models: [String: ModelEntry] = [:]
  var datasets: [String: Dataset] = [:]
  var histories: [String: TrainingHistory] = [:]
  var graphs: [String: ComputationGraph] = [:]
  var units: [String: ThresholdEntry] = [:]
  var values = ValueStore()
  var exerciseCount = 0
  /// What the author titled a model, run, data set or unit (`title:`).
  var titles: [String: String] = [:]
  /// What a run is when its author gave no title: "SGD, η = 0.001".
  var descriptions: [String: String] = [:]

  /// A namespace with the same entries (storage shared until written), for a block that
  /// runs beside others.
  func copy() -> Namespace {
    let copy = Namespace()
    copy.models = models
    copy.datasets = datasets
    copy.histories = histories
    copy.graphs = graphs
    copy.units = units
    copy.values = values
    copy.exerciseCount = exerciseCount
    copy.titles = titles
    copy.descriptions = descriptions
    return copy
  }

  /// The name readers see for `name`: its title, its description, else the name itself.
  func shown(_ name: String) -> String {
    titles[name] ?? descriptions[name] ?? name
  }
}

/// A threshold unit in the namespace, for plots: its weights (bias first) or its
/// McCulloch–Pitts threshold, and the truth table it was checked against.
struct ThresholdEntry: Codable, Equatable {
  var perceptron: Perceptron?
  var inputs: [[Int]]
  var outputs: [Int]
  var targets: [Int]?
}

/// A model in the namespace: its network (kept in Double) and the precision it trains in.
struct ModelEntry: Codable, Equatable {
  var network: Network<Double>
  var trainsInFloat: Bool
}
