import CommandLineSupport
import Foundation
import Testing

/// Issue 29: an unchanged re-render is answered from the render's record; `nbrun` typed
/// inside a course's notebook folder writes the course's `output/`; `nbrun preview` runs
/// from an install found on the PATH.
@Suite("Re-renders, the course's root, and an installed nbrun")
struct WarmPathTests {
  static func folder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "nbrun-warm-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  static func modified(_ url: URL) throws -> Date {
    try #require(
      try FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate] as? Date)
  }

  @Test func anUnchangedRenderIsAnsweredFromItsRecordAndAnyChangeRendersAgain() throws {
    let folder = try Self.folder()
    defer { try? FileManager.default.removeItem(at: folder) }
    try Data(AuthoringLoopTests.notebook.utf8).write(to: folder.appendingPathComponent("nb.md"))
    let data = folder.appendingPathComponent("points.csv")
    try Data(AuthoringLoopTests.points.utf8).write(to: data)
    let page = folder.appendingPathComponent("output/nb.md")

    let first = try FormatsTests.nbrun(["nb.md"], in: folder)
    #expect(first.status == 0 && first.errors.contains("nb.md: done in"), "\(first.errors)")
    let written = try Self.modified(page)
    let text = try String(contentsOf: page, encoding: .utf8)
    let again = try FormatsTests.nbrun(["nb.md"], in: folder)
    #expect(again.status == 0)
    #expect(again.errors.contains("nb.md: up to date ("), "\(again.errors)")
    #expect(again.errors.contains("→ output/nb.md, output/nb.html"))
    #expect(try Self.modified(page) == written, "nothing was written")
    #expect(text.contains("| 2 | 1 |") && !text.contains("| 3 | 1 |"), "the data's table")

    // A data file's new bytes: the blocks run again and the page shows them.
    try Data((AuthoringLoopTests.points + "3,1\n").utf8).write(to: data)
    let edited = try FormatsTests.nbrun(["nb.md"], in: folder)
    #expect(edited.errors.contains("nb.md: done in"), "\(edited.errors)")
    let fresh = try String(contentsOf: page, encoding: .utf8)
    #expect(
      fresh.contains("| 3 | 1 |") && fresh != text, "the new data, and the models trained on it")

    // A handout changed by hand is written again; so is one removed.
    try Data("edited by hand\n".utf8).write(to: page)
    let repaired = try FormatsTests.nbrun(["nb.md"], in: folder)
    #expect(repaired.errors.contains("nb.md: done in"))
    #expect(try String(contentsOf: page, encoding: .utf8) == fresh)
    try FileManager.default.removeItem(at: folder.appendingPathComponent("output/nb.html"))
    #expect(try FormatsTests.nbrun(["nb.md"], in: folder).errors.contains("nb.md: done in"))
    #expect(
      FileManager.default.fileExists(atPath: folder.appendingPathComponent("output/nb.html").path))

    // Other settings, or --no-cache, are runs of their own.
    #expect(try FormatsTests.nbrun(["nb.md", "--to", "md"], in: folder).errors.contains("done in"))
    #expect(
      try FormatsTests.nbrun(["nb.md", "--to", "md"], in: folder).errors.contains("up to date"))
    #expect(try FormatsTests.nbrun(["nb.md", "--no-cache"], in: folder).errors.contains("done in"))
    #expect(try FormatsTests.nbrun(["nb.md", "--no-cache"], in: folder).errors.contains("done in"))
  }

  @Test func aWarningIsSaidAgainWhenTheRenderIsUpToDate() throws {
    let folder = try Self.folder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let warned = "---\ntitel: W\n---\n\n# W\n\nProse.\n"
    try Data(warned.utf8).write(to: folder.appendingPathComponent("nb.md"))
    let first = try FormatsTests.nbrun(["nb.md"], in: folder)
    let again = try FormatsTests.nbrun(["nb.md"], in: folder)
    #expect(
      first.errors.contains("nb.md:2:1: warning: unknown front matter key 'titel'"),
      "\(first.errors)")
    #expect(again.errors.contains("up to date"), "\(again.errors)")
    let lines = { (said: String) in
      said.split(separator: "\n").filter { !$0.contains("done in") && !$0.contains("up to date") }
    }
    #expect(first.status == 0 && again.status == 0)
    #expect(lines(first.errors) == lines(again.errors) && !lines(again.errors).isEmpty)
  }

  @Test func nbrunTypedInsideTheNotebooksFolderWritesTheCoursesOutput() throws {
    for marker in ["_nbrun.yml", ".git"] {
      let root = try Self.folder()
      defer { try? FileManager.default.removeItem(at: root) }
      if marker == ".git" {
        try FileManager.default.createDirectory(
          at: root.appendingPathComponent(".git"), withIntermediateDirectories: true)
      } else {
        try Data("# the course's root\n".utf8).write(to: root.appendingPathComponent(marker))
      }
      let notebooks = root.appendingPathComponent("notebooks")
      try FileManager.default.createDirectory(at: notebooks, withIntermediateDirectories: true)
      try Data(CommandLineTests.holds.utf8).write(to: notebooks.appendingPathComponent("nb.md"))

      let inside = try FormatsTests.nbrun(["nb.md"], in: notebooks)
      #expect(inside.status == 0, "\(inside.errors)")
      #expect(inside.errors.contains("→ ../output/nb.md"), "\(marker): \(inside.errors)")
      #expect(
        FileManager.default.fileExists(atPath: root.appendingPathComponent("output/nb.html").path))
      #expect(
        !FileManager.default.fileExists(atPath: notebooks.appendingPathComponent("output").path))
      #expect(
        FileManager.default.fileExists(atPath: root.appendingPathComponent(".nbrun-cache").path))
      #expect(
        try FormatsTests.nbrun(["--check", "nb.md"], in: notebooks).status == 0, "checks ../output")
      let atRoot = try FormatsTests.nbrun(["notebooks/nb.md"], in: root)
      #expect(atRoot.errors.contains("→ output/nb.md"), "\(atRoot.errors)")
      // -o is taken as written, from the current folder.
      #expect(try FormatsTests.nbrun(["nb.md", "-o", "here"], in: notebooks).status == 0)
      #expect(
        FileManager.default.fileExists(atPath: notebooks.appendingPathComponent("here/nb.md").path))
    }
    // Outside any course or repository: the current folder, as before.
    let loose = try Self.folder()
    defer { try? FileManager.default.removeItem(at: loose) }
    try Data(CommandLineTests.holds.utf8).write(to: loose.appendingPathComponent("nb.md"))
    #expect(try FormatsTests.nbrun(["nb.md"], in: loose).errors.contains("→ output/nb.md"))
  }

  /// `scripts/install` into a prefix; `nbrun preview` run as a bare `nbrun` found on the
  /// PATH, through a link in another folder, from a third folder; the page loads.
  @Test(
    .enabled(
      if: HandoutFiles.katex() != nil, "KaTeX is not installed (apt-get install libjs-katex)"))
  func anInstalledNbrunPreviewsFromAnyFolder() throws {
    let built = try #require(CommandLineTests.executable, "swift build").deletingLastPathComponent()
    guard
      FileManager.default.isExecutableFile(
        atPath: built.appendingPathComponent("nbrun-kernel").path)
    else {
      Issue.record("swift build builds nbrun-preview and nbrun-kernel beside nbrun")
      return
    }
    let base = try Self.folder()
    defer { try? FileManager.default.removeItem(at: base) }
    let prefix = base.appendingPathComponent("prefix")
    let install = Process()
    install.executableURL = URL(fileURLWithPath: "/bin/bash")
    install.arguments = [
      BrowserTests.repository.appendingPathComponent("scripts/install").path, "--from", built.path,
      prefix.path,
    ]
    install.standardOutput = FileHandle.nullDevice
    install.standardError = FileHandle.nullDevice
    try install.run()
    install.waitUntilExit()
    #expect(install.terminationStatus == 0, "scripts/install --from")
    #expect(
      FileManager.default.fileExists(
        atPath: prefix.appendingPathComponent("share/nbrun/katex/katex.min.js").path))
    #expect(
      HandoutFiles.katexFolders(executable: prefix.appendingPathComponent("bin/nbrun"))
        .contains(prefix.appendingPathComponent("share/nbrun/katex").path))
    #expect(HandoutFiles.katex(in: prefix.appendingPathComponent("share/nbrun/katex").path) != nil)

    // A folder on the PATH holding only a link to the installed nbrun.
    let links = base.appendingPathComponent("links")
    try FileManager.default.createDirectory(at: links, withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(
      at: links.appendingPathComponent("nbrun"),
      withDestinationURL: prefix.appendingPathComponent("bin/nbrun"))
    let work = base.appendingPathComponent("elsewhere")
    try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    try Data(PreviewBrowserTests.notebook.utf8).write(to: work.appendingPathComponent("nb.md"))
    var environment = ProcessInfo.processInfo.environment
    environment["PATH"] = links.path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")

    let server = Process()
    server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    server.arguments = ["nbrun", "preview", "nb.md", "--port", "0"]
    server.currentDirectoryURL = work
    server.environment = environment
    let messages = Pipe()
    server.standardError = messages
    server.standardOutput = FileHandle.nullDevice
    try server.run()
    defer {
      if server.isRunning { server.terminate() }
      server.waitUntilExit()
    }
    var printed = ""
    let deadline = Date().addingTimeInterval(60)
    while !printed.contains("(Ctrl-C stops)"), Date() < deadline, server.isRunning {
      printed += String(decoding: messages.fileHandleForReading.availableData, as: UTF8.self)
    }
    let port = try #require(
      printed.firstMatch(of: #/127\.0\.0\.1:([0-9]+)/#).map { String($0.output.1) },
      "the installed preview serves: \(printed)")
    let fetch = Process()
    fetch.executableURL = URL(fileURLWithPath: BrowserTests.python)
    fetch.arguments = [
      "-c",
      "import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=30).read().decode())",
      "http://127.0.0.1:\(port)/",
    ]
    let page = Pipe()
    fetch.standardOutput = page
    try fetch.run()
    let body = String(decoding: page.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    fetch.waitUntilExit()
    #expect(body.contains("Preview probe PREVIEW-ONE"), "the notebook's page")
    #expect(body.contains("<table"), "the forward pass")
    #expect(
      body.contains("renderMathInElement(") && body.contains("@font-face"),
      "KaTeX, found from the link, typesets its math")
    #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("output").path))
  }
}
