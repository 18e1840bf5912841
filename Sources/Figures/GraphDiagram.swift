/// A scalar computation graph: nodes with their operation, forward value and gradient,
/// edges with their local derivatives, laid out left to right so that every edge runs
/// from one column to a later one and enters the node it feeds.
public struct GraphDiagram: Sendable {
  public struct Node: Sendable {
    public var label: String
    /// The expression the node computes (`a·b`), or `input` / `constant` for a leaf.
    public var detail: String
    public var value: String
    public var gradient: String
    public var inputs: [(index: Int, local: String)]
    /// The operation's symbol (`×`, `+`, `sin`, `^`, `exp`); nil for inputs and constants.
    public var operation: String?
    /// A true constant of the expression (the `3` of `3·v`).
    public var isConstant: Bool

    public init(
      label: String, detail: String, value: String, gradient: String,
      inputs: [(index: Int, local: String)], operation: String? = nil, isConstant: Bool = false
    ) {
      self.label = label
      self.detail = detail
      self.value = value
      self.gradient = gradient
      self.inputs = inputs
      self.operation = operation
      self.isConstant = isConstant
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

  static let rowHeight = 104.0
  static let boxHeight = 50.0
  static let gap = 70.0

  /// Each node's column: an operation one past its latest input; a leaf (input or
  /// constant) just before the first node that uses it, so its edges are short.
  private func columns() -> [Int] {
    var column = Array(repeating: 0, count: nodes.count)
    for (i, node) in nodes.enumerated() where !node.inputs.isEmpty {
      column[i] =
        (node.inputs.compactMap { column.indices.contains($0.index) ? column[$0.index] : nil }
          .max() ?? -1) + 1
    }
    var consumers = Array(repeating: [Int](), count: nodes.count)
    for (i, node) in nodes.enumerated() {
      for input in node.inputs where nodes.indices.contains(input.index) {
        consumers[input.index].append(i)
      }
    }
    for (i, node) in nodes.enumerated() where node.inputs.isEmpty {
      column[i] = max(0, (consumers[i].map { column[$0] }.min() ?? 1) - 1)
    }
    return column
  }

  public func figure(caption: String) -> Figure {
    let column = columns()
    let columnCount = (column.max() ?? 0) + 1
    // Within a column, nodes are ordered by the mean row of what they connect to (two
    // sweeps of the barycentre heuristic), which keeps edges from crossing boxes.
    var members = (0..<columnCount).map { c in nodes.indices.filter { column[$0] == c } }
    var row = Array(repeating: 0.0, count: nodes.count)
    func number(_ column: [Int]) {
      for (k, i) in column.enumerated() { row[i] = Double(k) - Double(column.count - 1) / 2 }
    }
    members.forEach(number)
    var neighbours = Array(repeating: [Int](), count: nodes.count)
    for (i, node) in nodes.enumerated() {
      for input in node.inputs where nodes.indices.contains(input.index) {
        neighbours[i].append(input.index)
        neighbours[input.index].append(i)
      }
    }
    for _ in 0..<2 {
      for c in members.indices {
        let centre = { (i: Int) -> Double in
          let around = neighbours[i].map { row[$0] }
          return around.isEmpty ? row[i] : around.reduce(0, +) / Double(around.count)
        }
        members[c] = members[c].map { ($0, centre($0)) }
          .sorted { ($0.1, $0.0) < ($1.1, $1.0) }.map(\.0)
        number(members[c])
      }
    }
    let tallest = members.map(\.count).max() ?? 1
    let badges = nodes.map { node in
      node.operation.map { max(22, TextWidth.of($0, size: Self.badgeSize($0)) + 10) } ?? 0
    }
    let boxWidths = nodes.indices.map { i in
      let node = nodes[i]
      return max(
        96,
        max(
          TextWidth.of("\(node.label) = \(node.value)", size: 13),
          TextWidth.of(node.detail, size: 11)) + 20 + (badges[i] > 0 ? badges[i] + 8 : 0))
    }
    let columnWidths = members.map { $0.map { boxWidths[$0] }.max() ?? 96 }
    var columnLeft: [Double] = []
    var left = 24.0
    for width in columnWidths {
      columnLeft.append(left)
      left += width + Self.gap
    }
    let width = left - Self.gap + 24
    let height = Double(tallest) * Self.rowHeight + 70
    var slot = Array(repeating: 0, count: nodes.count)
    for c in members.indices { for (k, i) in members[c].enumerated() { slot[i] = k } }
    func centre(_ i: Int) -> (x: Double, y: Double) {
      let c = column[i]
      let count = Double(members[c].count)
      return (
        columnLeft[c] + columnWidths[c] / 2,
        50 + (height - 70) * (Double(slot[i]) + 0.5) / count
      )
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
            children: [SVGElement("path", [("d", "M0 0 L10 5 L0 10 z"), ("fill", "#555")])])
        ])
    ]
    var boxes: [SVGElement] = []
    var labels: [SVGElement] = []
    // Boxes and labels placed so far, as left, top, right, bottom.
    var taken: [LabelBox] = nodes.indices.map { i in
      let (x, y) = centre(i)
      return LabelBox(
        left: x - boxWidths[i] / 2, top: y - Self.boxHeight / 2, right: x + boxWidths[i] / 2,
        bottom: y + Self.boxHeight / 2 + 18)
    }
    for (i, node) in nodes.enumerated() {
      let (x, y) = centre(i)
      // The inputs arrive at the box's left side, spread so each arrow is its own.
      let inputs = node.inputs.filter { nodes.indices.contains($0.index) }
        .sorted { centre($0.index).y < centre($1.index).y }
      for (k, input) in inputs.enumerated() {
        let (x0, y0) = centre(input.index)
        let start = (x0 + boxWidths[input.index] / 2, y0)
        let spread = Self.boxHeight * 0.6
        let offset =
          inputs.count == 1 ? 0 : -spread / 2 + spread * Double(k) / Double(inputs.count - 1)
        let end = (x - boxWidths[i] / 2, y + offset)
        edges.append(
          SVGElement(
            "path",
            [
              (
                "d",
                "M\(Figures.number(start.0)) \(Figures.number(start.1)) C\(Figures.number(start.0 + Self.gap * 0.6)) \(Figures.number(start.1)) \(Figures.number(end.0 - Self.gap * 0.6)) \(Figures.number(end.1)) \(Figures.number(end.0)) \(Figures.number(end.1))"
              ),
              ("fill", "none"), ("stroke", "#555"), ("stroke-width", "1.5"),
              ("marker-end", "url(#arrow)"),
            ]))
        // The local derivative sits on the edge near the node it feeds, clear of boxes
        // and other labels.
        let label = "∂=\(input.local)"
        let half = TextWidth.of(label, size: 11) / 2 + 2
        let spot = stride(from: 0.7, through: 0.2, by: -0.05).lazy.map { t -> LabelBox in
          let (px, py) = Self.bezier(start, end, gap: Self.gap, t: t)
          return LabelBox(left: px - half, top: py - 8, right: px + half, bottom: py + 7)
        }.first { box in !taken.contains { $0.overlaps(box) } }
        if let box = spot {
          taken.append(box)
          // A white plate under the label: the edge runs under it, never through its digits.
          labels.append(
            SVGElement(
              "rect",
              [
                ("x", Figures.number(box.left)), ("y", Figures.number(box.top + 1)),
                ("width", Figures.number(box.right - box.left)),
                ("height", Figures.number(box.bottom - box.top - 1)), ("rx", "2"),
                ("fill", "#ffffff"),
              ]))
          labels.append(
            haloed(
              text(
                label, x: (box.left + box.right) / 2, y: box.bottom - 3, anchor: "middle",
                size: 11, fill: "#005a8c")))
        }
      }
      let isOutput = node.label == output
      let boxLeft = x - boxWidths[i] / 2
      boxes.append(
        SVGElement(
          "rect",
          [
            ("x", Figures.number(boxLeft)), ("y", Figures.number(y - Self.boxHeight / 2)),
            ("width", Figures.number(boxWidths[i])), ("height", Figures.number(Self.boxHeight)),
            ("rx", "6"),
            (
              "fill",
              isOutput
                ? "#fbe9dc"
                : node.isConstant ? "#f3f3f3" : node.operation == nil ? "#e8f1f8" : "#ffffff"
            ),
            ("stroke", "#333"), ("stroke-dasharray", node.isConstant ? "4 3" : "none"),
          ],
          children: [
            SVGElement(
              "title",
              text:
                "\(node.label) = \(node.detail): value \(node.value), ∂\(output)/∂\(node.label) = \(node.gradient)"
            )
          ]))
      let badge = badges[i]
      let textX = badge > 0 ? boxLeft + 6 + badge + (boxWidths[i] - badge - 6) / 2 : x
      if let operation = node.operation {
        // The operation in a badge at the box's left.
        boxes.append(
          SVGElement(
            "rect",
            [
              ("x", Figures.number(boxLeft + 6)), ("y", Figures.number(y - 11)),
              ("width", Figures.number(badge)), ("height", "22"), ("rx", "11"),
              ("fill", "#eef3f7"), ("stroke", "#555"),
            ]))
        boxes.append(
          text(
            operation, x: boxLeft + 6 + badge / 2, y: y + Self.badgeSize(operation) * 0.35,
            anchor: "middle", size: Self.badgeSize(operation), weight: "bold"))
      }
      boxes.append(
        text(
          "\(node.label) = \(node.value)", x: textX, y: y - 4, anchor: "middle", size: 13,
          weight: "bold"))
      boxes.append(text(node.detail, x: textX, y: y + 14, anchor: "middle", size: 11, fill: "#444"))
      boxes.append(
        text(
          "∂\(output)/∂\(Self.operand(node.label)) = \(node.gradient)", x: x,
          y: y + Self.boxHeight / 2 + 15,
          anchor: "middle", size: 11, fill: "#a63d00"))
    }
    return Figure(
      width: width, height: height, title: title,
      description:
        "The computation graph of \(output): \(nodes.count) nodes from the inputs on the left to \(output) on the right; each node shows its operation, its value and, below it, the derivative of \(output) with respect to it; each edge shows its local derivative.",
      caption: caption,
      // A graph wider than a laptop's column scrolls in its box: its title starts at the
      // left, where the reader is, rather than centred out of sight.
      content: [
        width > 1088
          ? text(title, x: 12, y: 20, anchor: "start", size: 14, weight: "bold")
          : titleElement(title, width: width)
      ] + edges + boxes + labels)
  }

  /// An operation's symbol is drawn large; a function's name smaller.
  static func badgeSize(_ operation: String) -> Double { operation.count > 1 ? 10 : 14 }

  /// A point at `t` on the edge's curve (a cubic Bézier with horizontal tangents).
  static func bezier(
    _ start: (Double, Double), _ end: (Double, Double), gap: Double, t: Double
  ) -> (Double, Double) {
    let c1 = (start.0 + gap * 0.6, start.1)
    let c2 = (end.0 - gap * 0.6, end.1)
    let u = 1 - t
    let a = u * u * u
    let b = 3 * u * u * t
    let c = 3 * u * t * t
    let d = t * t * t
    return (
      a * start.0 + b * c1.0 + c * c2.0 + d * end.0,
      a * start.1 + b * c1.1 + c * c2.1 + d * end.1
    )
  }

  /// A label as the operand of ∂: a compound expression in parentheses, so that
  /// `∂L/∂(1 − y)` is the derivative by 1 − y, not ∂L/∂1 minus y.
  static func operand(_ label: String) -> String {
    guard label.contains(where: { " +−-·×/÷^".contains($0) }) else { return label }
    return "(" + label + ")"
  }
}
