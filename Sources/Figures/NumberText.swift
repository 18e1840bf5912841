import Foundation

/// The one number formatter. Every number in a handout, a table or a figure label is
/// written here, so all of them show the same digits on every run and machine.
public enum NumberText {
  /// Fixed decimals with no negative zero: `-0.26082` at 3 → `-0.261`, `-0.0001` at 3 → `0.000`.
  public static func fixed(_ value: Double, decimals: Int) -> String {
    guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "∞" : "-∞") }
    let digits = max(0, min(12, decimals))
    var text = String(format: "%.\(digits)f", value)
    if text.hasPrefix("-"), text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) {
      text.removeFirst()
    }
    return text
  }

  /// Fixed decimals without trailing zeros: how an author writes a value (0.9, -0.3, 1).
  public static func trimmed(_ value: Double, decimals: Int) -> String {
    var text = fixed(value, decimals: decimals)
    if text.contains(".") {
      while text.hasSuffix("0") { text.removeLast() }
      if text.hasSuffix(".") { text.removeLast() }
    }
    return text == "-0" ? "0" : text
  }

  /// Fixed decimals, or two significant digits in scientific notation for a non-zero value
  /// that fixed decimals would show as zero (`8.0e-07`).
  public static func measured(_ value: Double, decimals: Int) -> String {
    var threshold = 0.5
    for _ in 0..<max(0, decimals) { threshold /= 10 }
    guard value != 0, abs(value) < threshold, value.isFinite else {
      return fixed(value, decimals: decimals)
    }
    return String(format: "%.1e", value)
  }

  /// A number as an author writes it, with every digit it needs and no trailing zeros:
  /// `42`, `0.9`, `-0.3`, `1e-05`.
  public static func plain(_ value: Double) -> String {
    guard value.isFinite else { return fixed(value, decimals: 0) }
    if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
    return String(value)
  }

  /// Significant digits (`%.4g`), no negative zero: progress lines, descriptions.
  public static func significant(_ value: Double, digits: Int) -> String {
    guard value.isFinite else { return fixed(value, decimals: 0) }
    var text = String(format: "%.\(max(1, min(17, digits)))g", value)
    if text.hasPrefix("-"), Double(text) == 0 { text.removeFirst() }
    return text
  }

  /// A value for a figure's description: a whole number as such, else four significant
  /// digits; `n/a` when it is not finite.
  public static func short(_ value: Double) -> String {
    guard value.isFinite else { return "n/a" }
    if value == value.rounded(), abs(value) < 1e9 { return String(Int(value)) }
    return significant(value, digits: 4)
  }
}
