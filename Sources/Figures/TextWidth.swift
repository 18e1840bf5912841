/// The width text takes in Helvetica or Arial (the figures' font), from the fonts'
/// advance widths in thousandths of an em: enough to size legend boxes and keep labels
/// apart without a browser. Characters outside the table count as wide (0.6 em), so an
/// estimate errs on the roomy side.
public enum TextWidth {
  public static func of(_ text: String, size: Double) -> Double {
    var thousandths = 0
    for scalar in text.unicodeScalars { thousandths += advance(scalar) }
    return Double(thousandths) * size / 1000
  }

  static func advance(_ scalar: Unicode.Scalar) -> Int {
    switch scalar {
    case "i", "j", "l", "'", "|", "!", ".", ",", ":", ";": return 240
    case " ", "f", "t", "I", "/", "(", ")", "[", "]", "-", "\u{2212}": return 300
    case "r", "\"", "*": return 350
    case "c", "k", "s", "v", "x", "y", "z", "J": return 510
    case "0"..."9", "a", "b", "d", "e", "g", "h", "n", "o", "p", "q", "u", "L", "_", "?", "+", "=",
      "<", ">", "±", "≈", "$", "#":
      return 560
    case "F", "T", "Z", "S", "P", "E", "K", "X", "Y", "V", "A", "B", "→", "×", "≤", "≥":
      return 670
    case "C", "D", "H", "N", "R", "U", "G", "O", "Q", "&": return 730
    case "m", "M", "w", "%": return 840
    case "W", "@": return 950
    default: return scalar.value < 0x80 ? 560 : 620
    }
  }
}
