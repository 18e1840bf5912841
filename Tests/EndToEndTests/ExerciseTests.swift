import CommandLineSupport
import Figures
import Foundation
import Notebook
import Rendering
import Runner
import Testing

/// Student builds, answer keys, per-student variants, grading and the ipynb export, on the
/// exercise sheets in notebooks/.
@Suite("Exercises")
struct ExerciseTests {
  static let sheets = ["exercise1.md", "exercise2.md"]

  static func run(_ notebook: String, student: String? = nil, code: Bool = false) throws -> (
    RunResult, Document
  ) {
    let url = CourseTests.repository.appendingPathComponent("notebooks").appendingPathComponent(
      notebook)
    let text = try String(contentsOf: url, encoding: .utf8)
    var (document, diagnostics) = Document.parse(text, path: "notebooks/\(notebook)")
    if let student {
      let (variant, _, problems) = Variants.apply(
        to: document, notebook: String(notebook.dropLast(3)), student: student, attempt: 0)
      #expect(problems.isEmpty, "\(problems.map(\.description))")
      document = variant
    }
    var options = RunOptions()
    options.generatesCode = code
    return (
      Session(document: document, options: options).run(parseDiagnostics: diagnostics), document
    )
  }

  /// Every way an answer could be printed: fixed at 2…6 decimals and trimmed.
  static func spellings(_ value: Double) -> [String] {
    (2...6).flatMap {
      [NumberText.fixed(value, decimals: $0), NumberText.trimmed(value, decimals: $0)]
    }
    .filter { text in
      text.filter(\.isNumber).count >= 3
        && text.trimmingCharacters(in: CharacterSet(charactersIn: "-0.")) != ""
    }
  }

  /// Whether a number appears whole: not as part of a longer number (0.13 in -0.138).
  static func containsNumber(_ number: String, in text: String) -> Bool {
    var searchFrom = text.startIndex
    while let range = text.range(of: number, range: searchFrom..<text.endIndex) {
      let before =
        range.lowerBound > text.startIndex ? text[text.index(before: range.lowerBound)] : " "
      let after = range.upperBound < text.endIndex ? text[range.upperBound] : " "
      if !before.isNumber, before != ".", before != "-", !after.isNumber { return true }
      searchFrom = range.upperBound
    }
    return false
  }

  @Test(arguments: sheets)
  func nothingOfASolutionReachesTheStudentBuild(_ notebook: String) throws {
    let (result, _) = try Self.run(notebook)
    #expect(result.succeeded, "\(result.diagnostics.map(\.description))")
    let answers = result.answers
    #expect(answers.count >= 5)
    let name = String(notebook.dropLast(3))
    let markdown = MarkdownHandout(result: result, name: name, build: .student)
    let outputs =
      [
        markdown.text, HTMLHandout(result: result, name: name, math: nil, build: .student).text,
        NotebookExport(result: result, name: name, build: .student).json,
      ] + markdown.figures.map(\.svg)
    for answer in answers {
      for spelling in Self.spellings(answer.value) {
        for (index, output) in outputs.enumerated() {
          #expect(
            !Self.containsNumber(spelling, in: output),
            "\(answer.reference) = \(spelling) leaks into student output \(index)")
        }
      }
    }
    for output in outputs {
      #expect(!output.contains("class=\"solution\""))
      #expect(!output.contains("Solution"))
      #expect(!output.contains("Expectation"), "expectations are not for students")
    }
    #expect(markdown.text.contains(#"\_\_\_\_"#), "a blank reads ____ in Markdown, escaped")
    // The key has every answer, and the summary of questions.
    let key = MarkdownHandout(result: result, name: name, build: .key).text
    #expect(key.contains("## Answer key"))
    // Table cells escape what GitHub reads as markup: `new_w46` is written `new\_w46`.
    for answer in answers { #expect(key.contains(answer.reference.replacing("_", with: "\\_"))) }
    #expect(key.contains("<details class=\"solution\">"))
  }

  /// Every committed student file, every format: no figure shows a blanked value.
  @Test(arguments: ["exercise1", "exercise2"])
  func noStudentFileShowsABlankInAFigure(_ name: String) throws {
    let (result, _) = try Self.run("\(name).md")
    let folder = CourseTests.repository.appendingPathComponent("output/student")
    var files = [
      folder.appendingPathComponent("\(name).html"), folder.appendingPathComponent("\(name).ipynb"),
    ]
    let figures = folder.appendingPathComponent("\(name)_files")
    for file in (try? FileManager.default.contentsOfDirectory(atPath: figures.path)) ?? [] {
      files.append(figures.appendingPathComponent(file))
    }
    for file in files {
      let text = try String(contentsOf: file, encoding: .utf8)
      // The text of every SVG element, in the page and in the notebook's JSON alike.
      let texts = text.matches(of: #/<text[^>]*>([^<]*)</text>|<title[^>]*>([^<]*)</title>/#).map {
        String($0.output.1 ?? $0.output.2 ?? "")
      }
      for answer in result.answers {
        for decimals in 2...4 {
          let shown = NumberFormat.value(.number(answer.value), decimals: decimals)
          guard shown.count > 3 else { continue }
          #expect(
            !texts.contains { $0 == shown || $0.hasSuffix(": \(shown)") },
            "\(file.lastPathComponent) shows \(answer.reference) = \(shown) in a figure")
        }
      }
    }
  }

  @Test func theKeyFillsInTheTextbookNumbers() throws {
    let (result, _) = try Self.run("exercise1.md")
    let key = MarkdownHandout(result: result, name: "exercise1", build: .key).text
    #expect(key.contains("| 6 | **(0.474)**(1 − **0.474**)(1 − **0.474**) = **0.1312** |"))
    #expect(key.contains("| w46 | -0.3 + (0.9)**(0.1312)****(0.332)** = **-0.261** |"))
    let html = HTMLHandout(result: result, name: "exercise1", math: nil, build: .student).text
    #expect(
      html.contains(
        "<span class=\"answer-box\" role=\"img\" aria-label=\"answer to fill in\"></span>"))
    // The sheet's prose heading is `#`, so its exercises are `##`: no h1 → h3 jump.
    #expect(html.contains("<h2 class=\"exercise\">Exercise 2: The errors</h2>"))
    #expect(!html.contains("<h3"))
  }

  @Test func variantsAreDeterministicPerStudentAndDifferAcrossStudents() throws {
    let url = CourseTests.repository.appendingPathComponent("notebooks/exercise1.md")
    let (document, _) = Document.parse(
      try String(contentsOf: url, encoding: .utf8), path: "exercise1.md")
    let first = Variants.apply(to: document, notebook: "exercise1", student: "s001", attempt: 0)
      .drawn
    let again = Variants.apply(to: document, notebook: "exercise1", student: "s001", attempt: 0)
      .drawn
    let other = Variants.apply(to: document, notebook: "exercise1", student: "s002", attempt: 0)
      .drawn
    #expect(first == again)
    #expect(first != other)
    #expect(Set(first.keys.map(\.description)) == ["hk.w14", "hk.w35", "hk.w46", "hk.w56"])
    for value in Array(first.values) + Array(other.values) {
      #expect((-0.5...0.5).contains(value))
      #expect(abs(value * 10 - (value * 10).rounded()) < 1e-9, "on the 0.1 grid: \(value)")
    }
    // Pinned: the same id gets the same numbers on every machine (FNV-1a and xoshiro256**).
    let drawn = Dictionary(
      uniqueKeysWithValues: first.map {
        ($0.key.description, NumberText.trimmed($0.value, decimals: 1))
      })
    #expect(drawn == Self.golden)
    // The drawn weights reach the run, and its answers.
    let (result, variant) = try Self.run("exercise1.md", student: "s001")
    #expect(result.succeeded)
    let model = try #require(variant.directives.first { $0.kind == .model })
    #expect(model.option("weights")?.value.contains("w46=\(Self.golden["hk.w46"] ?? "")") == true)
    #expect(result.value("hk.w46")?.number == Double(Self.golden["hk.w46"] ?? ""))
  }

  /// From an independent Python implementation of FNV-1a, SplitMix64, xoshiro256** and
  /// Lemire's bounded draw, for "exercise1|s001|model hk|w14|0" and so on.
  static let golden = ["hk.w14": "-0.5", "hk.w35": "-0.5", "hk.w46": "0.3", "hk.w56": "0.3"]

  @Test func malformedVariationsAreLocated() {
    let (document, _) = Document.parse(
      "```model m\ninputs: 1\nlayer: 1 sigmoid\nvary:\n  w12 in 0..1 by 0.5\n  rate 0.5\n  w99 in 0..1 by 0.5\n```\n",
      path: "v.md")
    let (_, drawn, problems) = Variants.apply(to: document, notebook: "v", student: "a", attempt: 0)
    #expect(drawn.isEmpty)
    #expect(
      problems.map(\.headline) == [
        "v.md:5:3: error: 'w12' matches no option and no w12=… in this block",
        "v.md:6:3: error: expected 'name in low..high by step', found 'rate 0.5'",
        "v.md:7:3: error: 'w99' matches no option and no w99=… in this block",
      ])
  }

  @Test func gradingScoresAndNamesEveryProblem() throws {
    let answers = """
      student,exercise,question,expected,tolerance,kind,points
      ana,1,hk.O6,0.4739,0.001,absolute,1
      ana,2,hk.Err6,0.1312,0.0002,absolute,2
      ben,1,hk.O6,0.5123,0.001,absolute,1
      ben,2,hk.Err6,0.1000,5,relative,2

      """.replacing("5,relative", with: "0.05,relative")
    let submissions = """
      student,question,answer
      ana,hk.O6,0.474
      ana,hk.Err6,0.1311
      ben,hk.O6,0.52
      ben,hk.Err6,0.104
      ben,hk.Err6,0.2
      cai,hk.O6,0.5
      ana,hk.O9,1
      """
    let report = try Grading.grade(
      answers: answers, answersName: "answers.csv", submissions: submissions,
      submissionsName: "sub.csv")
    #expect(
      report.byStudent.map { "\($0.student) \($0.earned)/\($0.possible)" } == [
        "ana 3/3", "ben 2/3",
      ])
    #expect(
      report.byQuestion.map { "\($0.question) \($0.correct)/\($0.students)" } == [
        "hk.O6 1/2", "hk.Err6 2/2",
      ])
    #expect(
      report.problems == [
        "sub.csv:6: a second answer from ben to hk.Err6; the first counts",
        "sub.csv:7: unknown student 'cai' (not in answers.csv)",
        "sub.csv:8: 'hk.O9' is not a question for ana",
      ])
    let missing = try Grading.grade(
      answers: answers, answersName: "answers.csv",
      submissions: "student,question,answer\nana,hk.O6,zero\n", submissionsName: "s.csv")
    #expect(
      missing.problems.contains(
        "s.csv:2: ana's answer to hk.O6 is 'zero', not a number (scored as wrong)"))
    #expect(missing.problems.contains("s.csv: no answer from ana to 2 questions (scored as wrong)"))
    #expect(missing.problems.contains("s.csv: no answer from ben to 2 questions (scored as wrong)"))
    #expect(missing.byStudent.allSatisfy { $0.earned == 0 })
    #expect(throws: GradingError.self) {
      try Grading.grade(
        answers: "who,what\n1,2\n", answersName: "a.csv", submissions: "", submissionsName: "s.csv")
    }
    #expect(
      Grading.csv(report).hasPrefix(
        "student,question,expected,submitted,correct,points\nana,hk.O6,0.4739,0.474,yes,1\n"))
  }

  @Test func theAnswersFileRoundTripsThroughGrading() throws {
    let (result, _) = try Self.run("exercise2.md")
    let file = AnswerKey.csv([("s1", result.answers)])
    // A student who answers every blank exactly gets full marks.
    let perfect =
      "student,question,answer\n"
      + result.answers.map { "s1,\($0.reference),\($0.value)" }.joined(separator: "\n")
    let report = try Grading.grade(
      answers: file, answersName: "a.csv", submissions: perfect, submissionsName: "s.csv")
    #expect(report.problems.isEmpty)
    let total = result.answers.reduce(0) { $0 + $1.points }
    #expect(report.byStudent.first?.earned == total)
    // Relative tolerance: the gradient blanks accept 2 % either way.
    let gradient = try #require(result.answers.first { $0.reference == "neuron.grad_w" })
    #expect(
      gradient.tolerance.relative && gradient.accepts(gradient.value * 1.019)
        && !gradient.accepts(gradient.value * 1.03))
  }

  @Test(
    "the ipynb export validates against the nbformat 4.5 schema",
    .enabled(
      if: (try? BrowserTests.run(BrowserTests.python, ["-c", "import jsonschema; print('ok')"]))?
        .contains("ok") == true,
      "python3 with jsonschema is needed: scripts/test installs it in .build/test-venv"),
    arguments: sheets)
  func ipynbIsValid(_ notebook: String) throws {
    let (result, _) = try Self.run(notebook, code: true)
    let json = NotebookExport(result: result, name: String(notebook.dropLast(3)), build: .student)
      .json
    let folder = CourseTests.repository.appendingPathComponent(".build/ipynb")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let file = folder.appendingPathComponent(notebook + ".ipynb")
    try Data(json.utf8).write(to: file)
    let schema = CourseTests.repository.appendingPathComponent(
      "Tests/Fixtures/nbformat.v4.5.schema.json")
    let verdict = try BrowserTests.run(
      BrowserTests.python,
      [
        "-c",
        "import json,sys,jsonschema; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))); print('valid')",
        file.path, schema.path,
      ])
    #expect(verdict.contains("valid"), "the notebook does not validate: \(verdict)")
    // What Jupyter and nbconvert show without nbrun's stylesheet carries every result:
    // exercise headings (Markdown cells: an exercise has no code), captions, and blanks as
    // ____ (a student's blanked table is Markdown above the code that computes it), never an
    // unstyled box. The kernel is Python 3, and the first code cell is the support code.
    let parsed = try #require(
      try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    let cells = try #require(parsed["cells"] as? [[String: Any]])
    let kernel = (parsed["metadata"] as? [String: Any])?["kernelspec"] as? [String: Any]
    #expect(kernel?["name"] as? String == "python3")
    var shown = ""
    var code: [String] = []
    for cell in cells {
      let source = (cell["source"] as? [String] ?? []).joined()
      if cell["cell_type"] as? String == "markdown" { shown += source }
      if cell["cell_type"] as? String == "code" { code.append(source) }
      for output in cell["outputs"] as? [[String: Any]] ?? [] {
        let data = output["data"] as? [String: Any] ?? [:]
        let html = data["text/html"] as? String
        let markdown = data["text/markdown"] as? String
        if let markdown, !markdown.isEmpty {
          #expect(html?.isEmpty == false, "a result shows in Markdown but not in HTML")
        }
        shown += html ?? ""
      }
    }
    #expect(shown.contains("## Exercise 1"))
    #expect(shown.contains(#"\_\_\_\_"#), "blanks show as ____ (escaped in Markdown)")
    #expect(!shown.contains("answer-box"), "no box that needs nbrun's CSS")
    #expect(shown.contains("per answer"), "each exercise says its points")
    #expect(code.first?.contains("class Random:") == true, "the support cell comes first")
    #expect(code.dropFirst().contains { $0.contains("backward(") }, "a backward pass is code")
    #expect(!code.contains { $0.contains("assert ") }, "no expectation gives an answer away")
    #expect(
      json
        == NotebookExport(
          result: try Self.run(notebook, code: true).0, name: String(notebook.dropLast(3)),
          build: .student
        ).json)
  }
}
