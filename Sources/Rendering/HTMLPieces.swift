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
