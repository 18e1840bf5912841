/// A feed-forward network drawn the textbook's way: units in columns (inputs left), bias
/// units, unit labels, and optionally the weight on each edge and the forward values in
/// the units.
public struct NetworkDiagram: Sendable {
  public struct Unit: Sendable {
    public var label: String
    /// Shown inside the unit (its output), if any.
    public var value: String?
    public init(label: String, value: String? = nil) {
      self.label = label
      self.value = value
    }
  }

  /// Columns of units: inputs, then each layer.
  public var columns: [[Unit]]
  /// `weights[l][i][j]`: the label on the edge from unit i of column l to unit j of column l + 1.
  public var weights: [[[String]]]?
  /// `biases[l][j]`: the label on the edge from the bias unit into unit j of column l + 1.
  public var biases: [[String]?]
  /// Column titles ("input", "hidden", "output").
  public var titles: [String]
  public var title: String
  public var width: Double
  public var height: Double

  public init(
    columns: [[Unit]], weights: [[[String]]]?, biases: [[String]?], titles: [String], title: String,
    width: Double = 640, height: Double = 360
  ) {
    self.columns = columns
    self.weights = weights
    self.biases = biases
    self.titles = titles
    self.title = title
    self.width = width
    self.height = height
  }

  /// More units than this in a column are elided, with "…" between the first and last.
  static let shownPerColumn = 10

  private struct Layout {
    var x: (Int) -> Double
    var y: (Int, Int) -> Double
    var shown: [[Int?]]
  }

  private func layout() -> Layout {
    let top = 56.0
    let bottom = height - 24
    let spacing = (width - 80) / Double(max(1, columns.count - 1))
    let count = columns.count
    let width = self.width
    let shown = columns.map { Self.visible($0.count) }
    return Layout(
      x: { 40 + spacing * Double($0) + (count == 1 ? (width - 80) / 2 : 0) },
      y: { column, slot in
        let places = Double(shown[column].count + 1)  // one place for the bias unit
        return top + (bottom - top) * (Double(slot) + 0.5) / places
      }, shown: shown)
  }

  static let radius = 17.0

  /// The weight labels of every layer that has room for them, and the layers that do not
  /// (too many edges, or a label that fits nowhere along its edge): those get a table.
  private func weightLabels(_ layout: Layout) -> (labels: [SVGElement], crowded: [Int]) {
    guard let weights else { return ([], []) }
    let radius = Self.radius
    var taken: [LabelBox] = []
    for (l, column) in layout.shown.enumerated() {
      for slot in column.indices {
        let (cx, cy) = (layout.x(l), layout.y(l, slot))
        taken.append(LabelBox(centre: cx, cy, width: 2 * radius, height: 2 * radius))
      }
      if biases.indices.contains(l), biases[l] != nil {
        let (bx, by) = (layout.x(l), layout.y(l, column.count))
        taken.append(LabelBox(centre: bx, by, width: 26, height: 26))
      }
      taken.append(LabelBox(left: layout.x(l) - 40, top: 30, right: layout.x(l) + 40, bottom: 48))
    }
    var labels: [SVGElement] = []
    var crowded: [Int] = []
    for l in 0..<(columns.count - 1) {
      // Every edge into this layer: (label, start, end), weights then the bias unit's.
      var edges: [(String, (Double, Double), (Double, Double))] = []
      for (slotI, i) in layout.shown[l].enumerated() {
        for (slotJ, j) in layout.shown[l + 1].enumerated() {
          guard let i, let j, weights.indices.contains(l), weights[l].indices.contains(i),
            weights[l][i].indices.contains(j)
          else { continue }
          edges.append(
            (
              weights[l][i][j], (layout.x(l) + radius, layout.y(l, slotI)),
              (layout.x(l + 1) - radius, layout.y(l + 1, slotJ))
            ))
        }
      }
      if biases.indices.contains(l), let bias = biases[l] {
        let (bx, by) = (layout.x(l), layout.y(l, layout.shown[l].count))
        for (slotJ, j) in layout.shown[l + 1].enumerated() {
          guard let j, bias.indices.contains(j), !bias[j].isEmpty else { continue }
          edges.append(
            (bias[j], (bx + 13, by), (layout.x(l + 1) - radius, layout.y(l + 1, slotJ))))
        }
      }
      guard edges.count <= 24 else {
        crowded.append(l)
        continue
      }
      // Each label goes on its edge as near its source as it fits, clear of every unit
      // and every label placed before it.
      var layerBoxes: [LabelBox] = []
      var layerLabels: [SVGElement] = []
      var fits = true
      for (label, start, end) in edges {
        let half = TextWidth.of(label, size: 10) / 2 + 2
        let spot = stride(from: 0.18, through: 0.74, by: 0.04).lazy.map { t -> LabelBox in
          let (x, y) = (start.0 + (end.0 - start.0) * t, start.1 + (end.1 - start.1) * t)
          return LabelBox(left: x - half, top: y - 7, right: x + half, bottom: y + 6)
        }.first { box in
          !taken.contains { $0.overlaps(box) } && !layerBoxes.contains { $0.overlaps(box) }
        }
        guard let box = spot else {
          fits = false
          break
        }
        layerBoxes.append(box)
        layerLabels.append(
          haloed(
            text(
              label, x: (box.left + box.right) / 2, y: box.bottom - 3, anchor: "middle", size: 10,
              fill: "#1d1d1f")))
      }
      if fits {
        labels += layerLabels
        taken += layerBoxes
      } else {
        crowded.append(l)
      }
    }
    return (labels, crowded)
  }

  /// The layers (0 = the first weight layer) whose weights are too dense to label on the
  /// diagram; a page shows them in a table beside it.
  public var crowdedLayers: [Int] { weightLabels(layout()).crowded }

  public func figure(caption: String) -> Figure {
    let radius = Self.radius
    let layout = layout()
    let (x, y, shown) = (layout.x, layout.y, layout.shown)
    var edges: [SVGElement] = []
    var nodes: [SVGElement] = []
    var labels: [SVGElement] = weightLabels(layout).labels
    for l in 0..<(columns.count - 1) {
      for (slotI, i) in shown[l].enumerated() {
        for (slotJ, j) in shown[l + 1].enumerated() {
          guard i != nil, j != nil else { continue }
          edges.append(
            line(
              x(l) + radius, y(l, slotI), x(l + 1) - radius, y(l + 1, slotJ), stroke: "#8a8a8a"))
        }
      }
      // The bias unit of the next layer, drawn under this column.
      if biases.indices.contains(l), biases[l] != nil {
        let bx = x(l)
        let by = y(l, shown[l].count)
        nodes.append(
          SVGElement(
            "rect",
            [
              ("x", number(bx - 13)), ("y", number(by - 13)), ("width", "26"), ("height", "26"),
              ("rx", "4"), ("fill", "#f3f3f3"), ("stroke", "#555"),
            ]))
        nodes.append(text("+1", x: bx, y: by + 4, anchor: "middle", size: 11))
        for (slotJ, j) in shown[l + 1].enumerated() where j != nil {
          edges.append(
            SVGElement(
              "line",
              [
                ("x1", number(bx + 13)), ("y1", number(by)),
                ("x2", number(x(l + 1) - radius)), ("y2", number(y(l + 1, slotJ))),
                ("stroke", "#b5b5b5"), ("stroke-dasharray", "4 3"),
              ]))
        }
      }
    }
    for (l, column) in columns.enumerated() {
      labels.append(
        text(
          titles.indices.contains(l) ? titles[l] : "", x: x(l), y: 44, anchor: "middle", size: 12,
          fill: "#555"))
      for (slot, index) in shown[l].enumerated() {
        guard let index else {
          nodes.append(text("⋮", x: x(l), y: y(l, slot) + 5, anchor: "middle", size: 16))
          continue
        }
        let unit = column[index]
        let fill = l == 0 ? "#e8f1f8" : (l == columns.count - 1 ? "#fbe9dc" : "#e6f4ef")
        nodes.append(
          SVGElement(
            "circle",
            [
              ("cx", number(x(l))), ("cy", number(y(l, slot))), ("r", number(radius)),
              ("fill", fill), ("stroke", "#333"),
            ],
            children: [
              SVGElement(
                "title",
                text: unit.value.map { "unit \(unit.label): \($0)" } ?? "unit \(unit.label)")
            ]))
        if let value = unit.value {
          nodes.append(
            text(unit.label, x: x(l), y: y(l, slot) - 3, anchor: "middle", size: 10, weight: "bold")
          )
          nodes.append(text(value, x: x(l), y: y(l, slot) + 10, anchor: "middle", size: 9))
        } else {
          nodes.append(
            text(unit.label, x: x(l), y: y(l, slot) + 4, anchor: "middle", size: 12, weight: "bold")
          )
        }
      }
    }
    let counts = columns.map { String($0.count) }.joined(separator: "-")
    return Figure(
      width: width, height: height, title: title,
      description:
        "A \(counts) network drawn as columns of units joined by weighted edges\(weights == nil ? "" : ", each edge labelled with its weight near the unit it leaves")\(columns.last?.first?.value == nil ? "" : ", each unit showing its output").",
      caption: caption,
      content: [
        titleElement(title, width: width), SVGElement("g", [("class", "edges")], children: edges),
        SVGElement("g", [("class", "units")], children: nodes),
        SVGElement("g", [("class", "labels")], children: labels),
      ])
  }

  /// The indices of the units shown in a column of `count`, `nil` standing for "…".
  static func visible(_ count: Int) -> [Int?] {
    guard count > shownPerColumn else { return Array(0..<count) }
    let head = shownPerColumn - 2
    return Array(0..<head) + [nil, count - 1]
  }
}
