import Figures
import FormulaAudit
import Foundation
import MathCheck
import Notebook
import Rendering
import Runner

/// What the command line asked for, as a value: formats, the build, a roster for
/// per-student variants, and where the files go.
public struct JobRequest: Sendable {
  public enum Format: String, CaseIterable, Sendable {
    case md, html, ipynb, slides, pdf
  }

  public var formats: [Format]
  public var build: Build
  public var roster: Roster?
  public var run: RunOptions
  /// The notebook's place in its course: previous/next links on its HTML page.
  public var course: Course.Links?
  /// Whether the files are wanted for comparison (`--check`) even when the run failed;
  /// otherwise a run with errors is not rendered unless `run.keepGoing` asks for it.
  public var comparing = false
  /// The kernel an ipynb export is for.
  public var ipynbKernel = IPYNBKernel.python3
  /// With a roster: takes each student's files as soon as they are made, so a roster of
  /// thousands is built in bounded memory (the job keeps only the answers file). A thrown
  /// error stops the job there.
  public var deliver: (@Sendable ([(path: String, text: String)]) throws -> Void)?

  public init(formats: [Format], build: Build, roster: Roster?, run: RunOptions) {
    self.formats = formats
    self.build = build
    self.roster = roster
    self.run = run
    // A notebook export for Python carries every block's NumPy code.
    if formats.contains(.ipynb) { self.run.generatesCode = true }
  }

  /// Where handouts go unless `-o` says otherwise: `output/`, `output/review/`,
  /// `output/student/`, `output/key/`, or `output/variants/`.
  public static func defaultFolder(build: Build, variants: Bool) -> String {
    if variants { return "output/variants" }
    switch build {
    case .handout: return "output"
    case .review: return "output/review"
    case .student: return "output/student"
    case .key: return "output/key"
    }
  }
}

/// The kernel an ipynb export runs in: Python's (NumPy code that recomputes the results),
/// or nbrun's own (the directive blocks as cells).
public enum IPYNBKernel: String, CaseIterable, Sendable {
  case python3, nbrun
}

/// One notebook run for one request: the files to write (or compare), what to tell the
/// user, and the verdict. Reads and writes nothing; the caller does the disk work.
public struct NotebookJob: Sendable {
  public var files: [(path: String, text: String)] = []
  /// Files that are not text (a PDF), written with the others.
  public var binaries: [(path: String, bytes: [UInt8])] = []
  /// Every run (one per student with a roster), for reports.
  public var results: [RunResult] = []
  /// Messages for stderr beyond the runs' own diagnostics.
  public var messages: [String] = []
  public var verdict = Verdict.succeeded

  /// What is wrong with the pages themselves: TeX mistakes (KaTeX's, located), math left
  /// unrendered in an HTML handout, and printed formulas that do not re-evaluate to what
  /// they print (``FormulaAudit``).
  public var pageDiagnostics: [Diagnostic] = []
  /// The formula audit of the files made (every format), for `--report` and the tests.
  public var formulaReport = FormulaAudit.Report()

  /// Runs `document` (named `name`, the file's stem) as the request says; `checker`
  /// parses its math at build time.
  public init(
    document: Document, diagnostics: [Diagnostic], name: String, request: JobRequest,
    math: MathAssets?, checker: KaTeXChecker? = nil
  ) {
    let deadline = request.run.deadline ?? .none
    defer {
      CodePages.release()
      if !stopped(by: deadline, while: "checking the page's TeX", in: document) {
        checkMath(document, checker: checker, deadline: deadline)
      }
      if !stopped(by: deadline, while: "checking the page's formulas", in: document) {
        auditFormulas(document, deadline: deadline)
      }
      _ = stopped(by: deadline, while: "checking the page's formulas", in: document)
    }
    func execute(_ document: Document, _ diagnostics: [Diagnostic]) -> RunResult {
      Session(document: document, options: request.run).run(parseDiagnostics: diagnostics)
    }
    guard let roster = request.roster else {
      let result = execute(document, diagnostics)
      CodePages.release()
      results = [result]
      verdict = result.verdict
      // A run with errors makes no files unless they are to be written anyway or compared.
      guard verdict != .notebookErrors || request.run.keepGoing || request.comparing else {
        return
      }
      guard !stopped(by: deadline, while: "rendering the handouts", in: document) else { return }
      files = Self.files(
        result, name: name, build: request.build, formats: request.formats, math: math,
        course: request.course, ipynbKernel: request.ipynbKernel)
      if request.build == .key {
        files.append(("\(name)-answers.csv", AnswerKey.csv([("default", result.answers)])))
      }
      _ = stopped(by: deadline, while: "rendering the handouts", in: document)
      return
    }
    // One student build and one key per student, each with the student's own numbers.
    if let clash = roster.students.first(where: { $0.id == "\(name)-answers.csv" }) {
      messages.append(
        "\(document.path): error: the roster's student '\(clash.id)' would be a folder named like the answers file; rename the student"
      )
      verdict = .notebookErrors
      return
    }
    var answers: [(student: String, answers: [Answer])] = []
    // The run's budget holds for the whole roster: each student gets what is left of it.
    var options = request.run
    let rosterDeadline = request.run.deadline ?? Deadline(seconds: request.run.budget)
    options.deadline = rosterDeadline
    for (index, entry) in roster.students.enumerated() {
      guard !rosterDeadline.passed else {
        messages.append(
          "\(document.path): error: the run's budget of \(NumberText.plain(request.run.budget ?? 0)) s ran out after \(index) of \(roster.students.count) students; raise --budget"
        )
        verdict = .notebookErrors
        return
      }
      let draw = Variants.draw(document, notebook: name, student: entry.id) {
        Session(document: $0, options: options).run(parseDiagnostics: diagnostics)
      }
      guard draw.mistakes.isEmpty else {
        messages += draw.mistakes.map(\.description)
        verdict = .notebookErrors
        return
      }
      guard let result = draw.result else {
        if let last = draw.lastAttempt { results.append(last) }
        verdict = max(verdict, draw.lastAttempt?.verdict ?? .notebookErrors)
        messages.append(
          "\(document.path): error: no draw for student \(entry.id) kept every expectation in \(Variants.maximumAttempts) attempts; narrow the 'vary' ranges"
        )
        continue
      }
      // Streaming, only the first student's run is kept, for its diagnostics.
      if request.deliver == nil || results.isEmpty { results.append(result) }
      var made = Self.files(
        result, name: name, build: .student, formats: request.formats, math: math
      ).map { ("\(entry.id)/" + $0.path, $0.text) }
      // A student's key without a results file: the roster's values are in its answers.
      made += Self.files(result, name: name, build: .key, formats: request.formats, math: math)
        .filter { !$0.path.hasSuffix("/" + ResultsFile.name) }
        .map { ("\(entry.id)/key/" + $0.path, $0.text) }
      answers.append((entry.id, result.answers))
      guard let deliver = request.deliver else {
        files += made
        continue
      }
      do {
        try deliver(made)
      } catch {
        messages.append("\(document.path): error: student \(entry.id): \(error)")
        verdict = .notebookErrors
        return
      }
    }
    files.append(("\(name)-answers.csv", roster.carry(AnswerKey.csv(answers))))
  }

  /// Whether the run's budget has run out; when it has, the job's files are dropped (a
  /// page cut short is never written) and the run fails with a message naming the phase,
  /// once.
  private mutating func stopped(
    by deadline: Deadline, while phase: String, in document: Document
  ) -> Bool {
    guard deadline.passed else { return false }
    files = []
    binaries = []
    verdict = .notebookErrors
    let said =
      messages.contains { $0.contains("budget") }
      || results.contains { $0.diagnostics.contains { $0.message.contains("budget of") } }
    if !said {
      messages.append(
        "\(document.path): error: \(deadline.message(while: phase)); nothing was written: raise --budget, or split the notebook into smaller ones"
      )
    }
    return true
  }

  private mutating func checkMath(_ document: Document, checker: KaTeXChecker?, deadline: Deadline)
  {
    if let checker {
      pageDiagnostics += MathDiagnostics.check(document, with: checker, deadline: deadline)
    }
    if files.contains(where: { $0.path.hasSuffix(".html") }) {
      pageDiagnostics += RawTeX.diagnostics(in: document)
    }
    if !pageDiagnostics.isEmpty { verdict = max(verdict, .notebookErrors) }
  }

  /// Reads back every formula the files print and re-evaluates it from its printed
  /// operands; one that does not give its printed result is an error at its block.
  private mutating func auditFormulas(_ document: Document, deadline: Deadline) {
    let texts = Dictionary(
      files.map { ($0.path, $0.text) }, uniquingKeysWith: { first, _ in first })
    var report = FormulaAudit.Report()
    for (path, text) in files {
      guard !deadline.passed else { return }
      let folder = path.split(separator: "/").dropLast().joined(separator: "/")
      if path.hasSuffix(".md") {
        report =
          report
          + FormulaAudit.markdown(text, file: path) { link in
            texts[folder.isEmpty ? link : folder + "/" + link]
          }
      } else if path.hasSuffix(".html") {
        report = report + FormulaAudit.html(text, file: path)
      } else if path.hasSuffix(".ipynb") {
        report = report + FormulaAudit.notebook(text, file: path)
      }
    }
    formulaReport = report
    guard !report.findings.isEmpty, let result = results.first else { return }
    var seen: Set<String> = []
    for finding in report.findings {
      // Blocks are marked by their title; the n-th block so titled printed it.
      let blocks = result.outcomes.map(\.block).filter { $0.title == finding.block }
      let block = blocks.indices.contains(finding.occurrence) ? blocks[finding.occurrence] : nil
      let line = block?.range.start.line ?? 1
      let key = "\(line) \(finding.text)"
      guard seen.insert(key).inserted else { continue }
      let what = finding.figure.map { "figure \($0)" } ?? "\(finding.file)"
      pageDiagnostics.append(
        Diagnostic(
          path: document.path, location: SourceLocation(line: line, column: 1),
          message:
            "\(what) prints \"\(finding.text)\", which evaluates to \(FormulaAudit.shown(finding.evaluated))",
          hint:
            "the page's arithmetic does not hold with its own numbers: this is nbrun's printer, not the notebook; please report it",
          sourceLine: document.lines.indices.contains(line - 1) ? document.lines[line - 1] : nil,
          length: 1))
    }
    verdict = max(verdict, .notebookErrors)
  }

  /// Prints the run's HTML handout to `NAME.pdf` with headless Chromium (`--to pdf`);
  /// a failure is the job's error.
  public mutating func printPDF(name: String, build: Build, math: MathAssets?, chromium: String) {
    guard let result = results.first else { return }
    let html =
      files.first { $0.path == "\(name).html" }?.text
      ?? HTMLHandout(result: result, name: name, math: math, build: build).text
    do {
      // Chromium gets two minutes, or what is left of the run's budget.
      let seconds = min(120, result.deadline.remaining ?? 120)
      guard seconds > 0 else {
        _ = stopped(by: result.deadline, while: "printing the PDF", in: result.document)
        return
      }
      let pdf = try PDFPrinter.print(
        html: html, paper: result.document.frontMatter.paper ?? .a4, chromium: chromium,
        seconds: seconds)
      binaries.append(("\(name).pdf", pdf))
    } catch {
      messages.append("\(result.document.path): error: \(error)")
      verdict = max(verdict, .notebookErrors)
    }
  }

  /// The files of one build of a run.
  public static func files(
    _ result: RunResult, name: String, build: Build, formats: [JobRequest.Format],
    math: MathAssets?, course: Course.Links? = nil, ipynbKernel: IPYNBKernel = .python3
  ) -> [(path: String, text: String)] {
    var files: [(path: String, text: String)] = []
    if formats.contains(.md) {
      let markdown = MarkdownHandout(result: result, name: name, build: build)
      files.append(("\(name).md", markdown.text))
      files += markdown.figures.map { (path: $0.path, text: $0.svg) }
      // The values, for --check (not for students: they would hold the answers).
      if build != .student {
        files.append(("\(name)_files/\(ResultsFile.name)", ResultsFile.json(result)))
      }
    }
    if formats.contains(.html) {
      files.append(
        (
          "\(name).html",
          HTMLHandout(result: result, name: name, math: math, build: build, course: course).text
        ))
    }
    if formats.contains(.slides) {
      files.append(
        (
          "\(name).slides.html",
          SlideDeck(result: result, name: name, math: math, build: build, course: course).text
        ))
    }
    if formats.contains(.ipynb) {
      let json =
        ipynbKernel == .nbrun
        ? KernelNotebookExport(result: result, name: name).json
        : NotebookExport(result: result, name: name, build: build).json
      files.append(("\(name).ipynb", json))
    }
    return files
  }
}
