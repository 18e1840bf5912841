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

  init(result: RunResult, name: String, build: Build = .handout) {
    self.result = result
    self.name = name
    self.build = build
    blanked = build.hasBlanks ? result.blankedKeys : []
    headings = result.document.blocks.compactMap {
      guard case .markdown(let block) = $0, case .heading(let level) = block.kind else {
        return nil
      }
      return (block.range.start.line, level)
    }
  }

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
    func isHidden(_ line: Int) -> Bool { hidden.contains { $0.contains(line) } }
    var pieces: [Piece] = []
    var cursor = 1
    var pendingBlocks: [MarkdownBlock] = []
    var proseStart = 1
    var proseLines: [String] = []
    var outcomes = result.outcomes.makeIterator()
    var figure = 0
    func flushProse() {
      if !proseLines.isEmpty {
        pieces.append(.prose(lines: proseLines, firstLine: proseStart, blocks: pendingBlocks))
      }
      proseLines = []
      pendingBlocks = []
    }
    func take(through line: Int) {
      while cursor <= min(line, lines.count) {
        if isHidden(cursor) {
          flushProse()
        } else {
          if proseLines.isEmpty { proseStart = cursor }
          proseLines.append(substituted(lines[cursor - 1], line: cursor))
        }
        cursor += 1
      }
    }
    for block in result.document.blocks {
      switch block {
      case .markdown(let markdown):
        take(through: markdown.range.end.line)
        if !isHidden(markdown.range.start.line) { pendingBlocks.append(markdown) }
      case .directive(let directive):
        take(through: directive.range.start.line - 1)
        flushProse()
        guard let outcome = outcomes.next() else { continue }
        let end = min(directive.range.end.line, lines.count)
        let first = directive.range.start.line
        let source = first <= end ? Array(lines[(first - 1)..<end]) : []
        cursor = end + 1
        if build == .student, directive.kind == .expect || isHidden(first) { continue }
        if directive.kind == .expect, !showsChecks, case .succeeded = outcome.status { continue }
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

  /// A prose line with its `{{ … }}` placeholders replaced by the values the run resolved
  /// for them (blanked in the student build when they quote a blank).
  func substituted(_ line: String, line number: Int) -> String {
    let placeholders = References.placeholders(in: line, line: number)
    guard !placeholders.isEmpty else { return line }
    var bytes = Array(line.utf8)
    let blanks = Blanks(keys: blanked, build: build)
    for placeholder in placeholders.reversed() {
      let location = SourceLocation(line: number, column: placeholder.column)
      guard let quote = result.quotes[location] else { continue }
      let text = NumberFormat.value(
        quote.value, decimals: placeholder.decimals ?? result.document.frontMatter.precision)
      let inMath = result.document.mathSpan(covering: location) != nil
      let marked = inMath ? blanks.markTeX(quote.key, text) : blanks.mark(quote.key, text)
      bytes.replaceSubrange(placeholder.range, with: Array(marked.utf8))
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
