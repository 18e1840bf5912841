import Notebook

/// Writes a ``MarkdownEvent`` tree as HTML, exactly as cmark 0.30 writes the same tree
/// (`cmark_render_html` with `CMARK_OPT_UNSAFE`): a CommonMark page without math or
/// directives is byte for byte cmark's own. One pass, no recursion. What nbrun adds is
/// asked of the caller: a text leaf (placeholders and references filled in), a math leaf,
/// and a heading's id (given its inner HTML).
public struct MarkdownHTML {
  /// Writes a text leaf; by default escaped as cmark escapes it.
  public var text: (String, SourceLocation?) -> String = { text, _ in MarkdownHTML.escape(text) }
  /// Writes a `{{ … }}` leaf; by default as written.
  public var placeholder: (Placeholder) -> String = { MarkdownHTML.escape($0.text) }
  /// Writes an `@fig-…` leaf; by default as written.
  public var reference: (CrossReference.Use) -> String = { MarkdownHTML.escape($0.text) }
  /// Writes a math leaf (its index in the document's math, its equation label).
  public var math: (Int, String?) -> String = { _, _ in "" }
  /// The id of a heading of `level` whose inner HTML is `inner`; `nil` for none.
  public var headingID: (_ level: Int, _ inner: String) -> String? = { _, _ in nil }

  public init() {}

  /// A writer that writes each math leaf as `math` gives it.
  public init(math: @escaping (Int, String?) -> String) { self.math = math }

  public func html(_ events: [MarkdownEvent]) -> String {
    var html = ""
    func cr() {
      if let last = html.utf8.last, last != UInt8(ascii: "\n") { html += "\n" }
    }
    // The open containers, and where each heading's content starts.
    var open: [MarkdownContainer] = []
    var headingStarts: [String.Index] = []
    // Inside an image's alt text (counted: an image may hold one), only text is written.
    var plain = 0
    var alt = ""
    for event in events {
      if plain > 0 {
        switch event {
        case .enter(.image):
          plain += 1
        case .exit(.image(_, let title)):
          plain -= 1
          if plain == 0 {
            html += Self.escape(alt)
            if !title.isEmpty { html += "\" title=\"" + Self.escape(title) }
            html += "\" />"
            alt = ""
          }
        case .leaf(.text(let text, _)), .leaf(.code(let text)), .leaf(.html(let text)):
          alt += text
        case .leaf(.softBreak), .leaf(.lineBreak): alt += " "
        case .leaf(.placeholder(let placeholder)): alt += placeholder.text
        case .leaf(.reference(let use)): alt += use.text
        case .leaf(.math(let index, let label)): alt += math(index, label)
        default: break
        }
        continue
      }
      switch event {
      case .enter(let container):
        switch container {
        case .paragraph:
          if !isTight(open) {
            cr()
            html += "<p>"
          }
        case .heading(let level):
          cr()
          html += "<h\(level)>"
          headingStarts.append(html.endIndex)
        case .blockQuote:
          cr()
          html += "<blockquote>\n"
        case .list(let list):
          cr()
          html +=
            !list.ordered ? "<ul>\n" : list.start == 1 ? "<ol>\n" : "<ol start=\"\(list.start)\">\n"
        case .item:
          cr()
          html += "<li>"
        case .emphasis: html += "<em>"
        case .strong: html += "<strong>"
        case .link(let destination, let title):
          html += "<a href=\"" + Self.escapeHref(destination)
          if !title.isEmpty { html += "\" title=\"" + Self.escape(title) }
          html += "\">"
        case .image(let destination, _):
          html += "<img src=\"" + Self.escapeHref(destination) + "\" alt=\""
          plain = 1
          continue
        }
        open.append(container)
      case .exit(let container):
        if !open.isEmpty { open.removeLast() }
        switch container {
        case .paragraph: if !isTight(open) { html += "</p>\n" }
        case .heading(let level):
          let start = headingStarts.popLast() ?? html.endIndex
          if let id = headingID(level, String(html[start...])) {
            let tag = "<h\(level)>"
            let at = html.index(start, offsetBy: -tag.count)
            html.replaceSubrange(at..<start, with: "<h\(level) id=\"\(id)\">")
          }
          html += "</h\(level)>\n"
        case .blockQuote:
          cr()
          html += "</blockquote>\n"
        case .list(let list): html += list.ordered ? "</ol>\n" : "</ul>\n"
        case .item: html += "</li>\n"
        case .emphasis: html += "</em>"
        case .strong: html += "</strong>"
        case .link: html += "</a>"
        case .image: break
        }
      case .leaf(let leaf):
        switch leaf {
        case .text(let literal, let at): html += text(literal, at)
        case .placeholder(let item): html += placeholder(item)
        case .reference(let use): html += reference(use)
        case .softBreak: html += "\n"
        case .lineBreak: html += "<br />\n"
        case .code(let literal): html += "<code>" + Self.escape(literal) + "</code>"
        case .html(let literal): html += literal
        case .codeBlock(let info, let literal):
          cr()
          let language = info.prefix { !" \t\n\u{0B}\u{0C}\r".contains($0) }
          html +=
            language.isEmpty
            ? "<pre><code>" : "<pre><code class=\"language-\(Self.escape(String(language)))\">"
          html += Self.escape(literal) + "</code></pre>\n"
        case .htmlBlock(let literal, _):
          cr()
          html += literal
          cr()
        case .thematicBreak:
          cr()
          html += "<hr />\n"
        case .math(let index, let label): html += math(index, label)
        }
      }
    }
    return html
  }

  /// Whether a paragraph opened inside `open` is a tight list's (written without `<p>`).
  private func isTight(_ open: [MarkdownContainer]) -> Bool {
    guard open.count >= 2, open[open.count - 1] == .item,
      case .list(let list) = open[open.count - 2]
    else { return false }
    return list.tight
  }

  /// cmark's escaping of text: `"`, `&`, `<`, `>`.
  static func escape(_ text: String) -> String {
    guard text.utf8.contains(where: { $0 == 0x22 || $0 == 0x26 || $0 == 0x3C || $0 == 0x3E })
    else { return text }
    var out = ""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "&quot;"
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out
  }

  /// cmark's escaping of a link's destination: the bytes URLs allow as they are, `&` and
  /// `'` as entities, every other byte as `%XX`.
  static func escapeHref(_ url: String) -> String {
    var out: [UInt8] = []
    let hex = Array("0123456789ABCDEF".utf8)
    for byte in url.utf8 {
      switch byte {
      case UInt8(ascii: "&"): out += Array("&amp;".utf8)
      case UInt8(ascii: "'"): out += Array("&#x27;".utf8)
      case _ where isHrefSafe(byte): out.append(byte)
      default: out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  private static func isHrefSafe(_ c: UInt8) -> Bool {
    switch c {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
      UInt8(ascii: "0")...UInt8(ascii: "9"):
      true
    default: "!#$%()*+,-./:;=?@_~".utf8.contains(c)
    }
  }
}
