import Notebook
import Testing

@Suite("cmark conversion")
struct MarkdownParserTests {
  static let lecture = """
    # Week 2

    Prose with $x_1 \\cdot w_1$ math.

    ```model hk
    inputs: x1 x2 x3
    ```

    ```python
    print("untouched")
    ```

        indented code

    | a | b |
    |---|---|
    """

  @Test func topLevelBlocksWithSourceRanges() {
    let blocks = MarkdownParser.blocks(of: Self.lecture)
    #expect(blocks.count == 6)
    #expect(blocks[0].kind == .heading(level: 1))
    #expect(blocks[0].headingText == "Week 2")
    #expect(blocks[1].kind == .paragraph)
    #expect(blocks[1].range.lines == 3...3)
    #expect(
      blocks[2].kind == .codeBlock(info: "model hk", literal: "inputs: x1 x2 x3\n", fenced: true))
    #expect(blocks[2].range.start == SourceLocation(line: 5, column: 1))
    #expect(blocks[2].range.end.line == 7)
    #expect(
      blocks[3].kind == .codeBlock(info: "python", literal: "print(\"untouched\")\n", fenced: true))
    #expect(blocks[4].kind == .codeBlock(info: "", literal: "indented code\n", fenced: false))
    // Plain cmark has no tables: an author's pipe table is a paragraph to it.
    #expect(blocks[5].kind == .paragraph)
  }

  @Test func htmlRendering() {
    #expect(MarkdownParser.html(of: "*hi* <b>there</b>") == "<p><em>hi</em> <b>there</b></p>\n")
    #expect(MarkdownParser.blocks(of: "").isEmpty)
  }
}
