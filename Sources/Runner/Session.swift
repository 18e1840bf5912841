import Dispatch
import Figures
import NeuralEngine
import Notebook

/// Runs a notebook's directive blocks top to bottom in one shared namespace, Jupyter's
/// way: data sets, models and every block's named values are there for the blocks below.
/// The session never writes files; its result is a ``RunResult``.
public final class Session {
  let document: Document
  let options: RunOptions
  var values: [String: [String: Value]] = [:]
  var models: [String: ModelEntry] = [:]
  var datasets: [String: Dataset] = [:]
  var histories: [String: TrainingHistory] = [:]
  var graphs: [String: ComputationGraph] = [:]
  var units: [String: ThresholdEntry] = [:]
  var exerciseCount = 0
  private var deadline: DispatchTime?

  public init(document: Document, options: RunOptions = RunOptions()) {
    self.document = document
    self.options = options
  }

  /// Runs every block; `parseDiagnostics` are the document's own (from ``Document/parse``).
  public func run(parseDiagnostics: [Diagnostic] = []) -> RunResult {
    let start = DispatchTime.now()
    deadline = options.budget.map { after(seconds: $0, from: start) }
    var outcomes: [BlockOutcome] = []
    var failedNames: Set<String> = []
    var stopReason: String?
    var diagnostics = parseDiagnostics.filter { diagnostic in
      !document.directives.contains { $0.range.lines.contains(diagnostic.location.line) }
    }

    for block in document.directives {
      let context = BlockContext(block: block, document: document)
      var outcome = BlockOutcome(
        block: block, status: .notRun, items: [], diagnostics: [], seconds: 0,
        precision: context.precision, resultName: resultName(block))
      defer { outcomes.append(outcome) }
      guard stopReason == nil else { continue }
      let own = parseDiagnostics.filter { block.range.lines.contains($0.location.line) }
      outcome.diagnostics = own
      diagnostics += own
      if own.contains(where: { $0.severity == .error }) {
        outcome.status = .failed
        failedNames.formUnion(defines(block))
        if !options.keepGoing {
          stopReason = "stopped at \(block.title) (line \(block.range.start.line))"
        }
        continue
      }
      if let missing = reads(block).first(where: failedNames.contains) {
        outcome.status = .skipped("'\(missing)' failed above")
        failedNames.formUnion(defines(block))
        continue
      }
      if let deadline, DispatchTime.now() >= deadline {
        let message =
          "the run's budget of \(formatSeconds(options.budget ?? 0)) s ran out before \(block.title)"
        let diagnostic = Diagnostic(
          path: document.path, location: block.range.start, message: message,
          hint: "raise --budget, or lower the epochs above", sourceLine: context.fenceLine)
        outcome.status = .failed
        outcome.diagnostics.append(diagnostic)
        diagnostics.append(diagnostic)
        stopReason = message
        continue
      }
      let began = DispatchTime.now()
      do {
        var failedAsExpected = false
        do {
          outcome.items = try execute(block, context: context)
        } catch let error where expectedFailure(error, block: block, context: context) != nil {
          // The block failed as its `expect_error:` said it would: that is its result.
          outcome.items = [
            .expectedError(expectedFailure(error, block: block, context: context) ?? "")
          ]
          failedAsExpected = true
        }
        if !failedAsExpected {
          try checkBlanks(block)
          if let expected = block.option("expect_error") {
            throw BlockError(
              "this block was expected to fail with '\(expected.value)', but it ran", at: expected,
              hint: "remove 'expect_error' if the block is meant to work")
          }
        }
        outcome.status = .succeeded
      } catch {
        var failure = error
        if let expectation = error as? ExpectationFailure {
          outcome.items = [.table(expectation.table)]
          failure = expectation.error
        }
        let diagnostic = diagnose(failure, block: block, context: context)
        outcome.status = .failed
        outcome.diagnostics.append(diagnostic)
        diagnostics.append(diagnostic)
        failedNames.formUnion(defines(block))
        if !options.keepGoing {
          stopReason = "stopped at \(block.title) (line \(block.range.start.line))"
        }
      }
      outcome.seconds = Double(DispatchTime.now().uptimeNanoseconds - began.uptimeNanoseconds) / 1e9
    }
    diagnostics += checkPlaceholders()
    diagnostics.sort { ($0.location, $0.message) < ($1.location, $1.message) }
    return RunResult(
      document: document, outcomes: outcomes, diagnostics: diagnostics, values: values,
      stopReason: stopReason)
  }

  private func execute(_ block: DirectiveBlock, context: BlockContext) throws -> [ResultItem] {
    if let option = block.option("precision") { _ = try option.integer(in: 0...12) }
    if let option = block.option("notation"), Notation(rawValue: option.value.trimmed) == nil {
      throw BlockError("notation is 'unit' or 'layer', not '\(option.value)'", at: option)
    }
    if let option = block.option("results"), !["show", "hide"].contains(option.value.trimmed) {
      throw BlockError("results is 'show' or 'hide', not '\(option.value)'", at: option)
    }
    if let option = block.option("echo") { _ = try option.boolean() }
    let timeout = try block.option("timeout").map { try $0.number() }
    if let timeout, timeout <= 0 {
      throw BlockError(
        "'timeout' must be a positive number of seconds", at: block.option("timeout"))
    }
    var context = context
    context.deadline = earliest(
      deadline, timeout.map { after(seconds: $0, from: DispatchTime.now()) })
    context.timeout = timeout
    switch block.kind {
    case .data: return try runData(block, context)
    case .model: return try runModel(block, context)
    case .forward: return try runForward(block, context)
    case .backward: return try runBackward(block, context)
    case .train: return try runTrain(block, context)
    case .evaluate: return try runEvaluate(block, context)
    case .predict: return try runPredict(block, context)
    case .loss: return try runLoss(block, context)
    case .expr: return try runExpression(block, context)
    case .perceptron: return try runPerceptron(block, context)
    case .plot: return try runPlot(block, context)
    case .expect: return try runExpect(block, context)
    case .exercise:
      exerciseCount += 1
      let points = try block.option("points").map { try $0.integer(in: 0...1000) } ?? 1
      return [
        .exercise(
          number: exerciseCount, title: block.option("title")?.value.trimmed ?? "", points: points)
      ]
    }
  }

  /// The one translation of failures into located diagnostics.
  private func diagnose(_ error: Error, block: DirectiveBlock, context: BlockContext) -> Diagnostic
  {
    let fallback = SourceLocation(line: block.range.start.line, column: 1)
    switch error {
    case let error as BlockError:
      return Diagnostic(
        path: document.path, location: error.location ?? fallback, message: error.message,
        hint: error.hint, sourceLine: error.sourceLine ?? context.fenceLine, length: error.length)
    case let error as EngineError:
      return Diagnostic(
        path: document.path, location: fallback, message: "\(block.title): \(error.description)",
        sourceLine: context.fenceLine, length: context.fenceLine.count)
    default:
      return Diagnostic(
        path: document.path, location: fallback, message: "\(block.title): \(error)",
        sourceLine: context.fenceLine)
    }
  }

  /// The message of a failure the block's `expect_error:` announced, or `nil` when the
  /// block does not expect one or failed differently.
  private func expectedFailure(_ error: Error, block: DirectiveBlock, context: BlockContext)
    -> String?
  {
    guard let option = block.option("expect_error") else { return nil }
    let message = diagnose(error, block: block, context: context).message
    return message.contains(option.value.trimmed) ? message : nil
  }

  /// Every name in a block's `blank:` must be a value the block computed.
  private func checkBlanks(_ block: DirectiveBlock) throws {
    guard let option = block.option("blank") else { return }
    let stored = values[resultName(block) ?? ""] ?? [:]
    for key in option.words where stored[key] == nil {
      let known = stored.keys.filter { !$0.contains("@") || key.contains("@") }.sorted()
      throw BlockError(
        "'\(key)' is not a value this block computes, so it cannot be blanked", at: option,
        word: key,
        hint: suggestion(for: key, among: known))
    }
    if let tolerance = block.option("tolerance"), Answer.tolerance(tolerance.value) == nil {
      throw BlockError(
        "the tolerance is a number ≥ 0 or a percentage like 1%, not '\(tolerance.value)'",
        at: tolerance)
    }
  }

  /// Unknown `{{ … }}` references in the prose.
  private func checkPlaceholders() -> [Diagnostic] {
    var found: [Diagnostic] = []
    for case .markdown(let block) in document.blocks {
      if case .codeBlock = block.kind { continue }
      for line in block.range.lines where document.lines.indices.contains(line - 1) {
        let text = document.lines[line - 1]
        for placeholder in References.placeholders(in: text, line: line)
        where References.lookup(placeholder.reference, in: values) == nil {
          found.append(
            Diagnostic(
              path: document.path, location: SourceLocation(line: line, column: placeholder.column),
              message: "'\(placeholder.reference)' names no computed value",
              hint: referenceSuggestion(for: placeholder.reference, in: values), sourceLine: text,
              length: placeholder.range.count))
        }
      }
    }
    return found
  }

  /// Names a block reads (a failed one upstream makes it skip).
  private func reads(_ block: DirectiveBlock) -> [String] {
    var names: [String] = []
    switch block.kind {
    case .forward, .backward, .evaluate, .predict, .plot:
      if let name = block.name { names.append(name) }
    case .loss:
      if let base = block.option("model")?.value.trimmed { names.append(base) }
    case .model:
      if let base = block.option("collapse")?.value.trimmed { names.append(base) }
    case .train:
      if let name = block.name { names.append(name) }
      if let base = block.option("from")?.value.trimmed { names.append(base) }
    case .expect:
      names += block.lines.compactMap { line in
        line.text.split(whereSeparator: { $0.isWhitespace }).first.flatMap {
          $0.split(separator: ".").first.map(String.init)
        }
      }
    default: break
    }
    names += block.option("runs")?.words ?? []
    for key in ["data", "validation"] {
      if let value = block.option(key)?.value, let base = value.split(separator: ".").first {
        names.append(String(base))
      }
    }
    return names
  }

  /// Names a block defines or changes.
  private func defines(_ block: DirectiveBlock) -> [String] {
    var names: [String] = []
    switch block.kind {
    case .data, .model, .expr, .perceptron, .train, .loss:
      if let name = block.name { names.append(name) }
    case .backward:
      if let name = block.name, (try? block.option("apply")?.boolean()) == true {
        names.append(name)
      }
    default: break
    }
    if let alias = block.option("as")?.value { names.append(alias) }
    return names
  }

  /// What a block's values are stored under: its `as:` option, else its name.
  func resultName(_ block: DirectiveBlock) -> String? {
    block.option("as")?.value.trimmed ?? block.name
  }

  /// Stores a block's named values (merged into what the name already holds).
  func store(_ entries: [String: Value], under name: String) {
    values[name, default: [:]].merge(entries) { _, new in new }
  }

  private func earliest(_ a: DispatchTime?, _ b: DispatchTime?) -> DispatchTime? {
    switch (a, b) {
    case (let a?, let b?): return min(a, b)
    default: return a ?? b
    }
  }
}

/// A threshold unit in the namespace, for plots: its weights (bias first) or its
/// McCulloch–Pitts threshold, and the truth table it was checked against.
struct ThresholdEntry {
  var perceptron: Perceptron?
  var inputs: [[Int]]
  var outputs: [Int]
  var targets: [Int]?
}

/// A model in the namespace: its network (kept in Double) and the precision it trains in.
struct ModelEntry {
  var network: Network<Double>
  var trainsInFloat: Bool
}

/// What every block's execution needs besides its options.
struct BlockContext {
  var block: DirectiveBlock
  var precision: Int
  var notation: Notation
  var seed: UInt64
  var fenceLine: String
  var deadline: DispatchTime?
  var timeout: Double?

  init(block: DirectiveBlock, document: Document) {
    self.block = block
    let matter = document.frontMatter
    precision = (try? block.option("precision")?.integer(in: 0...12)) ?? matter.precision
    notation = block.option("notation").flatMap { Notation(rawValue: $0.value) } ?? matter.notation
    seed = (block.option("seed").flatMap { UInt64($0.value.trimmed) }) ?? matter.seed
    let line = block.range.start.line - 1
    fenceLine = document.lines.indices.contains(line) ? document.lines[line] : ""
  }

  var caption: String? { block.option("caption")?.value }
  var showsResults: Bool { block.option("results")?.value.trimmed != "hide" }
}

/// The moment some seconds after another (capped at about 30 years).
func after(seconds: Double, from start: DispatchTime) -> DispatchTime {
  let nanoseconds = UInt64(max(0, min(seconds, 1e9)) * 1e9)
  return DispatchTime(uptimeNanoseconds: start.uptimeNanoseconds &+ nanoseconds)
}

func formatSeconds(_ seconds: Double) -> String {
  seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
}
