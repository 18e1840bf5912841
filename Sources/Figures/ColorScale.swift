import Foundation

/// Colour scales that stay readable for colour-blind readers and in grey print.
public enum ColorScale {
  /// Viridis, sampled: dark purple (low) to yellow (high); perceptually uniform.
  static let viridis: [(Double, Double, Double)] = [
    (68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142), (31, 158, 137),
    (53, 183, 121), (109, 205, 89), (180, 222, 44), (253, 231, 37),
  ]

  /// A sequential colour for a fraction in [0, 1].
  public static func sequential(_ fraction: Double) -> String {
    interpolate(viridis, fraction)
  }

  /// A diverging colour for a probability: blue (0) through white (0.5) to orange (1),
  /// Okabe & Ito's blue and vermilion.
  public static func diverging(_ fraction: Double) -> String {
    interpolate([(0, 114, 178), (247, 247, 247), (213, 94, 0)], fraction)
  }

  /// A light tint of a palette colour, for class regions.
  public static func tint(_ index: Int) -> String {
    let tints = [
      "#b3d4ea", "#f2c9ad", "#b3e2d5", "#ebd3e2", "#f8e0b0", "#cfe8f8", "#fbf6bf", "#cccccc",
    ]
    return tints[index % tints.count]
  }

  private static func interpolate(_ stops: [(Double, Double, Double)], _ fraction: Double) -> String
  {
    let t = max(0, min(1, fraction.isFinite ? fraction : 0)) * Double(stops.count - 1)
    let index = min(stops.count - 2, Int(t))
    let local = t - Double(index)
    let (a, b) = (stops[index], stops[index + 1])
    func channel(_ x: Double, _ y: Double) -> Int { Int((x + (y - x) * local).rounded()) }
    return hex(channel(a.0, b.0), channel(a.1, b.1), channel(a.2, b.2))
  }

  private static let digits = Array("0123456789abcdef".utf8)

  /// `#rrggbb`, written without a format string (a shaded field asks for 57,600 of them).
  static func hex(_ red: Int, _ green: Int, _ blue: Int) -> String {
    var bytes: [UInt8] = [UInt8(ascii: "#")]
    for channel in [red, green, blue] {
      let value = max(0, min(255, channel))
      bytes.append(digits[value >> 4])
      bytes.append(digits[value & 15])
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}
