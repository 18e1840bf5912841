import Figures
import Foundation
import MathCheck
import Notebook
import Rendering
import Runner

/// The lines a run printed (from any thread).
final class MessageLog: @unchecked Sendable {
  private let lock = NSLock()
  private var lines: [String] = []

  func add(_ line: String) { lock.withLock { lines.append(line) } }
  var all: [String] { lock.withLock { lines } }
}

/// `nbrun render`: runs the named notebooks (in parallel), then reports and writes (or
/// with `--check` compares) each one's files in the order they were named, and the course
/// indexes. Output and messages do not depend on `-j`.
public struct CourseRender {
  public let settings: RenderSettings
  public let console: Console
  /// The data files the run reads (for the render's record).
  private let reads = ReadLog()

  public init(_ settings: RenderSettings, console: Console = .standard) {
    self.settings = settings
    self.console = console
  }

  /// A mistake in the settings that shows only when they are used (an unreadable roster).
  public struct UsageMistake: Error, CustomStringConvertible {
    public let description: String
  }

  /// Does the whole run and returns its verdict. A run whose notebooks, data, settings
  /// and outputs are as the last good run of the same command left them prints that run's
  /// messages again and writes nothing (``RenderRecords``).
  public func run() throws(UsageMistake) -> Verdict {
    if let mistake = settings.usageMistake { throw UsageMistake(description: mistake) }
    let started = Date()
    CodePages.release()
    let folders =
      settings.katex.map { [$0] }
      ?? HandoutFiles.katexFolders(executable: settings.executable.resolvingSymlinksInPath())
    guard let records = RenderRecords(settings, math: folders) else {
      var outputs = OutputGuard(notebooks: settings.notebooks)
      return try perform(katex: folders, outputs: &outputs)
    }
    if let record = records.unchanged() {
      let seconds = NumberText.fixed(Date().timeIntervalSince(started), decimals: 2)
      for line in record.messages {
        console.error(Self.replayed(line, notebooks: settings.notebooks, seconds: seconds))
      }
      return .succeeded
    }
    let said = MessageLog()
    let console = self.console
    let recording = CourseRender(
      settings,
      console: Console(
        error: {
          said.add($0)
          console.error($0)
        }, output: console.output, terminal: console.terminal))
    var outputs = OutputGuard(notebooks: settings.notebooks)
    let verdict = try recording.perform(katex: folders, outputs: &outputs)
    if verdict == .succeeded {
      records.save(reads: recording.reads.all, written: outputs.claimedFiles, messages: said.all)
    }
    return verdict
  }

  /// A line of a recorded run, said again: "done in 0.12 s → …" becomes "up to date
  /// (0.01 s) → …".
  static func replayed(_ line: String, notebooks: [String], seconds: String) -> String {
    for path in notebooks where line.hasPrefix("\(path): done in ") {
      guard let arrow = line.range(of: " s → ") else { break }
      return "\(path): up to date (\(seconds) s) → \(line[arrow.upperBound...])"
    }
    return line
  }

  /// The run itself: KaTeX, the notebooks, their files and the course's indexes.
  private func perform(katex folders: [String], outputs: inout OutputGuard) throws(UsageMistake)
    -> Verdict
  {
    let notebooks = settings.notebooks
    // KaTeX's stylesheet with its fonts inlined is kept in the cache folder (like the list
    // of checked formulas, whatever --no-cache says); --check writes nothing. A cache
    // folder that is a symbolic link is not used: nbrun never writes through one.
    if let link = DiskBlockStore.link(in: URL(fileURLWithPath: settings.cacheFolder)),
      !settings.check
    {
      console.error(
        "nbrun: warning: \(link.path) is a symbolic link, and nbrun never writes through a link, so the cache is not used: remove the link, or pass --cache DIR"
      )
    }
    let assetCache =
      settings.check || settings.cacheIsLinked ? nil : URL(fileURLWithPath: settings.cacheFolder)
    let math = folders.lazy.compactMap { HandoutFiles.katex(in: $0, cache: assetCache) }.first
    if math == nil, settings.formats.contains(.html) {
      console.error(
        "nbrun: warning: KaTeX not found in \(folders.joined(separator: " or ")); math in the HTML stays as TeX. Install it: sudo apt-get install -y libjs-katex"
      )
    }
    let roster = try settings.variants.map { path throws(UsageMistake) in
      do {
        return try Roster(
          parsing: FileText.read(URL(fileURLWithPath: path), shownAs: path), name: path)
      } catch let mistake as Roster.Mistake {
        throw UsageMistake(description: mistake.description)
      } catch {
        throw UsageMistake(description: "the roster: \(error)")
      }
    }
    // KaTeX parses every math span at build time (Debian's libjs-katex run by duktape);
    // formulas that parsed before are remembered in .nbrun-cache/.
    let cache =
      settings.cacheIsLinked
      ? nil
      : math.map {
        KaTeXCache(
          folder: settings.cacheFolder, scriptKey: KaTeXChecker.scriptKey(of: $0.script))
      }
    let remembered = cache?.read() ?? []
    let workers =
      roster != nil
      ? 1 : min(settings.jobs ?? ProcessInfo.processInfo.activeProcessorCount, notebooks.count)
    // One KaTeX checker per worker (a duktape heap is not shared between threads).
    let checkers = (0..<max(1, workers)).compactMap { _ in
      math.map { KaTeXChecker(script: $0.script, passed: remembered) }
    }
    // --to pdf prints through headless Chromium; --check compares the HTML it prints from.
    var chromium: String?
    if settings.formats.contains(.pdf), !settings.check {
      chromium = PDFPrinter.chromium()
      if chromium == nil {
        console.error("nbrun: \(PDFPrinter.missing)")
        return .notebookErrors
      }
    }
    var verdict = Verdict.succeeded
    if let roster {
      for path in notebooks {
        verdict = max(
          verdict,
          runRoster(
            path, context: NotebookJob.Context(math: math, checker: checkers.first),
            roster: roster, outputs: &outputs))
      }
    } else {
      verdict = runCourse(math: math, checkers: checkers, chromium: chromium, outputs: &outputs)
    }
    let passed = checkers.reduce(into: remembered) { $0.formUnion($1.passed) }
    if !settings.check, !checkers.isEmpty, passed != remembered { cache?.write(passed) }
    return verdict
  }

  /// Runs the notebooks in parallel, then reports and writes them in the order named.
  private func runCourse(
    math: MathAssets?, checkers: [KaTeXChecker], chromium: String?, outputs: inout OutputGuard
  ) -> Verdict {
    let notebooks = settings.notebooks
    let workers = min(
      settings.jobs ?? ProcessInfo.processInfo.activeProcessorCount, notebooks.count)
    // A course's pages link to each other; the student, key and variant builds are sheets
    // handed out one by one.
    let found =
      (settings.build == .handout || settings.build == .review)
        && (settings.formats.contains(.html) || settings.formats.contains(.slides))
      ? CourseFinder.courses(
        for: notebooks,
        cache: settings.cacheIsLinked ? nil : URL(fileURLWithPath: settings.cacheFolder),
        saving: !settings.check) : [:]
    // Pages link only to pages that exist in the output folder or that this run writes.
    let folder = URL(fileURLWithPath: settings.output)
    func exists(_ name: String) -> Bool {
      FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path)
    }
    let rendering = Set(notebooks.map(CourseFinder.stem))
    let courses = found.mapValues { course in
      course.present { rendering.contains($0) || exists($0 + ".html") }
    }
    let indexed = Set(
      found.values.filter { course in
        notebooks.filter { found[$0] == course }.count >= 2 || exists("index.html")
      }.map(\.title))
    func links(_ path: String, in courses: [String: Course]) -> Course.Links? {
      var links = courses[path]?.links(for: CourseFinder.stem(of: path))
      links?.index = courses[path].map { indexed.contains($0.title) } ?? false
      return links
    }
    // Notebooks run in parallel; what each gives is reported and written in the order
    // the notebooks were named, so output and messages do not depend on -j.
    // They start longest first (``CourseSchedule``).
    let showProgress = workers == 1 && console.terminal && !settings.quiet
    let schedule = CourseSchedule(cache: settings.cacheIsLinked ? nil : settings.cacheFolder)
    let order = workers > 1 ? schedule.order(notebooks) : Array(notebooks.indices)
    let timed = Parallel.map(
      order, workers: workers, resources: checkers.isEmpty ? [nil] : checkers.map { $0 }
    ) { index, checker in
      let path = notebooks[index]
      var context = NotebookJob.Context(math: math, checker: checker)
      context.chromium = chromium
      context.course = links(path, in: courses)
      context.progress = showProgress ? ProgressBar() : nil
      context.reads = reads
      let started = Date()
      let job = NotebookJob.run(path, settings: settings, with: context)
      return (index: index, job: job, seconds: Date().timeIntervalSince(started))
    }
    if !settings.check {
      schedule.save(timed.map { (notebooks[$0.index], $0.seconds) })
    }
    var jobs = timed.sorted { $0.index < $1.index }.map(\.job)
    // A notebook that fails writes no page: its neighbours' links and the index lead past
    // it (unless its earlier page is still there).
    let failed = Set(
      zip(notebooks, jobs).compactMap { path, job -> String? in
        switch job {
        case .unreadable: return CourseFinder.stem(of: path)
        case .ran(let job, let name, _):
          return job.verdict == .succeeded || settings.keepGoing || settings.check ? nil : name
        }
      }.filter { !exists($0 + ".html") })
    var written = courses
    if !failed.isEmpty {
      written = courses.mapValues { $0.present { !failed.contains($0) } }
      for (index, path) in notebooks.enumerated() {
        guard case .ran(var job, let name, let started) = jobs[index],
          let old = links(path, in: courses), let new = links(path, in: written),
          old.html != new.html
        else { continue }
        job.files = job.files.map { file in
          file.path.hasSuffix(".html")
            ? (file.path, file.text.replacingOccurrences(of: old.html, with: new.html)) : file
        }
        jobs[index] = .ran(job, name: name, started: started)
      }
    }
    var verdict = Verdict.succeeded
    for (path, job) in zip(notebooks, jobs) {
      verdict = max(
        verdict,
        NotebookJob.conclude(
          job, path: path, settings: settings, console: console, outputs: &outputs))
    }
    return max(verdict, writeIndexes(written, outputs: &outputs))
  }

  /// Writes (or compares) `index.html` for each course two or more of whose notebooks
  /// this run rendered.
  private func writeIndexes(_ courses: [String: Course], outputs: inout OutputGuard) -> Verdict {
    var verdict = Verdict.succeeded
    // The index links HTML pages: it is written by the runs that write them.
    guard settings.formats.contains(.html) else { return verdict }
    let notebooks = settings.notebooks
    let output = settings.output
    let folder = URL(fileURLWithPath: output)
    var done: [Course] = []
    for path in notebooks {
      guard let course = courses[path], !done.contains(course) else { continue }
      done.append(course)
      guard notebooks.filter({ courses[$0] == course }).count >= 2 else { continue }
      let file = (
        "index.html",
        CourseFinder.index(
          of: course, building: Set(settings.formats.map(\.rawValue)),
          rendered: Set(notebooks.map(CourseFinder.stem)), in: folder)
      )
      if settings.check {
        let differences = HandoutFiles.check([file], in: folder, shownAs: output)
        for difference in differences { console.error("nbrun --check: \(difference)") }
        if !differences.isEmpty { verdict = max(verdict, .checksFailed) }
        continue
      }
      let conflicts = outputs.claim(["index.html"], in: folder, for: path)
      guard conflicts.isEmpty else {
        for conflict in conflicts { console.error(conflict) }
        verdict = max(verdict, .notebookErrors)
        continue
      }
      do {
        try HandoutFiles.write([file], to: folder)
        if !settings.quiet { console.error("\(course.title): course index → \(output)/index.html") }
      } catch {
        console.error("nbrun: error: cannot write \(output)/index.html: \(error)")
        verdict = max(verdict, .notebookErrors)
      }
    }
    return verdict
  }

  /// Runs one notebook for a roster: each student's files go to disk as they are made
  /// (staged, renamed at the end), so a roster of thousands is built in bounded memory;
  /// `--check` compares them in memory.
  private func runRoster(
    _ path: String, context: NotebookJob.Context, roster: Roster, outputs: inout OutputGuard
  ) -> Verdict {
    let output = settings.output
    var context = context
    context.roster = roster
    context.progress = console.terminal && !settings.quiet ? ProgressBar() : nil
    let streamed =
      settings.check
      ? nil : StreamedFiles(folder: URL(fileURLWithPath: output), notebook: path, outputs: outputs)
    if let streamed { context.deliver = { try streamed.deliver($0) } }
    let prepared = NotebookJob.run(path, settings: settings, with: context)
    guard let streamed, case .ran(let job, _, let started) = prepared else {
      return NotebookJob.conclude(
        prepared, path: path, settings: settings, console: console, outputs: &outputs)
    }
    job.report(path, settings: settings, console: console)
    guard job.verdict == .succeeded || settings.keepGoing else {
      streamed.discard()
      console.error("\(path): nothing was written, so \(output)/ keeps its earlier files")
      return job.verdict
    }
    do {
      try streamed.commit(job.files)
    } catch {
      streamed.discard()
      console.error("\(path): error: \(error); \(output)/ keeps its earlier files")
      return .notebookErrors
    }
    outputs = streamed.outputs
    if !settings.quiet {
      console.error(
        "\(path): done in \(NumberText.fixed(Date().timeIntervalSince(started), decimals: 2)) s → \(streamed.count) files in \(output)/ for \(roster.students.count) students"
      )
    }
    return job.verdict
  }
}
