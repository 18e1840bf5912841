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

/// A grid of small grey images (the 8×8 digits) with their true and predicted labels,
/// wrong predictions framed in red.
public struct ImageGrid: Sendable {
  public struct Image: Sendable {
    /// Row-major pixel intensities in [0, 1].
    public var pixels: [Double]
    public var side: Int
    public var truth: String
    public var prediction: String?
    public init(pixels: [Double], side: Int, truth: String, prediction: String?) {
      self.pixels = pixels
      self.side = side
      self.truth = truth
      self.prediction = prediction
    }
  }

  public var images: [Image]
  public var title: String
  public var columns: Int

  public init(images: [Image], title: String, columns: Int = 10) {
    self.images = images
    self.title = title
    self.columns = max(1, columns)
  }

  public func figure(caption: String) -> Figure {
    let size = 56.0
    let gap = 14.0
    let columns = min(self.columns, max(1, images.count))
    let rows = (images.count + columns - 1) / columns
    let width = Double(columns) * (size + gap) + gap
    let height = Double(rows) * (size + gap + 16) + 40
    var content: [SVGElement] = [titleElement(title, width: width)]
    var wrong = 0
    for (index, image) in images.enumerated() {
      let left = gap + Double(index % columns) * (size + gap)
      let top = 34 + Double(index / columns) * (size + gap + 16)
      let pixel = size / Double(max(1, image.side))
      var cells: [SVGElement] = []
      for (k, value) in image.pixels.enumerated() {
        let grey = Int((255 * (1 - max(0, min(1, value)))).rounded())
        cells.append(
          SVGElement(
            "rect",
            [
              ("x", number(left + Double(k % image.side) * pixel)),
              ("y", number(top + Double(k / image.side) * pixel)), ("width", number(pixel + 0.3)),
              ("height", number(pixel + 0.3)), ("fill", "rgb(\(grey),\(grey),\(grey))"),
            ]))
      }
      let isWrong = image.prediction.map { $0 != image.truth } ?? false
      if isWrong { wrong += 1 }
      cells.append(
        SVGElement(
          "rect",
          [
            ("x", number(left - 1)), ("y", number(top - 1)), ("width", number(size + 2)),
            ("height", number(size + 2)), ("fill", "none"),
            ("stroke", isWrong ? "#D55E00" : "#999"), ("stroke-width", isWrong ? "3" : "1"),
          ]))
      let label = image.prediction.map { "\(image.truth) → \($0)" } ?? image.truth
      cells.append(
        text(
          label, x: left + size / 2, y: top + size + 13, anchor: "middle", size: 11,
          weight: isWrong ? "bold" : nil, fill: isWrong ? "#D55E00" : "#222"))
      content.append(
        SVGElement(
          "g", [],
          children: [
            SVGElement(
              "title",
              text: isWrong
                ? "true \(image.truth), predicted \(image.prediction ?? "")" : "true \(image.truth)"
            )
          ] + cells))
    }
    let predicted = images.contains { $0.prediction != nil }
    return Figure(
      width: width, height: height, title: title,
      description:
        "\(images.count) images\(predicted ? " labelled true → predicted; \(wrong) misclassified, framed in orange" : " with their labels").",
      caption: caption, content: content)
  }
}

/// A scalar computation graph: nodes with their forward values and gradients, edges
/// with their local derivatives.
public struct GraphDiagram: Sendable {
  public struct Node: Sendable {
    public var label: String
    public var detail: String
    public var value: String
    public var gradient: String
    public var inputs: [(index: Int, local: String)]
    public init(
      label: String, detail: String, value: String, gradient: String,
      inputs: [(index: Int, local: String)]
    ) {
      self.label = label
      self.detail = detail
      self.value = value
      self.gradient = gradient
      self.inputs = inputs
    }
  }

  public var nodes: [Node]
  public var title: String
  public var output: String

  public init(nodes: [Node], title: String, output: String) {
    self.nodes = nodes
    self.title = title
    self.output = output
  }

  public func figure(caption: String) -> Figure {
    // Depth: the longest path from an input.
    var depth = Array(repeating: 0, count: nodes.count)
    for (i, node) in nodes.enumerated() {
      depth[i] =
        node.inputs.map { depth.indices.contains($0.index) ? depth[$0.index] + 1 : 0 }.max() ?? 0
    }
    let columns = (depth.max() ?? 0) + 1
    var rowsInColumn = Array(repeating: 0, count: columns)
    var slot = Array(repeating: 0, count: nodes.count)
    for i in nodes.indices {
      slot[i] = rowsInColumn[depth[i]]
      rowsInColumn[depth[i]] += 1
    }
    let tallest = rowsInColumn.max() ?? 1
    let columnWidth = 170.0
    let rowHeight = 96.0
    let width = Double(columns) * columnWidth + 40
    let height = Double(tallest) * rowHeight + 80
    func center(_ i: Int) -> (Double, Double) {
      let count = Double(rowsInColumn[depth[i]])
      let x = 40 + columnWidth * (Double(depth[i]) + 0.5) - 20
      let y = 56 + (height - 80) * (Double(slot[i]) + 0.5) / count
      return (x, y)
    }
    var edges: [SVGElement] = [
      SVGElement(
        "defs", [],
        children: [
          SVGElement(
            "marker",
            [
              ("id", "arrow"), ("viewBox", "0 0 10 10"), ("refX", "10"), ("refY", "5"),
              ("markerWidth", "7"), ("markerHeight", "7"), ("orient", "auto"),
            ],
            children: [SVGElement("path", [("d", "M0 0 L10 5 L0 10 z"), ("fill", "#666")])])
        ])
    ]
    var boxes: [SVGElement] = []
    let boxWidth = 104.0
    let boxHeight = 46.0
    for (i, node) in nodes.enumerated() {
      let (x, y) = center(i)
      for input in node.inputs where nodes.indices.contains(input.index) {
        let (x0, y0) = center(input.index)
        let start = (x0 + boxWidth / 2, y0)
        let end = (x - boxWidth / 2, y)
        edges.append(
          SVGElement(
            "line",
            [
              ("x1", number(start.0)), ("y1", number(start.1)), ("x2", number(end.0)),
              ("y2", number(end.1)), ("stroke", "#666"), ("stroke-width", "1.5"),
              ("marker-end", "url(#arrow)"),
            ]))
        let mid = ((start.0 + end.0) / 2, (start.1 + end.1) / 2 - 5)
        edges.append(
          text("∂=\(input.local)", x: mid.0, y: mid.1, anchor: "middle", size: 10, fill: "#0072B2"))
      }
      let isOutput = node.label == output
      boxes.append(
        SVGElement(
          "rect",
          [
            ("x", number(x - boxWidth / 2)), ("y", number(y - boxHeight / 2)),
            ("width", number(boxWidth)), ("height", number(boxHeight)), ("rx", "6"),
            ("fill", isOutput ? "#fbe9dc" : (node.inputs.isEmpty ? "#e8f1f8" : "#f6f6f6")),
            ("stroke", "#333"),
          ],
          children: [
            SVGElement(
              "title",
              text:
                "\(node.label) = \(node.detail): value \(node.value), ∂\(output)/∂\(node.label) = \(node.gradient)"
            )
          ]))
      boxes.append(
        text(
          "\(node.label) = \(node.value)", x: x, y: y - 4, anchor: "middle", size: 12,
          weight: "bold"))
      boxes.append(text(node.detail, x: x, y: y + 12, anchor: "middle", size: 10, fill: "#555"))
      boxes.append(
        text(
          "∂\(output)/∂\(node.label) = \(node.gradient)", x: x, y: y + boxHeight / 2 + 14,
          anchor: "middle", size: 10, fill: "#D55E00"))
    }
    return Figure(
      width: width, height: height, title: title,
      description:
        "The computation graph of \(output): \(nodes.count) nodes from the inputs on the left to \(output) on the right; each node shows its value and, below it, the derivative of \(output) with respect to it; each edge shows its local derivative.",
      caption: caption, content: [titleElement(title, width: width)] + edges + boxes)
  }
}
