import CommandLineSupport
import Foundation
import Notebook
import Rendering
import Runner

/// What the nbrun kernel does with cells, apart from the wire: runs each against one
/// namespace that lives as long as the kernel, renders its results as the handout does,
/// and keeps track of which cells read what (so a cell run again makes its readers stale).
///
/// A cell is a directive block (its fence optional: a cell whose first line is `model hk`
/// is that block), a front matter (`---` … `---`: precision, seed, notation for the cells
/// after it), or Markdown holding prose and fenced blocks. Used from one thread at a time.
public final class KernelSession {
  public struct Settings: Sendable {
    /// Seconds one cell may run (the command line's `--budget`, per cell).
    public var budget: Double?
    /// The handout's base name, for the figures' links in the Markdown outputs.
    public var name: String
    /// Where the notebook's data files are (the kernel's working folder).
    public var folder: URL

    public init(budget: Double? = 600, name: String = "notebook", folder: URL) {
      self.budget = budget
      self.name = name
      self.folder = folder
    }
  }

  /// An error as Jupyter shows it: a name, a one-line value, and the located messages.
  public struct Failure: Equatable, Sendable {
    public var name: String
    public var value: String
    public var traceback: [String]
  }

  /// What a cell gave.
  public struct Reply: Sendable {
    public var displays: [CellRenderer.Display] = []
    public var failure: Failure?
    /// Warnings and stale-cell notes, for the cell's stderr.
    public var notes: [String] = []
    /// The execution counts of earlier cells this one made stale.
    public var stale: [Int] = []
    public var executionCount: Int
  }

  /// A cell as it last ran.
  struct Record {
    var id: String?
    var code: String
    var count: Int
    var blocks: Range<Int>
    var reads: Set<String>
    var defines: Set<String>
    var stale = false
  }

  public let settings: Settings
  private var workspace = Workspace()
  private var renderer: CellRenderer
  private var matter = FrontMatter()
  private var records: [Record] = []
  public private(set) var executionCount = 0

  public init(settings: Settings) {
    self.settings = settings
    renderer = CellRenderer(name: settings.name)
  }

  /// Forgets every cell: the kernel as it started (a restart).
  public func reset() {
    workspace = Workspace()
    renderer = CellRenderer(name: settings.name)
    matter = FrontMatter()
    records = []
    executionCount = 0
  }

  /// The names cells may read now, for completion.
  public var names: [String] { workspace.names }
  public func quantities(of owner: String) -> [String] { workspace.quantities(of: owner) }

  /// Runs a cell. `cellID` is the front end's id of the cell (JupyterLab, Notebook and VS
  /// Code send it); without one, a cell of the same text as an earlier one replaces it.
  public func execute(
    _ code: String, cellID: String? = nil, storeHistory: Bool = true,
    interrupted: (@Sendable () -> Bool)? = nil
  ) -> Reply {
    if storeHistory { executionCount += 1 }
    var reply = Reply(executionCount: executionCount)
    let path = "In [\(executionCount)]"
    guard !code.allSatisfy(\.isWhitespace) else { return reply }
    let text = Self.cellText(code)
    // The fence a fenceless cell was given, to take out of the messages again.
    let fence = text.count > code.count ? text.prefix { $0 == "`" }.count : 0
    let (parsed, parseDiagnostics) = Document.parse(text, path: path)
    var document = parsed
    if parsed.frontMatter.lines != nil {
      // A front matter cell: its settings hold for the cells after it.
      let errors = parseDiagnostics.filter { $0.severity == .error }
      if !errors.isEmpty {
        reply.failure = Self.failure(errors, name: "FrontMatterError")
        return reply
      }
      matter = parsed.frontMatter
      if document.directives.isEmpty, Self.isOnlyFrontMatter(parsed) {
        reply.displays.append(
          CellRenderer.Display(
            markdown: "", html: "", plain: "Front matter: " + Self.describe(matter), block: nil))
        return reply
      }
    }
    document.frontMatter = matter

    // The cell this one replaces: the same cell id (JupyterLab, Notebook and VS Code send
    // one); without ids (jupyter console, nbclient), a cell of the very same text.
    let names = Session.names(in: document)
    let defines = Set(names.flatMap(\.defines))
    let reads = Set(names.flatMap(\.reads))
    let replaced = records.lastIndex { record in
      if let cellID { return record.id == cellID }
      return record.id == nil && record.code == code
    }
    if let replaced {
      workspace.forget(blocks: records[replaced].blocks)
    }

    var options = RunOptions(budget: settings.budget)
    options.interrupted = interrupted
    let folder = settings.folder
    let root = FileText.projectRoot(of: folder)
    options.readFile = { relative in
      try FileText.read(relative, nextTo: folder, within: root, anywhere: false)
    }
    let first = workspace.blockCount
    let result = Session(document: document, options: options, workspace: workspace).run(
      parseDiagnostics: parseDiagnostics)
    reply.displays = renderer.render(result)

    let errors = result.diagnostics.filter { $0.severity == .error }
    reply.notes += result.diagnostics.filter { $0.severity != .error }.map(\.description)
    if !errors.isEmpty {
      let expectation = result.outcomes.contains { $0.failedExpectation }
      let stopped = interrupted?() == true
      reply.failure = Self.failure(
        errors.map { Self.unfenced($0, fence: fence) },
        name: stopped ? "Interrupted" : expectation ? "ExpectationFailed" : "NotebookError")
    } else if let reason = result.stopReason {
      reply.failure = Failure(
        name: interrupted?() == true ? "Interrupted" : "NotebookError", value: reason,
        traceback: ["\(path): \(reason)"])
    }

    // Earlier cells that read what this one changed are stale now.
    let changed = Set(
      result.outcomes.filter { $0.status == .succeeded }.flatMap(\.defines))
    var kept = records
    if let replaced { kept.remove(at: replaced) }
    for index in kept.indices where kept[index].count < executionCount {
      let read = kept[index].reads.intersection(changed)
      guard !read.isEmpty, !kept[index].stale else { continue }
      kept[index].stale = true
      reply.stale.append(kept[index].count)
      reply.notes.append(
        "note: In [\(kept[index].count)] read \(Self.list(read.sorted())), which this cell changed; run it again to update its results"
      )
    }
    // A cell that reads what a stale cell made mixes old and new results: say so.
    for record in kept where record.stale {
      let mixed = reads.intersection(record.defines)
      guard !mixed.isEmpty else { continue }
      reply.notes.append(
        "note: \(Self.list(mixed.sorted())) come\(mixed.count == 1 ? "s" : "") from In [\(record.count)], which is stale; run it again first"
      )
    }
    kept.append(
      Record(
        id: cellID, code: code, count: executionCount, blocks: first..<workspace.blockCount,
        reads: reads,
        defines: defines))
    records = kept
    return reply
  }

  /// The cell as a notebook fragment: a cell whose first line names a directive is that
  /// block, fenced here (longer than any backtick run inside it).
  static func cellText(_ code: String) -> String {
    let lines = code.split(separator: "\n", omittingEmptySubsequences: false)
    guard let firstLine = lines.first(where: { !$0.allSatisfy(\.isWhitespace) }) else {
      return code
    }
    let word = firstLine.split(separator: " ").first.map(String.init) ?? ""
    guard firstLine.first?.isLetter == true, DirectiveKind(rawValue: word) != nil else {
      return code
    }
    var longest = 2
    for line in lines {
      let run = line.prefix { $0 == "`" }.count
      longest = max(longest, run)
    }
    let fence = String(repeating: "`", count: longest + 1)
    var body = code
    while body.hasSuffix("\n") { body.removeLast() }
    // The header stays on line 1 of the cell, so every location is the cell's own.
    let leading = code.prefix { $0 == "\n" }
    return String(leading) + fence + body.dropFirst(leading.count) + "\n" + fence + "\n"
  }

  static func isOnlyFrontMatter(_ document: Document) -> Bool {
    guard let lines = document.frontMatter.lines else { return false }
    return document.lines.enumerated().allSatisfy { index, line in
      lines.contains(index + 1) || line.allSatisfy(\.isWhitespace)
    }
  }

  static func describe(_ matter: FrontMatter) -> String {
    var parts: [String] = []
    if let title = matter.title { parts.append("“\(title)”") }
    parts.append("precision \(matter.precision)")
    parts.append("seed \(matter.seed)")
    return parts.joined(separator: ", ")
  }

  /// A diagnostic on a fenceless cell's first line as the cell shows that line.
  static func unfenced(_ diagnostic: Diagnostic, fence: Int) -> Diagnostic {
    guard fence > 0, diagnostic.location.line == 1 else { return diagnostic }
    var shown = diagnostic
    shown.location.column = max(1, diagnostic.location.column - fence)
    shown.sourceLine = diagnostic.sourceLine.map { String($0.drop { $0 == "`" }) }
    return shown
  }

  static func failure(_ errors: [Diagnostic], name: String) -> Failure {
    Failure(
      name: name, value: errors.first?.headline ?? "error",
      traceback: errors.prefix(100).map(\.description))
  }

  static func list(_ names: [String]) -> String {
    let quoted = names.map { "'\($0)'" }
    guard quoted.count > 1, let last = quoted.last else { return quoted.first ?? "" }
    return quoted.dropLast().joined(separator: ", ") + " and " + last
  }
}
