import CommandLineSupport
import Figures
import Foundation
import Notebook
import Rendering
import Runner
import Testing

/// Every notebook in notebooks/ is an end-to-end test: run it, and compare what it gives
/// with the committed handouts in output/ by the code `nbrun --check` uses.
@Suite("The course")
struct CourseTests {
  static let repository = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  static var notebooks: [String] {
    let folder = repository.appendingPathComponent("notebooks")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    return names.filter { $0.hasSuffix(".md") }.sorted()
  }

  static func files(
    _ notebook: String, math: MathAssets?, cache: BlockCache? = nil, blockWorkers: Int = 1
  ) throws -> (
    RunResult, [(path: String, text: String)]
  ) {
    let url = repository.appendingPathComponent("notebooks").appendingPathComponent(notebook)
    let text = try String(contentsOf: url, encoding: .utf8)
    let (document, diagnostics) = Document.parse(text, path: "notebooks/\(notebook)")
    let folder = url.deletingLastPathComponent()
    var options = RunOptions(readFile: {
      try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8)
    })
    options.cache = cache
    options.blockWorkers = blockWorkers
    let result = Session(document: document, options: options).run(parseDiagnostics: diagnostics)
    let name = String(notebook.dropLast(3))
    let markdown = MarkdownHandout(result: result, name: name)
    var files: [(path: String, text: String)] = [("\(name).md", markdown.text)]
    files += markdown.figures.map { ($0.path, $0.svg) }
    if let math {
      // A page of the course links to the notebooks before and after it.
      let course = CourseFinder.courses(for: [url.path])[url.path]?.links(for: name)
      files.append(
        ("\(name).html", HTMLHandout(result: result, name: name, math: math, course: course).text))
    }
    return (result, files)
  }

  @Test(
    .enabled(
      if: OpenBLASKernel.isPortable,
      "OpenBLAS runs the \(OpenBLASKernel.current) kernel, not the one the handouts were made with; run the tests through scripts/test, which pins it"
    ),
    arguments: notebooks)
  func notebookRunsAndMatchesItsCommittedHandouts(_ notebook: String) throws {
    let math = HandoutFiles.katex()
    // Run with a new block cache and independent blocks side by side (-j 2), then again,
    // one block at a time, from the cache: both give the committed handouts.
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "nbrun-course-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    let cache = BlockCache(store: DiskBlockStore(folder: folder), salt: "course")
    let (result, files) = try Self.files(notebook, math: math, cache: cache, blockWorkers: 2)
    #expect(result.succeeded, "\(result.diagnostics.map(\.description).joined(separator: "\n"))")
    #expect(result.outcomes.allSatisfy { !$0.cached })
    let differences = HandoutFiles.check(
      files, in: Self.repository.appendingPathComponent("output"), shownAs: "output")
    #expect(
      differences.isEmpty,
      "\(differences.map(\.description).joined(separator: "\n")) — run nbrun to regenerate")
    let (warm, warmFiles) = try Self.files(notebook, math: math, cache: cache)
    #expect(
      warm.outcomes.allSatisfy { $0.cached == ($0.block.kind != .data) },
      "every block of \(notebook) but its data blocks is cached")
    #expect(warmFiles.map(\.path) == files.map(\.path))
    #expect(warmFiles.map(\.text) == files.map(\.text), "\(notebook) differs when cached")
    if math == nil {
      print(
        "note: KaTeX is not installed, so \(notebook)'s HTML was not compared (apt-get install libjs-katex)"
      )
    }
  }
}

@Suite("Writing handouts")
struct WritingTests {
  @Test func writesAtomicallyAndRemovesStaleFigures() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "nbrun-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    try HandoutFiles.write(
      [("a.md", "first"), ("a_files/fig-1.svg", "<svg/>"), ("a_files/fig-2.svg", "<svg/>")],
      to: folder,
      figuresFolder: "a_files")
    try HandoutFiles.write(
      [("a.md", "second"), ("a_files/fig-1.svg", "<svg/>")], to: folder, figuresFolder: "a_files")
    #expect(
      try String(contentsOf: folder.appendingPathComponent("a.md"), encoding: .utf8) == "second")
    let figures = try FileManager.default.contentsOfDirectory(
      atPath: folder.appendingPathComponent("a_files").path)
    #expect(figures == ["fig-1.svg"], "the stale figure is gone")
    let top = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    #expect(top == ["a.md", "a_files"], "no temporary files are left")
  }

  @Test func aFailedWriteLeavesTheOldFile() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "nbrun-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    try HandoutFiles.write([("a.md", "old")], to: folder, figuresFolder: "a_files")
    // A directory where a file must go makes the write fail; the handout beside it stays.
    try FileManager.default.createDirectory(
      at: folder.appendingPathComponent("b.md"), withIntermediateDirectories: true)
    #expect(throws: (any Error).self) {
      try HandoutFiles.write([("b.md", "new")], to: folder, figuresFolder: "b_files")
    }
    #expect(try String(contentsOf: folder.appendingPathComponent("a.md"), encoding: .utf8) == "old")
  }
}

@Suite("Robustness")
struct RobustnessTests {
  /// Every lecture with random deletions, duplications and substitutions (60 mutants
  /// each, seeded): every run must end in results or located diagnostics within its
  /// budget, never a crash.
  @Test(arguments: ["lecture1", "lecture2", "lecture3", "lecture4"])
  func mutatedLecturesNeverCrash(_ lecture: String) throws {
    let url = CourseTests.repository.appendingPathComponent("notebooks/\(lecture).md")
    let original = Array(try String(contentsOf: url, encoding: .utf8))
    let alphabet = Array("0123456789-.,;:=|/ \n`{}$#xwθabcdefghijklmnopqrstuvwyzABC_()[]*^")
    var generator = SeededBytes(seed: 42 &+ UInt64(lecture.hashValueStable & 0xFFFF))
    for round in 0..<60 {
      var text = original
      for _ in 0..<(1 + generator.next(below: 6)) {
        let position = generator.next(below: text.count)
        switch generator.next(below: 3) {
        case 0: text.remove(at: position)
        case 1: text.insert(text[position], at: position)
        default: text[position] = alphabet[generator.next(below: alphabet.count)]
        }
      }
      let (document, diagnostics) = Document.parse(String(text), path: "mutant\(round).md")
      let result = Session(document: document, options: RunOptions(keepGoing: true, budget: 0.05))
        .run(parseDiagnostics: diagnostics)
      _ = MarkdownHandout(result: result, name: "mutant").text
      _ = HTMLHandout(result: result, name: "mutant", math: nil).text
      #expect(result.outcomes.count == document.directives.count)
    }
  }
}

extension RobustnessTests {
  /// Exercise sheets with random mutations, through variants and the student and key
  /// builds: located diagnostics, never a crash.
  @Test func mutatedExerciseSheetsNeverCrash() throws {
    let url = CourseTests.repository.appendingPathComponent("notebooks/exercise1.md")
    let original = Array(try String(contentsOf: url, encoding: .utf8))
    let alphabet = Array("0123456789-.,;:=|/ \n`{}$#xwθabcdefghijklmnopqrstuvwyz_<>\"")
    var generator = SeededBytes(seed: 7)
    for round in 0..<60 {
      var text = original
      for _ in 0..<(1 + generator.next(below: 4)) {
        let position = generator.next(below: text.count)
        switch generator.next(below: 3) {
        case 0: text.remove(at: position)
        case 1: text.insert(text[position], at: position)
        default: text[position] = alphabet[generator.next(below: alphabet.count)]
        }
      }
      let (parsed, diagnostics) = Document.parse(String(text), path: "mutant\(round).md")
      let (document, _, _) = Variants.apply(
        to: parsed, notebook: "mutant", student: "s\(round)", attempt: 0)
      let result = Session(document: document, options: RunOptions(keepGoing: true, budget: 0.05))
        .run(parseDiagnostics: diagnostics)
      for build in [Build.student, .key] {
        _ = MarkdownHandout(result: result, name: "mutant", build: build).text
        _ = HTMLHandout(result: result, name: "mutant", math: nil, build: build).text
        _ = NotebookExport(result: result, name: "mutant", build: build).json
      }
      _ = AnswerKey.csv([("s", result.answers)])
    }
  }
}

/// A tiny deterministic generator for the mutations (SplitMix64).
struct SeededBytes {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next(below bound: Int) -> Int {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    z ^= z >> 31
    return Int(z % UInt64(max(1, bound)))
  }
}
