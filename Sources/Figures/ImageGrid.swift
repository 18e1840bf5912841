/// A grid of small grey images (the 8×8 digits) with their true and predicted labels,
/// wrong predictions framed in red; or of signed images (a network's learned filters, its
/// feature maps) in a diverging scale, blue below zero, white at zero, orange above.
public struct ImageGrid: Sendable {
  public struct Image: Sendable {
    /// Row-major pixel intensities in [0, 1], or in [−1, 1] when `signed`.
    public var pixels: [Double]
    /// Pixels per row; an image has `pixels.count / side` rows.
    public var side: Int
    public var truth: String
    public var prediction: String?
    public var signed: Bool
    public init(
      pixels: [Double], side: Int, truth: String, prediction: String?, signed: Bool = false
    ) {
      self.pixels = pixels
      self.side = side
      self.truth = truth
      self.prediction = prediction
      self.signed = signed
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
    let gridWidth = Double(columns) * (size + gap) + gap
    // Never narrower than its title (one image under a long title): the grid is centred.
    let width = max(gridWidth, TextWidth.of(title, size: 14) + 24)
    let inset = (width - gridWidth) / 2
    let height = Double(rows) * (size + gap + 16) + 40
    var content: [SVGElement] = [titleElement(title, width: width)]
    var wrong = 0
    for (index, image) in images.enumerated() {
      let left = inset + gap + Double(index % columns) * (size + gap)
      let top = 34 + Double(index / columns) * (size + gap + 16)
      let pixel = size / Double(max(1, image.side, image.pixels.count / max(1, image.side)))
      var cells: [SVGElement] = []
      for (k, value) in image.pixels.enumerated() {
        let grey = Int((255 * (1 - max(0, min(1, value)))).rounded())
        let fill =
          image.signed
          ? ColorScale.diverging((1 + max(-1, min(1, value))) / 2) : "rgb(\(grey),\(grey),\(grey))"
        cells.append(
          SVGElement(
            "rect",
            [
              ("x", number(left + Double(k % image.side) * pixel)),
              ("y", number(top + Double(k / image.side) * pixel)), ("width", number(pixel + 0.3)),
              ("height", number(pixel + 0.3)), ("fill", fill),
            ]))
      }
      let isWrong = image.prediction.map { $0 != image.truth } ?? false
      if isWrong { wrong += 1 }
      cells.append(
        SVGElement(
          "rect",
          [
            ("x", number(left - 1)), ("y", number(top - 1)),
            ("width", number(pixel * Double(image.side) + 2)),
            ("height", number(pixel * Double(image.pixels.count / max(1, image.side)) + 2)),
            ("fill", "none"),
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
