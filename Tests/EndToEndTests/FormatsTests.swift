import CommandLineSupport
import Foundation
import Notebook
import Rendering
import Runner
import Testing

/// One notebook, every format: numbered cross-references, slides, PDF, and a course site.
/// The fixtures are `Tests/Fixtures/course/` (three notebooks of one course; `refs.md`
/// labels and refers to a table, a figure and two equations).
@Suite("Formats")
struct FormatsTests {
  static let course = CourseTests.repository.appendingPathComponent("Tests/Fixtures/course")

  static func run(_ text: String, path: String = "refs.md") -> RunResult {
    let (document, diagnostics) = Document.parse(text, path: path)
    return Session(document: document).run(parseDiagnostics: diagnostics)
  }

  static func fixture(_ name: String) throws -> String {
    try String(contentsOf: course.appendingPathComponent(name), encoding: .utf8)
  }

  /// Runs nbrun in `folder`; returns its exit status and what it printed on stderr.
  static func nbrun(_ arguments: [String], in folder: URL, environment: [String: String]? = nil)
    throws -> (status: Int32, errors: String)
  {
    let process = Process()
    process.executableURL = try #require(CommandLineTests.executable, "swift build builds nbrun")
    process.arguments = arguments
    process.currentDirectoryURL = folder
    if let environment { process.environment = environment }
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let data = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }

  /// A folder holding a copy of the fixture course (`notebooks/`).
  static func copyOfCourse() throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "nbrun-formats-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try FileManager.default.copyItem(at: course, to: folder.appendingPathComponent("notebooks"))
    return folder
  }

  // MARK: - Cross-references

  @Test func referencesBecomeNumbersInEveryFormat() throws {
    let result = Self.run(try Self.fixture("refs.md"))
    #expect(result.succeeded, "\(result.diagnostics.map(\.description))")
    let markdown = MarkdownHandout(result: result, name: "refs").text
    #expect(
      markdown.contains(
        "The forward pass of Table 1 follows the chain rule of Equation (1); the graph is in\nFigure 1."
      ))
    #expect(markdown.contains("someone@fig-example.org"), "an e-mail address is not a reference")
    #expect(markdown.contains("`@fig-graph` in code"), "code is left as written")
    #expect(markdown.contains(#"\frac{\partial a}{\partial w} \tag{1} $$"#))
    #expect(!markdown.contains("{#eq-chain}"))
    #expect(markdown.contains("As Equation (1) says, and Equation (2): $$ y = 2x \\tag{2} $$"))
    #expect(markdown.contains("*Table 1. Forward pass*"))
    #expect(markdown.contains("Figure 1. The graph"))

    let html = HTMLHandout(result: result, name: "refs", math: nil).text
    #expect(html.contains(##"<a class="xref" href="#tbl-forward">Table 1</a>"##))
    #expect(html.contains(##"<a class="xref" href="#eq-chain">Equation (1)</a>"##))
    #expect(html.contains(##"<a class="xref" href="#fig-graph">Figure 1</a>"##))
    #expect(html.contains(#"<span class="math display" id="eq-chain">"#))
    #expect(html.contains(#"<section class="result" id="tbl-forward""#))
    #expect(html.contains(#"<p class="table-caption" id="tab-1">Table 1. Forward pass</p>"#))
    #expect(!html.contains("{#eq-"))
    // The handout shows every row at once; the build-up is the slides'.
    #expect(!html.contains("fragment"))

    let slides = SlideDeck(result: result, name: "refs", math: nil).text
    #expect(slides.contains(##"<a class="xref" href="#fig-graph">Figure 1</a>"##))
  }

  @Test func badReferencesAndLabelsAreLocatedErrors() {
    let text = """
      # Notes

      See @fig-grpah and @tbl-none.

      ```expr graph
      a = 2
      y = a * a
      ```

      ```plot graph
      kind: graph
      label: fig-graph
      ```

      ```plot graph
      kind: graph
      label: fig-graph
      ```

      ```expr lonely
      b = 2
      z = b * b
      label: fig-lonely
      ```

      $$ x $$ {#eq-x}

      $$ y $$ {#eq-x}
      """
    let result = Self.run(text, path: "bad.md")
    let errors = result.diagnostics.filter { $0.severity == .error }.map(\.description)
    #expect(
      errors.contains {
        $0.hasPrefix("bad.md:3:5: error: @fig-grpah refers to no label in this notebook")
          && $0.contains("did you mean @fig-graph?")
      }, "\(errors)")
    #expect(
      errors.contains {
        $0.hasPrefix("bad.md:3:20: error: @tbl-none refers to no label")
          && $0.contains("label: tbl-none")
      }, "\(errors)")
    #expect(
      errors.contains {
        $0.contains("bad.md:17:8: error: the label 'fig-graph' is already used on line 12")
      },
      "\(errors)")
    #expect(
      errors.contains {
        $0.contains("bad.md:28:9: error: the label 'eq-x' is already used on line 26")
      },
      "\(errors)")
    #expect(
      errors.contains {
        $0.contains(
          "bad.md:23:8: error: the label 'fig-lonely' names a figure, but this expr block shows none"
        )
      },
      "\(errors)")
    #expect(result.verdict == .notebookErrors)
  }

  // MARK: - Slides

  @Test func slidesBreakAtHeadingsAndRulesWithNotesAndBuildUps() throws {
    let result = Self.run(try Self.fixture("refs.md"))
    let deck = SlideDeck(result: result, name: "refs", math: nil).text
    // `#` a title slide; its prose a slide; `---` a third.
    #expect(deck.components(separatedBy: "<section class=\"slide").count - 1 == 3)
    #expect(deck.contains(#"<section class="slide title-slide" id="slide-1">"#))
    #expect(deck.contains(#"<p class="byline">Fixture course</p>"#))
    #expect(
      deck.contains(#"<aside class="notes"><p>Say that the net input is 0.2 + 0.1.</p></aside>"#))
    // reveal: rows — the forward table's one row appears on a click; the header stays.
    #expect(deck.components(separatedBy: #"<tr class="fragment">"#).count - 1 == 1)
    #expect(deck.contains("<thead><tr>"))
    #expect(!deck.contains("cdn") && !deck.contains("https://"), "the deck is offline")
  }

  // MARK: - Course site

  @Test func aCourseGetsAnIndexAndPreviousNextLinks() throws {
    let folder = try Self.copyOfCourse()
    defer { try? FileManager.default.removeItem(at: folder) }
    // Named in another order than their `order:` says.
    let named = ["notebooks/intro.md", "notebooks/refs.md", "notebooks/basics.md"]
    let (status, errors) = try Self.nbrun(["--quiet", "-o", "site"] + named, in: folder)
    #expect(status == 0, "\(errors)")
    let site = folder.appendingPathComponent("site")
    let index = try String(contentsOf: site.appendingPathComponent("index.html"), encoding: .utf8)
    #expect(index.contains("<title>Fixture course</title>"))
    let links = index.matches(of: #/class="entry-title" href="([a-z]+)\.html"/#).map {
      String($0.output.1)
    }
    #expect(links == ["basics", "intro", "refs"])
    #expect(index.contains(#"<span class="date">2026-11-23</span>"#))
    #expect(index.contains(#"<p class="summary">The second notebook, by its order.</p>"#))
    #expect(
      index.contains(
        "<p class=\"summary\">The forward pass of the table follows the chain rule of the equation; the graph is in the figure.</p>"
      ))
    #expect(!index.contains("Slides"), "no slides were built")
    let intro = try String(contentsOf: site.appendingPathComponent("intro.html"), encoding: .utf8)
    #expect(intro.contains(#"<a rel="prev" href="basics.html">← Basics</a>"#))
    #expect(intro.contains(#"<a rel="next" href="refs.html">Cross-references →</a>"#))
    #expect(intro.components(separatedBy: #"<a href="index.html">Course index</a>"#).count == 3)
    let first = try String(contentsOf: site.appendingPathComponent("basics.html"), encoding: .utf8)
    #expect(!first.contains("rel=\"prev\"") && first.contains("rel=\"next\""))

    // One notebook rendered alone into the site gives the same page; into a new folder it
    // links none of the pages that are not there, and writes no index of its own.
    let (again1, _) = try Self.nbrun(["--quiet", "-o", "site", "notebooks/intro.md"], in: folder)
    #expect(again1 == 0)
    let same = try String(contentsOf: site.appendingPathComponent("intro.html"), encoding: .utf8)
    #expect(same == intro)
    let (alone, _) = try Self.nbrun(["--quiet", "-o", "alone", "notebooks/intro.md"], in: folder)
    #expect(alone == 0)
    let single = try String(
      contentsOf: folder.appendingPathComponent("alone/intro.html"), encoding: .utf8)
    #expect(!single.contains("href=\"basics.html\">") && !single.contains("href=\"index.html\">"))
    #expect(
      !FileManager.default.fileExists(
        atPath: folder.appendingPathComponent("alone/index.html").path))

    // Slides built now are linked from the index; --check sees an index that is stale.
    let (again, _) = try Self.nbrun(
      ["--quiet", "-o", "site", "--to", "html,slides"] + named, in: folder)
    #expect(again == 0)
    let updated = try String(contentsOf: site.appendingPathComponent("index.html"), encoding: .utf8)
    #expect(updated.contains(#"<a href="refs.slides.html">Slides</a>"#))
    // The decks alone give the same files (the course bar does not need the HTML run).
    let (slidesOnly, why) = try Self.nbrun(
      ["--check", "--quiet", "-o", "site", "--to", "slides"] + named, in: folder)
    #expect(slidesOnly == 0, "\(why)")
    // A deck's title slide carries the course bar too.
    let deck = try String(
      contentsOf: site.appendingPathComponent("intro.slides.html"), encoding: .utf8)
    #expect(deck.contains(#"<a rel="prev" href="basics.html">← Basics</a>"#))
    #expect(
      FileManager.default.fileExists(
        atPath: site.appendingPathComponent("refs_files/fig-1.svg").path),
      "a run that writes no Markdown leaves the Markdown handout's figures alone")
    // Slides built for two of the three link those two only.
    let (partial, _) = try Self.nbrun(
      [
        "--quiet", "-o", "partial", "--to", "html,slides", "notebooks/intro.md",
        "notebooks/basics.md",
      ],
      in: folder)
    #expect(partial == 0)
    let partialIndex = try String(
      contentsOf: folder.appendingPathComponent("partial/index.html"), encoding: .utf8)
    #expect(partialIndex.contains(#"<a href="intro.slides.html">Slides</a>"#))
    #expect(!partialIndex.contains("refs.slides.html"), "refs was not rendered")
    try Data(index.utf8).write(to: site.appendingPathComponent("index.html"))
    let (checked, report) = try Self.nbrun(["--check", "-o", "site"] + named, in: folder)
    #expect(checked == 1)
    #expect(report.contains("site/index.html"), "\(report)")
  }

  @Test func siblingsAreReadByTheirHeadsOnly() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "nbrun-siblings-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let a = folder.appendingPathComponent("a.md")
    try Data("---\ncourse: C\norder: 2\n---\n\n# A\n\nFirst notebook.\n".utf8).write(to: a)
    // A sibling of 3 MB: its front matter is read from its first 64 KB.
    var big = "---\ncourse: C\norder: 1\ntitle: Big\n---\n\nThe big one.\n\n"
    big += String(repeating: "Filler text that nobody reads to the end.\n", count: 75_000)
    try Data(big.utf8).write(to: folder.appendingPathComponent("big.md"))
    // Not notebooks: a folder named like one, and a file of another course.
    try FileManager.default.createDirectory(
      at: folder.appendingPathComponent("dir.md"), withIntermediateDirectories: true)
    try Data("---\ncourse: D\n---\n".utf8).write(to: folder.appendingPathComponent("d.md"))
    let course = try #require(CourseFinder.courses(for: [a.path])[a.path])
    #expect(course.entries.map(\.name) == ["big", "a"])
    #expect(course.entries.first?.title == "Big")
    #expect(course.entries.first?.summary == "The big one.")
  }

  // MARK: - PDF

  static let chromium = PDFPrinter.chromium()
  static let pdftotext = ["/usr/bin/pdftotext", "/usr/local/bin/pdftotext"].first {
    FileManager.default.isExecutableFile(atPath: $0)
  }

  @Test(
    .enabled(
      if: chromium != nil && pdftotext != nil,
      "Chromium or pdftotext is not installed (apt-get install chromium poppler-utils); scripts/test installs them"
    ),
    .enabled(
      if: HandoutFiles.katex() != nil, "KaTeX is not installed (apt-get install libjs-katex)"))
  func pdfIsPrintedReadBackAndTheSameEachTime() throws {
    let folder = try Self.copyOfCourse()
    defer { try? FileManager.default.removeItem(at: folder) }
    var prints: [Data] = []
    for round in 1...2 {
      let (status, errors) = try Self.nbrun(
        [
          "--quiet", "--to", "pdf", "-o", "out\(round)", "notebooks/refs.md", "notebooks/basics.md",
        ],
        in: folder)
      #expect(status == 0, "\(errors)")
      prints.append(try Data(contentsOf: folder.appendingPathComponent("out\(round)/refs.pdf")))
    }
    #expect(prints[0] == prints[1], "the same notebook gives the same PDF")
    let pdf = folder.appendingPathComponent("out1/refs.pdf").path
    let text = try BrowserTests.run(try #require(Self.pdftotext), ["-layout", pdf, "-"])
    #expect(text.contains("Table 1. Forward pass"))
    #expect(text.contains("0.5744"), "the computed output")
    #expect(text.contains("Figure 1"))
    #expect(text.contains("(1)") && text.contains("(2)"), "equation numbers")
    #expect(
      text.contains("Cross-references") && text.contains(#/\d+ ?\/ ?\d+/#),
      "title and page in the footer")
    #expect(!text.contains("\\(") && !text.contains("\\frac") && !text.contains("$$"), "no raw TeX")
    let info = try BrowserTests.run("/usr/bin/pdfinfo", [pdf])
    #expect(info.contains("(letter)"), "paper: letter")
    let other = try BrowserTests.run(
      "/usr/bin/pdfinfo", [folder.appendingPathComponent("out1/basics.pdf").path])
    #expect(other.contains("(A4)"), "A4 unless the front matter says otherwise")
    let bytes = try Data(contentsOf: URL(fileURLWithPath: pdf))
    #expect(
      bytes.range(of: Data("/URI".utf8)) != nil || bytes.range(of: Data("/Dest".utf8)) != nil,
      "links live")

    // Lecture 2 printed: its computed numbers and references are on paper, its TeX is not.
    let lecture = CourseTests.repository.appendingPathComponent("notebooks/lecture2.md").path
    let (printed, why) = try Self.nbrun(
      ["--quiet", "--no-cache", "--to", "pdf", "-o", "lecture", lecture], in: folder)
    #expect(printed == 0, "\(why)")
    let lectureText = try BrowserTests.run(
      try #require(Self.pdftotext),
      [folder.appendingPathComponent("lecture/lecture2.pdf").path, "-"])
    for shown in ["0.1312", "-0.261", "Table 1 is the forward pass", "Equation (1)", "Figure 5"] {
      #expect(lectureText.contains(shown), "lecture2.pdf shows '\(shown)'")
    }
    #expect(!lectureText.contains("\\frac") && !lectureText.contains("\\("), "no raw TeX")

    // No Chromium: a sentence naming the package, exit 2, nothing written.
    var environment = ProcessInfo.processInfo.environment
    environment["NBRUN_CHROMIUM"] = "/nonexistent/chromium"
    let (status, errors) = try Self.nbrun(
      ["--to", "pdf", "-o", "none", "notebooks/basics.md"], in: folder, environment: environment)
    #expect(status == 2)
    #expect(errors.contains("sudo apt-get install -y chromium"), "\(errors)")
    #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("none").path))
  }
}

/// The deck and the site in headless Chromium, over the DevTools protocol on a pipe
/// (`Tests/Fixtures/deck_probe.py`, `site_probe.py`, standard-library Python).
/// Screenshots go to `.build/screenshots/`.
@Suite("Formats in a real browser")
struct FormatsBrowserTests {
  static let enabled = BrowserTests.chromium != nil && HandoutFiles.katex() != nil

  static func probe(_ script: String, _ arguments: [String]) throws -> [String: Any] {
    let shots = CourseTests.repository.appendingPathComponent(".build/screenshots")
    try FileManager.default.createDirectory(at: shots, withIntermediateDirectories: true)
    let output = try BrowserTests.run(
      BrowserTests.python,
      [CourseTests.repository.appendingPathComponent("Tests/Fixtures/\(script)").path]
        + [try #require(BrowserTests.chromium)] + arguments + [shots.path])
    let object = try? JSONSerialization.jsonObject(with: Data(output.utf8))
    let report = try #require(object as? [String: Any], "\(script) printed '\(output)'")
    #expect(report["error"] == nil, "\(script): \(report["error"] ?? "")")
    return report
  }

  @Test(
    "the lecture 2 deck, walked with the arrow key",
    .enabled(
      if: enabled, "Chromium or KaTeX is not installed (apt-get install chromium libjs-katex)"))
  func lecture2DeckWalkedWithTheArrowKey() throws {
    let deck = CourseTests.repository.appendingPathComponent("output/lecture2.slides.html").path
    let report = try Self.probe("deck_probe.py", [deck])
    let slides = try #require(report["slides"] as? Int)
    let steps = try #require(report["steps"] as? [[String: Any]])
    #expect(slides >= 20, "lecture 2 makes \(slides) slides")
    let ids = Set(steps.compactMap { $0["id"] as? String })
    #expect(ids.count == slides, "every slide was shown, each a distinct one")
    for step in steps {
      let place = "\(step["counter"] ?? "?") \(step["heading"] ?? "")"
      #expect(
        (step["overflow"] as? Int ?? 99) <= 1,
        "\(place) overflows 1280×720 by \(step["overflow"] ?? "?") px at \(step["culprit"] ?? "")")
      #expect(step["rawTeX"] as? Bool == false, "\(place) shows raw TeX")
      #expect(
        (step["smallestText"] as? Double ?? 0) >= 14,
        "\(place) has text of \(step["smallestText"] ?? "?") px")
    }
    #expect(steps.contains { ($0["katex"] as? Int ?? 0) > 0 }, "math is typeset")
    #expect(steps.contains { ($0["figures"] as? Int ?? 0) > 0 }, "figures are shown")
    // The Han & Kamber tables build up row by row: a step shows some rows, not all.
    #expect(
      steps.contains {
        let shown = $0["shownFragments"] as? Int ?? 0
        return shown > 0 && shown < ($0["fragments"] as? Int ?? 0)
      }, "reveal: rows shows a table row per click")
    #expect(
      (report["back"] as? [String: Any])?["counter"] as? String == "\(slides - 1) / \(slides)")
    #expect((report["home"] as? [String: Any])?["counter"] as? String == "1 / \(slides)")
    #expect(report["duplicateIds"] as? [String] == [], "ids stay unique when slides are split")
    // Printed, the deck is one 1280×720 slide a page.
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/pdfinfo") else {
      print(
        "note: pdfinfo is not installed (apt-get install poppler-utils); the printed deck was not read"
      )
      return
    }
    let pdf = FileManager.default.temporaryDirectory.appendingPathComponent(
      "nbrun-deck-\(UUID().uuidString).pdf")
    defer { try? FileManager.default.removeItem(at: pdf) }
    // Printed once the page is still: the deck lays itself out again when its fonts have
    // loaded, which, under load, came after Chromium printed at the load event (46 pages,
    // not 47). The virtual-time budget makes Chromium wait for the fonts and the layout.
    _ = try BrowserTests.run(
      try #require(BrowserTests.chromium),
      [
        "--no-pdf-header-footer", "--virtual-time-budget=15000", "--print-to-pdf=\(pdf.path)",
        URL(fileURLWithPath: deck).absoluteString,
      ])
    let info = try BrowserTests.run("/usr/bin/pdfinfo", [pdf.path])
    #expect(info.contains("Pages:           \(slides)\n"), "\(info)")
    #expect(info.contains("Page size:       960 x 540 pts"), "\(info)")
  }

  @Test(
    "the course index, previous/next links and references, followed in Chromium",
    .enabled(
      if: enabled, "Chromium or KaTeX is not installed (apt-get install chromium libjs-katex)"))
  func siteLinksAndReferencesAreFollowed() throws {
    let folder = try FormatsTests.copyOfCourse()
    defer { try? FileManager.default.removeItem(at: folder) }
    let (status, errors) = try FormatsTests.nbrun(
      ["--quiet", "-o", "site", "notebooks/intro.md", "notebooks/refs.md", "notebooks/basics.md"],
      in: folder)
    #expect(status == 0, "\(errors)")
    let report = try Self.probe(
      "site_probe.py",
      [
        CourseTests.repository.appendingPathComponent("output/index.html").path,
        folder.appendingPathComponent("site/refs.html").path,
      ])
    let order = [
      "lecture1.html", "lecture2.html", "exercise1.html", "lecture3.html", "exercise2.html",
      "lecture4.html", "lecture5.html", "lecture6.html", "lecture7.html", "lecture8.html",
      "lecture9.html",
    ]
    // The index lists an exercise sheet by its student build; the pages' next links walk
    // the instructor pages, which carry the course bar.
    #expect(
      report["entries"] as? [String]
        == order.map { $0.hasPrefix("exercise") ? "student/" + $0 : $0 })
    #expect(report["visited"] as? [String] == order, "next, next, … walks the course in order")
    #expect(report["back"] as? String == "lecture8.html")
    #expect(report["index"] as? String == "index.html")
    let refs = try #require(report["refs"] as? [String: Any])
    let links = try #require(refs["links"] as? [[String: Any]])
    #expect(
      links.map { $0["text"] as? String } == [
        "Table 1", "Equation (1)", "Figure 1", "Equation (1)", "Equation (2)",
      ])
    #expect(
      links.allSatisfy { $0["lands"] as? Bool == true }, "every reference lands on its target")
    #expect(refs["tags"] as? [String] == ["(1)", "(2)"], "KaTeX numbers the labelled equations")
    #expect(refs["rawTeX"] as? Bool == false)
  }
}
