import Foundation

/// Every substituted formula a rendered page prints — `-0.3 + (0.9)(0.1312)(0.332) =
/// -0.261`, `(0.474)(1 − 0.474)(1 − 0.474) = 0.1312`, a graph node's `w1·x1 = 1.2` — read
/// back from the page's text (Markdown, HTML, SVG `<text>`, a notebook's stored outputs) and
/// evaluated with interval arithmetic: each printed operand with d decimals stands for
/// ±½·10⁻ᵈ around it (whole numbers are exact), and the printed result must lie within
/// what the operands allow, to its own half unit. Names in a formula (`w1`, `x1`) take the
/// values printed for them in the same figure or block (`w1 = 0.8`).
public enum FormulaAudit {
  /// One formula that does not re-evaluate to what is printed.
  public struct Finding: Equatable, Sendable {
    /// The file it was read from (as the handout names it).
    public var file: String
    /// The block whose results printed it, as the page marks it (`backward hk`), and which
    /// of the blocks so marked it is (0 for the first).
    public var block: String?
    public var occurrence: Int
    /// The figure that printed it (`fig-12` → 12), if a figure did.
    public var figure: Int?
    /// The formula as printed.
    public var text: String
    public var printed: Double
    /// What its printed operands give (the middle of the interval they allow).
    public var evaluated: Double
  }

  /// What an audit read.
  public struct Report: Sendable {
    /// Formulas evaluated and compared.
    public var checked = 0
    /// Formulas whose names have no printed value nearby (not evaluable from the page).
    public var unresolved = 0
    /// A few of them, for a report.
    public var unresolvedSamples: [String] = []
    public var findings: [Finding] = []

    public init() {}

    public static func + (a: Report, b: Report) -> Report {
      var sum = a
      sum.checked += b.checked
      sum.unresolved += b.unresolved
      sum.unresolvedSamples += b.unresolvedSamples.prefix(max(0, 20 - sum.unresolvedSamples.count))
      sum.findings += b.findings
      return sum
    }
  }

  /// Where a group of text units came from.
  struct Place {
    var file: String
    var block: String?
    var occurrence: Int
    var figure: Int?
  }

  /// A number for a message: up to six significant digits.
  public static func shown(_ value: Double) -> String {
    String(format: "%.6g", value)
  }

  // MARK: - Formats

  /// A Markdown handout: the tables and captions between nbrun's markers; `figure` gives
  /// the SVG a figure link names (`lecture2_files/fig-3.svg`), audited with its block.
  public static func markdown(
    _ text: String, file: String, figure: (String) -> String? = { _ in nil }
  ) -> Report {
    var report = Report()
    var counts: [String: Int] = [:]
    for region in regions(text, open: "<!-- nbrun: ", close: "<!-- /nbrun -->") {
      let occurrence = counts[region.label, default: 0]
      counts[region.label] = occurrence + 1
      let place = Place(file: file, block: region.label, occurrence: occurrence, figure: nil)
      report = report + audit(markdownUnits(region.body), at: place)
      for link in figureLinks(region.body) {
        guard let svg = figure(link) else { continue }
        var figurePlace = place
        figurePlace.figure = figureNumber(link)
        figurePlace.file = link
        report = report + audit(svgUnits(svg), at: figurePlace)
      }
    }
    return report
  }

  /// An HTML page: the text of every cell, caption and SVG `<text>` inside nbrun's result
  /// sections (`<section class="result" data-block="…">`).
  public static func html(_ text: String, file: String) -> Report {
    var report = Report()
    var counts: [String: Int] = [:]
    for region in sections(text) {
      let label = unescape(region.label)
      let occurrence = counts[label, default: 0]
      counts[label] = occurrence + 1
      // Each figure with its own names; the tables with the block's.
      var place = Place(file: file, block: label, occurrence: occurrence, figure: nil)
      let bytes = Array(region.body.utf8)
      var at = 0
      let open = Array("<figure id=\"fig-".utf8)
      while let start = find(open, in: bytes, from: at),
        let end = find(Array("</figure>".utf8), in: bytes, from: start)
      {
        report = report + audit(elementUnits(bytes[at..<start]), at: place)
        let digits = bytes[(start + open.count)...].prefix { $0 >= 48 && $0 <= 57 }
        place.figure = Int(String(decoding: digits, as: UTF8.self))
        report = report + audit(elementUnits(bytes[start..<end]), at: place)
        place.figure = nil
        at = end
      }
      report = report + audit(elementUnits(bytes[at...]), at: place)
    }
    return report
  }

  /// An SVG figure on its own.
  public static func svg(_ text: String, file: String) -> Report {
    audit(
      svgUnits(text), at: Place(file: file, block: nil, occurrence: 0, figure: figureNumber(file)))
  }

  /// A Jupyter notebook: the outputs nbrun stored (Markdown tables, SVG figures) and the
  /// figures attached to Markdown cells.
  public static func notebook(_ json: String, file: String) -> Report {
    guard let data = json.data(using: .utf8),
      let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let cells = root["cells"] as? [[String: Any]]
    else { return Report() }
    var report = Report()
    for (index, cell) in cells.enumerated() {
      let place = Place(file: file, block: "cell \(index + 1)", occurrence: 0, figure: nil)
      for output in cell["outputs"] as? [[String: Any]] ?? [] {
        let data = output["data"] as? [String: Any] ?? [:]
        if let markdown = joined(data["text/markdown"]) {
          report = report + audit(markdownUnits(markdown), at: place)
        }
        if let svg = joined(data["image/svg+xml"]) {
          report = report + audit(svgUnits(svg), at: place)
        }
      }
      for attachment in (cell["attachments"] as? [String: [String: Any]] ?? [:]).values {
        if let encoded = attachment["image/svg+xml"] as? String,
          let bytes = Data(base64Encoded: encoded), let svg = String(data: bytes, encoding: .utf8)
        {
          report = report + audit(svgUnits(svg), at: place)
        }
      }
    }
    return report
  }

  // MARK: - Units of text

  /// An HTML page's result sections, `<section class="result" … data-block="LABEL">`, found
  /// in one pass over the page's bytes.
  static func sections(_ text: String) -> [(label: String, body: String)] {
    let bytes = Array(text.utf8)
    let open = Array("<section class=\"result\"".utf8)
    let close = Array("</section>".utf8)
    let attribute = Array("data-block=\"".utf8)
    var found: [(String, String)] = []
    var at = 0
    while let start = find(open, in: bytes, from: at),
      let headEnd = bytes[start...].firstIndex(of: UInt8(ascii: ">")),
      let end = find(close, in: bytes, from: headEnd)
    {
      var label = ""
      if let a = find(attribute, in: bytes, from: start), a < headEnd {
        let value = bytes[(a + attribute.count)..<headEnd].prefix { $0 != UInt8(ascii: "\"") }
        label = String(decoding: value, as: UTF8.self)
      }
      found.append((label, String(decoding: bytes[(headEnd + 1)..<end], as: UTF8.self)))
      at = end + close.count
    }
    return found
  }

  /// Where `needle` next starts in `bytes` at or after `from`.
  static func find(_ needle: [UInt8], in bytes: [UInt8], from: Int) -> Int? {
    guard let first = needle.first, needle.count <= bytes.count else { return nil }
    var i = max(0, from)
    let last = bytes.count - needle.count
    while i <= last {
      if bytes[i] == first {
        var k = 1
        while k < needle.count, bytes[i + k] == needle[k] { k += 1 }
        if k == needle.count { return i }
      }
      i += 1
    }
    return nil
  }

  /// Regions between an opening marker (whose rest of the line, up to `-->`, labels it) and
  /// the closing one, found in one pass over the text's bytes.
  static func regions(_ text: String, open: String, close: String) -> [(
    label: String, body: String
  )] {
    let bytes = Array(text.utf8)
    let (opening, closing, comment) = (Array(open.utf8), Array(close.utf8), Array("-->".utf8))
    var found: [(String, String)] = []
    var at = 0
    while let start = find(opening, in: bytes, from: at) {
      let labelStart = start + opening.count
      guard let labelEnd = find(comment, in: bytes, from: labelStart),
        !bytes[labelStart..<labelEnd].contains(UInt8(ascii: "\n")),
        let end = find(closing, in: bytes, from: labelEnd)
      else {
        at = labelStart
        continue
      }
      let label = String(decoding: bytes[labelStart..<labelEnd], as: UTF8.self)
        .trimmingCharacters(in: .whitespaces)
      found.append((label, String(decoding: bytes[labelEnd..<end], as: UTF8.self)))
      at = end + closing.count
    }
    return found
  }

  /// A Markdown region's units: each table cell, each other line, escapes undone.
  static func markdownUnits(_ text: String) -> [String] {
    var units: [String] = []
    for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if trimmed.hasPrefix("|") {
        var cell = ""
        var escaped = false
        for c in trimmed.dropFirst() {
          if escaped {
            cell.append(c)
            escaped = false
          } else if c == "\\" {
            escaped = true
          } else if c == "|" {
            units.append(cell)
            cell = ""
          } else {
            cell.append(c)
          }
        }
        if !cell.trimmingCharacters(in: .whitespaces).isEmpty { units.append(cell) }
      } else {
        units.append(trimmed.replacingOccurrences(of: "\\", with: ""))
      }
    }
    return units.map { $0.replacingOccurrences(of: "**", with: "") }
  }

  /// The `NAME_files/fig-N.svg` links of a Markdown region.
  static func figureLinks(_ text: String) -> [String] {
    var links: [String] = []
    var rest = Substring(text)
    while let start = rest.range(of: "](") {
      let after = rest[start.upperBound...]
      guard let end = after.firstIndex(of: ")") else { break }
      let link = String(after[..<end])
      if link.hasSuffix(".svg") { links.append(link) }
      rest = after[end...]
    }
    return links
  }

  static func figureNumber(_ link: String) -> Int? {
    guard let range = link.range(of: "fig-", options: .backwards) else { return nil }
    return Int(link[range.upperBound...].prefix { $0.isNumber })
  }

  /// The text of every `<text>` element of an SVG.
  static func svgUnits(_ svg: String) -> [String] {
    elementUnits(Array(svg.utf8)[...], tags: ["text"])
  }

  static func elementUnits(
    _ html: String, tags: [String] = ["td", "th", "caption", "figcaption", "p", "li", "text"]
  ) -> [String] {
    elementUnits(Array(html.utf8)[...], tags: tags)
  }

  /// The text of every table cell, caption, paragraph, list item and SVG `<text>`, inline
  /// tags removed and entities decoded: one pass over the bytes.
  static func elementUnits(
    _ bytes: ArraySlice<UInt8>,
    tags: [String] = ["td", "th", "caption", "figcaption", "p", "li", "text"]
  ) -> [String] {
    let names = tags.map { Array($0.utf8) }
    let lt = UInt8(ascii: "<")
    let gt = UInt8(ascii: ">")
    var units: [String] = []
    var i = bytes.startIndex
    while let open = bytes[i...].firstIndex(of: lt) {
      let nameStart = open + 1
      var nameEnd = nameStart
      while nameEnd < bytes.endIndex,
        (bytes[nameEnd] >= 97 && bytes[nameEnd] <= 122)
          || (bytes[nameEnd] >= 48 && bytes[nameEnd] <= 57)
      {
        nameEnd += 1
      }
      let name = Array(bytes[nameStart..<nameEnd])
      guard names.contains(name), nameEnd < bytes.endIndex,
        bytes[nameEnd] == gt || bytes[nameEnd] == UInt8(ascii: " "),
        let headEnd = bytes[nameEnd...].firstIndex(of: gt)
      else {
        i = nameStart
        continue
      }
      let close = [lt, UInt8(ascii: "/")] + name + [gt]
      let body = headEnd + 1
      // The element's end; a nested element of the list (a <p> in an <li>) is its own unit.
      var k = body
      var nested = false
      var end: Int?
      while let next = bytes[k...].firstIndex(of: lt) {
        if bytes[next...].starts(with: close) {
          end = next
          break
        }
        let inner = Array(
          bytes[(next + 1)...].prefix { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) })
        if names.contains(inner) {
          nested = true
          break
        }
        k = next + 1
      }
      guard let end, !nested else {
        i = body
        continue
      }
      // Only text with an `=` can hold a formula or a name's value.
      if bytes[body..<end].contains(UInt8(ascii: "=")) {
        units.append(unescape(stripTags(String(decoding: bytes[body..<end], as: UTF8.self)[...])))
      }
      i = end + close.count
    }
    return units
  }

  static func stripTags(_ text: Substring) -> String {
    var out = ""
    var inTag = false
    for c in text {
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

  static func unescape(_ text: String) -> String {
    guard text.contains("&") else { return text }
    var out = text
    for (entity, character) in [
      ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&#x27;", "'"),
      ("&nbsp;", " "), ("&amp;", "&"),
    ] {
      out = out.replacingOccurrences(of: entity, with: character)
    }
    return out
  }

  static func joined(_ value: Any?) -> String? {
    if let text = value as? String { return text }
    if let lines = value as? [String] { return lines.joined() }
    return nil
  }

  // MARK: - Formulas in units

  /// A formula in a unit: `lhs = result`.
  struct Candidate {
    var lhs: String
    var result: Interval
    var resultText: String
    var text: String
  }

  /// The `expression = number` pairs of a unit. The expression runs from the unit's start,
  /// or the last `,`, `;` or `:` outside parentheses, to the `=`; the number must end the
  /// unit or be followed by a space or punctuation.
  static func candidates(in unit: String) -> [Candidate] {
    let characters = Array(unit)
    guard characters.count <= 2_000 else { return [] }
    var found: [Candidate] = []
    var segmentStart = 0
    var depth = 0
    var i = 0
    while i < characters.count {
      let c = characters[i]
      if c == "(" { depth += 1 }
      if c == ")" { depth = max(0, depth - 1) }
      if depth == 0, c == "," || c == ";" || c == ":" {
        segmentStart = i + 1
      }
      guard c == "=", depth == 0 else {
        i += 1
        continue
      }
      // The number after the sign.
      var k = i + 1
      while k < characters.count, characters[k].isWhitespace { k += 1 }
      let numberStart = k
      if k < characters.count, characters[k] == "-" || characters[k] == "−" { k += 1 }
      let digitsStart = k
      while k < characters.count,
        characters[k].isASCII && (characters[k].isNumber || characters[k] == ".")
      {
        k += 1
      }
      if k < characters.count, characters[k] == "e", k + 1 < characters.count {
        var e = k + 1
        if characters[e] == "-" || characters[e] == "+" { e += 1 }
        let exponentStart = e
        while e < characters.count, characters[e].isASCII, characters[e].isNumber { e += 1 }
        if e > exponentStart { k = e }
      }
      let ends =
        k == characters.count || characters[k].isWhitespace || ",;:)]".contains(characters[k])
        || (characters[k] == "." && (k + 1 == characters.count || characters[k + 1].isWhitespace))
      let lhs = String(characters[segmentStart..<i]).trimmingCharacters(in: .whitespaces)
        .replacingOccurrences(of: "\u{00A0}", with: " ")
      if k > digitsStart, ends, !lhs.isEmpty,
        let result = try? Evaluator().evaluate(String(characters[numberStart..<k]))
      {
        found.append(
          Candidate(
            lhs: lhs, result: result, resultText: String(characters[numberStart..<k]),
            text: lhs + " = " + String(characters[numberStart..<k])))
      }
      segmentStart = k
      i = max(k, i + 1)
    }
    return found
  }

  /// Audits a group of units that share their names.
  static func audit(_ units: [String], at place: Place) -> Report {
    let all = units.flatMap(candidates(in:))
    // Plain definitions (`w1 = 0.8`) are the names the others may use.
    var names: [String: Interval] = [:]
    for candidate in all where !Evaluator.isCompound(candidate.lhs) {
      if let tokens = try? Tokenizer.tokens(candidate.lhs), tokens.count == 1,
        case .name(let name) = tokens[0]
      {
        names[name] = names[name] == nil ? candidate.result : names[name]
      }
    }
    let evaluator = Evaluator(names: names)
    var report = Report()
    for candidate in all where Evaluator.isCompound(candidate.lhs) {
      do {
        let value = try evaluator.evaluate(candidate.lhs)
        report.checked += 1
        if !value.meets(candidate.result) {
          report.findings.append(
            Finding(
              file: place.file, block: place.block, occurrence: place.occurrence,
              figure: place.figure, text: candidate.text, printed: candidate.result.middle,
              evaluated: value.middle))
        }
      } catch .unknownName {
        report.unresolved += 1
        if report.unresolvedSamples.count < 20 { report.unresolvedSamples.append(candidate.text) }
      } catch {
        continue
      }
    }
    return report
  }
}
