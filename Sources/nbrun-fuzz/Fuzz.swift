import FormulaAudit
import Foundation
import NeuralEngine
import Notebook
import Rendering
import Runner

/// libFuzzer targets for what reads untrusted text: a notebook from reading to its pages
/// (front matter, cmark, directives and their typed options, every block run within a
/// budget, every format rendered and audited, the kernel's .ipynb written and read), the `expr` parser, the CSV reader, and the
/// grading CSVs. `NBRUN_FUZZ_TARGET` picks one (`notebook`, `expr`, `csv`, `grading`).
///
/// Built with `scripts/fuzz` (`swift build -c release --sanitize fuzzer -Xswiftc
/// -DFUZZING`), libFuzzer supplies `main`. Built plainly, this program replays inputs:
/// `nbrun-fuzz TARGET FILE…` runs each file through the target, which is how the tests
/// run the kept corpus.
enum FuzzTarget: String, CaseIterable {
  case notebook, expr, csv, grading

  static var chosen: FuzzTarget {
    ProcessInfo.processInfo.environment["NBRUN_FUZZ_TARGET"].flatMap(FuzzTarget.init) ?? .notebook
  }

  func run(_ bytes: UnsafeBufferPointer<UInt8>) {
    let text = String(decoding: bytes, as: UTF8.self)
    switch self {
    case .notebook:
      // Read, plan and run every block (with --keep-going's rules, so the blocks after a
      // failed one run too), within a budget of a quarter second: training stops at it.
      // Then every page: Markdown (with its figures), HTML, slides and the Jupyter export
      // with its NumPy code, each read back by the formula audit.
      let deadline = Deadline(seconds: 0.25)
      let (document, diagnostics) = Document.parse(text, path: "fuzz.md", deadline: deadline)
      var options = RunOptions(keepGoing: true, budget: 0.25)
      options.deadline = deadline
      options.generatesCode = true
      let result = Session(document: document, options: options).run(
        parseDiagnostics: diagnostics)
      _ = result.diagnostics.map(\.description)
      for build in [Build.handout, .student, .key] {
        let markdown = MarkdownHandout(result: result, name: "fuzz", build: build)
        _ = FormulaAudit.markdown(markdown.text, file: "fuzz.md") { _ in nil }
        _ = markdown.figures.count
        _ = FormulaAudit.html(
          HTMLHandout(result: result, name: "fuzz", math: nil, build: build).text,
          file: "fuzz.html")
      }
      _ = SlideDeck(result: result, name: "fuzz", math: nil, build: .handout).text.count
      _ = FormulaAudit.notebook(
        NotebookExport(result: result, name: "fuzz", build: .handout).json, file: "fuzz.ipynb")
      // The kernel's notebook of it (every cell's displays), read back; and the input
      // itself read as such a notebook (an .ipynb of the kernel is read the same way).
      let kernelJSON = KernelNotebookExport(result: result, name: "fuzz").json
      if let layout = try? KernelNotebook.read(Data(kernelJSON.utf8), path: "fuzz.ipynb") {
        _ = KernelNotebook.text(of: layout).text.count
      }
      if let layout = try? KernelNotebook.read(Data(bytes), path: "fuzz.ipynb") {
        _ = Document.parse(KernelNotebook.text(of: layout).text, path: "fuzz.ipynb").0.blocks.count
      }
    case .expr:
      // Lines `name = expression`; the last is the output; every free variable is 0.5.
      var definitions: [(name: String, expression: String)] = []
      for line in text.split(separator: "\n") {
        guard let equals = line.firstIndex(of: "=") else { continue }
        let name = line[..<equals].trimmingCharacters(in: .whitespaces)
        definitions.append((name, String(line[line.index(after: equals)...])))
      }
      guard let output = definitions.last?.name, !output.isEmpty else {
        _ = try? ComputationGraph(output: text, values: ["x": 0.5, "a": 2])
        return
      }
      let values = Dictionary(
        uniqueKeysWithValues: ["x", "y", "a", "b", "w", "z"].map { ($0, 0.5) })
      _ = try? ComputationGraph(output: output, definitions: definitions, values: values)
    case .csv:
      _ = try? Dataset(csv: text, hasHeader: text.first?.isLetter == true)
      _ = try? CSVTable(parsing: text, hasHeader: false).numbers()
    case .grading:
      // The answers file and the submissions, split at the first NUL (or half-way).
      let parts = text.split(separator: "\u{0}", maxSplits: 1, omittingEmptySubsequences: false)
      let answers = parts.first.map(String.init) ?? ""
      let submissions = parts.count > 1 ? String(parts[1]) : ""
      if let report = try? Grading.grade(
        answers: answers, answersName: "a.csv", submissions: submissions,
        submissionsName: "s.csv")
      {
        _ = Grading.csv(report)
      }
    }
  }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  guard let data else { return 0 }
  FuzzTarget.chosen.run(UnsafeBufferPointer(start: data, count: size))
  return 0
}

#if !FUZZING
  /// Replays inputs: `nbrun-fuzz TARGET FILE…`; exits 0 when every one ran to its end.
  @main
  enum Replay {
    static func main() {
      let arguments = CommandLine.arguments.dropFirst()
      guard let first = arguments.first, let target = FuzzTarget(rawValue: first) else {
        FileHandle.standardError.write(
          Data(
            "usage: nbrun-fuzz \(FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")) FILE…\n"
              .utf8))
        exit(64)
      }
      for path in arguments.dropFirst() {
        guard let data = FileManager.default.contents(atPath: path) else {
          FileHandle.standardError.write(Data("nbrun-fuzz: cannot read \(path)\n".utf8))
          exit(2)
        }
        data.withUnsafeBytes { raw in target.run(raw.bindMemory(to: UInt8.self)) }
      }
    }
  }
#endif
