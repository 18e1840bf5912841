import Foundation
import Notebook
import NotebookKernel
import Rendering
import Runner
import Testing

/// The kernel's cell semantics without the wire, and `.ipynb` notebooks of the kernel.
@Suite("Kernel cells and kernel notebooks")
struct KernelSessionTests {
  static func session() -> KernelSession {
    KernelSession(
      settings: .init(
        budget: 60, name: "lecture",
        folder: URL(fileURLWithPath: NSTemporaryDirectory())))
  }

  static let model = """
    model hk
    inputs: 2
    layer: 2 sigmoid
    layer: 1 sigmoid
    weights: w13=0.5 w14=0.9 w23=0.4 w24=1.0 w35=-1.2 w45=1.1
    biases: b3=0.8 b4=-0.1 b5=0.3

    """

  @Test("a fenceless cell is its block; the next cell reads what it defined")
  func cellsShareANamespace() throws {
    let kernel = Self.session()
    let made = kernel.execute(Self.model, cellID: "a")
    #expect(made.failure == nil)
    #expect(made.executionCount == 1)
    let forward = kernel.execute("```forward hk\ninput: 1 1\n```\n", cellID: "b")
    #expect(forward.failure == nil)
    #expect(
      forward.displays.map(\.markdown) == [
        "| Unit, j | Net input, Iⱼ | Output, Oⱼ |\n|---|---:|---:|\n| 3 | 1.7000 | 0.8455 |\n| 4 | 1.8000 | 0.8581 |\n| 5 | 0.2293 | 0.5571 |\n"
      ])
    #expect(forward.displays.first?.block == "forward hk")
    // Prose in a cell: its placeholders filled in from the namespace.
    let prose = kernel.execute("The output is {{ hk.O5 | 3 }}.", cellID: "c")
    #expect(prose.displays.map(\.markdown) == ["The output is 0.557.\n"])
  }

  @Test("a front matter cell sets the precision and seed for the cells after it")
  func frontMatter() {
    let kernel = Self.session()
    let matter = kernel.execute("---\nprecision: 2\nseed: 3\n---\n")
    #expect(matter.displays.map(\.plain) == ["Front matter: precision 2, seed 3"])
    _ = kernel.execute(Self.model)
    let forward = kernel.execute("forward hk\ninput: 1 1\n")
    #expect(forward.displays.first?.markdown.contains("| 5 | 0.23 | 0.56 |") == true)
  }

  @Test("a cell run again replaces its results; the cells that read them are stale")
  func staleCells() {
    let kernel = Self.session()
    _ = kernel.execute(Self.model, cellID: "model")
    _ = kernel.execute("forward hk\ninput: 1 1\n", cellID: "forward")
    let again = kernel.execute(Self.model.replacing("w13=0.5", with: "w13=0.6"), cellID: "model")
    #expect(again.stale == [2])
    #expect(
      again.notes == [
        "note: In [2] read 'hk', which this cell changed; run it again to update its results"
      ])
    // A cell that reads the stale cell's values hears of it.
    let reader = kernel.execute("expr\nout = hk.O5 * 2\n", cellID: "reader")
    #expect(reader.notes.contains { $0.contains("from In [2], which is stale") })
    // Run again, the forward cell's values replace its old ones: nothing is ambiguous.
    let forward = kernel.execute("forward hk\ninput: 1 1\n", cellID: "forward")
    #expect(forward.failure == nil)
    let check = kernel.execute("expect\nhk.O5 ≈ 0.5533\n")
    #expect(check.failure == nil, "\(String(describing: check.failure))")
  }

  @Test("errors are located in the cell; an expectation that fails is an error too")
  func errors() {
    let kernel = Self.session()
    let bad = kernel.execute("model m\ninputs: 2\nlayer: 2 sigmod\n")
    #expect(bad.failure?.name == "NotebookError")
    #expect(
      bad.failure?.traceback == [
        "In [1]:3:10: error: unknown activation 'sigmod'\n    layer: 2 sigmod\n             ^~~~~~\n    did you mean 'sigmoid'?"
      ])
    // The first line of a fenceless cell is shown as typed, its column the cell's.
    let unknown = kernel.execute("forward nothing\ninput: 1 1\n")
    #expect(
      unknown.failure?.traceback.first?.hasPrefix("In [2]:1:1: error: no model 'nothing'") == true)
    #expect(unknown.failure?.traceback.first?.contains("\n    forward nothing\n    ^") == true)
    _ = kernel.execute(Self.model)
    _ = kernel.execute("forward hk\ninput: 1 1\n")
    let expectation = kernel.execute("expect\nhk.O5 = 0.9\n")
    #expect(expectation.failure?.name == "ExpectationFailed")
  }

  @Test("an interrupt stops a train at the next epoch, and says after how many")
  func interrupt() {
    let kernel = Self.session()
    _ = kernel.execute(Self.model)
    _ = kernel.execute("data xor\nsource: xor\n")
    // The front end interrupts once the train has asked 50 times (once an epoch).
    let asked = Counter()
    let stopped = kernel.execute(
      "train hk\ndata: xor\nepochs: 1000000\nrate: 0.5\nloss: half_sse\n",
      interrupted: { asked.next() > 50 })
    #expect(stopped.failure?.name == "Interrupted")
    let message = stopped.failure?.value ?? ""
    #expect(message.contains("train hk was interrupted after "), "\(message)")
    #expect(message.hasSuffix(" of 1000000 epochs"), "\(message)")
    // The next cell runs as usual.
    #expect(kernel.execute("forward hk\ninput: 1 1\n").failure == nil)
  }

  @Test("the budget holds for each cell: one that runs out does not take the next one's")
  func budgetPerCell() {
    let kernel = KernelSession(
      settings: .init(
        budget: 0.3, name: "lecture", folder: URL(fileURLWithPath: NSTemporaryDirectory())))
    _ = kernel.execute(Self.model)
    _ = kernel.execute("data xor\nsource: xor\n")
    let long = kernel.execute("train hk\ndata: xor\nepochs: 1000000\nrate: 0.5\nloss: half_sse\n")
    #expect(
      long.failure?.value.contains("ran out of time after") == true,
      "\(String(describing: long.failure))")
    #expect(long.failure?.value.contains("the run's budget") == true)
    #expect(kernel.execute("forward hk\ninput: 1 1\n").failure == nil)
  }

  @Test("inspection shows the reference's own words for every option of every directive")
  func inspectionIsTheReference() throws {
    let reference = try String(
      contentsOf: CourseTests.repository.appendingPathComponent("docs/directives.md"),
      encoding: .utf8)
    for kind in DirectiveKind.allCases {
      for entry in OptionCatalog.options(of: kind) {
        #expect(reference.contains("| `\(entry.name)`"), "\(kind) \(entry.name)")
        #expect(
          reference.contains(DirectiveReference.cell(entry.takes)), "\(kind) \(entry.name)")
        #expect(entry.markdown.contains(entry.summary))
      }
    }
  }

  @Test("completion: directives, options, their words, names and quantities")
  func completion() {
    let kernel = Self.session()
    _ = kernel.execute(Self.model)
    _ = kernel.execute("forward hk\ninput: 1 1\n")
    #expect(kernel.complete("bac", cursor: 3) == .init(matches: ["backward"], start: 0, end: 3))
    #expect(kernel.complete("```trai", cursor: 7).matches == ["train"])
    #expect(kernel.complete("train hk\nepo", cursor: 12).matches == ["epochs: "])
    #expect(kernel.complete("train hk\noptimizer: rms", cursor: 23).matches == ["rmsprop"])
    #expect(kernel.complete("plot hk\nkind: fil", cursor: 17).matches == ["filters"])
    #expect(kernel.complete("backward h", cursor: 10).matches == ["hk"])
    #expect(kernel.complete("expect\nhk.I", cursor: 11).matches == ["hk.I3", "hk.I4", "hk.I5"])
    // Unicode scalars, as Jupyter counts the cursor.
    #expect(kernel.complete("expect\nθ·hk.O", cursor: 13).start == 9)
    #expect(kernel.inspect("train hk\nrate", cursor: 13)?.hasPrefix("**`rate`**") == true)
    #expect(kernel.inspect("conv", cursor: 2)?.hasPrefix("**`conv`**") == true)
    #expect(kernel.inspect("train hk\nnothing", cursor: 14) == nil)
    #expect(kernel.isComplete("~~~model hk\ninputs: 2") == "incomplete")
    #expect(kernel.isComplete("~~~model hk\ninputs: 2\n~~~") == "complete")
    #expect(kernel.isComplete("Some prose.") == "complete")
  }

  /// A notebook with everything the cells do not show: CRLF, a byte-order mark, fences of
  /// tildes and of four backticks, two blank lines, a whitespace-only line, no final newline.
  static let awkward =
    "\u{FEFF}---\r\ntitle: Awkward\r\n---\r\n\r\n\r\n# Heading\r\n  \r\nText.\r\n~~~model hk\r\ninputs: 2\r\nlayer: 1 sigmoid\r\n~~~\r\n````forward hk\r\ninput: 1 1\r\n````\r\n\r\n\r\n\r\nEnd."

  @Test("a notebook written for the kernel and read back is the same bytes")
  func roundTrip() throws {
    var texts = [("awkward.md", Self.awkward), ("unclosed.md", "# A\n\n```model m\ninputs: 2\n")]
    for notebook in CourseTests.notebooks {
      let url = CourseTests.repository.appendingPathComponent("notebooks/\(notebook)")
      texts.append((notebook, try String(contentsOf: url, encoding: .utf8)))
    }
    for (path, text) in texts {
      let (document, diagnostics) = Document.parse(text, path: path)
      // The layout is the document's: the blocks need not run (a budget of a microsecond).
      let result = Session(document: document, options: RunOptions(budget: 1e-6)).run(
        parseDiagnostics: diagnostics)
      let json = KernelNotebookExport(result: result, name: "x").json
      let layout = try KernelNotebook.read(Data(json.utf8), path: "x.ipynb")
      let back = KernelNotebook.text(of: layout).text
      #expect(Array(back.utf8) == Array(text.utf8), "\(path) does not round-trip")
      #expect(KernelNotebook.layout(of: document) == layout, "\(path)")
    }
    // The cells are the blocks without their fences, the front matter the first cell.
    let (document, _) = Document.parse(Self.awkward, path: "awkward.md")
    let cells = KernelNotebook.layout(of: document).cells
    #expect(cells.map(\.kind) == [.code, .markdown, .code, .code, .markdown])
    #expect(cells[2].lines == ["model hk", "inputs: 2", "layer: 1 sigmoid"])
    #expect(cells[2].fence?.opening == "~~~model hk")
    #expect(cells[3].fence?.closing == "````")
    #expect(cells[3].blankLinesAfter == 3)
  }

  @Test("an .ipynb of another kernel is refused with a sentence that says what to do")
  func otherKernels() {
    let python = #"{"cells": [], "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4}"#
    #expect(throws: KernelNotebook.ReadError.self) {
      try KernelNotebook.read(Data(python.utf8), path: "a.ipynb")
    }
    do {
      _ = try KernelNotebook.read(Data(python.utf8), path: "a.ipynb")
    } catch {
      #expect(
        "\(error)".hasPrefix(
          "a.ipynb: error: the notebook's kernel is 'python3', not nbrun\n    nbrun reads notebooks of its own kernel"
        ))
    }
    #expect(throws: KernelNotebook.ReadError.self) {
      try KernelNotebook.read(Data("[1, 2]".utf8), path: "b.ipynb")
    }
    // A count in the metadata never sizes an allocation beyond the limit.
    for count in ["-1", "100000000000", "\"3\""] {
      let notebook =
        #"{"cells": [{"cell_type": "markdown", "source": "a", "metadata": {"nbrun": {"blank_lines_after": "#
        + count + #"}}}], "metadata": {"kernelspec": {"name": "nbrun"}}}"#
      do {
        _ = try KernelNotebook.read(Data(notebook.utf8), path: "c.ipynb")
        Issue.record("blank_lines_after: \(count) was read")
      } catch {
        #expect(
          "\(error)".contains("c.ipynb: error: cell 1's metadata 'blank_lines' is"), "\(error)")
        #expect("\(error)".contains("expected a whole number from 0 to 10000"))
      }
    }
  }

  @Test("`nbrun kernel install` typed as a bare name found on the PATH names the real program")
  func installFromThePath() throws {
    let nbrun = try #require(CommandLineTests.executable).resolvingSymlinksInPath()
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "nbrun-kernelspec-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["nbrun", "kernel", "install", "--prefix", "prefix"]
    process.currentDirectoryURL = folder
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"
    process.environment = ["PATH": nbrun.deletingLastPathComponent().path + ":" + path]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    let spec = try String(
      contentsOf: folder.appendingPathComponent("prefix/share/jupyter/kernels/nbrun/kernel.json"),
      encoding: .utf8)
    let program = nbrun.deletingLastPathComponent().appendingPathComponent("nbrun-kernel").path
    #expect(spec.hasPrefix("{\"argv\":[\"\(program)\",\"-f\",\"{connection_file}\"]"), "\(spec)")
  }

  @Test("a kernel whose parent has gone ends, as ipykernel's does")
  func orphanedKernelEnds() throws {
    let program = try #require(CommandLineTests.executable).deletingLastPathComponent()
      .appendingPathComponent("nbrun-kernel")
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "nbrun-orphan-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let connection = """
      {"transport": "ipc", "ip": "\(folder.path)/k", "shell_port": 1, "iopub_port": 2,
       "stdin_port": 3, "control_port": 4, "hb_port": 5, "key": "k",
       "signature_scheme": "hmac-sha256"}
      """
    try Data(connection.utf8).write(to: folder.appendingPathComponent("c.json"))
    // A shell starts the kernel in the background, naming itself the parent as
    // jupyter_client does (JPY_PARENT_PID), prints the kernel's pid and exits.
    let shell = Process()
    shell.executableURL = URL(fileURLWithPath: "/bin/sh")
    shell.arguments = [
      "-c",
      "JPY_PARENT_PID=$$ '\(program.path)' -f '\(folder.path)/c.json' >/dev/null 2>&1 & echo $!",
    ]
    let output = Pipe()
    shell.standardOutput = output
    try shell.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    shell.waitUntilExit()
    let pid = try #require(Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)))
    var alive = true
    for _ in 0..<100 where alive {
      usleep(50_000)
      alive = kill(pid, 0) == 0 && !Self.isZombie(pid)
    }
    if alive { kill(pid, SIGKILL) }
    #expect(!alive, "the orphaned kernel \(pid) still runs after 5 s")
    // It ended serving, not failing to start: its sockets were bound.
    #expect(FileManager.default.fileExists(atPath: folder.path + "/k-1"))
  }

  /// Whether a process has ended and waits to be reaped.
  static func isZombie(_ pid: Int32) -> Bool {
    let status = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
    return status.split(separator: " ").dropFirst(2).first == "Z"
  }

  @Test("nbrun renders an .ipynb of the kernel; its errors name the cell and the line in it")
  func renderIPYNB() throws {
    let nbrun = try #require(CommandLineTests.executable)
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "nbrun-ipynb-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let notebook = """
      {"cells": [
        {"cell_type": "markdown", "id": "a", "metadata": {}, "source": ["# Title"]},
        {"cell_type": "code", "id": "b", "metadata": {}, "execution_count": null, "outputs": [],
         "source": ["model m\\n", "inputs: 2\\n", "layer: 1 sigmod"]}
      ], "metadata": {"kernelspec": {"name": "nbrun", "display_name": "nbrun", "language": "nbrun"}},
      "nbformat": 4, "nbformat_minor": 5}
      """
    try Data(notebook.utf8).write(to: folder.appendingPathComponent("nb.ipynb"))
    let process = Process()
    process.executableURL = nbrun
    process.arguments = ["--no-cache", "nb.ipynb"]
    process.currentDirectoryURL = folder
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 2)
    #expect(text.contains("nb.ipynb, cell 2:3:10: error: unknown activation 'sigmod'"), "\(text)")
    // Fixed, it renders as a .md notebook does.
    try Data(notebook.replacing("sigmod", with: "sigmoid").utf8).write(
      to: folder.appendingPathComponent("nb.ipynb"))
    #expect(try CommandLineTests.status(["--no-cache", "nb.ipynb"], in: folder) == 0)
    // --kernel takes python3 or nbrun, and nbrun's notebook is the notebook as it stands.
    #expect(
      try CommandLineTests.status(["nb.ipynb", "--to", "ipynb", "--kernel", "julia"], in: folder)
        == 64)
    #expect(
      try CommandLineTests.status(
        ["nb.ipynb", "--to", "ipynb", "--kernel", "nbrun", "--student"], in: folder)
        == 64)
    let handout = try String(
      contentsOf: folder.appendingPathComponent("output/nb.md"), encoding: .utf8)
    #expect(
      handout.hasPrefix("# Title\n\n<!-- nbrun: model m -->\n\n| Layer | Units |"), "\(handout)")
  }
}

/// Counts the calls made to it, from any thread.
final class Counter: @unchecked Sendable {
  private let lock = NSLock()
  private var count = 0

  func next() -> Int {
    lock.lock()
    defer { lock.unlock() }
    count += 1
    return count
  }
}
