/// Series colours in the order series take them: Okabe & Ito's colour-blind-safe hues,
/// with the light ones (orange, sky blue, yellow) darkened until each has at least 3:1
/// contrast against white; a dash pattern and a marker shape per series keep lines apart
/// in grey print and where they overlap.
public enum Palette {
  public static let colors = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#A67C00", "#6A3D9A", "#000000", "#666666",
  ]
  public static let dashes = ["", "6 3", "2 2", "8 3 2 3", "1 3", "10 4"]
  public static let shapes = Marker.allCases

  public static func color(_ index: Int) -> String { colors[index % colors.count] }
  public static func dash(_ index: Int) -> String { dashes[index % dashes.count] }
  public static func shape(_ index: Int) -> Marker { shapes[index % shapes.count] }

  /// A point marker's shape.
  public enum Marker: CaseIterable, Sendable {
    case circle, square, triangle, diamond, cross

    /// The marker centred at (x, y), `size` across.
    public func element(
      x: Double, y: Double, size: Double, fill: String, outline: Double = 0.8
    ) -> SVGElement {
      let r = size / 2
      let stroke: [(String, String)] = [("stroke", "#222"), ("stroke-width", number(outline))]
      switch self {
      case .circle:
        return SVGElement(
          "circle",
          [("cx", number(x)), ("cy", number(y)), ("r", number(r)), ("fill", fill)] + stroke)
      case .square:
        return SVGElement(
          "rect",
          [
            ("x", number(x - r * 0.9)), ("y", number(y - r * 0.9)), ("width", number(r * 1.8)),
            ("height", number(r * 1.8)), ("fill", fill),
          ] + stroke)
      case .triangle:
        return path(
          "M\(number(x)) \(number(y - r * 1.1)) L\(number(x + r)) \(number(y + r * 0.8)) L\(number(x - r)) \(number(y + r * 0.8)) Z",
          fill: fill, stroke: stroke)
      case .diamond:
        return path(
          "M\(number(x)) \(number(y - r * 1.2)) L\(number(x + r)) \(number(y)) L\(number(x)) \(number(y + r * 1.2)) L\(number(x - r)) \(number(y)) Z",
          fill: fill, stroke: stroke)
      case .cross:
        return path(
          "M\(number(x - r)) \(number(y - r)) L\(number(x + r)) \(number(y + r)) M\(number(x - r)) \(number(y + r)) L\(number(x + r)) \(number(y - r))",
          fill: "none", stroke: [("stroke", fill), ("stroke-width", "2")])
      }
    }

    private func path(_ d: String, fill: String, stroke: [(String, String)]) -> SVGElement {
      SVGElement("path", [("d", d), ("fill", fill)] + stroke)
    }
  }
}
