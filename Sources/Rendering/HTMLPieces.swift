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
