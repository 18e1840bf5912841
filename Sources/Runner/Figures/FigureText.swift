import Notebook

/// Text in a figure that shows a named value (a unit's output `hk.O4` in a network
/// diagram, a node's value in a computation graph): marked with its key, so each build
/// can blank it where the student build blanks that value, in the SVG's text and titles
/// alike. The marks are private-use characters that never reach a written file.
public enum FigureText {
  public static let open: Unicode.Scalar = "\u{E003}"
  public static let separator: Unicode.Scalar = "\u{E004}"
  public static let close: Unicode.Scalar = "\u{E005}"

  /// `text`, marked as showing `key`.
  public static func keyed(_ key: ValueKey, _ text: String) -> String {
    "\(open)\(key)\(separator)\(text)\(close)"
  }

  /// The text with every marked value resolved: `replace(key, text)` gives what is shown.
  /// One pass over the text; a text without marks is returned as it is.
  public static func resolve(_ text: String, _ replace: (ValueKey?, String) -> String) -> String {
    // The marks are three-byte UTF-8 sequences (EE 80 83/84/85): plain text between them
    // is copied byte for byte, so a figure's long data (a PNG's base64) costs a scan.
    let bytes = Array(text.utf8)
    func mark(at index: Int) -> Unicode.Scalar? {
      guard index + 2 < bytes.count, bytes[index] == 0xEE, bytes[index + 1] == 0x80 else {
        return nil
      }
      switch bytes[index + 2] {
      case 0x83: return open
      case 0x84: return separator
      case 0x85: return close
      default: return nil
      }
    }
    guard let first = bytes.indices.first(where: { mark(at: $0) == open }) else { return text }
    var out = Array(bytes[..<first])
    var index = first
    while index < bytes.count {
      guard mark(at: index) == open else {
        out.append(bytes[index])
        index += 1
        continue
      }
      // open KEY separator VALUE close; an unfinished mark is dropped, as before.
      var cursor = index + 3
      var separatorAt: Int?
      var closeAt: Int?
      while cursor < bytes.count {
        if let found = mark(at: cursor) {
          if found == separator, separatorAt == nil {
            separatorAt = cursor
          } else if found == close, separatorAt != nil {
            closeAt = cursor
            break
          }
          cursor += 3
        } else {
          cursor += 1
        }
      }
      guard let separatorAt, let closeAt else { break }
      let key = String(decoding: bytes[(index + 3)..<separatorAt], as: UTF8.self)
      let value = String(decoding: bytes[(separatorAt + 3)..<closeAt], as: UTF8.self)
      out += Array(replace(ValueKey(parsing: key), value).utf8)
      index = closeAt + 3
    }
    return String(decoding: out, as: UTF8.self)
  }
}

extension FigureText {
  /// An `expr`-style formula as a lecture prints it: `x^2 - 4*x + 5` → `x² − 4x + 5`
  /// (whole powers as superscripts, a number times a name side by side, other products as
  /// `·`, minus signs as `−`, spaces around `+` and `−`).
  static func math(_ code: String) -> String {
    let superscripts: [Character: Character] = [
      "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸",
      "9": "⁹",
    ]
    let characters = Array(code.replacingOccurrences(of: "**", with: "^")).filter { $0 != " " }
    var out = ""
    var i = 0
    // Whether the last thing written ends an operand (so a `-` after it is binary).
    var afterOperand = false
    while i < characters.count {
      let c = characters[i]
      switch c {
      case "^":
        var k = i + 1
        var digits = ""
        while k < characters.count, let s = superscripts[characters[k]] {
          digits.append(s)
          k += 1
        }
        if !digits.isEmpty, k == characters.count || !characters[k].isLetter && characters[k] != "."
        {
          out += digits
          i = k
          afterOperand = true
          continue
        }
        out.append("^")
        afterOperand = false
      case "*":
        let left = out.last
        let right = i + 1 < characters.count ? characters[i + 1] : nil
        out += (left?.isNumber == true && right?.isLetter == true) ? "" : "·"
        afterOperand = false
      case "-", "−":
        out += afterOperand ? " − " : "−"
        afterOperand = false
      case "+":
        out += afterOperand ? " + " : "+"
        afterOperand = false
      case "(", "/", ",":
        out.append(c)
        if c == "," { out.append(" ") }
        afterOperand = false
      default:
        out.append(c)
        afterOperand = c.isLetter || c.isNumber || c == ")" || c == "."
      }
      i += 1
    }
    return out
  }
}
