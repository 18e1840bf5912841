import Notebook

/// References to named results: `hk.O6`, `g.dJ/da`, `fit.loss@100`; and the `{{ … }}`
/// placeholders prose uses to quote them.
public enum References {
  /// The value of `name.key`, or `nil`.
  public static func lookup(_ reference: String, in values: [String: [String: Value]]) -> Value? {
    guard let dot = reference.firstIndex(of: ".") else { return nil }
    let name = String(reference[..<dot])
    let key = String(reference[reference.index(after: dot)...])
    return values[name]?[key]
  }

  /// A placeholder in prose: `{{ hk.O6 }}` or `{{ hk.O6 | 3 }}` (three decimals).
  public struct Placeholder: Hashable, Sendable {
    /// UTF-8 offsets of `{{` to past `}}` within the line.
    public var range: Range<Int>
    public var reference: String
    public var decimals: Int?
    public var line: Int
    public var column: Int
  }

  /// The placeholders on one line of prose.
  public static func placeholders(in text: String, line: Int) -> [Placeholder] {
    let bytes = Array(text.utf8)
    var found: [Placeholder] = []
    var i = 0
    while i + 1 < bytes.count {
      guard bytes[i] == UInt8(ascii: "{"), bytes[i + 1] == UInt8(ascii: "{") else {
        i += 1
        continue
      }
      var k = i + 2
      while k + 1 < bytes.count,
        !(bytes[k] == UInt8(ascii: "}") && bytes[k + 1] == UInt8(ascii: "}"))
      {
        k += 1
      }
      guard k + 1 < bytes.count else { break }
      let inside = String(decoding: bytes[(i + 2)..<k], as: UTF8.self)
      let parts = inside.split(separator: "|", maxSplits: 1).map { String($0).trimmed }
      if let reference = parts.first, !reference.isEmpty {
        found.append(
          Placeholder(
            range: i..<(k + 2), reference: reference,
            decimals: parts.count > 1 ? Int(parts[1]) : nil, line: line, column: i + 1))
      }
      i = k + 2
    }
    return found
  }
}
