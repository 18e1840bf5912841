import Foundation
import Notebook
import Runner

/// Completion, help and "is it complete?" for the directive language, from the same
/// option declarations that write `docs/directives.md` (``OptionCatalog``).
extension KernelSession {
  /// A completion: the matches, and the range of the cell they replace (in Unicode
  /// scalars, as Jupyter counts a cursor).
  public struct Completion: Equatable, Sendable {
    public var matches: [String]
    public var start: Int
    public var end: Int

    public init(matches: [String], start: Int, end: Int) {
      self.matches = matches
      self.start = start
      self.end = end
    }
  }

  /// What the cursor stands in.
  enum Place: Equatable {
    /// The directive's name at the start of a block (a fence's info, or a fenceless cell's
    /// first line).
    case directive
    /// The name after the directive (`forward h|`).
    case blockName
    /// An option's key inside a block of this kind.
    case optionKey(DirectiveKind)
    /// An option's value.
    case optionValue(DirectiveKind, key: String)
    /// Prose, or an `expect` line: value names.
    case text
  }

  /// Completes the word before `cursor`: directive names, option names, the words an
  /// option's value chooses from, and the names (and `name.quantity`) defined so far.
  public func complete(_ code: String, cursor: Int) -> Completion {
    let scalars = Array(code.unicodeScalars)
    let at = min(max(0, cursor), scalars.count)
    var start = at
    func isWord(_ s: Unicode.Scalar) -> Bool {
      s.properties.isAlphabetic || ("0"..."9").contains(s) || s == "_" || s == "."
    }
    while start > 0, isWord(scalars[start - 1]) { start -= 1 }
    let word = String(String.UnicodeScalarView(scalars[start..<at]))
    var candidates: [String]
    switch Self.place(in: scalars, at: start) {
    case .directive:
      candidates = OptionCatalog.directives.map(\.name)
    case .blockName:
      candidates = names
    case .optionKey(let kind):
      var seen = Set<String>()
      candidates = OptionCatalog.options(of: kind).map { $0.name + ": " }.filter {
        seen.insert($0).inserted
      }
    case .optionValue(let kind, let key):
      let entry = OptionCatalog.options(of: kind).first { $0.name == key }
      candidates = (entry?.words ?? []) + names
    case .text:
      candidates = names
    }
    if let dot = word.lastIndex(of: ".") {
      let owner = String(word[..<dot])
      candidates = quantities(of: owner).map { owner + "." + $0 }
    }
    var seen = Set<String>()
    let matches = candidates.filter { $0.hasPrefix(word) && seen.insert($0).inserted }
    return Completion(matches: matches, start: start, end: at)
  }

  /// The documentation of what the cursor is on, as Markdown: a directive's summary and
  /// options, an option's row of the reference, or the quantities a name holds.
  public func inspect(_ code: String, cursor: Int) -> String? {
    let scalars = Array(code.unicodeScalars)
    let at = min(max(0, cursor), scalars.count)
    func isWord(_ s: Unicode.Scalar) -> Bool {
      s.properties.isAlphabetic || ("0"..."9").contains(s) || s == "_"
    }
    var start = at
    while start > 0, isWord(scalars[start - 1]) { start -= 1 }
    var end = at
    while end < scalars.count, isWord(scalars[end]) { end += 1 }
    let word = String(String.UnicodeScalarView(scalars[start..<end]))
    guard !word.isEmpty else { return nil }
    switch Self.place(in: scalars, at: start) {
    case .directive:
      return DirectiveKind(rawValue: word).map(OptionCatalog.markdown(of:))
    case .optionKey(let kind), .optionValue(let kind, _):
      if let entry = OptionCatalog.options(of: kind).first(where: { $0.name == word }) {
        return entry.markdown
      }
      return describeName(word)
    case .blockName, .text:
      return describeName(word)
    }
  }

  private func describeName(_ name: String) -> String? {
    let quantities = quantities(of: name)
    guard names.contains(name) || !quantities.isEmpty else { return nil }
    if quantities.isEmpty { return "**`\(name)`** is defined above.\n" }
    let shown = quantities.prefix(40).map { "`\(name).\($0)`" }.joined(separator: ", ")
    return
      "**`\(name)`** holds \(quantities.count) value\(quantities.count == 1 ? "" : "s"): \(shown)\(quantities.count > 40 ? ", …" : "").\n"
  }

  /// `complete` when the cell can run as it stands; `incomplete` while a fence or a front
  /// matter is open, or a fenceless block has no blank line after it yet (for
  /// `jupyter console`, where Enter then adds a line).
  public func isComplete(_ code: String) -> String {
    let lines = code.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if lines.first?.trimmingCharacters(in: .whitespaces) == "---" {
      return lines.dropFirst().contains { $0.trimmingCharacters(in: .whitespaces) == "---" }
        ? "complete" : "incomplete"
    }
    var open: String?
    for line in lines {
      let trimmed = line.drop { $0 == " " }
      let marker = trimmed.prefix { $0 == "`" || $0 == "~" }
      guard marker.count >= 3, Set(marker).count == 1 else { continue }
      if let fence = open {
        if marker.count >= fence.count, marker.first == fence.first,
          trimmed.dropFirst(marker.count).allSatisfy(\.isWhitespace)
        {
          open = nil
        }
      } else {
        open = String(marker)
      }
    }
    if open != nil { return "incomplete" }
    if let first = lines.first, let word = first.split(separator: " ").first,
      DirectiveKind(rawValue: String(word)) != nil, lines.last?.isEmpty == false
    {
      return "incomplete"
    }
    return "complete"
  }

  /// What the text before `offset` makes of the word there.
  static func place(in scalars: [Unicode.Scalar], at offset: Int) -> Place {
    let text = String(String.UnicodeScalarView(scalars[..<offset]))
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    let current = String(lines.last ?? "")
    let before = lines.dropLast()
    // The block the line is in: the last fence opened above and not closed, or a
    // fenceless cell's first line.
    var header: Substring?
    var inFence = false
    for line in before {
      let trimmed = line.drop { $0 == " " }
      if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
        inFence.toggle()
        header = inFence ? trimmed.drop { $0 == "`" || $0 == "~" } : nil
      }
    }
    let trimmedCurrent = current.drop { $0 == " " }
    let fenceOpening = trimmedCurrent.hasPrefix("```") || trimmedCurrent.hasPrefix("~~~")
    if fenceOpening && !inFence || before.isEmpty {
      let info = fenceOpening ? trimmedCurrent.drop { $0 == "`" || $0 == "~" } : trimmedCurrent
      let words = info.split(separator: " ", omittingEmptySubsequences: false)
      if words.count <= 1 { return .directive }
      if words.count == 2 { return .blockName }
      return .text
    }
    if !inFence, let first = before.first, let word = first.split(separator: " ").first,
      DirectiveKind(rawValue: String(word)) != nil
    {
      header = first[...]
    }
    guard let header, let name = header.split(separator: " ").first,
      let kind = DirectiveKind(rawValue: String(name))
    else { return .text }
    if kind == .expect { return .text }
    if let colon = current.firstIndex(of: ":") {
      let key = current[..<colon].trimmingCharacters(in: .whitespaces)
      return .optionValue(kind, key: key)
    }
    if current.first == " " { return .text }
    return .optionKey(kind)
  }
}
