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
}
