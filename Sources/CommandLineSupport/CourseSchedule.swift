import Foundation
import Runner

/// The order a course's notebooks start in when several run at once: the longest first,
/// so the lecture that trains for seconds does not start last and finish alone while the
/// other processor idles. How long each took last time is kept in the course store
/// (`.nbrun-cache/course/`, written with `--no-cache` too, as the course's heads are;
/// never under `--check`); a notebook not timed yet is placed by its size. Only the
/// start order changes: messages and files still come in the order the notebooks were
/// named.
struct CourseSchedule {
  /// Where the timings are kept (the course store, beside the notebooks' heads); `nil`
  /// keeps none (a linked cache folder).
  let store: DiskBlockStore?

  init(cache: String?) {
    store = cache.map { DiskBlockStore(folder: URL(fileURLWithPath: $0), kind: "course") }
  }

  /// The timings' key in the store.
  private static let key: String = {
    var hash = StableHash()
    hash.add("course seconds: each notebook's last run")
    return hash.hex
  }()

  /// The notebooks' indices in the order to start them: known seconds first, longest
  /// first, then the rest by size, largest first; ties keep the named order.
  func order(_ notebooks: [String]) -> [Int] {
    let known = read()
    let cost = notebooks.map { path -> (seconds: Double, size: Int) in
      let size =
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int).flatMap { $0 }
      return (known[Self.path(path)] ?? -1, size ?? 0)
    }
    return notebooks.indices.sorted { a, b in
      if cost[a].seconds != cost[b].seconds { return cost[a].seconds > cost[b].seconds }
      if cost[a].size != cost[b].size { return cost[a].size > cost[b].size }
      return a < b
    }
  }

  /// Keeps each notebook's seconds with those of the others timed before.
  func save(_ seconds: [(path: String, seconds: Double)]) {
    guard let store, !seconds.isEmpty else { return }
    var known = read()
    for (path, value) in seconds where value.isFinite && value >= 0 {
      known[Self.path(path)] = value
    }
    guard let data = try? JSONEncoder().encode(known) else { return }
    store.save(data, for: Self.key)
  }

  /// The timings kept, by absolute path; a damaged entry reads as none, a bad value is
  /// skipped.
  func read() -> [String: Double] {
    guard let data = store?.load(Self.key),
      let known = try? JSONDecoder().decode([String: Double].self, from: data)
    else { return [:] }
    return known.filter { $0.value.isFinite && $0.value >= 0 }
  }

  /// A notebook's key: its absolute path.
  static func path(_ path: String) -> String {
    URL(fileURLWithPath: path).standardizedFileURL.path
  }
}
