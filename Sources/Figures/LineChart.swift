/// Several series on shared axes: learning curves (loss and metrics per epoch, training
/// and validation), with axes, ticks, labels, a legend, and an optional log scale.
public struct LineChart: Hashable, Sendable {
  public struct Series: Hashable, Sendable {
    public var name: String
    public var points: [(x: Double, y: Double)]

    public init(name: String, points: [(x: Double, y: Double)]) {
      self.name = name
      self.points = points
    }

    public static func == (lhs: Series, rhs: Series) -> Bool {
      lhs.name == rhs.name && lhs.points.elementsEqual(rhs.points) { $0.x == $1.x && $0.y == $1.y }
    }
    public func hash(into hasher: inout Hasher) {
      hasher.combine(name)
      for point in points {
        hasher.combine(point.x)
        hasher.combine(point.y)
      }
    }
  }

  public var title: String
  public var xLabel: String
  public var yLabel: String
  public var series: [Series]
  public var yScale: Axis.Scale
  public var width: Double
  public var height: Double

  public init(
    title: String, xLabel: String, yLabel: String, series: [Series], yScale: Axis.Scale = .linear,
    width: Double = 640, height: Double = 360
  ) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.series = series
    self.yScale = yScale
    self.width = width
    self.height = height
  }

  /// The chart as a figure with the given caption.
  public func figure(caption: String) -> Figure {
    let left = 64.0
    let right = 16.0
    let top = 36.0
    let bottom = 48.0
    let plotWidth = width - left - right
    let plotHeight = height - top - bottom
    let xs = series.flatMap { $0.points.map(\.x) }
    let ys = series.flatMap { $0.points.map(\.y) }
    let xAxis = Axis(covering: xs)
    let yAxis = Axis(covering: ys, scale: yScale)
    func px(_ x: Double) -> Double { left + xAxis.fraction(x) * plotWidth }
    func py(_ y: Double) -> Double { top + (1 - yAxis.fraction(y)) * plotHeight }

    var content: [SVGElement] = []
    content.append(
      SVGElement(
        "text",
        [
          ("x", number(width / 2)), ("y", "20"), ("text-anchor", "middle"), ("font-size", "14"),
          ("font-weight", "bold"),
        ],
        text: title))
    // Grid and ticks.
    var grid: [SVGElement] = []
    for tick in yAxis.ticks {
      let y = py(tick)
      grid.append(
        SVGElement(
          "line",
          [
            ("x1", number(left)), ("x2", number(left + plotWidth)), ("y1", number(y)),
            ("y2", number(y)), ("stroke", "#e5e5e5"),
          ]))
      grid.append(
        SVGElement(
          "text", [("x", number(left - 6)), ("y", number(y + 4)), ("text-anchor", "end")],
          text: yAxis.label(tick)))
    }
    for tick in xAxis.ticks {
      let x = px(tick)
      grid.append(
        SVGElement(
          "line",
          [
            ("x1", number(x)), ("x2", number(x)), ("y1", number(top + plotHeight)),
            ("y2", number(top + plotHeight + 5)), ("stroke", "#333"),
          ]))
      grid.append(
        SVGElement(
          "text",
          [("x", number(x)), ("y", number(top + plotHeight + 18)), ("text-anchor", "middle")],
          text: xAxis.label(tick)))
    }
    content.append(SVGElement("g", [("class", "grid")], children: grid))
    content.append(
      SVGElement(
        "rect",
        [
          ("x", number(left)), ("y", number(top)), ("width", number(plotWidth)),
          ("height", number(plotHeight)), ("fill", "none"), ("stroke", "#333"),
        ]))
    content.append(
      SVGElement(
        "text",
        [
          ("x", number(left + plotWidth / 2)), ("y", number(height - 8)), ("text-anchor", "middle"),
        ], text: xLabel))
    content.append(
      SVGElement(
        "text",
        [
          ("transform", "translate(16 \(number(top + plotHeight / 2))) rotate(-90)"),
          ("text-anchor", "middle"),
        ],
        text: yLabel + (yScale == .log ? " (log scale)" : "")))
    // Series.
    for (index, line) in series.enumerated() {
      let points = line.points.filter { $0.y.isFinite && (yScale == .linear || $0.y > 0) }
      guard !points.isEmpty else { continue }
      let path = points.enumerated().map { k, p in
        (k == 0 ? "M" : "L") + number(px(p.x)) + " " + number(py(p.y))
      }
      .joined(separator: " ")
      var attributes = [
        ("d", path), ("fill", "none"), ("stroke", Palette.color(index)), ("stroke-width", "2"),
      ]
      if !Palette.dash(index).isEmpty {
        attributes.append(("stroke-dasharray", Palette.dash(index)))
      }
      content.append(
        SVGElement("path", attributes, children: [SVGElement("title", text: line.name)]))
    }
    // Legend, top right inside the plot.
    var legend: [SVGElement] = []
    let legendWidth = 12.0 + 7 * Double(series.map(\.name.count).max() ?? 4) + 30
    let legendX = left + plotWidth - legendWidth - 8
    legend.append(
      SVGElement(
        "rect",
        [
          ("x", number(legendX)), ("y", number(top + 8)), ("width", number(legendWidth)),
          ("height", number(Double(series.count) * 18 + 8)), ("fill", "white"),
          ("fill-opacity", "0.85"), ("stroke", "#ccc"),
        ]))
    for (index, line) in series.enumerated() {
      let y = top + 22 + Double(index) * 18
      var attributes = [
        ("x1", number(legendX + 8)), ("x2", number(legendX + 32)), ("y1", number(y - 4)),
        ("y2", number(y - 4)), ("stroke", Palette.color(index)), ("stroke-width", "2"),
      ]
      if !Palette.dash(index).isEmpty {
        attributes.append(("stroke-dasharray", Palette.dash(index)))
      }
      legend.append(SVGElement("line", attributes))
      legend.append(
        SVGElement("text", [("x", number(legendX + 38)), ("y", number(y))], text: line.name))
    }
    content.append(SVGElement("g", [("class", "legend")], children: legend))

    let description = series.map { line -> String in
      guard let first = line.points.first, let last = line.points.last else {
        return "\(line.name): no points"
      }
      return
        "\(line.name) goes from \(shortNumber(first.y)) at \(xLabel.lowercased()) \(shortNumber(first.x)) to \(shortNumber(last.y)) at \(shortNumber(last.x))"
    }.joined(separator: "; ")
    return Figure(
      width: width, height: height, title: title,
      description: "\(yLabel) against \(xLabel.lowercased()): \(description).",
      caption: caption, content: content)
  }
}

/// A value for a description: four significant digits.
func shortNumber(_ value: Double) -> String {
  guard value.isFinite else { return "n/a" }
  if value == value.rounded(), abs(value) < 1e9 { return String(Int(value)) }
  var text = String(format: "%.4g", value)
  if text.hasPrefix("-"), Double(text) == 0 { text.removeFirst() }
  return text
}
