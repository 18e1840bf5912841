import Dispatch
import Foundation

/// Work spread over threads, results in the order of the input: notebooks rendered at
/// once (the command line), a notebook's independent blocks run side by side (the session).
public enum Parallel {
  /// `body` applied to every item on up to `workers` threads (never more than there are
  /// items or resources); the results come back in the items' order, whatever finished
  /// first. Each thread owns one of `resources` for its whole life (a KaTeX checker, whose
  /// JavaScript heap must not be shared), so `body` never sees one resource on two threads.
  public static func map<Item, Resource, Output>(
    _ items: [Item], workers: Int, resources: [Resource], _ body: (Item, Resource) -> Output
  ) -> [Output] {
    let threads = max(1, min(workers, items.count, resources.count))
    if threads == 1, let resource = resources.first { return items.map { body($0, resource) } }
    let shared = Shared<Output>(count: items.count)
    withoutActuallyEscaping(body) { body in
      let work = Unchecked((body, items, resources))
      DispatchQueue.concurrentPerform(iterations: threads) { thread in
        let (body, items, resources) = work.value
        let resource = resources[thread]
        while let index = shared.next() {
          shared.store(body(items[index], resource), at: index)
        }
      }
    }
    return shared.results.compactMap { $0 }
  }

  /// The next item to take and the results so far, behind one lock.
  private final class Shared<Output>: @unchecked Sendable {
    private let lock = NSLock()
    private var cursor = 0
    private(set) var results: [Output?]

    init(count: Int) { results = Array(repeating: nil, count: count) }

    func next() -> Int? {
      lock.withLock {
        guard cursor < results.count else { return nil }
        defer { cursor += 1 }
        return cursor
      }
    }

    func store(_ output: Output, at index: Int) {
      lock.withLock { results[index] = output }
    }
  }

  /// A value handed to other threads by a caller that keeps each part on one thread.
  private struct Unchecked<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
  }
}
