import Figures
import Notebook
import Runner

/// Heading ids by GitHub's rules: the heading's text lower-cased, every character that is
/// not a letter, a digit, a space, `-` or `_` dropped, each space a `-`; a repeated id gets
/// `-1`, `-2`… Ids nbrun gives other things (`fig-3`, `tab-2`, `answer-key`) are reserved
/// first, so a heading never takes one.
struct HeadingIDs {
  private var used: Set<String>

  init(reserved: Set<String> = []) {
    used = reserved
  }

  mutating func id(for text: String) -> String {
    var slug = ""
    for c in text.lowercased() {
      if c.isLetter || c.isNumber || c == "-" || c == "_" {
        slug.append(c)
      } else if c == " " {
        slug.append("-")
      }
    }
    if slug.isEmpty { slug = "section" }
    var id = slug
    var count = 0
    while used.contains(id) {
      count += 1
      id = "\(slug)-\(count)"
    }
    used.insert(id)
    return id
  }

  /// Reserves an id given to something else.
  mutating func reserve(_ id: String) { used.insert(id) }
}

/// An author's pipe table, read by GitHub's rules from a paragraph's lines (plain cmark
/// leaves tables as paragraphs): a header row and a delimiter row with the same number of
/// cells (each at least one `-`, colons for alignment, indented less than four spaces),
/// each with an unescaped `|`; then one row per line. A table may interrupt a paragraph.
/// Cells are inline content only, `\|` is a pipe.
struct PipeTable {
  var header: [String]
  var alignments: [String?]
  var rows: [[String]]

  /// A paragraph's lines cut into the text before a table and the table.
  struct Split {
    var before: [String]
    var firstLine: Int
    var table: PipeTable
  }

  static func split(_ lines: [String], firstLine: Int) -> Split? {
    guard lines.count >= 2, lines.contains(where: { $0.utf8.contains(UInt8(ascii: "|")) })
    else { return nil }
    for h in 0..<(lines.count - 1) where looksLikeDelimiterRow(lines[h + 1]) {
      guard let header = cells(lines[h]), let delimiters = cells(lines[h + 1]),
        delimiters.count == header.count, isDelimiterRow(lines[h + 1], delimiters)
      else { continue }
      let alignments = delimiters.map { cell -> String? in
        switch (cell.hasPrefix(":"), cell.hasSuffix(":")) {
        case (true, true): "center"
        case (false, true): "right"
        case (true, false): "left"
        default: nil
        }
      }
      let rows = lines.dropFirst(h + 2).map { cells($0, requirePipe: false) ?? [] }
      return Split(
        before: Array(lines[..<h]), firstLine: firstLine,
        table: PipeTable(header: header, alignments: alignments, rows: rows))
    }
    return nil
  }

  /// A cheap first test: only `|`, `:`, `-` and spaces, with a `-`.
  private static func looksLikeDelimiterRow(_ line: String) -> Bool {
    var dash = false
    for byte in line.utf8 {
      switch byte {
      case UInt8(ascii: "-"): dash = true
      case UInt8(ascii: "|"), UInt8(ascii: ":"), UInt8(ascii: " "), UInt8(ascii: "\t"): break
      default: return false
      }
    }
    return dash
  }

  private static func isDelimiterRow(_ line: String, _ cells: [String]) -> Bool {
    let indent = line.prefix { $0 == " " }.count
    return indent < 4
      && cells.allSatisfy { cell in
        let core = cell.trimmingCharacters(in: ":")
        return !core.isEmpty && core.allSatisfy { $0 == "-" }
      }
  }

  /// A cell's text made inline-only for cmark: what would start a block — a list marker
  /// (`-`, `+`, `*`, `1.` followed by a space or nothing), a rule (`***`), an ATX heading
  /// (`#`), a quote (`>`), a code fence — gets its first character backslash-escaped,
  /// which CommonMark reads as that character.
  static func inline(_ text: String) -> String {
    guard let first = text.first else { return text }
    let rest = text.dropFirst()
    let spaceOrEnd = rest.first.map { $0 == " " || $0 == "\t" } ?? true
    let isRule =
      "-*_".contains(first) && text.filter { $0 != " " && $0 != "\t" }.allSatisfy { $0 == first }
      && text.filter { $0 == first }.count >= 3
    let hashes = text.prefix { $0 == "#" }.count
    let isHeading =
      (1...6).contains(hashes)
      && (text.dropFirst(hashes).first.map { $0 == " " || $0 == "\t" } ?? true)
    if ("-+*".contains(first) && spaceOrEnd) || isRule || isHeading || first == ">"
      || text.hasPrefix("```") || text.hasPrefix("~~~")
    {
      return "\\" + text
    }
    let digits = text.prefix { $0.isNumber }
    if (1...9).contains(digits.count), let marker = text.dropFirst(digits.count).first,
      marker == "." || marker == ")",
      text.dropFirst(digits.count + 1).first.map({ $0 == " " || $0 == "\t" }) ?? true
    {
      return digits + "\\" + text.dropFirst(digits.count)
    }
    return text
  }

  func html(cell render: (String) -> String) -> String {
    func cell(_ tag: String, _ text: String, _ column: Int) -> String {
      let align = alignments.indices.contains(column) ? alignments[column] : nil
      return "<\(tag)\(align.map { " style=\"text-align:\($0)\"" } ?? "")>\(render(text))</\(tag)>"
    }
    var html = "<div class=\"table-wrap\"><table>\n<thead><tr>"
    html += header.enumerated().map { cell("th", $1, $0) }.joined()
    html += "</tr></thead>\n<tbody>\n"
    for row in rows {
      html +=
        "<tr>"
        + header.indices.map { cell("td", row.indices.contains($0) ? row[$0] : "", $0) }.joined()
        + "</tr>\n"
    }
    return html + "</tbody>\n</table></div>\n"
  }

  /// A row's cells: split at `|` not escaped (and not in a code span), outer pipes
  /// dropped, cells trimmed; `nil` when `requirePipe` and the line has no `|`.
  static func cells(_ line: String, requirePipe: Bool = true) -> [String]? {
    var trimmed = Substring(line.trimmingCharacters(in: " \t"))
    var cells: [String] = []
    var current = ""
    var escaped = false
    var sawPipe = false
    if trimmed.hasPrefix("|") {
      trimmed = trimmed.dropFirst()
      sawPipe = true
    }
    for c in trimmed {
      if escaped {
        current.append(c == "|" ? "|" : "\\\(c)")
        escaped = false
      } else if c == "\\" {
        escaped = true
      } else if c == "|" {
        cells.append(current.trimmingCharacters(in: " \t"))
        current = ""
        sawPipe = true
      } else {
        current.append(c)
      }
    }
    if escaped { current.append("\\") }
    let last = current.trimmingCharacters(in: " \t")
    if !last.isEmpty || !trimmed.hasSuffix("|") || trimmed.hasSuffix("\\|") { cells.append(last) }
    guard sawPipe || !requirePipe else { return nil }
    return cells
  }
}

/// Escapes text for HTML element content and attribute values (as XML: `&<>"'`).
public func escapeHTML(_ text: String) -> String {
  escapeXML(text)
}

extension String {
  /// The text of some HTML, tags removed.
  var strippingTags: String {
    var out = ""
    var inTag = false
    for c in self {
      if c == "<" {
        inTag = true
      } else if c == ">" {
        inTag = false
      } else if !inTag {
        out.append(c)
      }
    }
    return out
  }

  func trimmingCharacters(in set: String) -> String {
    guard let first = firstIndex(where: { !set.contains($0) }),
      let last = lastIndex(where: { !set.contains($0) })
    else { return "" }
    return String(self[first...last])
  }
}

extension HTMLHandout {
  /// TeX a reader would see raw in a page: `$$`, `\(`, `\[` or a `\frac`-like command left
  /// in the visible text (outside code, scripts, styles, figures and the math spans KaTeX
  /// renders). One pass over the bytes.
  public static func unrenderedMath(in html: String) -> [String] {
    let bytes = Array(html.utf8)
    guard let main = find(Array("<main>".utf8), in: bytes, from: 0) else { return [] }
    let skipped: [(open: [UInt8], close: [UInt8])] = [
      ("<script", "</script>"), ("<style", "</style>"), ("<pre", "</pre>"), ("<code", "</code>"),
      ("<svg", "</svg>"), ("<span class=\"math ", "</span>"),
    ].map { (Array($0.utf8), Array($1.utf8)) }
    var text: [UInt8] = []
    var i = main
    outer: while i < bytes.count {
      guard bytes[i] == UInt8(ascii: "<") else {
        text.append(bytes[i])
        i += 1
        continue
      }
      for (open, close) in skipped where bytes[i...].starts(with: open) {
        i = find(close, in: bytes, from: i).map { $0 + close.count } ?? bytes.count
        text.append(UInt8(ascii: " "))
        continue outer
      }
      // An autolink's text is its address (`<https://example.com/\[\>`), never TeX.
      if let end = autolinkEnd(in: bytes, at: i) {
        i = end
        text.append(UInt8(ascii: " "))
        continue
      }
      while i < bytes.count, bytes[i] != UInt8(ascii: ">") { i += 1 }
      i += 1
      text.append(UInt8(ascii: " "))
    }
    var found: [String] = []
    for marker in [#"$$"#, #"\("#, #"\["#, #"\frac"#, #"\sum"#, #"\partial"#, #"\mathbf"#] {
      let pattern = Array(marker.utf8)
      var from = 0
      while let at = find(pattern, in: text, from: from) {
        let snippet = text[max(0, at - 20)..<min(text.count, at + pattern.count + 20)]
        found.append(
          String(decoding: snippet, as: UTF8.self).split(whereSeparator: \.isNewline).joined(
            separator: " "))
        from = at + pattern.count
      }
    }
    return found
  }

}

extension HTMLHandout {
  /// Past the `</a>` of a link whose text is an absolute URI or an e-mail address (what
  /// cmark makes of an autolink), or `nil` when the tag at `start` is not one.
  static func autolinkEnd(in bytes: [UInt8], at start: Int) -> Int? {
    guard bytes[start...].starts(with: Array("<a href=\"".utf8)) else { return nil }
    var k = start
    while k < bytes.count, bytes[k] != UInt8(ascii: ">") { k += 1 }
    let textStart = k + 1
    guard textStart < bytes.count,
      let close = find(Array("</a>".utf8), in: bytes, from: textStart)
    else { return nil }
    let inner = bytes[textStart..<close]
    guard !inner.contains(UInt8(ascii: "<")), !inner.contains(UInt8(ascii: " ")) else {
      return nil
    }
    // A scheme (a letter, then 1 to 31 letters, digits, '+', '.', '-') and a colon, or an '@'.
    var scheme = 0
    for byte in inner {
      if byte == UInt8(ascii: ":") { break }
      let letter = (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
      let other =
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "+")
        || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
      guard letter || (scheme > 0 && other) else {
        scheme = 0
        break
      }
      scheme += 1
    }
    let isURI = (2...32).contains(scheme) && inner.contains(UInt8(ascii: ":"))
    guard isURI || inner.contains(UInt8(ascii: "@")) else { return nil }
    return close + 4
  }
}

/// The first index at or after `start` where `pattern` occurs in `bytes` (the handouts'
/// byte scans: raw TeX in a page, KaTeX's font references, a PDF's dates).
public func find(_ pattern: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
  guard let first = pattern.first, pattern.count <= bytes.count else { return nil }
  var k = start
  while k + pattern.count <= bytes.count {
    if bytes[k] == first, bytes[k..<(k + pattern.count)].elementsEqual(pattern) { return k }
    k += 1
  }
  return nil
}
