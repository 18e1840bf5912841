import RealModule

/// Built-in and generated data sets. Generated sets are seeded: the same arguments give
/// the same samples.
public enum Datasets {
  /// The UCI handwritten digits, 1797 8×8 images with pixels 0…16 and labels 0…9
  /// (compiled in; see `data/README.md` for provenance and licence).
  public static func digits() -> Dataset {
    var pixels: [Double] = []
    var labels: [Double] = []
    pixels.reserveCapacity(1797 * 64)
    labels.reserveCapacity(1797)
    // One pass over the bytes (a line is 64 pixels in base 17 and the digit): splitting the
    // text into lines of characters took a third of a data block's time.
    var line: [UInt8] = []
    line.reserveCapacity(65)
    func take() {
      defer { line.removeAll(keepingCapacity: true) }
      guard line.count == 65, let label = line.last else { return }
      for c in line.dropLast() { pixels.append(Double(c <= 57 ? c &- 48 : c &- 87)) }
      labels.append(Double(label &- 48))
    }
    for byte in digitsSamples.utf8 {
      if byte == 10 { take() } else { line.append(byte) }
    }
    take()
    let features = Matrix(uncheckedRows: labels.count, columns: 64, elements: pixels)
    let names = (0..<64).map { "px\($0 / 8)\($0 % 8)" }
    // The compiled-in table is well formed (a test checks it against data/digits.csv).
    return Dataset(
      unchecked: features, targets: Matrix(column: labels), featureNames: names,
      targetNames: ["digit"], classNames: (0...9).map(String.init))
  }

  /// A boolean function's truth table over two inputs: XOR, AND, OR, NAND, NOR.
  public static func truthTable(_ function: BooleanFunction) -> Dataset {
    let inputs: [[Double]] = [[0, 0], [0, 1], [1, 0], [1, 1]]
    let outputs = inputs.map { function.apply(Int($0[0]), Int($0[1])) }
    return Dataset(
      unchecked: Matrix(uncheckedRows: 4, columns: 2, elements: inputs.flatMap { $0 }),
      targets: Matrix(column: outputs.map(Double.init)), featureNames: ["x1", "x2"],
      targetNames: ["y"], classNames: ["0", "1"])
  }

  /// Two interleaving half circles (scikit-learn's `make_moons`), labels 0 and 1.
  public static func twoMoons(samples: Int = 200, noise: Double = 0.1, seed: UInt64 = 0) throws
    -> Dataset
  {
    try checkSize(samples, minimum: 2)
    var g = RandomGenerator(seed: seed)
    let outer = samples / 2
    let inner = samples - outer
    var points: [Double] = []
    var labels: [Double] = []
    for i in 0..<outer {
      let t = Double.pi * Double(i) / Double(max(1, outer - 1))
      points += [
        Double.cos(t) + noise * g.nextGaussian(), Double.sin(t) + noise * g.nextGaussian(),
      ]
      labels.append(0)
    }
    for i in 0..<inner {
      let t = Double.pi * Double(i) / Double(max(1, inner - 1))
      points += [
        1 - Double.cos(t) + noise * g.nextGaussian(),
        0.5 - Double.sin(t) + noise * g.nextGaussian(),
      ]
      labels.append(1)
    }
    return labelled(points, labels, classes: 2)
  }

  /// A circle inside another (scikit-learn's `make_circles`): outer label 0, inner 1.
  public static func circles(
    samples: Int = 200, noise: Double = 0.05, factor: Double = 0.5, seed: UInt64 = 0
  ) throws -> Dataset {
    try checkSize(samples, minimum: 2)
    guard factor > 0, factor < 1 else {
      throw EngineError.invalidArgument(
        "the inner circle's factor must be in (0, 1), got \(factor)")
    }
    var g = RandomGenerator(seed: seed)
    let outer = samples / 2
    var points: [Double] = []
    var labels: [Double] = []
    for i in 0..<samples {
      let isOuter = i < outer
      let count = isOuter ? outer : samples - outer
      let t = 2 * Double.pi * Double(isOuter ? i : i - outer) / Double(max(1, count))
      let r = isOuter ? 1 : factor
      points += [
        r * Double.cos(t) + noise * g.nextGaussian(), r * Double.sin(t) + noise * g.nextGaussian(),
      ]
      labels.append(isOuter ? 0 : 1)
    }
    return labelled(points, labels, classes: 2)
  }

  /// Interleaved spiral arms, one class per arm (the CS231n spiral).
  public static func spirals(
    samples: Int = 300, classes: Int = 3, noise: Double = 0.2, seed: UInt64 = 0
  ) throws -> Dataset {
    try checkSize(samples, minimum: classes)
    guard (2...10).contains(classes) else {
      throw EngineError.invalidArgument("spirals take 2 to 10 classes, got \(classes)")
    }
    var g = RandomGenerator(seed: seed)
    var points: [Double] = []
    var labels: [Double] = []
    for k in 0..<classes {
      let count = samples / classes + (k < samples % classes ? 1 : 0)
      for i in 0..<count {
        let fraction = Double(i) / Double(max(1, count - 1))
        let t = 4 * (Double(k) + fraction) + noise * g.nextGaussian()
        points += [fraction * Double.sin(t), fraction * Double.cos(t)]
        labels.append(Double(k))
      }
    }
    return labelled(points, labels, classes: classes)
  }

  /// Gaussian blobs around centres drawn uniformly from [−10, 10]² (scikit-learn's
  /// `make_blobs`), one class per centre, samples dealt round the centres.
  public static func blobs(
    samples: Int = 200, centers: Int = 3, standardDeviation: Double = 1, seed: UInt64 = 0
  ) throws -> Dataset {
    try checkSize(samples, minimum: centers)
    guard (1...20).contains(centers), standardDeviation >= 0 else {
      throw EngineError.invalidArgument("blobs take 1 to 20 centres and a spread ≥ 0")
    }
    var g = RandomGenerator(seed: seed)
    let centres = (0..<centers).map { _ in (g.nextUniform(in: -10, 10), g.nextUniform(in: -10, 10))
    }
    var points: [Double] = []
    var labels: [Double] = []
    for i in 0..<samples {
      let k = i % centers
      points += [
        centres[k].0 + standardDeviation * g.nextGaussian(),
        centres[k].1 + standardDeviation * g.nextGaussian(),
      ]
      labels.append(Double(k))
    }
    return labelled(points, labels, classes: centers)
  }

  /// y = sin(x) + noise·N(0, 1) for x evenly spaced over [−π, π] (regression).
  public static func noisySine(samples: Int = 100, noise: Double = 0.1, seed: UInt64 = 0) throws
    -> Dataset
  {
    try checkSize(samples, minimum: 2)
    var g = RandomGenerator(seed: seed)
    let xs = (0..<samples).map { -Double.pi + 2 * Double.pi * Double($0) / Double(samples - 1) }
    let ys = xs.map { Double.sin($0) + noise * g.nextGaussian() }
    return Dataset(
      unchecked: Matrix(column: xs), targets: Matrix(column: ys), featureNames: ["x"],
      targetNames: ["y"], classNames: nil)
  }

  /// A memory task for recurrent networks: each sample is a sequence of `steps` values, each
  /// −1 or +1 at random, and its class is 1 when the *first* value is +1, else 0. The
  /// features are `x1 … xT`, one step each; everything after step 1 is distraction.
  public static func recall(samples: Int = 200, steps: Int = 6, seed: UInt64 = 0) throws
    -> Dataset
  {
    try checkSize(samples, minimum: 2)
    guard (1...100).contains(steps), samples <= 1_000_000 / steps else {
      throw EngineError.invalidArgument(
        "a recall set has 1 to 100 steps and at most 1000000 values in all, got \(samples) sequences of \(steps)"
      )
    }
    var g = RandomGenerator(seed: seed)
    let values = (0..<(samples * steps)).map { _ in g.nextUniform() < 0.5 ? -1.0 : 1.0 }
    let labels = (0..<samples).map { values[$0 * steps] > 0 ? 1.0 : 0.0 }
    return Dataset(
      unchecked: Matrix(uncheckedRows: samples, columns: steps, elements: values),
      targets: Matrix(column: labels), featureNames: (1...steps).map { "x\($0)" },
      targetNames: ["y"], classNames: ["0", "1"])
  }

  private static func checkSize(_ samples: Int, minimum: Int) throws {
    guard samples >= minimum, samples <= 10_000_000 else {
      throw EngineError.invalidArgument(
        "a generated set takes \(minimum) to 10000000 samples, got \(samples)")
    }
  }

  private static func labelled(_ points: [Double], _ labels: [Double], classes: Int) -> Dataset {
    Dataset(
      unchecked: Matrix(uncheckedRows: labels.count, columns: 2, elements: points),
      targets: Matrix(column: labels), featureNames: ["x1", "x2"], targetNames: ["y"],
      classNames: (0..<classes).map(String.init))
  }
}

/// Boolean functions of two inputs, for truth-table data sets.
public enum BooleanFunction: String, CaseIterable, Sendable {
  case and, or, xor, nand, nor

  public func apply(_ a: Int, _ b: Int) -> Int {
    switch self {
    case .and: a & b
    case .or: a | b
    case .xor: a ^ b
    case .nand: 1 - (a & b)
    case .nor: 1 - (a | b)
    }
  }
}

extension Dataset {
  /// For the engine's own well-formed sets: shapes and names already agree.
  init(
    unchecked features: Matrix<Double>, targets: Matrix<Double>, featureNames: [String],
    targetNames: [String], classNames: [String]?
  ) {
    self.features = features
    self.targets = targets
    self.featureNames = featureNames
    self.targetNames = targetNames
    self.classNames = classNames
  }
}
