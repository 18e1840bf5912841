import Notebook

/// A directive: its typed options (declared once as ``OptionField``s, which read, check
/// and document them) and its execution.
///
/// To add one: a case in `DirectiveKind` (the syntax), a type conforming to this protocol
/// in its own file, its line in ``DirectiveRegistry``, and its tests.
protocol Directive: DeclaredOptions {
  static var kind: DirectiveKind { get }
  /// What its body holds and what the word after it names (no default).
  static var syntax: DirectiveSyntax { get }
  /// One line for the reference.
  static var summary: String { get }
  /// The values it stores, for the reference.
  static var storedValues: String { get }
  /// Extra text for the reference (the body's syntax), if any.
  static var bodySyntax: String? { get }
  /// Whether its results are kept in the block cache; a block that is quicker to run
  /// again than to read back is not (default: kept).
  static var cached: Bool { get }

  /// Checks that involve several options or the body, once the options are read; every
  /// mistake is reported before any block runs.
  func validate(_ block: DirectiveBlock) -> [BlockError]
  /// The names of models, data sets and results it reads (a failed one makes it skip).
  func reads(_ block: DirectiveBlock) -> [String]
  /// What its values are stored under (`as:`, else its name), if anything.
  func resultName(_ block: DirectiveBlock) -> String?
  /// The models and data sets it makes or changes (beside its results): a block that
  /// mentions one of them runs after it. Every directive says so itself (no default), so a
  /// new one cannot be forgotten here.
  func changes(_ block: DirectiveBlock) -> [String]
  /// Runs the block against the namespace; results are returned, values stored.
  func run(_ context: BlockContext) throws -> [ResultItem]
  /// NumPy code that recomputes the block's results after it ran (the namespace holds its
  /// values), calling the support cell (`Runner/Python/nbrun_support.py`); `nil` only
  /// where a block has nothing to recompute. No default: each directive says which.
  func python(_ context: BlockContext) throws -> [String]?
  /// A Keras rendering of the block, where it maps to Keras's API.
  func keras(_ context: BlockContext) -> [String]?
}

extension Directive {
  static var bodySyntax: String? { nil }
  static var cached: Bool { true }
  func validate(_ block: DirectiveBlock) -> [BlockError] { [] }
  func reads(_ block: DirectiveBlock) -> [String] { [] }
  func resultName(_ block: DirectiveBlock) -> String? { block.name }
  func keras(_ context: BlockContext) -> [String]? { nil }

  /// Reads a block into this directive, with every mistake in its options.
  static func plan(_ block: DirectiveBlock) -> (any Directive, [BlockError]) {
    let (directive, errors) = read(block)
    return (directive, errors.isEmpty ? directive.validate(block) : errors)
  }
}

/// How a directive's block is written: what its body holds beside `key: value` options,
/// and what the word after the directive names.
struct DirectiveSyntax: Sendable {
  enum Body: Sendable {
    /// `key: value` lines only; `#` starts a comment line.
    case options
    /// `name = expression` lines, plus `key: value` lines for the block options.
    case equations
    /// One assertion per line, plus `key: value` lines for the block options.
    case assertions
  }

  /// The word after the directive, with what it names (for messages and the reference).
  enum Name: Sendable {
    case required(String)
    case optional(String)
  }

  var body: Body
  var name: Name

  static func options(name: Name) -> DirectiveSyntax { DirectiveSyntax(body: .options, name: name) }

  var needsName: Bool {
    switch name {
    case .required: true
    case .optional: false
    }
  }

  var nameRole: String {
    switch name {
    case .required(let role), .optional(let role): role
    }
  }

  /// The block's mistakes against this syntax: a missing name, a line that is not an
  /// option in a body of options (whose comment lines are dropped from the block).
  func check(_ block: inout DirectiveBlock, fenceLine: String) -> [BlockError] {
    var errors: [BlockError] = []
    let word = block.kind.rawValue
    if needsName, block.name == nil {
      let column =
        (fenceLine.firstRange(of: word)?.lowerBound).map {
          fenceLine.utf8.distance(from: fenceLine.utf8.startIndex, to: $0) + 1
        } ?? block.range.start.column
      errors.append(
        BlockError(
          "'\(word)' needs a name: \(nameRole)",
          location: SourceLocation(line: block.range.start.line, column: column),
          sourceLine: fenceLine, length: word.count,
          hint: "write it after the directive, e.g. '\(word) hk'"))
    }
    switch body {
    case .options:
      for line in block.lines where !line.text.hasPrefix("#") || line.text.hasPrefix("#|") {
        errors.append(
          BlockError(
            "expected 'key: value' in a \(word) block", at: line,
            hint: "options are written one per line, e.g. 'rate: 0.1'"))
      }
      block.lines = []
    case .equations, .assertions: break
    }
    return errors
  }
}

/// Every directive, by the name a fence gives it. Adding a directive adds one line here.
enum DirectiveRegistry {
  static func type(of kind: DirectiveKind) -> any Directive.Type {
    switch kind {
    case .data: DataDirective.self
    case .model: ModelDirective.self
    case .forward: ForwardDirective.self
    case .backward: BackwardDirective.self
    case .train: TrainDirective.self
    case .evaluate: EvaluateDirective.self
    case .predict: PredictDirective.self
    case .loss: LossDirective.self
    case .expr: ExpressionDirective.self
    case .perceptron: PerceptronDirective.self
    case .plot: PlotDirective.self
    case .expect: ExpectDirective.self
    case .exercise: ExerciseDirective.self
    case .softmax: SoftmaxDirective.self
    case .gradcheck: GradientCheckDirective.self
    case .activation: ActivationDirective.self
    case .conv: ConvolutionDirective.self
    case .pool: PoolingDirective.self
    case .rnn: RecurrentDirective.self
    }
  }

  /// The option names a directive accepts: its own and the common ones.
  static func optionNames(of kind: DirectiveKind) -> [String] {
    type(of: kind).optionNames + CommonOptions.fields.map(\.name)
  }
}

extension Directive {
  static var optionNames: [String] { fields.map(\.name) }
}
