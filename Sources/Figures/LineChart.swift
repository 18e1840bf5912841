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
  /// Vertical lines at an x with a label: the best validation epoch.
  public var marks: [(x: Double, label: String)] = []
  public var width: Double
  public var height: Double

  public static func == (lhs: LineChart, rhs: LineChart) -> Bool {
    lhs.title == rhs.title && lhs.series == rhs.series && lhs.markers == rhs.markers
      && lhs.marks.elementsEqual(rhs.marks) { $0.x == $1.x && $0.label == $1.label }
      && lhs.xLabel == rhs.xLabel && lhs.yLabel == rhs.yLabel && lhs.yScale == rhs.yScale
      && lhs.width == rhs.width && lhs.height == rhs.height
  }
  public func hash(into hasher: inout Hasher) {
    hasher.combine(title)
    hasher.combine(series)
  }

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
      let points = Self.thinned(
        line.points.filter { $0.y.isFinite && (yScale == .linear || $0.y > 0) })
      guard !points.isEmpty else { continue }
      if isPoints(index) {
        let dots = points.map { p in
          Palette.shape(index).element(
            x: frame.px(p.x), y: frame.py(p.y), size: 7, fill: Palette.color(index))
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
      // With several lines, a few markers of the series' own shape, staggered between
      // series, tell lines apart where they run together.
      if series.count > 1 {
        let step = max(1, points.count / 6)
        let offset = (step * index) / max(1, series.count)
        let chosen = stride(from: min(offset, points.count - 1), to: points.count, by: step)
        content.append(
          SVGElement(
            "g", [("class", "markers")],
            children: chosen.map { k in
              Palette.shape(index).element(
                x: frame.px(points[k].x), y: frame.py(points[k].y), size: 7,
                fill: Palette.color(index))
            }))
      }
    }
    for (index, mark) in marks.enumerated() where (frame.x.low...frame.x.high).contains(mark.x) {
      let x = frame.px(mark.x)
      // Labels stack upwards from the bottom of the frame, one line per mark; one near the
      // right edge is written to the left of its line.
      let labelY = frame.top + frame.height - 8 - 15 * Double(index)
      let leftward = x + 6 + TextWidth.of(mark.label, size: 11) > frame.left + frame.width
      content.append(
        SVGElement(
          "g", [("class", "mark")],
          children: [
            SVGElement(
              "line",
              [
                ("x1", number(x)), ("y1", number(frame.top)), ("x2", number(x)),
                ("y2", number(frame.top + frame.height)), ("stroke", "#444"),
                ("stroke-dasharray", "4 3"),
              ]),
            haloed(
              text(
                mark.label, x: leftward ? x - 4 : x + 4, y: labelY,
                anchor: leftward ? "end" : "start", size: 11, fill: "#222")),
          ]))
    }
    let legend = Legend(
      entries: series.map(\.name), markers: series.indices.map(isPoints),
      shapes: series.count > 1 || series.indices.contains(where: isPoints))
    // The legend takes a corner of the frame where no data lie, else a place of its own
    // below the frame (the figure grows to hold it).
    // Every drawn point, and along each line's segments every 8 px (a two-point line, the
    // ROC's chance diagonal, crosses corners its ends do not touch).
    let drawn = series.enumerated().flatMap { index, line -> [(Double, Double)] in
      let points = line.points.filter { $0.y.isFinite && (yScale == .linear || $0.y > 0) }
        .map { (frame.px($0.x), frame.py($0.y)) }
      guard !isPoints(index), points.count > 1 else { return points }
      var along: [(Double, Double)] = []
      for k in 1..<points.count {
        let (a, b) = (points[k - 1], points[k])
        let steps = min(200, Int((abs(b.0 - a.0) + abs(b.1 - a.1)) / 8))
        along.append(a)
        if steps > 1 {
          for t in 1..<steps {
            let f = Double(t) / Double(steps)
            along.append((a.0 + (b.0 - a.0) * f, a.1 + (b.1 - a.1) * f))
          }
        }
      }
      along.append(points[points.count - 1])
      return along
    }
    let corners = [
      (frame.left + frame.width - 8, frame.top + 8),
      (frame.left + 8 + legend.width, frame.top + 8),
      (frame.left + frame.width - 8, frame.top + frame.height - 8 - legend.height),
      (frame.left + 8 + legend.width, frame.top + frame.height - 8 - legend.height),
    ]
    let markTop = frame.top + frame.height - 20 - 15 * Double(marks.count)
    let corner = corners.first { right, top in
      let box = (right - legend.width - 6, top - 6, right + 6, top + legend.height + 6)
      let clearOfMarks = marks.isEmpty || top + legend.height < markTop
      return clearOfMarks
        && !drawn.contains { $0.0 >= box.0 && $0.0 <= box.2 && $0.1 >= box.1 && $0.1 <= box.3 }
    }
    var height = self.height
    if let (right, top) = corner {
      content.append(legend.element(rightEdge: right, top: top))
    } else {
      let top = frame.top + frame.height + 48
      content.append(legend.element(rightEdge: frame.left + legend.width, top: top))
      height = max(height, top + legend.height + 8)
    }
    let description = series.map { line -> String in
      guard let first = line.points.first, let last = line.points.last else {
        return "\(line.name): no points"
      }
      return
        "\(line.name) goes from \(NumberText.short(first.y)) at \(xLabel.lowercased()) \(NumberText.short(first.x)) to \(NumberText.short(last.y)) at \(NumberText.short(last.x))"
    }.joined(separator: "; ")
    let marked = marks.map { " \($0.label) is marked at \(NumberText.short($0.x))." }.joined()
    return Figure(
      width: width, height: height, title: title,
      description: "\(yLabel) against \(xLabel.lowercased()): \(description).\(marked)",
      caption: caption,
      content: content)
  }

  private func isPoints(_ index: Int) -> Bool { markers.indices.contains(index) && markers[index] }

  /// At most about 2,000 points of a long series (a million epochs): the first and last
  /// point and the lowest and highest of each of 500 runs of points, in order, so the
  /// curve keeps its shape and spikes while the page stays small.
  public static func thinned(_ points: [(x: Double, y: Double)]) -> [(x: Double, y: Double)] {
    guard points.count > 2_000 else { return points }
    let buckets = 500
    var kept: [(x: Double, y: Double)] = []
    kept.reserveCapacity(buckets * 4)
    for bucket in 0..<buckets {
      let range = (points.count * bucket / buckets)..<(points.count * (bucket + 1) / buckets)
      guard let first = range.first, let last = range.last else { continue }
      var low = first
      var high = first
      for k in range {
        if points[k].y < points[low].y { low = k }
        if points[k].y > points[high].y { high = k }
      }
      for k in Set([first, low, high, last]).sorted() { kept.append(points[k]) }
    }
    return kept
  }
}

/// A legend box with one sample per entry: a coloured, dashed line (with the series'
/// marker when `shapes`), or the marker alone for a series drawn as points. The box is
/// as wide as its longest entry measured in the font.
public struct Legend: Sendable {
  public var entries: [String]
  /// Per entry: drawn as points (a marker) rather than a line.
  public var markers: [Bool]
  /// Whether line samples carry their series' marker too.
  public var shapes: Bool

  public init(entries: [String], markers: [Bool] = [], shapes: Bool = false) {
    self.entries = entries
    self.markers = markers
    self.shapes = shapes
  }

  /// Every entry drawn as points.
  public init(points entries: [String]) {
    self.init(entries: entries, markers: entries.map { _ in true })
  }

  /// The box's width: the samples and the longest entry, measured in the font.
  public var width: Double { 50 + (entries.map { TextWidth.of($0, size: 12) }.max() ?? 24) }

  /// The box's height: a line per entry.
  public var height: Double { Double(entries.count) * 18 + 8 }

  public func element(rightEdge: Double, top: Double) -> SVGElement {
    let x = rightEdge - width
    var children = [
      SVGElement(
        "rect",
        [
          ("x", number(x)), ("y", number(top)), ("width", number(width)),
          ("height", number(height)), ("fill", "white"),
          ("fill-opacity", "0.9"), ("stroke", "#ccc"),
        ])
    ]
    for (index, entry) in entries.enumerated() {
      let y = top + 18 + Double(index) * 18
      if markers.indices.contains(index), markers[index] {
        children.append(
          Palette.shape(index).element(x: x + 20, y: y - 4, size: 8, fill: Palette.color(index)))
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
        if shapes {
          children.append(
            Palette.shape(index).element(x: x + 20, y: y - 4, size: 7, fill: Palette.color(index)))
        }
      }
      children.append(text(entry, x: x + 38, y: y))
    }
    return SVGElement("g", [("class", "legend")], children: children)
  }
}
