import NeuralEngine
import Notebook

/// The directive language as data, from the same declarations that write
/// `docs/directives.md`: what the Jupyter kernel completes and explains.
public enum OptionCatalog {
  /// One option as the reference states it.
  public struct Entry: Equatable, Sendable {
    public var name: String
    public var takes: String
    public var defaultText: String?
    public var summary: String
    public var example: String
    public var repeatable: Bool
    /// The words its value chooses from (`adam`, `relu`, `half_sse`), for completion.
    public var words: [String]
    /// Whether every directive takes it (`caption`, `precision`, …).
    public var isCommon: Bool

    /// The reference's row as Markdown: what `inspect_request` shows.
    public var markdown: String {
      var text = "**`\(name)`**\(repeatable ? " (repeatable)" : "") — \(summary).\n\n"
      text += "Takes \(takes)."
      if let defaultText { text += " Default: \(defaultText.isEmpty ? "none" : defaultText)." }
      text += "\n\nExample: `\(example.split(separator: "\n").joined(separator: " ⏎ "))`\n"
      return text
    }
  }

  /// Every directive's name and what it does.
  public static var directives: [(name: String, summary: String)] {
    DirectiveKind.allCases.map { ($0.rawValue, DirectiveRegistry.type(of: $0).summary) }
  }

  /// The directive's own options, then those every directive takes.
  public static func options(of kind: DirectiveKind) -> [Entry] {
    DirectiveRegistry.type(of: kind).catalog + entries(CommonOptions.self, common: true)
  }

  /// A directive's reference section as Markdown: its summary and options.
  public static func markdown(of kind: DirectiveKind) -> String {
    let type = DirectiveRegistry.type(of: kind)
    var text =
      "**`\(kind.rawValue)`** — \(type.summary). The name after it is \(type.syntax.nameRole).\n\n"
    text += "Options: " + type.catalog.map { "`\($0.name)`" }.joined(separator: ", ") + ".\n\n"
    text += "Stored values: \(type.storedValues).\n"
    return text
  }

  static func entries<T: DeclaredOptions>(_ type: T.Type, common: Bool = false) -> [Entry] {
    let defaults = T.defaults
    return T.fields.map { field in
      Entry(
        name: field.name, takes: field.takes, defaultText: field.defaultText(defaults),
        summary: field.summary, example: field.example, repeatable: field.repeatable,
        words: words(field.name, takes: field.takes), isCommon: common)
    }
  }

  /// The words a value chooses from: those the reference quotes in `takes`, and the
  /// activations where a layer or an activation is asked for.
  static func words(_ name: String, takes: String) -> [String] {
    var found: [String] = []
    var rest = takes[...]
    while let open = rest.firstIndex(of: "`") {
      let after = rest[rest.index(after: open)...]
      guard let close = after.firstIndex(of: "`") else { break }
      let word = String(after[..<close])
      if word.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), !found.contains(word) {
        found.append(word)
      }
      rest = after[after.index(after: close)...]
    }
    if name == "layer" || name == "activation" || takes.contains("activation") {
      for word in Activation.knownNames where !found.contains(word) { found.append(word) }
    }
    return found
  }
}

extension Directive {
  static var catalog: [OptionCatalog.Entry] { OptionCatalog.entries(Self.self) }
}
