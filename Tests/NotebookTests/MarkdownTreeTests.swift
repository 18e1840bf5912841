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
    let leaves = Self.leaves("Cost \\| of &amp; and &#123; or &copy; {{ hk.grad_w14 }} @fig-a\n")
    #expect(
      Array(leaves.prefix(9)) == [
        .text("Cost ", at: SourceLocation(line: 1, column: 1)), .text("|", at: nil),
        .text(" of ", at: SourceLocation(line: 1, column: 8)), .text("&", at: nil),
        .text(" and ", at: SourceLocation(line: 1, column: 17)), .text("{", at: nil),
        .text(" or ", at: SourceLocation(line: 1, column: 28)), .text("©", at: nil),
        .text(" ", at: SourceLocation(line: 1, column: 38)),
      ])
    // The placeholder (three text nodes to cmark) and the reference are leaves of their own.
    guard leaves.count == 12, case .placeholder(let placeholder) = leaves[9],
      case .reference(let use) = leaves[11]
    else {
      Issue.record("\(leaves)")
      return
    }
    #expect(placeholder.location == SourceLocation(line: 1, column: 39))
    #expect(placeholder.reference == "hk.grad_w14" && placeholder.range == 38..<55)
    #expect(leaves[10] == .text(" ", at: SourceLocation(line: 1, column: 56)))
    #expect(use.label == "fig-a" && use.location == SourceLocation(line: 1, column: 57))
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

/// The one parse gives the tree the masked parse gives (math masked everywhere, the
/// structure the author meant), on many random notebooks of math and markup.
@Suite("One parse and the masked parse agree")
struct OneParseAgreementTests {
  @Test func randomNotebooks() {
    let pieces = [
      "$x_1$", "$a*b$", "$$\nx\n= y\n$$", "\\(z\\)", "\\[w\\]", "*em*", "_u_", "**s**", "`c|d`",
      "[l](u)", "![i](p.png)", "<b>h</b>", "\\$", "&amp;", "{{ hk.O6 }}", "@fig-a", "$y^*$",
      "$\\{q\\}$", "$a\n+ b$", "$5 and $10", "|", " ", " ", "\n", "\n", "\n\n", "- ", "> ", "# ",
      "1. ", "    ", "word", "w_i", "*", "_", "$", "$$", "\\", "=\n", "---\n",
      "```\ncode $x$\n```\n",
    ]
    var seed: UInt64 = 0x5EED
    func next() -> Int {
      // xorshift: deterministic, so a failure reproduces.
      seed ^= seed << 13
      seed ^= seed >> 7
      seed ^= seed << 17
      return Int(seed % UInt64(pieces.count))
    }
    var differing: [String] = []
    for _ in 0..<4000 {
      let text = (0..<(4 + next() % 20)).map { _ in pieces[next()] }.joined() + "\n"
      var spans: [MathSpan] = []
      guard
        let (once, math) = MarkdownParser.parseOnce(
          text,
          recognise: { lines in
            spans = MathScanner.spans(in: text, verbatim: lines)
            return spans
          })
      else { continue }
      #expect(math == spans)
      let masked = MarkdownParser.parse(MathScanner.masked(text, spans: spans), math: spans)
      // The same blocks, starting on the same lines (a block's end may differ by the
      // blank lines after it: cmark counts them into a list that ends the text).
      // Text places may be known to one and not the other (the masked text lines up with
      // the source less often); where both know one, it is the same.
      func placeless(_ tree: [MarkdownEvent]) -> [MarkdownEvent] {
        tree.map {
          if case .leaf(.text(let text, _)) = $0 { .leaf(.text(text, at: nil)) } else { $0 }
        }
      }
      for (a, b) in zip(once.blocks.flatMap(\.tree), masked.blocks.flatMap(\.tree)) {
        if case .leaf(.text(_, let x?)) = a, case .leaf(.text(_, let y?)) = b { #expect(x == y) }
      }
      if once.blocks.map({ placeless($0.tree) }) != masked.blocks.map({ placeless($0.tree) })
        || once.blocks.map(\.range.start) != masked.blocks.map(\.range.start)
      {
        if differing.count < 3 {
          differing.append(text)
          print("DIFF", text.debugDescription)
          print("COUNTS", once.blocks.count, masked.blocks.count)
          for (a, b) in zip(once.blocks, masked.blocks)
          where a.tree != b.tree || a.range.start != b.range.start {
            let first =
              a.tree.indices.first { !b.tree.indices.contains($0) || a.tree[$0] != b.tree[$0] }
              ?? a.tree.count
            print(
              "ONCE", a.range, a.tree.count,
              a.tree[max(0, first - 1)..<min(a.tree.count, first + 3)])
            print(
              "MASK", b.range, b.tree.count,
              b.tree[max(0, first - 1)..<min(b.tree.count, first + 3)])
            break
          }
        }
      }
    }
    #expect(differing.isEmpty, "\(differing)")
  }
}
