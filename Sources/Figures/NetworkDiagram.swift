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

  public func figure(caption: String) -> Figure {
    let radius = 17.0
    let top = 56.0
    let bottom = height - 24
    let spacing = (width - 80) / Double(max(1, columns.count - 1))
    func x(_ column: Int) -> Double {
      40 + spacing * Double(column) + (columns.count == 1 ? (width - 80) / 2 : 0)
    }
    let shown = columns.map { Self.visible($0.count) }
    func y(_ column: Int, _ slot: Int) -> Double {
      let count = Double(shown[column].count + 1)  // one place for the bias unit
      return top + (bottom - top) * (Double(slot) + 0.5) / count
    }
    var edges: [SVGElement] = []
    var labels: [SVGElement] = []
    var nodes: [SVGElement] = []
    for l in 0..<(columns.count - 1) {
      for (slotI, i) in shown[l].enumerated() {
        for (slotJ, j) in shown[l + 1].enumerated() {
          guard let i, let j else { continue }
          let (x1, y1, x2, y2) = (x(l) + radius, y(l, slotI), x(l + 1) - radius, y(l + 1, slotJ))
          edges.append(line(x1, y1, x2, y2, stroke: "#8a8a8a"))
          if let label = weights?[l][i][j], shown[l].count * shown[l + 1].count <= 16 {
            let t = 0.28 + 0.44 * Double(slotJ) / Double(max(1, shown[l + 1].count))
            labels.append(edgeLabel(label, x: x1 + (x2 - x1) * t, y: y1 + (y2 - y1) * t))
          }
        }
      }
      // The bias unit of the next layer, drawn under this column.
      if let bias = biases[l] {
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
        for (slotJ, j) in shown[l + 1].enumerated() {
          guard let j else { continue }
          let (x2, y2) = (x(l + 1) - radius, y(l + 1, slotJ))
          edges.append(
            SVGElement(
              "line",
              [
                ("x1", number(bx + 13)), ("y1", number(by)), ("x2", number(x2)), ("y2", number(y2)),
                ("stroke", "#b5b5b5"), ("stroke-dasharray", "4 3"),
              ]))
          if j < bias.count, shown[l + 1].count <= 6 {
            labels.append(
              edgeLabel(bias[j], x: bx + 13 + (x2 - bx - 13) * 0.62, y: by + (y2 - by) * 0.62))
          }
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
        "A \(counts) network drawn as columns of units joined by weighted edges\(weights == nil ? "" : ", each edge labelled with its weight")\(columns.last?.first?.value == nil ? "" : ", each unit showing its output").",
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

  private func edgeLabel(_ label: String, x: Double, y: Double) -> SVGElement {
    let width = 7 * Double(label.count) + 6
    return SVGElement(
      "g", [],
      children: [
        SVGElement(
          "rect",
          [
            ("x", number(x - width / 2)), ("y", number(y - 9)), ("width", number(width)),
            ("height", "14"), ("rx", "3"), ("fill", "white"), ("fill-opacity", "0.9"),
          ]),
        text(label, x: x, y: y + 2, anchor: "middle", size: 10),
      ])
  }
}
