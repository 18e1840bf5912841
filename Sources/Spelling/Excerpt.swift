/// A piece of a long text fit to quote in a message: the whole text when it is short,
/// else about `width` characters around `offset` (a 0-based character offset, the place
/// a caret points at; the middle when `nil`) with "…" where it is cut. Linear in the
/// text's length at worst, and constant for a short one.
public func excerpt(_ text: String, around offset: Int? = nil, width: Int = 60) -> String {
  guard text.utf8.count > width else { return text }
  let characters = Array(text)
  guard characters.count > width else { return text }
  let center = min(max(0, offset ?? characters.count / 2), characters.count)
  let from = max(0, min(center - width / 2, characters.count - width))
  let to = min(characters.count, from + width)
  return (from > 0 ? "…" : "") + String(characters[from..<to]) + (to < characters.count ? "…" : "")
}

/// A message with every quoted run ('…') longer than `limit` bytes cut to its ends, for
/// messages built from what a notebook wrote (an 800 KB expression quoted whole).
public func clippingQuotes(_ message: String, limit: Int = 200) -> String {
  guard message.utf8.count > limit else { return message }
  var out = ""
  var rest = Substring(message)
  while let open = rest.firstIndex(of: "'") {
    let after = rest.index(after: open)
    guard let close = rest[after...].firstIndex(of: "'") else { break }
    let quoted = rest[after..<close]
    out += rest[...open]
    if quoted.utf8.count > limit {
      out += quoted.prefix(limit / 2) + "…" + quoted.suffix(limit / 2)
    } else {
      out += quoted
    }
    out += "'"
    rest = rest[rest.index(after: close)...]
  }
  return out + rest
}
