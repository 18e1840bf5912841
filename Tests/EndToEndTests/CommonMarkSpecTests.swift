import Foundation
import Notebook
import Rendering
import Runner
import Testing

/// Every example of the CommonMark spec as a notebook: the Markdown handout is the author's
/// bytes, and the HTML page's `<main>` is what the `cmark` command (the same libcmark)
/// gives, after the spec suite's own normalisation (which ignores heading ids).
@Suite("The CommonMark spec")
struct CommonMarkSpecTests {
  static let folder = CourseTests.repository.appendingPathComponent("Tests/Fixtures/commonmark")

  /// The spec's examples: Markdown between a line of 32 backticks and `example` and a line
  /// holding only `.`; `→` stands for a tab.
  static func examples() throws -> [String] {
    let spec = try String(
      contentsOf: folder.appendingPathComponent("spec.txt"), encoding: .utf8)
    var examples: [String] = []
    var current: [Substring]?
    let fence = String(repeating: "`", count: 32) + " example"
    for line in spec.split(separator: "\n", omittingEmptySubsequences: false) {
      if line == fence {
        current = []
      } else if line == ".", let lines = current {
        examples.append(lines.joined(separator: "\n").replacing("→", with: "\t") + "\n")
        current = nil
      } else if current != nil {
        current?.append(line)
      }
    }
    return examples
  }

  /// The tree nbrun converts cmark's parse into, written by nbrun's HTML writer, is cmark's
  /// own HTML for every example, byte for byte (no normalisation).
  @Test func theTreeWritesCmarksHTML() throws {
    let examples = try Self.examples()
    #expect(examples.count > 600)
    var differing: [Int] = []
    for (index, example) in examples.enumerated() {
      let tree = MarkdownParser.parse(example).blocks.flatMap(\.tree)
      if MarkdownHTML().html(tree) != MarkdownParser.html(of: example) {
        differing.append(index + 1)
      }
    }
    #expect(differing.isEmpty, "examples \(differing)")
  }

  static func render(_ markdown: String) -> (markdown: String, main: String) {
    let (document, diagnostics) = Document.parse(markdown, path: "spec.md")
    let result = Session(document: document).run(parseDiagnostics: diagnostics)
    let html = HTMLHandout(result: result, name: "spec", math: nil).text
    var main = ""
    if let start = html.range(of: "<main>\n"), let end = html.range(of: "</main>\n") {
      main = String(html[start.upperBound..<end.lowerBound])
    }
    return (MarkdownHandout(result: result, name: "spec").text, main)
  }

  @Test func everyExampleIsItsOwnMarkdownHandout() throws {
    let examples = try Self.examples()
    #expect(examples.count > 600)
    for (index, example) in examples.enumerated() {
      #expect(Self.render(example).markdown == example, "example \(index + 1)")
    }
  }

  @Test func everyExamplesPageIsCmarksHTML() throws {
    let examples = try Self.examples()
    let cases = examples.map { ["markdown": $0, "html": Self.render($0).main] }
    let input = FileManager.default.temporaryDirectory
      .appendingPathComponent("nbrun-spec-\(UUID().uuidString).json")
    try JSONSerialization.data(withJSONObject: cases).write(to: input)
    defer { try? FileManager.default.removeItem(at: input) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [
      "python3", Self.folder.appendingPathComponent("compare.py").path, Self.folder.path,
      input.path,
    ]
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    try #require(process.terminationStatus == 0, "python3 and the cmark command (scripts/setup)")
    let failures = try #require(
      JSONSerialization.jsonObject(with: data) as? [[String: Any]])
    for failure in failures {
      let index = (failure["index"] as? Int) ?? -1
      Issue.record(
        "example \(index + 1): \(examples.indices.contains(index) ? examples[index] : "")\nnbrun: \(failure["nbrun"] ?? "")\ncmark: \(failure["cmark"] ?? "")"
      )
    }
  }
}
