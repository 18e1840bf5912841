/// The size of formula KaTeX is asked to check. KaTeX's parser is recursive and, in
/// duktape, takes time that grows with the square of a fraction's nesting (1,600 nested
/// `\frac` took 9 s): a formula past these limits is a located error, so no one formula
/// holds a run past its budget (the budget is checked between formulas).
public enum TeXLimits {
  /// The deepest nesting of braces: a lecture's formulas nest a few levels.
  public static let depth = 100
  /// The longest formula, in bytes (the course's longest is under 400).
  public static let length = 20_000

  /// Why a formula is too large to check, or `nil` when it is within the limits.
  public static func excess(in tex: [UInt8]) -> String? {
    if tex.count > length {
      return
        "this formula is \(tex.count) bytes long; nbrun checks formulas of up to \(length) bytes"
    }
    var depth = 0
    var deepest = 0
    var k = 0
    while k < tex.count {
      switch tex[k] {
      case UInt8(ascii: "\\"): k += 1  // `\{` and `\}` are braces as text, not groups
      case UInt8(ascii: "{"):
        depth += 1
        deepest = max(deepest, depth)
      case UInt8(ascii: "}"): depth -= 1
      default: break
      }
      k += 1
    }
    guard deepest > Self.depth else { return nil }
    return
      "this formula nests braces \(deepest) deep; nbrun checks formulas nested up to \(Self.depth) deep"
  }
}
