import Foundation
import Notebook
import Runner
import Testing

/// The page defects a new reader found (issue 24), each held by a test on the committed
/// course or on a run.
@Suite("Page defects a reader found")
struct PageDefectTests {
  static func committed(_ path: String) throws -> String {
    try String(
      contentsOf: CourseTests.repository.appendingPathComponent("output").appendingPathComponent(
        path),
      encoding: .utf8)
  }

  /// The `<text>` elements of an SVG with their positions.
  static func texts(_ svg: String) -> [(x: Double, y: Double, text: String)] {
    var found: [(Double, Double, String)] = []
    var rest = Substring(svg)
    while let start = rest.range(of: "<text ") {
      guard let headEnd = rest[start.upperBound...].firstIndex(of: ">"),
        let end = rest.range(of: "</text>", range: headEnd..<rest.endIndex)
      else { break }
      let head = rest[start.upperBound..<headEnd]
      func attribute(_ name: String) -> Double {
        guard let r = head.range(of: "\(name)=\"") else { return .nan }
        return Double(head[r.upperBound...].prefix { $0 != "\"" }) ?? .nan
      }
      found.append(
        (attribute("x"), attribute("y"), String(rest[rest.index(after: headEnd)..<end.lowerBound])))
      rest = rest[end.upperBound...]
    }
    return found
  }

  @Test("graph labels keep their parentheses: −z and ∂L/∂(1 − y), not −… + b")
  func graphLabels() throws {
    let labels = Self.texts(try Self.committed("lecture4_files/fig-12.svg")).map(\.text)
    #expect(labels.contains("−z = -0.8"))
    #expect(labels.contains("exp(−z)"))
    #expect(labels.contains("∂L/∂(1 − y) = 1.171"))
    #expect(!labels.contains { $0.hasPrefix("−((w1·x1) + (w2·x2)) + b") })
    let neuron = Self.texts(try Self.committed("lecture5_files/fig-4.svg")).map(\.text)
    #expect(!neuron.contains { $0.contains("−(w·x) + b") })
    // A graph wider than the column is titled at its left edge.
    #expect(
      try Self.committed("lecture4_files/fig-12.svg").contains(
        "text-anchor=\"start\" font-size=\"14\""))
  }

  @Test("captions name a data set by what it is, never by its block name")
  func readableDataNames() throws {
    let lecture4 = try Self.committed("lecture4.md")
    #expect(!lecture4.contains("over moonsfew"))
    #expect(lecture4.contains("Decision regions over 60 samples of two moons"))
    // Two splits of the digits in a row are told apart by their titles.
    #expect(lecture4.contains("Digits, a tenth for training: 1797 samples"))
    #expect(lecture4.contains("Digits, a twentieth for training: 1797 samples"))
  }

  @Test("the lecture's notation: ε in lecture 2's tables and captions, math not code")
  func notation() throws {
    let lecture2 = try Self.committed("lecture2.md")
    #expect(lecture2.contains("| Step | x | f(x) | f′(x) | x − ε f′(x) |"))
    #expect(lecture2.contains("*Gradient descent on f(x) = x² − 4x + 5, ε = 0.3*"))
    #expect(!lecture2.contains("x^2 - 4\\*x"))
    let body = lecture2.split(separator: "\n").filter { !$0.hasPrefix("title:") }
    #expect(!body.contains { $0.contains("η") }, "lecture 2 writes ε throughout")
    // One neuron's parameters are w and b, as the prose calls them.
    #expect(lecture2.contains("| w | 0.5 + (0.1)(0.26894)(2) = 0.5538 |"))
    #expect(!lecture2.contains("w1φ") && !lecture2.contains("θφ"))
    // A run: ε from the front matter, η without it.
    let notebook = """
      ---
      rate_symbol: ε
      ---

      ```plot
      kind: tangent
      f: x^2 - 4*x + 5
      x: 0 5
      from: 5
      rate: 0.3
      steps: 2
      ```

      """
    let (document, diagnostics) = Document.parse(notebook, path: "nb.md")
    let result = Session(document: document, options: RunOptions()).run(
      parseDiagnostics: diagnostics)
    #expect(result.succeeded, "\(result.diagnostics.map(\.headline))")
    let tables = result.outcomes.flatMap(\.items).compactMap { item -> Table? in
      if case .table(let table) = item { return table }
      return nil
    }
    #expect(tables.first?.header.last == "x − ε f′(x)")
    #expect(tables.first?.caption == "Gradient descent on f(x) = x² − 4x + 5, ε = 0.3")
  }

  @Test("a forward table over several samples shows the samples' inputs")
  func forwardInputs() throws {
    let lecture1 = try Self.committed("lecture1.md")
    #expect(lecture1.contains("| x |  | 0.49 |  | 0.51 |"))
  }

  @Test("a log axis writes every tick one way")
  func logTicks() throws {
    let lecture4 = try Self.committed("lecture4_files/fig-2.svg")
    let ticks = Self.texts(lecture4).map(\.text).filter {
      $0.hasPrefix("1e") || (Double($0) != nil && $0.contains("0."))
    }
    let scientific = ticks.filter { $0.hasPrefix("1e") }
    #expect(
      scientific.isEmpty
        || scientific.count == ticks.filter { Double($0) != nil || $0.hasPrefix("1e") }.count)
  }

  @Test("contour labels keep clear of the descent path; edge labels sit on a plate")
  func figureLabels() throws {
    let surface = try Self.committed("lecture2_files/fig-7.svg")
    // The path's end point, drawn as a circle titled "end".
    let end = try #require(surface.range(of: "<title>end</title>"))
    let before = surface[..<end.lowerBound]
    let circle = try #require(before.range(of: "<circle", options: .backwards))
    let head = before[circle.upperBound...]
    func attribute(_ name: String) -> Double {
      guard let r = head.range(of: "\(name)=\"") else { return .nan }
      return Double(head[r.upperBound...].prefix { $0 != "\"" }) ?? .nan
    }
    let (cx, cy) = (attribute("cx"), attribute("cy"))
    for label in Self.texts(surface) where Double(label.text) != nil && label.text.contains(".") {
      // A contour label (10 px text) whose box would touch the end marker.
      let width = Double(label.text.count) * 6 + 4
      let overlaps =
        abs(label.x - cx) < width / 2 + 5 && abs(label.y - 3.5 - cy) < 7 + 5
      #expect(
        !overlaps,
        "label \(label.text) at (\(label.x), \(label.y)) touches the path's end (\(cx), \(cy))")
    }
    let graph = try Self.committed("lecture2_files/fig-4.svg")
    let edgeLabels = Self.texts(graph).filter { $0.text.hasPrefix("∂=") }.count
    #expect(edgeLabels > 5)
    #expect(graph.components(separatedBy: "rx=\"2\" fill=\"#ffffff\"").count - 1 == edgeLabels)
    // XOR's points: outlined markers, as in the legend.
    let regions = try Self.committed("lecture2_files/fig-9.svg")
    #expect(regions.components(separatedBy: "stroke-width=\"1.4\"").count - 1 == 4)
  }

  @Test("on a phone formulas wrap before operators; equation tags drop below")
  func phoneFormulas() throws {
    let page = try Self.committed("lecture2.html")
    #expect(page.contains("-0.3 +\u{00A0}(0.9)(0.1312)(0.332) =\u{00A0}-0.261"))
    #expect(page.contains("@media (max-width:600px){td.formula{white-space:normal"))
    #expect(page.contains(".katex-display .tag{position:static!important"))
  }

  @Test(
    "at 390 px, in Chromium: formula cells wrap instead of scrolling, tags sit below equations",
    .enabled(
      if: FormatsBrowserTests.enabled,
      "Chromium or KaTeX is not installed (apt-get install chromium libjs-katex)"))
  func phoneFormulasInChromium() throws {
    let page = CourseTests.repository.appendingPathComponent("output/lecture2.html").path
    let report = try FormatsBrowserTests.probe("phone_probe.py", [page])
    #expect((report["tags"] as? Int ?? 0) >= 1, "lecture 2 numbers its equations")
    #expect(report["overlapping"] as? Int == 0, "an equation's tag sits on it")
    #expect((report["formulas"] as? Int ?? 0) >= 10)
    #expect(report["scrolling"] as? Int == 0, "a formula table scrolls sideways at 390 px")
    #expect((report["wrapped"] as? Int ?? 0) > 0, "the long formulas wrap")
  }

  @Test("a lecture rendered alone into a new folder links no page that is not there")
  func loneLecture() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "nbrun-lone-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let notebook = CourseTests.repository.appendingPathComponent("notebooks/lecture2.md").path
    let (status, errors) = try FormatsTests.nbrun(
      ["--quiet", "--no-cache", "-o", folder.path, notebook], in: CourseTests.repository)
    #expect(status == 0, "\(errors)")
    let page = try String(
      contentsOf: folder.appendingPathComponent("lecture2.html"), encoding: .utf8)
    for link in ["index.html", "lecture1.html", "exercise1.html"] {
      #expect(!page.contains("href=\"\(link)\">"), "\(link) is linked but not written")
    }
    // In the course's own folder the same page links its neighbours, which are there.
    let course = try Self.committed("lecture2.html")
    #expect(course.contains("href=\"lecture1.html\">") && course.contains("href=\"index.html\">"))
  }

  @Test("the course index lists the student sheets, the keys and the notebooks built")
  func courseIndex() throws {
    let index = try Self.committed("index.html")
    #expect(index.contains("<a class=\"entry-title\" href=\"student/exercise1.html\">"))
    #expect(index.contains("<a href=\"key/exercise1.html\">Answer key</a>"))
    #expect(
      !index.contains("href=\"exercise1.html\""),
      "the instructor build is not on the students' index")
    #expect(index.contains("<a href=\"lecture2.slides.html\">Slides</a>"))
  }
}

/// Issue 26's findings about the page path that a reader meets: valid notebooks refused by
/// the "math shown as TeX" check, and a byte-order mark lost.
@Suite("What the page check must let through")
struct PageCheckTests {
  @Test("an autolink with a backslash and an image title with dollars are text, not math")
  func autolinkAndImageTitle() throws {
    let (status, errors, _, folder) = try BudgetTests.run(
      [
        "a.md":
          "# T\n\nSee <https://example.com/\\[\\>.\n\n![a plot](p.png \"Plot of $y$\")\n\nMath $z^2$ stays math.\n"
      ], ["-o", "out", "a.md"])
    defer { try? FileManager.default.removeItem(at: folder) }
    #expect(status == 0, "\(errors)")
    let html = try String(
      contentsOf: folder.appendingPathComponent("out/a.html"), encoding: .utf8)
    #expect(html.contains(#"<a href="https://example.com/%5C%5B%5C">https://example.com/\[\</a>"#))
    #expect(html.contains(#"<img src="p.png" alt="a plot" title="Plot of $y$" />"#))
    #expect(html.contains(#"<span class="math inline">\(z^2\)</span>"#))
  }

  @Test("a notebook saved with a byte-order mark gives a Markdown handout with one")
  func byteOrderMark() throws {
    let (status, errors, _, folder) = try BudgetTests.run(
      ["bom.md": "\u{FEFF}# T\n\nText $x$.\n"], ["--to", "md", "-o", "out", "bom.md"])
    defer { try? FileManager.default.removeItem(at: folder) }
    #expect(status == 0, "\(errors)")
    let written = try Data(contentsOf: folder.appendingPathComponent("out/bom.md"))
    #expect(Array(written) == Array("\u{FEFF}# T\n\nText $x$.\n".utf8))
  }
}
