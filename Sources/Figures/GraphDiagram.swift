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
