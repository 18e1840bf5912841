import Foundation
import Notebook
import Testing

@Suite("Reading notebooks")
struct DocumentTests {
  static func parse(_ text: String) -> (Document, [Diagnostic]) {
    Document.parse(text, path: "nb.md")
  }

  @Test func frontMatterSetsDefaults() {
    let (document, diagnostics) = Self.parse(
      "---\ntitle: Week 2\nprecision: 3\nseed: 11\nnotation: layer\nauthr: me\n---\n\n# Hi\n")
    #expect(document.frontMatter.title == "Week 2")
    #expect(document.frontMatter.precision == 3)
    #expect(document.frontMatter.seed == 11)
    #expect(document.frontMatter.notation == .layer)
    #expect(document.frontMatter.lines == 1...7)
    #expect(diagnostics.count == 1)
    #expect(diagnostics.first?.severity == .warning)
    #expect(
      diagnostics.first?.headline
        == "nb.md:6:1: warning: unknown front matter key 'authr' is ignored")
    #expect(diagnostics.first?.hint == "did you mean 'author'?")
    // The heading's line number is the file's, front matter included.
    #expect(document.blocks.first?.range.start.line == 9)
  }

  @Test func badFrontMatterValuesAreLocated() {
    let (_, diagnostics) = Self.parse("---\nprecision: many\n---\n")
    #expect(
      diagnostics.first?.headline.hasPrefix("nb.md:2:1: error: precision must be a whole number")
        == true)
  }

  @Test func directivesOptionsAndOrdinaryCode() throws {
    let text = """
      Some prose.

      ```model hk echo=true
      inputs: x1 x2 x3
      layer: 2 sigmoid
      layer: 1 sigmoid
      ```

      ```python
      model = keras.Sequential()
      ```

      ```data fit
      rows:
        0.5 0.2
        2.5 0.9
      ```
      """
    let (document, diagnostics) = Self.parse(text)
    #expect(diagnostics.isEmpty)
    #expect(document.directives.map(\.title) == ["model hk", "data fit"])
    let model = try #require(document.directives.first)
    #expect(model.options.map(\.key) == ["echo", "inputs", "layer", "layer"])
    #expect(model.options("layer").map(\.value) == ["2 sigmoid", "1 sigmoid"])
    #expect(model.option("inputs")?.valueLocation == SourceLocation(line: 4, column: 9))
    #expect(model.range.lines == 3...7)
    #expect(document.directives[1].option("rows")?.value == "0.5 0.2\n2.5 0.9")
    // The python block stays an ordinary code block.
    #expect(document.blocks.count == 4)
  }

  @Test func nearMissesAndBadOptionsAreLocatedWithSuggestions() {
    let text = """
      ```modle hk
      inputs: 3
      ```

      ```model hk
      inputs: 3
      layr: 2 relu
      layer: 1 sigmoid
      just words
      ```

      ```train
      epochs: 5
      epochs: 6
      ```

      ```expr g
      J = 3*a
      a = 2
      ```

      ```data open
      rows: 1 2
      """
    let (document, diagnostics) = Self.parse(text)
    let lines = diagnostics.map(\.headline)
    #expect(
      lines.contains(
        "nb.md:1:4: warning: 'modle' is not a directive, so this block is shown as code"))
    #expect(diagnostics.first { $0.message.contains("modle") }?.hint == "did you mean 'model'?")
    // Option names, a required name and what a body holds are the directives' own (checked
    // when the runner plans a block, tested there): the reader keeps the line as it is.
    #expect(!lines.contains { $0.contains(":9:") || $0.contains(":12:") })
    #expect(document.directives[0].lines.map(\.text) == ["just words"])
    #expect(lines.contains { $0.hasPrefix("nb.md:22:1: error: this data block is never closed") })
    #expect(
      !lines.contains { $0.contains(":18:") || $0.contains(":19:") }, "expr lines are equations")
  }

  @Test func diagnosticsPrintTheLineAndACaret() {
    let diagnostic = Diagnostic(
      path: "nb.md", location: SourceLocation(line: 3, column: 10),
      message: "unknown activation 'sigmod'",
      hint: "did you mean 'sigmoid'?", sourceLine: "layer: 2 sigmod", length: 6)
    #expect(
      diagnostic.description == """
        nb.md:3:10: error: unknown activation 'sigmod'
            layer: 2 sigmod
                     ^~~~~~
            did you mean 'sigmoid'?
        """)
  }
}

@Suite("Math and cmark")
struct MathTests {
  @Test func spansInlineDisplayAndNotMath() {
    let text = "Cost $20,000 and $30,000.\nLet $x_1*y*z$ be. \\$ no. `$code$`\n$$\na = b\n= c\n$$\n"
    let spans = MathScanner.spans(in: text)
    #expect(spans.map(\.tex) == ["x_1*y*z", "\na = b\n= c\n"])
    #expect(spans.map(\.display) == [false, true])
  }

  @Test func maskedTextKeepsPositionsAndBlockStructure() {
    let text = "Intro with $a_{i}^{*} + b_{j}^{*}$ here.\n\n$$\nx\n= y\n$$\n\n- $a$ item\n"
    let masked = MathScanner.masked(text, spans: MathScanner.spans(in: text))
    #expect(masked.utf8.count == text.utf8.count)
    #expect(
      masked.split(separator: "\n", omittingEmptySubsequences: false).map(\.utf8.count)
        == text.split(separator: "\n", omittingEmptySubsequences: false).map(\.utf8.count))
    let blocks = MarkdownParser.blocks(of: masked)
    // The display math is one paragraph, not a setext heading.
    #expect(blocks.map(\.kind) == [.paragraph, .paragraph, .list])
  }

  @Test func fencedCodeIsNotScanned() {
    #expect(MathScanner.spans(in: "```\n$a$\n```\n$b$\n").map(\.tex) == ["b"])
  }
}
