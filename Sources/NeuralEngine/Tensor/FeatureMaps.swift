/// A batch of images or feature maps: `count` samples, each `height × width` positions of
/// `channels` values, stored sample by sample, row by row, channel last (Keras's
/// `channels_last`, NumPy's `(N, H, W, C)`). One sample flattened is one row of a
/// ``Matrix`` in the same order, so `Flatten` costs nothing.
public struct FeatureMaps<Scalar: MatrixScalar>: Equatable, Sendable {
  public private(set) var count: Int
  public private(set) var height: Int
  public private(set) var width: Int
  public private(set) var channels: Int
  /// The values, `count · height · width · channels` of them, channel fastest.
  public internal(set) var elements: [Scalar]

  /// Maps from their values, in `(N, H, W, C)` order.
  public init(count: Int, height: Int, width: Int, channels: Int, elements: [Scalar]) throws {
    let total = try Self.elementCount(count, height, width, channels)
    guard elements.count == total else {
      throw EngineError.invalidArgument(
        "\(count) maps of \(height)×\(width)×\(channels) need \(total) values, got \(elements.count)"
      )
    }
    self.count = count
    self.height = height
    self.width = width
    self.channels = channels
    self.elements = elements
  }

  /// Maps filled with one value.
  public init(count: Int, height: Int, width: Int, channels: Int, repeating value: Scalar = 0)
    throws
  {
    let total = try Self.elementCount(count, height, width, channels)
    try self.init(
      count: count, height: height, width: width, channels: channels,
      elements: Array(repeating: value, count: total))
  }

  /// The rows of a matrix as maps of the given size (what `Flatten` undoes).
  public init(unflattening matrix: Matrix<Scalar>, height: Int, width: Int, channels: Int) throws {
    let perSample = try Self.elementCount(1, height, width, channels)
    guard matrix.columns == perSample else {
      throw EngineError.shapeMismatch(
        operation: "unflattening rows into maps", left: matrix.shape,
        right: Shape(rows: height * width, columns: channels),
        rule: "a row of \(height)·\(width)·\(channels) = \(perSample) values per sample")
    }
    try self.init(
      count: matrix.rows, height: height, width: width, channels: channels,
      elements: matrix.elements)
  }

  /// Trusted initialiser for the engine's own results.
  init(unchecked count: Int, _ height: Int, _ width: Int, _ channels: Int, _ elements: [Scalar]) {
    self.count = count
    self.height = height
    self.width = width
    self.channels = channels
    self.elements = elements
  }

  /// Where `(sample, y, x, channel)` is in ``elements``.
  @inline(__always)
  func offset(_ sample: Int, _ y: Int, _ x: Int, _ channel: Int) -> Int {
    ((sample * height + y) * width + x) * channels + channel
  }

  /// One value; the indices must be inside the maps.
  public subscript(sample: Int, y: Int, x: Int, channel: Int) -> Scalar {
    elements[offset(sample, y, x, channel)]
  }

  /// One channel of one sample as a `height × width` matrix (a feature map to draw).
  public func map(sample: Int, channel: Int) throws -> Matrix<Scalar> {
    guard (0..<count).contains(sample), (0..<channels).contains(channel) else {
      throw EngineError.invalidArgument(
        "there is no map \(channel + 1) of sample \(sample + 1) in \(count) samples of \(channels) channels"
      )
    }
    var values: [Scalar] = []
    values.reserveCapacity(height * width)
    for y in 0..<height {
      for x in 0..<width { values.append(elements[offset(sample, y, x, channel)]) }
    }
    return Matrix(uncheckedRows: height, columns: width, elements: values)
  }

  /// Each sample as one row (Keras's `Flatten`): `count × (height · width · channels)`.
  public var flattened: Matrix<Scalar> {
    Matrix(uncheckedRows: count, columns: height * width * channels, elements: elements)
  }

  /// The values as a matrix with one row per position and one column per channel.
  var positions: Matrix<Scalar> {
    Matrix(uncheckedRows: count * height * width, columns: channels, elements: elements)
  }

  public static func elementCount(_ sizes: Int...) throws -> Int {
    var total = 1
    for size in sizes {
      guard size >= 0 else {
        throw EngineError.invalidArgument(
          "maps cannot have a size of \(size) (sizes: \(sizes.map(String.init).joined(separator: "×")))"
        )
      }
      let (product, overflow) = total.multipliedReportingOverflow(by: size)
      guard !overflow, product <= Int(Int32.max) else {
        throw EngineError.invalidArgument(
          "maps of \(sizes.map(String.init).joined(separator: "×")) values are too large")
      }
      total = product
    }
    return total
  }
}

/// How a window (a convolution's kernel, a pooling's pool) slides over maps: its size, its
/// stride, and Keras's padding rule.
public struct Window: Hashable, Codable, Sendable {
  /// Keras's two paddings.
  public enum Padding: String, Codable, CaseIterable, Sendable {
    /// Only positions where the window fits inside the maps: `⌊(n − k)/s⌋ + 1` outputs.
    case valid
    /// Zeros around the maps so there are `⌈n/s⌉` outputs; the padding is split evenly,
    /// the extra one after (below and to the right), as TensorFlow does.
    case same
  }

  public var height: Int
  public var width: Int
  public var strideHeight: Int
  public var strideWidth: Int
  public var padding: Padding

  public init(
    height: Int, width: Int, strideHeight: Int = 1, strideWidth: Int = 1,
    padding: Padding = .valid
  ) throws {
    guard height > 0, width > 0, strideHeight > 0, strideWidth > 0 else {
      throw EngineError.invalidArgument(
        "a window needs a positive size and stride, got \(height)×\(width) with stride \(strideHeight)×\(strideWidth)"
      )
    }
    self.height = height
    self.width = width
    self.strideHeight = strideHeight
    self.strideWidth = strideWidth
    self.padding = padding
  }

  /// Where the window goes over maps of one size: the output's size and the zeros added
  /// above and to the left.
  public struct Placement: Hashable, Sendable {
    public var outputHeight: Int
    public var outputWidth: Int
    public var padTop: Int
    public var padLeft: Int
  }

  /// The placement over `height × width` maps; a window larger than unpadded maps is an
  /// error.
  public func placement(height inputHeight: Int, width inputWidth: Int) throws -> Placement {
    func along(_ size: Int, _ kernel: Int, _ stride: Int, _ name: String) throws -> (Int, Int) {
      switch padding {
      case .valid:
        guard size >= kernel else {
          throw EngineError.invalidArgument(
            "a window of \(kernel) \(name) does not fit in \(size) \(name) without padding; use 'padding: same' or a smaller window"
          )
        }
        return ((size - kernel) / stride + 1, 0)
      case .same:
        guard size > 0 else {
          throw EngineError.invalidArgument("maps with no \(name) cannot be padded")
        }
        let output = (size + stride - 1) / stride
        let total = max((output - 1) * stride + kernel - size, 0)
        return (output, total / 2)
      }
    }
    let (rows, top) = try along(inputHeight, height, strideHeight, "rows")
    let (columns, left) = try along(inputWidth, width, strideWidth, "columns")
    return Placement(outputHeight: rows, outputWidth: columns, padTop: top, padLeft: left)
  }
}
