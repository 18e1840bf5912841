/// A top-level block of a CommonMark document, as cmark parsed it, with its place in the
/// source so the author's own text can be sliced out byte for byte.
public struct MarkdownBlock: Hashable, Sendable {
  public enum Kind: Hashable, Sendable {
    case heading(level: Int)
    case paragraph
    /// A fenced or indented code block: its full info string and its content.
    case codeBlock(info: String, literal: String, fenced: Bool)
    case htmlBlock
    case blockQuote
    case list
    case thematicBreak
    /// A block kind cmark may add (custom blocks).
    case other(String)
  }

  public var kind: Kind
  public var range: SourceRange
  /// The block's whole tree, inlines and math included, from the one parse of the whole
  /// notebook (so reference links resolve across it).
  public var tree: [MarkdownEvent]

  /// The plain text of a heading (for tables of contents); empty otherwise.
  public var headingText: String {
    if case .heading = kind { tree.plainText } else { "" }
  }
}
