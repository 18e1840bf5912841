import Figures
import NeuralEngine
import Notebook

extension PlotFigures {
  // MARK: - Learned filters and feature maps

  /// A convolutional model's first convolution, or an error saying the plot needs one.
  private func firstConvolution(_ what: String) throws -> (
    ConvolutionalNetwork<Double>, Convolution2D<Double>
  ) {
    let entry = try context.anyModel(name)
    guard let cnn = try entry.convolutional(), let first = cnn.convolutions.first else {
      throw BlockError(
        "\(what) needs a convolutional model; '\(name ?? "")' is \(entry.kindPhrase)",
        hint: "e.g. a model with 'inputs: 8x8' and 'layer: conv 8 3x3 relu'")
    }
    return (cnn, first)
  }

  /// Each filter of the first convolution as a small image, one per input channel, scaled
  /// together so that the largest weight is full colour.
  func filters() throws -> (Figure, String) {
    let (_, conv) = try firstConvolution("a filters plot")
    let window = conv.window
    let top = max(1e-12, conv.kernel.maxMagnitude())
    var images: [ImageGrid.Image] = []
    for f in 0..<conv.filters {
      for c in 0..<conv.inputChannels {
        // Kernel rows are (position, channel), position row-major over the window.
        let pixels = (0..<(window.height * window.width)).map {
          conv.kernel[($0 * conv.inputChannels) + c, f] / top
        }
        images.append(
          ImageGrid.Image(
            pixels: pixels, side: window.width,
            truth: conv.inputChannels == 1 ? "filter \(f + 1)" : "filter \(f + 1), ch. \(c + 1)",
            prediction: nil, signed: true))
      }
    }
    let model = shown(name, else: "the network")
    let grid = ImageGrid(
      images: images, title: title("The first layer's filters of \(model)"),
      columns: options.columns ?? min(8, images.count))
    let caption =
      "The \(conv.filters) \(window.height)×\(window.width) filters of \(model)'s first convolution as learned: orange weights add the pixel under them, blue ones subtract it (the largest |w|, \(format(top, 3)), is full colour)."
    return (grid.figure(caption: caption), caption)
  }

  /// One sample through the first convolution: the image, then each filter's feature map
  /// after the activation, each map scaled to its own largest value.
  func maps() throws -> (Figure, String) {
    let (cnn, conv) = try firstConvolution("a maps plot")
    let (dataName, data) = try dataset("a maps plot")
    guard data.count >= options.sample else {
      throw BlockError(
        "'\(dataName)' has \(data.count) samples; there is no sample \(options.sample)",
        at: context.option("sample"))
    }
    let row = try data.features.selectingRows(options.sample - 1..<options.sample)
    let images = try atOption(dataOption) {
      try FeatureMaps(
        unflattening: row, height: cnn.height, width: cnn.width, channels: cnn.channels)
    }
    let pass = try atOption(dataOption) { try conv.forward(images) }
    let image = try images.map(sample: 0, channel: 0)
    let imageTop = max(1e-12, image.maxMagnitude())
    var shown: [ImageGrid.Image] = [
      ImageGrid.Image(
        pixels: image.elements.map { $0 / imageTop }, side: image.columns, truth: "input",
        prediction: nil)
    ]
    for f in 0..<conv.filters {
      let map = try pass.output.map(sample: 0, channel: f)
      let top = max(1e-12, map.maxMagnitude())
      shown.append(
        ImageGrid.Image(
          pixels: map.elements.map { $0 / top }, side: map.columns, truth: "map \(f + 1)",
          prediction: nil, signed: true))
    }
    let model = self.shown(name, else: "the network")
    let grid = ImageGrid(
      images: shown,
      title: title(
        "Sample \(options.sample) of \(self.shown(dataName)) through \(model)'s filters"),
      columns: options.columns ?? min(9, shown.count))
    let caption =
      "Sample \(options.sample) of \(self.shown(dataName)) (first, in grey) and its \(conv.filters) feature maps after \(Shown.activation(conv.activation)), each scaled to its own largest value: orange where the filter's pattern is present, white where it is not\(conv.activation == .relu ? "" : ", blue where its opposite is")."
    return (grid.figure(caption: caption), caption)
  }
}
