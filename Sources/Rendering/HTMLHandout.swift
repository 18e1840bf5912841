import Figures
import Notebook
import Runner

/// The HTML handout: one standalone page with clean typography for screen and print, a
/// table of contents, tables, inline SVG figures and math typeset by KaTeX.
///
/// Prose is the notebook's one cmark parse, block by block (``ProseHTML``); results stand
/// where their directive blocks stood; every id on the page is unique by construction.
public struct HTMLHandout {
  public let result: RunResult
  public let name: String
  /// KaTeX; without it the math is left as TeX between `\(` `\)`.
  public let math: MathAssets?

  public let build: Build
  /// Previous/next links and the index, when the notebook is part of a course.
  public var course: Course.Links?

  public init(
    result: RunResult, name: String, math: MathAssets?, build: Build = .handout,
    course: Course.Links? = nil
  ) {
    self.result = result
    self.name = name
    self.math = math
    self.build = build
    self.course = course
  }

  /// The call that typesets a page's math (`\(…\)` inline, `\[…\]` displayed) with
  /// KaTeX's auto-render, once the page has loaded (and again after a preview swaps it).
  public static let renderMath =
    #"renderMathInElement(document.body, {delimiters: [{left: "\\[", right: "\\]", display: true}, {left: "\\(", right: "\\)", display: false}], throwOnError: false});"#

  /// A stretch of the page's body, with what it is: slides break at headings and rules,
  /// and show notes aside.
  struct Part {
    enum Kind: Equatable {
      case heading(level: Int)
      case rule
      /// A `<!-- notes: … -->` comment: hidden on the page, the speaker's notes on slides.
      case notes(String)
      case prose
      /// A directive block's results; `revealRows` from its `reveal: rows`.
      case result(revealRows: Bool)
    }
    var kind: Kind
    var html: String
  }

  /// The body's parts in order, and the headings for a table of contents.
  func parts(_ walk: HandoutWalk) -> (parts: [Part], toc: [(level: Int, id: String, html: String)])
  {
    var ids = HeadingIDs(reserved: ["answer-key", "contents"])
    var tableCount = 1
    let pieces = walk.pieces
    for case .directive(_, let outcome, let numbers) in pieces {
      for number in numbers { ids.reserve("fig-\(number)") }
      for case .table in outcome.items { tableCount += 1 }
    }
    for number in 1...tableCount { ids.reserve("tab-\(number)") }
    for label in walk.references.targets.values.map(\.anchor).sorted() { ids.reserve(label) }
    for outcome in result.outcomes { if let label = outcome.common.label { ids.reserve(label) } }
    var prose = ProseHTML(
      result: result, blanks: walk.blanks, ids: ids, references: walk.references)
    var parts: [Part] = []
    var tables = TableIDs()
    for piece in pieces {
      guard !result.deadline.passed else { break }
      switch piece {
      case .prose(_, _, let blocks):
        for block in blocks {
          let html = prose.html(block)
          switch block.kind {
          case .heading(let level): parts.append(Part(kind: .heading(level: level), html: html))
          case .thematicBreak: parts.append(Part(kind: .rule, html: html))
          case .htmlBlock:
            if let notes = Self.notes(in: html) {
              parts.append(Part(kind: .notes(notes), html: html))
            } else {
              parts.append(Part(kind: .prose, html: html))
            }
          default: parts.append(Part(kind: .prose, html: html))
          }
        }
      case .directive(let source, let outcome, let figures):
        parts.append(
          Part(
            kind: .result(revealRows: outcome.common.reveal == .rows),
            html: directive(source, outcome, figures: figures, walk: walk, tables: &tables)))
      }
    }
    if build == .key {
      parts.append(
        Part(
          kind: .heading(level: 2),
          html: "<h2 id=\"answer-key\">Answer key</h2>\n"))
      parts.append(
        Part(
          kind: .result(revealRows: false),
          html: Self.table(AnswerKey.table(result.answers), tables: &tables)))
    }
    return (parts, prose.toc)
  }

  /// The text of a `<!-- notes: … -->` comment that is a block of its own.
  static func notes(in html: String) -> String? {
    func trim(_ text: Substring) -> Substring {
      let start = text.drop { $0.isWhitespace }
      var end = start.endIndex
      while end > start.startIndex, start[start.index(before: end)].isWhitespace {
        end = start.index(before: end)
      }
      return start[..<end]
    }
    let whole = trim(html[...])
    guard whole.hasPrefix("<!--"), whole.hasSuffix("-->") else { return nil }
    let inner = trim(whole.dropFirst(4).dropLast(3))
    guard inner.lowercased().hasPrefix("notes:") else { return nil }
    return String(trim(inner.dropFirst(6)))
  }

  /// The page's title: the front matter's, else the first heading's text, else the name.
  func title(toc: [(level: Int, id: String, html: String)]) -> String {
    [result.document.frontMatter.title, toc.first?.html.visibleText, name].compactMap { $0 }
      .first { !$0.allSatisfy(\.isWhitespace) } ?? name
  }

  public var text: String {
    let walk = HandoutWalk(result: result, name: name, build: build)
    let (parts, toc) = parts(walk)
    let body = parts.map(\.html)
    let matter = result.document.frontMatter
    let title = title(toc: toc)
    let edition = walk.isInstructorVersion ? " (instructor version)" : ""
    var page = """
      <!DOCTYPE html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <meta name="generator" content="nbrun">
      <title>\(escapeHTML(title + edition))</title>
      <style>\(Self.stylesheet)</style>
      <style>\(Self.pageRule(footer: title + edition, paper: matter.paper))</style>

      """
    if let math { page += "<style>\(math.stylesheet)</style>\n" }
    if course != nil { page += "<style>\(Self.courseNavigation)</style>\n" }
    page += "</head>\n<body>\n"
    if let course { page += course.html }
    if matter.title != nil || matter.author != nil || matter.course != nil || matter.date != nil {
      page += "<header class=\"title-block\">\n"
      // A title the first heading repeats is shown once, as that heading.
      if let title = matter.title, toc.first?.html.visibleText != title {
        page += "<p class=\"title\">\(escapeHTML(title))</p>\n"
      }
      let byline = [matter.author, matter.course, matter.date].compactMap { $0 }.map(escapeHTML)
      if !byline.isEmpty { page += "<p class=\"byline\">\(byline.joined(separator: " · "))</p>\n" }
      page += "</header>\n"
    }
    let entries = toc.filter { $0.level <= 3 }
    if entries.count >= 2 {
      page +=
        "<nav class=\"toc\" aria-label=\"Contents\">\n<p class=\"toc-title\">Contents</p>\n<ul>\n"
      for entry in entries {
        page += "<li class=\"toc-\(entry.level)\"><a href=\"#\(entry.id)\">\(entry.html)</a></li>\n"
      }
      page += "</ul>\n</nav>\n"
    }
    var main = Blanks.html(body.joined())
    if walk.isInstructorVersion { main = Self.markInstructorVersion(main) }
    page += "<main>\n" + main + "</main>\n"
    if let course { page += course.html }
    if let math {
      page += "<script>\(math.script)</script>\n<script>\(math.autoRender)</script>\n"
      page += "<script>\(Self.renderMath)</script>\n"
    }
    page += "</body>\n</html>\n"
    return page
  }

  // MARK: - Directives

  /// A directive block's results as HTML; without `includingFigures` the figures are left
  /// out (a Jupyter export shows each as an SVG output of its own).
  func directive(
    _ source: [String], _ outcome: BlockOutcome, figures: [Int], walk: HandoutWalk,
    tables: inout TableIDs, includingFigures: Bool = true
  )
    -> String
  {
    let anchor = outcome.common.label.map { " id=\"\(escapeHTML($0))\"" } ?? ""
    var html =
      "<section class=\"result\"\(anchor) data-block=\"\(escapeHTML(outcome.block.title))\">\n"
    if outcome.common.echo.showsSource {
      html +=
        "<pre class=\"directive\"><code>\(escapeHTML(source.joined(separator: "\n")))</code></pre>\n"
    }
    var numbers = figures.makeIterator()
    var tableNumber = walk.references.tables[outcome.block.range.start.line]
    for code in outcome.echoedCode {
      let label =
        code.language == .keras
        ? "Keras (a sketch, not run)" : "NumPy (the code the notebook export runs)"
      html += "<p class=\"code-label\">\(label)</p>\n"
      html +=
        "<pre class=\"code\" aria-label=\"\(label)\"><code class=\"language-python\">\(escapeHTML(code.lines.joined(separator: "\n")))</code></pre>\n"
    }
    for item in outcome.items {
      switch item {
      case .code: continue
      case .note(let text):
        html += "<p class=\"note\">\(escapeHTML(text))</p>\n"
      case .expectedError(let message):
        html +=
          "<div class=\"expected-error\"><strong>Error, as intended:</strong> <code>\(escapeHTML(message))</code></div>\n"
      case .table(let table):
        html += Self.table(table, number: tableNumber, blanks: walk.blanks, tables: &tables)
        tableNumber = nil
      case .exercise(let number, let title, let points):
        let level = walk.exerciseLevel(at: outcome.block.range.start.line)
        html +=
          "<h\(level) class=\"exercise\">Exercise \(number)\(title.isEmpty ? "" : ": " + escapeHTML(title))</h\(level)>\n"
        html += "<p class=\"points\">\(points) point\(points == 1 ? "" : "s") per answer</p>\n"
      case .figure(let figure):
        guard let number = numbers.next(), includingFigures else { continue }
        // Below its readable width the figure scrolls sideways in its own box, so its
        // smallest text stays at least 8.5 px tall on a phone.
        let svg = walk.svg(
          figure.figure, number: number, minimumWidth: figure.figure.readableWidth())
        html += "<figure id=\"fig-\(number)\">\n<div class=\"figure-scroll\">\(svg)</div>\n"
        html +=
          "<figcaption>Figure \(number). \(escapeHTML(figure.caption))</figcaption>\n</figure>\n"
      }
    }
    switch outcome.status {
    case .succeeded: break
    case .failed:
      for diagnostic in outcome.diagnostics where diagnostic.severity == .error {
        html +=
          "<div class=\"error\" role=\"alert\"><strong>Error</strong> <code>\(escapeHTML(diagnostic.headline))</code>"
        if let hint = diagnostic.hint { html += "<br>\(escapeHTML(hint))" }
        html += "</div>\n"
      }
    case .skipped(let reason):
      html += "<div class=\"skipped\"><strong>Not run:</strong> \(escapeHTML(reason)).</div>\n"
    case .notRun:
      html +=
        "<div class=\"skipped\"><strong>Not run:</strong> \(escapeHTML(result.stopReason ?? "the run stopped above")).</div>\n"
    }
    return html + "</section>\n"
  }

  /// The page's first heading with an "Instructor version" badge and a line saying how
  /// students get their sheet; a page without a heading gets the line alone.
  static func markInstructorVersion(_ main: String) -> String {
    let notice =
      "<p class=\"edition-note\">This page shows every answer. Students get their sheet from <code>nbrun --student</code>.</p>\n"
    guard let close = main.range(of: "</h1>\n") ?? main.range(of: "</h2>\n") else {
      return notice + main
    }
    return main[..<close.lowerBound] + " <span class=\"edition\">Instructor version</span>"
      + main[close.lowerBound..<close.upperBound] + notice + main[close.upperBound...]
  }

  /// The printed page: margins, and a footer with the title and the page number.
  static func pageRule(footer: String, paper: Paper? = nil) -> String {
    var quoted = ""
    for scalar in footer.unicodeScalars {
      switch scalar {
      case "\"", "\\": quoted += "\\" + String(scalar)
      case "<": quoted += "\\3C "
      case "\n", "\r": quoted += " "
      default: quoted.unicodeScalars.append(scalar)
      }
    }
    return
      "@page{\(paper.map { "size:\($0.css);" } ?? "")margin:16mm 15mm 18mm;@bottom-left{content:\"\(quoted)\";font:8.5pt system-ui,sans-serif;color:#5f6368}@bottom-right{content:counter(page) \" / \" counter(pages);font:8.5pt system-ui,sans-serif;color:#5f6368}}"
  }

  /// A table; `number` (a labelled table's) stands before its caption: "Table 2. …".
  static func table(
    _ table: Table, number: Int? = nil, blanks: Blanks = .none, tables: inout TableIDs
  ) -> String {
    // The caption stands above the table, as wide as the text: a <caption> would be held to
    // the table's width and wrap into a column beside a narrow table.
    var html = "<div class=\"table-wrap\">"
    var described = ""
    if let caption = Self.caption(table, number: number) {
      let id = tables.next()
      html += "<p class=\"table-caption\" id=\"\(id)\">\(escapeHTML(caption))</p>"
      described = " aria-describedby=\"\(id)\""
    }
    html += "<table\(described)>\n"
    let numeric = table.header.indices.map { column in
      table.rows.contains { $0.indices.contains(column) && NumberFormat.isNumeric($0[column]) }
    }
    html += "<thead><tr>"
    for (column, title) in table.header.enumerated() {
      html += numeric[column] ? "<th class=\"num\">" : "<th>"
      html += escapeHTML(title) + "</th>"
    }
    html += "</tr></thead>\n<tbody>\n"
    for row in table.rows {
      html += "<tr>"
      for (column, cell) in row.enumerated() {
        let text = escapeHTML(NumberFormat.cell(cell, precision: table.precision, blanks: blanks))
        var classes: [String] = []
        if column < numeric.count, numeric[column] || NumberFormat.isNumeric(cell) {
          classes.append("num")
        }
        if case .mark(let passed) = cell { classes.append(passed ? "pass" : "fail") }
        var shown = text
        if case .formula = cell {
          classes.append("formula")
          // A long sum (a convolution's nine products, a gradient summed over a sequence)
          // wraps at its operators instead of widening the table past the page.
          if text.count > Self.longFormula { classes.append("long") }
          // On a phone a formula wraps before an operator, never after one.
          for op in [" + ", " − ", " = ", " / "] {
            shown = shown.replacingOccurrences(of: op, with: String(op.dropLast()) + "\u{00A0}")
          }
        }
        html += classes.isEmpty ? "<td>" : "<td class=\"\(classes.joined(separator: " "))\">"
        html += shown + "</td>"
      }
      html += "</tr>\n"
    }
    return html + "</tbody>\n</table></div>\n"
  }

  /// The previous/next bar of a course's pages (not printed).
  static let courseNavigation =
    #".course-nav{max-width:46rem;margin:.75rem auto;padding:.5rem 1.25rem;display:grid;grid-template-columns:1fr auto 1fr;gap:.4rem 1rem;font-family:system-ui,-apple-system,"Segoe UI",sans-serif;font-size:.9rem;line-height:1.35;border-bottom:1px solid var(--rule)}.course-nav [rel=next]{text-align:right}@media (max-width:600px){.course-nav{grid-template-columns:1fr 1fr;font-size:.85rem}.course-nav a[href="index.html"]{grid-column:1/3;grid-row:1;text-align:center}}.course-nav a{text-decoration:none}.course-nav a:hover{text-decoration:underline}main+.course-nav{border-bottom:0;border-top:1px solid var(--rule);margin-top:2rem}@media print{.course-nav{display:none}}"#

  /// Formulas longer than this many characters wrap (`td.formula.long`).
  static let longFormula = 64

  static let stylesheet = """
    :root{--text:#1d1d1f;--muted:#5f6368;--rule:#d8d8d8;--accent:#0072B2;--bad:#b00020;--good:#00704a}
    html{font-size:17px}body{margin:0;color:var(--text);background:#fff;font-family:"Iowan Old Style","Palatino Linotype",Palatino,Georgia,serif;line-height:1.55}
    main,header.title-block,nav.toc{max-width:46rem;margin:0 auto;padding:0 1.25rem}
    header.title-block{padding-top:2.5rem}.title{font-size:2rem;font-weight:700;margin:0}.byline{color:var(--muted);margin:.25rem 0 1rem}
    nav.toc{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;font-size:.9rem;border-left:3px solid var(--accent);margin-top:1rem;margin-bottom:1.5rem}
    nav.toc ul{list-style:none;padding-left:.75rem;margin:.25rem 0}nav.toc .toc-2{padding-left:.75rem}nav.toc .toc-3{padding-left:1.5rem}nav.toc a{color:var(--text);text-decoration:none}nav.toc a:hover{text-decoration:underline}.toc-title{font-weight:600;margin:.25rem .75rem}
    h1,h2,h3,h4{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;line-height:1.25;margin:2rem 0 .75rem}h1{font-size:1.7rem}h2{font-size:1.35rem;border-bottom:1px solid var(--rule);padding-bottom:.2rem}h3{font-size:1.1rem}
    a{color:var(--accent)}code,pre{font-family:"SFMono-Regular",Menlo,Consolas,monospace;font-size:.85em}pre{background:#f6f8fa;padding:.75rem 1rem;overflow-x:auto;border-radius:4px}.code-label{font-size:.85rem;color:#57606a;margin:1rem 0 .25rem}pre.code{background:linear-gradient(90deg,#f6f8fa 45%,#f6f8fa00) 0 0/2.5rem 100% no-repeat local,linear-gradient(270deg,#f6f8fa 45%,#f6f8fa00) 100% 0/2.5rem 100% no-repeat local,radial-gradient(farthest-side at 0 50%,#0004,#0000) 0 0/.8rem 100% no-repeat scroll,radial-gradient(farthest-side at 100% 50%,#0004,#0000) 100% 0/.8rem 100% no-repeat scroll;background-color:#f6f8fa}
    blockquote{margin:1rem 0;padding:.1rem 1rem;border-left:3px solid var(--rule);color:var(--muted)}
    .table-wrap{overflow-x:auto;margin:1rem 0}table{border-collapse:collapse;font-family:system-ui,-apple-system,"Segoe UI",sans-serif;font-size:.85rem;font-variant-numeric:tabular-nums;margin:0 auto}
    .table-caption{text-align:center;font-style:italic;color:var(--muted);margin:.25rem 0;font-family:system-ui,-apple-system,"Segoe UI",sans-serif;font-size:.85rem}th,td{padding:.3rem .65rem;border-bottom:1px solid var(--rule);text-align:left;vertical-align:top}
    thead th{border-bottom:2px solid var(--text)}td.num,th.num{text-align:right}td.formula{white-space:nowrap}td.formula.long{white-space:normal;min-width:18rem}@media (max-width:600px){td.formula{white-space:normal;min-width:10rem}.katex-display .tag{position:static!important;display:block;text-align:right;margin-top:.3rem}}td.pass{color:var(--good)}td.fail{color:var(--bad);font-weight:700}
    figure{margin:1.5rem 0;text-align:center}.figure-scroll{overflow-x:auto;overflow-y:hidden;width:min(calc(100vw - 2.5rem),68rem);position:relative;left:50%;transform:translateX(-50%)}figure svg{max-width:100%;height:auto;display:block;margin:0 auto}.figure-scroll svg>rect:first-of-type{fill:transparent}figcaption{font-size:.9rem;color:var(--muted);margin-top:.25rem}
    .table-wrap,.figure-scroll,.katex-display{background:linear-gradient(90deg,#fff 45%,#fff0) 0 0/2.5rem 100% no-repeat local,linear-gradient(270deg,#fff 45%,#fff0) 100% 0/2.5rem 100% no-repeat local,radial-gradient(farthest-side at 0 50%,#0004,#0000) 0 0/.8rem 100% no-repeat scroll,radial-gradient(farthest-side at 100% 50%,#0004,#0000) 100% 0/.8rem 100% no-repeat scroll}
    .edition{font-size:.6em;font-weight:600;vertical-align:middle;color:#fff;background:var(--bad);border-radius:3px;padding:.1em .4em;white-space:nowrap}.edition-note{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;font-size:.9rem;color:var(--bad)}
    .note{font-style:italic}.error{border-left:4px solid var(--bad);background:#fdecee;padding:.5rem .75rem;margin:1rem 0}.answer-box{display:inline-block;min-width:4.5em;height:1.3em;border:1.5px solid var(--text);border-radius:3px;vertical-align:middle;background:#fff}mark.answer{background:#fff3b0;padding:0 .15em;font-weight:600}.points{font-style:italic;color:var(--muted);margin-top:-.5rem}.expected-error{border-left:4px solid #E69F00;background:#fdf5e6;padding:.5rem .75rem;margin:1rem 0}.skipped{border-left:4px solid var(--rule);background:#f5f5f5;padding:.5rem .75rem;margin:1rem 0}
    .math.display{overflow-x:auto;margin:1rem 0}.katex-display{overflow-x:auto;overflow-y:hidden;padding:.2rem 0}
    @media print{html{font-size:10.5pt}pre{white-space:pre-wrap;overflow-wrap:anywhere}pre.code{background:#f6f8fa}nav.toc{display:none}main,header.title-block{max-width:none;padding:0}a{color:inherit}figure,.table-wrap,table,tr,pre,.katex-display,.error,.expected-error,.skipped,details{break-inside:avoid}h1,h2,h3,h4,h5,h6,.table-caption,summary{break-after:avoid}p{orphans:3;widows:3}.figure-scroll,.table-wrap,.katex-display{overflow:visible;background:none}.figure-scroll{width:auto;left:0;transform:none}.figure-scroll svg{min-width:0!important}details::details-content{content-visibility:visible;display:contents}details>summary{list-style:none;font-weight:600}}
    """
}

extension HTMLHandout {
  /// A table's caption, led by its number when it is labelled: "Table 2. Forward pass".
  static func caption(_ table: Table, number: Int?) -> String? {
    guard let number else { return table.caption }
    return "Table \(number)." + (table.caption.map { " " + $0 } ?? "")
  }
}

/// Ids for table captions, numbered through the page: `tab-1`, `tab-2`…
struct TableIDs {
  private var count = 0

  mutating func next() -> String {
    count += 1
    return "tab-\(count)"
  }
}
