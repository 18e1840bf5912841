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
  /// Per series: drawn as points rather than a line.
  public var markers: [Bool]
  public var width: Double
  public var height: Double

  public init(
    title: String, xLabel: String, yLabel: String, series: [Series], yScale: Axis.Scale = .linear,
    markers: [Bool] = [], width: Double = 640, height: Double = 360
  ) {
    self.markers = markers
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
    let frame = PlotFrame(
      left: 72, top: 36, width: width - 88, height: height - 92,
      x: Axis(covering: series.flatMap { $0.points.map(\.x) }),
      y: Axis(covering: series.flatMap { $0.points.map(\.y) }, scale: yScale))
    var content: [SVGElement] = [titleElement(title, width: width)]
    content += frame.axes(xLabel: xLabel, yLabel: yLabel + (yScale == .log ? " (log scale)" : ""))
    for (index, line) in series.enumerated() {
      let points = line.points.filter { $0.y.isFinite && (yScale == .linear || $0.y > 0) }
      guard !points.isEmpty else { continue }
      if markers.indices.contains(index), markers[index] {
        let dots = points.map { p in
          SVGElement(
            "circle",
            [
              ("cx", number(frame.px(p.x))), ("cy", number(frame.py(p.y))), ("r", "3.5"),
              ("fill", Palette.color(index)), ("stroke", "#222"), ("stroke-width", "0.8"),
            ])
        }
        content.append(
          SVGElement(
            "g", [("class", "points")], children: [SVGElement("title", text: line.name)] + dots))
        continue
      }
      let path = points.enumerated().map { k, p in
        (k == 0 ? "M" : "L") + number(frame.px(p.x)) + " " + number(frame.py(p.y))
      }.joined(separator: " ")
      var attributes = [
        ("d", path), ("fill", "none"), ("stroke", Palette.color(index)), ("stroke-width", "2"),
      ]
      if !Palette.dash(index).isEmpty {
        attributes.append(("stroke-dasharray", Palette.dash(index)))
      }
      content.append(
        SVGElement("path", attributes, children: [SVGElement("title", text: line.name)]))
    }
    content.append(
      Legend(entries: series.map(\.name)).element(
        rightEdge: frame.left + frame.width - 8, top: frame.top + 8))
    let description = series.map { line -> String in
      guard let first = line.points.first, let last = line.points.last else {
        return "\(line.name): no points"
      }
      return
        "\(line.name) goes from \(NumberText.short(first.y)) at \(xLabel.lowercased()) \(NumberText.short(first.x)) to \(NumberText.short(last.y)) at \(NumberText.short(last.x))"
    }.joined(separator: "; ")
    return Figure(
      width: width, height: height, title: title,
      description: "\(yLabel) against \(xLabel.lowercased()): \(description).", caption: caption,
      content: content)
  }
}

/// A legend box of coloured, dashed line samples, one per entry.
public struct Legend: Sendable {
  public var entries: [String]
  public var markers: Bool = false

  public init(entries: [String], markers: Bool = false) {
    self.entries = entries
    self.markers = markers
  }

  public func element(rightEdge: Double, top: Double) -> SVGElement {
    let width = 46 + 7 * Double(entries.map(\.count).max() ?? 4)
    let x = rightEdge - width
    var children = [
      SVGElement(
        "rect",
        [
          ("x", number(x)), ("y", number(top)), ("width", number(width)),
          ("height", number(Double(entries.count) * 18 + 8)), ("fill", "white"),
          ("fill-opacity", "0.9"), ("stroke", "#ccc"),
        ])
    ]
    for (index, entry) in entries.enumerated() {
      let y = top + 18 + Double(index) * 18
      if markers {
        children.append(
          SVGElement(
            "circle",
            [
              ("cx", number(x + 18)), ("cy", number(y - 4)), ("r", "4.5"),
              ("fill", Palette.color(index)), ("stroke", "#222"),
            ]))
      } else {
        var attributes = [
          ("x1", number(x + 8)), ("x2", number(x + 32)), ("y1", number(y - 4)),
          ("y2", number(y - 4)),
          ("stroke", Palette.color(index)), ("stroke-width", "2"),
        ]
        if !Palette.dash(index).isEmpty {
          attributes.append(("stroke-dasharray", Palette.dash(index)))
        }
        children.append(SVGElement("line", attributes))
      }
      children.append(text(entry, x: x + 38, y: y))
    }
    return SVGElement("g", [("class", "legend")], children: children)
  }
}
