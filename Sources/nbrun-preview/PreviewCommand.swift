import ArgumentParser
import CommandLineSupport
import Foundation
import Preview
import Rendering
import Runner

#if canImport(Glibc)
  import Glibc
#endif

/// `nbrun preview NOTEBOOK`: the page, re-rendered on save and pushed to the open tab.
@main
struct PreviewCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "nbrun preview",
    abstract: "Serves a notebook's page on 127.0.0.1 and updates it in the open tab on every save.",
    discussion: """
      Open the address it prints. When the notebook or a data file it reads changes, the
      notebook is rendered again (blocks whose inputs did not change come from the block
      cache) and the open tab shows the new page without a reload, at the same scroll
      position. A notebook with errors keeps the last good page, with the located messages
      above it. Nothing is written to output/ unless --write names a folder. Ctrl-C stops it.
      """)

  @Argument(help: "The notebook to preview.")
  var notebook: String

  @Option(help: "The port on 127.0.0.1 (0 picks a free one).")
  var port: UInt16 = 8040

  @Flag(help: "Preview the student build.")
  var student = false

  @Flag(help: "Preview the answer key.")
  var key = false

  @Flag(help: "Preview the review build (every expectation table).")
  var review = false

  @Option(help: "Also write the handouts (md, html) to this folder after every good render.")
  var write: String?

  @Option(
    name: .customLong("cache"),
    help: "The folder blocks' results are kept in (default .nbrun-cache in the course's root).")
  var cacheOption: String?

  @Flag(help: "Run every block on every render.")
  var noCache = false

  @Option(help: "The folder KaTeX is read from.")
  var katex: String?

  @Option(help: "Seconds one render may take.")
  var budget: Double = 900

  @Flag(help: "Let data paths point outside the notebook's project.")
  var allowOutsideData = false

  func validate() throws {
    if [student, key, review].filter({ $0 }).count > 1 {
      throw ValidationError("choose one of --student, --key and --review")
    }
    if !(budget > 0) || !budget.isFinite {
      throw ValidationError("--budget must be a positive number of seconds")
    }
  }

  func run() throws {
    SignalHold.answerInterrupts()
    OpenBLASKernel.ensure(.portable)
    guard FileManager.default.isReadableFile(atPath: notebook) else {
      printError("nbrun preview: cannot read \(notebook): check the path")
      throw ExitCode(Verdict.notebookErrors.rawValue)
    }
    let executable = runningExecutable
    let cacheFolder = cacheOption ?? FileText.courseFolder(".nbrun-cache", for: [notebook])
    let folders = katex.map { [$0] } ?? HandoutFiles.katexFolders(executable: executable)
    // A cache folder that is a symbolic link is not used: nothing is written through one.
    let linked = DiskBlockStore.link(in: URL(fileURLWithPath: cacheFolder))
    if let linked {
      printError(
        "nbrun preview: warning: \(linked.path) is a symbolic link, and nbrun never writes through a link, so the cache is not used: remove the link, or pass --cache DIR"
      )
    }
    let assetCache = linked == nil ? URL(fileURLWithPath: cacheFolder) : nil
    let math = folders.lazy.compactMap { HandoutFiles.katex(in: $0, cache: assetCache) }.first
    let cache =
      noCache || linked != nil
      ? nil
      : BlockCache(
        store: DiskBlockStore(folder: URL(fileURLWithPath: cacheFolder)),
        salt: BuildIdentity.current)
    let configuration = PreviewConfiguration(
      notebook: notebook, build: student ? .student : key ? .key : review ? .review : .handout,
      math: math, cache: cache, writeFolder: write.map { URL(fileURLWithPath: $0) },
      budget: budget, allowOutsideData: allowOutsideData)
    let server: PreviewServer
    do {
      server = try PreviewServer(
        renderer: PreviewRenderer(configuration: configuration), port: port)
    } catch {
      printError(
        "nbrun preview: cannot listen on 127.0.0.1:\(port): \(error); choose another --port")
      throw ExitCode(Verdict.notebookErrors.rawValue)
    }
    Task {
      do {
        try await server.run()
      } catch  where !Task.isCancelled {
        printError(
          "nbrun preview: cannot serve on 127.0.0.1:\(port) (\(error)); choose another --port")
        Foundation.exit(Verdict.notebookErrors.rawValue)
      }
    }
    Task {
      if let address = try? await server.address() {
        printError("nbrun preview: \(notebook) at \(address) (Ctrl-C stops)")
      }
    }
    // Ctrl-C and SIGTERM stop the server and end with status 0: the handler only writes a
    // line and exits (both async-signal-safe); exiting closes the socket and connections.
    // Nothing is half written: handouts are written only with --write, atomically and with
    // these signals held back while they are renamed into place.
    for number in [SIGINT, SIGTERM] {
      signal(number) { _ in
        let line: StaticString = "nbrun preview: stopped\n"
        _ = Glibc.write(2, line.utf8Start, line.utf8CodeUnitCount)
        _exit(0)
      }
    }
    dispatchMain()
  }
}
