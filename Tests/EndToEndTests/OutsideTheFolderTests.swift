import Foundation
import Testing

/// Issue 25's first findings: nothing is written or deleted through a link out of the output
/// folder, and a stray class label is an error, not a billion columns.
@Suite("Nothing escapes the output folder")
struct OutsideTheFolderTests {
  @Test("a figures folder that is a symbolic link is refused; its target is untouched")
  func linkedFiguresFolder() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent(
      "nbrun-link-\(UUID().uuidString)")
    let out = root.appendingPathComponent("out")
    let victim = root.appendingPathComponent("victim")
    try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    try FileManager.default.createDirectory(at: victim, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: root) }
    // A stale-looking figure in the link's target, which a prune would have deleted.
    try Data("keep".utf8).write(to: victim.appendingPathComponent("fig-9.svg"))
    try FileManager.default.createSymbolicLink(
      at: out.appendingPathComponent("lecture2_files"), withDestinationURL: victim)
    let notebook = CourseTests.repository.appendingPathComponent("notebooks/lecture2.md").path
    let (status, errors) = try FormatsTests.nbrun(
      ["--no-cache", "-o", out.path, notebook], in: CourseTests.repository)
    #expect(status == 2)
    #expect(
      errors.contains(
        "lecture2_files is a symbolic link, and nbrun never writes or deletes through a link"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: victim.path) == ["fig-9.svg"])
    #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("lecture2.md").path))
  }

  @Test("a cache folder, or a store in it, that is a symbolic link is not written through")
  func linkedCache() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent(
      "nbrun-cache-link-\(UUID().uuidString)")
    let victim = root.appendingPathComponent("victim")
    try FileManager.default.createDirectory(at: victim, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: root) }
    try Data(
      "# Cached\n\nMath $x^2$.\n\n```expr e\nv = 0.5\nw = 2 * v\n```\n\n{{ e.w }}\n".utf8
    ).write(to: root.appendingPathComponent("nb.md"))
    let cache = root.appendingPathComponent(".nbrun-cache")
    // First the whole folder, then only its block store, is a link to the victim.
    try FileManager.default.createSymbolicLink(at: cache, withDestinationURL: victim)
    var (status, errors) = try FormatsTests.nbrun(["-o", "out", "nb.md"], in: root)
    #expect(status == 0, "\(errors)")
    #expect(
      errors.contains(".nbrun-cache is a symbolic link, and nbrun never writes through a link"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: victim.path).isEmpty)
    try FileManager.default.removeItem(at: cache)
    try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(
      at: cache.appendingPathComponent("blocks"), withDestinationURL: victim)
    (status, errors) = try FormatsTests.nbrun(["-o", "out", "nb.md"], in: root)
    #expect(status == 0, "\(errors)")
    #expect(errors.contains(".nbrun-cache/blocks is a symbolic link"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: victim.path).isEmpty)
    #expect(try FileManager.default.contentsOfDirectory(atPath: cache.path) == ["blocks"])
  }

  @Test("a class label far beyond the data is a located error")
  func hugeLabel() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "nbrun-label-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    try Data("```data d\nrows:\n  1 0\n  2 1\n  3 999999999\nonehot: true\n```\n".utf8).write(
      to: folder.appendingPathComponent("nb.md"))
    let (status, errors) = try FormatsTests.nbrun(["--no-cache", "-o", "out", "nb.md"], in: folder)
    #expect(status == 2)
    #expect(
      errors.contains(
        "nb.md:6:9: error: label 999999999 in row 3 would make 999999999 + 1 one-hot columns"))
  }

  @Test("messages say what is wrong: a file or a broken link as -o, an absolute CSV, a huge rate")
  func messages() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "nbrun-messages-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let csv = folder.appendingPathComponent("data.csv")
    try Data("x,y\n1,0\n2,1\n".utf8).write(to: csv)
    try Data("```data d\nsource: \(csv.path)\n```\n".utf8).write(
      to: folder.appendingPathComponent("abs.md"))
    try Data(
      "```data d\nsource: xor\n```\n```model m\ninputs: 2\nlayer: 1 sigmoid\n```\n```train m\ndata: d\nrate: 1e30\n```\n"
        .utf8
    ).write(to: folder.appendingPathComponent("rate.md"))
    try Data("not a folder".utf8).write(to: folder.appendingPathComponent("file"))
    try FileManager.default.createSymbolicLink(
      atPath: folder.appendingPathComponent("broken").path, withDestinationPath: "/nonexistent/x")
    let (absolute, absoluteErrors) = try FormatsTests.nbrun(["-o", "out", "abs.md"], in: folder)
    #expect(
      absolute == 0,
      "an absolute path to an existing CSV inside the project reads: \(absoluteErrors)")
    let (rate, rateErrors) = try FormatsTests.nbrun(["-o", "out", "rate.md"], in: folder)
    #expect(rate == 2)
    #expect(
      rateErrors.contains(
        "rate.md:10:7: error: 'rate' must be a number from 0 to 1000000, not '1e30'"))
    let (file, fileErrors) = try FormatsTests.nbrun(["-o", "file", "abs.md"], in: folder)
    #expect(file == 2 && fileErrors.contains("a path on the way is a file, not a folder"))
    let (broken, brokenErrors) = try FormatsTests.nbrun(["-o", "broken", "abs.md"], in: folder)
    #expect(broken == 2 && brokenErrors.contains("(a broken link?)"))
    #expect(!(fileErrors + brokenErrors).contains("error 5"))
  }

  @Test("nbrun grade exits 2 when rows of the answer key are left out, an unknown kind among them")
  func gradeRejectedRows() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "nbrun-grade-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    try Data(
      """
      student,exercise,question,expected,tolerance,kind,points
      s1,1,hk.O4,0.3318,0.001,absolute,1
      s1,1,hk.O5,0.5250,0.001,sideways,1

      """.utf8
    ).write(to: folder.appendingPathComponent("answers.csv"))
    try Data("student,question,answer\ns1,hk.O4,0.332\ns1,hk.O5,0.525\n".utf8).write(
      to: folder.appendingPathComponent("submissions.csv"))
    let (status, errors) = try FormatsTests.nbrun(
      ["grade", "answers.csv", "submissions.csv", "--scores", "scores.csv"], in: folder)
    #expect(status == 2)
    #expect(errors.contains("answers.csv:3: kind must be 'absolute' or 'relative', not 'sideways'"))
    #expect(errors.contains("1 row(s) of answers.csv were left out"))
  }

  @Test(
    "a stopped run's staging files are removed by the next good run; a stopped roster leaves no folders"
  )
  func stateLeftBehind() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "nbrun-state-\(UUID().uuidString)")
    let out = folder.appendingPathComponent("out")
    try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let notebook = CourseTests.repository.appendingPathComponent("notebooks/exercise1.md").path
    // What SIGINT leaves: hidden staging files of a process that is gone.
    try Data("half".utf8).write(to: out.appendingPathComponent(".exercise1.md.nbrun-999999"))
    let (status, errors) = try FormatsTests.nbrun(
      ["--no-cache", "-o", out.path, notebook], in: folder)
    #expect(status == 0, "\(errors)")
    let left = try FileManager.default.contentsOfDirectory(atPath: out.path).filter {
      $0.contains(".nbrun-")
    }
    #expect(left.isEmpty, "left behind: \(left)")
    // A roster stopped by its budget writes nothing, not even empty student folders.
    let roster = folder.appendingPathComponent("roster.csv")
    try Data(("id\n" + (1...60).map { "s\($0)" }.joined(separator: "\n") + "\n").utf8).write(
      to: roster)
    let variants = folder.appendingPathComponent("variants")
    try FileManager.default.createDirectory(at: variants, withIntermediateDirectories: true)
    let (stopped, said) = try FormatsTests.nbrun(
      ["--no-cache", "--variants", roster.path, "--budget", "0.3", "-o", variants.path, notebook],
      in: folder)
    #expect(stopped == 2 && said.contains("ran out after"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: variants.path).isEmpty)
  }

  @Test("when one notebook of a course fails, its neighbours and the index lead past it")
  func failedNeighbour() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "nbrun-course-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    for (index, name) in ["one", "two", "three"].enumerated() {
      let broken = name == "two" ? "```model m\ninputs: 2\nlayer: 1 sigmod\n```\n" : ""
      try Data(
        "---\ntitle: \(name.capitalized)\ncourse: T\norder: \(index + 1)\n---\n\n# \(name)\n\nText.\n\n\(broken)"
          .utf8
      ).write(to: folder.appendingPathComponent("\(name).md"))
    }
    let (status, _) = try FormatsTests.nbrun(
      ["--quiet", "--no-cache", "-o", "out", "one.md", "two.md", "three.md"], in: folder)
    #expect(status == 2)
    let out = folder.appendingPathComponent("out")
    #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("two.html").path))
    let one = try String(contentsOf: out.appendingPathComponent("one.html"), encoding: .utf8)
    let three = try String(contentsOf: out.appendingPathComponent("three.html"), encoding: .utf8)
    let index = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
    #expect(
      !one.contains("href=\"two.html\"") && one.contains("<a rel=\"next\" href=\"three.html\">"))
    #expect(
      !three.contains("href=\"two.html\"") && three.contains("<a rel=\"prev\" href=\"one.html\">"))
    #expect(!index.contains("two.html") && index.contains("three.html"))
  }

  @Test("hostile text is read in one pass: nested braces, thousands of fence options")
  func hostileText() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "nbrun-hostile-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    // 3,000 nested braces: once a run of minutes (each `{{` searched to the end).
    let nested = String(repeating: "{", count: 3_000) + "x" + String(repeating: "}", count: 3_000)
    try Data("# Braces\n\n\(nested)\n".utf8).write(to: folder.appendingPathComponent("braces.md"))
    let (status, errors) = try FormatsTests.nbrun(
      ["--no-cache", "--budget", "60", "--to", "md", "-o", "out", "braces.md"], in: folder)
    #expect(status == 0, "\(errors)")
    let written = try String(
      contentsOf: folder.appendingPathComponent("out/braces.md"), encoding: .utf8)
    #expect(written.contains(nested), "the braces are the author's text, as written")
    // 3,000 unknown options on one fence line: the first twenty reported at their own
    // columns, the rest counted.
    let options = (1...3_000).map { "k\($0)=v" }.joined(separator: " ")
    try Data("```model m \(options)\ninputs: 2\nlayer: 1 sigmoid\n```\n".utf8).write(
      to: folder.appendingPathComponent("options.md"))
    try? FileManager.default.removeItem(at: folder.appendingPathComponent("braces.md"))
    let (bad, said) = try FormatsTests.nbrun(
      ["--no-cache", "--budget", "60", "-o", "out", "options.md"], in: folder)
    #expect(bad == 2)
    let twentieth = (1...19).map { "k\($0)=v " }.joined().count
    #expect(
      said.contains("options.md:1:\(12 + twentieth): error: unknown option 'k20' for model"),
      "the twentieth option is located at its own column")
    #expect(!said.contains("unknown option 'k21'"))
    #expect(said.contains("error: 2980 more unknown options for model follow these 20"))
  }
}
