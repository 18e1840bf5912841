import CommandLineSupport
import Foundation
import NeuralEngine
import Notebook
import Rendering
import Runner
import Testing

/// The exported notebooks run: every lecture and both exercise sheets (handout, student and
/// key builds) are executed top to bottom in a fresh `python3` kernel (nbclient), and every
/// number nbrun printed in a cell's tables must be printed again by the executed cell, to
/// the printed precision (`Tests/Fixtures/run_notebook.py`).
@Suite("Jupyter export runs")
struct JupyterTests {
  static let kernelReady =
    (try? BrowserTests.run(
      BrowserTests.python,
      ["-c", "import nbclient, ipykernel, numpy, matplotlib, nbformat; print('ok')"]))?
    .contains("ok") == true

  static let cases: [(notebook: String, build: String)] =
    CourseTests.notebooks.map { ($0, "handout") }
    + CourseTests.notebooks.filter { $0.hasPrefix("exercise") }.flatMap {
      [($0, "student"), ($0, "key")]
    }

  /// A course notebook exported as `nbrun --to ipynb` writes it, and the run it came from.
  static func exportAndRun(_ notebook: String, build: Build) throws -> (
    json: String, result: RunResult
  ) {
    let url = CourseTests.repository.appendingPathComponent("notebooks").appendingPathComponent(
      notebook)
    let text = try String(contentsOf: url, encoding: .utf8)
    let result = run(
      text, path: "notebooks/\(notebook)", dataFolder: url.deletingLastPathComponent())
    #expect(result.succeeded)
    return (
      NotebookExport(result: result, name: String(notebook.dropLast(3)), build: build).json, result
    )
  }

  /// A notebook given as text, run as an export runs it (every block's code generated);
  /// the CSV files it names are read from `dataFolder`.
  static func run(_ text: String, path: String, dataFolder: URL? = nil) -> RunResult {
    let (document, diagnostics) = Document.parse(text, path: path)
    var options = RunOptions()
    if let dataFolder {
      options.readFile = {
        try String(contentsOf: dataFolder.appendingPathComponent($0), encoding: .utf8)
      }
    }
    options.generatesCode = true
    return Session(document: document, options: options).run(parseDiagnostics: diagnostics)
  }

  static let folder = CourseTests.repository.appendingPathComponent(".build/jupyter")

  /// Executes a notebook with `Tests/Fixtures/run_notebook.py`: its report (the raw text,
  /// parsed when it is JSON) and every named value the notebook computed.
  static func execute(_ json: String, as name: String) throws -> (
    text: String, report: [String: Any]?, values: [String: Any]?
  ) {
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let file = folder.appendingPathComponent("\(name).ipynb")
    try Data(json.utf8).write(to: file)
    let values = folder.appendingPathComponent("\(name).values.json")
    try? FileManager.default.removeItem(at: values)
    let script = CourseTests.repository.appendingPathComponent("Tests/Fixtures/run_notebook.py")
    let executed = folder.appendingPathComponent("\(name).executed.ipynb")
    let text = try BrowserTests.run(
      BrowserTests.python,
      [script.path, file.path, "--values", values.path, "--save", executed.path])
    let report = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
    let computed = (try? Data(contentsOf: values)).flatMap {
      try? JSONSerialization.jsonObject(with: $0) as? [String: Any]
    }
    return (text, report, computed)
  }

  @Test(
    "an exported notebook runs in a fresh python3 kernel and prints nbrun's numbers",
    .enabled(
      if: kernelReady,
      "Python with nbclient, ipykernel, numpy and matplotlib is needed: scripts/test installs them in .build/test-venv"
    ),
    arguments: cases.map { "\($0.notebook) \($0.build)" })
  func exportRuns(_ name: String) throws {
    let parts = name.split(separator: " ").map(String.init)
    let build = Build(rawValue: parts[1]) ?? .handout
    let (json, result) = try Self.exportAndRun(parts[0], build: build)
    let run = try Self.execute(json, as: "\(parts[0].dropLast(3))-\(parts[1])")
    let parsed = try #require(run.report, "no report from the run: \(run.text)")
    #expect(parsed["error"] == nil, "the notebook failed: \(parsed["error"] ?? "")")
    #expect(parsed["failed"] as? Int == 0, "numbers not reproduced: \(parsed["failures"] ?? "")")
    // Every notebook prints numbers, and the checker saw them.
    let checked = parsed["checked"] as? Int ?? 0
    #expect(checked >= (build == .student ? 4 : 30), "only \(checked) numbers were checked")
    // Every value the notebook computed, by name, is nbrun's value of that name.
    let computed = try #require(run.values)
    let comparison = Self.compare(computed, with: result)
    #expect(
      comparison.unknown.isEmpty, "named values nbrun has not: \(comparison.unknown.prefix(5))")
    #expect(
      comparison.largest <= Self.tolerance,
      "\(comparison.worst): |Python − nbrun| = \(comparison.largest) (relative)")
    #expect(comparison.compared >= min(computed.count, 10) / 2)
    if name == "lecture2.md handout" {
      // The cells print what the handout printed: its precision, its headers, whole epochs.
      let executed = Self.folder.appendingPathComponent("lecture2-handout.executed.ipynb")
      let text = try String(contentsOf: executed, encoding: .utf8)
      #expect(text.contains("-0.3 + (0.9)(0.1312)(0.332) = -0.261"))
      #expect(!text.contains("= -0.2608"))
      #expect(text.contains("| Unit, j | Errⱼ |"))
      #expect(text.contains("| 2000 |") && !text.contains("| 2000.0000 |"))
    }
  }

  /// The largest relative difference allowed between a value the notebook computed and
  /// nbrun's. Measured over the course, training included: 1.4e-14 (lecture 4; NumPy's
  /// products sum in another order than OpenBLAS as nbrun calls it), so 1e-12 leaves room.
  static let tolerance = 1e-12

  /// Runs that are ill-conditioned on purpose, where a last-bit difference changes the
  /// outcome: lecture 4's `unscaled` (raw pixels at η = 0.1, the example of training that
  /// goes wrong: the trajectories part after a few epochs) and `zero` (every weight zero:
  /// its net inputs are rounding noise, about 1e-5). Their printed numbers still agree to
  /// the printed precision; their named values are not compared.
  static let illConditioned = ["unscaled.", "zero."]

  /// A gradient check's centred differences divide rounding noise by 2h (10⁵ times for
  /// h = 10⁻⁵), and its relative errors are that noise over the gradient: they agree with
  /// nbrun's to their printed precision (checked above), and to 10⁻¹² only by chance. The
  /// backpropagated gradients of the same block are compared like every other value.
  static func finiteDifference(_ key: ValueKey) -> Bool {
    let quantity = key.quantity.description
    return quantity.hasPrefix("numeric_") || quantity.hasPrefix("error_") || quantity == "max_error"
  }

  /// Python's values against nbrun's, name by name: how many were compared, the largest
  /// relative difference (to max(|nbrun|, 1)) and where, and the names nbrun does not know.
  static func compare(_ computed: [String: Any], with result: RunResult) -> (
    compared: Int, largest: Double, worst: String, unknown: [String]
  ) {
    var compared = 0
    var largest = 0.0
    var worst = ""
    var unknown: [String] = []
    for (name, value) in computed.sorted(by: { $0.key < $1.key })
    where !illConditioned.contains(where: name.hasPrefix) {
      guard let key = ValueKey(parsing: name), case .success(let mine) = result.values.lookup(key)
      else {
        if let key = ValueKey(parsing: name), case .failure(.ambiguous) = result.values.lookup(key)
        {
          continue
        }
        unknown.append(name)
        continue
      }
      switch (mine, value) {
      case (.number(let x), let y as NSNumber):
        if finiteDifference(key) {
          // 1e-12 of the loss is 1e-7 of a difference quotient with h = 1e-5.
          if abs(x - y.doubleValue) > 1e-6 * max(abs(x), 1) {
            largest = max(largest, abs(x - y.doubleValue))
            worst = "\(name): nbrun \(x), Python \(y.doubleValue) (a finite difference)"
          }
          continue
        }
        let difference = abs(x - y.doubleValue) / max(abs(x), 1)
        if x.isNaN && y.doubleValue.isNaN { continue }
        compared += 1
        if difference > largest || difference.isNaN {
          largest = difference.isNaN ? .infinity : difference
          worst = "\(name): nbrun \(x), Python \(y.doubleValue)"
        }
      case (.bool(let x), let y as NSNumber):
        compared += 1
        if x != y.boolValue {
          largest = .infinity
          worst = "\(name): nbrun \(x), Python \(y.boolValue)"
        }
      default: unknown.append(name)
      }
    }
    return (compared, largest, worst, unknown)
  }

  @Test("a number the code does not print again fails the check")
  func theCheckCanFail() throws {
    guard Self.kernelReady else { return }
    // A hand-made notebook: nbrun printed 0.474, the code prints 0.475.
    let notebook = """
      {"cells": [{"cell_type": "code", "execution_count": 1, "id": "a", "metadata": {},
      "source": ["from IPython.display import display\\n",
      "display({'text/plain': '0.475'}, metadata={'nbrun': {'numbers': [0.475]}}, raw=True)"],
      "outputs": [{"output_type": "display_data", "data": {"text/plain": "0.474"},
      "metadata": {"nbrun": {"printed": [[0.4738, 3]]}}}]}],
      "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
      "nbformat": 4, "nbformat_minor": 5}
      """
    let run = try Self.execute(notebook, as: "wrong")
    #expect(run.report?["failed"] as? Int == 1, "\(run.text)")
  }

  @Test("the generated code carries a student's own numbers")
  func variantsExportTheirNumbers() throws {
    // Two students' drawn weights differ; each one's model cell writes out their own.
    var cells: [String] = []
    for student in ["ada", "grace"] {
      let (result, _) = try ExerciseTests.run("exercise1.md", student: student, code: true)
      let model = try #require(result.outcomes.first { $0.block.kind == .model })
      let code = model.items.compactMap { item -> GeneratedCode? in
        if case .code(let code) = item { return code }
        return nil
      }.first
      let text = try #require(code?.lines.joined(separator: "\n"))
      let w14 = try #require(result.values.value(.parameter("hk", "w14"))?.number)
      let w46 = try #require(result.values.value(.parameter("hk", "w46"))?.number)
      // W⁽¹⁾ starts with w14, W⁽²⁾ is [[w46], [w56]].
      #expect(text.contains("[\(PythonText.number(w14)), "), "\(text)")
      #expect(text.contains("[\(PythonText.number(w46))]"), "\(text)")
      let json = NotebookExport(result: result, name: "exercise1", build: .student).json
      #expect(json.contains("Dense(np.array"))
      cells.append(text)
    }
    #expect(cells[0] != cells[1])
  }

  @Test("the support cell's generator is nbrun's, bit for bit")
  func theGeneratorIsReproduced() throws {
    guard Self.kernelReady else { return }
    let folder = Self.folder
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let file = folder.appendingPathComponent("nbrun_support.py")
    try Data(PythonSupport.source.utf8).write(to: file)
    let script = """
      import sys; sys.path.insert(0, sys.argv[1]); from nbrun_support import *
      r = Random(2024); print([r.next() for _ in range(3)])
      r = Random(7); print(repr(r.uniform(-0.5, 0.5)), repr(r.gaussian(0.0, 0.3)), r.integer(10))
      order = list(range(12)); Random(5).shuffle(order); print(order)
      print(repr(initial_values(("he_normal",), 3, 4, 2, Random(9))[2]))
      """
    let output = try BrowserTests.run(BrowserTests.python, ["-c", script, folder.path])
    var r = RandomGenerator(seed: 2024)
    var expected = "[\(r.next()), \(r.next()), \(r.next())]\n"
    r = RandomGenerator(seed: 7)
    let u = r.nextUniform(in: -0.5, 0.5)
    let g = r.nextGaussian(mean: 0, standardDeviation: 0.3)
    expected += "\(u) \(g) \(r.nextInt(below: 10))\n"
    var s = RandomGenerator(seed: 5)
    expected += "\(s.permutation(of: 12))\n"
    var h = RandomGenerator(seed: 9)
    let drawn: [Double] = Initializer.heNormal.values(count: 3, fanIn: 4, fanOut: 2, using: &h)
    expected += "\(drawn[2])\n"
    #expect(output == expected)
  }

  @Test("a float32 model trains in float32 in the notebook too")
  func float32Training() throws {
    guard Self.kernelReady else { return }
    let text = """
      # Float32

      ```data xor
      source: xor
      ```

      ```model net
      inputs: 2
      layer: 4 tanh
      layer: 1 sigmoid
      dtype: float32
      seed: 3
      ```

      ```train net
      data: xor
      loss: binary_crossentropy
      optimizer: adam
      rate: 0.05
      epochs: 200
      ```

      ```predict net
      data: xor
      ```
      """
    let result = Self.run(text, path: "f32.md")
    #expect(result.succeeded)
    let run = try Self.execute(NotebookExport(result: result, name: "f32").json, as: "f32")
    #expect(run.report?["failed"] as? Int == 0, "\(run.text)")
    let computed = try #require(run.values)
    let comparison = Self.compare(computed, with: result)
    // Single precision: agreement to its own rounding (measured 3e-6 on the outputs).
    #expect(comparison.largest <= 1e-4, "\(comparison.worst)")
    #expect(comparison.compared > 20)
  }

  @Test("names that are Python's keywords, builtins or the support cell's own still run")
  func awkwardNamesRun() throws {
    guard Self.kernelReady else { return }
    let text = """
      # Names

      ```data fit
      columns: x y
      rows:
        0.5 0.2
        2.5 0.9
      ```

      ```model sum
      inputs: x
      layer: 1 sigmoid
      weights: w=0.3
      biases: b=-0.1
      ```

      ```train sum
      data: fit
      loss: half_sse
      rate: 0.5
      epochs: 5
      ```

      ```expr class
      lambda = 2
      forward = lambda^2 + 1
      ```

      ```expect
      class.forward = 5
      sum.epochs = 5
      ```
      """
    let result = Self.run(text, path: "names.md")
    #expect(result.succeeded, "\(result.diagnostics.map(\.description))")
    let json = NotebookExport(result: result, name: "names").json
    #expect(json.contains("fit_ = table_data(") && json.contains("lambda_ = Node("))
    let run = try Self.execute(json, as: "names")
    #expect(run.report?["failed"] as? Int == 0, "\(run.text)")
    let computed = try #require(run.values)
    let comparison = Self.compare(computed, with: result)
    #expect(comparison.unknown.isEmpty && comparison.largest <= Self.tolerance, "\(comparison)")
  }
}

/// Issue 26: the NumPy mirror is complete — every activation, loss and optimiser the engine
/// has computes the same numbers in `nbrun_support.py`, so a case added to the engine and
/// forgotten in Python fails here, not in a student's notebook.
@Suite("The NumPy mirror is complete")
struct PythonMirrorTests {
  static let points: [Double] = [-3, -1.5, -0.5, -1e-3, 0, 1e-3, 0.25, 0.5, 1.5, 3]

  /// Runs `script` with the support module importable; its stdout.
  static func python(_ script: String) throws -> String {
    let folder = JupyterTests.folder.appendingPathComponent("mirror")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try Data(PythonSupport.source.utf8).write(
      to: folder.appendingPathComponent("nbrun_support.py"))
    return try BrowserTests.run(
      BrowserTests.python,
      [
        "-c", "import sys; sys.path.insert(0, sys.argv[1]); from nbrun_support import *\n" + script,
        folder.path,
      ])
  }

  /// The directives with nothing to recompute in NumPy: their `python` says `nil` by
  /// design (an exercise block only frames the blocks of an exercise).
  static let recomputeNothing: Set<DirectiveKind> = [.exercise]

  @Test(
    "every directive: each kind's blocks in the course export NumPy code (the replay above runs it)"
  )
  func everyDirective() throws {
    var coded: Set<DirectiveKind> = []
    var used: Set<DirectiveKind> = []
    let folder = CourseTests.repository.appendingPathComponent("notebooks")
    // The smallest notebooks first, and only those that add a directive not yet seen.
    let urls = try FileManager.default.contentsOfDirectory(atPath: folder.path)
      .filter { $0.hasSuffix(".md") }.map { folder.appendingPathComponent($0) }
    let texts = try urls.map { try String(contentsOf: $0, encoding: .utf8) }
    for (url, text) in zip(urls, texts).sorted(by: {
      ($0.1.utf8.count, $0.0.path) < ($1.1.utf8.count, $1.0.path)
    }) {
      let kinds = Set(Document.parse(text, path: url.path).0.directives.map { $0.kind })
      guard !kinds.isSubset(of: used) else { continue }
      let result = JupyterTests.run(
        text, path: url.path, dataFolder: url.deletingLastPathComponent())
      for outcome in result.outcomes {
        used.insert(outcome.block.kind)
        for case .code(let code) in outcome.items where code.language == .numpy {
          coded.insert(outcome.block.kind)
        }
      }
    }
    for kind in DirectiveKind.allCases {
      #expect(
        used.contains(kind), "no course notebook uses '\(kind.rawValue)', so its Python is untested"
      )
      if Self.recomputeNothing.contains(kind) {
        #expect(!coded.contains(kind), "'\(kind.rawValue)' exports code; take it off the list")
      } else {
        #expect(coded.contains(kind), "'\(kind.rawValue)' blocks export no NumPy code")
      }
    }
  }

  static func numbers(_ text: Substring) -> [Double] {
    text.split(separator: " ").compactMap { Double($0) }
  }

  @Test("every activation: φ and φ′ at ten points, as the engine computes them")
  func activations() throws {
    guard JupyterTests.kernelReady else { return }
    let cases = Activation.allCases.filter { $0 != .softmax }
    let grid = Self.points.map { PythonText.number($0) }.joined(separator: ", ")
    var script = "z = np.array([\(grid)])\n"
    for activation in cases {
      var alpha = "None"
      if case .leakyReLU(let a) = activation { alpha = PythonText.number(a) }
      if case .elu(let a) = activation { alpha = PythonText.number(a) }
      script += """
        a = activate("\(activation.name)", z, \(alpha))
        print(" ".join(repr(float(x)) for x in a))
        print(" ".join(repr(float(x)) for x in derivative("\(activation.name)", z, a, \(alpha))))

        """
    }
    let lines = try Self.python(script).split(separator: "\n")
    try #require(lines.count == 2 * cases.count, "\(lines)")
    for (k, activation) in cases.enumerated() {
      let values = Self.numbers(lines[2 * k])
      let slopes = Self.numbers(lines[2 * k + 1])
      for (i, z) in Self.points.enumerated() {
        let a = activation.value(z)
        #expect(abs(values[i] - a) <= 1e-14 * max(1, abs(a)), "\(activation.name)(\(z))")
        let slope = activation.derivative(z, output: a)
        #expect(abs(slopes[i] - slope) <= 1e-14 * max(1, abs(slope)), "\(activation.name)′(\(z))")
      }
    }
  }

  @Test("every loss: its value and its gradient, as the engine computes them")
  func losses() throws {
    guard JupyterTests.kernelReady else { return }
    let predicted = try Matrix<Double>([[0.2, 0.7, 0.1], [0.6, 0.3, 0.1]])
    for loss in Loss.allCases {
      let target: Matrix<Double> =
        loss.name == "sparse_categorical_crossentropy"
        ? try Matrix([[1.0], [0.0]]) : try Matrix([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
      let value = try loss.value(predicted: predicted, target: target)
      let gradient = try loss.gradient(predicted: predicted, target: target).elements
      var delta = "1.0"
      if case .huber(let d) = loss { delta = PythonText.number(d) }
      let rows = { (m: Matrix<Double>) in
        "np.array(\((0..<m.rows).map { r in "[" + (0..<m.columns).map { PythonText.number(m[r, $0]) }.joined(separator: ", ") + "]" }))"
          .replacingOccurrences(of: "\"", with: "")
      }
      let output = try Self.python(
        """
        p, y = \(rows(predicted)), \(rows(target))
        print(repr(float(loss_value("\(loss.name)", p, y, \(delta)))))
        print(" ".join(repr(float(x)) for x in loss_gradient("\(loss.name)", p, y, \(delta)).ravel()))
        """
      ).split(separator: "\n")
      try #require(output.count == 2, "\(loss.name): \(output)")
      #expect(
        abs((Double(output[0]) ?? .nan) - value) <= 1e-14 * max(1, abs(value)), "\(loss.name)")
      let mirrored = Self.numbers(output[1])
      #expect(mirrored.count == gradient.count, "\(loss.name)")
      for (x, y) in zip(mirrored, gradient) {
        #expect(abs(x - y) <= 1e-14 * max(1, abs(y)), "\(loss.name)′")
      }
    }
  }

  @Test("every optimiser, AMSGrad and a schedule: three steps, as the engine takes them")
  func optimizers() throws {
    guard JupyterTests.kernelReady else { return }
    var amsgrad = Optimizer.adam(learningRate: 0.1)
    amsgrad.amsgrad = true
    var scheduled = Optimizer.sgd(learningRate: 0.2, momentum: 0.9, nesterov: true, decay: 0.1)
    scheduled.schedule = .step(factor: 0.5, every: 1)
    // The constructors the export writes, from the export's own generator.
    let cases: [Optimizer] = [
      .sgd(learningRate: 0.1), scheduled, .adagrad(learningRate: 0.1),
      .rmsprop(learningRate: 0.1), .adam(learningRate: 0.1), amsgrad,
      .adadelta(learningRate: 1.0),
    ]
    let gradients: [Double] = [4, 0.5, -0.1]
    for optimizer in cases {
      let python = PythonText.optimizer(optimizer)
      var net = try Network<Double>(
        inputs: 1, layers: [try Dense(weights: Matrix([[1.0]]), bias: nil, activation: .identity)])
      var state = OptimizerState(optimizer, for: net)
      var thetas: [Double] = []
      for (epoch, g) in gradients.enumerated() {
        state.epoch = epoch + 1
        state.update(&net, weightGradients: [try Matrix([[g]])], biasGradients: [nil])
        thetas.append(net.layers[0].weights[0, 0])
      }
      let output = try Self.python(
        """
        o, theta, out = \(python), np.array([1.0]), []
        for e, g in enumerate([\(gradients.map { PythonText.number($0) }.joined(separator: ", "))]):
            o.epoch, o.t = e + 1, o.t + 1
            theta = o.apply(theta, np.array([g]), 0)
            out.append(repr(float(theta[0])))
        print(" ".join(out))
        """)
      let mirrored = Self.numbers(Substring(output.trimmingCharacters(in: .whitespacesAndNewlines)))
      #expect(mirrored.count == 3, "\(python): \(output)")
      for (x, y) in zip(mirrored, thetas) {
        #expect(abs(x - y) <= 1e-14 * max(1, abs(y)), "\(python): \(mirrored) vs \(thetas)")
      }
    }
  }
}
