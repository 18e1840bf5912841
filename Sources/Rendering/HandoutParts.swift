import Figures
import Notebook
import Runner

/// What the Markdown and HTML handouts share: the walk through the document in one build,
/// placeholder substitution, blanks, and figure numbering.
struct HandoutWalk {
  let result: RunResult
  let name: String
  let build: Build
  /// Every blanked value of the run (`hk.Err4`), for the student and key builds.
  let blanked: Set<ValueKey>
  /// Whether passing `expect` blocks stay in (a notebook export turns them into asserts).
  var keepsPassingChecks = false

  /// Figures and labelled tables numbered before this run's (the kernel's earlier cells).
  let base: (figures: Int, tables: Int)

  init(
    result: RunResult, name: String, build: Build = .handout,
    base: (figures: Int, tables: Int) = (0, 0)
  ) {
    self.result = result
    self.name = name
    self.build = build
    self.base = base
    blanked = build.hasBlanks ? result.blankedKeys : []
    references = CrossReferenceNumbers()
    headings = result.document.blocks.compactMap {
      guard case .markdown(let block) = $0, case .heading(let level) = block.kind else {
        return nil
      }
      return (block.range.start.line, level)
    }
    references = Self.numbering(result, walk: self)
  }

  /// What `@fig-…`, `@tbl-…` and `@eq-…` come to in this build.
  private(set) var references: CrossReferenceNumbers

  /// The prose headings' lines and levels, in order.
  private let headings: [(line: Int, level: Int)]

  /// Whether expectation tables are shown: in the review build, the key, and a handout
  /// whose front matter says `review: true`. A failing expectation is shown in any build
  /// but the student's.
  var showsChecks: Bool {
    build == .review || build == .key || (build == .handout && result.document.frontMatter.review)
  }

  /// Whether this page carries every answer of an exercise sheet while looking like one:
  /// the default build of a notebook with blanks, marked "Instructor version".
  var isInstructorVersion: Bool {
    (build == .handout || build == .review) && !result.answers.isEmpty
  }

  /// The heading level of an exercise's heading at `line`: one below the last heading of
  /// the prose above it (an exercise under `#` is `##`), never deeper than `######`.
  func exerciseLevel(at line: Int) -> Int {
    // The last heading above `line`, by binary search over the headings in order.
    var low = 0
    var high = headings.count
    while low < high {
      let middle = low + (high - low) / 2
      if headings[middle].line < line { low = middle + 1 } else { high = middle }
    }
    return min(6, (low > 0 ? headings[low - 1].level : 1) + 1)
  }

  /// A stretch of the handout, in order.
  enum Piece {
    /// Source lines copied as they are (placeholders substituted), with their first line's number.
    case prose(lines: [String], firstLine: Int, blocks: [MarkdownBlock])
    /// A directive block: its source lines, its outcome, and the numbers of its figures.
    case directive(source: [String], outcome: BlockOutcome, figureNumbers: [Int])
  }

  /// The document cut into prose and directive pieces, in order. The student build leaves
  /// out solution regions and `expect` blocks.
  var pieces: [Piece] {
    let lines = result.document.lines
    let hidden = build == .student ? result.document.solutionRegions : []
    func isHidden(_ line: Int) -> Bool { hidden.covers(line) }
    var pieces: [Piece] = []
    var cursor = 1
    var pendingBlocks: [MarkdownBlock] = []
    var proseStart = 1
    var proseLines: [String] = []
    var outcomes = result.outcomes.makeIterator()
    var figure = base.figures
    var edits: [Int: [LineEdit]] = [:]
    func flushProse() {
      if !proseLines.isEmpty {
        pieces.append(.prose(lines: proseLines, firstLine: proseStart, blocks: pendingBlocks))
      }
      proseLines = []
      pendingBlocks = []
    }
    func take(through line: Int) {
      while cursor <= min(line, lines.count) {
        // Past the run's budget the walk stops; the caller finds the deadline passed and
        // writes nothing.
        if deadline.passed {
          cursor = lines.count + 1
          return
        }
        if isHidden(cursor) {
          flushProse()
        } else {
          if proseLines.isEmpty { proseStart = cursor }
          proseLines.append(Self.applying(edits[cursor] ?? [], to: lines[cursor - 1]))
        }
        cursor += 1
      }
    }
    let deadline = result.deadline
    for block in result.document.blocks {
      guard !deadline.passed else { break }
      switch block {
      case .markdown(let markdown):
        take(through: markdown.range.start.line - 1)
        edits = markdownEdits(markdown)
        take(through: markdown.range.end.line)
        edits = [:]
        if !isHidden(markdown.range.start.line) { pendingBlocks.append(markdown) }
      case .directive(let directive):
        take(through: directive.range.start.line - 1)
        flushProse()
        guard let outcome = outcomes.next() else { continue }
        let end = min(directive.range.end.line, lines.count)
        let first = directive.range.start.line
        let source = first <= end ? Array(lines[(first - 1)..<end]) : []
        cursor = end + 1
        guard shows(directive, outcome, hidden: hidden) else { continue }
        var numbers: [Int] = []
        for case .figure in outcome.items {
          figure += 1
          numbers.append(figure)
        }
        pieces.append(.directive(source: source, outcome: outcome, figureNumbers: numbers))
      }
    }
    take(through: lines.count)
    flushProse()
    return pieces
  }

  /// Whether a directive block's results are in this build: the student build leaves out
  /// solution regions and `expect` blocks; a passing `expect` shows only where checks do.
  func shows(_ directive: DirectiveBlock, _ outcome: BlockOutcome, hidden: [ClosedRange<Int>])
    -> Bool
  {
    let first = directive.range.start.line
    if build == .student,
      directive.kind == .expect || hidden.covers(first)
    {
      return false
    }
    if directive.kind == .expect, !showsChecks, !keepsPassingChecks,
      case .succeeded = outcome.status
    {
      return false
    }
    return true
  }

  /// The numbers this build gives labelled figures, tables and equations.
  static func numbering(_ result: RunResult, walk: HandoutWalk) -> CrossReferenceNumbers {
    var numbers = CrossReferenceNumbers()
    let hidden = walk.build == .student ? result.document.solutionRegions : []
    var figure = walk.base.figures
    var table = walk.base.tables
    for (directive, outcome) in zip(result.document.directives, result.outcomes)
    where walk.shows(directive, outcome, hidden: hidden) {
      let figures = outcome.items.filter { if case .figure = $0 { true } else { false } }.count
      let label = outcome.common.label ?? ""
      switch CrossReference.kind(of: label) {
      case .figure? where figures > 0:
        numbers.targets[label] = .init(text: "Figure \(figure + 1)", anchor: label)
      case .table?
      where outcome.items.contains(where: { if case .table = $0 { true } else { false } }):
        table += 1
        numbers.targets[label] = .init(text: "Table \(table)", anchor: label)
        numbers.tables[directive.range.start.line] = table
      default: break
      }
      figure += figures
    }
    var equation = 0
    let labels = result.document.equationLabels
    for labelled in labels
    where !hidden.covers(labelled.location.line) {
      equation += 1
      numbers.targets[labelled.label] = .init(
        text: "Equation (\(equation))", anchor: labelled.label)
      numbers.equations[labelled.span] = (labelled.label, equation)
    }
    numbers.index(labels)
    return numbers
  }

  /// A stretch of prose as a Jupyter cell shows it: without the front matter's lines and
  /// the blank lines around it, blanks as this build shows them.
  func cellLines(_ lines: [String], from first: Int) -> [String] {
    var text = lines.map(Blanks.markdown)
    if let matter = result.document.frontMatter.lines {
      text = text.enumerated().filter { !matter.contains(first + $0.offset) }.map(\.element)
    }
    while text.first?.trimmingCharacters(in: " ") == "" { text.removeFirst() }
    while text.last?.trimmingCharacters(in: " ") == "" { text.removeLast() }
    return text
  }

  /// An edit of a source line for the Markdown handout: UTF-8 offsets within the line, and
  /// the text that stands there instead.
  typealias LineEdit = (range: Range<Int>, text: String)

  /// What the Markdown handout prints instead of a prose block's nodes, by line: a walk over
  /// the block's tree, a `switch` over every kind of leaf. A `{{ … }}` becomes the value
  /// the run resolved for it (blanked in the student build when it quotes a blank), a
  /// reference (`@fig-surface`) its text ("Figure 3"), a labelled equation's `{#eq-…}` a
  /// `\tag{…}` inside it; every other node is the author's bytes as they stand.
  func markdownEdits(_ block: MarkdownBlock) -> [Int: [LineEdit]] {
    let document = result.document
    let blanks = Blanks(keys: blanked, build: build)
    var edits: [Int: [LineEdit]] = [:]
    func substitute(_ placeholders: [Placeholder]) {
      for placeholder in placeholders {
        guard let quote = result.quotes[placeholder.location] else { continue }
        let text = NumberFormat.value(
          quote.value, decimals: placeholder.decimals ?? document.frontMatter.precision)
        let marked =
          placeholder.inMath ? blanks.markTeX(quote.key, text) : blanks.mark(quote.key, text)
        edits[placeholder.line, default: []].append((placeholder.range, marked))
      }
    }
    for case .leaf(let leaf) in block.tree {
      switch leaf {
      case .placeholder, .htmlBlock: substitute(document.placeholders(of: leaf))
      case .math(let index, let label):
        substitute(document.placeholders(of: leaf))
        guard label != nil, let (labelled, number) = references.equationLabel(span: index) else {
          continue
        }
        let line = labelled.location.line
        let bytes: [UInt8] =
          document.lines.indices.contains(line - 1) ? Array(document.lines[line - 1].utf8) : []
        guard labelled.range.upperBound <= bytes.count,
          labelled.closing <= labelled.range.lowerBound
        else { continue }
        // `$$ x $$` becomes `$$ x \tag{1} $$`, `$$x$$` becomes `$$x \tag{1}$$`.
        let spaced = labelled.closing > 0 && bytes[labelled.closing - 1] == UInt8(ascii: " ")
        let tag = "\\tag{\(number)}"
        edits[line, default: []] += [
          (labelled.range, ""),
          (labelled.closing..<labelled.closing, spaced ? tag + " " : " " + tag),
        ]
      case .reference(let use):
        edits[use.location.line, default: []].append((use.range, references.text(for: use)))
      case .text, .softBreak, .lineBreak, .code, .html, .codeBlock, .thematicBreak: break
      }
    }
    return edits
  }

  /// A source line with its edits made (from the right, so offsets stay true).
  static func applying(_ edits: [LineEdit], to line: String) -> String {
    guard !edits.isEmpty else { return line }
    var bytes = Array(line.utf8)
    for edit in edits.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
      bytes.replaceSubrange(edit.range, with: Array(edit.text.utf8))
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// The blanks of this build: every blanked value, so an answer blanked in one exercise
  /// stays hidden in every later table that repeats it (a forward output inside an error
  /// formula).
  var blanks: Blanks {
    build.hasBlanks ? Blanks(keys: blanked, build: build) : .none
  }

  /// A figure's SVG in this build: a value the build blanks (a unit's output, a node's
  /// value, a weight that is a blanked update's result) shows "?" for students; every
  /// other marked value shows as it is.
  func svg(_ figure: Figure, number: Int, minimumWidth: Double? = nil) -> String {
    FigureText.resolve(figure.svg(id: "fig-\(number)", minimumWidth: minimumWidth)) {
      key, text in
      guard build == .student, let key, blanked.contains(key) else { return text }
      return "?"
    }
  }

  /// Where a figure goes beside the Markdown handout: `NAME_files/fig-3.svg`.
  func figurePath(_ number: Int) -> String { "\(name)_files/fig-\(number).svg" }

  /// The figure files of the run: relative path and SVG text.
  var figures: [(path: String, svg: String)] {
    var files: [(String, String)] = []
    for case .directive(_, let outcome, let numbers) in pieces {
      var index = numbers.makeIterator()
      for case .figure(let figure) in outcome.items {
        guard let number = index.next() else { continue }
        files.append((figurePath(number), svg(figure.figure, number: number)))
      }
    }
    return files
  }

  /// The marker comments that bracket a block's results in the Markdown handout.
  static func beginMarker(_ block: DirectiveBlock) -> String {
    // A name holding `--` would end the comment early; it is written `- -`.
    "<!-- nbrun: \(block.title.replacing("--", with: "- -")) -->"
  }
  static let endMarker = "<!-- /nbrun -->"
}

/// The numbers labelled figures, tables and equations get in one build, and what a
/// reference to each reads as.
struct CrossReferenceNumbers {
  struct Target {
    /// "Figure 3", "Table 2", "Equation (1)".
    var text: String
    /// The id of the element it links to.
    var anchor: String
  }

  var targets: [String: Target] = [:]
  /// A labelled table's number, by its block's first line.
  var tables: [Int: Int] = [:]
  /// A labelled equation's label and number, by the index of its math span.
  var equations: [Int: (label: String, number: Int)] = [:]
  private var labelsBySpan: [Int: (CrossReference.EquationLabel, Int)] = [:]

  /// What a reference reads as; one to a label this build leaves out (a solution's figure
  /// in the student build) names the kind alone.
  func text(for use: CrossReference.Use) -> String {
    targets[use.label]?.text ?? "\(use.kind.word) (not in this edition)"
  }

  /// A labelled equation's label as written and its number, by its math span's index.
  func equationLabel(span: Int) -> (CrossReference.EquationLabel, Int)? {
    labelsBySpan[span]
  }

  mutating func index(_ labels: [CrossReference.EquationLabel]) {
    for labelled in labels {
      guard let number = equations[labelled.span]?.number else { continue }
      labelsBySpan[labelled.span] = (labelled, number)
    }
  }
}
