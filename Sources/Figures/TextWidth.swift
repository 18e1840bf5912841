/// The width text takes in Helvetica or Arial (the figures' font), from the fonts'
/// advance widths in thousandths of an em: enough to size legend boxes and keep labels
/// apart without a browser. Characters outside the table count as wide (0.6 em), so an
/// estimate errs on the roomy side.
public enum TextWidth {
  public static func of(_ text: String, size: Double) -> Double {
    var thousandths = 0
    // A marked value's key (between U+E003 and U+E004) is never shown: it takes no room.
    var inKey = false
    for scalar in text.unicodeScalars {
      switch scalar.value {
      case 0xE003: inKey = true
      case 0xE004: inKey = false
      case 0xE000...0xE0FF: break
      default: if !inKey { thousandths += advance(scalar) }
      }
    }
    // Where Helvetica and Arial are missing, browsers fall back to wider faces (DejaVu
    // Sans is about 12 % wider): the estimate allows for them.
    return Double(thousandths) * size * 1.12 / 1000
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
