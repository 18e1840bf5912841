import Foundation

/// A quantity over a plane drawn as coloured cells — class regions, a probability, or a
/// loss surface — with data points, a path and lines on top: decision boundaries and error
/// surfaces.
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
    var cells: [SVGElement] = []
    if rows > 0, columns > 0 {
      let cellWidth = frame.width / Double(columns)
      let cellHeight = frame.height / Double(rows)
      for (r, row) in values.enumerated() {
        for (c, value) in row.enumerated() {
          cells.append(
            SVGElement(
              "rect",
              [
                ("x", number(frame.left + Double(c) * cellWidth)),
                ("y", number(frame.top + frame.height - Double(r + 1) * cellHeight)),
                ("width", number(cellWidth + 0.5)), ("height", number(cellHeight + 0.5)),
                ("fill", color(value, low: low, high: high)),
              ]))
        }
      }
    }
    content.append(SVGElement("g", [("class", "field")], children: cells))
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
      // A white halo keeps every point visible on any background colour.
      marks.append(circle(x, y, 7, fill: "#fff", stroke: "none", title: nil))
      marks.append(circle(x, y, 4.5, fill: Palette.color(point.group), stroke: "#222", title: nil))
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
    if !groupNames.isEmpty {
      content.append(
        Legend(entries: groupNames, markers: true).element(rightEdge: width - 8, top: 40))
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
      // Quantised into bands: filled contours.
      let fraction = high > low ? (v - low) / (high - low) : 0.5
      return ColorScale.sequential((fraction * 12).rounded(.down) / 12)
    }
  }

  private func colorBar(
    x: Double, top: Double, height: Double, low: Double, high: Double, log: Bool, label: String
  ) -> SVGElement {
    var children: [SVGElement] = []
    let steps = 12
    for k in 0..<steps {
      let y = top + height * Double(steps - 1 - k) / Double(steps)
      children.append(
        SVGElement(
          "rect",
          [
            ("x", number(x)), ("y", number(y)), ("width", "14"),
            ("height", number(height / Double(steps) + 0.5)),
            ("fill", ColorScale.sequential(Double(k) / Double(steps))),
          ]))
    }
    for (fraction, value) in [(0.0, low), (0.5, (low + high) / 2), (1.0, high)] {
      let shown = log ? Foundation.pow(10, value) : value
      children.append(
        text(NumberText.short(shown), x: x + 18, y: top + height * (1 - fraction) + 4, size: 10))
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
