import Spelling

/// A parsed notebook: its front matter and its blocks in order, prose and directives.
///
/// Parsing never fails: mistakes become ``Diagnostic``s (all of them, not the first), and
/// a block with an error is still in the document so the runner can report it in place.
public struct Document: Sendable {
  public var path: String
  public var text: String
  /// The source's lines, without their line breaks.
  public var lines: [String]
  /// The source cut into lines with their own terminators, to put it back byte for byte.
  public var source: SourceLines
  /// The math in the prose, in order (offsets into ``body``).
  public var math: [MathSpan]
  /// How many times cmark parsed the whole notebook (once, unless masking its math put
  /// some in a code or HTML block), and how many regions of it were parsed again with their
  /// math masked (see ``parseWithMath(_:deadline:)``).
  public var cmarkParses = 0
  public var maskedRegions = 0
  /// Every `{{ … }}` of the prose, in order: in its text (the tree's placeholder nodes),
  /// its math and its HTML blocks.
  public var placeholders: [Placeholder] = []
  /// Every `@fig-…`, `@tbl-…`, `@eq-…` of the prose's text, in order (the tree's
  /// reference nodes).
  public var crossReferenceUses: [CrossReference.Use] = []

  public var frontMatter: FrontMatter
  public var blocks: [Block]

  public enum Block: Hashable, Sendable {
    case markdown(MarkdownBlock)
    case directive(DirectiveBlock)

    public var range: SourceRange {
      switch self {
      case .markdown(let block): block.range
      case .directive(let block): block.range
      }
    }
  }

  /// The lines of each solution region: from a `<details class="solution">` line to the
  /// `</details>` that closes it. GitHub shows such a region as a collapsible "Solution";
  /// student builds leave it out entirely.
  public var solutionRegions: [ClosedRange<Int>] {
    var regions: [ClosedRange<Int>] = []
    var open: Int?
    for case .markdown(let block) in blocks where block.kind == .htmlBlock {
      let text = block.range.lines.compactMap {
        lines.indices.contains($0 - 1) ? lines[$0 - 1] : nil
      }
      if open == nil,
        text.first?.drop(while: { $0 == " " }).hasPrefix("<details class=\"solution\"") == true
      {
        open = block.range.start.line
      }
      if let start = open, text.contains(where: { $0.contains("</details>") }) {
        regions.append(start...block.range.end.line)
        open = nil
      }
    }
    return regions
  }

  /// Whether a line lies in a solution region.
  public func isSolution(line: Int) -> Bool {
    solutionRegions.covers(line)
  }

  /// The directive blocks, in order.
  public var directives: [DirectiveBlock] {
    blocks.compactMap { if case .directive(let d) = $0 { d } else { nil } }
  }

  /// Parses a notebook. The second value lists every mistake and warning found. Should
  /// `deadline` pass, parsing stops between steps or blocks with an error that says where.
  public static func parse(_ text: String, path: String, deadline: Deadline = .none) -> (
    Document, [Diagnostic]
  ) {
    let source = SourceLines(text)
    let lines = source.lines
    var diagnostics: [Diagnostic] = []
    let frontMatter = FrontMatter.read(lines: lines, path: path, diagnostics: &diagnostics)
    func stopped(at line: Int, _ blocks: [Block], _ math: [MathSpan]) -> (Document, [Diagnostic]) {
      diagnostics.append(
        Diagnostic(
          path: path, location: SourceLocation(line: max(1, line), column: 1),
          message: deadline.passed
            ? deadline.message(
              while: "parsing the notebook (at line \(max(1, line)) of \(lines.count))")
            : deadline.message(
              while: "parsing the notebook", foreseen: Double(text.utf8.count) * 120e-9),
          hint: "raise --budget, or split the notebook into smaller ones"))
      return (
        Document(
          path: path, text: text, lines: lines, source: source, math: math,
          frontMatter: frontMatter, blocks: blocks),
        diagnostics
      )
    }
    // cmark reads the body with LF line endings, math masked and the front matter blanked,
    // so that line numbers and columns stay the source's.
    var body = lines
    if let matter = frontMatter.lines {
      for line in matter where body.indices.contains(line - 1) { body[line - 1] = "" }
    }
    guard !deadline.passed else { return stopped(at: 1, [], []) }
    guard let parsed = parseWithMath(body.joined(separator: "\n"), deadline: deadline) else {
      return stopped(at: 1, [], [])
    }
    let (parse, math) = parsed
    var blocks: [Block] = []
    blocks.reserveCapacity(parse.blocks.count)
    for (index, block) in parse.blocks.enumerated() {
      if index % 256 == 255, deadline.passed {
        return stopped(at: block.range.start.line, blocks, math)
      }
      if case .codeBlock(let info, _, true) = block.kind,
        let directive = readDirective(
          info: info, range: block.range, lines: lines, path: path, diagnostics: &diagnostics)
      {
        blocks.append(.directive(directive))
      } else {
        blocks.append(.markdown(block))
      }
    }
    var document = Document(
      path: path, text: text, lines: lines, source: source, math: math,
      frontMatter: frontMatter, blocks: blocks)
    document.cmarkParses = parse.parses
    document.maskedRegions = parse.maskedRegions
    document.collectPlaceholders()
    return (document, diagnostics)
  }

  /// The one parse that builds the page, and the math in it: cmark parses the text once,
  /// the math is recognised where its tree has text (``MarkdownParser/parseOnce``), and
  /// each span becomes a node. Only where cmark read markup across a span (a line of math
  /// that starts with `+` became a list item, an emphasis crosses a span's edge, display
  /// math over a line of `=` became a heading) is the text parsed again with its math
  /// masked — every byte of a span, delimiters included, replaced by U+0001 — so that the
  /// page has the structure the author meant; should masking turn math into a code or HTML
  /// block's lines (it cannot for well-formed math), that math is dropped and the text
  /// parsed once more. `nil` when `deadline` passes between these steps.
  static func parseWithMath(_ body: String, deadline: Deadline = .none) -> (
    MarkdownParser.Parse, [MathSpan]
  )? {
    // cmark cannot be interrupted: a parse that would surely overrun the budget (cmark
    // takes about 40 ns a byte; the parse and the math, twice that) is not begun.
    let estimate = Double(body.utf8.count) * 40e-9
    guard deadline.allows(2 * estimate) else { return nil }
    var spans: [MathSpan] = []
    if let once = MarkdownParser.parseOnce(
      body, deadline: deadline,
      recognise: { lines in
        spans = MathScanner.spans(in: body, verbatim: lines)
        return spans
      })
    {
      return deadline.passed ? nil : once
    }
    guard deadline.allows(estimate) else { return nil }
    var parse = MarkdownParser.parse(
      MathScanner.masked(body, spans: spans), math: spans, deadline: deadline)
    parse.parses = 2
    let inVerbatim = { (span: MathSpan) in
      parse.verbatim.covers(span.start.line)
    }
    if spans.contains(where: inVerbatim) {
      spans.removeAll(where: inVerbatim)
      parse = MarkdownParser.parse(
        MathScanner.masked(body, spans: spans), math: spans, deadline: deadline)
      parse.parses = 3
    }
    return deadline.passed ? nil : (parse, spans)
  }

  /// Languages that are surely not misspelt directives.
  static let codeLanguages: Set<String> = [
    "python", "py", "swift", "r", "julia", "js", "javascript", "bash", "sh", "shell", "text",
    "txt", "json", "yaml", "toml", "c", "cpp", "math", "latex", "tex", "markdown", "md", "html",
    "console", "output", "plain", "sql", "matlab", "octave",
  ]

  private static func readDirective(
    info: String, range: SourceRange, lines: [String], path: String,
    diagnostics: inout [Diagnostic]
  ) -> DirectiveBlock? {
    let words = info.split(whereSeparator: \.isWhitespace).map(String.init)
    guard let first = words.first else { return nil }
    let fenceLine = lines.indices.contains(range.start.line - 1) ? lines[range.start.line - 1] : ""
    let infoColumn =
      (fenceLine.firstRange(of: first)?.lowerBound).map {
        fenceLine.utf8.distance(from: fenceLine.utf8.startIndex, to: $0) + 1
      } ?? range.start.column
    guard let kind = DirectiveKind(rawValue: first) else {
      if !codeLanguages.contains(first.lowercased()),
        let guess = closestName(to: first, among: DirectiveKind.allCases.map(\.rawValue))
      {
        diagnostics.append(
          Diagnostic(
            .warning, path: path,
            location: SourceLocation(line: range.start.line, column: infoColumn),
            message: "'\(first)' is not a directive, so this block is shown as code",
            hint: "did you mean '\(guess)'?", sourceLine: fenceLine, length: first.count))
      }
      return nil
    }
    var reader = DirectiveReader(
      kind: kind, path: path, lines: lines, fenceLine: range.start.line)
    return reader.read(words: words, info: info, range: range, diagnostics: &diagnostics)
  }

  /// Gathers the placeholders and references of the tree, its math and its HTML blocks.
  private mutating func collectPlaceholders() {
    var found: [Placeholder] = []
    var uses: [CrossReference.Use] = []
    for case .markdown(let block) in blocks {
      for case .leaf(let leaf) in block.tree {
        if case .reference(let use) = leaf { uses.append(use) }
        found += placeholders(of: leaf)
      }
    }
    placeholders = found.sorted { $0.location < $1.location }
    crossReferenceUses = uses
  }

  /// The placeholders a leaf of the tree holds: a placeholder node itself, those in a math
  /// span's TeX, those in an HTML block's lines (HTML the author wrote, which cmark does
  /// not take apart).
  public func placeholders(of leaf: MarkdownLeaf) -> [Placeholder] {
    switch leaf {
    case .placeholder(let placeholder): return [placeholder]
    case .math(let index, _):
      return math.indices.contains(index) ? Self.placeholders(in: math[index]) : []
    case .htmlBlock(let literal, let line):
      let count = literal.utf8.count(where: { $0 == UInt8(ascii: "\n") })
      var found: [Placeholder] = []
      for number in line..<(line + max(1, count)) where lines.indices.contains(number - 1) {
        found += Placeholder.scan(lines[number - 1], line: number)
      }
      return found
    case .text, .softBreak, .lineBreak, .code, .html, .reference, .codeBlock, .thematicBreak:
      return []
    }
  }

  /// The placeholders in a math span's TeX, placed in the source.
  static func placeholders(in span: MathSpan) -> [Placeholder] {
    var found: [Placeholder] = []
    for (offset, line) in span.tex.split(separator: "\n", omittingEmptySubsequences: false)
      .enumerated()
    {
      let shift = offset == 0 ? span.start.column - 1 + span.delimiterLength : 0
      found += Placeholder.scan(String(line), line: span.start.line + offset).map {
        var placeholder = $0.shifted(by: shift)
        placeholder.inMath = true
        return placeholder
      }
    }
    return found
  }

  /// The placeholders inside a math span, in order (a binary search).
  public func placeholders(in span: MathSpan) -> ArraySlice<Placeholder> {
    var low = 0
    var high = placeholders.count
    while low < high {
      let middle = (low + high) / 2
      if placeholders[middle].location < span.start { low = middle + 1 } else { high = middle }
    }
    let end = span.end
    var stop = low
    while stop < placeholders.count, placeholders[stop].location < end { stop += 1 }
    return placeholders[low..<stop]
  }
}
