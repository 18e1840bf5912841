/// Activation functions and their derivatives, one small panel each (the cheat sheet).
public struct FunctionPanels: Sendable {
  public struct Panel: Sendable {
    public var name: String
    public var range: String
    public var value: [(x: Double, y: Double)]
    public var derivative: [(x: Double, y: Double)]
    public init(
      name: String, range: String, value: [(x: Double, y: Double)],
      derivative: [(x: Double, y: Double)]
    ) {
      self.name = name
      self.range = range
      self.value = value
      self.derivative = derivative
    }
  }

  public var panels: [Panel]
  public var title: String
  public var columns: Int
  public var panelWidth: Double = 190
  public var panelHeight: Double = 150

  public init(panels: [Panel], title: String, columns: Int = 4) {
    self.panels = panels
    self.title = title
    self.columns = max(1, columns)
  }

  public func figure(caption: String) -> Figure {
    let rows = (panels.count + columns - 1) / columns
    let width = Double(columns) * panelWidth + 20
    let height = Double(rows) * (panelHeight + 20) + 70
    var content: [SVGElement] = [titleElement(title, width: width)]
    content.append(Legend(entries: ["φ(x)", "φ′(x)"]).element(rightEdge: width - 10, top: 28))
    for (index, panel) in panels.enumerated() {
      let left = 10 + Double(index % columns) * panelWidth
      let top = 70 + Double(index / columns) * (panelHeight + 20)
      let ys = (panel.value + panel.derivative).map(\.y).filter(\.isFinite)
      let frame = PlotFrame(
        left: left + 34, top: top + 18, width: panelWidth - 48, height: panelHeight - 52,
        x: Axis(covering: panel.value.map(\.x)),
        y: Axis(covering: ys.map { max(-3, min(4, $0)) }, includeZero: true))
      content.append(
        text(
          panel.name, x: left + panelWidth / 2, y: top + 10, anchor: "middle", size: 12,
          weight: "bold"))
      content += frame.axes(xLabel: "range \(panel.range)", yLabel: "", grid: true)
      let clip = "clip-panel-\(index)"
      content.append(frame.clipPath(id: clip))
      for (series, (points, dash)) in [(panel.value, ""), (panel.derivative, "5 3")].enumerated() {
        let d = points.enumerated().map { k, p in
          (k == 0 ? "M" : "L") + number(frame.px(p.x)) + " " + number(frame.py(p.y))
        }.joined(separator: " ")
        var attributes = [
          ("d", d), ("fill", "none"), ("stroke", Palette.color(series)), ("stroke-width", "2"),
          ("clip-path", "url(#\(clip))"),
        ]
        if !dash.isEmpty { attributes.append(("stroke-dasharray", dash)) }
        content.append(SVGElement("path", attributes))
      }
    }
    let names = panels.map(\.name).joined(separator: ", ")
    return Figure(
      width: width, height: height, title: title,
      description:
        "One panel per activation function (\(names)), each with the function as a solid line and its derivative dashed, over the same inputs.",
      caption: caption, content: content)
  }
}

/// A heat map of counts with the numbers written in: confusion matrices.
public struct CountMatrix: Sendable {
  public var title: String
  public var rowLabel: String
  public var columnLabel: String
  public var names: [String]
  public var counts: [[Int]]

  public init(
    title: String, rowLabel: String, columnLabel: String, names: [String], counts: [[Int]]
  ) {
    self.title = title
    self.rowLabel = rowLabel
    self.columnLabel = columnLabel
    self.names = names
    self.counts = counts
  }

  public func figure(caption: String) -> Figure {
    let n = counts.count
    let cell = max(22, min(48, 420 / Double(max(1, n))))
    let left = 90.0
    let top = 64.0
    let width = left + cell * Double(n) + 30
    let height = top + cell * Double(n) + 40
    let largest = Double(counts.flatMap { $0 }.max() ?? 1)
    var content: [SVGElement] = [titleElement(title, width: width)]
    content.append(
      text(columnLabel, x: left + cell * Double(n) / 2, y: 38, anchor: "middle", size: 11))
    content.append(
      SVGElement(
        "text",
        [
          ("transform", "translate(24 \(number(top + cell * Double(n) / 2))) rotate(-90)"),
          ("text-anchor", "middle"), ("font-size", "11"),
        ], text: rowLabel))
    for (r, row) in counts.enumerated() {
      content.append(
        text(
          names.indices.contains(r) ? names[r] : "\(r)", x: left - 8,
          y: top + cell * (Double(r) + 0.5) + 4, anchor: "end", size: 11))
      for (c, count) in row.enumerated() {
        let fraction = largest > 0 ? Double(count) / largest : 0
        content.append(
          SVGElement(
            "rect",
            [
              ("x", number(left + cell * Double(c))), ("y", number(top + cell * Double(r))),
              ("width", number(cell)), ("height", number(cell)),
              ("fill", ColorScale.sequential(fraction)), ("stroke", "#fff"),
            ],
            children: [
              SVGElement(
                "title",
                text:
                  "actual \(names.indices.contains(r) ? names[r] : "\(r)"), predicted \(names.indices.contains(c) ? names[c] : "\(c)"): \(count)"
              )
            ]))
        content.append(
          text(
            String(count), x: left + cell * (Double(c) + 0.5),
            y: top + cell * (Double(r) + 0.5) + 4, anchor: "middle", size: min(12, cell / 2.4),
            fill: fraction > 0.55 ? "#000" : "#fff"))
      }
    }
    for c in 0..<n {
      content.append(
        text(
          names.indices.contains(c) ? names[c] : "\(c)", x: left + cell * (Double(c) + 0.5),
          y: top - 6, anchor: "middle", size: 11))
    }
    let correct = (0..<n).reduce(0) { $0 + (counts[$1].indices.contains($1) ? counts[$1][$1] : 0) }
    let total = counts.flatMap { $0 }.reduce(0, +)
    return Figure(
      width: width, height: height, title: title,
      description:
        "A \(n)×\(n) confusion matrix: rows are actual classes, columns predicted ones; \(correct) of \(total) samples lie on the diagonal.",
      caption: caption, content: content)
  }
}

/// Small multiples: several figures of the same kind and axes (decision regions for a
/// grid of α), laid out in rows under one title, each keeping its own title.
public struct SmallMultiples: Sendable {
  public var panels: [Figure]
  public var columns: Int
  public var title: String

  public init(panels: [Figure], columns: Int, title: String) {
    self.panels = panels
    self.columns = max(1, columns)
    self.title = title
  }

  public func figure(caption: String) -> Figure {
    let cellWidth = panels.map(\.width).max() ?? 0
    let cellHeight = panels.map(\.height).max() ?? 0
    let rows = (panels.count + columns - 1) / columns
    let width = cellWidth * Double(min(columns, panels.count))
    let top = 30.0
    var content = [titleElement(title, width: width)]
    for (k, panel) in panels.enumerated() {
      let x = Double(k % columns) * cellWidth
      let y = top + Double(k / columns) * cellHeight
      content.append(
        SVGElement(
          "g", [("transform", "translate(\(number(x)) \(number(y)))")], children: panel.content))
    }
    return Figure(
      width: width, height: top + Double(rows) * cellHeight, title: title, description: caption,
      caption: caption, content: content)
  }
}
