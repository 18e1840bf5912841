import Figures
import Foundation
import MathCheck
import Notebook
import Rendering
import Runner

/// The whole job for one notebook: read it, parse it, run it, render and check its pages
/// (``NotebookJob/run(_:settings:with:)``), then report and write or compare its files
/// (``NotebookJob/conclude(_:settings:console:outputs:)``).
extension NotebookJob {
  /// What a job is run with besides the settings: KaTeX, a checker of its own (a duktape
  /// heap is not shared between threads), Chromium for a PDF, the page's course links.
  public struct Context: @unchecked Sendable {
    public var math: MathAssets?
    public var checker: KaTeXChecker?
    public var chromium: String?
    public var course: Course.Links?
    /// A training progress bar on the terminal (with one worker only).
    public var progress: ProgressBar?
    public var roster: Roster?
    public var deliver: (@Sendable ([(path: String, text: String)]) throws -> Void)?
    /// Where the data files the run reads are noted (for the render's record).
    public var reads: ReadLog?

    public init(math: MathAssets?, checker: KaTeXChecker?) {
      self.math = math
      self.checker = checker
    }
  }

  /// A notebook read and run: its job, or the message that it could not be read.
  public enum Prepared: Sendable {
    case unreadable(String)
    case ran(NotebookJob, name: String, started: Date)
  }

  /// Reads, parses and runs the notebook at `path`, renders its pages, checks their math
  /// and formulas, and prints its PDF (on any thread; prints nothing, writes nothing).
  public static func run(_ path: String, settings: RenderSettings, with context: Context)
    -> Prepared
  {
    let url = URL(fileURLWithPath: path)
    let name = url.deletingPathExtension().lastPathComponent
    let started = Date()
    // The budget counts from here: reading, parsing, running, checking and rendering.
    let deadline = Deadline(seconds: settings.budget)
    var text: String
    // An .ipynb of the nbrun kernel is read as the notebook its cells stand for; its
    // messages name the cell and the line within it.
    var origin: [(cell: Int, line: Int)]?
    do {
      text = try FileText.read(url, shownAs: path, keepingMark: true)
      if url.pathExtension == "ipynb" {
        let layout = try KernelNotebook.read(Data(text.utf8), path: path)
        (text, origin) = KernelNotebook.text(of: layout)
      }
    } catch let error as KernelNotebook.ReadError {
      return .unreadable(error.description)
    } catch {
      return .unreadable("\(path): error: \(error)")
    }
    let folder = url.deletingLastPathComponent()
    var options = RunOptions(keepGoing: settings.keepGoing, budget: settings.budget)
    options.deadline = deadline
    options.blockWorkers = settings.jobs ?? ProcessInfo.processInfo.activeProcessorCount
    // --check verifies: it runs every block. A roster's variants differ per student.
    if !settings.noCache, !settings.check, settings.variants == nil, !settings.cacheIsLinked {
      options.cache = BlockCache(
        store: DiskBlockStore(folder: URL(fileURLWithPath: settings.cacheFolder)),
        salt: BuildIdentity.current)
    }
    if let bar = context.progress { options.progress = { bar.show($0) } }
    if CodePages.releasing { options.afterBlock = { CodePages.noteBlock(seconds: $0) } }
    let root = FileText.projectRoot(of: folder)
    let anywhere = settings.allowOutsideData
    let reads = context.reads ?? ReadLog()
    options.readFile = { relative in
      try reads.read(relative, nextTo: folder, within: root, anywhere: anywhere)
    }
    let (document, diagnostics) = Document.parse(text, path: path, deadline: deadline)
    var request = JobRequest(
      formats: settings.formats, build: settings.build, roster: context.roster, run: options)
    request.comparing = settings.check
    request.ipynbKernel = settings.ipynbKernel
    if settings.ipynbKernel == .nbrun { request.run.generatesCode = false }
    request.course = context.course
    request.deliver = context.deliver
    var job = NotebookJob(
      document: document, diagnostics: diagnostics, name: name, request: request,
      math: context.math, checker: context.checker)
    if let origin { job.locate(in: origin, path: path) }
    context.progress?.clear()
    if let chromium = context.chromium, job.verdict == .succeeded || settings.keepGoing {
      job.printPDF(name: name, build: settings.build, math: context.math, chromium: chromium)
    }
    return .ran(job, name: name, started: started)
  }

  /// Says where in an .ipynb's cells each message is: `lecture2.ipynb, cell 5:2:9`.
  mutating func locate(in origin: [(cell: Int, line: Int)], path: String) {
    func moved(_ diagnostic: Diagnostic) -> Diagnostic {
      let index = diagnostic.location.line - 1
      guard origin.indices.contains(index) else { return diagnostic }
      var shown = diagnostic
      shown.path = "\(path), cell \(origin[index].cell + 1)"
      shown.location.line = origin[index].line
      return shown
    }
    for index in results.indices {
      results[index].diagnostics = results[index].diagnostics.map(moved)
    }
    pageDiagnostics = pageDiagnostics.map(moved)
  }

  /// The most diagnostics printed for one run.
  public static let diagnosticsShown = 1_000

  /// Prints the job's diagnostics and messages (and with `--report` its blocks' lines).
  func report(_ path: String, settings: RenderSettings, console: Console) {
    for result in results {
      // A thousand located messages say enough; the rest are counted (a notebook of
      // 20,000 broken blocks would print megabytes).
      let shown = result.diagnostics.filter { !settings.quiet || $0.severity == .error }
      for diagnostic in shown.prefix(Self.diagnosticsShown) {
        console.error(diagnostic.description)
      }
      if shown.count > Self.diagnosticsShown {
        console.error(
          "\(path): \(shown.count - Self.diagnosticsShown) more errors and warnings are not shown; fix the ones above and run again"
        )
      }
      if settings.report { Self.blockLines(result, path: path).forEach(console.output) }
    }
    for message in messages { console.error(message) }
    for diagnostic in pageDiagnostics { console.error(diagnostic.description) }
  }

  /// `--report`'s lines: location, directive, time and status of each block, and the
  /// author's checks (which the handout leaves out), one line per assertion.
  static func blockLines(_ result: RunResult, path: String) -> [String] {
    var lines: [String] = []
    for outcome in result.outcomes {
      let status: String
      switch outcome.status {
      case .succeeded: status = outcome.cached ? "ok (cached)" : "ok"
      case .failed: status = "failed"
      case .skipped(let reason): status = "skipped (\(reason))"
      case .notRun: status = "not run"
      }
      lines.append(
        "\(path):\(outcome.block.range.start.line)\t\(outcome.block.title)\t\(NumberText.fixed(outcome.seconds, decimals: 4)) s\t\(status)"
      )
      guard outcome.block.kind == .expect else { continue }
      for case .table(let table) in outcome.items {
        for row in table.rows where row.count == 3 {
          let cells = row.map { NumberFormat.cell($0, precision: table.precision) }
          lines.append("\t\(cells[0])\t→ \(cells[1])\t\(cells[2])")
        }
      }
    }
    return lines
  }

  /// Reports a prepared notebook and writes or checks its files, in the caller's order;
  /// returns the notebook's verdict.
  public static func conclude(
    _ prepared: Prepared, path: String, settings: RenderSettings, console: Console,
    outputs: inout OutputGuard
  ) -> Verdict {
    switch prepared {
    case .unreadable(let message):
      console.error(message)
      return .notebookErrors
    case .ran(let job, let name, let started):
      job.report(path, settings: settings, console: console)
      return job.finish(
        path: path, name: name, started: started, settings: settings, console: console,
        outputs: &outputs)
    }
  }

  /// Checks or writes the job's files; returns the notebook's verdict.
  func finish(
    path: String, name: String, started: Date, settings: RenderSettings, console: Console,
    outputs: inout OutputGuard
  ) -> Verdict {
    let output = settings.output
    let outputFolder = URL(fileURLWithPath: output)
    if settings.check {
      let differences = HandoutFiles.check(files, in: outputFolder, shownAs: output, notebook: path)
      for difference in differences { console.error("nbrun --check: \(difference)") }
      let verdict = max(self.verdict, differences.isEmpty ? .succeeded : .checksFailed)
      if !settings.quiet {
        console.error(
          verdict == .succeeded
            ? "\(path): ok — every expectation holds and \(output)/ is up to date"
            : "\(path): FAILED — \(differences.count) difference(s)\(self.verdict == .succeeded ? "" : ", and errors above")"
        )
      }
      return verdict
    }
    // With --keep-going a run whose budget ran out has no files: a page cut short is never
    // written.
    guard verdict == .succeeded || (settings.keepGoing && !files.isEmpty) else {
      if !settings.quiet {
        console.error(
          "\(path): nothing was written, so \(output)/ keeps its earlier handouts"
            + (settings.keepGoing
              ? "" : " (--keep-going writes the handout with the errors in place)"))
      }
      return verdict
    }
    let conflicts = outputs.claim(
      files.map(\.path) + binaries.map(\.path), in: outputFolder, for: path)
    guard conflicts.isEmpty else {
      for conflict in conflicts { console.error(conflict) }
      return .notebookErrors
    }
    do {
      try HandoutFiles.write(
        files, binaries: binaries, to: outputFolder,
        figuresFolder: settings.formats.contains(.md) ? "\(name)_files" : nil)
    } catch {
      console.error(
        "\(path): error: cannot write to \(output)/: \(error as? WriteFailure ?? WriteFailure(path: output, code: EIO)); the earlier files there are as they were"
      )
      return .notebookErrors
    }
    if !settings.quiet {
      let seconds = NumberText.fixed(Date().timeIntervalSince(started), decimals: 2)
      let paths = files.map(\.path) + binaries.map(\.path)
      let shown = paths.filter { !$0.contains("/") }.map { "\(output)/\($0)" }
      let extra = paths.count - shown.count
      console.error(
        "\(path): done in \(seconds) s → \(shown.joined(separator: ", "))\(extra > 0 ? " and \(extra) more" : "")"
      )
    }
    return verdict
  }
}
