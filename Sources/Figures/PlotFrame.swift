/// A rectangle of the figure where data are drawn, with its two axes: maps data to
/// pixels and draws the frame, grid, ticks and axis labels.
public struct PlotFrame: Sendable {
  public var left: Double
  public var top: Double
  public var width: Double
  public var height: Double
  public var x: Axis
  public var y: Axis

  public init(left: Double, top: Double, width: Double, height: Double, x: Axis, y: Axis) {
    self.left = left
    self.top = top
    self.width = width
    self.height = height
    self.x = x
    self.y = y
  }

  public func px(_ value: Double) -> Double { left + x.fraction(value) * width }
  public func py(_ value: Double) -> Double { top + (1 - y.fraction(value)) * height }

  /// Grid lines, tick labels, the frame and the axis labels.
  public func axes(xLabel: String, yLabel: String, grid: Bool = true) -> [SVGElement] {
    var elements: [SVGElement] = []
    for tick in y.ticks {
      let position = py(tick)
      if grid {
        elements.append(line(left, position, left + width, position, stroke: "#e5e5e5"))
      }
      elements.append(line(left - 5, position, left, position, stroke: "#333"))
      elements.append(text(y.label(tick), x: left - 7, y: position + 4, anchor: "end"))
    }
    for tick in x.ticks {
      let position = px(tick)
      if grid {
        elements.append(line(position, top, position, top + height, stroke: "#f0f0f0"))
      }
      elements.append(line(position, top + height, position, top + height + 5, stroke: "#333"))
      elements.append(text(x.label(tick), x: position, y: top + height + 18, anchor: "middle"))
    }
    elements.append(
      SVGElement(
        "rect",
        [
          ("x", number(left)), ("y", number(top)), ("width", number(width)),
          ("height", number(height)), ("fill", "none"), ("stroke", "#333"),
        ]))
    elements.append(text(xLabel, x: left + width / 2, y: top + height + 38, anchor: "middle"))
    elements.append(
      SVGElement(
        "text",
        [
          ("transform", "translate(\(number(left - 44)) \(number(top + height / 2))) rotate(-90)"),
          ("text-anchor", "middle"),
        ], text: yLabel))
    return [SVGElement("g", [("class", "axes")], children: elements)]
  }

  /// A clip path id'd `id` covering the frame, so data never spill out of it.
  public func clipPath(id: String) -> SVGElement {
    SVGElement(
      "clipPath", [("id", id)],
      children: [
        SVGElement(
          "rect",
          [
            ("x", number(left)), ("y", number(top)), ("width", number(width)),
            ("height", number(height)),
          ])
      ])
  }
}

/// A line from one point to another.
public func line(
  _ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1
)
  -> SVGElement
{
  SVGElement(
    "line",
    [
      ("x1", number(x1)), ("y1", number(y1)), ("x2", number(x2)), ("y2", number(y2)),
      ("stroke", stroke), ("stroke-width", number(width)),
    ])
}

/// A text label.
public func text(
  _ content: String, x: Double, y: Double, anchor: String = "start", size: Double? = nil,
  weight: String? = nil, fill: String? = nil
) -> SVGElement {
  var attributes = [("x", number(x)), ("y", number(y)), ("text-anchor", anchor)]
  if let size { attributes.append(("font-size", number(size))) }
  if let weight { attributes.append(("font-weight", weight)) }
  if let fill { attributes.append(("fill", fill)) }
  return SVGElement("text", attributes, text: content)
}

/// A figure title, centred at the top.
func titleElement(_ title: String, width: Double) -> SVGElement {
  text(title, x: width / 2, y: 20, anchor: "middle", size: 14, weight: "bold")
}

/// A label drawn over lines or shading: a white outline painted under its glyphs keeps it
/// legible on any background.
func haloed(_ label: SVGElement) -> SVGElement {
  var label = label
  label.attributes += [
    ("stroke", "#ffffff"), ("stroke-width", "3.5"), ("stroke-linejoin", "round"),
    ("paint-order", "stroke"),
  ]
  return label
}

/// The box a label (or a unit, a node) takes, for placing labels clear of each other.
struct LabelBox {
  var left, top, right, bottom: Double

  /// A box of `width` × `height` centred on (x, y).
  init(centre x: Double, _ y: Double, width: Double, height: Double) {
    (left, right, top, bottom) = (x - width / 2, x + width / 2, y - height / 2, y + height / 2)
  }

  init(left: Double, top: Double, right: Double, bottom: Double) {
    (self.left, self.top, self.right, self.bottom) = (left, top, right, bottom)
  }

  func overlaps(_ other: LabelBox) -> Bool {
    left < other.right && other.left < right && top < other.bottom && other.top < bottom
  }
}
