import Foundation
import Notebook
import NotebookKernel
import Runner
import Testing

/// The nbrun Jupyter kernel driven by Jupyter's own clients (from `scripts/test`'s venv):
/// jupyter_client, the conformance suite jupyter_kernel_test, nbconvert, and JupyterLab in
/// headless Chromium. The kernelspec is installed under `.build/jupyter-kernel/`.
@Suite("Jupyter kernel", .serialized)
struct KernelTests {
  static let repository = BrowserTests.repository
  static let folder = repository.appendingPathComponent(".build/jupyter-kernel")
  static var jupyterPath: String { folder.appendingPathComponent("share/jupyter").path }

  /// Whether the venv has what the tests drive the kernel with.
  static let clientsReady =
    (try? BrowserTests.run(
      BrowserTests.python,
      ["-c", "import jupyter_client, jupyter_kernel_test, nbconvert, jupyterlab; print('ok')"]))?
    .contains("ok") == true

  static var kernelProgram: URL? {
    CommandLineTests.executable?.deletingLastPathComponent().appendingPathComponent(
      "nbrun-kernel")
  }

  /// Installs the kernelspec for the kernel just built; `nil` (the test says why) when the
  /// clients or the program are missing.
  static func install() throws -> Bool {
    guard clientsReady else {
      print(
        "skipped: jupyter_client, jupyter_kernel_test, nbconvert or jupyterlab is missing from \(BrowserTests.python) (scripts/test installs them)"
      )
      return false
    }
    let program = try #require(kernelProgram, "swift build builds nbrun-kernel")
    let output = try BrowserTests.run(program.path, ["install", "--prefix", folder.path])
    #expect(output.contains("Installed the nbrun kernel"))
    let spec = try String(
      contentsOf: folder.appendingPathComponent("share/jupyter/kernels/nbrun/kernel.json"),
      encoding: .utf8)
    #expect(spec.contains("\"interrupt_mode\":\"message\""))
    #expect(spec.contains("\"language\":\"nbrun\""))
    #expect(
      FileManager.default.fileExists(
        atPath: folder.appendingPathComponent("share/jupyter/kernels/nbrun/logo-64x64.png").path))
    // Jupyter lists it, as JupyterLab's launcher and `jupyter kernelspec list` do.
    let listing = try python(
      [
        "-c",
        "from jupyter_client.kernelspec import KernelSpecManager as M; s = M().get_kernel_spec('nbrun'); print(s.display_name, s.language, s.interrupt_mode)",
      ])
    #expect(listing.output == "nbrun nbrun message\n", "\(listing)")
    return true
  }

  /// Runs the venv's Python with the kernelspec on JUPYTER_PATH, in `folder`.
  static func python(_ arguments: [String], in directory: URL? = nil) throws -> (
    output: String, status: Int32
  ) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: BrowserTests.python)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    process.environment = ProcessInfo.processInfo.environment.merging(
      ["JUPYTER_PATH": jupyterPath], uniquingKeysWith: { $1 })
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (text, process.terminationStatus)
  }

  /// Exports notebooks with `--kernel nbrun` into `into`.
  static func export(_ notebooks: [String], into: URL) throws {
    try? FileManager.default.removeItem(at: into)
    let nbrun = try #require(CommandLineTests.executable)
    let paths = notebooks.map { repository.appendingPathComponent($0).path }
    _ = try BrowserTests.run(
      nbrun.path, ["--no-cache", "--to", "ipynb", "--kernel", "nbrun", "-o", into.path] + paths)
  }

  static func json(_ text: String) throws -> [String: Any] {
    let line = text.split(separator: "\n").last.map(String.init) ?? ""
    return try #require(
      try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
      "not a report: \(text.suffix(2000))")
  }

  @Test("every course notebook's cells run in the kernel and print the handout's Markdown")
  func courseAndFeatures() throws {
    guard try Self.install() else { return }
    let exported = Self.folder.appendingPathComponent("course")
    try Self.export(CourseTests.notebooks.map { "notebooks/\($0)" }, into: exported)
    // The probe compares with the committed handouts, so it reads them where they are.
    for notebook in CourseTests.notebooks {
      let name = String(notebook.dropLast(3))
      let handout = Self.repository.appendingPathComponent("output/\(name).md")
      let copy = exported.appendingPathComponent("\(name).md")
      try? FileManager.default.removeItem(at: copy)
      try FileManager.default.copyItem(at: handout, to: copy)
    }
    let script = Self.repository.appendingPathComponent("Tests/Fixtures/kernel_probe.py")
    let names = CourseTests.notebooks.map { String($0.dropLast(3)) }
    let report = try Self.json(
      try BrowserTests.run(
        BrowserTests.python,
        [
          script.path, Self.jupyterPath, Self.repository.appendingPathComponent("notebooks").path,
          exported.path,
        ] + names))

    // Every cell of the course ran, and each Markdown output is the handout's block.
    for name in names {
      let entry = try #require(report[name] as? [String: Any], "no report for \(name)")
      #expect((entry["failures"] as? [Any])?.isEmpty == true, "\(name): \(entry)")
      let outputs = entry["outputs"] as? Int ?? 0
      #expect(outputs > 0 && outputs == entry["blocks"] as? Int, "\(name): \(entry)")
      #expect((entry["mismatches"] as? [Any])?.isEmpty == true, "\(name): \(entry)")
    }
    let kinds = Set(report["kinds"] as? [String] ?? [])
    let missing = DirectiveKind.allCases.map(\.rawValue).filter { !kinds.contains($0) }
    #expect(missing.isEmpty, "directive kinds no course cell runs: \(missing)")

    let info = try #require(report["kernel_info"] as? [String: String])
    #expect(info == ["protocol_version": "5.3", "language": "nbrun", "implementation": "nbrun"])
    let model = try #require(report["model"] as? [String: Any])
    #expect(model["mimes"] as? [String] == ["text/html", "text/markdown", "text/plain"])
    let forward = try #require(report["forward"] as? [String: Any])
    #expect(forward["status"] as? String == "ok")
    #expect(
      forward["markdown"] as? String
        == "| Unit, j | Net input, Iⱼ | Output, Oⱼ |\n|---|---:|---:|\n| 3 | 1.7000 | 0.8455 |\n| 4 | 1.8000 | 0.8581 |\n| 5 | 0.2293 | 0.5571 |\n"
    )
    #expect((forward["html"] as? String)?.contains("<td class=\"num\">0.5571</td>") == true)
    #expect(report["prose"] as? [String] == ["The output is 0.5571.\n"])

    // The model cell run again: the forward cell that read it is stale, and says so.
    let rerun = try #require(report["rerun"] as? [String: Any])
    #expect(rerun["stale"] as? [Int] == [2])
    #expect(
      rerun["notes"] as? [String] == [
        "note: In [2] read 'hk', which this cell changed; run it again to update its results\n"
      ])
    #expect((report["forward_again"] as? [String: Any])?["status"] as? String == "ok")

    let complete = try #require(report["complete"] as? [String: [String: Any]])
    #expect(complete["directive"]?["matches"] as? [String] == ["forward"])
    #expect(complete["option"]?["matches"] as? [String] == ["optimizer: "])
    #expect(complete["optimizer"]?["matches"] as? [String] == ["adagrad", "adam", "adadelta"])
    #expect((complete["activation"]?["matches"] as? [String])?.contains("sigmoid") == true)
    #expect(complete["loss"]?["matches"] as? [String] == ["binary_crossentropy"])
    #expect(complete["name"]?["matches"] as? [String] == ["hk"])
    #expect(complete["quantity"]?["matches"] as? [String] == ["hk.O3", "hk.O4", "hk.O5"])
    #expect(complete["quantity"]?["start"] as? Int == 7)

    let inspect = try #require(report["inspect"] as? [String: String])
    #expect(inspect["option"]?.hasPrefix("**`optimizer`** — the optimizer.") == true)
    #expect(inspect["option"]?.contains("`adam`") == true)
    #expect(inspect["directive"]?.hasPrefix("**`backward`** — a backward pass") == true)
    #expect(inspect["name"]?.hasPrefix("**`hk`** holds") == true)
    #expect(
      report["is_complete"] as? [String: String] == [
        "```model hk\ninputs: 2": "incomplete", "```model hk\ninputs: 2\n```": "complete",
        "---\nprecision: 3": "incomplete", "model hk\ninputs: 2": "incomplete",
        "model hk\ninputs: 2\n": "complete",
      ])

    // A located error: line and caret relative to the cell, and the hint.
    let error = try #require(report["error"] as? [String: Any])
    #expect(error["ename"] as? String == "NotebookError")
    #expect(
      error["traceback"] as? [String] == [
        "In [6]:3:10: error: unknown activation 'sigmod'\n    layer: 2 sigmod\n             ^~~~~~\n    did you mean 'sigmoid'?"
      ])
    #expect(error["error_messages"] as? Int == 1)
    let expect = try #require(report["expect"] as? [String: Any])
    #expect(expect["ename"] as? String == "ExpectationFailed")
    #expect(
      (expect["evalue"] as? String)?.hasPrefix("In [7]:2:1: error: expected hk.O5 = 0.9") == true)

    // An interrupt stops a long train at the next epoch, within a second.
    let interrupt = try #require(report["interrupt"] as? [String: Any])
    #expect(interrupt["control"] as? String == "interrupt_reply")
    #expect(interrupt["ename"] as? String == "Interrupted")
    #expect(
      (interrupt["evalue"] as? String)?.contains("train hk was interrupted after") == true,
      "\(interrupt)")
    #expect((interrupt["seconds"] as? Double ?? 99) < 1)

    // Restart is a new kernel: nothing is defined, and the count starts again.
    let restart = try #require(report["restart"] as? [String: Any])
    #expect(restart["count"] as? Int == 1)
    #expect(
      (restart["evalue"] as? String)?.hasPrefix("In [1]:1:1: error: no model 'hk' is defined")
        == true
    )
  }

  @Test("the Jupyter project's conformance suite passes (jupyter_kernel_test)")
  func conformance() throws {
    guard try Self.install() else { return }
    let (text, status) = try Self.python(
      ["-m", "unittest", "kernel_conformance", "-v"],
      in: Self.repository.appendingPathComponent("Tests/Fixtures"))
    #expect(status == 0, "\(text)")
    #expect(text.contains("Ran 12 tests"), "\(text)")
    #expect(text.contains("OK (skipped=6)"), "\(text)")
    for test in ["completion", "display_data", "error", "inspect", "is_complete", "kernel_info"] {
      #expect(
        text.contains("test_\(test) (kernel_conformance.NBRunKernelTests.test_\(test)) ... ok"))
    }
  }

  @Test("nbconvert --execute runs lecture 2 in the kernel; its Markdown outputs are the handout's")
  func nbconvert() throws {
    guard try Self.install() else { return }
    let exported = Self.folder.appendingPathComponent("nbconvert")
    try Self.export(["notebooks/lecture2.md"], into: exported)
    let script = Self.repository.appendingPathComponent("Tests/Fixtures/kernel_nbconvert.py")
    let report = try Self.json(
      try BrowserTests.run(
        BrowserTests.python,
        [
          script.path, Self.jupyterPath, exported.appendingPathComponent("lecture2.ipynb").path,
          Self.repository.appendingPathComponent("output/lecture2.md").path,
        ]))
    #expect(report["returncode"] as? Int == 0, "\(report)")
    #expect(report["code_cells"] as? Int == 48)
    #expect(report["executed"] as? Int == 48)
    #expect(report["errors"] as? Int == 0)
    #expect(report["outputs"] as? Int == 33)
    #expect(report["blocks"] as? Int == 33)
    #expect(report["equal"] as? Int == 33)
  }

  @Test(
    "JupyterLab runs a notebook of the kernel; the H&K tables and figure are on the page",
    arguments: [1280, 390])
  func jupyterLab(width: Int) throws {
    guard try Self.install() else { return }
    guard let chromium = BrowserTests.chromium else {
      print("skipped: no Chromium (scripts/test installs it)")
      return
    }
    let exported = Self.folder.appendingPathComponent("lab-\(width)")
    try Self.export(["Tests/Fixtures/kernel/hk.md"], into: exported)
    let shots = Self.repository.appendingPathComponent(".build/screenshots")
    try FileManager.default.createDirectory(at: shots, withIntermediateDirectories: true)
    let shot = shots.appendingPathComponent("jupyterlab-hk-\(width).png")
    let script = Self.repository.appendingPathComponent("Tests/Fixtures/jupyterlab_probe.py")
    let report = try Self.json(
      try BrowserTests.run(
        BrowserTests.python,
        [
          script.path, chromium, Self.jupyterPath, exported.path, "hk.ipynb", shot.path,
          exported.appendingPathComponent("chromium.log").path, "\(width)",
        ]))
    #expect(report["kernel"] as? String == "nbrun")
    #expect(report["executed"] as? Int == 5, "\(report)")
    let page = try #require(report["page"] as? [String: Any])
    #expect(page["tables"] as? Int == 4)
    #expect(page["errors"] as? Int == 0)
    #expect(page["rawTeX"] as? Bool == false)
    #expect(page["hasO6"] as? Bool == true)
    #expect(page["duplicateIds"] as? [String] == [])
    #expect((page["cellFontPx"] as? Double ?? 0) >= 12)
    #expect(
      page["captions"] as? [String] == [
        "Initial weights and biases", "Net input and output calculations",
      ])
    // A formula is never broken across lines; on a phone its table scrolls in its own box,
    // and no output is wider than its area.
    #expect(page["formulas"] as? Int == 14)
    #expect(page["wrappedFormulas"] as? Int == 0)
    #expect(page["overflowing"] as? Int == 0)
    let svgs = page["svgs"] as? [[Int]] ?? []
    #expect(svgs.count == 1 && (svgs.first?.first ?? 0) >= 400, "\(svgs)")
    #expect(FileManager.default.fileExists(atPath: shot.path))
  }
}
