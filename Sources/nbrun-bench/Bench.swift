import ArgumentParser
internal import CBLAS
import CommandLineSupport
import Figures
import Foundation
import NeuralEngine
import Notebook
import Rendering
import Runner

/// `swift run -c release nbrun-bench`: the engine's speed on three workloads, one JSON
/// object per line, comparable with `bench/baselines.py` (NumPy, scikit-learn, PyTorch).
@main
struct Bench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "nbrun-bench",
    abstract: "Measures the engine: digits MLP training, a matrix-bound MLP, GEMM.")

  @Option(help: "Workloads to run: digits, synth, gemm, cnn, naming, pages (comma-separated).")
  var workload = "digits,synth,gemm"

  @Option(help: "OpenBLAS threads.")
  var threads = 1

  @Option(help: "Epochs for digits (the reference is 50).")
  var digitsEpochs = 50

  @Option(help: "Epochs for synth (the reference is 5).")
  var synthEpochs = 5

  @Option(help: "Epochs for the digits CNN (the reference is 10).")
  var cnnEpochs = 10

  @Flag(
    help: "Keep the OpenBLAS kernel chosen at load time (by default the fastest the CPU supports).")
  var keepKernel = false

  @Option(help: "Runs of each training workload; the median time is reported.")
  var runs = 3

  func run() throws {
    if !keepKernel { OpenBLASKernel.ensure(.fastest) }
    BLAS.setThreadCount(threads)
    for name in workload.split(separator: ",").map(String.init) {
      switch name {
      case "digits": try digits()
      case "synth": try synth()
      case "gemm": try gemm()
      case "cnn": try cnn()
      case "naming": naming()
      case "pages": pages()
      default:
        throw ValidationError(
          "unknown workload '\(name)': use digits, synth, gemm, cnn, naming or pages")
      }
    }
  }

  /// A `model` block of 64-W-10 run through a session, W = 512 and 2048 (4× the
  /// parameters), interleaved, `runs` times each; the ratio of the medians per parameter is
  /// 1 when building and naming a model is linear in its parameters.
  func naming() {
    func seconds(_ width: Int) -> Double {
      let text = "```model wide\ninputs: 64\nlayer: \(width) relu\nlayer: 10 softmax\n```\n"
      let (document, _) = Document.parse(text, path: "bench.md")
      let start = DispatchTime.now().uptimeNanoseconds
      _ = Session(document: document).run()
      return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
    var small: [Double] = []
    var large: [Double] = []
    for _ in 0..<max(1, runs) {
      small.append(seconds(512))
      large.append(seconds(2048))
    }
    let (p1, p4) = (Double(64 * 513 + 513 * 10), Double(64 * 2049 + 2049 * 10))
    func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
    let (t1, t4) = (median(small), median(large))
    print(
      json([
        ("workload", .string("naming")), ("parameters_small", .number(p1)),
        ("parameters_large", .number(p4)), ("seconds_small", .number(t1)),
        ("seconds_large", .number(t4)), ("ratio_per_parameter", .number((t4 / p4) / (t1 / p1))),
        ("implementation", .string("nbrun")),
      ]))
  }

  /// Rendering a page (parse, run, Markdown and HTML) of 1000 and of 4000 inline math
  /// spans with a placeholder each, interleaved, `runs` times (median); the ratio per span
  /// is 1 when rendering is linear. Also 200,000 `$` signs in one paragraph.
  func pages() {
    func notebook(_ spans: Int) -> String {
      var text = "```expr g\nJ = 2*a\na = 3\n```\n\n"
      for k in 0..<spans {
        text += "Let $x_{\(k)} = {{ g.J }}$ hold. "
        if k % 10 == 9 { text += "\n\n" }
      }
      return text
    }
    func seconds(_ text: String) -> Double {
      let start = DispatchTime.now().uptimeNanoseconds
      let (document, diagnostics) = Document.parse(text, path: "bench.md")
      let result = Session(document: document).run(parseDiagnostics: diagnostics)
      _ = MarkdownHandout(result: result, name: "bench").text
      _ = HTMLHandout(result: result, name: "bench", math: nil).text
      return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
    let (small, large) = (notebook(1000), notebook(4000))
    let dollars = String(repeating: "$ ", count: 100_000) + String(repeating: "$", count: 100_000)
    var times: [[Double]] = [[], [], []]
    for _ in 0..<max(1, runs) {
      times[0].append(seconds(small))
      times[1].append(seconds(large))
      times[2].append(seconds(dollars))
    }
    let medians = times.map { $0.sorted()[$0.count / 2] }
    print(
      json([
        ("workload", .string("pages")), ("seconds_1000_spans", .number(medians[0])),
        ("seconds_4000_spans", .number(medians[1])),
        ("ratio_per_span", .number(medians[1] / 4 / medians[0])),
        ("seconds_200000_dollars", .number(medians[2])), ("implementation", .string("nbrun")),
      ]))
  }

  /// The digits set scaled to [0, 1], 64-64-10 ReLU/softmax, cross-entropy, SGD η = 0.1,
  /// batch 32, reshuffled every epoch, Float.
  func digits() throws {
    let data = Datasets.digits()
    try train(
      "digits", Matrix(converting: data.features.scaled(by: 1.0 / 16)),
      Matrix(converting: data.targets), units: [64, 10], epochs: digitsEpochs, batch: 32)
  }

  /// 20000 × 784 inputs in [0, 1) labelled by a linear teacher with weights in [−1, 1),
  /// 784-256-128-10 ReLU, SGD η = 0.1, batch 128, Float. Inputs and teacher come from
  /// ``hashUniform(_:)``, so `bench/baselines.py` trains on exactly the same data.
  func synth() throws {
    let rows = 20_000
    let x = try Matrix<Float>(rows: rows, columns: 784, elements: (0..<rows * 784).map(hashUniform))
    let teacher = try Matrix<Float>(
      rows: 784, columns: 10, elements: (0..<7840).map { 2 * hashUniform(rows * 784 + $0) - 1 })
    let labels = try x.multiplied(by: teacher).argmaxPerRow()
    try train(
      "synth", x, Matrix(column: labels.map(Float.init)), units: [256, 128, 10],
      epochs: synthEpochs, batch: 128)
  }

  /// The digits as 8×8 images in [0, 1] through a small CNN: 8 filters of 3×3 with ReLU
  /// (He uniform), 2×2 max pooling, a dense softmax layer of 10; cross-entropy, SGD η = 0.1,
  /// batch 32, Float — what `bench/baselines.py`'s `numpy_cnn` writes by hand.
  func cnn() throws {
    let data = Datasets.digits()
    let x = try FeatureMaps<Float>(
      unflattening: Matrix(converting: data.features.scaled(by: 1.0 / 16)), height: 8, width: 8,
      channels: 1)
    let y = Matrix<Float>(converting: data.targets)
    var times: [Double] = []
    var last: (ConvolutionalNetwork<Float>, [Double])?
    for _ in 0..<max(1, runs) {
      var generator = RandomGenerator(seed: 0)
      let conv = try Convolution2D<Float>(
        filters: 8, window: Window(height: 3, width: 3), inputChannels: 1, activation: .relu,
        initializer: .heUniform, generator: &generator)
      let pool = Pooling2D(
        kind: .max, window: try Window(height: 2, width: 2, strideHeight: 2, strideWidth: 2))
      let head = try Network<Float>(
        inputs: 72, units: [10], activations: [.softmax], initializer: .heUniform, seed: 1)
      var network = try ConvolutionalNetwork(
        height: 8, width: 8, channels: 1, stages: [.convolution(conv), .pooling(pool)],
        head: head)
      let start = DispatchTime.now()
      let losses = try network.fit(
        x, y, loss: .sparseCategoricalCrossEntropy, optimizer: .sgd(learningRate: 0.1),
        epochs: cnnEpochs, batchSize: 32, seed: 0)
      times.append(elapsed(since: start))
      last = (network, losses)
    }
    guard let (network, losses) = last else { return }
    let seconds = times.sorted()[times.count / 2]
    let (_, metrics) = try network.evaluate(
      x, y, loss: .sparseCategoricalCrossEntropy, metrics: [.accuracy])
    print(
      json([
        ("workload", .string("cnn")), ("dtype", .string("float32")), ("threads", .int(threads)),
        ("epochs", .int(cnnEpochs)), ("seconds", .number(seconds)),
        ("samples_per_s", .number(Double(x.count * cnnEpochs) / seconds)),
        ("final_loss", losses.last.map(JSONValue.number) ?? .null),
        ("accuracy", metrics.first.map(JSONValue.number) ?? .null),
        ("implementation", .string("nbrun")), ("kernel", .string(OpenBLASKernel.current)),
      ]))
  }

  /// Trains a fresh ReLU/softmax network `runs` times and reports the median time.
  func train(
    _ name: String, _ x: Matrix<Float>, _ y: Matrix<Float>, units: [Int], epochs: Int, batch: Int
  )
    throws
  {
    let configuration = TrainingConfiguration(
      loss: .sparseCategoricalCrossEntropy, optimizer: .sgd(learningRate: 0.1), epochs: epochs,
      batchSize: batch, shuffle: true, seed: 0)
    var times: [Double] = []
    var last: (Network<Float>, TrainingHistory)?
    for _ in 0..<max(1, runs) {
      var network = try Network<Float>(
        inputs: x.columns, units: units,
        activations: Array(repeating: .relu, count: units.count - 1) + [.softmax],
        initializer: .heUniform, seed: 0)
      let start = DispatchTime.now()
      let history = try network.fit(x, y, configuration: configuration)
      times.append(elapsed(since: start))
      last = (network, history)
    }
    guard let (network, history) = last else { return }
    let seconds = times.sorted()[times.count / 2]
    let (_, metrics) = try network.evaluate(x, y, loss: configuration.loss, metrics: [.accuracy])
    let bound = gemmBound(rows: x.rows, widths: [x.columns] + units, batch: batch, epochs: epochs)
    print(
      json([
        ("workload", .string(name)), ("dtype", .string("float32")), ("threads", .int(threads)),
        ("epochs", .int(epochs)), ("seconds", .number(seconds)),
        ("samples_per_s", .number(Double(x.rows * epochs) / seconds)),
        ("final_loss", history.records.last.map { .number($0.loss) } ?? .null),
        ("accuracy", metrics.first.map(JSONValue.number) ?? .null),
        ("gemm_bound_seconds", .number(bound)), ("of_gemm_bound", .number(bound / seconds)),
        ("implementation", .string("nbrun")), ("kernel", .string(OpenBLASKernel.current)),
      ]))
  }

  /// The GEMM bound of a dense training run: the seconds its matrix products alone take
  /// as direct CBLAS calls (median of `runs`), batch by batch — forward X·W per layer,
  /// backward Xᵀ·δ per layer and δ·Wᵀ for every layer but the first (the data's gradient
  /// is not needed). Training can be no faster; `of_gemm_bound` says how near it comes.
  func gemmBound(rows: Int, widths: [Int], batch: Int, epochs: Int) -> Double {
    let widest = widths.max() ?? 1
    var generator = RandomGenerator(seed: 5)
    let input = (0..<batch * widest).map { _ in Float(generator.nextUniform()) }
    let weights = (0..<widest * widest).map { _ in Float(generator.nextUniform()) }
    var output = [Float](repeating: 0, count: max(batch, widest) * widest)
    func product(_ transA: CBLAS_TRANSPOSE, _ transB: CBLAS_TRANSPOSE, _ m: Int, _ n: Int, _ k: Int)
    {
      let lda = transA == CblasNoTrans ? k : m
      let ldb = transB == CblasNoTrans ? n : k
      cblas_sgemm(
        CblasRowMajor, transA, transB, Int32(m), Int32(n), Int32(k), 1, input, Int32(lda), weights,
        Int32(ldb), 0, &output, Int32(n))
    }
    var times: [Double] = []
    for _ in 0..<max(1, runs) {
      let start = DispatchTime.now()
      for _ in 0..<epochs {
        var done = 0
        while done < rows {
          let b = min(batch, rows - done)
          for layer in 1..<widths.count {
            let (inputs, units) = (widths[layer - 1], widths[layer])
            product(CblasNoTrans, CblasNoTrans, b, units, inputs)  // forward
            product(CblasTrans, CblasNoTrans, inputs, units, b)  // ∂L/∂W
            if layer > 1 { product(CblasNoTrans, CblasTrans, b, inputs, units) }  // ∂L/∂X
          }
          done += b
        }
      }
      times.append(elapsed(since: start))
    }
    return times.sorted()[times.count / 2]
  }

  /// GFLOP/s of `Matrix.multiplied(by:)` against the same product by a direct CBLAS call.
  func gemm() throws {
    for n in [256, 1024] {
      try gemm(Float.self, n: n) { a, b, c in
        cblas_sgemm(
          CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1, a, Int32(n),
          b,
          Int32(n), 0, &c, Int32(n))
      }
      try gemm(Double.self, n: n) { a, b, c in
        cblas_dgemm(
          CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1, a, Int32(n),
          b,
          Int32(n), 0, &c, Int32(n))
      }
    }
  }

  func gemm<S: MatrixScalar>(
    _: S.Type, n: Int, direct: ([S], [S], inout [S]) -> Void
  ) throws {
    var generator = RandomGenerator(seed: 4)
    let a = try Matrix<S>(
      rows: n, columns: n, elements: (0..<n * n).map { _ in S(generator.nextUniform()) })
    let b = try Matrix<S>(
      rows: n, columns: n, elements: (0..<n * n).map { _ in S(generator.nextUniform()) })
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
        ("implementation", .string("nbrun")), ("kernel", .string(OpenBLASKernel.current)),
      ]))
  }

  func elapsed(since start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
  }
}

/// A number in [0, 1) from the SplitMix64 finaliser of an index: the same in Swift and
/// NumPy (uint64 arithmetic), so both benchmarks train on identical synthetic data.
func hashUniform(_ index: Int) -> Float {
  var z = UInt64(index + 1) &* 0x9E37_79B9_7F4A_7C15
  z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
  z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
  z ^= z >> 31
  return Float(z >> 40) / Float(1 << 24)
}

enum JSONValue {
  case string(String)
  case int(Int)
  case number(Double)
  case null
}

/// One JSON object with keys in the given order.
func json(_ pairs: [(String, JSONValue)]) -> String {
  let fields = pairs.map { key, value -> String in
    let text: String
    switch value {
    case .string(let s): text = "\"\(s)\""
    case .int(let i): text = String(i)
    case .number(let d): text = d.isFinite ? NumberText.significant(d, digits: 6) : "null"
    case .null: text = "null"
    }
    return "\"\(key)\": \(text)"
  }
  return "{" + fields.joined(separator: ", ") + "}"
}
