import Figures
import NeuralEngine
import Notebook

/// ```pool NAME```: pooling worked by hand: each window's largest value or mean, the pooled
/// map, and with `upstream:` where each gradient goes back to (max pooling: to the window's
/// largest cell alone; average pooling: shared equally).
struct PoolingDirective: Directive {
  var input: [[Double]]?
  var from: String?
  var kind: Pooling2D.Kind = .max
  var size: [Double] = [2]
  var stride: [Double]?
  var padding: Window.Padding = .valid
  var upstream: [[Double]]?
  var figure = true

  static let kind = DirectiveKind.pool
  static let syntax: DirectiveSyntax = .options(
    name: .required("the name its values are stored under"))

  /// Nothing: it only reads.
  func changes(_ block: DirectiveBlock) -> [String] { [] }
  func reads(_ block: DirectiveBlock) -> [String] { from.map { [$0] } ?? [] }
  static let summary =
    "pooling worked by hand: each window's largest value or mean, the pooled map, and with `upstream:` the routes of the gradient"
  static let storedValues =
    "`p1_1`, `p1_2`… (each pooled cell, by row and column from 1), `rows` and `columns`; with `upstream:`, `dx1_1`… (∂L/∂input)"

  static var fields: [OptionField<Self>] {
    [
      .option(
        "input", \.input, .grid, "the map to pool: rows of numbers",
        example: "input: 1 3 2 1; 4 6 5 0; 3 1 1 2; 0 2 4 3", default: "the map of `from:`"),
      .option(
        "from", \.from, .name, "a `conv` block whose feature map is pooled", example: "from: edge",
        default: "none: `input:` is pooled"),
      .option("kind", \.kind, .choice, "the pooling", example: "kind: average"),
      .option(
        "size", \.size, .numbers, "the pool's size: one number, or rows then columns",
        example: "size: 2"),
      .option(
        "stride", \.stride, .numbers, "the step between windows: one number, or rows then columns",
        example: "stride: 1", default: "the pool's size (Keras's default)"),
      .option(
        "padding", \.padding, .choice, "`valid` or `same` (padded cells are not counted)",
        example: "padding: same"),
      .option(
        "upstream", \.upstream, .grid,
        "∂L/∂ of each pooled cell: the gradient's routes back are shown",
        example: "upstream: 1 2; 3 4"),
      .option(
        "figure", \.figure, .boolean, "draw the map and the pooled map, the first window framed",
        example: "figure: false"),
    ]
  }

  static func isSize(_ numbers: [Double]) -> Bool {
    (1...2).contains(numbers.count)
      && numbers.allSatisfy { $0 >= 1 && $0 <= 8 && $0 == $0.rounded() }
  }

  func validate(_ block: DirectiveBlock) -> [BlockError] {
    var errors: [BlockError] = []
    if (input == nil) == (from == nil) {
      errors.append(
        BlockError(
          input == nil
            ? "a pooling needs 'input' (a map) or 'from' (a conv block)"
            : "a pooling takes 'input' or 'from', not both",
          at: block.option("from") ?? block.option("input"),
          hint: "e.g. 'input: 1 3; 4 6' or 'from: edge' (a conv block above)"))
    }
    if let input,
      input.count > ConvolutionDirective.largestImage
        || input[0].count > ConvolutionDirective.largestImage
    {
      errors.append(
        BlockError(
          "a worked pooling takes maps up to 16×16, not \(input.count)×\(input[0].count)",
          at: block.option("input")))
    }
    errors += ConvolutionDirective.magnitudes(
      [("input", input?.flatMap { $0 } ?? []), ("upstream", upstream?.flatMap { $0 } ?? [])],
      in: block)
    if !Self.isSize(size) {
      errors.append(
        BlockError(
          "'size' is one or two whole numbers from 1 to 8", at: block.option("size"),
          hint: "e.g. 'size: 2'"))
    }
    if let stride, !Self.isSize(stride) {
      errors.append(
        BlockError("'stride' is one or two whole numbers from 1 to 8", at: block.option("stride")))
    }
    return errors
  }

  func layer() throws -> Pooling2D {
    let rows = Int(size.first ?? 2)
    let columns = Int(size.last ?? Double(rows))
    let steps = stride ?? size
    let strideRows = Int(steps.first ?? Double(rows))
    return Pooling2D(
      kind: kind,
      window: try Window(
        height: rows, width: columns, strideHeight: strideRows,
        strideWidth: Int(steps.last ?? Double(strideRows)), padding: padding))
  }

  /// The map pooled: `input:`, or the feature map a `conv` block stored.
  func map(_ context: BlockContext) throws -> [[Double]] {
    if let input { return input }
    guard let from else { return [] }
    let values = context.namespace.values
    func number(_ quantity: String) -> Double? {
      values.value(.named(from, quantity))?.number
    }
    guard let rows = number("rows"), let columns = number("columns"),
      rows >= 1, columns >= 1, rows <= 64, columns <= 64
    else {
      throw BlockError(
        "'\(from)' is not a conv block's feature map", at: context.option("from"),
        hint: "name a `conv` block above this one")
    }
    let prefix = number("a1_1") != nil ? "a" : "z"
    return try (0..<Int(rows)).map { r in
      try (0..<Int(columns)).map { c in
        guard let value = number(ConvolutionDirective.cell(prefix, r, c)) else {
          throw BlockError("'\(from)' has no cell (\(r + 1), \(c + 1))", at: context.option("from"))
        }
        return value
      }
    }
  }

  func run(_ context: BlockContext) throws -> [ResultItem] {
    let owner = context.resultName
    let grid = try map(context)
    let layer = try layer()
    let input = try FeatureMaps(
      count: 1, height: grid.count, width: grid.first?.count ?? 0, channels: 1,
      elements: grid.flatMap { $0 })
    let pass: Pooling2D.Pass<Double>
    do {
      pass = try layer.forward(input)
    } catch let error as EngineError {
      throw BlockError("\(error)", at: context.option("size"))
    }
    let place = pass.placement
    let window = layer.window
    context.store(.named(owner, "rows"), Double(place.outputHeight))
    context.store(.named(owner, "columns"), Double(place.outputWidth))
    /// The cells of output (oy, ox)'s window inside the map, with their row and column.
    func cells(_ oy: Int, _ ox: Int) -> [(Int, Int, Double)] {
      var found: [(Int, Int, Double)] = []
      for i in 0..<window.height {
        let y = oy * window.strideHeight + i - place.padTop
        guard grid.indices.contains(y) else { continue }
        for j in 0..<window.width {
          let x = ox * window.strideWidth + j - place.padLeft
          guard grid[y].indices.contains(x) else { continue }
          found.append((y, x, grid[y][x]))
        }
      }
      return found
    }
    var rows: [[Cell]] = []
    var map: [[Cell]] = []
    for oy in 0..<place.outputHeight {
      var mapRow: [Cell] = [.text("\(oy + 1)")]
      for ox in 0..<place.outputWidth {
        let value = pass.output.elements[oy * place.outputWidth + ox]
        let key = ValueKey.named(owner, ConvolutionDirective.cell("p", oy, ox))
        context.store(key, value)
        let window = cells(oy, ox)
        var parts: [FormulaPart] = [.text(kind == .max ? "max(" : "(")]
        for (index, cell) in window.enumerated() {
          if index > 0 { parts.append(.text(kind == .max ? ", " : " + ")) }
          parts.append(.value(cell.2, precision: context.precision))
        }
        parts.append(.text(kind == .max ? ")" : ") / \(window.count)"))
        parts += [.text(" = "), .keyed(key, .value(value, precision: context.precision))]
        rows.append([.text("(\(oy + 1), \(ox + 1))"), .formula(parts)])
        mapRow.append(.keyed(key, .plain(value)))
      }
      map.append(mapRow)
    }
    var tables = [
      Table(
        caption: context.caption
          ?? (kind == .max ? "Each window's largest value" : "Each window's mean"),
        header: ["Cell (row, column)", kind == .max ? "max of the window" : "mean of the window"],
        rows: rows, precision: context.precision),
      Table(
        caption: "The pooled map", header: ["Row"] + (0..<place.outputWidth).map { "\($0 + 1)" },
        rows: map, precision: context.precision),
    ]
    if let upstream {
      guard upstream.count == place.outputHeight, upstream[0].count == place.outputWidth else {
        throw BlockError(
          "'upstream' is \(upstream.count)×\(upstream[0].count) but the pooled map is \(place.outputHeight)×\(place.outputWidth)",
          at: context.option("upstream"), hint: "one gradient per pooled cell")
      }
      let gradient = try layer.backward(
        pass,
        upstream: FeatureMaps(
          count: 1, height: place.outputHeight, width: place.outputWidth, channels: 1,
          elements: upstream.flatMap { $0 }))
      var routes: [[Cell]] = []
      for oy in 0..<place.outputHeight {
        for ox in 0..<place.outputWidth {
          let g = upstream[oy][ox]
          let window = cells(oy, ox)
          switch kind {
          case .max:
            let route = pass.routes[oy * place.outputWidth + ox]
            let target =
              route >= 0 ? "(\(route / grid[0].count + 1), \(route % grid[0].count + 1))" : "—"
            routes.append([
              .text("(\(oy + 1), \(ox + 1))"), .plain(g), .text(target),
              .text("0 to the other \(max(0, window.count - 1))"),
            ])
          case .average:
            let share = g / Double(max(1, window.count))
            routes.append([
              .text("(\(oy + 1), \(ox + 1))"), .plain(g), .text("all \(window.count)"),
              .formula([
                .factorValue(g, precision: context.precision), .text(" / \(window.count) = "),
                .value(share, precision: context.precision),
              ]),
            ])
          }
        }
      }
      tables.append(
        Table(
          caption: kind == .max
            ? "Where each gradient goes: to the window's largest cell alone"
            : "Where each gradient goes: shared equally by the window's cells",
          header: [
            "Pooled cell", "∂L/∂p", kind == .max ? "goes to input cell" : "goes to",
            kind == .max ? "the others get" : "each gets",
          ], rows: routes, precision: context.precision))
      tables.append(
        .grid(
          context, caption: "∂L/∂input", rows: grid.count, columns: grid.first?.count ?? 0,
          key: { .named(owner, ConvolutionDirective.cell("dx", $0, $1)) },
          value: { gradient[0, $0, $1, 0] }))
    }
    guard context.showsResults else { return [] }
    guard figure else { return tables.map { .table($0) } }
    let shown = { (value: Double) in NumberText.trimmed(value, decimals: context.precision) }
    var pooled: [[Double]] = []
    var labels: [[String]] = []
    for oy in 0..<place.outputHeight {
      let row = (0..<place.outputWidth).map { pass.output.elements[oy * place.outputWidth + $0] }
      pooled.append(row)
      labels.append(
        row.enumerated().map { ox, value in
          FigureText.keyed(.named(owner, ConvolutionDirective.cell("p", oy, ox)), shown(value))
        })
    }
    let name = kind == .max ? "max" : "average"
    let grids = NumberGrids(
      title:
        "\(name.prefix(1).uppercased() + name.dropFirst()) pooling, \(window.height)×\(window.width), stride \(window.strideHeight)",
      grids: [
        .init(title: "input", values: grid, labels: grid.map { $0.map(shown) }),
        .init(title: "pooled", values: pooled, labels: labels),
      ],
      operators: ["→"],
      frames: [
        .init(
          grid: 0, rows: max(0, -place.padTop)...max(0, window.height - 1 - place.padTop),
          columns: max(0, -place.padLeft)...max(0, window.width - 1 - place.padLeft)),
        .init(grid: 1, rows: 0...0, columns: 0...0),
      ])
    let caption =
      "Each window of the input gives one cell of the pooled map: the framed window, the framed cell."
    return [.figure(FigureResult(figure: grids.figure(caption: caption), caption: caption))]
      + tables.map { .table($0) }
  }
}

extension Pooling2D.Kind: OptionChoice {
  static var aliases: [String: Self] { ["mean": .average, "avg": .average] }
}
