import Figures
import NeuralEngine
import Notebook

/// ```conv NAME```: a convolution worked by hand, the way a lecture writes it out: each
/// output cell as the sum of the patch under the kernel times the kernel, `(1)(0) + (2)(1) +
/// … = 4`, the feature map it makes, and with `upstream:` the backward pass: ∂L/∂kernel as
/// the correlation of the input with ∂L/∂z, ∂L/∂b, and ∂L/∂input.
struct ConvolutionDirective: Directive {
  var images: [[[Double]]] = []
  var kernels: [[[Double]]] = []
  var bias: Double?
  var stride: [Double] = [1]
  var padding: Window.Padding = .valid
  var activation: Activation?
  var upstream: [[Double]]?
  var figure = true
  var formulas = true
  var cell: [Double] = [1, 1]

  static let kind = DirectiveKind.conv
  static let syntax: DirectiveSyntax = .options(
    name: .required("the name its values are stored under"))

  /// Nothing: it only reads.
  func changes(_ block: DirectiveBlock) -> [String] { [] }
  static let summary =
    "a convolution worked by hand: each output cell as the patch under the kernel times the kernel, summed, the feature map, and with `upstream:` the backward pass"
  static let storedValues =
    "`z1_1`, `z1_2`… (each output cell before the activation, by row and column from 1), `a1_1`… (after it, with `activation:`), `rows` and `columns` (the feature map's size); with `upstream:`, `dz1_1`… (∂L/∂z), `dk1_1`… (∂L/∂kernel; `dk1_1_c2` for the second channel's), `db` (∂L/∂b) and `dx1_1`… (∂L/∂input; `dx1_1_c2`…)"

  /// The largest image and kernel worked by hand.
  static let largestImage = 16
  static let largestKernel = 7
  static let largestChannels = 4

  static var fields: [OptionField<Self>] {
    [
      .repeated(
        "image", \.images, .grid,
        "the input: rows of numbers; one `image:` per channel, in order",
        example: "image: 1 2 0; 0 1 3; 2 0 1"),
      .repeated(
        "kernel", \.kernels, .grid, "the kernel: one `kernel:` per input channel, in order",
        example: "kernel: 0 1; 1 0"),
      .option("bias", \.bias, .number, "the filter's bias b", example: "bias: -1", default: "none"),
      .option(
        "stride", \.stride, .numbers,
        "the step between windows: one number, or rows then columns", example: "stride: 2"),
      .option(
        "padding", \.padding, .choice,
        "`valid` (windows inside the image) or `same` (zeros around it: ⌈n/stride⌉ outputs)",
        example: "padding: same"),
      .option(
        "activation", \.activation, .curve, "φ applied to each output cell",
        example: "activation: relu", default: "none: the feature map is z"),
      .option(
        "upstream", \.upstream, .grid,
        "∂L/∂ of each output cell (of a with an activation, else of z): the backward pass is shown",
        example: "upstream: 1 0; 0 -1"),
      .option(
        "figure", \.figure, .boolean,
        "draw the image, the kernel and the feature map, with one output cell's receptive field",
        example: "figure: false"),
      .option(
        "formulas", \.formulas, .boolean,
        "write out each output cell's sum (a large image's feature map may be shown alone)",
        example: "formulas: false"),
      .option(
        "cell", \.cell, .numbers, "the output cell (row, column) whose receptive field is drawn",
        example: "cell: 2 3"),
    ]
  }

  func validate(_ block: DirectiveBlock) -> [BlockError] {
    var errors: [BlockError] = []
    let imageOptions = block.options("image")
    let kernelOptions = block.options("kernel")
    guard let first = images.first, let firstKernel = kernels.first else {
      return [
        BlockError(
          "a convolution needs an 'image' and a 'kernel'",
          at: block.option(images.isEmpty ? "image" : "kernel"),
          hint: "e.g. 'image: 1 2; 3 4' and 'kernel: 1 0; 0 1'")
      ]
    }
    if images.count > Self.largestChannels {
      errors.append(
        BlockError(
          "a worked convolution takes at most \(Self.largestChannels) channels, not \(images.count)",
          at: imageOptions.last))
    }
    for (index, image) in images.enumerated()
    where image.count != first.count || image[0].count != first[0].count {
      errors.append(
        BlockError(
          "channel \(index + 1) is \(image.count)×\(image[0].count) but channel 1 is \(first.count)×\(first[0].count)",
          at: imageOptions[index], hint: "every channel of an image has the same size"))
    }
    if first.count > Self.largestImage || first[0].count > Self.largestImage {
      errors.append(
        BlockError(
          "a worked convolution takes images up to \(Self.largestImage)×\(Self.largestImage), not \(first.count)×\(first[0].count)",
          at: imageOptions.first, hint: "a model's convolution layer takes larger ones"))
    }
    if kernels.count != images.count {
      errors.append(
        BlockError(
          "\(images.count) image channel(s) need \(images.count) kernel(s), one each; found \(kernels.count)",
          at: kernelOptions.last, hint: "give one 'kernel:' line per 'image:' line"))
    }
    for (index, kernel) in kernels.enumerated()
    where kernel.count != firstKernel.count || kernel[0].count != firstKernel[0].count {
      errors.append(
        BlockError(
          "kernel \(index + 1) is \(kernel.count)×\(kernel[0].count) but kernel 1 is \(firstKernel.count)×\(firstKernel[0].count)",
          at: kernelOptions[index]))
    }
    if firstKernel.count > Self.largestKernel || firstKernel[0].count > Self.largestKernel {
      errors.append(
        BlockError(
          "a worked kernel is at most \(Self.largestKernel)×\(Self.largestKernel)",
          at: kernelOptions.first))
    }
    errors += Self.magnitudes(
      [
        ("image", images.flatMap { $0.flatMap { $0 } }),
        ("kernel", kernels.flatMap { $0.flatMap { $0 } }), ("bias", bias.map { [$0] } ?? []),
        ("upstream", upstream?.flatMap { $0 } ?? []),
      ], in: block)
    if stride.isEmpty || stride.count > 2
      || stride.contains(where: { $0 < 1 || $0 > 8 || $0 != $0.rounded() })
    {
      errors.append(
        BlockError(
          "'stride' is one or two whole numbers from 1 to 8", at: block.option("stride"),
          hint: "e.g. 'stride: 2' or 'stride: 2 1'"))
    }
    if errors.isEmpty {
      do {
        let place = try window().placement(height: first.count, width: first[0].count)
        if cell.count != 2 || !(1...Double(place.outputHeight)).contains(cell[0])
          || !(1...Double(place.outputWidth)).contains(cell[1])
          || cell.contains(where: { $0 != $0.rounded() })
        {
          errors.append(
            BlockError(
              "'cell' is a row from 1 to \(place.outputHeight) and a column from 1 to \(place.outputWidth)",
              at: block.option("cell"), hint: "e.g. 'cell: 1 1'"))
        }
        if let upstream,
          upstream.count != place.outputHeight || upstream[0].count != place.outputWidth
        {
          errors.append(
            BlockError(
              "'upstream' is \(upstream.count)×\(upstream[0].count) but the feature map is \(place.outputHeight)×\(place.outputWidth)",
              at: block.option("upstream"), hint: "one gradient per output cell"))
        }
      } catch {
        errors.append(
          BlockError("\(error)", at: block.option("padding") ?? kernelOptions.first))
      }
    }
    return errors
  }

  func window() throws -> Window {
    let rows = Int(stride.first ?? 1)
    return try Window(
      height: kernels.first?.count ?? 1, width: kernels.first?.first?.count ?? 1,
      strideHeight: rows, strideWidth: Int(stride.last ?? Double(rows)), padding: padding)
  }

  /// The image as maps of one sample, channel last.
  func input() throws -> FeatureMaps<Double> {
    let height = images.first?.count ?? 0
    let width = images.first?.first?.count ?? 0
    var values: [Double] = []
    values.reserveCapacity(height * width * images.count)
    for y in 0..<height {
      for x in 0..<width {
        for image in images { values.append(image[y][x]) }
      }
    }
    return try FeatureMaps(
      count: 1, height: height, width: width, channels: images.count, elements: values)
  }

  func layer() throws -> Convolution2D<Double> {
    let window = try window()
    var rows: [Double] = []
    for i in 0..<window.height {
      for j in 0..<window.width {
        for kernel in kernels { rows.append(kernel[i][j]) }
      }
    }
    return try Convolution2D(
      kernel: Matrix(rows: rows.count, columns: 1, elements: rows), bias: bias.map { [$0] },
      window: window, inputChannels: images.count, activation: activation ?? .identity)
  }

  /// The largest number a worked table takes: its products and sums stay finite and
  /// print as numbers a lecture shows.
  static let largestMagnitude = 1e6

  /// A located error for each option holding a number larger than ``largestMagnitude``.
  static func magnitudes(_ options: [(key: String, values: [Double])], in block: DirectiveBlock)
    -> [BlockError]
  {
    options.compactMap { key, values in
      guard values.contains(where: { !(abs($0) <= largestMagnitude) }) else { return nil }
      return BlockError(
        "'\(key)' has a number larger than 10⁶ in size; a worked table takes smaller ones",
        at: block.options(key).last, hint: "scale the numbers down")
    }
  }

  /// `z1_2`; with several channels, `dk1_1_c2`.
  static func cell(_ prefix: String, _ row: Int, _ column: Int, channel: Int? = nil) -> String {
    "\(prefix)\(row + 1)_\(column + 1)" + (channel.map { "_c\($0 + 1)" } ?? "")
  }

  func run(_ context: BlockContext) throws -> [ResultItem] {
    let owner = context.resultName
    let layer = try layer()
    let input = try input()
    let pass = try layer.forward(input)
    let place = pass.placement
    let window = layer.window
    let channels = images.count
    context.store(.named(owner, "rows"), Double(place.outputHeight))
    context.store(.named(owner, "columns"), Double(place.outputWidth))
    /// The input value under kernel cell (i, j) of output (oy, ox), zero in the padding.
    func under(_ oy: Int, _ ox: Int, _ i: Int, _ j: Int, _ c: Int) -> Double {
      let y = oy * window.strideHeight + i - place.padTop
      let x = ox * window.strideWidth + j - place.padLeft
      guard images[c].indices.contains(y), images[c][y].indices.contains(x) else { return 0 }
      return images[c][y][x]
    }
    var forward: [[Cell]] = []
    var map: [[Cell]] = []
    for oy in 0..<place.outputHeight {
      var mapRow: [Cell] = [.text("\(oy + 1)")]
      for ox in 0..<place.outputWidth {
        let index = oy * place.outputWidth + ox
        let z = pass.netInput.elements[index]
        let zKey = ValueKey.named(owner, Self.cell("z", oy, ox))
        context.store(zKey, z)
        var parts: [FormulaPart] = []
        for i in 0..<window.height {
          for j in 0..<window.width {
            for c in 0..<channels {
              if !parts.isEmpty { parts.append(.text(" + ")) }
              parts += [
                .factorValue(under(oy, ox, i, j, c), precision: context.precision),
                .factorValue(kernels[c][i][j], precision: context.precision),
              ]
            }
          }
        }
        if let bias { parts += [.text(" + "), .factorValue(bias, precision: context.precision)] }
        parts += [.text(" = "), .keyed(zKey, .value(z, precision: context.precision))]
        var row: [Cell] = [.text("(\(oy + 1), \(ox + 1))"), .formula(parts)]
        if let activation {
          let a = pass.output.elements[index]
          let aKey = ValueKey.named(owner, Self.cell("a", oy, ox))
          context.store(aKey, a)
          row.append(
            .formula([
              .text(activation.name + "("), .value(z, precision: context.precision),
              .text(") = "), .keyed(aKey, .value(a, precision: context.precision)),
            ]))
          mapRow.append(.keyed(aKey, .plain(a)))
        } else {
          mapRow.append(.keyed(zKey, .plain(z)))
        }
        forward.append(row)
      }
      map.append(mapRow)
    }
    let columns = ["Row"] + (0..<place.outputWidth).map { "\($0 + 1)" }
    let sum = bias == nil ? "z = Σ x·k" : "z = Σ x·k + b"
    var tables = [
      Table(
        caption: context.caption ?? "Each output cell: the patch under the kernel times the kernel",
        header: ["Cell (row, column)", sum] + (activation.map { ["a = \($0.name)(z)"] } ?? []),
        rows: forward, precision: context.precision),
      Table(
        caption: (formulas ? nil : context.caption)
          ?? (activation == nil ? "The feature map z" : "The feature map a"),
        header: columns, rows: map, precision: context.precision),
    ]
    if !formulas { tables.removeFirst() }
    if let upstream {
      tables += try backward(
        context, layer: layer, pass: pass, upstream: upstream, under: under)
    }
    guard context.showsResults else { return [] }
    let drawn = figure ? [ResultItem.figure(receptiveField(context, layer: layer, pass: pass))] : []
    return drawn + tables.map { .table($0) }
  }

  /// The image (with its padding), the kernel and the feature map side by side, the window
  /// of one output cell framed on the image and the cell on the map.
  private func receptiveField(
    _ context: BlockContext, layer: Convolution2D<Double>, pass: Convolution2D<Double>.Pass
  ) -> FigureResult {
    let place = pass.placement
    let window = layer.window
    let precision = context.precision
    let shown = { (value: Double) in NumberText.trimmed(value, decimals: precision) }
    let height = images[0].count
    let width = images[0][0].count
    // The padded image: zeros where the windows reach past the edge.
    let rows = max(
      height + place.padTop, (place.outputHeight - 1) * window.strideHeight + window.height)
    let columns = max(
      width + place.padLeft, (place.outputWidth - 1) * window.strideWidth + window.width)
    var values: [[Double]] = []
    var faint: Set<Int> = []
    for y in 0..<rows {
      var row: [Double] = []
      for x in 0..<columns {
        let (sy, sx) = (y - place.padTop, x - place.padLeft)
        if images[0].indices.contains(sy), images[0][sy].indices.contains(sx) {
          row.append(images[0][sy][sx])
        } else {
          row.append(0)
          faint.insert(y * columns + x)
        }
      }
      values.append(row)
    }
    let channel = images.count > 1 ? ", channel 1 of \(images.count)" : ""
    var map: [[Double]] = []
    var labels: [[String]] = []
    let name = activation == nil ? "z" : "a"
    for oy in 0..<place.outputHeight {
      var row: [Double] = []
      var text: [String] = []
      for ox in 0..<place.outputWidth {
        let value = pass.output.elements[oy * place.outputWidth + ox]
        row.append(value)
        text.append(
          FigureText.keyed(.named(context.resultName, Self.cell(name, oy, ox)), shown(value)))
      }
      map.append(row)
      labels.append(text)
    }
    let (r, c) = (Int(cell[0]) - 1, Int(cell[1]) - 1)
    let top = r * window.strideHeight
    let left = c * window.strideWidth
    let grids = NumberGrids(
      title: "Output cell (\(r + 1), \(c + 1)) and its receptive field",
      grids: [
        .init(
          title: "input x" + channel, values: values,
          labels: values.map { $0.map(shown) }, faint: faint),
        .init(
          title: "kernel k" + (images.count > 1 ? ", channel 1" : ""), values: kernels[0],
          labels: kernels[0].map { $0.map(shown) }),
        .init(title: "feature map " + name, values: map, labels: labels),
      ],
      operators: ["∗", "="],
      frames: [
        .init(
          grid: 0, rows: top...(top + window.height - 1), columns: left...(left + window.width - 1)),
        .init(grid: 2, rows: r...r, columns: c...c),
      ])
    let caption =
      "The kernel over the input: the framed window gives the framed cell of the feature map"
      + (faint.isEmpty ? "." : " (grey cells are the padding's zeros).")
    return FigureResult(figure: grids.figure(caption: caption), caption: caption)
  }

  private func backward(
    _ context: BlockContext, layer: Convolution2D<Double>, pass: Convolution2D<Double>.Pass,
    upstream: [[Double]], under: (Int, Int, Int, Int, Int) -> Double
  ) throws -> [Table] {
    let owner = context.resultName
    let place = pass.placement
    let window = layer.window
    let channels = images.count
    let gradients = try layer.backward(
      pass,
      upstream: FeatureMaps(
        count: 1, height: place.outputHeight, width: place.outputWidth, channels: 1,
        elements: upstream.flatMap { $0 }))
    var tables: [Table] = []
    let dz = gradients.netInput.elements
    var dzRows: [[Cell]] = []
    for oy in 0..<place.outputHeight {
      for ox in 0..<place.outputWidth {
        let index = oy * place.outputWidth + ox
        let key = ValueKey.named(owner, Self.cell("dz", oy, ox))
        context.store(key, dz[index])
        guard let activation else { continue }
        let slope = activation.derivative(
          pass.netInput.elements[index], output: pass.output.elements[index])
        dzRows.append([
          .text("(\(oy + 1), \(ox + 1))"), .plain(upstream[oy][ox]),
          .formula([
            .factorValue(upstream[oy][ox], precision: context.precision),
            .factorValue(slope, precision: context.precision), .text(" = "),
            .keyed(key, .value(dz[index], precision: context.precision)),
          ]),
        ])
      }
    }
    if let activation {
      tables.append(
        Table(
          caption: "Back through the activation: ∂L/∂z = ∂L/∂a · \(activation.name)′(z)",
          header: ["Cell (row, column)", "∂L/∂a", "∂L/∂z"], rows: dzRows,
          precision: context.precision))
    }
    // ∂L/∂k(i, j) = Σ over output cells of the input under (i, j) times ∂L/∂z there.
    var kernelRows: [[Cell]] = []
    for c in 0..<channels {
      for i in 0..<window.height {
        for j in 0..<window.width {
          let value = gradients.kernel.elements[(i * window.width + j) * channels + c]
          let key = ValueKey.named(
            owner, Self.cell("dk", i, j, channel: channels > 1 ? c : nil))
          context.store(key, value)
          var parts: [FormulaPart] = []
          for oy in 0..<place.outputHeight {
            for ox in 0..<place.outputWidth {
              if !parts.isEmpty { parts.append(.text(" + ")) }
              parts += [
                .factorValue(under(oy, ox, i, j, c), precision: context.precision),
                .factorValue(dz[oy * place.outputWidth + ox], precision: context.precision),
              ]
            }
          }
          parts += [.text(" = "), .keyed(key, .value(value, precision: context.precision))]
          let name = "k(\(i + 1), \(j + 1))" + (channels > 1 ? ", channel \(c + 1)" : "")
          kernelRows.append([.text(name), .formula(parts)])
        }
      }
    }
    if let db = gradients.bias?.first {
      let key = ValueKey.named(owner, "db")
      context.store(key, db)
      var parts: [FormulaPart] = []
      for value in dz {
        if !parts.isEmpty { parts.append(.text(" + ")) }
        parts.append(.factorValue(value, precision: context.precision))
      }
      parts += [.text(" = "), .keyed(key, .value(db, precision: context.precision))]
      kernelRows.append([.text("b"), .formula(parts)])
    }
    tables.append(
      Table(
        caption:
          "∂L/∂kernel: the input correlated with ∂L/∂z (each kernel cell meets the input under it at every output cell)",
        header: ["Parameter", "∂L/∂θ = Σ x·∂L/∂z"], rows: kernelRows,
        precision: context.precision))
    let input = gradients.input
    for c in 0..<channels {
      tables.append(
        .grid(
          context,
          caption: "∂L/∂input" + (channels > 1 ? ", channel \(c + 1)" : "")
            + ": each input cell gathers ∂L/∂z times the kernel cells that covered it",
          rows: input.height, columns: input.width,
          key: { .named(owner, Self.cell("dx", $0, $1, channel: channels > 1 ? c : nil)) },
          value: { input[0, $0, $1, c] }))
    }
    return tables
  }
}

extension Window.Padding: OptionChoice {}
