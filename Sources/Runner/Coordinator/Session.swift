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
  let workspace: Workspace?

  /// A session of its own namespace; with a `workspace`, the blocks run in the workspace's
  /// namespace after its earlier runs (the Jupyter kernel's cells), and their values stay.
  public init(document: Document, options: RunOptions = RunOptions(), workspace: Workspace? = nil) {
    self.document = document
    self.options = options
    self.workspace = workspace
  }

  /// The names each of a document's blocks reads and defines, read without running it (the
  /// kernel finds the cell a re-run replaces, and the cells it makes stale).
  public static func names(in document: Document) -> [(reads: [String], defines: [String])] {
    document.directives.enumerated().map { index, block in
      let plan = Plan(block: block, index: index, document: document)
      return (plan.reads, plan.defines)
    }
  }

  /// Runs every block; `parseDiagnostics` are the document's own (from ``Document/parse``).
  public func run(parseDiagnostics: [Diagnostic] = []) -> RunResult {
    let start = DispatchTime.now()
    let deadline = options.deadline ?? Deadline(seconds: options.budget, from: start)
    let budgetDeadline = deadline.instant
    let base = workspace?.blockCount ?? 0
    let plans = document.directives.enumerated().map { index, block in
      Plan(block: block, index: index, document: document, base: base)
    }
    defer { workspace?.blockCount = base + plans.count }
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

    let namespace = workspace?.namespace ?? Namespace()
    let keys = options.cache.map {
      BlockKeys(
        plans: plans, document: document, salt: $0.salt + (options.generatesCode ? " code" : ""))
    }
    let mentions = plans.map { plan in
      Set(plan.reads).union(BlockKeys.words(in: lines(of: plan.block)))
    }
    // A data set no block below mentions is dropped once its last reader has run (a lecture
    // held every scaled copy of the digits to its end). Not in a workspace, whose later
    // cells may read anything, nor when code is written (its exports list every set).
    let releases: [[DataReference]] =
      workspace == nil && !options.generatesCode ? lastReaders(plans) : []
    func release(through index: Int) {
      guard releases.indices.contains(index) else { return }
      for reference in releases[index] { namespace.releaseDataset(reference) }
    }
    var settled: [String] = []
    if options.cache != nil { namespace.values.startRecording() }
    var outcomes: [BlockOutcome] = []
    var failedNames: Set<String> = []

    /// Checks that come before a block runs; returns `nil` when it may run, else its step.
    func blocked(_ plan: Plan) -> Step? {
      var outcome = BlockOutcome(
        block: plan.block, status: .notRun, items: [], diagnostics: [], seconds: 0,
        precision: plan.precision, resultName: plan.resultName, common: plan.common)
      let skipped = Step(outcome: outcome, settledKey: "not run \(plan.index)")
      if planned[plan.index].contains(where: { $0.severity == .error }) {
        outcome.status = .failed
        return Step(outcome: outcome, settledKey: skipped.settledKey)
      }
      guard stopReason == nil else { return skipped }
      if options.interrupted?() == true {
        stopReason = "interrupted before \(plan.block.title) (line \(plan.block.range.start.line))"
        return skipped
      }
      if let missing = plan.reads.first(where: failedNames.contains) {
        outcome.status = .skipped("'\(missing)' failed above")
        return Step(outcome: outcome, settledKey: skipped.settledKey)
      }
      if let budgetDeadline, DispatchTime.now() >= budgetDeadline {
        let message =
          "the run's budget of \(NumberText.plain(options.budget ?? 0)) s ran out before \(plan.block.title)"
        outcome.status = .failed
        // Training is what usually takes the time; where none ran, the notebook is long.
        let trained = outcomes.contains { $0.block.kind == .train && $0.status == .succeeded }
        outcome.diagnostics.append(
          Diagnostic(
            path: document.path, location: plan.block.range.start, message: message,
            hint: trained
              ? "raise --budget, or lower the epochs above"
              : "raise --budget, or split the notebook into smaller ones",
            sourceLine: plan.fenceLine))
        return Step(outcome: outcome, settledKey: skipped.settledKey, ranOutOfBudget: true)
      }
      return nil
    }

    /// Takes a block's step into the run: its outcome, its diagnostics, and what it failed.
    func record(_ plan: Plan, _ step: Step) {
      var outcome = step.outcome
      outcome.reads = plan.reads
      outcome.defines = plan.defines
      outcome.diagnostics = planned[plan.index] + outcome.diagnostics
      diagnostics += outcome.diagnostics
      planned[plan.index] = []
      settled.append(step.settledKey)
      switch outcome.status {
      case .failed, .skipped:
        if !step.ranOutOfBudget { failedNames.formUnion(plan.defines) }
      case .succeeded, .notRun: break
      }
      if step.ranOutOfBudget { stopReason = step.outcome.diagnostics.last?.message }
      if step.failed, !options.keepGoing {
        stopReason = "stopped at \(plan.block.title) (line \(plan.block.range.start.line))"
      }
      outcomes.append(outcome)
    }

    var index = 0
    while index < plans.count {
      let plan = plans[index]
      if let step = blocked(plan) {
        record(plan, step)
        release(through: index)
        index += 1
        continue
      }
      // Blocks that neither read nor change what the others define run at once, each on
      // its own copy of the namespace; their changes are merged in the notebook's order.
      let group = independentGroup(from: index, plans: plans, mentions: mentions, blocked: blocked)
      for member in group {
        setTitle(of: plans[member], in: namespace)
      }
      if group.count == 1 {
        let key = keys?.key(of: plan.index, settled: settled)
        record(plan, perform(plan, in: namespace, key: key, budgetDeadline: budgetDeadline))
        release(through: index)
        index += 1
        continue
      }
      let keysNow = group.map { keys?.key(of: $0, settled: settled) }
      let copies = group.map { _ in namespace.copy() }
      // `blockWorkers` threads take the group's blocks in order; each touches only its own
      // block's plan and namespace copy.
      let members = group.map { plans[$0] }
      let steps = Parallel.map(
        Array(group.indices), workers: options.blockWorkers,
        resources: Array(repeating: (), count: options.blockWorkers)
      ) { k, _ in
        perform(
          members[k], in: copies[k], key: keysNow[k], budgetDeadline: budgetDeadline, onACopy: true)
      }
      for (k, member) in group.enumerated() {
        let memberPlan = plans[member]
        var step = steps[k]
        if stopReason != nil {
          // The run stopped at a block above this one: it did not run, as in order.
          step = Step(
            outcome: BlockOutcome(
              block: memberPlan.block, status: .notRun, items: [], diagnostics: [], seconds: 0,
              precision: memberPlan.precision, resultName: memberPlan.resultName,
              common: memberPlan.common),
            settledKey: "not run \(member)")
        } else if let change = step.change {
          change.apply(to: namespace, definer: memberPlan.definer)
        }
        record(memberPlan, step)
      }
      for member in group { release(through: member) }
      index += group.count
    }
    let prose = ProseQuotes(
      document: document, values: namespace.values, deadline: deadline, base: base)
    if stopReason == nil { diagnostics += prose.diagnostics }
    diagnostics += CrossReferenceCheck.diagnostics(document: document, outcomes: outcomes)
    diagnostics.sort { ($0.location, $0.message) < ($1.location, $1.message) }
    var result = RunResult(
      document: document, outcomes: outcomes, diagnostics: diagnostics, values: namespace.values,
      quotes: prose.quotes, stopReason: stopReason)
    result.deadline = deadline
    return result
  }

  /// For each block, the data sets whose last mention (or definition) it is: once it has
  /// run, no block below can read them. A block reads a set only by writing its name,
  /// `NAME` for the whole set or `NAME.PART` for a part, so the names written in the
  /// blocks' lines decide; a set named nowhere below its `data` block goes at once.
  func lastReaders(_ plans: [Plan]) -> [[DataReference]] {
    var last: [DataReference: Int] = [:]
    for plan in plans {
      for name in plan.defines {
        for part in [nil] + DataReference.Part.allCases.map(Optional.some) {
          last[DataReference(owner: name, part: part)] = plan.index
        }
      }
      for token in Self.dottedWords(in: lines(of: plan.block)) {
        last[Self.reference(token)] = plan.index
      }
    }
    var schedule = Array(repeating: [DataReference](), count: plans.count)
    for (reference, index) in last where schedule.indices.contains(index) {
      schedule[index].append(reference)
    }
    return schedule
  }

  /// The words of `lines`, dots kept inside them (`digits.test`), a sentence's last dot
  /// dropped.
  static func dottedWords(in lines: [String]) -> Set<String> {
    var words: Set<String> = []
    for line in lines {
      var current = ""
      for character in line + " " {
        if character.isLetter || character.isNumber || character == "_" || character == "." {
          current.append(character)
        } else {
          while current.last == "." { current.removeLast() }
          if !current.isEmpty { words.insert(current) }
          current = ""
        }
      }
    }
    return words
  }

  /// `NAME.PART` as a part's reference; any other word as a whole set's.
  static func reference(_ word: String) -> DataReference {
    if let dot = word.lastIndex(of: "."),
      let part = DataReference.Part(rawValue: String(word[word.index(after: dot)...]))
    {
      return DataReference(owner: String(word[..<dot]), part: part)
    }
    return DataReference(owner: word)
  }

  /// What running one block gave.
  struct Step: Sendable {
    var outcome: BlockOutcome
    /// Its key with the files it read: what blocks below it depend on.
    var settledKey: String
    /// What it changed in the namespace (when it ran on a copy, or was cached).
    var change: NamespaceChange?
    var failed = false
    var ranOutOfBudget = false
  }

  /// Runs one block against `namespace` (or restores it from the cache). On a copy of the
  /// namespace, the change it made is returned for merging.
  private func perform(
    _ plan: Plan, in namespace: Namespace, key: String?, budgetDeadline: DispatchTime?,
    onACopy: Bool = false
  ) -> Step {
    let began = DispatchTime.now()
    var outcome = BlockOutcome(
      block: plan.block, status: .notRun, items: [], diagnostics: [], seconds: 0,
      precision: plan.precision, resultName: plan.resultName, common: plan.common)
    func elapsed() -> Double {
      Double(DispatchTime.now().uptimeNanoseconds - began.uptimeNanoseconds) / 1e9
    }
    let caches = type(of: plan.directive).cached
    if let cache = options.cache, caches, let key,
      let entry = cache.entry(key, readFile: options.readFile)
    {
      if !onACopy { entry.change.apply(to: namespace, definer: plan.definer) }
      outcome.items = entry.items
      outcome.status = .succeeded
      outcome.cached = true
      outcome.seconds = elapsed()
      return Step(
        outcome: outcome, settledKey: BlockKeys.settled(key, files: entry.files),
        change: onACopy ? entry.change : nil)
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
    let tracking = options.cache != nil || onACopy
    if onACopy { namespace.values.startRecording() }
    let before = tracking ? namespace.snapshot : nil
    _ = namespace.values.takeRecord()
    let context = plan.context(
      namespace: namespace, run: runOptions,
      deadline: earliest(
        budgetDeadline, plan.common.timeout.map { after(seconds: $0, from: began) }))
    var failed = false
    do {
      outcome.items = try plan.execute(context)
      outcome.status = .succeeded
    } catch {
      var failure = error
      if let expectation = error as? ExpectationFailure {
        outcome.items = [.table(expectation.table)]
        outcome.failedExpectation = true
        failure = expectation.error
      }
      outcome.status = .failed
      outcome.diagnostics.append(plan.diagnose(failure, path: document.path))
      failed = true
    }
    let change = before.map {
      NamespaceChange(from: $0, to: namespace, values: namespace.values.takeRecord())
    }
    var settledKey = "not run \(plan.index)"
    if let key, !failed {
      settledKey = BlockKeys.settled(key, files: reads.all)
      if let cache = options.cache, caches, let change, outcome.diagnostics.isEmpty {
        cache.save(CachedBlock(key: key, files: reads.all, items: outcome.items, change: change))
      }
    }
    outcome.seconds = elapsed()
    options.afterBlock?(outcome.seconds)
    return Step(
      outcome: outcome, settledKey: settledKey, change: onACopy ? change : nil, failed: failed)
  }

  /// The blocks from `start` on that can run at once: none reads, mentions or changes a
  /// name another defines, none numbers an exercise, and all may run now. At most 8 per
  /// worker (they share `options.blockWorkers` threads); one when blocks run in order.
  private func independentGroup(
    from start: Int, plans: [Plan], mentions: [Set<String>], blocked: (Plan) -> Step?
  ) -> [Int] {
    var group = [start]
    guard options.blockWorkers > 1, plans[start].block.kind != .exercise else { return group }
    var defined = Set(plans[start].defines)
    var touched = mentions[start].union(defined)
    var next = start + 1
    while next < plans.count, group.count < 8 * options.blockWorkers {
      let plan = plans[next]
      let defines = Set(plan.defines)
      guard plan.block.kind != .exercise, mentions[next].isDisjoint(with: defined),
        defines.isDisjoint(with: touched), blocked(plan) == nil
      else { break }
      group.append(next)
      defined.formUnion(defines)
      touched.formUnion(mentions[next])
      touched.formUnion(defines)
      next += 1
    }
    return group
  }

  private func setTitle(of plan: Plan, in namespace: Namespace) {
    if let title = plan.common.title, let name = plan.block.name,
      [.model, .train, .data, .perceptron].contains(plan.block.kind)
    {
      namespace.titles[name] = title
    }
  }

  /// A block's source lines, fence to fence.
  private func lines(of block: DirectiveBlock) -> [String] {
    block.range.lines.compactMap {
      document.lines.indices.contains($0 - 1) ? document.lines[$0 - 1] : nil
    }
  }

  private func earliest(_ a: DispatchTime?, _ b: DispatchTime?) -> DispatchTime? {
    switch (a, b) {
    case (let a?, let b?): return min(a, b)
    default: return a ?? b
    }
  }
}
