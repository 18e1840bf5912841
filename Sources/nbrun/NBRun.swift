import ArgumentParser
import CommandLineSupport
import Foundation
import Notebook
import Rendering
import Runner

/// `nbrun notebooks/lecture2.md` runs a lecture notebook and writes its handouts;
/// `nbrun grade` grades students' answers.
@main
struct NBRun: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "nbrun",
    abstract: "Runs Markdown lecture notebooks and writes their handouts; grades exercises.",
    subcommands: [Render.self, Grade.self], defaultSubcommand: Render.self)
}

/// Renders notebooks: handouts, student and key builds, per-student variants.
struct Render: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "render",
    abstract: "Runs Markdown lecture notebooks and writes their handouts (Markdown, HTML, ipynb).",
    discussion: """
      Each notebook NAME.md gives OUTPUT/NAME.md, OUTPUT/NAME.html and OUTPUT/NAME_files/
      (and OUTPUT/NAME.ipynb with --to ipynb). With --check nothing is written: nbrun
      verifies every expectation and that the handouts in OUTPUT are exactly what the
      notebooks give now, and names what changed. Exit status: 0 when everything ran and
      held, 1 otherwise.
      """)

  @Argument(help: "The notebooks to run.")
  var notebooks: [String] = []

  @Flag(help: "Verify expectations and committed handouts; write nothing.")
  var check = false

  @Option(
    name: [.short, .customLong("output")],
    help:
      "The folder handouts go to (default output/, output/student/, output/key/, output/variants/)."
  )
  var outputOption: String?

  @Option(name: .customLong("to"), help: "Formats to write: md, html, ipynb (comma-separated).")
  var formats = "md,html"

  @Flag(help: "The student build: no solutions, no expectations, blanks left empty.")
  var student = false

  @Flag(help: "The answer key: blanks filled in, solutions kept, a summary of the questions.")
  var key = false

  @Option(
    help: "A roster CSV (a student id first on each line): a student build and a key per student.")
  var variants: String?

  @Flag(help: "After a failed block, run the blocks that do not depend on it.")
  var keepGoing = false

  @Flag(help: "Print one line per block: location, directive, time taken.")
  var report = false

  @Option(help: "Seconds the whole run of a notebook may take.")
  var budget: Double?

  @Option(help: "The folder KaTeX is read from (Debian's libjs-katex).")
  var katex = "/usr/share/javascript/katex"

  @Flag(help: "Print the directive reference (docs/directives.md) and exit.")
  var reference = false

  @Flag(help: "Print nothing but errors.")
  var quiet = false

  func validate() throws {
    if !reference, notebooks.isEmpty {
      throw ValidationError("name at least one notebook, e.g. nbrun notebooks/lecture2.md")
    }
    for format in formatList where !["md", "html", "ipynb"].contains(format) {
      throw ValidationError("unknown format '\(format)' in --to: use md, html, ipynb")
    }
    if let budget, !(budget > 0) {
      throw ValidationError("--budget must be a positive number of seconds")
    }
    if [student, key, variants != nil].filter({ $0 }).count > 1 {
      throw ValidationError("choose one of --student, --key and --variants")
    }
  }

  var formatList: [String] {
    formats.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
  }

  var build: Build { student ? .student : (key ? .key : .handout) }

  var output: String {
    outputOption
      ?? (variants != nil
        ? "output/variants" : (student ? "output/student" : (key ? "output/key" : "output")))
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
    let roster = try variants.map(Roster.init(path:))
    var failed = false
    for path in notebooks {
      failed = try process(path, math: math, roster: roster) || failed
    }
    if failed { throw ExitCode(1) }
  }

  /// Runs one notebook (once per student with --variants); returns whether anything failed.
  private func process(_ path: String, math: MathAssets?, roster: Roster?) throws -> Bool {
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
    func execute(_ document: Document, _ diagnostics: [Diagnostic]) -> RunResult {
      let result = Session(document: document, options: options).run(parseDiagnostics: diagnostics)
      progress?.clear()
      return result
    }

    guard let roster else {
      let result = execute(document, diagnostics)
      report(result, path: path)
      var files = self.files(result, name: name, build: build, math: math)
      if build == .key {
        files.append(("\(name)-answers.csv", AnswerKey.csv([("default", result.answers)])))
      }
      return try finish(files, result.succeeded, path: path, name: name, started: started)
    }

    // One student build and one key per student; a draw that breaks an expectation is
    // drawn again (up to ten times), since expectations are how authors constrain draws.
    var files: [(path: String, text: String)] = []
    var answers: [(student: String, answers: [Answer])] = []
    var succeeded = true
    for entry in roster.students {
      var chosen: RunResult?
      var last: RunResult?
      for attempt in 0..<10 {
        let (variant, _, problems) = Variants.apply(
          to: document, notebook: name, student: entry.id, attempt: attempt)
        guard problems.isEmpty else {
          for problem in problems { printError(problem.description) }
          return true
        }
        let result = execute(variant, diagnostics)
        last = result
        if result.succeeded {
          chosen = result
          break
        }
      }
      guard let result = chosen else {
        succeeded = false
        printError(
          "\(path): error: no draw for student \(entry.id) kept every expectation in 10 attempts; narrow the 'vary' ranges"
        )
        for diagnostic in last?.diagnostics ?? [] where diagnostic.severity == .error {
          printError("    " + diagnostic.headline)
        }
        continue
      }
      let student = "\(entry.id)/"
      files += self.files(result, name: name, build: .student, math: math).map {
        (student + $0.path, $0.text)
      }
      files += self.files(result, name: name, build: .key, math: math).map {
        (student + "key/" + $0.path, $0.text)
      }
      answers.append((entry.id, result.answers))
    }
    files.append(("\(name)-answers.csv", roster.carry(AnswerKey.csv(answers))))
    return try finish(files, succeeded, path: path, name: name, started: started)
  }

  /// The files of one build of a run.
  private func files(_ result: RunResult, name: String, build: Build, math: MathAssets?) -> [(
    path: String, text: String
  )] {
    var files: [(path: String, text: String)] = []
    if formatList.contains("md") {
      let markdown = MarkdownHandout(result: result, name: name, build: build)
      files.append(("\(name).md", markdown.text))
      files += markdown.figures.map { (path: $0.path, text: $0.svg) }
    }
    if formatList.contains("html") {
      files.append(
        ("\(name).html", HTMLHandout(result: result, name: name, math: math, build: build).text))
    }
    if formatList.contains("ipynb") {
      files.append(("\(name).ipynb", NotebookExport(result: result, name: name, build: build).json))
    }
    return files
  }

  private func report(_ result: RunResult, path: String) {
    for diagnostic in result.diagnostics where !quiet || diagnostic.severity == .error {
      printError(diagnostic.description)
    }
    guard report else { return }
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

  /// Checks or writes a notebook's files; returns whether anything failed.
  private func finish(
    _ files: [(path: String, text: String)], _ succeeded: Bool, path: String, name: String,
    started: Date
  )
    throws -> Bool
  {
    let outputFolder = URL(fileURLWithPath: output)
    if check {
      let differences = HandoutFiles.check(files, in: outputFolder, shownAs: output)
      for difference in differences { printError("nbrun --check: \(difference)") }
      let verdict = succeeded && differences.isEmpty
      if !quiet {
        printError(
          verdict
            ? "\(path): ok — every expectation holds and \(output)/ is up to date"
            : "\(path): FAILED — \(differences.count) difference(s)\(succeeded ? "" : ", and errors above")"
        )
      }
      return !verdict
    }
    try HandoutFiles.write(files, to: outputFolder, figuresFolder: "\(name)_files")
    if !quiet {
      let seconds = String(format: "%.2f", Date().timeIntervalSince(started))
      let shown = files.filter { !$0.path.contains("_files/") && !$0.path.contains("/") }.map {
        "\(output)/\($0.path)"
      }
      let extra = files.count - shown.count
      printError(
        "\(path): done in \(seconds) s → \(shown.joined(separator: ", "))\(extra > 0 ? " and \(extra) more" : "")"
      )
    }
    return !succeeded
  }
}

/// `nbrun grade ANSWERS SUBMISSIONS`: scores per student and per question.
struct Grade: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Grades students' answers against the answers file of a key or variants build.",
    discussion: """
      ANSWERS is NAME-answers.csv from `nbrun --key` or `nbrun --variants`. SUBMISSIONS is a
      CSV with the header student,question,answer — one row per student and blank, the
      question named as in ANSWERS (hk.Err4). Scores go to stdout and to --scores.
      """)

  @Argument(help: "The answers file.")
  var answers: String

  @Argument(help: "The students' submissions.")
  var submissions: String

  @Option(help: "Where to write the scores, one row per student and question.")
  var scores = "scores.csv"

  func run() throws {
    func read(_ path: String) throws -> String {
      do {
        return try String(contentsOfFile: path, encoding: .utf8)
      } catch {
        printError("nbrun grade: cannot read \(path): \(error.localizedDescription)")
        throw ExitCode(1)
      }
    }
    let report: Grading.Report
    do {
      report = try Grading.grade(
        answers: try read(answers), answersName: answers, submissions: try read(submissions),
        submissionsName: submissions)
    } catch let error as GradingError {
      printError("nbrun grade: \(error.message)")
      throw ExitCode(1)
    }
    for problem in report.problems { printError("nbrun grade: \(problem)") }
    print("student\tpoints")
    for (student, earned, possible) in report.byStudent {
      print("\(student)\t\(earned)/\(possible)")
    }
    print("\nquestion\tcorrect")
    for (question, correct, students) in report.byQuestion {
      print("\(question)\t\(correct)/\(students)")
    }
    try Data(Grading.csv(report).utf8).write(to: URL(fileURLWithPath: scores), options: .atomic)
  }
}

/// A roster: one student id first on each line (a header line `id,…` or `student,…` is
/// skipped); other columns are carried into the answers file.
struct Roster {
  var students: [(id: String, extra: [String])]
  var extraHeader: [String]

  init(path: String) throws {
    let text: String
    do {
      text = try String(contentsOfFile: path, encoding: .utf8)
    } catch {
      throw ValidationError("cannot read the roster \(path): \(error.localizedDescription)")
    }
    var rows = text.split(whereSeparator: \.isNewline).map {
      $0.split(separator: ",", omittingEmptySubsequences: false).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
    }
    .filter { !($0.first ?? "").isEmpty }
    extraHeader = []
    if let first = rows.first?.first?.lowercased(), ["id", "student", "student_id"].contains(first)
    {
      extraHeader = Array(rows.removeFirst().dropFirst())
    }
    students = rows.map { ($0[0], Array($0.dropFirst())) }
    guard !students.isEmpty else { throw ValidationError("the roster \(path) names no students") }
    let ids = students.map(\.id)
    if let repeated = ids.first(where: { id in ids.filter { $0 == id }.count > 1 }) {
      throw ValidationError("the roster \(path) names student '\(repeated)' twice")
    }
    for id in ids where id.contains("/") || id.hasPrefix(".") {
      throw ValidationError("'\(id)' in \(path) cannot name a folder: use letters, digits, - and _")
    }
  }

  /// The answers file with the roster's other columns appended to each student's rows.
  func carry(_ csv: String) -> String {
    let width = students.map(\.extra.count).max() ?? 0
    guard width > 0 else { return csv }
    let header = (0..<width).map {
      extraHeader.indices.contains($0) ? extraHeader[$0] : "extra\($0 + 1)"
    }
    let byID = Dictionary(students.map { ($0.id, $0.extra) }, uniquingKeysWith: { a, _ in a })
    var lines = csv.split(separator: "\n").map(String.init)
    guard !lines.isEmpty else { return csv }
    lines[0] += "," + header.joined(separator: ",")
    for index in lines.indices.dropFirst() {
      let id = String(lines[index].prefix { $0 != "," })
      let extra = byID[id] ?? []
      lines[index] +=
        "," + (0..<width).map { extra.indices.contains($0) ? extra[$0] : "" }.joined(separator: ",")
    }
    return lines.joined(separator: "\n") + "\n"
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
