import Figures
import Foundation

/// The order a course's notebooks start in when several run at once: the longest first,
/// so the lecture that trains for seconds does not start last and finish alone while the
/// other processor idles. How long each took last time is kept in
/// `.nbrun-cache/course/seconds.tsv` (written with `--no-cache` too, as the course's heads
/// are; never under `--check`); a notebook not timed yet is placed by its size. Only the
/// start order changes: messages and files still come in the order the notebooks were
/// named.
struct CourseSchedule {
  /// The timings file; `nil` keeps none (a linked cache folder).
  let file: URL?

  init(cache: String?) {
    file = cache.map {
      URL(fileURLWithPath: $0).appendingPathComponent("course").appendingPathComponent(
        "seconds.tsv")
    }
  }

  /// The notebooks' indices in the order to start them: known seconds first, longest
  /// first, then the rest by size, largest first; ties keep the named order.
  func order(_ notebooks: [String]) -> [Int] {
    let known = read()
    let cost = notebooks.map { path -> (seconds: Double, size: Int) in
      let key = Self.key(path)
      let size =
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int).flatMap { $0 }
      return (known[key] ?? -1, size ?? 0)
    }
    return notebooks.indices.sorted { a, b in
      if cost[a].seconds != cost[b].seconds { return cost[a].seconds > cost[b].seconds }
      if cost[a].size != cost[b].size { return cost[a].size > cost[b].size }
      return a < b
    }
  }

  /// Keeps each notebook's seconds with those of the others timed before.
  func save(_ seconds: [(path: String, seconds: Double)]) {
    guard let file, !seconds.isEmpty else { return }
    var known = read()
    for (path, value) in seconds where value.isFinite && value >= 0 {
      known[Self.key(path)] = value
    }
    let text = known.keys.sorted().map { "\(NumberText.fixed(known[$0] ?? 0, decimals: 3))\t\($0)" }
    KaTeXCache.write(text.joined(separator: "\n") + "\n", to: file)
  }

  /// The timings kept: `SECONDS<TAB>PATH` a line; lines that are not are skipped.
  func read() -> [String: Double] {
    guard let file, let text = try? String(contentsOf: file, encoding: .utf8) else { return [:] }
    var known: [String: Double] = [:]
    for line in text.split(separator: "\n") {
      let fields = line.split(separator: "\t", maxSplits: 1)
      guard fields.count == 2, let seconds = Double(fields[0]), seconds.isFinite, seconds >= 0
      else { continue }
      known[String(fields[1])] = seconds
    }
    return known
  }

  /// A notebook's key: its absolute path.
  static func key(_ path: String) -> String {
    URL(fileURLWithPath: path).standardizedFileURL.path
  }
}
