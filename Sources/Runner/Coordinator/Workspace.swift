/// A namespace that outlives one run: the Jupyter kernel's, where each cell is a run of
/// its own (``Session/init(document:options:workspace:)``) and sees what earlier cells
/// defined. Blocks are numbered across the runs, so a value's place in the order is kept.
///
/// A workspace is used by one run at a time (the kernel runs one cell at a time).
public final class Workspace: @unchecked Sendable {
  let namespace = Namespace()
  /// How many blocks ran in it: the next run's blocks are numbered from here.
  public internal(set) var blockCount = 0

  public init() {}

  /// Forgets the values the blocks numbered `blocks` defined (a cell run again replaces
  /// its results). Models, data sets and histories are replaced by name when it runs.
  public func forget(blocks: Range<Int>) {
    namespace.values.forget(blocks)
  }

  /// The names a cell may read: models, data sets, training runs, graphs, units and
  /// every owner of a value, sorted.
  public var names: [String] {
    var names = Set(namespace.values.owners)
    for key in namespace.entries.keys {
      switch key {
      case .model(let name), .history(let name), .graph(let name), .unit(let name):
        names.insert(name)
      case .dataset(let reference): names.insert(reference.description)
      case .title, .description: break
      }
    }
    return names.sorted()
  }

  /// The quantities a name has (`loss`, `w1`, …), for completing `hk.`.
  public func quantities(of owner: String) -> [String] {
    namespace.values.quantities(of: owner)
  }
}
