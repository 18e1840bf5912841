import Foundation
import Notebook
import Rendering
import Runner
import Testing

/// The page rules: line endings, math in every context, pipe tables, references, front
/// matter, placeholders, ids, and Markdown that GitHub renders right.
@Suite("Pages")
struct PageTests {
  /// The `<main>` of a page.
  static func main(_ text: String) -> String {
    let html = render(text).html
    guard let start = html.range(of: "<main>\n"), let end = html.range(of: "</main>") else {
      return ""
    }
    return String(html[start.upperBound..<end.lowerBound])
  }

  /// The TeX of every math span of a text, in order.
  static func math(_ text: String) -> [String] {
    Document.parse(text, path: "nb.md").0.math.map(\.tex)
  }

  // MARK: - Line endings

  static let prose = "# Title\n\nSome *text*,\twith a tab.\n\n- a\n- b\n"

  @Test(arguments: [
    prose, prose.replacing("\n", with: "\r\n"), prose.replacing("\n", with: "\r"),
    "\u{FEFF}" + prose, String(prose.dropLast()), prose.replacing("\n", with: "\r\n") + "tail",
  ])
  func theMarkdownHandoutIsTheAuthorsBytes(_ text: String) {
    #expect(Array(render(text).markdown.utf8) == Array(text.utf8))
    #expect(
      Self.main(text) == Self.main(Self.prose.replacing("\t", with: "\t")) || text.hasSuffix("tail")
    )
  }

  @Test func aCRLFNotebookRunsLikeItsLFTwin() {
    let lf =
      "Intro.\n\n```expr g\nJ = 2*a\na = 3\n```\n\n```expect\ng.J = 6\n```\n\nJ is {{ g.J }}.\n"
    for ending in ["\r\n", "\r"] {
      let twin = lf.replacing("\n", with: ending)
      let (result, markdown, _, _) = render(twin)
      #expect(result.succeeded, "\(result.diagnostics.map(\.description))")
      #expect(result.outcomes.count == 2)
      #expect(result.value("g.J")?.number == 6)
      #expect(markdown == render(lf).markdown.replacing("\n", with: ending))
      let failing = render(twin.replacing("g.J = 6", with: "g.J = 7")).0
      #expect(failing.verdict == .checksFailed, "a failing expectation is never lost")
    }
  }

  // MARK: - Math

  @Test func mathIsFoundOnlyWhereCommonMarkHasText() {
    let none = [
      "`$a$` in code", "```\n$a$\n```", "    $a$ indented", "<div>\n$a$\n</div>",
      "<code>$a$</code> and <kbd>$b$</kbd>", "<pre>$a$</pre>", "<!-- $a$ -->",
      "[link]($a$) and [t](/u \"$b$\")", "![$a$](x.png)", "[ref]: /url \"$a$\"",
      "Cost $5 and $10 today.", "$ a$ and $a $",
    ]
    for text in none { #expect(Self.math(text).isEmpty, "\(text)") }
    #expect(Self.math("so $a\n+ b$ holds") == ["a\n+ b"], "across a soft break")
    #expect(Self.math("so $a\n\nb$ no").isEmpty, "never across a blank line")
    #expect(Self.math("- one\n  - two $x_1$\n    more $y$") == ["x_1", "y"], "nested lists")
    #expect(Self.math("> quoted $q$\nlazy $z$") == ["q", "z"], "lazy continuation")
    #expect(Self.math("| a | $b$ |\n|---|---|\n| $c$ | d |") == ["b", "c"], "table cells")
    #expect(Self.math(#"\(x\) and \[y\]"#) == ["x", "y"])
  }

  @Test func mathNeverBecomesAListAHeadingOrARule() {
    let main = Self.main("Let $a\n+ b\n- c\n* d\n= e$ hold, and\n\n$$\nx\n= y\n$$\n=\n\nend\n")
    #expect(!main.contains("<li>") && !main.contains("<h1") && !main.contains("<h2"))
    #expect(!main.contains("<hr"))
    #expect(main.contains(#"<span class="math inline">\(a"#))
    #expect(main.contains(#"<span class="math display">\["#))
  }

  @Test func mathInsideTablesAndListsIsTypeset() {
    let main = Self.main("- item $w_{ij}$\n\n| a | $L(w)$ |\n|---|---|\n| 1 | 2 |\n")
    #expect(main.contains(#"<li>item <span class="math inline">\(w_{ij}\)</span></li>"#))
    #expect(main.contains(#"<th><span class="math inline">\(L(w)\)</span></th>"#))
  }

  // MARK: - Tables

  @Test func pipeTablesFollowGitHub() {
    let main = Self.main(
      "Before the table\n| a | b |\n|---|---|\n| - | + |\n| 1. | # |\n| > q | *** |\n| x \\| y | z |\n"
    )
    #expect(main.contains("<p>Before the table</p>"), "a table interrupts a paragraph")
    for cell in [
      "<td>-</td>", "<td>+</td>", "<td>1.</td>", "<td>#</td>", "<td>&gt; q</td>", "<td>***</td>",
      "<td>x | y</td>",
    ] {
      #expect(main.contains(cell), "\(cell)")
    }
    #expect(!Self.main("Foo\n    ---\n").contains("<table"), "an indented --- is no delimiter row")
    #expect(Self.main("- item\n\n  text\n").contains("<li>"))
  }

  @Test func referenceLinksResolveAcrossTheNotebook() {
    let main = Self.main(
      "See [the slides][s].\n\n| a |\n|---|\n| [cell][s] |\n\n```expr g\nJ = 1\n```\n\n[s]: https://example.org/slides\n"
    )
    #expect(main.contains(#"<a href="https://example.org/slides">the slides</a>"#))
    #expect(main.contains(#"<td><a href="https://example.org/slides">cell</a></td>"#))
  }

  // MARK: - Front matter

  @Test func onlyAMappingAtTheTopIsFrontMatter() {
    let slides = "---\n# Slide one\n\ntext\n\n---\n\nmore\n"
    let (document, diagnostics) = Document.parse(slides, path: "nb.md")
    #expect(document.frontMatter.lines == nil)
    #expect(
      diagnostics.contains { $0.severity == .warning && $0.message.contains("not a YAML mapping") })
    #expect(Self.main(slides).contains("<h1 id=\"slide-one\">Slide one</h1>"))
    let (matter, _) = Document.parse("---\ntitle: T\n---\n\nBody\n", path: "nb.md")
    #expect(matter.frontMatter.title == "T")
  }

  // MARK: - Placeholders

  @Test func placeholdersAreFilledInProseAndMathOnly() {
    let text = """
      ```expr g
      J = 2*a
      a = 3
      ```

      Prose {{ g.J }}, math $J = {{ g.J }}$, code `{{ g.J }}`, literal \\{{ g.J }}, TeX $\\frac{1}{{n}}$.

      <!-- {{ g.J }} -->

      """
    let (result, markdown, html, _) = render(text)
    #expect(result.succeeded, "\(result.diagnostics.map(\.description))")
    #expect(
      markdown.contains(
        "Prose 6.0000, math $J = 6.0000$, code `{{ g.J }}`, literal \\{{ g.J }}, TeX $\\frac{1}{{n}}$."
      ))
    #expect(markdown.contains("<!-- {{ g.J }} -->"))
    #expect(
      html.contains(
        #"Prose 6.0000, math <span class="math inline">\(J = 6.0000\)</span>, code <code>{{ g.J }}</code>, literal {{ g.J }}"#
      ))
  }

  // MARK: - Ids and titles

  @Test func idsFollowGitHubAndAreUniqueOnThePage() throws {
    let text = """
      # Fig 1

      ## Q &amp; A

      ## Q &amp; A

      <h2 id="mine">Raw</h2>

      ```plot
      kind: activations
      functions: relu
      ```

      ```plot
      kind: activations
      functions: tanh
      ```
      """
    let html = render(text).html
    #expect(html.contains(#"<h1 id="fig-1-1">Fig 1</h1>"#), "fig-1 is the figure's")
    #expect(html.contains(#"<h2 id="q--a">Q &amp; A</h2>"#))
    #expect(html.contains(#"<h2 id="q--a-1">"#))
    #expect(html.contains(#"<h2 id="mine">Raw</h2>"#))
    let ids = html.matches(of: #/ id="([^"]+)"/#).map { String($0.output.1) }
    #expect(Set(ids).count == ids.count, "duplicate ids: \(ids)")
    #expect(html.contains("<title>Fig 1</title>"))
    #expect(render("Just text & more\n").html.contains("<title>nb</title>"))
    #expect(render("# A &amp; B\n").html.contains("<title>A &amp; B</title>"))
  }

  // MARK: - Markdown on GitHub

  @Test func generatedCellsEscapeMarkupAndFiguresHaveCaptions() {
    let (_, markdown, _, _) = render(
      "```expr g\nJ = 3 * v_a\nv_a = 2\n```\n\n```plot\nkind: activations\nfunctions: relu\n```\n")
    // The definition as math (3·v_a), its underscore escaped for GitHub.
    #expect(markdown.contains(#"| J | 3v\_a | 6 | 1 |"#))
    #expect(markdown.contains("\n\nFigure 1. Activation functions"))
  }

  @Test func aTeXMistakeIsFoundWhenTheNotebookIsBuilt() throws {
    #expect(Self.math("$\\fracc{1}{2}$") == ["\\fracc{1}{2}"])
  }

  /// Raw TeX is found on the tree, located at its line and column; what the page shows as
  /// text, never as TeX (code, an autolink's address, an image's title and alt text, a
  /// math span), is let through.
  @Test func texOutsideMathIsLocatedOnTheTree() {
    func found(_ text: String) -> [String] {
      RawTeX.diagnostics(in: Document.parse(text, path: "nb.md").0, limit: 10).map(\.headline)
    }
    #expect(found("Good $\\frac{1}{2}$ and `\\frac` in code.\n\n```\n$$x$$\n```\n").isEmpty)
    #expect(
      found("# T\n\nSee <https://example.com/\\[\\>.\n\n![plot of \\frac](p.png \"Plot of $y$\")\n")
        .isEmpty)
    #expect(
      found("# T\n\nshown as \\frac{1}{2} raw\n")
        == [
          "nb.md:3:10: error: 'shown as \\frac{1}{2} raw' is outside math, so the page shows it as TeX"
        ])
    // `\\(` is an escaped backslash and a parenthesis: two nodes, one run of text.
    #expect(found("Text \\\\(x\n").count == 1)
    #expect(found("Text \\\\(x\n").first?.hasPrefix("nb.md:1:6: error:") == true)
    // Unmatched display delimiters, and TeX in the author's HTML block (at its first line).
    #expect(found("Para\n\nthe sum $$x + y\n").first?.hasPrefix("nb.md:3:9: error:") == true)
    #expect(
      found("Para\n\n<div class=\"note\">\nthe rule $$x$$\n</div>\n").first?.hasPrefix(
        "nb.md:3:1: error:") == true)
  }
}
