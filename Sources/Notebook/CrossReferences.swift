/// Numbered cross-references, in Quarto's syntax: a figure, table or display equation is
/// labelled (`label: fig-surface` on a directive, `$$ … $$ {#eq-chain}` after display
/// math) and prose refers to it as `@fig-surface`, `@tbl-forward`, `@eq-chain`; handouts
/// write "Figure 3", "Table 2", "Equation (1)".
public enum CrossReference {
  /// What a label names, by its prefix.
  public enum Kind: String, Sendable, CaseIterable {
    case figure = "fig"
    case table = "tbl"
    case equation = "eq"

    /// The word a reference is written as: "Figure", "Table", "Equation".
    public var word: String {
      switch self {
      case .figure: "Figure"
      case .table: "Table"
      case .equation: "Equation"
      }
    }
  }

  /// The kind a label's prefix names (`fig-`, `tbl-`, `eq-`), or `nil` for a plain anchor.
  public static func kind(of label: String) -> Kind? {
    Kind.allCases.first {
      label.hasPrefix($0.rawValue + "-") && label.utf8.count > $0.rawValue.utf8.count + 1
    }
  }

  /// A reference in prose: `@fig-surface`.
  public struct Use: Hashable, Sendable {
    public var label: String
    public var kind: Kind
    /// UTF-8 offsets of `@` to past the label within the line.
    public var range: Range<Int>
    public var location: SourceLocation
    /// The reference as written, `@` included.
    public var text: String { "@" + label }

    /// The same reference `columns` bytes further right on its line.
    func shifted(by columns: Int) -> Use {
      var copy = self
      copy.range = (range.lowerBound + columns)..<(range.upperBound + columns)
      copy.location.column += columns
      return copy
    }
  }

  /// A display equation's label: `{#eq-chain}` right after the closing `$$` or `\]`.
  public struct EquationLabel: Hashable, Sendable {
    public var label: String
    /// The index of the equation's span in ``Document/math``.
    public var span: Int
    /// Where `{` stands; the label runs from there to past `}`.
    public var location: SourceLocation
    /// UTF-8 offsets, within the line, of the spaces before `{` to past `}`.
    public var range: Range<Int>
    /// UTF-8 offset, within the line, of the closing delimiter (where `\tag{…}` goes).
    public var closing: Int
  }

  /// The references on one line of prose, outside code spans, HTML comments and
  /// backslash escapes (math is the caller's to exclude). `@` counts only where no
  /// letter, digit or `.`/`_`/`-`/`+` precedes it, so an e-mail address is not a reference;
  /// a trailing `-` or `_` is not part of the label.
  public static func uses(in text: String, line: Int) -> [Use] {
    let bytes = Array(text.utf8)
    var found: [Use] = []
    var i = 0
    var skipper = ProseSkipper()
    while i < bytes.count {
      let c = bytes[i]
      if skipper.skip(bytes, at: &i) { continue }
      guard c == UInt8(ascii: "@"),
        i == 0 || !isLabelByte(bytes[i - 1]) && bytes[i - 1] != UInt8(ascii: "+")
      else {
        i += 1
        continue
      }
      var end = i + 1
      while end < bytes.count, isLabelByte(bytes[end]), bytes[end] != UInt8(ascii: ".") { end += 1 }
      while end > i + 1, bytes[end - 1] == UInt8(ascii: "-") || bytes[end - 1] == UInt8(ascii: "_")
      {
        end -= 1
      }
      let label = String(decoding: bytes[(i + 1)..<end], as: UTF8.self)
      if let kind = kind(of: label) {
        found.append(
          Use(
            label: label, kind: kind, range: i..<end,
            location: SourceLocation(line: line, column: i + 1)))
      }
      i = max(end, i + 1)
    }
    return found
  }

  /// Letters, digits and `.`, `_`, `-`: what an e-mail's name or a label is made of.
  private static func isLabelByte(_ c: UInt8) -> Bool {
    (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z"))
      || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
      || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "_")
      || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") || c >= 0x80
  }
}

extension Document {
  /// The display equations labelled `{#eq-…}`, in order.
  public var equationLabels: [CrossReference.EquationLabel] {
    var labels: [CrossReference.EquationLabel] = []
    for (index, span) in math.enumerated() where span.display {
      let texLines = span.tex.split(separator: "\n", omittingEmptySubsequences: false)
      let endLine = span.start.line + texLines.count - 1
      guard lines.indices.contains(endLine - 1) else { continue }
      // The offset, within the last line, of the closing delimiter.
      let closing =
        (texLines.count == 1 ? span.start.column - 1 + span.delimiterLength : 0)
        + (texLines.last?.utf8.count ?? 0)
      let bytes = Array(lines[endLine - 1].utf8)
      guard closing + span.delimiterLength <= bytes.count else { continue }
      var k = closing + span.delimiterLength
      while k < bytes.count, bytes[k] == UInt8(ascii: " ") || bytes[k] == UInt8(ascii: "\t") {
        k += 1
      }
      let open = k
      guard bytes[k...].starts(with: Array("{#".utf8)) else { continue }
      k += 2
      let nameStart = k
      while k < bytes.count, bytes[k] != UInt8(ascii: "}"), bytes[k] != UInt8(ascii: " ") { k += 1 }
      guard k < bytes.count, bytes[k] == UInt8(ascii: "}") else { continue }
      let label = String(decoding: bytes[nameStart..<k], as: UTF8.self)
      guard CrossReference.kind(of: label) == .equation else { continue }
      labels.append(
        CrossReference.EquationLabel(
          label: label, span: index, location: SourceLocation(line: endLine, column: open + 1),
          range: (closing + span.delimiterLength)..<(k + 1), closing: closing))
    }
    return labels
  }
}
