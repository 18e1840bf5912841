import Figures
import Foundation
import Notebook
import Rendering
import Runner
import Testing

/// What a student reads: the author's checks left out, names a person chose, blanks hidden
/// in figures, nothing that gives a blank away, headings that fit the page.
@Suite("The student's page")
struct StudentPageTests {
  static let checked = """
    # Checks

    ```expr g
    a = 3
    b = 4
    small = 0.0001 * a
    large = 0.002 * b
    J = a * b
    ```

    ```expect
    g.J = 12
    g.small < g.large
    ```
    """

  static func run(_ text: String, code: Bool = false) -> RunResult {
    let (document, diagnostics) = Document.parse(text, path: "nb.md")
    var options = RunOptions()
    options.generatesCode = code
    return Session(document: document, options: options).run(parseDiagnostics: diagnostics)
  }

  @Test func expectationTablesAreForTheReviewBuildOnly() {
    let result = Self.run(Self.checked)
    #expect(result.succeeded)
    let handout = MarkdownHandout(result: result, name: "nb").text
    let html = HTMLHandout(result: result, name: "nb", math: nil).text
    for page in [handout, html] {
      #expect(!page.contains("Expectation"))
      #expect(!page.contains("g.J = 12"))
    }
    let review = MarkdownHandout(result: result, name: "nb", build: .review).text
    #expect(review.contains("| Expectation | Computed | Holds |"))
    #expect(review.contains("| g.J = 12 | 12 | ✓ |"))
    // Two computed values are both shown to four significant digits, never as "0.0".
    #expect(review.contains("| g.small \\< g.large | 0.0003 \\< 0.008 | ✓ |"))
    // `review: true` in the front matter makes the handout the review build.
    let reviewed = Self.run("---\nreview: true\n---\n" + Self.checked)
    #expect(MarkdownHandout(result: reviewed, name: "nb").text.contains("| g.J = 12 | 12 | ✓ |"))
  }

  @Test func aFailingExpectationStillShowsAndFailsTheRun() {
    let result = Self.run(Self.checked.replacing("g.J = 12", with: "g.J = 13"))
    #expect(!result.succeeded)
    let handout = MarkdownHandout(result: result, name: "nb").text
    #expect(handout.contains("| g.J = 13 | 12 | ✗ |"))
  }

  @Test func namesAreWhatTheAuthorWrote() {
    let result = Self.run(
      """
      ```data d
      source: xor
      title: the XOR truth table
      ```

      ```model m
      inputs: 2
      layer: 2 tanh
      layer: 1 sigmoid
      seed: 1
      ```

      ```train slow from=m
      data: d
      loss: binary_crossentropy
      optimizer: sgd
      rate: 0.001
      epochs: 5
      results: hide
      ```

      ```train quick from=m
      title: plain SGD, fast
      data: d
      loss: binary_crossentropy
      optimizer: sgd
      rate: 0.5
      epochs: 5
      results: hide
      ```

      ```plot
      kind: curves
      runs: slow quick
      ```

      ```evaluate m
      data: d
      loss: binary_crossentropy
      ```

      ```plot m
      kind: boundary
      data: d
      ```
      """)
    #expect(result.succeeded, "\(result.diagnostics.map(\.description))")
    let markdown = MarkdownHandout(result: result, name: "nb")
    let text = markdown.text
    let svgs = markdown.figures.map(\.svg)
    #expect(svgs.count == 2)
    // A run without a title is its optimizer and rate; one with a title is that title.
    #expect(svgs[0].contains(">SGD, η = 0.001</text>"))
    #expect(svgs[0].contains(">plain SGD, fast</text>"))
    #expect(!svgs[0].contains(">slow<") && !svgs[0].contains(">quick<"))
    #expect(svgs[1].contains("Decision regions of the network"))
    #expect(text.contains("binary cross-entropy"))
    #expect(!text.contains("binary_crossentropy |") && !text.contains("(binary_crossentropy)"))
  }

  @Test func aSingleNeuronIsWrittenWithWAndB() {
    let result = Self.run(
      """
      ```model neuron
      inputs: x
      layer: 1 sigmoid
      weights: w=-2
      biases: b=-2
      show: weights
      ```

      ```backward neuron
      input: 0.5
      target: 0.2
      rate: 1
      show: gradients updates
      ```

      The step gives $w = {{ neuron.new_w | 4 }}$ from $\\nabla w = {{ neuron.grad_w | 5 }}$.
      """)
    #expect(result.succeeded, "\(result.diagnostics.map(\.description))")
    let text = MarkdownHandout(result: result, name: "nb").text
    #expect(text.contains("| w | b |\n|---:|---:|\n| -2 | -2 |"))
    #expect(text.contains("| w | -2 + (1)(0.00689)(0.5) = -1.9966 |"))
    #expect(!text.contains("wx2") && !text.contains("θ2"))
    // The unit notation stays for a neuron written that way.
    let textbook = Self.run(
      "```model n\ninputs: x\nlayer: 1 sigmoid\nweights: wx2=-2\nbiases: θ2=-2\nshow: weights\n```\n"
    )
    #expect(MarkdownHandout(result: textbook, name: "nb").text.contains("wx2"))
  }

  static let sheet = """
    # Sheet

    ```model hk
    inputs: x1 x2 x3
    layer: 2 sigmoid
    layer: 1 sigmoid
    weights: w14=0.2 w15=-0.3 w24=0.4 w25=0.1 w34=-0.5 w35=0.2 w46=-0.3 w56=-0.2
    biases: θ4=-0.4 θ5=0.2 θ6=0.1
    results: hide
    ```

    ```exercise
    title: Forward
    ```

    ```forward hk
    input: 1 0 1
    blank: O4 O5 O6
    ```

    ```plot hk
    kind: network
    input: 1 0 1
    precision: 4
    ```

    ```exercise
    title: Errors
    ```

    ```backward hk
    input: 1 0 1
    target: 1
    rate: 0.9
    show: errors updates
    blank: Err4 Err5 Err6
    ```
    """

  @Test func blanksAreHiddenInFiguresInEveryFormat() throws {
    let result = Self.run(Self.sheet, code: true)
    #expect(result.succeeded, "\(result.diagnostics.map(\.description))")
    let outputs = ["0.3318", "0.5250", "0.4739"]
    let markdown = MarkdownHandout(result: result, name: "nb", build: .student)
    let html = HTMLHandout(result: result, name: "nb", math: nil, build: .student).text
    let notebook = NotebookExport(result: result, name: "nb", build: .student).json
    for value in outputs {
      #expect(!html.contains(value), "the student page shows \(value)")
      #expect(!notebook.contains(value), "the notebook export (its code too) shows \(value)")
      for figure in markdown.figures { #expect(!figure.svg.contains(value)) }
    }
    #expect(html.contains(">?</text>"))
    // The handout and the key show them, and no build leaks the marks themselves.
    let key = HTMLHandout(result: result, name: "nb", math: nil, build: .key).text
    let handout = HTMLHandout(result: result, name: "nb", math: nil).text
    for page in [key, handout] {
      for value in outputs { #expect(page.contains(">\(value)</text>")) }
      #expect(!page.unicodeScalars.contains { (0xE003...0xE005).contains($0.value) })
    }
  }

  @Test func nothingShownGivesABlankAway() {
    let result = Self.run(Self.sheet)
    // Err4 is blanked, so new_w14 = w14 + η·Err4·O1 (and the net inputs beside the
    // blanked outputs) are hidden from students too, though not graded.
    let blanked = result.blankedKeys.map(\.description)
    for key in ["hk.new_w14", "hk.new_θ4", "hk.new_w46", "hk.I4"] {
      #expect(blanked.contains(key), "\(key) gives a blank away")
    }
    #expect(!result.answers.map(\.reference).contains("hk.new_w14"))
    let student = MarkdownHandout(result: result, name: "nb", build: .student).text
    #expect(student.contains(#"| w14 | 0.2 + (0.9)\_\_\_\_(1) = \_\_\_\_ |"#))
  }

  @Test func anExerciseSheetsDefaultBuildSaysItIsTheInstructorsAndHeadingsFit() {
    let result = Self.run(Self.sheet)
    let html = HTMLHandout(result: result, name: "nb", math: nil).text
    #expect(html.contains("<title>Sheet (instructor version)</title>"))
    #expect(html.contains("<span class=\"edition\">Instructor version</span></h1>"))
    #expect(html.contains("<h2 class=\"exercise\">Exercise 1: Forward</h2>"))
    let markdown = MarkdownHandout(result: result, name: "nb").text
    #expect(markdown.hasPrefix("# Sheet\n\n> **Instructor version:**"))
    #expect(markdown.contains("## Exercise 1: Forward"))
    let student = HTMLHandout(result: result, name: "nb", math: nil, build: .student).text
    #expect(!student.contains("nstructor version"))
    // A lecture (no blanks) is not marked.
    let lecture = HTMLHandout(result: Self.run(Self.checked), name: "nb", math: nil).text
    #expect(!lecture.contains("nstructor version"))
  }

  @Test func mccullochPittsTablesSayWhy() {
    let result = Self.run(
      "```perceptron nor\nunit: mcculloch-pitts\ninputs: x1 x2\nthreshold: 0\ninhibitory: x1 x2\nfunction: nor\n```\n"
    )
    #expect(result.succeeded, "\(result.diagnostics.map(\.description))")
    let text = MarkdownHandout(result: result, name: "nb").text
    #expect(text.contains("| 0 | 0 | 0 | 1 | g ≥ θ = 0 | 1 | ✓ |"))
    #expect(text.contains("| 0 | 1 | 0 | 0 | inhibited: x2 = 1 | 0 | ✓ |"))
  }

  @Test func modelSummariesElideLongInputLists() {
    let result = Self.run("```model wide\ninputs: 64\nlayer: 3 relu\nshow: summary\n```\n")
    let text = MarkdownHandout(result: result, name: "nb").text
    #expect(text.contains("| input | 64 | — | 1 … 64 | 0 |"))
  }
}

@Suite("Figure geometry")
struct FigureGeometryTests {
  @Test func marchingSquaresTraceACircle() throws {
    // r² = x² + y² on a 41 × 41 grid from −2 to 2: the level 1 is the unit circle.
    let grid = (0...40).map { r in
      (0...40).map { c -> Double in
        let (x, y) = (-2 + Double(c) / 10, -2 + Double(r) / 10)
        return x * x + y * y
      }
    }
    let lines = Contours.lines(grid, level: 1)
    #expect(lines.count == 1)
    let circle = try #require(lines.first)
    #expect(circle.count > 60)
    #expect(circle.first == circle.last, "the line closes")
    for point in circle {
      let (x, y) = (-2 + point.column / 10, -2 + point.row / 10)
      #expect(abs((x * x + y * y).squareRoot() - 1) < 0.01)
    }
    #expect(Contours.lines(grid, level: 100).isEmpty)
  }

  @Test func aMillionEpochsMakeASmallFigure() {
    // A loss that falls with one spike at epoch 700,000: the spike survives the thinning.
    let points = (1...1_000_000).map { epoch in
      (x: Double(epoch), y: epoch == 700_000 ? 5 : 1 / Double(epoch).squareRoot())
    }
    let chart = LineChart(
      title: "t", xLabel: "Epoch", yLabel: "loss", series: [.init(name: "loss", points: points)])
    let svg = chart.figure(caption: "c").svg(id: "f")
    #expect(svg.utf8.count < 100_000, "\(svg.utf8.count) bytes")
    let thinned = LineChart.thinned(points)
    #expect(thinned.count <= 2_000 && thinned.first?.x == 1 && thinned.last?.x == 1_000_000)
    #expect(thinned.contains { $0.y == 5 }, "the spike is kept")
  }

  @Test func everySeriesColourHasContrastOnWhite() {
    func luminance(_ hex: String) -> Double {
      let bytes = Array(hex.utf8.dropFirst())
      return stride(from: 0, to: 6, by: 2).enumerated().map { index, k in
        let value =
          Double(Int(String(decoding: bytes[k..<k + 2], as: UTF8.self), radix: 16) ?? 0) / 255
        let linear = value <= 0.03928 ? value / 12.92 : pow((value + 0.055) / 1.055, 2.4)
        return linear * [0.2126, 0.7152, 0.0722][index]
      }.reduce(0, +)
    }
    for colour in Palette.colors {
      #expect(1.05 / (luminance(colour) + 0.05) >= 3, "\(colour) has under 3:1 contrast")
    }
  }

  @Test func aFigureScrollsRatherThanShrinkItsTextBelowEightPixels() {
    let figure = Figure(
      width: 640, height: 300, title: "t", description: "d", caption: "c",
      content: [text("small", x: 0, y: 0, size: 10), text("big", x: 0, y: 20, size: 14)])
    #expect(figure.smallestFontSize == 10)
    #expect(figure.readableWidth() == 544)
    #expect(figure.svg(id: "f", minimumWidth: 544).contains("style=\"min-width:544px\""))
  }

  @Test func aCrowdedLayerGetsATableInsteadOfLabels() {
    let columns = [
      (1...12).map { NetworkDiagram.Unit(label: "\($0)") }, [NetworkDiagram.Unit(label: "13")],
    ]
    let weights = [[(0..<12).map { _ in ["0.123"] }].flatMap { $0 }]
    let dense = NetworkDiagram(
      columns: [
        (1...6).map { NetworkDiagram.Unit(label: "\($0)") },
        (7...12).map { NetworkDiagram.Unit(label: "\($0)") },
      ],
      weights: [(0..<6).map { _ in (0..<6).map { _ in "0.12" } }], biases: [nil],
      titles: ["input", "output"], title: "dense")
    #expect(dense.crowdedLayers == [0], "36 edges are too many to label")
    let sparse = NetworkDiagram(
      columns: columns, weights: weights, biases: [nil], titles: ["input", "output"],
      title: "sparse", height: 700)
    #expect(sparse.crowdedLayers.isEmpty)
  }
}
