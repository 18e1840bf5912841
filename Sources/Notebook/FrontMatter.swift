import Spelling
import Yams

/// The optional YAML block at the top of a notebook, between `---` lines: defaults for
/// the whole document.
public struct FrontMatter: Hashable, Sendable {
  public var title: String?
  public var author: String?
  public var course: String?
  public var date: String?
  /// Seeds every random draw that a block does not seed itself.
  public var seed: UInt64 = 0
  /// Decimals shown for numbers, unless a block says otherwise.
  public var precision: Int = 4
  public var notation: Notation = .unit
  /// The symbol the lecture writes for the learning rate (`η`, or the deck's `ε`).
  public var rateSymbol = "η"
  /// Whether the handout shows the author's expectation tables (the review build).
  public var review = false
  /// The paper a PDF is printed on (`--to pdf`; the HTML handout's print stylesheet too).
  public var paper: Paper?
  /// Where the notebook stands in its course (the index page, previous/next links).
  public var order: Double?
  /// The line the course index shows under the title.
  public var summary: String?
  /// The lines the front matter occupies (including its `---` fences), if any.
  public var lines: ClosedRange<Int>?

  public init() {}

  /// The keys a front matter may have, with what each does: the source of README's table.
  public static let keys: [(name: String, summary: String)] = [
    ("title", "the handout's title (HTML `<title>` and heading)"),
    ("author", "shown under the title"),
    ("course", "shown under the title"),
    ("date", "shown under the title"),
    (
      "seed",
      "default seed for every random draw (initial weights, shuffling, generated data); default 0"
    ),
    ("precision", "decimals shown for computed numbers; default 4"),
    (
      "notation",
      "`unit` (I_j, O_j, Err_j, w_ij, θ_j; the default) or `layer` (z⁽ˡ⁾, a⁽ˡ⁾, δ⁽ˡ⁾, W⁽ˡ⁾, b⁽ˡ⁾)"
    ),
    (
      "rate_symbol",
      "the symbol the lecture writes for the learning rate, in tables, legends and captions: `η` (the default), `ε`, `α` or `lr`"
    ),
    (
      "review",
      "`true` shows the expectation tables in the handout, as `--review` does; default `false`"
    ),
    (
      "paper",
      "`a4` or `letter`: the PDF's paper (`--to pdf`) and the HTML's printed page; PDFs default to A4"
    ),
    (
      "order",
      "a number placing the notebook in its course (index page, previous/next links); default: the command line's order"
    ),
    (
      "summary",
      "the line the course index shows under the title; default: the first sentence of the prose"
    ),
  ]
}

/// The paper sizes a handout prints on.
public enum Paper: String, Hashable, Sendable, CaseIterable {
  case a4, letter

  /// The CSS `@page` size.
  public var css: String { self == .a4 ? "A4" : "letter" }
}

/// How tables name the quantities of a network.
public enum Notation: String, Hashable, Sendable, CaseIterable {
  /// Han & Kamber's: units numbered 1…n, net input I_j, output O_j, error Err_j,
  /// weights w_ij, biases θ_j.
  case unit
  /// The layer-matrix style: z⁽ˡ⁾, a⁽ˡ⁾, δ⁽ˡ⁾, W⁽ˡ⁾, b⁽ˡ⁾.
  case layer
}

extension FrontMatter {
  /// Reads the front matter at the start of `lines`: a YAML mapping between a first line
  /// `---` and the next `---` (or `...`). Anything else at the top is Markdown (a rule, a
  /// slide-style separator); a top block that looks like front matter but is not a
  /// mapping is kept as Markdown with a warning, never dropped.
  static func read(lines: [String], path: String, diagnostics: inout [Diagnostic]) -> FrontMatter {
    var matter = FrontMatter()
    guard lines.first?.trimmingTrailingSpaces == "---" else { return matter }
    guard
      let end = lines.indices.dropFirst().first(where: {
        lines[$0].trimmingTrailingSpaces == "---" || lines[$0].trimmingTrailingSpaces == "..."
      })
    else { return matter }
    let yaml = lines[1..<end].joined(separator: "\n")
    let node: Node?
    do {
      node = try Yams.compose(yaml: yaml)
    } catch {
      node = nil
    }
    guard let mapping = node?.mapping else {
      diagnostics.append(
        Diagnostic(
          .warning, path: path, location: SourceLocation(line: 1, column: 1),
          message:
            "lines 1–\(end + 1) are not a YAML mapping, so they are read as Markdown, not as front matter",
          hint: "front matter is 'key: value' lines between '---' lines at the very top",
          sourceLine: lines[0], length: 3))
      return matter
    }
    matter.lines = 1...(end + 1)
    for (keyNode, valueNode) in mapping {
      guard let key = keyNode.string else { continue }
      // Yams marks are 1-based within the YAML, which starts on the file's second line.
      let yamlLine = keyNode.mark?.line ?? 1
      let location = SourceLocation(line: yamlLine + 1, column: keyNode.mark?.column ?? 1)
      let sourceLine = lines.indices.contains(yamlLine) ? String(lines[yamlLine]) : nil
      func complain(_ message: String, hint: String? = nil) {
        diagnostics.append(
          Diagnostic(
            path: path, location: location, message: message, hint: hint, sourceLine: sourceLine,
            length: key.count))
      }
      let value = valueNode.string ?? ""
      switch key {
      case "title": matter.title = value
      case "author": matter.author = value
      case "course": matter.course = value
      case "date": matter.date = value
      case "seed":
        if let seed = UInt64(value) {
          matter.seed = seed
        } else {
          complain("seed must be a whole number ≥ 0, not '\(value)'")
        }
      case "precision":
        if let digits = Int(value), (0...12).contains(digits) {
          matter.precision = digits
        } else {
          complain("precision must be a whole number of decimals from 0 to 12, not '\(value)'")
        }
      case "notation":
        if let notation = Notation(rawValue: value) {
          matter.notation = notation
        } else {
          complain("notation must be 'unit' or 'layer', not '\(value)'")
        }
      case "rate_symbol":
        if ["η", "ε", "α", "lr"].contains(value) {
          matter.rateSymbol = value
        } else {
          complain("rate_symbol must be η, ε, α or lr, not '\(value)'")
        }
      case "review":
        switch value.lowercased() {
        case "true", "yes", "on": matter.review = true
        case "false", "no", "off": matter.review = false
        default: complain("review must be true or false, not '\(value)'")
        }
      case "paper":
        if let paper = Paper(rawValue: value.lowercased()) {
          matter.paper = paper
        } else {
          complain("paper must be 'a4' or 'letter', not '\(value)'")
        }
      case "order":
        if let order = Double(value), order.isFinite {
          matter.order = order
        } else {
          complain("order must be a number (1, 2, 2.5 …), not '\(value)'")
        }
      case "summary": matter.summary = value
      default:
        let suggestion = closestName(to: key, among: keys.map(\.name))
        diagnostics.append(
          Diagnostic(
            .warning, path: path, location: location,
            message: "unknown front matter key '\(key)' is ignored",
            hint: suggestion.map { "did you mean '\($0)'?" }, sourceLine: sourceLine,
            length: key.count))
      }
    }
    return matter
  }
}

extension StringProtocol {
  var trimmingTrailingSpaces: SubSequence {
    var end = endIndex
    while end > startIndex, self[index(before: end)].isWhitespace { end = index(before: end) }
    return self[startIndex..<end]
  }
}
