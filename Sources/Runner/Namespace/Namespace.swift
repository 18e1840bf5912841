import NeuralEngine

/// What the blocks of one run share, Jupyter's way: the models, data sets, training
/// histories, graphs and threshold units defined so far, what their authors titled them,
/// and every named value.
///
/// The entries are one dictionary of ``Entry`` values, so copying the namespace, taking a
/// snapshot, recording what a block changed and applying it again (the block cache) are
/// each one line, whatever kinds of entry there are. The typed views (``models``,
/// ``datasets``, …) read and write that one dictionary.
final class Namespace {
  /// One thing a block defined.
  enum Entry: Codable, Equatable {
    case model(ModelEntry)
    case dataset(Dataset)
    case history(TrainingHistory)
    case graph(ComputationGraph)
    case unit(ThresholdEntry)
    /// What the author titled a model, run, data set or unit (`title:`).
    case title(String)
    /// What a run is when its author gave no title: "SGD, η = 0.001".
    case description(String)
  }

  /// An entry's key: its kind and its name (a model and its training run may share one).
  enum Key: Codable, Hashable {
    case model(String)
    case dataset(DataReference)
    case history(String)
    case graph(String)
    case unit(String)
    case title(String)
    case description(String)
  }

  /// Every entry.
  var entries: [Key: Entry] = [:]
  /// The data sets dropped after their last reader (``releaseDataset(_:)``): still
  /// named when a mistyped reference is answered with a suggestion.
  var releasedDatasets: Set<DataReference> = []
  var values = ValueStore()
  var exerciseCount = 0

  /// Drops a data set (a whole set or one part) that no block below reads.
  func releaseDataset(_ reference: DataReference) {
    if entries.removeValue(forKey: .dataset(reference)) != nil {
      releasedDatasets.insert(reference)
    }
  }

  /// A namespace with the same entries (storage shared until written), for a block that
  /// runs beside others.
  func copy() -> Namespace {
    let copy = Namespace()
    copy.entries = entries
    copy.releasedDatasets = releasedDatasets
    copy.values = values
    copy.exerciseCount = exerciseCount
    return copy
  }

  /// The name readers see for `name`: its title, its description, else the name itself.
  func shown(_ name: String) -> String {
    titles[name] ?? descriptions[name] ?? name
  }

  /// The entries of one kind, read and written by name.
  struct Shelf<Name, Item> {
    let namespace: Namespace
    let key: (Name) -> Key
    let name: (Key) -> Name?
    let item: (Entry) -> Item?
    let entry: (Item) -> Entry

    subscript(name: Name) -> Item? {
      get { namespace.entries[key(name)].flatMap(item) }
      nonmutating set { namespace.entries[key(name)] = newValue.map(entry) }
    }

    /// The names of this kind, in no order.
    var keys: [Name] { namespace.entries.keys.compactMap(name) }
  }

  var models: Shelf<String, ModelEntry> {
    Shelf(
      namespace: self, key: Key.model, name: { if case .model(let x) = $0 { x } else { nil } },
      item: { if case .model(let x) = $0 { x } else { nil } }, entry: Entry.model)
  }
  var datasets: Shelf<DataReference, Dataset> {
    Shelf(
      namespace: self, key: Key.dataset, name: { if case .dataset(let x) = $0 { x } else { nil } },
      item: { if case .dataset(let x) = $0 { x } else { nil } }, entry: Entry.dataset)
  }
  var histories: Shelf<String, TrainingHistory> {
    Shelf(
      namespace: self, key: Key.history, name: { if case .history(let x) = $0 { x } else { nil } },
      item: { if case .history(let x) = $0 { x } else { nil } }, entry: Entry.history)
  }
  var graphs: Shelf<String, ComputationGraph> {
    Shelf(
      namespace: self, key: Key.graph, name: { if case .graph(let x) = $0 { x } else { nil } },
      item: { if case .graph(let x) = $0 { x } else { nil } }, entry: Entry.graph)
  }
  var units: Shelf<String, ThresholdEntry> {
    Shelf(
      namespace: self, key: Key.unit, name: { if case .unit(let x) = $0 { x } else { nil } },
      item: { if case .unit(let x) = $0 { x } else { nil } }, entry: Entry.unit)
  }
  var titles: Shelf<String, String> {
    Shelf(
      namespace: self, key: Key.title, name: { if case .title(let x) = $0 { x } else { nil } },
      item: { if case .title(let x) = $0 { x } else { nil } }, entry: Entry.title)
  }
  var descriptions: Shelf<String, String> {
    Shelf(
      namespace: self, key: Key.description,
      name: { if case .description(let x) = $0 { x } else { nil } },
      item: { if case .description(let x) = $0 { x } else { nil } }, entry: Entry.description)
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
/// A convolutional or recurrent model keeps the layers in front of its dense ones in
/// `front`; `network` is then its dense head.
struct ModelEntry: Codable, Equatable {
  var network: Network<Double>
  var trainsInFloat: Bool
  var front: ModelFront? = nil
}

/// The layers in front of a model's dense ones.
enum ModelFront: Codable, Equatable {
  /// Convolution and pooling over images of one size.
  case convolution(
    height: Int, width: Int, channels: Int, stages: [ConvolutionalNetwork<Double>.Stage])
  /// A recurrent cell over sequences of `steps` steps.
  case recurrent(SimpleRecurrent<Double>, steps: Int)
}
