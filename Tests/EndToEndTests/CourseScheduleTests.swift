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
    #expect(Set(timed.keys) == Set(paths.map(CourseSchedule.key)), "\(timed)")
    #expect(timed.values.allSatisfy { $0 >= 0 && $0 < 60 })

    // Timed: the seconds decide, whatever the sizes; a damaged line is skipped.
    let file = cache.appendingPathComponent("course/seconds.tsv")
    let kept = "0.100\t\(paths[0])\nnot a line\n2.500\t\(paths[2])\n0.010\t\(paths[1])\n"
    try Data(kept.utf8).write(to: file)
    #expect(schedule.order(paths) == [2, 0, 1])
    // --check reads the timings and writes none.
    let check = try FormatsTests.nbrun(
      ["--check", "a.md", "b.md", "c.md", "--to", "md"], in: folder)
    #expect(check.status == 0, "\(check.errors)")
    #expect(try String(contentsOf: file, encoding: .utf8) == kept)
  }
}
