import Notebook
import Runner

/// A kernel cell's results as Jupyter shows them: one display for each stretch of prose
/// and each directive block that ran, in the cell's order, each as Markdown (the Markdown
/// handout's bytes), HTML (the HTML handout's table or figure) and plain text.
///
/// The renderer outlives one cell: figures and labelled tables are numbered on from the
/// cells before, and table ids stay unique in the notebook's one page.
public struct CellRenderer: Sendable {
  /// One output of a cell.
  public struct Display: Equatable, Sendable {
    public var markdown: String
    public var html: String
    public var plain: String
    /// The directive block it shows (`model hk`), or `nil` for prose.
    public var block: String?

    public init(markdown: String, html: String, plain: String, block: String?) {
      self.markdown = markdown
      self.html = html
      self.plain = plain
      self.block = block
    }
  }

  /// The handout's base name: a figure's Markdown links to `NAME_files/fig-N.svg`, where
  /// the handout of the same notebook keeps it.
  public var name: String
  public private(set) var figures = 0
  public private(set) var tables = 0
  private var tableIDs = TableIDs()

  public init(name: String) {
    self.name = name
  }

  /// The displays of a cell's run. A failed block shows nothing here (the kernel sends it
  /// as an error); a passing `expect` shows a line of plain text, as the handout hides it.
  public mutating func render(_ result: RunResult) -> [Display] {
    tagged(result).map(\.display)
  }

  /// The displays, each with the first line of the directive block it shows (`nil`: prose).
  mutating func tagged(_ result: RunResult) -> [(line: Int?, display: Display)] {
    let walk = HandoutWalk(result: result, name: name, base: (figures, tables))
    let markdown = MarkdownHandout(result: result, name: name)
    let page = HTMLHandout(result: result, name: name, math: nil)
    var ids = HeadingIDs(reserved: [])
    for label in walk.references.targets.values.map(\.anchor).sorted() { ids.reserve(label) }
    var prose = ProseHTML(
      result: result, blanks: walk.blanks, ids: ids, references: walk.references)
    var displays: [(line: Int?, display: Display)] = []
    var shown = Set<Int>()
    for piece in walk.pieces {
      switch piece {
      case .prose(let lines, let first, let blocks):
        let text = walk.cellLines(lines, from: first)
        guard !text.isEmpty else { continue }
        let html = blocks.map { prose.html($0) }.joined()
        let body = text.joined(separator: "\n") + "\n"
        displays.append((nil, Display(markdown: body, html: html, plain: body, block: nil)))
      case .directive(let source, let outcome, let numbers):
        shown.insert(outcome.block.range.start.line)
        figures += numbers.count
        guard outcome.status == .succeeded else { continue }
        var lines = outcome.common.label.map { ["<a id=\"\($0)\"></a>", ""] } ?? []
        lines += markdown.results(outcome, figures: numbers, walk: walk)
        let text = lines.joined(separator: "\n")
        // The cell shows the block's source already.
        var results = outcome
        if results.common.echo == .source { results.common.echo = .none }
        let html = page.directive(
          source, results, figures: numbers, walk: walk, tables: &tableIDs)
        displays.append(
          (
            outcome.block.range.start.line,
            Display(
              markdown: text, html: Self.style + "<div class=\"nbrun-result\">\(html)</div>",
              plain: text, block: outcome.block.title)
          ))
      }
    }
    // A passing check the handout hides says so in plain text.
    for outcome in result.outcomes
    where outcome.status == .succeeded && !shown.contains(outcome.block.range.start.line) {
      let checks = outcome.block.lines.filter { !$0.text.allSatisfy(\.isWhitespace) }.count
      let text = "\(outcome.block.title): \(checks) check\(checks == 1 ? "" : "s") hold"
      displays.append(
        (
          outcome.block.range.start.line,
          Display(markdown: "", html: "", plain: text, block: outcome.block.title)
        ))
    }
    tables = walk.references.tables.count + tables
    return displays
  }

  /// The handout's look for a result inside Jupyter's page: numbers right-aligned in
  /// tabular figures, captions above, a formula never broken across lines (a wide table
  /// or figure scrolls sideways in its own box on a phone, as in the HTML handout).
  static let style = """
    <style>.nbrun-result table{border-collapse:collapse;margin:0.2em 0 0.6em}\
    .nbrun-result td,.nbrun-result th{padding:0.2em 0.6em}\
    .nbrun-result td.num,.nbrun-result th.num{text-align:right;font-variant-numeric:tabular-nums}\
    .nbrun-result td.formula{white-space:nowrap}\
    .nbrun-result .table-wrap,.nbrun-result .figure-scroll{overflow-x:auto}\
    .nbrun-result .table-caption{font-weight:600;margin:0.6em 0 0.2em}\
    .nbrun-result figcaption{font-style:italic}</style>
    """
}
