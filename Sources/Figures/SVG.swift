/// An SVG document as a value: elements with attributes and children, written out with
/// every text and attribute escaped and every number printed the same way on every run.
public struct SVGElement: Hashable, Sendable {
  public var name: String
  public var attributes: [(String, String)]
  public var children: [SVGElement]
  public var text: String?

  public init(
    _ name: String, _ attributes: [(String, String)] = [], children: [SVGElement] = [],
    text: String? = nil
  ) {
    self.name = name
    self.attributes = attributes
    self.children = children
    self.text = text
  }

  public static func == (lhs: SVGElement, rhs: SVGElement) -> Bool { lhs.markup == rhs.markup }
  public func hash(into hasher: inout Hasher) { hasher.combine(markup) }

  /// The element with every id it holds, and every `url(#…)` and `#…` reference to one,
  /// prefixed with `prefix-`.
  func scoped(by prefix: String) -> SVGElement {
    var copy = self
    copy.attributes = attributes.map { key, value in
      if key == "id" { return (key, "\(prefix)-\(value)") }
      if key == "href" || key == "xlink:href", value.hasPrefix("#") {
        return (key, "#\(prefix)-" + value.dropFirst())
      }
      // Only paint and reference attributes hold `url(#…)`; the check is a prefix test, so
      // long path data is never searched.
      if [
        "clip-path", "marker-start", "marker-mid", "marker-end", "mask", "filter", "fill", "stroke",
      ]
      .contains(key), value.hasPrefix("url(#") {
        return (key, "url(#\(prefix)-" + value.dropFirst(5))
      }
      return (key, value)
    }
    copy.children = children.map { $0.scoped(by: prefix) }
    return copy
  }

  /// The element as XML.
  public var markup: String {
    var out = ""
    write(into: &out)
    return out
  }

  /// Appends the element's XML to `out` (one string for the whole tree, no copies per level).
  func write(into out: inout String) {
    out += "<"
    out += name
    for (key, value) in attributes {
      out += " "
      out += key
      out += "=\""
      appendEscapedXML(value, to: &out)
      out += "\""
    }
    if children.isEmpty, text == nil {
      out += "/>"
      return
    }
    out += ">"
    if let text { appendEscapedXML(text, to: &out) }
    if !children.isEmpty {
      for child in children {
        out += "\n"
        child.write(into: &out)
      }
      out += "\n"
    }
    out += "</"
    out += name
    out += ">"
  }
}

/// A figure: an SVG with a title and description for screen readers, and a caption.
public struct Figure: Codable, Hashable, Sendable {
  public var width: Double
  public var height: Double
  public var title: String
  public var description: String
  public var caption: String
  public var content: [SVGElement]

  public init(
    width: Double, height: Double, title: String, description: String, caption: String,
    content: [SVGElement]
  ) {
    self.width = width
    self.height = height
    self.title = title
    self.description = description
    self.caption = caption
    self.content = content
  }

  /// The smallest font size of the figure's text, in its own units (12 where none is set).
  public var smallestFontSize: Double {
    var smallest = Double.infinity
    // Iterative walk: an element's size is its own `font-size` or its parent's.
    var pending = content.map { ($0, 12.0) }
    while let (element, inherited) = pending.popLast() {
      let size =
        element.attributes.first { $0.0 == "font-size" }.flatMap { Double($0.1) } ?? inherited
      if element.name == "text", element.text?.isEmpty == false { smallest = min(smallest, size) }
      pending += element.children.map { ($0, size) }
    }
    return smallest.isFinite ? smallest : 12
  }

  /// The narrowest width, in CSS pixels, at which the figure's smallest text is still
  /// `pixels` tall: a page lets the figure scroll sideways rather than shrink below it.
  public func readableWidth(textPixels pixels: Double = 8.5) -> Double {
    (width * pixels / max(1, smallestFontSize)).rounded(.up)
  }

  /// A standalone SVG document. `id` prefixes every id inside it (the title, the
  /// description, clip paths, markers) and every reference to them, so figures that share
  /// one HTML page never share an id.
  /// `minimumWidth`, for a page, keeps the figure at least that many CSS pixels wide.
  public func svg(id: String, minimumWidth: Double? = nil) -> String {
    let style = minimumWidth.map { [("style", "min-width:\(number($0))px")] } ?? []
    let root = SVGElement(
      "svg",
      style + [
        ("xmlns", "http://www.w3.org/2000/svg"),
        ("viewBox", "0 0 \(number(width)) \(number(height))"),
        ("width", number(width)), ("height", number(height)), ("role", "img"),
        ("aria-labelledby", "\(id)-title \(id)-desc"),
        ("font-family", "Helvetica, Arial, sans-serif"), ("font-size", "12"),
      ],
      children: [
        SVGElement("title", [("id", "\(id)-title")], text: title),
        SVGElement("desc", [("id", "\(id)-desc")], text: description),
        SVGElement("rect", [("width", "100%"), ("height", "100%"), ("fill", "white")]),
      ] + content.map { $0.scoped(by: id) })
    return root.markup + "\n"
  }
}

/// Escapes `&`, `<`, `>`, `"` and `'` for XML text and attributes.
public func escapeXML(_ text: String) -> String {
  var out = ""
  appendEscapedXML(text, to: &out)
  return out
}

/// Appends `text` to `out` with `&`, `<`, `>`, `"` and `'` escaped, byte by byte (all five
/// are ASCII, so no multi-byte character is split); text with none is appended whole.
func appendEscapedXML(_ text: String, to out: inout String) {
  let utf8 = text.utf8
  guard utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 })
  else {
    out += text
    return
  }
  var bytes: [UInt8] = []
  bytes.reserveCapacity(utf8.count + 16)
  for byte in utf8 {
    switch byte {
    case 0x26: bytes += Array("&amp;".utf8)
    case 0x3C: bytes += Array("&lt;".utf8)
    case 0x3E: bytes += Array("&gt;".utf8)
    case 0x22: bytes += Array("&quot;".utf8)
    case 0x27: bytes += Array("&#39;".utf8)
    default: bytes.append(byte)
    }
  }
  out += String(decoding: bytes, as: UTF8.self)
}

/// A coordinate or length with at most two decimals and no trailing zeros: the same
/// bytes on every run and platform.
public func number(_ value: Double) -> String {
  guard value.isFinite else { return "0" }
  let hundredths = (value * 100).rounded()
  let negative = hundredths < 0
  let magnitude = Int(exactly: abs(hundredths)) ?? 0
  var text = String(magnitude / 100)
  let fraction = magnitude % 100
  if fraction != 0 {
    text += "." + (fraction < 10 ? "0" : "") + String(fraction)
    while text.hasSuffix("0") { text.removeLast() }
  }
  return (negative && magnitude != 0 ? "-" : "") + text
}

extension SVGElement: Codable {
  /// An element is written as one flat list of strings, its tree in pre-order: the name,
  /// the number of attributes and each name and value, `"+"` and the text or `"-"`, and
  /// the number of children, each child following in turn. Decoding nested objects, a
  /// keyed container per element, had been the biggest part of re-rendering lecture 4
  /// after a prose edit (18 % under `perf`; 8 % as one list).
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    let tokens = try container.decode([String].self)
    var reader = TokenReader(tokens: tokens)
    guard let element = reader.element(), reader.atEnd else {
      throw DecodingError.dataCorruptedError(
        in: container,
        debugDescription: "not an element's tokens (name, attributes, text, children)")
    }
    self = element
  }

  public func encode(to encoder: any Encoder) throws {
    var tokens: [String] = []
    appendTokens(to: &tokens)
    var container = encoder.singleValueContainer()
    try container.encode(tokens)
  }

  /// The tree's tokens, depth first (a figure's tree is a few levels deep: the figures
  /// build it).
  private func appendTokens(to tokens: inout [String]) {
    tokens.append(name)
    tokens.append(String(attributes.count))
    for (key, value) in attributes {
      tokens.append(key)
      tokens.append(value)
    }
    if let text {
      tokens.append("+")
      tokens.append(text)
    } else {
      tokens.append("-")
    }
    tokens.append(String(children.count))
    for child in children { child.appendTokens(to: &tokens) }
  }

  /// Reads elements back from tokens without recursion (a damaged or hostile list cannot
  /// exhaust the stack): each open element waits on a stack for its children.
  private struct TokenReader {
    static let depthLimit = 64
    let tokens: [String]
    var position = 0

    var atEnd: Bool { position == tokens.count }

    mutating func next() -> String? {
      guard position < tokens.count else { return nil }
      defer { position += 1 }
      return tokens[position]
    }

    /// A count that the remaining tokens can hold (each needs at least one).
    mutating func count() -> Int? {
      guard let word = next(), let value = Int(word), value >= 0,
        value <= tokens.count - position
      else { return nil }
      return value
    }

    /// One element's own tokens, and how many children follow it.
    mutating func head() -> (SVGElement, children: Int)? {
      guard let name = next(), let attributeCount = count() else { return nil }
      var attributes: [(String, String)] = []
      for _ in 0..<attributeCount {
        guard let key = next(), let value = next() else { return nil }
        attributes.append((key, value))
      }
      var text: String?
      switch next() {
      case "+":
        guard let value = next() else { return nil }
        text = value
      case "-": break
      default: return nil
      }
      guard let children = count() else { return nil }
      return (SVGElement(name, attributes, text: text), children)
    }

    mutating func element() -> SVGElement? {
      guard let (root, count) = head() else { return nil }
      var open: [(element: SVGElement, remaining: Int)] = [(root, count)]
      while let last = open.indices.last {
        if open[last].remaining > 0 {
          // A figure is a few levels deep; a deeper list is damaged (and a tree that deep
          // would be freed by recursion).
          guard open.count < Self.depthLimit, let (child, children) = head() else { return nil }
          open[last].remaining -= 1
          open.append((child, children))
        } else {
          let done = open.removeLast().element
          guard let parent = open.indices.last else { return done }
          open[parent].element.children.append(done)
        }
      }
      return nil
    }
  }
}
