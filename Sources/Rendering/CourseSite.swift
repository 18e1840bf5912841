import Notebook

/// A course: the notebooks of one folder that share a front matter `course:`, in order,
/// and the site their handouts make — `index.html` and previous/next links on every page.
public struct Course: Sendable, Equatable {
  /// One notebook of the course, as the index shows it.
  public struct Entry: Sendable, Equatable {
    /// The file's stem: its pages are `NAME.html`, `NAME.slides.html`, `NAME.pdf`.
    public var name: String
    public var title: String
    public var summary: String?
    public var date: String?
    /// The other formats built beside the HTML: "slides", "pdf".
    public var formats: [String] = []

    public init(name: String, title: String, summary: String?, date: String?) {
      self.name = name
      self.title = title
      self.summary = summary
      self.date = date
    }
  }

  public var title: String
  public var entries: [Entry]

  public init(title: String, entries: [Entry]) {
    self.title = title
    self.entries = entries
  }

  /// The entry of a notebook's documents, read without running it: the front matter's
  /// title and summary, else its first heading and the first sentence of its prose.
  public static func entry(name: String, document: Document) -> Entry {
    let matter = document.frontMatter
    var heading: String?
    var sentence: String?
    for case .markdown(let block) in document.blocks {
      if heading == nil, case .heading = block.kind { heading = block.headingText }
      if sentence == nil, block.kind == .paragraph {
        // Math stands as U+0001, which the sentence shows as "…"; read without a run, a
        // reference says what it points to.
        var writer = MarkdownHTML(math: { _, _ in "\u{1}" })
        writer.reference = { "the \($0.kind.word.lowercased())" }
        sentence = firstSentence(of: writer.html(block.tree))
      }
      if heading != nil, sentence != nil { break }
    }
    let title = [matter.title, heading].compactMap { $0 }.first { !$0.isEmpty } ?? name
    return Entry(name: name, title: title, summary: matter.summary ?? sentence, date: matter.date)
  }

  /// The first sentence of a paragraph's text (math left out), for the index.
  static func firstSentence(of html: String) -> String? {
    var text = ""
    for c in html.visibleText {
      if c == "\u{1}" {
        if !text.hasSuffix("…") { text += "…" }
        continue
      }
      text.append(c)
      if c == ".", text.count > 20 { break }
    }
    var trimmed = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    // Read without a run, a quoted value is left out.
    if let quote = trimmed.range(of: "{{") { trimmed = trimmed[..<quote.lowerBound] + "…" }
    return trimmed.isEmpty ? nil : trimmed
  }

  /// The course as one folder has it: only the notebooks whose page is there (or is being
  /// written), so no page links to one that does not exist.
  public func present(_ exists: (String) -> Bool) -> Course {
    Course(title: title, entries: entries.filter { exists($0.name) })
  }

  /// The links a page of the course carries: the notebooks before and after it, and the
  /// index.
  public func links(for name: String) -> Links? {
    guard let index = entries.firstIndex(where: { $0.name == name }) else { return nil }
    return Links(
      previous: index > 0 ? entries[index - 1] : nil,
      next: index + 1 < entries.count ? entries[index + 1] : nil)
  }

  public struct Links: Sendable, Equatable {
    public var previous: Entry?
    public var next: Entry?
    /// Whether the course's `index.html` is there to link to.
    public var index = true

    /// The navigation bar: ← previous · Course index · next →.
    public var html: String {
      // Nothing to link to (a page rendered alone into a new folder): no bar.
      guard previous != nil || next != nil || index else { return "" }
      var html = "<nav class=\"course-nav\" aria-label=\"Course\">"
      if let previous {
        html +=
          "<a rel=\"prev\" href=\"\(escapeHTML(previous.name)).html\">← \(escapeHTML(previous.title))</a>"
      } else {
        html += "<span></span>"
      }
      html += index ? "<a href=\"index.html\">Course index</a>" : "<span></span>"
      if let next {
        html +=
          "<a rel=\"next\" href=\"\(escapeHTML(next.name)).html\">\(escapeHTML(next.title)) →</a>"
      } else {
        html += "<span></span>"
      }
      return html + "</nav>\n"
    }
  }

  /// The course's `index.html`: its title, then each notebook's title (linking to its
  /// page), summary and date, and its slides and PDF where they are built.
  public var indexPage: String {
    var page = """
      <!DOCTYPE html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <meta name="generator" content="nbrun">
      <title>\(escapeHTML(title))</title>
      <style>\(HTMLHandout.stylesheet)</style>
      <style>\(Self.stylesheet)</style>
      </head>
      <body>
      <header class="title-block"><h1 class="title">\(escapeHTML(title))</h1><p class="byline">\(entries.count) notebooks</p></header>
      <main>
      <ol class="course-index">

      """
    for entry in entries {
      let name = escapeHTML(entry.name)
      // An exercise sheet with a student build is listed by it: the sheet students get.
      let sheet = entry.formats.contains("student")
      let main = sheet ? "student/\(name).html" : "\(name).html"
      page +=
        "<li><a class=\"entry-title\" href=\"\(main)\">\(escapeHTML(entry.title))</a>"
      if let date = entry.date { page += " <span class=\"date\">\(escapeHTML(date))</span>" }
      if let summary = entry.summary { page += "<p class=\"summary\">\(escapeHTML(summary))</p>" }
      var formats =
        sheet
        ? ["<a href=\"\(main)\">Student sheet</a>"]
          + (entry.formats.contains("key") ? ["<a href=\"key/\(name).html\">Answer key</a>"] : [])
        : ["<a href=\"\(name).html\">Handout</a>"]
      if entry.formats.contains("slides") {
        formats.append("<a href=\"\(escapeHTML(entry.name)).slides.html\">Slides</a>")
      }
      if entry.formats.contains("pdf") {
        formats.append("<a href=\"\(escapeHTML(entry.name)).pdf\">PDF</a>")
      }
      if entry.formats.contains("ipynb") {
        formats.append("<a href=\"\(escapeHTML(entry.name)).ipynb\">Jupyter notebook</a>")
      }
      page += "<p class=\"formats\">\(formats.joined(separator: " · "))</p></li>\n"
    }
    page += "</ol>\n</main>\n</body>\n</html>\n"
    return page
  }

  static let stylesheet = """
    .course-index{padding-left:1.5rem}.course-index li{margin:0 0 1.25rem}.course-index .entry-title{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;font-size:1.15rem;font-weight:600}
    .course-index .date{color:var(--muted);font-size:.9rem}.course-index .summary{margin:.2rem 0}.course-index .formats{margin:.1rem 0;font-family:system-ui,-apple-system,"Segoe UI",sans-serif;font-size:.9rem}
    """
}
