import ArgumentParser
internal import CBLAS
import Foundation
import NeuralEngine

/// `swift run -c release nbrun-bench`: the engine's speed on three workloads, one JSON
/// object per line, comparable with `bench/baselines.py` (NumPy, scikit-learn, PyTorch).
@main
struct Bench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "nbrun-bench",
    abstract: "Measures the engine: digits MLP training, a matrix-bound MLP, GEMM.")

  @Option(help: "Workloads to run: digits, synth, gemm (comma-separated).")
  var workload = "digits,synth,gemm"

  @Option(help: "OpenBLAS threads.")
  var threads = 1

  @Option(help: "Epochs for digits (the reference is 50).")
  var digitsEpochs = 50

  @Option(help: "Epochs for synth (the reference is 5).")
  var synthEpochs = 5

  func run() throws {
    BLAS.setThreadCount(threads)
    for name in workload.split(separator: ",").map(String.init) {
      switch name {
      case "digits": try digits()
      case "synth": try synth()
      case "gemm": try gemm()
      default: throw ValidationError("unknown workload '\(name)': use digits, synth or gemm")
      }
    }
  }

  /// The digits set scaled to [0, 1], 64-64-10 ReLU/softmax, cross-entropy, SGD η = 0.1,
  /// batch 32, reshuffled every epoch, Float.
  func digits() throws {
    let data = Datasets.digits()
    let x = Matrix<Float>(converting: data.features.scaled(by: 1.0 / 16))
    let y = Matrix<Float>(converting: data.targets)
    var network = try Network<Float>(
      inputs: 64, units: [64, 10], activations: [.relu, .softmax], initializer: .heUniform, seed: 0)
    let configuration = TrainingConfiguration(
      loss: .sparseCategoricalCrossEntropy, optimizer: .sgd(learningRate: 0.1),
      epochs: digitsEpochs, batchSize: 32, shuffle: true, seed: 0)
    let start = DispatchTime.now()
    let history = try network.fit(x, y, configuration: configuration)
    let seconds = elapsed(since: start)
    let (_, metrics) = try network.evaluate(x, y, loss: configuration.loss, metrics: [.accuracy])
    report(
      workload: "digits", dtype: "float32", epochs: digitsEpochs, seconds: seconds,
      samples: x.rows * digitsEpochs, loss: history.records.last?.loss, accuracy: metrics.first)
  }

  /// 20000 × 784 uniform inputs labelled by a random linear teacher, 784-256-128-10 ReLU,
  /// SGD η = 0.1, batch 128, Float.
  func synth() throws {
    var generator = RandomGenerator(seed: 1)
    let rows = 20_000
    let x = try Matrix<Float>(
      rows: rows, columns: 784, elements: (0..<rows * 784).map { _ in Float(generator.nextUniform()) })
    let teacher = try Matrix<Float>(
      rows: 784, columns: 10, elements: (0..<7840).map { _ in Float(generator.nextGaussian()) })
    let labels = try x.multiplied(by: teacher).argmaxPerRow()
    let y = Matrix<Float>(column: labels.map(Float.init))
    var network = try Network<Float>(
      inputs: 784, units: [256, 128, 10], activations: [.relu, .relu, .softmax],
      initializer: .heUniform, seed: 2)
    let configuration = TrainingConfiguration(
      loss: .sparseCategoricalCrossEntropy, optimizer: .sgd(learningRate: 0.1),
      epochs: synthEpochs, batchSize: 128, shuffle: true, seed: 3)
    let start = DispatchTime.now()
    let history = try network.fit(x, y, configuration: configuration)
    let seconds = elapsed(since: start)
    let (_, metrics) = try network.evaluate(x, y, loss: configuration.loss, metrics: [.accuracy])
    report(
      workload: "synth", dtype: "float32", epochs: synthEpochs, seconds: seconds,
      samples: rows * synthEpochs, loss: history.records.last?.loss, accuracy: metrics.first)
  }

  /// GFLOP/s of `Matrix.multiplied(by:)` against the same product by a direct CBLAS call.
  func gemm() throws {
    for n in [256, 1024] {
      try gemm(Float.self, n: n) { a, b, c in
        cblas_sgemm(
          CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1, a, Int32(n), b,
          Int32(n), 0, &c, Int32(n))
      }
      try gemm(Double.self, n: n) { a, b, c in
        cblas_dgemm(
          CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1, a, Int32(n), b,
          Int32(n), 0, &c, Int32(n))
      }
    }
  }

  func gemm<S: MatrixScalar>(
    _: S.Type, n: Int, direct: ([S], [S], inout [S]) -> Void
  ) throws {
    var generator = RandomGenerator(seed: 4)
    let a = try Matrix<S>(rows: n, columns: n, elements: (0..<n * n).map { _ in S(generator.nextUniform()) })
    let b = try Matrix<S>(rows: n, columns: n, elements: (0..<n * n).map { _ in S(generator.nextUniform()) })
    let repeats = max(3, 200_000_000 / (n * n * n))
    var c = Array(repeating: S.zero, count: n * n)
    direct(a.elements, b.elements, &c)  // warm up both paths
    _ = try a.multiplied(by: b)
    var start = DispatchTime.now()
    for _ in 0..<repeats { direct(a.elements, b.elements, &c) }
    let directSeconds = elapsed(since: start)
    start = DispatchTime.now()
    for _ in 0..<repeats { _ = try a.multiplied(by: b) }
    let engineSeconds = elapsed(since: start)
    let flops = 2 * Double(n) * Double(n) * Double(n) * Double(repeats)
    print(
      json([
        ("workload", .string("gemm")), ("dtype", .string(S.dtypeName)), ("threads", .int(threads)),
        ("epochs", .null), ("n", .int(n)), ("seconds", .number(engineSeconds)),
        ("samples_per_s", .null), ("final_loss", .null), ("accuracy", .null),
        ("gflops", .number(flops / engineSeconds / 1e9)),
        ("gflops_direct_cblas", .number(flops / directSeconds / 1e9)),
        ("ratio_to_direct", .number(directSeconds / engineSeconds)),
      ]))
  }

  func report(
    workload: String, dtype: String, epochs: Int, seconds: Double, samples: Int, loss: Double?,
    accuracy: Double?
  ) {
    print(
      json([
        ("workload", .string(workload)), ("dtype", .string(dtype)), ("threads", .int(threads)),
        ("epochs", .int(epochs)), ("seconds", .number(seconds)),
        ("samples_per_s", .number(Double(samples) / seconds)),
        ("final_loss", loss.map(JSONValue.number) ?? .null),
        ("accuracy", accuracy.map(JSONValue.number) ?? .null), ("implementation", .string("nbrun")),
      ]))
  }

  func elapsed(since start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
  }
}

enum JSONValue {
  case string(String), int(Int), number(Double), null
}

/// One JSON object with keys in the given order.
func json(_ pairs: [(String, JSONValue)]) -> String {
  let fields = pairs.map { key, value -> String in
    let text: String
    switch value {
    case .string(let s): text = "\"\(s)\""
    case .int(let i): text = String(i)
    case .number(let d): text = d.isFinite ? String(format: "%.6g", d) : "null"
    case .null: text = "null"
    }
    return "\"\(key)\": \(text)"
  }
  return "{" + fields.joined(separator: ", ") + "}"
}
