import Foundation
import Notebook
import Rendering
import Runner
import Testing

func render(_ text: String, name: String = "nb") -> (
  RunResult, markdown: String, html: String, figures: [(path: String, svg: String)]
) {
  let (document, diagnostics) = Document.parse(text, path: "\(name).md")
  let result = Session(document: document).run(parseDiagnostics: diagnostics)
  let markdown = MarkdownHandout(result: result, name: name)
  let assets = MathAssets(stylesheet: "/*katex*/", script: "/*katex.js*/", autoRender: "/*auto*/")
  return (
    result, markdown.text, HTMLHandout(result: result, name: name, math: assets).text,
    markdown.figures
  )
}

let backprop = """
  # Backpropagation

  ```model hk
  inputs: x1 x2 x3
  layer: 2 sigmoid
  layer: 1 sigmoid
  weights: w14=0.2 w15=-0.3 w24=0.4 w25=0.1 w34=-0.5 w35=0.2 w46=-0.3 w56=-0.2
  biases: θ4=-0.4 θ5=0.2 θ6=0.1
  results: hide
  ```

  ```backward hk
  input: 1 0 1
  target: 1
  rate: 0.9
  precision: 3
  ```

  The output is {{ hk.O6 | 3 }}.
  """

@Suite("Number formatting")
struct NumberFormatTests {
  @Test func fixedTrimmedAndMeasured() {
    #expect(NumberFormat.fixed(-0.26082, decimals: 3) == "-0.261")
    #expect(NumberFormat.fixed(-0.0001, decimals: 3) == "0.000")
    #expect(NumberFormat.fixed(0.13117, decimals: 4) == "0.1312")
    #expect(NumberFormat.trimmed(0.9, decimals: 4) == "0.9")
    #expect(NumberFormat.trimmed(-0.3, decimals: 4) == "-0.3")
    #expect(NumberFormat.trimmed(2, decimals: 4) == "2")
    #expect(NumberFormat.measured(3.2e-7, decimals: 4) == "3.2e-07")
    #expect(NumberFormat.measured(0.01862, decimals: 4) == "0.0186")
    #expect(NumberFormat.value(.number(12), decimals: 0) == "12")
    #expect(NumberFormat.value(.bool(false), decimals: 3) == "false")
  }
}

@Suite("Handouts")
struct HandoutTests {
  @Test func theTextbookTablesInTheMarkdownHandout() {
    let (result, markdown, _, _) = render(backprop)
    #expect(result.succeeded)
    for row in [
      "| 4 | -0.700 | 0.332 |", "| 6 | (0.474)(1 − 0.474)(1 − 0.474) = 0.1312 |",
      "| 5 | (0.525)(1 − 0.525)(0.1312)(-0.2) = -0.0065 |",
      "| w46 | -0.3 + (0.9)(0.1312)(0.332) = -0.261 |", "| w14 | 0.2 + (0.9)(-0.0087)(1) = 0.192 |",
      "| θ4 | -0.4 + (0.9)(-0.0087) = -0.408 |", "The output is 0.474.",
    ] {
      #expect(markdown.contains(row), "missing: \(row)")
    }
    // The author's text is kept byte for byte; `results: hide` shows nothing but markers.
    #expect(
      markdown.hasPrefix("# Backpropagation\n\n<!-- nbrun: model hk -->\n\n<!-- /nbrun -->\n"))
  }

  @Test func mathSurvivesBothOutputs() {
    let source = """
      Products $x*y*z$ and $a_{i}^{*} + b_{j}^{*}$, sets $\\{ a \\, b \\; c \\\\ d \\}$, and $a<b>c$.

      $$
      L = \\frac{1}{2} \\sum_i (y_i - \\hat{y}_i)^2
      = 0.073
      $$

      - a list item with $w_{ij}$
      """
    let (_, markdown, html, _) = render(source)
    #expect(
      markdown.hasPrefix(source), "the Markdown handout keeps the author's math byte for byte")
    #expect(html.contains("\\(x*y*z\\)"))
    #expect(html.contains("\\(a_{i}^{*} + b_{j}^{*}\\)"))
    #expect(html.contains("\\(\\{ a \\, b \\; c \\\\ d \\}\\)"))
    #expect(html.contains("\\(a&lt;b&gt;c\\)"))
    #expect(html.contains("\\[\nL = \\frac{1}{2} \\sum_i (y_i - \\hat{y}_i)^2\n= 0.073\n\\]"))
    #expect(!html.contains("<em>"), "no emphasis made of math")
    #expect(!html.contains("<h1"), "no heading made of a display equation")
    #expect(
      html.contains("<li>a list item with <span class=\"math inline\">\\(w_{ij}\\)</span></li>"))
  }

  @Test func authorPipeTablesAreTables() {
    let (_, markdown, html, _) = render(
      "| w | b | $L(w, b)$ |\n|---:|:---|:---:|\n| 0.50 | 0.00 | **0.0730** |\n| -0.10 | 0.00 | 0.1481 |\n"
    )
    #expect(markdown.hasPrefix("| w | b | $L(w, b)$ |"))
    #expect(
      html.contains("<th style=\"text-align:right\">w</th><th style=\"text-align:left\">b</th>"))
    #expect(
      html.contains(
        "<th style=\"text-align:center\"><span class=\"math inline\">\\(L(w, b)\\)</span></th>"))
    #expect(html.contains("<td style=\"text-align:center\"><strong>0.0730</strong></td>"))
  }

  @Test func rerunsAreByteIdentical() {
    let notebook =
      backprop + """

        ```data xor
        source: xor
        ```

        ```model net
        inputs: 2
        layer: 3 tanh
        layer: 1 sigmoid
        ```

        ```train net
        data: xor
        loss: binary_crossentropy
        optimizer: adam
        rate: 0.05
        epochs: 200
        batch: 2
        metrics: accuracy
        ```
        """
    let first = render(notebook)
    let second = render(notebook)
    #expect(first.markdown == second.markdown)
    #expect(first.html == second.html)
    #expect(first.figures.map(\.svg) == second.figures.map(\.svg))
    #expect(first.figures.map(\.path) == ["nb_files/fig-1.svg"])
    #expect(
      first.markdown.contains(
        "![Learning curve: training loss per epoch.](nb_files/fig-1.svg)"))
    #expect(first.html.contains("<figure id=\"fig-1\">\n<div class=\"figure-scroll\"><svg"))
  }

  @Test func figureTextIsEscaped() throws {
    let (_, _, html, figures) = render(
      """
      ```data d
      source: xor
      ```

      ```model m
      inputs: 2
      layer: 1 sigmoid
      ```

      ```train m
      data: d
      epochs: 3
      caption: Loss <in> "bits" & pieces
      ```
      """)
    let svg = try #require(figures.first?.svg)
    #expect(svg.contains("<title id=\"fig-1-title\">Training loss per epoch</title>"))
    #expect(
      svg.contains(
        "<desc id=\"fig-1-desc\">Loss (mean squared error) against epoch: training loss goes from"))
    #expect(html.contains("Loss &lt;in&gt; &quot;bits&quot; &amp; pieces"))
    #expect(!html.contains("<in>"))
  }

  @Test func errorsStandWhereTheResultWould() {
    let (result, markdown, html, _) = render(
      "Before.\n\n```model m\ninputs: 2\nlayer: 1 sigmod\n```\n\nAfter.\n")
    #expect(!result.succeeded)
    #expect(
      markdown.contains(
        "> **Error** `nb.md:5:10: error: unknown activation 'sigmod'`\n>\n> did you mean 'sigmoid'?"
      ))
    #expect(markdown.hasSuffix("<!-- /nbrun -->\n\nAfter.\n"))
    #expect(html.contains("<div class=\"error\" role=\"alert\"><strong>Error</strong>"))
  }

  @Test func labelsAreAnchors() {
    let (_, markdown, html, _) = render(
      "```expr g\nJ = 2*x\nx = 1\nlabel: tab-g\n```\n\nSee [the table](#tab-g).\n")
    #expect(markdown.contains("<!-- nbrun: expr g -->\n\n<a id=\"tab-g\"></a>"))
    #expect(html.contains("<section class=\"result\" id=\"tab-g\" data-block=\"expr g\">"))
    #expect(html.contains("<a href=\"#tab-g\">the table</a>"))
  }

  @Test func titleTableOfContentsAndHeadingIDs() {
    let (_, _, html, _) = render(
      "---\ntitle: Week 2\nauthor: A. Teacher\n---\n\n# Week 2\n\n## Loss functions\n\n## Loss functions\n"
    )
    #expect(html.contains("<title>Week 2</title>"))
    #expect(html.contains("<p class=\"byline\">A. Teacher</p>"))
    #expect(
      !html.contains("<p class=\"title\">"), "a title the first heading repeats is shown once")
    #expect(html.contains("<h2 id=\"loss-functions\">Loss functions</h2>"))
    #expect(html.contains("<h2 id=\"loss-functions-1\">"), "GitHub's rule: -1 for the second")
    #expect(
      html.contains("<li class=\"toc-2\"><a href=\"#loss-functions\">Loss functions</a></li>"))
  }
}

@Suite("--check")
struct CheckTests {
  @Test func aChangedNumberIsNamed() {
    let fresh = render(backprop).markdown
    let committed = fresh.replacing("= -0.261 |", with: "= -0.262 |")
    let differences = Check.compare(file: "output/nb.md", committed: committed, fresh: fresh)
    #expect(
      differences.map(\.description) == [
        "output/nb.md: backward hk, w46: -0.3 + (0.9)(0.1312)(0.332) = -0.262 → -0.3 + (0.9)(0.1312)(0.332) = -0.261"
      ])
  }

  @Test func aChangedForwardValueNamesRowAndColumn() {
    let fresh = render(backprop).markdown
    let committed = fresh.replacing("| 4 | -0.700 | 0.332 |", with: "| 4 | -0.700 | 0.333 |")
    let differences = Check.compare(file: "output/nb.md", committed: committed, fresh: fresh)
    #expect(differences.map(\.message) == ["backward hk, 4 Output, Oⱼ: 0.333 → 0.332"])
  }

  @Test func staleMissingAndEqual() {
    let fresh = render(backprop).html
    #expect(Check.compare(file: "output/nb.html", committed: fresh, fresh: fresh).isEmpty)
    #expect(
      Check.compare(file: "output/nb.html", committed: fresh + " ", fresh: fresh).map(\.message)
        == ["stale: it differs from what the notebook gives now"])
    #expect(
      Check.compare(file: "output/nb.md", committed: nil, fresh: fresh).map(\.message) == [
        "missing: run nbrun to write it"
      ])
    let markdown = render(backprop).markdown
    #expect(
      Check.compare(
        file: "output/nb.md", committed: markdown.replacing("The output is", with: "Output:"),
        fresh: markdown
      ).first?.message.hasPrefix("the prose changed") == true)
  }
}

@Suite("Figures")
struct FigureTests {
  static func fixture() throws -> String {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent()
      .appendingPathComponent("Fixtures/figures.md")
    return try String(contentsOf: url, encoding: .utf8)
  }

  @Test func everyKindIsDrawnWithTitleAndDescription() throws {
    let (result, markdown, html, figures) = render(try Self.fixture(), name: "figures")
    #expect(result.succeeded, "\(result.diagnostics.map(\.description))")
    #expect(figures.count == 9)
    for (index, figure) in figures.enumerated() {
      #expect(figure.path == "figures_files/fig-\(index + 1).svg")
      #expect(figure.svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
      #expect(figure.svg.contains("<title id=\"fig-\(index + 1)-title\">"))
      #expect(figure.svg.contains("<desc id=\"fig-\(index + 1)-desc\">"))
      #expect(markdown.contains("(figures_files/fig-\(index + 1).svg)"))
      #expect(html.contains("<figure id=\"fig-\(index + 1)\">"))
    }
    let titles = figures.map { svg in
      svg.svg.split(separator: "<title id=").dropFirst().first.map { String($0.prefix(120)) } ?? ""
    }
    // Titles say what the author wrote (`title:`), else describe the thing; never a
    // block's internal name (hk, net, reader, or).
    for expected in [
      "A 3–2–1 network", "Decision regions of the 12-unit network",
      "L(w, b) and the path of gradient descent", "Activation functions",
      "Computation graph of J", "Confusion matrix of the network on the UCI digits (test split)",
      "Samples of the UCI digits (test split)", "Training loss and validation loss per epoch",
      "An OR unit: w0 + w1·x1 + w2·x2 = 0",
    ] {
      #expect(titles.contains { $0.contains(expected) }, "no figure titled \(expected): \(titles)")
    }
    // Runs without a title are named by their optimizer and rate, with the best epoch marked.
    #expect(figures[7].svg.contains(">SGD, η = 0.5: training loss</text>"))
    #expect(figures[7].svg.contains(">SGD, η = 0.05: validation loss</text>"))
    #expect(figures[7].svg.contains("SGD, η = 0.5: best epoch"))
    // The network diagram carries the forward values; the surface its path; the
    // perceptron its line.
    #expect(figures[0].svg.contains(">0.474</text>"))
    #expect(figures[2].svg.contains("stroke=\"#D55E00\" stroke-width=\"2\""))
    #expect(figures[8].svg.contains("stroke=\"#000\" stroke-width=\"2.5\""))
    // Shaded fields are an embedded PNG under stroked iso-lines or boundaries.
    #expect(figures[1].svg.contains("href=\"data:image/png;base64,iVBORw0KGgo"))
    #expect(figures[1].svg.contains("<g class=\"boundary\">"))
    #expect(figures[2].svg.contains("<g class=\"isolines\">"))
    #expect(!figures[2].svg.contains("<g class=\"field\">"), "no grid of cells")
    // The graph shows each operation in a badge and its true constant dashed.
    #expect(figures[4].svg.contains(">×</text>") && figures[4].svg.contains(">+</text>"))
    #expect(figures[4].svg.contains(">constant</text>"))
    #expect(figures[4].svg.contains("stroke-dasharray=\"4 3\""))
  }

  @Test func figuresAreByteIdenticalOnRerun() throws {
    let text = try Self.fixture()
    #expect(
      render(text, name: "figures").figures.map(\.svg)
        == render(text, name: "figures").figures.map(\.svg))
  }

  @Test func plotMistakesAreLocated() {
    let (result, _, _, _) = render("```plot\nkind: netwrok\n```\n")
    #expect(
      result.diagnostics.first?.headline
        == "nb.md:2:7: error: 'kind' is one of network, boundary, surface, activations, graph, confusion, digits, curves, function, roc, tangent, filters, maps, not 'netwrok'"
    )
    #expect(result.diagnostics.first?.hint == "did you mean 'network'?")
  }
}
