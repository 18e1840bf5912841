import CommandLineSupport
import Foundation
import Notebook
import Preview
import Rendering
import Runner
import Testing

/// The authoring loop: the block cache, parallel notebooks, the OpenBLAS kernel chosen
/// in-process, and `nbrun preview` in a real browser.
@Suite("The authoring loop")
struct AuthoringLoopTests {
  static func folder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "nbrun-loop-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// Runs `text` (a notebook in `folder`) with a block cache in `folder/cache`.
  static func run(_ text: String, in folder: URL, salt: String = "test", cached: Bool = true)
    -> (RunResult, String)
  {
    let (document, diagnostics) = Document.parse(text, path: "nb.md")
    var options = RunOptions(readFile: {
      try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8)
    })
    if cached {
      options.cache = BlockCache(
        store: DiskBlockStore(folder: folder.appendingPathComponent("cache")), salt: salt)
    }
    let result = Session(document: document, options: options).run(parseDiagnostics: diagnostics)
    return (result, MarkdownHandout(result: result, name: "nb").text)
  }

  static let notebook = """
    # Two runs

    ```data points
    source: points.csv
    ```

    ```model a
    inputs: x
    layer: 1 sigmoid
    weights: w=0.5
    biases: b=0
    ```

    ```model c
    inputs: x
    layer: 1 sigmoid
    weights: w=-1
    biases: b=1
    ```

    ```train a
    data: points
    loss: mse
    epochs: 40
    rate: 0.5
    log: 20
    ```

    ```train c
    data: points
    loss: mse
    epochs: 40
    rate: 0.5
    log: 20
    ```

    ```expect
    a.loss < 1
    ```

    After training, a's loss is {{ a.loss | 4 }} and c's is {{ c.loss | 4 }}.

    """

  static let points = "x,y\n0,0\n1,1\n2,1\n"

  /// Which blocks came from the cache, by title.
  static func cachedTitles(_ result: RunResult) -> [String] {
    result.outcomes.filter(\.cached).map(\.block.title)
  }

  /// The blocks the cache keeps: all but `data` blocks, which are made again on every run
  /// (quicker than reading their sets back).
  static func cachable(_ result: RunResult) -> [String] {
    result.outcomes.filter { $0.block.kind != .data }.map(\.block.title)
  }

  @Test func aBlockRunsAgainOnlyWhenWhatItReadsChanged() throws {
    let folder = try Self.folder()
    defer { try? FileManager.default.removeItem(at: folder) }
    try Data(Self.points.utf8).write(to: folder.appendingPathComponent("points.csv"))
    let (cold, coldPage) = Self.run(Self.notebook, in: folder)
    #expect(cold.succeeded)
    #expect(Self.cachedTitles(cold).isEmpty, "nothing is cached on the first run")
    let (warm, warmPage) = Self.run(Self.notebook, in: folder)
    #expect(Self.cachedTitles(warm) == Self.cachable(cold), "every block but data is cached")
    #expect(Self.cachable(cold).count == cold.outcomes.count - 1, "one data block")
    #expect(warmPage == coldPage)
    #expect(warm.value("a.loss") == cold.value("a.loss"))
    #expect(warm.value("a.loss@20") == cold.value("a.loss@20"), "per-epoch values are restored")

    // A prose edit (a new line above everything) re-runs nothing.
    let prose = "An added first line.\n\n" + Self.notebook
    let (afterProse, prosePage) = Self.run(prose, in: folder)
    #expect(Self.cachedTitles(afterProse) == Self.cachable(cold))
    #expect(prosePage == "An added first line.\n\n" + coldPage)

    // Changing model c re-runs c, its training, and nothing that reads only a.
    let changed = Self.notebook.replacing("weights: w=-1", with: "weights: w=-2")
    let (afterEdit, editPage) = Self.run(changed, in: folder)
    #expect(Self.cachedTitles(afterEdit) == ["model a", "train a", "expect"])
    let (fresh, freshPage) = Self.run(changed, in: folder, cached: false)
    #expect(editPage == freshPage, "cached and uncached runs give the same page")
    #expect(afterEdit.value("c.loss") == fresh.value("c.loss"))
    #expect(afterEdit.value("c.loss") != cold.value("c.loss"))

    // A changed data file re-runs the data block and everything that read it.
    try Data((Self.points + "3,1\n").utf8).write(to: folder.appendingPathComponent("points.csv"))
    let (afterData, _) = Self.run(changed, in: folder)
    #expect(Self.cachedTitles(afterData) == ["model a", "model c"])
    #expect(afterData.value("points.samples") == .number(4))

    // Another build of nbrun never reads this one's results.
    let (otherBuild, _) = Self.run(changed, in: folder, salt: "another build")
    #expect(Self.cachedTitles(otherBuild).isEmpty)
  }

  @Test func aDamagedCacheEntryIsIgnoredAndRewritten() throws {
    let folder = try Self.folder()
    defer { try? FileManager.default.removeItem(at: folder) }
    try Data(Self.points.utf8).write(to: folder.appendingPathComponent("points.csv"))
    let (cold, coldPage) = Self.run(Self.notebook, in: folder)
    let entries = folder.appendingPathComponent("cache/blocks")
    let names = try FileManager.default.contentsOfDirectory(atPath: entries.path).sorted()
    #expect(names.count == Self.cachable(cold).count)
    // Truncate one entry, flip a byte in another, and empty a third.
    let damaged = Array(names.prefix(3))
    for (index, name) in damaged.enumerated() {
      let url = entries.appendingPathComponent(name)
      var data = try Data(contentsOf: url)
      switch index {
      case 0: data = data.prefix(data.count / 2)
      case 1: data[data.count - 10] ^= 0x01
      default: data = Data()
      }
      try data.write(to: url)
    }
    let (again, page) = Self.run(Self.notebook, in: folder)
    #expect(page == coldPage, "a damaged entry is never trusted")
    #expect(again.outcomes.filter { !$0.cached }.count == damaged.count + 1, "and data")
    let (third, _) = Self.run(Self.notebook, in: folder)
    #expect(Self.cachedTitles(third) == Self.cachable(cold), "damaged entries rewritten whole")
    #expect(DiskBlockStore(folder: folder.appendingPathComponent("cache")).load("../../etc") == nil)
  }

  @Test func aWellFramedEntryThatDoesNotHoldTogetherIsNotTrusted() throws {
    let folder = try Self.folder()
    defer { try? FileManager.default.removeItem(at: folder) }
    try Data(Self.points.utf8).write(to: folder.appendingPathComponent("points.csv"))
    let (cold, coldPage) = Self.run(Self.notebook, in: folder)
    // Rewrite every entry holding model a with a network whose layers do not chain, framed
    // with a correct length and hash: decoding checks the network, so the block runs again.
    let store = DiskBlockStore(folder: folder.appendingPathComponent("cache"))
    let names = try FileManager.default.contentsOfDirectory(
      atPath: folder.appendingPathComponent("cache/blocks").path)
    var edited = 0
    for key in names {
      let data = try #require(store.load(key))
      let text = String(decoding: data, as: UTF8.self)
      guard text.contains("\"inputCount\":1") else { continue }
      store.save(Data(text.replacing("\"inputCount\":1", with: "\"inputCount\":3").utf8), for: key)
      edited += 1
    }
    #expect(edited > 0)
    let (again, page) = Self.run(Self.notebook, in: folder)
    #expect(page == coldPage)
    #expect(again.outcomes.filter { !$0.cached }.count >= edited)
    #expect(again.value("c.loss") == cold.value("c.loss"))
  }

  @Test func independentBlocksSideBySideGiveWhatTheyGiveInOrder() throws {
    let folder = try Self.folder()
    defer { try? FileManager.default.removeItem(at: folder) }
    try Data(Self.points.utf8).write(to: folder.appendingPathComponent("points.csv"))
    func run(_ text: String, workers: Int) -> (RunResult, String) {
      let (document, diagnostics) = Document.parse(text, path: "nb.md")
      var options = RunOptions(readFile: {
        try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8)
      })
      options.blockWorkers = workers
      let result = Session(document: document, options: options).run(
        parseDiagnostics: diagnostics)
      return (result, MarkdownHandout(result: result, name: "nb").text)
    }
    let (inOrder, inOrderPage) = run(Self.notebook, workers: 1)
    let (sideBySide, sideBySidePage) = run(Self.notebook, workers: 4)
    #expect(sideBySidePage == inOrderPage)
    #expect(sideBySide.value("c.loss@7") == inOrder.value("c.loss@7"))
    #expect(sideBySide.outcomes.map(\.status) == inOrder.outcomes.map(\.status))
    // A failure stops the run at its place: a block beside it, below it, does not count.
    let failing = """
      ```data points
      source: points.csv
      ```

      ```model a
      inputs: x
      layer: 1 sigmoid
      ```

      ```model c
      inputs: x
      layer: 1 sigmoid
      ```

      ```train a
      data: points
      loss: mse
      epochs: 5
      ```

      ```expect
      a.loss < 0
      ```

      ```train c
      data: points
      loss: mse
      epochs: 5
      ```

      """
    let (stoppedInOrder, _) = run(failing, workers: 1)
    let (stoppedSideBySide, _) = run(failing, workers: 4)
    #expect(stoppedSideBySide.outcomes.map(\.status) == stoppedInOrder.outcomes.map(\.status))
    #expect(
      stoppedSideBySide.diagnostics.map(\.message) == stoppedInOrder.diagnostics.map(\.message))
    #expect(stoppedInOrder.outcomes.last?.status == .notRun, "train c runs beside the expectation")
    #expect(stoppedSideBySide.value("c.loss") == nil)
  }

  @Test(
    .enabled(
      if: HandoutFiles.katex() != nil, "KaTeX is not installed (apt-get install libjs-katex)"))
  func katexsInlinedStylesheetIsCachedAndChecked() throws {
    let folder = try Self.folder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let plain = try #require(HandoutFiles.katex())
    #expect(HandoutFiles.katex(cache: folder) == plain, "made and stored")
    let entries = folder.appendingPathComponent("katex")
    let names = try FileManager.default.contentsOfDirectory(atPath: entries.path)
    #expect(names.count == 1)
    #expect(HandoutFiles.katex(cache: folder) == plain, "read back")
    let entry = entries.appendingPathComponent(try #require(names.first))
    var data = try Data(contentsOf: entry)
    data[data.count / 2] ^= 0x20
    try data.write(to: entry)
    #expect(HandoutFiles.katex(cache: folder) == plain, "a damaged entry is made again")
  }

  @Test func theKernelIsSwitchedWithoutRunningAgain() {
    // scripts/test sets OPENBLAS_CORETYPE, so switching here keeps the kernel it named.
    let before = OpenBLASKernel.current
    #expect(OpenBLASKernel.switchInProcess(), "Debian's OpenBLAS exports gotoblas_dynamic_init")
    #expect(OpenBLASKernel.current == before)
  }

  @Test func parallelNotebooksAndTheInProcessKernelGiveTheCommittedHandouts() throws {
    let executable = try #require(CommandLineTests.executable, "swift build builds nbrun")
    let folder = try Self.folder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let notebooks = CourseTests.notebooks.filter { $0 != "lecture4.md" }.map {
      CourseTests.repository.appendingPathComponent("notebooks/\($0)").path
    }
    var outputs: [Int: [String: Data]] = [:]
    for jobs in [1, 2] {
      let process = Process()
      process.executableURL = executable
      let out = folder.appendingPathComponent("j\(jobs)")
      process.arguments = ["--quiet", "--no-cache", "-j", "\(jobs)", "-o", out.path] + notebooks
      // No OPENBLAS_CORETYPE: nbrun chooses the kernel itself, in this process.
      process.environment = ProcessInfo.processInfo.environment.filter {
        $0.key != "OPENBLAS_CORETYPE"
      }
      try process.run()
      process.waitUntilExit()
      #expect(process.terminationStatus == 0)
      outputs[jobs] = HostileDiskTests.snapshot(out)
    }
    #expect(outputs[1] == outputs[2], "-j 2 writes exactly what -j 1 writes")
    let committed = CourseTests.repository.appendingPathComponent("output")
    // The index links to slides only where they are built: none are here. Lecture 4 is
    // left out (for time), so its neighbours link past it to the pages that are there.
    let neighbours = ["exercise2.html", "lecture5.html"]
    for (path, data) in outputs[1] ?? [:]
    where path.hasSuffix(".md")
      || path.hasSuffix(".html") && path != "index.html" && !neighbours.contains(path)
    {
      let expected = try? Data(contentsOf: committed.appendingPathComponent(path))
      #expect(expected == data, "\(path) differs from the committed handout")
    }
  }

  @Test func jobsMustBeACount() throws {
    #expect(try CommandLineTests.status(CommandLineTests.holds, ["notebook.md", "-j", "0"]) == 64)
  }
}

/// `nbrun preview` in headless Chromium: the open page follows edits without a reload.
@Suite("Preview in a real browser")
struct PreviewBrowserTests {
  static let notebook: String = {
    let prose = (1...30).map {
      "Paragraph \($0) of prose long enough to scroll; the loss is $L = \\tfrac12 (y - t)^2$."
    }
    return """
      ---
      title: Preview probe
      ---

      # Preview probe PREVIEW-ONE

      \(prose.joined(separator: "\n\n"))

      ```model m
      inputs: x1
      layer: 1 sigmoid
      weights: w=0.5
      biases: b=0
      ```

      ```forward m
      input: 1
      ```

      """
  }()

  /// Starts `nbrun preview nb.md --port 0` in `folder` and waits for the port it prints
  /// ("nbrun preview: nb.md at http://127.0.0.1:PORT/ (Ctrl-C stops)").
  static func startPreview(in folder: URL, _ extra: [String] = []) throws -> (
    server: Process, port: String, messages: Pipe, printed: String
  ) {
    let server = Process()
    server.executableURL = try #require(CommandLineTests.executable, "swift build builds nbrun")
    server.arguments = ["preview", "nb.md", "--port", "0"] + extra
    server.currentDirectoryURL = folder
    let messages = Pipe()
    server.standardError = messages
    server.standardOutput = FileHandle.nullDevice
    try server.run()
    var printed = ""
    let deadline = Date().addingTimeInterval(60)
    while !printed.contains("(Ctrl-C stops)"), Date() < deadline, server.isRunning {
      printed += String(decoding: messages.fileHandleForReading.availableData, as: UTF8.self)
    }
    guard let port = printed.firstMatch(of: #/127\.0\.0\.1:([0-9]+)/#).map({ String($0.output.1) })
    else {
      if server.isRunning { server.terminate() }
      server.waitUntilExit()
      Issue.record("preview printed no address: \(printed)")
      throw CancellationError()
    }
    return (server, port, messages, printed)
  }

  struct Seen: Decodable {
    var mark: String?
    var one, two, banner: Bool
    var bannerText: String
    var swaps, y, katex: Int
    var rawTeX: Bool
  }

  struct Report: Decodable {
    var loaded, before, edited, broken, fixed: Seen?
    var editSeconds: Double?
  }

  @Test(
    .enabled(
      if: BrowserTests.chromium != nil,
      "Chromium is not installed (apt-get install chromium); scripts/test installs it"),
    .enabled(
      if: HandoutFiles.katex() != nil, "KaTeX is not installed (apt-get install libjs-katex)"))
  func thePageFollowsEditsWithoutAReload() throws {
    let folder = try AuthoringLoopTests.folder()
    defer { try? FileManager.default.removeItem(at: folder) }
    try Data(Self.notebook.utf8).write(to: folder.appendingPathComponent("nb.md"))
    var (server, port, messages, printed) = try Self.startPreview(in: folder)
    defer {
      if server.isRunning { server.terminate() }
      server.waitUntilExit()
    }
    let address = "http://127.0.0.1:\(port)/"

    let shots = BrowserTests.repository.appendingPathComponent(".build/screenshots")
    try FileManager.default.createDirectory(at: shots, withIntermediateDirectories: true)
    let probe = Process()
    probe.executableURL = URL(fileURLWithPath: BrowserTests.python)
    probe.arguments = [
      BrowserTests.repository.appendingPathComponent("Tests/Fixtures/preview_probe.py").path,
      BrowserTests.chromium ?? "", address, folder.appendingPathComponent("nb.md").path, shots.path,
    ]
    let output = Pipe()
    probe.standardOutput = output
    try probe.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    probe.waitUntilExit()
    let report = try JSONDecoder().decode(Report.self, from: data)

    let loaded = try #require(report.loaded, "the page opened")
    #expect(loaded.one && loaded.katex > 0 && !loaded.rawTeX)
    let edited = try #require(report.edited, "the edit reached the open page")
    #expect(edited.two && !edited.one)
    #expect(edited.mark == "kept", "the page was not reloaded")
    #expect(edited.swaps == 1)
    #expect(edited.y == report.before?.y && edited.y > 0, "the scroll position is kept")
    #expect(edited.katex == loaded.katex && !edited.rawTeX, "the math is typeset again")
    let broken = try #require(report.broken, "a broken notebook shows its error")
    #expect(broken.two, "the last good page stays visible")
    #expect(broken.bannerText.contains("nb.md:") && broken.bannerText.contains("'rate'"))
    #expect(broken.mark == "kept")
    let fixed = try #require(report.fixed, "fixing the notebook clears the error")
    #expect(!fixed.banner && fixed.two && fixed.mark == "kept")

    // Ctrl-C stops it cleanly, and it wrote nothing beside the notebook but its cache.
    let serving = server.isRunning
    kill(server.processIdentifier, SIGINT)
    server.waitUntilExit()
    printed += String(decoding: messages.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(serving, "the server outlived the browser: \(printed)")
    #expect(server.terminationReason == .exit, "it exits, not killed by the signal: \(printed)")
    #expect(server.terminationStatus == 0, "\(printed)")
    #expect(printed.contains("nbrun preview: stopped"))
    let written = (try FileManager.default.contentsOfDirectory(atPath: folder.path)).sorted()
    #expect(written == [".nbrun-cache", "nb.md"])
  }
}

@Suite("The preview answers its own address only")
struct PreviewHostTests {
  @Test("a request for another host name (DNS rebinding) or from another origin is refused")
  func foreignHostsAreRefused() throws {
    let folder = try AuthoringLoopTests.folder()
    defer { try? FileManager.default.removeItem(at: folder) }
    try Data("# Host check\n\nText.\n".utf8).write(to: folder.appendingPathComponent("nb.md"))
    let (server, port, _, _) = try PreviewBrowserTests.startPreview(in: folder, ["--no-cache"])
    defer {
      if server.isRunning { server.terminate() }
      server.waitUntilExit()
    }
    // Raw requests with chosen Host and Origin headers, by Python's http.client.
    let script = """
      import http.client, json, sys
      port = int(sys.argv[1])
      def status(host, origin=None, path="/"):
          c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
          headers = {"Host": host}
          if origin: headers["Origin"] = origin
          c.request("GET", path, headers=headers)
          return c.getresponse().status
      print(json.dumps({
          "local": status(f"127.0.0.1:{port}"), "localhost": status(f"localhost:{port}"),
          "rebound": status(f"attacker.example:{port}"), "otherPort": status("127.0.0.1:1"),
          "status": status(f"127.0.0.1:{port}", path="/status"),
          "foreignOrigin": status(f"127.0.0.1:{port}", "http://attacker.example"),
          "ownOrigin": status(f"127.0.0.1:{port}", f"http://127.0.0.1:{port}")}))
      """
    let output = try BrowserTests.run(BrowserTests.python, ["-c", script, port])
    let report = try #require(
      try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Int], "\(output)")
    #expect(report["local"] == 200 && report["localhost"] == 200 && report["status"] == 200)
    #expect(report["ownOrigin"] == 200)
    #expect(report["rebound"] == 421 && report["otherPort"] == 421)
    #expect(report["foreignOrigin"] == 403)
  }
}

@Suite("The preview survives hostile requests")
struct PreviewHostileRequestTests {
  @Test("huge URLs, 10⁵ headers, a 50 MB header line, bodies, bad frames: then a page in 1 s")
  func hostileSequence() throws {
    let folder = try AuthoringLoopTests.folder()
    defer { try? FileManager.default.removeItem(at: folder) }
    try Data("# Still here\n\nText.\n".utf8).write(to: folder.appendingPathComponent("nb.md"))
    let (server, port, _, _) = try PreviewBrowserTests.startPreview(in: folder, ["--no-cache"])
    defer {
      if server.isRunning { server.terminate() }
      server.waitUntilExit()
    }
    // Raw sockets, each case on its own connection; a refusal may reset the connection
    // while the rest is still being sent, which counts as refused.
    let script = """
      import json, socket, sys, time
      port = int(sys.argv[1]); pid = int(sys.argv[2])
      host = b"Host: 127.0.0.1:%d\\r\\n" % port
      def send(data, wait=3):
          try:
              s = socket.create_connection(("127.0.0.1", port), timeout=10)
              try:
                  s.sendall(data)
              except OSError:
                  pass
              s.settimeout(wait)
              try:
                  answer = s.recv(100)
              except OSError as e:
                  answer = type(e).__name__.encode()
              s.close()
              return answer.split(b"\\r\\n")[0].decode("latin-1")
          except OSError as e:
              return type(e).__name__
      def cpu():
          fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
          return (int(fields[11]) + int(fields[12])) / 100
      report = {}
      held = [socket.create_connection(("127.0.0.1", port)) for _ in range(40)]
      for s in held[:20]:
          s.sendall(b"GET / HTTP/1.1\\r\\n")  # a head that never ends
      report["url"] = send(b"GET /" + b"a" * (8 << 20) + b" HTTP/1.1\\r\\n" + host + b"\\r\\n")
      report["headers"] = send(b"GET / HTTP/1.1\\r\\n" + host
          + b"".join(b"X-%d: y\\r\\n" % i for i in range(100000)) + b"\\r\\n")
      report["line"] = send(b"GET / HTTP/1.1\\r\\n" + host + b"X-Big: " + b"z" * (50 << 20) + b"\\r\\n\\r\\n")
      report["chunked"] = send(b"POST / HTTP/1.1\\r\\n" + host
          + b"Transfer-Encoding: chunked\\r\\n\\r\\n5\\r\\nhello\\r\\n")
      report["length"] = send(b"GET / HTTP/1.1\\r\\n" + host + b"Content-Length: 99999999\\r\\n\\r\\nab")
      report["frames"] = send(b"GET /socket HTTP/1.1\\r\\n" + host
          + b"Upgrade: websocket\\r\\nConnection: Upgrade\\r\\n"
          + b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\nSec-WebSocket-Version: 13\\r\\n\\r\\n"
          + b"\\x81\\xff" + b"\\xff" * 8 + b"\\x00" * 4 + b"junk" * 1000, wait=1)
      report["flood"] = send(b"GET /socket HTTP/1.1\\r\\n" + host
          + b"Upgrade: websocket\\r\\nConnection: Upgrade\\r\\n"
          + b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\nSec-WebSocket-Version: 13\\r\\n\\r\\n"
          + b"\\x82\\x7f" + b"\\x00" * 4 + b"\\x7f" * 4 + b"\\x00" * 4 + b"junk" * 250000, wait=1)
      report["pipelined"] = send(b"GET / HTTP/1.1\\r\\n" + host + b"\\r\\nGET / HTTP/1.1\\r\\n"
          + b"X-Big: " + b"z" * (1 << 20) + b"\\r\\n\\r\\n")
      for s in held:
          s.close()
      # More connections than tabs ever open: the one past the limit is turned away.
      time.sleep(0.2)
      held = [socket.create_connection(("127.0.0.1", port)) for _ in range(70)]
      time.sleep(0.2)
      report["crowd"] = send(b"GET / HTTP/1.1\\r\\n" + host + b"\\r\\n")
      for s in held:
          s.close()
      time.sleep(0.5)
      began = time.time()
      c = socket.create_connection(("127.0.0.1", port), timeout=5)
      c.sendall(b"GET / HTTP/1.1\\r\\n" + host + b"Connection: close\\r\\n\\r\\n")
      page = b""
      while True:
          chunk = c.recv(65536)
          if not chunk: break
          page += chunk
      report["pageSeconds"] = time.time() - began
      report["page"] = b"Still here" in page
      before = cpu(); time.sleep(1); report["idleCPU"] = cpu() - before
      print(json.dumps(report))
      """
    let output = try BrowserTests.run(
      BrowserTests.python, ["-c", script, port, String(server.processIdentifier)])
    let report = try #require(
      try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any], "\(output)")
    func refused(_ key: String, _ status: String) -> Bool {
      let said = report[key] as? String ?? ""
      return said.contains(status) || said.contains("ConnectionResetError")
        || said.contains("BrokenPipeError")
    }
    #expect(refused("url", "431"), "\(report)")
    #expect(refused("headers", "431"), "\(report)")
    #expect(refused("line", "431"), "\(report)")
    #expect(refused("chunked", "405"), "\(report)")
    #expect(refused("length", "413"), "\(report)")
    #expect((report["frames"] as? String)?.contains("101") == true, "the socket still opens")
    #expect((report["pipelined"] as? String)?.contains("200") == true, "\(report)")
    #expect((report["crowd"] as? String)?.contains("503") == true, "\(report)")
    #expect(report["page"] as? Bool == true, "\(report)")
    #expect((report["pageSeconds"] as? Double ?? 9) < 1, "\(report)")
    #expect((report["idleCPU"] as? Double ?? 9) < 0.2, "nothing keeps a core busy: \(report)")
  }
}
