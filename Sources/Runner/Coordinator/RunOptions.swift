import Notebook

/// How a run behaves: what the command line decided, handed to the session as a value.
public struct RunOptions: Sendable {
  /// Run the blocks that do not depend on a failed one, instead of stopping.
  public var keepGoing: Bool
  /// Seconds the whole run may take.
  public var budget: Double?
  /// When the budget runs out, if it started counting before the session (the command
  /// line starts it as it reads the notebook); `nil` counts `budget` from the session's
  /// start.
  public var deadline: Deadline?
  /// Told about training progress (the command line draws a bar when stderr is a terminal).
  public var progress: (@Sendable (ProgressReport) -> Void)?
  /// Reads a file a notebook names (a CSV next to it), given its path as written; `nil`
  /// when the run may read no files.
  public var readFile: (@Sendable (String) throws -> String)?
  /// Where blocks' results are kept between runs; `nil` runs every block.
  public var cache: BlockCache?
  /// How many independent blocks may run at once (1: in order, one at a time). Results do
  /// not depend on it: each block computes on its own thread, with one OpenBLAS thread.
  public var blockWorkers = 1
  /// Generate every block's NumPy code (``ResultItem/code(_:)``), as an ipynb export needs;
  /// blocks with `echo: numpy` or `echo: keras` generate theirs regardless.
  public var generatesCode = false
  /// Asked between blocks and between a long block's steps (a training epoch): `true`
  /// stops the run there, the block an error that says it was interrupted (the Jupyter
  /// kernel's `interrupt_request`).
  public var interrupted: (@Sendable () -> Bool)?
  /// Called after each block that ran (not one restored from the cache), on its thread,
  /// with the seconds it took: the command line unmaps the code a long block ran
  /// (``CodePages``).
  public var afterBlock: (@Sendable (Double) -> Void)?

  public init(
    keepGoing: Bool = false, budget: Double? = nil,
    progress: (@Sendable (ProgressReport) -> Void)? = nil,
    readFile: (@Sendable (String) throws -> String)? = nil
  ) {
    self.keepGoing = keepGoing
    self.budget = budget
    self.progress = progress
    self.readFile = readFile
  }
}

/// One epoch of a training block, for a progress bar.
public struct ProgressReport: Sendable {
  public var block: String
  public var epoch: Int
  public var epochs: Int
  public var loss: Double
}

/// What happened to one directive block.
public struct BlockOutcome: Sendable {
  public enum Status: Hashable, Sendable {
    case succeeded
    case failed
    /// Not run because a block it depends on failed (`--keep-going`).
    case skipped(String)
    /// Not run because the run stopped before it.
    case notRun
  }

  public var block: DirectiveBlock
  public var status: Status
  public var items: [ResultItem]
  /// The block's errors and warnings.
  public var diagnostics: [Diagnostic]
  public var seconds: Double
  /// Decimals the block's numbers are shown with.
  public var precision: Int
  /// What the block's results are stored under (`hk`), if anything.
  public var resultName: String?
  /// The options every directive takes, as read (caption, label, echo, blanks…).
  public var common: CommonOptions
  /// Whether the block failed because an expectation did not hold (not a notebook error).
  public var failedExpectation = false
  /// Whether the results came from the block cache instead of running the block.
  public var cached = false
  /// The names the block reads, and the names it defines or changes.
  public var reads: [String] = []
  public var defines: [String] = []

  /// The generated code a handout shows beside the results (`echo: numpy`/`keras`).
  public var echoedCode: [GeneratedCode] {
    items.compactMap { item in
      guard case .code(let code) = item else { return nil }
      let shown =
        (common.echo == .numpy && code.language == .numpy)
        || (common.echo == .keras && code.language == .keras)
      return shown ? code : nil
    }
  }
}

/// A whole run: every block's outcome, the named values, every diagnostic.
public struct RunResult: Sendable {
  public var document: Document
  public var outcomes: [BlockOutcome]
  /// Parse and run diagnostics, in source order.
  public var diagnostics: [Diagnostic]
  /// Every value the blocks computed.
  public var values: ValueStore
  /// The prose's `{{ … }}` quotes, by where each placeholder stands.
  public var quotes: [SourceLocation: Quote]
  /// Why the run stopped early, if it did (a budget, a failure).
  public var stopReason: String?
  /// When the run's budget runs out: what renders the run stops by it too.
  public var deadline = Deadline.none

  /// Whether nothing failed.
  public var succeeded: Bool { !diagnostics.contains { $0.severity == .error } }

  /// What the run comes to: it held, an expectation failed, or the notebook has errors.
  public var verdict: Verdict {
    let errors = diagnostics.filter { $0.severity == .error }.count
    let expectations = outcomes.filter(\.failedExpectation).count
    if errors > expectations { return .notebookErrors }
    return expectations > 0 ? .checksFailed : .succeeded
  }

  /// The value a reference like `hk.O6` names at the end of the run (`nil` when it names
  /// nothing or is ambiguous).
  public func value(_ reference: String) -> Value? {
    ValueKey(parsing: reference).flatMap { values.value($0) }
  }
}

/// How a run (or a whole command) ended, as its exit status says: 0 everything ran and
/// held, 1 the notebooks ran but an expectation or a `--check` comparison failed, 2 a
/// notebook has errors (or could not be read or written). Usage mistakes are 64, the
/// argument parser's.
public enum Verdict: Int32, Comparable, Sendable {
  case succeeded = 0
  case checksFailed = 1
  case notebookErrors = 2

  public static func < (a: Verdict, b: Verdict) -> Bool { a.rawValue < b.rawValue }
}
