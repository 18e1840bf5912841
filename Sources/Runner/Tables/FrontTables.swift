import NeuralEngine

/// The summary of a convolutional or recurrent model, Keras's `model.summary()`: each
/// layer, the shape of what it outputs per sample, its activation and its parameters.
struct FrontTables {
  var entry: ModelEntry
  var context: BlockContext

  func summary() throws -> Table {
    var rows: [[Cell]] = []
    func shape(_ sizes: Int...) -> Cell { .text(sizes.map(String.init).joined(separator: " × ")) }
    func row(_ name: String, _ output: Cell, _ activation: Activation?, _ parameters: Int) {
      rows.append([
        .text(name), output, activation.map { .text(Shown.activation($0)) } ?? .text("—"),
        .integer(parameters),
      ])
    }
    switch entry.front {
    case .convolution(let height, let width, let channels, let stages):
      row("input", shape(height, width, channels), nil, 0)
      var size = (height, width, channels)
      for stage in stages {
        switch stage {
        case .convolution(let layer):
          let place = try layer.window.placement(height: size.0, width: size.1)
          size = (place.outputHeight, place.outputWidth, layer.filters)
          row(
            "conv \(layer.window.height)×\(layer.window.width)\(Self.strideText(layer.window))",
            shape(size.0, size.1, size.2), layer.activation, layer.parameterCount)
        case .pooling(let pool):
          let place = try pool.window.placement(height: size.0, width: size.1)
          size = (place.outputHeight, place.outputWidth, size.2)
          row(
            "\(pool.kind.rawValue) pool \(pool.window.height)×\(pool.window.width)\(Self.strideText(pool.window))",
            shape(size.0, size.1, size.2), nil, 0)
        }
      }
      row("flatten", shape(size.0 * size.1 * size.2), nil, 0)
    case .recurrent(let cell, let steps):
      row("input", shape(steps, cell.inputCount), nil, 0)
      row("rnn (last state)", shape(cell.unitCount), cell.activation, cell.parameterCount)
    case nil: break
    }
    for (l, layer) in entry.network.layers.enumerated() {
      row(
        l == entry.network.layers.count - 1 ? "dense (output)" : "dense",
        shape(layer.unitCount), layer.activation, layer.parameterCount)
    }
    rows.append([.text("total"), .empty, .empty, .integer(entry.parameterCount)])
    return Table(
      caption: context.caption, header: ["Layer", "Output shape", "Activation", "Parameters"],
      rows: rows, precision: context.precision)
  }

  /// ", stride 2, same" where the window is not Keras's default for its layer.
  static func strideText(_ window: Window) -> String {
    var parts: [String] = []
    if window.strideHeight != 1 || window.strideWidth != 1 {
      parts.append(
        window.strideHeight == window.strideWidth
          ? "stride \(window.strideHeight)" : "stride \(window.strideHeight)×\(window.strideWidth)")
    }
    if window.padding == .same { parts.append("same") }
    return parts.isEmpty ? "" : ", " + parts.joined(separator: ", ")
  }
}
