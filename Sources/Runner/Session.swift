import Dispatch
import Figures
import NeuralEngine
import Notebook

/// Runs a notebook's directive blocks top to bottom in one shared namespace, Jupyter's
/// way: data sets, models and every block's named values are there for the blocks below.
///
/// The session is the coordinator only: it reads every block into its typed directive
/// first (every mistake reported at once, before anything runs), then runs them in order
/// against the namespace within the time budget, and resolves the prose's `{{ … }}`. Each
/// directive's work is its own type's (see ``DirectiveRegistry``). It never writes files.
public final class Session {
  let document: Document
  let options: RunOptions

  public init(document: Document, options: RunOptions = RunOptions()) {
    self.document = document
    self.options = options
  }

  /// Runs every block; `parseDiagnostics` are the document's own (from ``Document/parse``).
  public func run(parseDiagnostics: [Diagnostic] = []) -> RunResult {
    let start = DispatchTime.now()
    let budgetDeadline = options.budget.map { after(seconds: $0, from: start) }
    let plans = document.directives.enumerated().map { index, block in
      Plan(block: block, index: index, document: document)
    }
    var diagnostics = parseDiagnostics.filter { diagnostic in
      !document.directives.contains { $0.range.lines.contains(diagnostic.location.line) }
    }
    // Every mistake a notebook's blocks hold, all at once, before any block runs.
    var planned: [[Diagnostic]] = plans.map { plan in
      parseDiagnostics.filter { plan.block.range.lines.contains($0.location.line) }
        + plan.errors.map { plan.diagnose($0, path: document.path) }
    }
    let mistakes = planned.flatMap { $0 }.filter { $0.severity == .error }.count
    var stopReason: String?
    if mistakes > 0, !options.keepGoing {
      stopReason = "the notebook has \(mistakes) error\(mistakes == 1 ? "" : "s"); no block ran"
    }

    let namespace = Namespace()
    let keys = options.cache.map { BlockKeys(plans: plans, document: document, salt: $0.salt) }
    var settled: [String] = []
    if options.cache != nil { namespace.values.startRecording() }
    var outcomes: [BlockOutcome] = []
    var failedNames: Set<String> = []
    for plan in plans {
      // A block that did not run settles to a key of its own, which no entry is stored under.
      var settledKey = "not run \(plan.index)"
      defer { settled.append(settledKey) }
      var outcome = BlockOutcome(
        block: plan.block, status: .notRun, items: [], diagnostics: planned[plan.index],
        seconds: 0, precision: plan.precision, resultName: plan.resultName, common: plan.common)
      diagnostics += planned[plan.index]
      planned[plan.index] = []
      defer { outcomes.append(outcome) }
      if outcome.diagnostics.contains(where: { $0.severity == .error }) {
        outcome.status = .failed
        failedNames.formUnion(plan.defines)
        continue
      }
      guard stopReason == nil else { continue }
      if let missing = plan.reads.first(where: failedNames.contains) {
        outcome.status = .skipped("'\(missing)' failed above")
        failedNames.formUnion(plan.defines)
        continue
      }
      if let budgetDeadline, DispatchTime.now() >= budgetDeadline {
        let message =
          "the run's budget of \(NumberText.plain(options.budget ?? 0)) s ran out before \(plan.block.title)"
        let diagnostic = Diagnostic(
          path: document.path, location: plan.block.range.start, message: message,
          hint: "raise --budget, or lower the epochs above", sourceLine: plan.fenceLine)
        outcome.status = .failed
        outcome.diagnostics.append(diagnostic)
        diagnostics.append(diagnostic)
        stopReason = message
        continue
      }
      if let title = plan.common.title, let name = plan.block.name,
        [.model, .train, .data, .perceptron].contains(plan.block.kind)
      {
        namespace.titles[name] = title
      }
      let began = DispatchTime.now()
      let definer = Definer(
        index: plan.index, title: plan.block.title, line: plan.block.range.start.line)
      let key = keys?.key(of: plan.index, settled: settled)
      if let cache = options.cache, let key,
        let entry = cache.entry(key, readFile: options.readFile)
      {
        settledKey = BlockKeys.settled(key, files: entry.files)
        entry.change.apply(to: namespace, definer: definer)
        outcome.items = entry.items
        outcome.status = .succeeded
        outcome.cached = true
        outcome.seconds =
          Double(DispatchTime.now().uptimeNanoseconds - began.uptimeNanoseconds) / 1e9
        continue
      }
      // The files the block reads are recorded with what they held, for its cache entry.
      let reads = FileReads()
      var runOptions = options
      if let read = options.readFile {
        runOptions.readFile = { path in
          let text = try read(path)
          reads.record(path, text)
          return text
        }
      }
      let before = options.cache == nil ? nil : namespace.snapshot
      _ = namespace.values.takeRecord()
      let context = plan.context(
        namespace: namespace, run: runOptions,
        deadline: earliest(
          budgetDeadline, plan.common.timeout.map { after(seconds: $0, from: began) }))
      do {
        outcome.items = try plan.execute(context)
        outcome.status = .succeeded
        if let key { settledKey = BlockKeys.settled(key, files: reads.all) }
        if let cache = options.cache, let key, let before, outcome.diagnostics.isEmpty {
          cache.save(
            CachedBlock(
              key: key, files: reads.all, items: outcome.items,
              change: NamespaceChange(
                from: before, to: namespace, values: namespace.values.takeRecord())))
        }
      } catch {
        var failure = error
        if let expectation = error as? ExpectationFailure {
          outcome.items = [.table(expectation.table)]
          outcome.failedExpectation = true
          failure = expectation.error
        }
        let diagnostic = plan.diagnose(failure, path: document.path)
        outcome.status = .failed
        outcome.diagnostics.append(diagnostic)
        diagnostics.append(diagnostic)
        failedNames.formUnion(plan.defines)
        if !options.keepGoing {
          stopReason = "stopped at \(plan.block.title) (line \(plan.block.range.start.line))"
        }
      }
      outcome.seconds = Double(DispatchTime.now().uptimeNanoseconds - began.uptimeNanoseconds) / 1e9
    }
    let prose = ProseQuotes(document: document, values: namespace.values)
    if stopReason == nil { diagnostics += prose.diagnostics }
    diagnostics.sort { ($0.location, $0.message) < ($1.location, $1.message) }
    return RunResult(
      document: document, outcomes: outcomes, diagnostics: diagnostics, values: namespace.values,
      quotes: prose.quotes, stopReason: stopReason)
  }

  private func earliest(_ a: DispatchTime?, _ b: DispatchTime?) -> DispatchTime? {
    switch (a, b) {
    case (let a?, let b?): return min(a, b)
    default: return a ?? b
    }
  }
}
