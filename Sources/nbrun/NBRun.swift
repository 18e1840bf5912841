import ArgumentParser
import CommandLineSupport
import Figures
import Foundation
import MathCheck
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
    version: BuildIdentity.version,
    subcommands: [Render.self, Preview.self, Grade.self], defaultSubcommand: Render.self)

  /// Chooses OpenBLAS's kernel and stops its idle workers before anything else (they spin
  /// from the moment the library loads), then parses the command line.
  static func main() {
    OpenBLASKernel.ensure(.portable)
    main(nil)
  }
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
      held; 1 when the notebooks ran but an expectation or a --check comparison failed; 2
      when a notebook has errors (or cannot be read or written); 64 for a usage mistake.
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

  @Option(
    name: .customLong("to"),
    help: "Formats to write: md, html, ipynb, slides, pdf (comma-separated).")
  var formats = "md,html"

  @Flag(help: "The student build: no solutions, no expectations, blanks left empty.")
  var student = false

  @Flag(
    help:
      "The review build: the handout with every expectation table (default folder output/review/)."
  )
  var review = false

  @Flag(help: "The answer key: blanks filled in, solutions kept, a summary of the questions.")
  var key = false

  @Option(
    help: "A roster CSV (a student id first on each line): a student build and a key per student.")
  var variants: String?

  @Flag(help: "After a failed block, run the blocks that do not depend on it.")
  var keepGoing = false

  @Flag(help: "Print one line per block: location, directive, time taken.")
  var report = false

  @Option(
    help:
      "Seconds the whole run of a notebook (with --variants, of the whole roster) may take; nothing runs unbounded by accident."
  )
  var budget: Double = 900

  @Option(
    help:
      "The folder KaTeX is read from (default: Debian's libjs-katex, else the copy scripts/install puts in PREFIX/share/nbrun/katex)."
  )
  var katex: String?

  @Flag(help: "Print the directive reference (docs/directives.md) and exit.")
  var reference = false

  @Option(
    name: [.customShort("j"), .customLong("jobs")],
    help:
      "How many notebooks, and independent blocks of one notebook, run at once (default: the number of cores). Output is the same for every value."
  )
  var jobs: Int?

  @Option(
    name: .customLong("cache"),
    help:
      "The folder blocks' results and checked formulas are kept in between runs (default .nbrun-cache)."
  )
  var cacheFolder = ".nbrun-cache"

  @Flag(help: "Run every block; neither read nor write the block cache.")
  var noCache = false

  @Flag(help: "Print nothing but errors.")
  var quiet = false

  @Flag(help: "Let data paths point outside the notebook's project (its git repository or folder).")
  var allowOutsideData = false

  func validate() throws {
    if !reference, notebooks.isEmpty {
      throw ValidationError("name at least one notebook, e.g. nbrun notebooks/lecture2.md")
    }
    for format in formatWords where JobRequest.Format(rawValue: format) == nil {
      throw ValidationError(
        "unknown format '\(format)' in --to: use md, html, ipynb, slides, pdf")
    }
    if !(budget > 0) || !budget.isFinite {
      throw ValidationError("--budget must be a positive number of seconds")
    }
    if let jobs, jobs < 1 || jobs > 256 {
      throw ValidationError("-j takes a number of notebooks from 1 to 256, e.g. -j 2")
    }
    if variants != nil, formatList.contains(.pdf) || formatList.contains(.slides) {
      throw ValidationError(
        "--variants writes md, html and ipynb per student; print PDFs or slides from a --student or --key build"
      )
    }
    if [student, key, review, variants != nil].filter({ $0 }).count > 1 {
      throw ValidationError("choose one of --student, --key, --review and --variants")
    }
  }

  var formatWords: [String] {
    formats.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
  }

  var formatList: [JobRequest.Format] { formatWords.compactMap(JobRequest.Format.init) }

  var build: Build { student ? .student : key ? .key : review ? .review : .handout }

  var output: String {
    outputOption ?? JobRequest.defaultFolder(build: build, variants: variants != nil)
  }

  func run() throws {
    SignalHold.answerInterrupts()
    if reference {
      print(DirectiveReference.markdown, terminator: "")
      return
    }
    let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    let folders = katex.map { [$0] } ?? HandoutFiles.katexFolders(executable: executable)
    // KaTeX's stylesheet with its fonts inlined is kept in the cache folder (like the list
    // of checked formulas, whatever --no-cache says); --check writes nothing.
    // A cache folder that is a symbolic link is not used: nbrun never writes through one.
    if let link = DiskBlockStore.link(in: URL(fileURLWithPath: cacheFolder)), !check {
      printError(
        "nbrun: warning: \(link.path) is a symbolic link, and nbrun never writes through a link, so the cache is not used: remove the link, or pass --cache DIR"
      )
    }
    let assetCache = check || cacheIsLinked ? nil : URL(fileURLWithPath: cacheFolder)
    let math = folders.lazy.compactMap { HandoutFiles.katex(in: $0, cache: assetCache) }.first
    if math == nil, formatList.contains(.html) {
      printError(
        "nbrun: warning: KaTeX not found in \(folders.joined(separator: " or ")); math in the HTML stays as TeX. Install it: sudo apt-get install -y libjs-katex"
      )
    }
    let roster = try variants.map { path in
      do {
        return try Roster(
          parsing: FileText.read(URL(fileURLWithPath: path), shownAs: path), name: path)
      } catch let mistake as Roster.Mistake {
        throw ValidationError(mistake.description)
      } catch {
        throw ValidationError("the roster: \(error)")
      }
    }
    // KaTeX parses every math span at build time (Debian's libjs-katex run by duktape);
    // formulas that parsed before are remembered in .nbrun-cache/.
    let cache =
      cacheIsLinked
      ? nil
      : math.map {
        KaTeXCache(folder: cacheFolder, scriptKey: KaTeXChecker.scriptKey(of: $0.script))
      }
    let remembered = cache?.read() ?? []
    let workers =
      variants != nil
      ? 1 : min(jobs ?? ProcessInfo.processInfo.activeProcessorCount, notebooks.count)
    // One KaTeX checker per worker (a duktape heap is not shared between threads).
    let checkers = (0..<max(1, workers)).compactMap { _ in
      math.map { KaTeXChecker(script: $0.script, passed: remembered) }
    }
    // --to pdf prints through headless Chromium; --check compares the HTML it prints from.
    var chromium: String?
    if formatList.contains(.pdf), !check {
      chromium = PDFPrinter.chromium()
      if chromium == nil {
        printError("nbrun: \(PDFPrinter.missing)")
        throw ExitCode(Verdict.notebookErrors.rawValue)
      }
    }
    var verdict = Verdict.succeeded
    var outputs = OutputGuard(notebooks: notebooks)
    // A course's pages link to each other; the student, key and variant builds are sheets
    // handed out one by one.
    let found =
      (build == .handout || build == .review)
        && (formatList.contains(.html) || formatList.contains(.slides))
      ? CourseFinder.courses(for: notebooks) : [:]
    // Pages link only to pages that exist in the output folder or that this run writes.
    let folder = URL(fileURLWithPath: output)
    let rendering = Set(
      notebooks.map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent })
    let courses = found.mapValues { course in
      course.present { name in
        rendering.contains(name)
          || FileManager.default.fileExists(
            atPath: folder.appendingPathComponent(name + ".html").path)
      }
    }
    let indexed = Set(
      found.values.filter { course in
        notebooks.filter { found[$0] == course }.count >= 2
          || FileManager.default.fileExists(
            atPath: folder.appendingPathComponent("index.html").path)
      }.map(\.title))
    if let roster {
      for path in notebooks {
        verdict = max(
          verdict,
          processRoster(
            path, math: math, checker: checkers.first, roster: roster, outputs: &outputs))
      }
    } else {
      // Notebooks run in parallel; what each gives is reported and written in the order
      // the notebooks were named, so output and messages do not depend on -j.
      let prepared = Parallel.map(
        notebooks, workers: workers, resources: checkers.isEmpty ? [nil] : checkers.map { $0 }
      ) { path, checker in
        prepare(
          path, math: math, checker: checker, chromium: chromium, course: courses[path],
          indexed: courses[path].map { indexed.contains($0.title) } ?? false,
          progress: workers == 1)
      }
      // A notebook that fails writes no page: its neighbours' links and the index lead past
      // it (unless its earlier page is still there).
      let failed = Set(
        zip(notebooks, prepared).compactMap { path, job -> String? in
          let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
          switch job {
          case .unreadable: return name
          case .ran(let job, _, _):
            return job.verdict == .succeeded || keepGoing || check ? nil : name
          }
        }.filter {
          !FileManager.default.fileExists(atPath: folder.appendingPathComponent($0 + ".html").path)
        })
      var written = courses
      var jobs = prepared
      if !failed.isEmpty {
        written = courses.mapValues { $0.present { !failed.contains($0) } }
        for (index, path) in notebooks.enumerated() {
          guard case .ran(var job, let name, let started) = jobs[index],
            let before = courses[path]?.links(for: name),
            let after = written[path]?.links(for: name)
          else { continue }
          var (old, new) = (before, after)
          old.index = courses[path].map { indexed.contains($0.title) } ?? false
          new.index = old.index
          guard old.html != new.html else { continue }
          job.files = job.files.map { file in
            file.path.hasSuffix(".html")
              ? (file.path, file.text.replacingOccurrences(of: old.html, with: new.html)) : file
          }
          jobs[index] = .ran(job, name: name, started: started)
        }
      }
      for (path, job) in zip(notebooks, jobs) {
        verdict = max(verdict, conclude(path, job, outputs: &outputs))
      }
      verdict = max(verdict, writeIndexes(written, outputs: &outputs))
    }
    let passed = checkers.reduce(into: remembered) { $0.formUnion($1.passed) }
    if !check, !checkers.isEmpty, passed != remembered { cache?.write(passed) }
    if verdict != .succeeded { throw ExitCode(verdict.rawValue) }
  }

  /// A notebook read and run: its job, or the message that it could not be read.
  enum Prepared {
    case unreadable(String)
    case ran(NotebookJob, name: String, started: Date)
  }

  /// Reads and runs one notebook (on any thread; prints nothing).
  private func prepare(
    _ path: String, math: MathAssets?, checker: KaTeXChecker?, chromium: String?,
    course: Course?, indexed: Bool = true, progress: Bool
  ) -> Prepared {
    let url = URL(fileURLWithPath: path)
    let started = Date()
    // The budget counts from here: reading, parsing, running, checking and rendering.
    let deadline = Deadline(seconds: budget)
    let text: String
    do {
      text = try FileText.read(url, shownAs: path, keepingMark: true)
    } catch {
      return .unreadable("\(path): error: \(error)")
    }
    let bar = progress && isatty(2) != 0 && !quiet ? ProgressBar() : nil
    var (document, diagnostics, request) = setUp(
      url, text: text, path: path, deadline: deadline, bar: bar)
    request.course = course?.links(for: url.deletingPathExtension().lastPathComponent)
    request.course?.index = indexed
    var job = NotebookJob(
      document: document, diagnostics: diagnostics,
      name: url.deletingPathExtension().lastPathComponent,
      request: request, math: math, checker: checker)
    bar?.clear()
    if let chromium, job.verdict == .succeeded || keepGoing {
      job.printPDF(
        name: url.deletingPathExtension().lastPathComponent, build: build, math: math,
        chromium: chromium)
    }
    return .ran(job, name: url.deletingPathExtension().lastPathComponent, started: started)
  }

  /// The parsed notebook and the job request for it.
  private func setUp(
    _ url: URL, text: String, path: String, deadline: Deadline, bar: ProgressBar?
  ) -> (Document, [Diagnostic], JobRequest) {
    let folder = url.deletingLastPathComponent()
    var options = RunOptions(keepGoing: keepGoing, budget: budget)
    options.deadline = deadline
    options.blockWorkers = jobs ?? ProcessInfo.processInfo.activeProcessorCount
    // --check verifies: it runs every block. A roster's variants differ per student.
    if !noCache, !check, variants == nil, !cacheIsLinked {
      options.cache = BlockCache(
        store: DiskBlockStore(folder: URL(fileURLWithPath: cacheFolder)),
        salt: BuildIdentity.current)
    }
    if let bar { options.progress = { bar.show($0) } }
    let root = FileText.projectRoot(of: folder)
    let anywhere = allowOutsideData
    options.readFile = { relative in
      try FileText.read(relative, nextTo: folder, within: root, anywhere: anywhere)
    }
    let (document, diagnostics) = Document.parse(text, path: path, deadline: deadline)
    var request = JobRequest(formats: formatList, build: build, roster: nil, run: options)
    request.comparing = check
    return (document, diagnostics, request)
  }

  /// Writes (or with --check compares) `index.html` for each course two or more of whose
  /// notebooks this run rendered.
  private func writeIndexes(_ courses: [String: Course], outputs: inout OutputGuard) -> Verdict {
    var verdict = Verdict.succeeded
    // The index links HTML pages: it is written by the runs that write them.
    guard formatList.contains(.html) else { return verdict }
    var done: [Course] = []
    let folder = URL(fileURLWithPath: output)
    for path in notebooks {
      guard let course = courses[path], !done.contains(course) else { continue }
      done.append(course)
      guard notebooks.filter({ courses[$0] == course }).count >= 2 else { continue }
      let formats = Set(formatList.map(\.rawValue))
      let rendered = Set(
        notebooks.map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent })
      let file = (
        "index.html",
        CourseFinder.index(of: course, building: formats, rendered: rendered, in: folder)
      )
      if check {
        let differences = HandoutFiles.check([file], in: folder, shownAs: output)
        for difference in differences { printError("nbrun --check: \(difference)") }
        if !differences.isEmpty { verdict = max(verdict, .checksFailed) }
        continue
      }
      let conflicts = outputs.claim(["index.html"], in: folder, for: path)
      guard conflicts.isEmpty else {
        for conflict in conflicts { printError(conflict) }
        verdict = max(verdict, .notebookErrors)
        continue
      }
      do {
        try HandoutFiles.write([file], to: folder)
        if !quiet { printError("\(course.title): course index → \(output)/index.html") }
      } catch {
        printError("nbrun: error: cannot write \(output)/index.html: \(error)")
        verdict = max(verdict, .notebookErrors)
      }
    }
    return verdict
  }

  /// Reports a notebook's run and writes or checks its files, in the caller's order.
  private func conclude(_ path: String, _ prepared: Prepared, outputs: inout OutputGuard) -> Verdict
  {
    switch prepared {
    case .unreadable(let message):
      printError(message)
      return .notebookErrors
    case .ran(let job, let name, let started):
      for result in job.results { report(result, path: path) }
      for message in job.messages { printError(message) }
      for diagnostic in job.pageDiagnostics { printError(diagnostic.description) }
      return finish(job, path: path, name: name, started: started, outputs: &outputs)
    }
  }

  /// Runs one notebook for a roster: each student's files go to disk as they are made.
  private func processRoster(
    _ path: String, math: MathAssets?, checker: KaTeXChecker?, roster: Roster,
    outputs: inout OutputGuard
  ) -> Verdict {
    let url = URL(fileURLWithPath: path)
    let started = Date()
    let deadline = Deadline(seconds: budget)
    let text: String
    do {
      text = try FileText.read(url, shownAs: path, keepingMark: true)
    } catch {
      printError("\(path): error: \(error)")
      return .notebookErrors
    }
    let progress = isatty(2) != 0 && !quiet ? ProgressBar() : nil
    var (document, diagnostics, request) = setUp(
      url, text: text, path: path, deadline: deadline, bar: progress)
    request.roster = roster
    // A roster's files go to disk student by student (staged, renamed at the end), so a
    // roster of thousands is built in bounded memory; --check compares them in memory.
    let streamed =
      check
      ? nil : StreamedFiles(folder: URL(fileURLWithPath: output), notebook: path, outputs: outputs)
    if let streamed { request.deliver = { try streamed.deliver($0) } }
    let job = NotebookJob(
      document: document, diagnostics: diagnostics,
      name: url.deletingPathExtension().lastPathComponent,
      request: request, math: math, checker: checker)
    progress?.clear()
    guard let streamed else {
      return conclude(
        path, .ran(job, name: url.deletingPathExtension().lastPathComponent, started: started),
        outputs: &outputs)
    }
    for result in job.results { report(result, path: path) }
    for message in job.messages { printError(message) }
    for diagnostic in job.pageDiagnostics { printError(diagnostic.description) }
    guard job.verdict == .succeeded || keepGoing else {
      streamed.discard()
      printError("\(path): nothing was written, so \(output)/ keeps its earlier files")
      return job.verdict
    }
    do {
      try streamed.commit(job.files)
    } catch {
      streamed.discard()
      printError("\(path): error: \(error); \(output)/ keeps its earlier files")
      return .notebookErrors
    }
    outputs = streamed.outputs
    if !quiet {
      printError(
        "\(path): done in \(NumberText.fixed(Date().timeIntervalSince(started), decimals: 2)) s → \(streamed.count) files in \(output)/ for \(roster.students.count) students"
      )
    }
    return job.verdict
  }

  /// Whether the cache folder (or a store in it) is a symbolic link, and so not used.
  private var cacheIsLinked: Bool {
    DiskBlockStore.link(in: URL(fileURLWithPath: cacheFolder)) != nil
  }

  /// The most diagnostics printed for one run.
  static let diagnosticsShown = 1_000

  private func report(_ result: RunResult, path: String) {
    // A thousand located messages say enough; the rest are counted (a notebook of 20,000
    // broken blocks would print megabytes).
    let shown = result.diagnostics.filter { !quiet || $0.severity == .error }
    for diagnostic in shown.prefix(Self.diagnosticsShown) { printError(diagnostic.description) }
    if shown.count > Self.diagnosticsShown {
      printError(
        "\(path): \(shown.count - Self.diagnosticsShown) more errors and warnings are not shown; fix the ones above and run again"
      )
    }
    guard report else { return }
    for outcome in result.outcomes {
      let status: String
      switch outcome.status {
      case .succeeded: status = outcome.cached ? "ok (cached)" : "ok"
      case .failed: status = "failed"
      case .skipped(let reason): status = "skipped (\(reason))"
      case .notRun: status = "not run"
      }
      print(
        "\(path):\(outcome.block.range.start.line)\t\(outcome.block.title)\t\(NumberText.fixed(outcome.seconds, decimals: 4)) s\t\(status)"
      )
      // The author's checks, which the handout leaves out: one line per assertion.
      guard outcome.block.kind == .expect else { continue }
      for case .table(let table) in outcome.items {
        for row in table.rows where row.count == 3 {
          let cells = row.map { NumberFormat.cell($0, precision: table.precision) }
          print("\t\(cells[0])\t→ \(cells[1])\t\(cells[2])")
        }
      }
    }
  }

  /// Checks or writes a notebook's files; returns the notebook's verdict.
  private func finish(
    _ job: NotebookJob, path: String, name: String, started: Date, outputs: inout OutputGuard
  ) -> Verdict {
    let outputFolder = URL(fileURLWithPath: output)
    if check {
      let differences = HandoutFiles.check(
        job.files, in: outputFolder, shownAs: output, notebook: path)
      for difference in differences { printError("nbrun --check: \(difference)") }
      let verdict = max(job.verdict, differences.isEmpty ? .succeeded : .checksFailed)
      if !quiet {
        printError(
          verdict == .succeeded
            ? "\(path): ok — every expectation holds and \(output)/ is up to date"
            : "\(path): FAILED — \(differences.count) difference(s)\(job.verdict == .succeeded ? "" : ", and errors above")"
        )
      }
      return verdict
    }
    // With --keep-going a run whose budget ran out has no files: a page cut short is never
    // written.
    guard job.verdict == .succeeded || (keepGoing && !job.files.isEmpty) else {
      if !quiet {
        printError(
          "\(path): nothing was written, so \(output)/ keeps its earlier handouts"
            + (keepGoing ? "" : " (--keep-going writes the handout with the errors in place)"))
      }
      return job.verdict
    }
    let conflicts = outputs.claim(
      job.files.map(\.path) + job.binaries.map(\.path), in: outputFolder, for: path)
    guard conflicts.isEmpty else {
      for conflict in conflicts { printError(conflict) }
      return .notebookErrors
    }
    do {
      try HandoutFiles.write(
        job.files, binaries: job.binaries, to: outputFolder,
        figuresFolder: formatList.contains(.md) ? "\(name)_files" : nil)
    } catch {
      printError(
        "\(path): error: cannot write to \(output)/: \(error as? WriteFailure ?? WriteFailure(path: output, code: EIO)); the earlier files there are as they were"
      )
      return .notebookErrors
    }
    if !quiet {
      let seconds = NumberText.fixed(Date().timeIntervalSince(started), decimals: 2)
      let paths = job.files.map(\.path) + job.binaries.map(\.path)
      let shown = paths.filter { !$0.contains("/") }.map { "\(output)/\($0)" }
      let extra = paths.count - shown.count
      printError(
        "\(path): done in \(seconds) s → \(shown.joined(separator: ", "))\(extra > 0 ? " and \(extra) more" : "")"
      )
    }
    return job.verdict
  }
}

/// `nbrun preview NOTEBOOK`: runs `nbrun-preview`, installed beside `nbrun`. The server
/// is a program of its own so that `nbrun` itself links no networking (its start-up and
/// memory stay those of a renderer).
struct Preview: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "preview",
    abstract: "Serves a notebook's page on 127.0.0.1 and updates it in the open tab on every save.",
    discussion: "See nbrun preview --help for its options.")

  @Argument(parsing: .captureForPassthrough, help: "The notebook, and nbrun-preview's options.")
  var arguments: [String] = []

  func run() throws {
    let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    let server = executable.deletingLastPathComponent().appendingPathComponent("nbrun-preview")
    guard FileManager.default.isExecutableFile(atPath: server.path) else {
      printError(
        "nbrun preview: \(server.path) is missing; build it (swift build) or install nbrun with scripts/install, which installs both"
      )
      throw ExitCode(Verdict.notebookErrors.rawValue)
    }
    var pointers = ([server.path] + arguments).map { strdup($0) }
    pointers.append(nil)
    execv(server.path, &pointers)
    printError("nbrun preview: cannot run \(server.path) (error \(errno))")
    throw ExitCode(Verdict.notebookErrors.rawValue)
  }
}

/// `nbrun grade ANSWERS SUBMISSIONS`: scores per student and per question.
struct Grade: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "grade",
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

  func validate() throws {
    let output = OutputGuard.canonical(URL(fileURLWithPath: scores))
    for input in [answers, submissions]
    where OutputGuard.canonical(URL(fileURLWithPath: input)) == output {
      throw ValidationError(
        "--scores \(scores) would overwrite the input \(input); name another file")
    }
  }

  func run() throws {
    SignalHold.answerInterrupts()
    func read(_ path: String) throws -> String {
      do {
        return try FileText.read(URL(fileURLWithPath: path), shownAs: path)
      } catch {
        printError("nbrun grade: \(error)")
        throw ExitCode(Verdict.notebookErrors.rawValue)
      }
    }
    let report: Grading.Report
    do {
      report = try Grading.grade(
        answers: try read(answers), answersName: answers, submissions: try read(submissions),
        submissionsName: submissions)
    } catch let error as GradingError {
      printError("nbrun grade: \(error.message)")
      throw ExitCode(Verdict.notebookErrors.rawValue)
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
    do {
      try Data(Grading.csv(report).utf8).write(to: URL(fileURLWithPath: scores), options: .atomic)
    } catch {
      printError(
        "nbrun grade: cannot write \(scores) (\((error as NSError).localizedFailureReason ?? "check that its folder exists and is writable"))"
      )
      throw ExitCode(Verdict.notebookErrors.rawValue)
    }
    if report.rejectedKeyRows > 0 {
      printError(
        "nbrun grade: \(report.rejectedKeyRows) row(s) of \(answers) were left out, so the scores are incomplete; fix them and grade again"
      )
      throw ExitCode(Verdict.notebookErrors.rawValue)
    }
  }
}

func printError(_ text: String) {
  FileHandle.standardError.write(Data((text + "\n").utf8))
}
