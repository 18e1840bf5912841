import Foundation

/// Grids of numbers side by side, joined by operators — an image, a kernel and the feature
/// map they make (`x ∗ k = z`), or a map and its pooled map — each cell shaded by its value
/// and written in, with frames marking a window on one grid and the cell it gives on
/// another (a receptive field).
public struct NumberGrids: Sendable {
  public struct Grid: Sendable {
    public var title: String
    /// Row by row; each value's text as shown (it may carry a figure mark).
    public var values: [[Double]]
    public var labels: [[String]]
    /// Cells drawn lighter: the zeros of a padding ring.
    public var faint: Set<Int>
    public init(title: String, values: [[Double]], labels: [[String]], faint: Set<Int> = []) {
      self.title = title
      self.values = values
      self.labels = labels
      self.faint = faint
    }
  }

  /// A frame over cells `rows × columns` of grid `grid`, in one of the palette's colours.
  public struct Frame: Sendable {
    public var grid: Int
    public var rows: ClosedRange<Int>
    public var columns: ClosedRange<Int>
    public var color: Int
    public init(grid: Int, rows: ClosedRange<Int>, columns: ClosedRange<Int>, color: Int = 1) {
      self.grid = grid
      self.rows = rows
      self.columns = columns
      self.color = color
    }
  }

  public var title: String
  public var grids: [Grid]
  /// Between grid k and k + 1 (`∗`, `=`, `→`).
  public var operators: [String]
  public var frames: [Frame]

  public init(title: String, grids: [Grid], operators: [String], frames: [Frame]) {
    self.title = title
    self.grids = grids
    self.operators = operators
    self.frames = frames
  }

  public func figure(caption: String) -> Figure {
    let widest =
      grids.flatMap { $0.labels.flatMap { $0 } }.map {
        TextWidth.of($0, size: 11)
      }.max() ?? 10
    let cell = max(26, min(44, widest + 10))
    let gap = 34.0
    let top = 56.0
    // Each grid in a slot as wide as it or its title, centred in it.
    var x = 16.0
    var lefts: [Double] = []
    var ends: [Double] = []
    for grid in grids {
      let span = cell * Double(grid.labels.first?.count ?? 0)
      let slot = max(span, TextWidth.of(grid.title, size: 12) * 1.1 + 8)
      lefts.append(x + (slot - span) / 2)
      ends.append(x + slot)
      x += slot + gap
    }
    let tallest = grids.map { Double($0.labels.count) }.max() ?? 0
    let width = max(x - gap + 16, TextWidth.of(title, size: 14) + 24)
    let height = top + cell * tallest + 18
    var content: [SVGElement] = [titleElement(title, width: width)]
    for (k, grid) in grids.enumerated() {
      let left = lefts[k]
      let columns = grid.labels.first?.count ?? 0
      let gridTop = top + (cell * tallest - cell * Double(grid.labels.count)) / 2
      content.append(
        text(
          grid.title, x: left + cell * Double(columns) / 2, y: gridTop - 8, anchor: "middle",
          size: 12, weight: "bold"))
      let magnitude = grid.values.flatMap { $0 }.map { abs($0) }.max() ?? 0
      for (r, row) in grid.labels.enumerated() {
        for (c, label) in row.enumerated() {
          let value =
            grid.values.indices.contains(r) && grid.values[r].indices.contains(c)
            ? grid.values[r][c] : 0
          let fraction = magnitude > 0 ? 0.5 + value / magnitude / 2 : 0.5
          let faint = grid.faint.contains(r * columns + c)
          content.append(
            SVGElement(
              "rect",
              [
                ("x", number(left + cell * Double(c))), ("y", number(gridTop + cell * Double(r))),
                ("width", number(cell)), ("height", number(cell)),
                ("fill", faint ? "#f4f4f4" : ColorScale.diverging(fraction)),
                ("stroke", "#999"), ("stroke-width", "0.5"),
              ]))
          let dark = !faint && abs(fraction - 0.5) > 0.32
          content.append(
            text(
              label, x: left + cell * (Double(c) + 0.5), y: gridTop + cell * (Double(r) + 0.5) + 4,
              anchor: "middle", size: 11, fill: faint ? "#888" : dark ? "#fff" : "#000"))
        }
      }
      if k < operators.count {
        content.append(
          text(
            operators[k], x: ends[k] + gap / 2,
            y: top + cell * tallest / 2 + 6, anchor: "middle", size: 18, weight: "bold"))
      }
    }
    for frame in frames where grids.indices.contains(frame.grid) {
      let grid = grids[frame.grid]
      let gridTop = top + (cell * tallest - cell * Double(grid.labels.count)) / 2
      content.append(
        SVGElement(
          "rect",
          [
            ("x", number(lefts[frame.grid] + cell * Double(frame.columns.lowerBound))),
            ("y", number(gridTop + cell * Double(frame.rows.lowerBound))),
            ("width", number(cell * Double(frame.columns.count))),
            ("height", number(cell * Double(frame.rows.count))), ("fill", "none"),
            ("stroke", Palette.color(frame.color)), ("stroke-width", "3"),
          ]))
    }
    let shapes = grids.map { "\($0.title) (\($0.labels.count)×\($0.labels.first?.count ?? 0))" }
    return Figure(
      width: width, height: height, title: title,
      description:
        "Grids of numbers side by side: \(shapes.joined(separator: ", ")); each cell is shaded by its value, and framed cells mark a window and the cell it gives.",
      caption: caption, content: content)
  }
}

/// A recurrent cell unrolled over its steps: a box per state h₁ … h_T with its value, the
/// input x_t below each, arrows from each state to the next, and under the states a bar per
/// step for the size of the gradient that reaches it (the vanishing gradient in time).
public struct UnrolledRecurrence: Sendable {
  public var title: String
  /// Each step's input and state, as shown.
  public var inputs: [String]
  public var states: [String]
  public var initialState: String
  /// |∂L/∂h_t| per step, with its text; empty for a forward pass alone.
  public var gradientSizes: [(size: Double, label: String)]

  public init(
    title: String, inputs: [String], states: [String], initialState: String,
    gradientSizes: [(size: Double, label: String)]
  ) {
    self.title = title
    self.inputs = inputs
    self.states = states
    self.initialState = initialState
    self.gradientSizes = gradientSizes
  }

  public func figure(caption: String) -> Figure {
    let steps = states.count
    let labels = states + inputs + [initialState]
    // Past ten steps the chain wraps, ten steps a row, each row starting from the state
    // it reads: narrow enough for a page and a phone.
    let many = steps > 10
    let perRow = many ? 10 : max(1, steps)
    let rows = (steps + perRow - 1) / perRow
    let box = max(many ? 48 : 64, (labels.map { TextWidth.of($0, size: 11) }.max() ?? 0) + 12)
    let gap = many ? 14.0 : 30.0
    let left = 16.0
    let width = left * 2 + Double(perRow + 1) * (box + gap) - gap
    let barHeight = gradientSizes.isEmpty ? 0 : 70.0
    let rowHeight = gradientSizes.isEmpty ? 110.0 : 270.0
    let height = 36 + Double(rows) * rowHeight
    var content: [SVGElement] = [
      titleElement(title, width: max(width, TextWidth.of(title, size: 14) + 24))
    ]
    content.append(
      SVGElement(
        "defs",
        children: [
          SVGElement(
            "marker",
            [
              ("id", "unrolled-arrow"), ("viewBox", "0 0 10 10"), ("refX", "9"), ("refY", "5"),
              ("markerWidth", "7"), ("markerHeight", "7"), ("orient", "auto"),
            ], children: [SVGElement("path", [("d", "M0 0 L10 5 L0 10 z"), ("fill", "#555")])])
        ]))
    func boxElement(_ x: Double, _ y: Double, _ title: String, _ value: String, fill: String)
      -> [SVGElement]
    {
      [
        SVGElement(
          "rect",
          [
            ("x", number(x)), ("y", number(y)), ("width", number(box)), ("height", "44"),
            ("rx", "6"), ("fill", fill), ("stroke", "#555"),
          ]),
        text(title, x: x + box / 2, y: y + 17, anchor: "middle", size: 11, weight: "bold"),
        text(value, x: x + box / 2, y: y + 34, anchor: "middle", size: 11),
      ]
    }
    func arrow(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double) -> SVGElement {
      SVGElement(
        "line",
        [
          ("x1", number(x1)), ("y1", number(y1)), ("x2", number(x2)), ("y2", number(y2)),
          ("stroke", "#555"), ("stroke-width", "1.5"), ("marker-end", "url(#unrolled-arrow)"),
        ])
    }
    let largest = gradientSizes.map(\.size).max() ?? 0
    let smallest = gradientSizes.map(\.size).filter { $0 > 0 }.min() ?? 0
    // Sizes spanning more than two decades are drawn on a log scale, so the small ones
    // still show (the vanishing gradient is the point of the figure).
    let logarithmic = smallest > 0 && largest / smallest > 100
    func bar(_ size: Double) -> Double {
      guard largest > 0, size > 0 else { return 1 }
      guard logarithmic else { return max(1, barHeight * size / largest) }
      let span = log10(largest) - log10(smallest)
      return max(2, barHeight * (0.08 + 0.92 * (log10(size) - log10(smallest)) / span))
    }
    for row in 0..<rows {
      let top = 36 + Double(row) * rowHeight
      let stateTop = top + 14
      let inputTop = top + 88
      let barTop = top + 160
      let first = row * perRow
      content += boxElement(
        left, stateTop, "h\(lowered(first))", first == 0 ? initialState : states[first - 1],
        fill: "#f4f4f4")
      for t in first..<min(steps, first + perRow) {
        let x = left + Double(t - first + 1) * (box + gap)
        content.append(arrow(x - gap, stateTop + 22, x, stateTop + 22))
        content += boxElement(x, stateTop, "h\(lowered(t + 1))", states[t], fill: "#eef4fb")
        if inputs.indices.contains(t) {
          content += boxElement(x, inputTop, "x\(lowered(t + 1))", inputs[t], fill: "#fff")
          content.append(arrow(x + box / 2, inputTop, x + box / 2, stateTop + 44))
        }
        if gradientSizes.indices.contains(t), largest > 0 {
          let (size, label) = gradientSizes[t]
          let h = bar(size)
          content.append(
            SVGElement(
              "rect",
              [
                ("x", number(x + box / 4)), ("y", number(barTop + barHeight - h)),
                ("width", number(box / 2)), ("height", number(h)), ("fill", Palette.color(1)),
              ]))
          content.append(
            text(label, x: x + box / 2, y: barTop + barHeight + 16, anchor: "middle", size: 11))
        }
      }
      if !gradientSizes.isEmpty {
        content.append(
          text(
            "|∂L/∂hₜ|", x: left + box / 2, y: barTop + barHeight / 2 + 4, anchor: "middle",
            size: 12, weight: "bold"))
        if logarithmic {
          content.append(
            text(
              "log scale", x: left + box / 2, y: barTop + barHeight / 2 + 20, anchor: "middle",
              size: 11))
        }
      }
    }
    return Figure(
      width: max(width, TextWidth.of(title, size: 14) + 24), height: height, title: title,
      description:
        "A recurrent cell unrolled over \(steps) steps: each state feeds the next, each input its step's state"
        + (gradientSizes.isEmpty
          ? "."
          : "; bars under the states show the size of the gradient that reaches each one"
            + (logarithmic ? ", on a log scale." : ".")),
      caption: caption, content: content)
  }

  /// t as subscript digits (h₁₂).
  private func lowered(_ t: Int) -> String {
    let digits: [Character] = ["₀", "₁", "₂", "₃", "₄", "₅", "₆", "₇", "₈", "₉"]
    return String(String(t).compactMap { $0.wholeNumberValue.map { digits[$0] } })
  }
}
