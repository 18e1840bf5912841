import Foundation

/// A quantity over a plane — class regions, a probability, or a loss surface — drawn as
/// smooth shading (a small PNG the browser scales with bilinear filtering) with stroked
/// iso-lines by marching squares, and data points, a path and lines on top: decision
/// boundaries and error surfaces.
public struct FieldPlot: Sendable {
  public enum Coloring: Sendable {
    /// Each cell's value is a class index: light tints, one per class.
    case classes
    /// Each value is a probability in [0, 1]: blue through white to orange.
    case probability
    /// A quantity (a loss), lighter for larger, on a log scale if asked, with a colour bar.
    case sequential(log: Bool, label: String)
  }

  public struct Point: Sendable {
    public var x: Double
    public var y: Double
    public var group: Int
    /// Drawn with a cross through it.
    public var marked: Bool
    public init(x: Double, y: Double, group: Int, marked: Bool = false) {
      self.x = x
      self.y = y
      self.group = group
      self.marked = marked
    }
  }

  public var title: String
  public var xLabel: String
  public var yLabel: String
  public var xRange: ClosedRange<Double>
  public var yRange: ClosedRange<Double>
  /// `values[row][column]`, row 0 at the bottom (low y).
  public var values: [[Double]]
  public var coloring: Coloring
  public var points: [Point] = []
  public var groupNames: [String] = []
  /// A polyline (a descent path), with its start and end marked.
  public var path: [(x: Double, y: Double)] = []
  /// Straight lines, each from one point to another (a perceptron's boundary).
  public var lines: [((Double, Double), (Double, Double))] = []
  /// Fields (on the same grid as `values`) whose zero level is a boundary drawn as a line:
  /// for class regions, each class's margin over the others. Without them, a probability
  /// field draws its 0.5 line and class regions the edges between classes.
  public var boundaries: [[[Double]]] = []
  public var width: Double = 560
  public var height: Double = 440

  public init(
    title: String, xLabel: String, yLabel: String, xRange: ClosedRange<Double>,
    yRange: ClosedRange<Double>,
    values: [[Double]], coloring: Coloring
  ) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.xRange = xRange
    self.yRange = yRange
    self.values = values
    self.coloring = coloring
  }

  public func figure(caption: String, description: String) -> Figure {
    let barSpace: Double
    if case .sequential = coloring { barSpace = 96 } else { barSpace = 0 }
    let side = min(width - 90 - barSpace, height - 92)
    let frame = PlotFrame(
      left: 70, top: 36, width: side, height: side,
      x: Axis(exact: xRange), y: Axis(exact: yRange))
    var content: [SVGElement] = [titleElement(title, width: width)]
    let rows = values.count
    let columns = values.first?.count ?? 0
    let (low, high) = valueRange()
    if rows > 0, columns > 0 {
      var image = RasterImage(width: columns, height: rows)
      for (r, row) in values.enumerated() {
        for (c, value) in row.enumerated() {
          image.set(x: c, y: rows - 1 - r, color: color(value, low: low, high: high))
        }
      }
      if let url = image.dataURL {
        content.append(
          SVGElement(
            "image",
            [
              ("class", "field"), ("x", number(frame.left)), ("y", number(frame.top)),
              ("width", number(frame.width)), ("height", number(frame.height)),
              ("preserveAspectRatio", "none"), ("href", url),
            ]))
      }
    }
    content += isoLines(frame: frame, low: low, high: high)
    content += frame.axes(xLabel: xLabel, yLabel: yLabel, grid: false)
    var marks: [SVGElement] = []
    for ((x1, y1), (x2, y2)) in lines {
      marks.append(
        line(frame.px(x1), frame.py(y1), frame.px(x2), frame.py(y2), stroke: "#000", width: 2.5))
    }
    if !path.isEmpty {
      let d = path.enumerated().map { k, p in
        (k == 0 ? "M" : "L") + number(frame.px(p.x)) + " " + number(frame.py(p.y))
      }
      .joined(separator: " ")
      marks.append(
        SVGElement("path", [("d", d), ("fill", "none"), ("stroke", "#fff"), ("stroke-width", "4")]))
      marks.append(
        SVGElement(
          "path", [("d", d), ("fill", "none"), ("stroke", "#D55E00"), ("stroke-width", "2")]))
      if let first = path.first {
        marks.append(
          circle(
            frame.px(first.x), frame.py(first.y), 5, fill: "#fff", stroke: "#D55E00", title: "start"
          ))
      }
      if let last = path.last {
        marks.append(
          circle(
            frame.px(last.x), frame.py(last.y), 5, fill: "#D55E00", stroke: "#fff", title: "end"))
      }
    }
    for point in points {
      let (x, y) = (frame.px(point.x), frame.py(point.y))
      // A thin white halo and a dark outline keep every point visible on any background,
      // its own class's region included; each class its colour and its marker shape, as in
      // the legend.
      marks.append(circle(x, y, 8, fill: "#fff", stroke: "none", title: nil))
      marks.append(
        Palette.shape(point.group).element(
          x: x, y: y, size: 12, fill: Palette.color(point.group), outline: 1.4))
      if point.marked {
        marks.append(line(x - 7, y - 7, x + 7, y + 7, stroke: "#000", width: 2))
        marks.append(line(x - 7, y + 7, x + 7, y - 7, stroke: "#000", width: 2))
      }
    }
    content.append(frame.clipPath(id: "clip-\(abs(title.hashValueStable))"))
    content.append(
      SVGElement(
        "g", [("class", "marks"), ("clip-path", "url(#clip-\(abs(title.hashValueStable)))")],
        children: marks))
    var width = self.width
    if !groupNames.isEmpty {
      // Beside the frame (and its colour bar), never over them; the figure widens to hold it.
      let legend = Legend(points: groupNames)
      let right = frame.left + frame.width + (barSpace > 0 ? barSpace + 16 : 14) + legend.width
      width = max(width, right + 8)
      content.append(legend.element(rightEdge: right, top: frame.top))
      content[0] = titleElement(title, width: width)
    }
    if case .sequential(let log, let label) = coloring {
      content.append(
        colorBar(
          x: frame.left + frame.width + 22, top: frame.top, height: frame.height, low: low,
          high: high, log: log, label: label))
    }
    return Figure(
      width: width, height: height, title: title, description: description, caption: caption,
      content: content)
  }

  private func valueRange() -> (Double, Double) {
    let finite = values.flatMap { $0 }.filter(\.isFinite)
    switch coloring {
    case .sequential(let log, _):
      let positive = log ? finite.filter { $0 > 0 } : finite
      let low = positive.min() ?? 0
      let high = positive.max() ?? 1
      return log
        ? (Foundation.log10(max(low, 1e-300)), Foundation.log10(max(high, 1e-300))) : (low, high)
    default:
      return (0, 1)
    }
  }

  private func color(_ value: Double, low: Double, high: Double) -> String {
    switch coloring {
    case .classes: return ColorScale.tint(Int(value.isFinite ? value : 0))
    case .probability: return ColorScale.diverging(value)
    case .sequential(let log, _):
      let v = log ? Foundation.log10(max(value, 1e-300)) : value
      return ColorScale.sequential(high > low ? (v - low) / (high - low) : 0.5)
    }
  }

  // MARK: - Iso-lines

  /// The stroked lines over the shading: a loss surface's labelled levels, a probability's
  /// 0.5 line, or the boundaries between class regions.
  private func isoLines(frame: PlotFrame, low: Double, high: Double) -> [SVGElement] {
    let rows = values.count
    let columns = values.first?.count ?? 0
    guard rows >= 2, columns >= 2 else { return [] }
    func place(_ point: Contours.Point) -> (Double, Double) {
      (
        frame.left + (point.column + 0.5) / Double(columns) * frame.width,
        frame.top + frame.height - (point.row + 0.5) / Double(rows) * frame.height
      )
    }
    func path(_ lines: [[Contours.Point]]) -> String {
      lines.filter { $0.count > 1 }.map { line in
        line.enumerated().map { k, point in
          let (x, y) = place(point)
          return (k == 0 ? "M" : "L") + number(x) + " " + number(y)
        }.joined(separator: " ")
      }.joined(separator: " ")
    }
    func stroke(_ d: String, color: String, width: Double) -> SVGElement {
      SVGElement(
        "path",
        [
          ("d", d), ("fill", "none"), ("stroke", color), ("stroke-width", number(width)),
          ("stroke-linejoin", "round"), ("stroke-linecap", "round"),
        ])
    }
    switch coloring {
    case .sequential(let log, _):
      var elements: [SVGElement] = []
      var labels: [SVGElement] = []
      // Labels keep clear of the descent path and the data points too.
      func around(_ x: Double, _ y: Double, _ r: Double) -> LabelBox {
        LabelBox(centre: frame.px(x), frame.py(y), width: 2 * r, height: 2 * r)
      }
      var taken = points.map { around($0.x, $0.y, 7) }
      // The path as drawn: its line (every 4 px along each segment, a few thousand boxes at
      // most) and its start and end markers.
      if let first = self.path.first, let last = self.path.last {
        taken += [around(first.x, first.y, 9), around(last.x, last.y, 9)]
        var budget = 4_000
        for (a, b) in zip(self.path, self.path.dropFirst()) where budget > 0 {
          let (ax, ay, bx, by) = (frame.px(a.x), frame.py(a.y), frame.px(b.x), frame.py(b.y))
          let length = ((bx - ax) * (bx - ax) + (by - ay) * (by - ay)).squareRoot()
          let steps = min(budget, max(1, Int(length / 4)))
          budget -= steps
          for k in 0...steps {
            let t = Double(k) / Double(steps)
            taken.append(
              LabelBox(centre: ax + t * (bx - ax), ay + t * (by - ay), width: 8, height: 8))
          }
        }
      }
      for level in Self.levels(low: low, high: high, log: log) {
        let lines = Contours.lines(values, level: log ? Foundation.pow(10, level) : level)
        let d = path(lines)
        guard !d.isEmpty else { continue }
        elements.append(stroke(d, color: "#ffffff", width: 1))
        // The label sits on the line where it fits: away from the frame's edges and from
        // every label placed before it.
        let label = NumberText.short(log ? Foundation.pow(10, level) : level)
        let labelWidth = TextWidth.of(label, size: 10) + 4
        let candidates = lines.sorted { $0.count > $1.count }.flatMap { line in
          stride(from: line.count / 2, to: line.count, by: 3).map { line[$0] }
            + stride(from: line.count / 2, through: 0, by: -3).map { line[$0] }
        }.map(place)
        let inside = LabelBox(
          left: frame.left + 4, top: frame.top + 4, right: frame.left + frame.width - 4,
          bottom: frame.top + frame.height - 4)
        let spot = candidates.lazy.map {
          LabelBox(centre: $0.0, $0.1, width: labelWidth, height: 14)
        }
        .first { box in
          box.left > inside.left && box.right < inside.right && box.top > inside.top
            && box.bottom < inside.bottom && !taken.contains { $0.overlaps(box) }
        }
        if let box = spot {
          taken.append(box)
          labels.append(
            haloed(
              text(
                label, x: (box.left + box.right) / 2, y: box.bottom - 3.5, anchor: "middle",
                size: 10, fill: "#1d1d1f")))
        }
      }
      return [SVGElement("g", [("class", "isolines")], children: elements + labels)]
    case .probability:
      let fields = boundaries.isEmpty ? [values.map { $0.map { $0 - 0.5 } }] : boundaries
      let d = fields.map { path(Contours.lines($0, level: 0)) }.joined(separator: " ")
      return d.isEmpty
        ? []
        : [
          SVGElement(
            "g", [("class", "boundary")], children: [stroke(d, color: "#1d1d1f", width: 2)])
        ]
    case .classes:
      var fields = boundaries
      if fields.isEmpty {
        // Each class's indicator: its edge runs half-way between unlike samples.
        let classes = Set(values.flatMap { $0 }.filter(\.isFinite)).sorted()
        fields = classes.dropLast().map { k in values.map { $0.map { $0 == k ? 1 : -1 } } }
      }
      let d = fields.map { path(Contours.lines($0, level: 0)) }.joined(separator: " ")
      return d.isEmpty
        ? []
        : [
          SVGElement(
            "g", [("class", "boundary")], children: [stroke(d, color: "#1d1d1f", width: 1.5)])
        ]
    }
  }

  /// Levels for a loss surface's iso-lines: in log10 units on a log scale (1, 2 and 5 times
  /// powers of ten), else evenly spaced nice numbers; between 3 and about 10 of them.
  static func levels(low: Double, high: Double, log: Bool) -> [Double] {
    guard low.isFinite, high.isFinite, high > low else { return [] }
    if log {
      // 1, 2 and 5 times powers of ten; fewer steps per decade while there are over eight.
      var levels: [Double] = []
      for factors in [[1.0, 2.0, 5.0], [1.0, 3.0], [1.0]] {
        levels = []
        var exponent = Foundation.floor(low)
        while exponent <= Foundation.ceil(high), levels.count < 64 {
          for factor in factors {
            let level = exponent + Foundation.log10(factor)
            if level > low, level < high { levels.append(level) }
          }
          exponent += 1
        }
        if levels.count <= 8 { break }
      }
      while levels.count > 8 {
        levels = levels.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
      }
      return levels
    }
    let ticks = Axis(covering: [low, high]).ticks
    return ticks.filter { $0 > low && $0 < high }
  }

  private func colorBar(
    x: Double, top: Double, height: Double, low: Double, high: Double, log: Bool, label: String
  ) -> SVGElement {
    // A continuous bar, low at the bottom, with the iso-lines' levels as ticks.
    let stops = (0...10).map { k in
      SVGElement(
        "stop",
        [
          ("offset", number(Double(k) / 10)),
          ("stop-color", ColorScale.sequential(1 - Double(k) / 10)),
        ])
    }
    var children: [SVGElement] = [
      SVGElement(
        "defs",
        children: [
          SVGElement(
            "linearGradient",
            [("id", "colorbar"), ("x1", "0"), ("y1", "0"), ("x2", "0"), ("y2", "1")],
            children: stops)
        ]),
      SVGElement(
        "rect",
        [
          ("x", number(x)), ("y", number(top)), ("width", "14"), ("height", number(height)),
          ("fill", "url(#colorbar)"),
        ]),
    ]
    let levels = Self.levels(low: low, high: high, log: log)
    for value in [low] + levels + [high] where high > low {
      let y = top + height * (1 - (value - low) / (high - low))
      if levels.contains(value) {
        children.append(line(x, y, x + 14, y, stroke: "#ffffff"))
      }
      // The ends are labelled only when no level label sits close to them.
      let isEnd = value == low || value == high
      if isEnd, levels.contains(where: { abs($0 - value) / (high - low) < 0.06 }) { continue }
      let shown = log ? Foundation.pow(10, value) : value
      children.append(text(NumberText.short(shown), x: x + 18, y: y + 4, size: 10))
    }
    children.append(
      SVGElement(
        "text",
        [
          ("transform", "translate(\(number(x + 78)) \(number(top + height / 2))) rotate(90)"),
          ("text-anchor", "middle"), ("font-size", "11"),
        ], text: label + (log ? " (log)" : "")))
    return SVGElement("g", [("class", "colorbar")], children: children)
  }

  private func circle(
    _ x: Double, _ y: Double, _ r: Double, fill: String, stroke: String, title: String?
  ) -> SVGElement {
    SVGElement(
      "circle",
      [
        ("cx", number(x)), ("cy", number(y)), ("r", number(r)), ("fill", fill), ("stroke", stroke),
        ("stroke-width", "1.5"),
      ],
      children: title.map { [SVGElement("title", text: $0)] } ?? [])
  }
}

extension Axis {
  /// An axis over exactly this range (no padding to nice ticks).
  public init(exact range: ClosedRange<Double>) {
    self.init(covering: [range.lowerBound, range.upperBound])
    low = range.lowerBound
    high = range.upperBound
  }
}

extension String {
  /// A hash that is the same on every run (Swift's `hashValue` is seeded per process), for
  /// ids derived from text.
  public var hashValueStable: Int {
    var hash: UInt64 = 1_469_598_103_934_665_603
    for byte in utf8 {
      hash ^= UInt64(byte)
      hash = hash &* 1_099_511_628_211
    }
    return Int(truncatingIfNeeded: hash >> 1)
  }
}
