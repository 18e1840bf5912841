import Dispatch
import NeuralEngine
import Notebook
import Spelling

/// One block, read into its typed directive and common options before anything runs, with
/// every mistake found in them.
struct Plan {
  var block: DirectiveBlock
  var index: Int
  var directive: any Directive
  var common: CommonOptions
  var errors: [BlockError]
  var precision: Int
  var notation: Notation
  var rateSymbol: String
  var seed: UInt64
  var fenceLine: String
  /// The names it reads (read once: an expect block of 100,000 lines is parsed for them).
  var reads: [String]
  /// The block's number in the whole run: its index, after the blocks of a workspace's
  /// earlier runs (the kernel's earlier cells).
  var number: Int

  init(block read: DirectiveBlock, index: Int, document: Document, base: Int = 0) {
    number = base + index
    let line = read.range.start.line - 1
    fenceLine = document.lines.indices.contains(line) ? document.lines[line] : ""
    let type = DirectiveRegistry.type(of: read.kind)
    var block = read
    let syntaxErrors = type.syntax.check(&block, fenceLine: fenceLine)
    self.block = block
    self.index = index
    let (directive, errors) = type.plan(block)
    let (common, commonErrors) = CommonOptions.read(block)
    self.directive = directive
    self.common = common
    self.errors = syntaxErrors + Self.unknownOptions(block) + commonErrors + errors
    let matter = document.frontMatter
    precision = common.precision ?? matter.precision
    notation = common.notation ?? matter.notation
    rateSymbol = matter.rateSymbol
    seed = common.seed ?? matter.seed
    reads = directive.reads(block)
  }

  /// The block as the values it defines name it.
  var definer: Definer { Definer(index: number, title: block.title, line: block.range.start.line) }

  /// What the block's values are stored under.
  var resultName: String? { directive.resultName(block) }

  /// The names it defines or changes: what its directive makes or changes, and its results.
  var defines: [String] {
    var names = directive.changes(block)
    if let name = resultName { names.append(name) }
    return names
  }

  func context(namespace: Namespace, run: RunOptions, deadline: DispatchTime?) -> BlockContext {
    BlockContext(
      block: block, common: common, precision: precision, notation: notation,
      rateSymbol: rateSymbol, seed: seed,
      resultName: resultName ?? block.kind.rawValue,
      definer: definer, namespace: namespace, run: run, deadline: deadline)
  }

  /// Runs the directive; a failure its `expect_error:` announced is its result.
  func execute(_ context: BlockContext) throws -> [ResultItem] {
    let items: [ResultItem]
    do {
      items = try directive.run(context)
    } catch let error where expectedFailure(error) != nil {
      return [.expectedError(expectedFailure(error) ?? "")]
    }
    try checkBlanks(context)
    var shown = items
    if let code = try? generatedCode(context) { shown += code }
    if let expected = common.expectError {
      throw BlockError(
        "this block was expected to fail with '\(expected)', but it ran",
        at: block.option("expect_error"),
        hint: "remove 'expect_error' if the block is meant to work")
    }
    return shown
  }

  /// The code the run asked for: NumPy for an export (or `echo: numpy`), Keras for
  /// `echo: keras`. Code generation never fails a block: a block without code has none.
  private func generatedCode(_ context: BlockContext) throws -> [ResultItem] {
    var code: [ResultItem] = []
    if context.run.generatesCode || common.echo == .numpy,
      let lines = try directive.python(context), !lines.isEmpty
    {
      code.append(.code(GeneratedCode(.numpy, lines)))
    }
    if common.echo == .keras, let lines = directive.keras(context), !lines.isEmpty {
      code.append(.code(GeneratedCode(.keras, lines)))
    }
    return code
  }

  /// Every name in `blank:` must be a value the block computed.
  private func checkBlanks(_ context: BlockContext) throws {
    let values = context.namespace.values
    for word in common.blank {
      if let key = ValueKey(owner: context.resultName, local: word),
        case .failure(.ambiguous(let first, let second)) = values.lookup(key)
      {
        throw BlockError(
          "'\(key)' is defined by two blocks with different values, \(first) and \(second), so its blank would be ambiguous",
          at: block.option("blank"), word: word,
          hint: "store this block's values under their own name with 'as:'")
      }
      guard let key = ValueKey(owner: context.resultName, local: word), values.contains(key) else {
        let known = values.quantities(of: context.resultName)
        throw BlockError(
          "'\(word)' is not a value this block computes, so it cannot be blanked",
          at: block.option("blank"), word: word, hint: suggestion(for: word, among: known))
      }
    }
  }

  /// The message of a failure the block's `expect_error:` announced, or `nil`.
  private func expectedFailure(_ error: Error) -> String? {
    guard let expected = common.expectError else { return nil }
    let message = diagnose(error, path: "").message
    return message.contains(expected) ? message : nil
  }

  /// The one translation of a block's failures into located diagnostics.
  func diagnose(_ error: Error, path: String) -> Diagnostic {
    let fallback = SourceLocation(line: block.range.start.line, column: 1)
    switch error {
    case let error as BlockError:
      return Diagnostic(
        path: path, location: error.location ?? fallback, message: error.message, hint: error.hint,
        sourceLine: error.sourceLine ?? fenceLine, length: error.length)
    case let error as EngineError:
      return Diagnostic(
        path: path, location: fallback, message: "\(block.title): \(error.description)",
        sourceLine: fenceLine, length: fenceLine.count)
    default:
      return Diagnostic(
        path: path, location: fallback, message: "\(block.title): \(error)", sourceLine: fenceLine)
    }
  }

  /// Options the directive does not take, each with a suggestion.
  /// The most unknown options of one block reported one by one; the rest are counted.
  static let unknownOptionsReported = 20

  private static func unknownOptions(_ block: DirectiveBlock) -> [BlockError] {
    let known = DirectiveRegistry.optionNames(of: block.kind)
    let unknown = block.options.filter { !known.contains($0.key) }
    var errors = unknown.prefix(unknownOptionsReported).map { option in
      let guess = closestName(to: option.key, among: known)
      var error = BlockError(
        "unknown option '\(option.key)' for \(block.kind.rawValue)",
        hint: guess.map { "did you mean '\($0)'?" }
          ?? "\(block.kind.rawValue) takes: \(known.joined(separator: ", "))")
      error.location = option.keyLocation
      error.sourceLine = option.sourceLine
      error.length = option.key.count
      return error
    }
    if unknown.count > unknownOptionsReported, let last = errors.last {
      var more = BlockError(
        "\(unknown.count - unknownOptionsReported) more unknown options for \(block.kind.rawValue) follow these \(unknownOptionsReported)",
        hint: "\(block.kind.rawValue) takes: \(known.joined(separator: ", "))")
      more.location = last.location
      more.sourceLine = last.sourceLine
      more.length = last.length
      errors.append(more)
    }
    return errors
  }
}
