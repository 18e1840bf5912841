/// A CommonMark block as Swift values: cmark's whole tree, inlines included, converted once
/// from the notebook's one parse, as the sequence of its nodes' entries and exits (the
/// order cmark's own iterator gives). A flat sequence, not nested values, so that no walk
/// over it recurses, however deep the author nests quotes, lists or emphasis. Math is a
/// node of its own (``MarkdownLeaf/math(index:label:)``); every format is a walk over
/// these values (the HTML writer reproduces cmark's own HTML).
public enum MarkdownEvent: Hashable, Sendable {
  case enter(MarkdownContainer)
  case exit(MarkdownContainer)
  case leaf(MarkdownLeaf)
}

/// A node with children.
public enum MarkdownContainer: Hashable, Sendable {
  case paragraph
  case heading(level: Int)
  case blockQuote
  case list(MarkdownList)
  case item
  case emphasis
  case strong
  case link(destination: String, title: String)
  case image(destination: String, title: String)
}

/// How a list is numbered and spaced.
public struct MarkdownList: Hashable, Sendable {
  public var ordered: Bool
  /// The first number of an ordered list.
  public var start: Int
  /// A tight list's paragraphs are written without `<p>`.
  public var tight: Bool
}

/// A node without children.
public enum MarkdownLeaf: Hashable, Sendable {
  /// Text, as cmark decoded it (escapes and entities resolved); `at` is where it stands in
  /// the source when cmark's position is exact (its literal is the source's bytes), so
  /// what is recognised in it (a `{{ }}`, an `@fig-` reference) can be located.
  case text(String, at: SourceLocation?)
  case softBreak
  case lineBreak
  case code(String)
  case html(String)
  /// A `{{ … }}` in the text, where it stands (boxed: a tree's leaves stay small).
  indirect case placeholder(Placeholder)
  /// An `@fig-…`, `@tbl-…` or `@eq-…` in the text.
  indirect case reference(CrossReference.Use)
  /// A fenced or indented code block: its full info string and its content.
  case codeBlock(info: String, literal: String)
  /// An HTML block and the line it starts on.
  case htmlBlock(String, line: Int)
  case thematicBreak
  /// A math span: its index in ``Document/math``, and the `{#eq-…}` label after it.
  case math(index: Int, label: String?)
}

extension Array where Element == MarkdownEvent {
  /// The text a reader sees (a heading's, for tables of contents): text and code literals,
  /// line breaks as spaces.
  public var plainText: String {
    var text = ""
    for case .leaf(let leaf) in self {
      switch leaf {
      case .text(let literal, _), .code(let literal): text += literal
      case .placeholder(let placeholder): text += placeholder.text
      case .reference(let use): text += use.text
      case .softBreak, .lineBreak: text += " "
      default: break
      }
    }
    return text
  }
}
