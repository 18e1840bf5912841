import ArgumentParser
import CommandLineSupport
import Foundation
import Notebook
import Rendering
import Runner

/// `nbrun notebooks/lecture2.md`: runs a lecture notebook and writes its handouts.
@main
struct NBRun: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "nbrun",
    abstract: "Runs Markdown lecture notebooks and writes their handouts (Markdown and HTML).",
    discussion: """
      Each notebook NAME.md gives OUTPUT/NAME.md, OUTPUT/NAME.html and OUTPUT/NAME_files/.
      With --check nothing is written: nbrun verifies every expectation and that the
      handouts in OUTPUT are exactly what the notebooks give now, and names what changed.
      Exit status: 0 when everything ran and held, 1 otherwise.
      """)

  @Argument(help: "The notebooks to run.")
  var notebooks: [String] = []

  @Flag(help: "Print the directive reference (docs/directives.md) and exit.")
  var reference = false

  @Flag(help: "Verify expectations and committed handouts; write nothing.")
  var check = false

  @Option(name: [.short, .customLong("output")], help: "The folder handouts go to.")
  var output = "output"

  @Option(name: .customLong("to"), help: "Formats to write: md, html, or both.")
  var formats = "md,html"

  @Flag(help: "After a failed block, run the blocks that do not depend on it.")
  var keepGoing = false

  @Flag(help: "Print one line per block: location, directive, time taken.")
  var report = false

  @Option(help: "Seconds the whole run of a notebook may take.")
  var budget: Double?

  @Option(help: "The folder KaTeX is read from (Debian's libjs-katex).")
  var katex = "/usr/share/javascript/katex"

  @Flag(help: "Print nothing but errors.")
  var quiet = false

  func validate() throws {
    if !reference, notebooks.isEmpty {
      throw ValidationError("name at least one notebook, e.g. nbrun notebooks/lecture2.md")
    }
    let known: Set<String> = ["md", "html"]
    for format in formatList where !known.contains(format) {
      throw ValidationError("unknown format '\(format)' in --to: use md, html or md,html")
    }
    if let budget, !(budget > 0) {
      throw ValidationError("--budget must be a positive number of seconds")
    }
  }

  var formatList: [String] {
    formats.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
  }

  func run() throws {
    if reference {
      print(DirectiveReference.markdown, terminator: "")
      return
    }
    OpenBLASKernel.ensure(.portable)
    let math = HandoutFiles.katex(in: katex)
    if math == nil, formatList.contains("html") {
      printError(
        "nbrun: warning: KaTeX not found in \(katex); math in the HTML stays as TeX. Install it: sudo apt-get install -y libjs-katex"
      )
    }
    var failed = false
    for path in notebooks {
      failed = try process(path, math: math) || failed
    }
    if failed { throw ExitCode(1) }
  }

  /// Runs one notebook; returns whether anything failed.
  private func process(_ path: String, math: MathAssets?) throws -> Bool {
    let url = URL(fileURLWithPath: path)
    let text: String
    do {
      text = try String(contentsOf: url, encoding: .utf8)
    } catch {
      printError("\(path): error: cannot read the notebook: \(error.localizedDescription)")
      return true
    }
    let name = url.deletingPathExtension().lastPathComponent
    let folder = url.deletingLastPathComponent()
    let started = Date()
    let (document, diagnostics) = Document.parse(text, path: path)
    let progress = isatty(2) != 0 && !quiet ? ProgressBar() : nil
    var options = RunOptions(keepGoing: keepGoing, budget: budget)
    if let progress { options.progress = { progress.show($0) } }
    options.readFile = { relative in
      try String(contentsOf: folder.appendingPathComponent(relative), encoding: .utf8)
    }
    let result = Session(document: document, options: options).run(parseDiagnostics: diagnostics)
    progress?.clear()
    for diagnostic in result.diagnostics where !quiet || diagnostic.severity == .error {
      printError(diagnostic.description)
    }
    if report {
      for outcome in result.outcomes {
        let status: String
        switch outcome.status {
        case .succeeded: status = "ok"
        case .failed: status = "failed"
        case .skipped(let reason): status = "skipped (\(reason))"
        case .notRun: status = "not run"
        }
        print(
          "\(path):\(outcome.block.range.start.line)\t\(outcome.block.title)\t\(String(format: "%.4f", outcome.seconds)) s\t\(status)"
        )
      }
    }

    var files: [(path: String, text: String)] = []
    let markdown = MarkdownHandout(result: result, name: name)
    if formatList.contains("md") {
      files.append(("\(name).md", markdown.text))
      files += markdown.figures.map { (path: $0.path, text: $0.svg) }
    }
    if formatList.contains("html") {
      files.append(("\(name).html", HTMLHandout(result: result, name: name, math: math).text))
    }
    let outputFolder = URL(fileURLWithPath: output)
    if check {
      let differences = HandoutFiles.check(files, in: outputFolder, shownAs: output)
      for difference in differences { printError("nbrun --check: \(difference)") }
      let verdict = result.succeeded && differences.isEmpty
      if !quiet {
        printError(
          verdict
            ? "\(path): ok — every expectation holds and \(output)/ is up to date"
            : "\(path): FAILED — \(differences.count) difference(s), \(result.diagnostics.filter { $0.severity == .error }.count) error(s)"
        )
      }
      return !verdict
    }
    try HandoutFiles.write(files, to: outputFolder, figuresFolder: "\(name)_files")
    if !quiet {
      let seconds = String(format: "%.2f", Date().timeIntervalSince(started))
      printError(
        "\(path): \(result.outcomes.count) blocks in \(seconds) s → \(files.filter { !$0.path.contains("_files/") }.map { "\(output)/\($0.path)" }.joined(separator: ", "))"
      )
    }
    return !result.succeeded
  }

}

func printError(_ text: String) {
  FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// A one-line training progress bar on a terminal's stderr.
final class ProgressBar: @unchecked Sendable {
  private let lock = NSLock()
  private var last = Date.distantPast

  func show(_ report: ProgressReport) {
    lock.lock()
    defer { lock.unlock() }
    let now = Date()
    guard now.timeIntervalSince(last) > 0.1 || report.epoch == report.epochs else { return }
    last = now
    let width = 30
    let filled = report.epochs > 0 ? width * report.epoch / report.epochs : 0
    let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
    FileHandle.standardError.write(
      Data(
        "\r\(report.block) \(bar) epoch \(report.epoch)/\(report.epochs) loss \(String(format: "%.4g", report.loss))\u{1B}[K"
          .utf8))
  }

  func clear() {
    FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
  }
}
