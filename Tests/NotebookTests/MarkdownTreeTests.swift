import Foundation
import Testing

@testable import Notebook

/// Issue 26: cmark's whole tree, inlines included, as Swift values from one conversion.
@Suite("The Markdown tree")
struct MarkdownTreeTests {
  static func leaves(_ text: String) -> [MarkdownLeaf] {
    MarkdownParser.parse(text).blocks.flatMap(\.tree).compactMap {
      if case .leaf(let leaf) = $0 { leaf } else { nil }
    }
  }

  @Test("text keeps its place in the source; what cmark decoded is a leaf without one")
  func textIsLocated() {
    #expect(
      Self.leaves("Cost \\| of &amp; and &#123; or &copy; {{ hk.grad_w14 }}\n") == [
        .text("Cost ", at: SourceLocation(line: 1, column: 1)), .text("|", at: nil),
        .text(" of ", at: SourceLocation(line: 1, column: 8)), .text("&", at: nil),
        .text(" and ", at: SourceLocation(line: 1, column: 17)), .text("{", at: nil),
        .text(" or ", at: SourceLocation(line: 1, column: 28)), .text("©", at: nil),
        .text(" {{ hk.grad_w14 }}", at: SourceLocation(line: 1, column: 38)),
      ])
    #expect(
      Self.leaves("> quoted *and* `code`\n") == [
        .text("quoted ", at: SourceLocation(line: 1, column: 3)),
        .text("and", at: SourceLocation(line: 1, column: 11)),
        .text(" ", at: SourceLocation(line: 1, column: 15)),
        .code("code"),
      ])
  }

  @Test("math is a node: its runs in the masked parse, across lines, with its label")
  func mathIsANode() {
    let text = "A $x_1$ and\n$$\na\n= b\n$$ {#eq-one} end\n"
    let (document, _) = Document.parse(text, path: "t.md")
    let leaves = document.blocks.compactMap { block -> [MarkdownEvent]? in
      if case .markdown(let markdown) = block { markdown.tree } else { nil }
    }.flatMap { $0 }.compactMap { if case .leaf(let leaf) = $0 { leaf } else { nil } }
    #expect(
      leaves == [
        .text("A ", at: SourceLocation(line: 1, column: 1)), .math(index: 0, label: nil),
        .text(" and", at: SourceLocation(line: 1, column: 8)), .softBreak,
        .math(index: 1, label: "eq-one"), .text(" end", at: SourceLocation(line: 5, column: 13)),
      ])
    #expect(document.math.map(\.tex) == ["x_1", "\na\n= b\n"])
  }

  @Test(
    "cmark parses every course notebook once; blocks it read markup across math in are parsed again, masked"
  )
  func oneParse() throws {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("notebooks")
    let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
      $0.hasSuffix(".md")
    }
    #expect(names.count >= 9)
    var regions: [String: Int] = [:]
    for name in names {
      let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
      let (document, _) = Document.parse(text, path: name)
      #expect(document.cmarkParses == 1, "\(name)")
      #expect(!document.math.isEmpty, "\(name)")
      regions[name] = document.maskedRegions
    }
    // Lecture 2 has a line of math that starts with `+`; lecture 3 an underscore of one
    // span that would close emphasis opened in another.
    #expect(regions.filter { $0.value > 0 } == ["lecture2.md": 1, "lecture3.md": 1])
    // A line of math that starts with `+`, an emphasis across a span's edge, display math
    // over `=`: parsed again with the math masked, and still math.
    for text in ["Let $a\n+ b$ hold.\n", "*a $b* c$ d\n", "$$\nx\n$$\n=\n"] {
      let (document, _) = Document.parse(text, path: "t.md")
      #expect(document.cmarkParses == 1 && document.maskedRegions == 1, "\(text)")
      #expect(document.math.count == 1, "\(text)")
      let tree = document.blocks.compactMap { block -> [MarkdownEvent]? in
        if case .markdown(let markdown) = block { markdown.tree } else { nil }
      }.flatMap { $0 }
      #expect(tree.contains(.leaf(.math(index: 0, label: nil))), "\(text)")
      #expect(!tree.contains(.enter(.item)) && !tree.contains(.enter(.emphasis)), "\(text)")
    }
    #expect(Document.parse("*a* $b_1$ and $c*$\n", path: "t.md").0.maskedRegions == 0)
  }
}
