import Foundation
import Testing

@testable import CommandLineSupport

/// Issue 29: a course's notebooks start longest first (by their last run's seconds, else
/// by size), so the long lecture does not finish alone; messages and files keep the named
/// order.
@Suite struct CourseScheduleTests {
  @Test func notebooksStartLongestFirstAndReportInTheNamedOrder() throws {
    let folder = try WarmPathTests.folder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let prose = String(repeating: "Prose that makes the notebook longer.\n", count: 40)
    let texts = [
      "a": "# A\n\nShort.\n", "b": "# B\n\n" + prose,
      "c": "# C\n\nMiddling.\n\n" + prose.prefix(200),
    ]
    for (name, text) in texts {
      try Data(text.utf8).write(to: folder.appendingPathComponent("\(name).md"))
    }
    let cache = folder.appendingPathComponent(".nbrun-cache")
    let schedule = CourseSchedule(cache: cache.path)
    let paths = ["a", "b", "c"].map { folder.appendingPathComponent("\($0).md").path }
    // Not timed yet: by size, the largest first.
    #expect(schedule.order(paths) == [1, 2, 0])

    let run = try FormatsTests.nbrun(["a.md", "b.md", "c.md", "-j", "2", "--to", "md"], in: folder)
    #expect(run.status == 0, "\(run.errors)")
    let said = ["a.md:", "b.md:", "c.md:"].compactMap { run.errors.range(of: $0)?.lowerBound }
    #expect(said.count == 3 && said == said.sorted(), "reported as named: \(run.errors)")
    let timed = schedule.read()
    #expect(Set(timed.keys) == Set(paths.map(CourseSchedule.path)), "\(timed)")
    #expect(timed.values.allSatisfy { $0 >= 0 && $0 < 60 })

    // Timed: the seconds decide, whatever the sizes; a bad value is skipped.
    schedule.save([(paths[0], 0.1), (paths[2], 2.5), (paths[1], 0.01), (paths[1], .nan)])
    #expect(schedule.order(paths) == [2, 0, 1])
    // --check reads the timings and writes none.
    let kept = schedule.read()
    let check = try FormatsTests.nbrun(
      ["--check", "a.md", "b.md", "c.md", "--to", "md"], in: folder)
    #expect(check.status == 0, "\(check.errors)")
    #expect(schedule.read() == kept)
    // A damaged entry reads as no timings: the order goes by size again.
    let stored = cache.appendingPathComponent("course")
    for name in try FileManager.default.contentsOfDirectory(atPath: stored.path) {
      let url = stored.appendingPathComponent(name)
      var data = try Data(contentsOf: url)
      guard let last = data.indices.last else { continue }
      data[last] ^= 0x01
      try data.write(to: url)
    }
    #expect(schedule.read().isEmpty)
    #expect(schedule.order(paths) == [1, 2, 0])
  }
}
