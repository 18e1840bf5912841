import CommandLineSupport
import Foundation
import MathCheck
import Notebook
import Rendering
import Runner

/// What `nbrun preview` renders and how: the notebook, the build, and where results go.
public struct PreviewConfiguration: Sendable {
  /// The notebook's path as the user gave it (messages name it so).
  public var notebook: String
  public var build: Build
  public var math: MathAssets?
  /// Where blocks' results are kept between renders; `nil` runs every block every time.
  public var cache: BlockCache?
  /// Where the handouts are also written after each good render (`--write`); `nil` writes
  /// nothing, so a preview never touches `output/` unless asked.
  public var writeFolder: URL?
  public var budget: Double
  public var allowOutsideData: Bool

  public init(
    notebook: String, build: Build = .handout, math: MathAssets?, cache: BlockCache?,
    writeFolder: URL? = nil, budget: Double = 900, allowOutsideData: Bool = false
  ) {
    self.notebook = notebook
    self.build = build
    self.math = math
    self.cache = cache
    self.writeFolder = writeFolder
    self.budget = budget
    self.allowOutsideData = allowOutsideData
  }
}

/// One render of the notebook, as the preview shows it.
public struct Rendition: Sendable {
  /// The page, or `nil` when the notebook has errors (the last good page stays shown).
  public var page: String?
  /// The located errors and TeX mistakes, as `nbrun` prints them.
  public var messages: [String]
  /// The files the render read: the notebook and every data file its blocks opened.
  public var watched: [URL]
}

/// Renders the notebook on request; the KaTeX checker (a JavaScript heap) stays with it,
/// so formulas checked once are not checked again. One thread uses it at a time.
public final class PreviewRenderer: @unchecked Sendable {
  public let configuration: PreviewConfiguration
  private let checker: KaTeXChecker?

  public init(configuration: PreviewConfiguration) {
    self.configuration = configuration
    checker = configuration.math.map { KaTeXChecker(script: $0.script) }
  }

  public func render() -> Rendition {
    let path = configuration.notebook
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent()
    let deadline = Deadline(seconds: configuration.budget)
    let text: String
    do {
      text = try FileText.read(url, shownAs: path, keepingMark: true)
    } catch {
      return Rendition(page: nil, messages: ["\(path): error: \(error)"], watched: [url])
    }
    let reads = ReadLog()
    var options = RunOptions(keepGoing: false, budget: configuration.budget)
    options.deadline = deadline
    let root = FileText.projectRoot(of: folder)
    let anywhere = configuration.allowOutsideData
    options.readFile = { relative in
      try reads.read(relative, nextTo: folder, within: root, anywhere: anywhere)
    }
    options.cache = configuration.cache
    options.blockWorkers = ProcessInfo.processInfo.activeProcessorCount
    let (document, diagnostics) = Document.parse(text, path: path, deadline: deadline)
    var formats: [JobRequest.Format] = [.html]
    if configuration.writeFolder != nil { formats = [.md, .html] }
    let name = url.deletingPathExtension().lastPathComponent
    let job = NotebookJob(
      document: document, diagnostics: diagnostics, name: name,
      request: JobRequest(formats: formats, build: configuration.build, roster: nil, run: options),
      math: configuration.math, checker: checker)
    var messages = job.results.flatMap(\.diagnostics).filter { $0.severity == .error }
      .map(\.description)
    messages += job.messages + job.pageDiagnostics.map(\.description)
    let watched = [url] + reads.paths
    guard job.verdict != .notebookErrors,
      let page = job.files.first(where: { $0.path == "\(name).html" })?.text
    else {
      return Rendition(page: nil, messages: messages, watched: watched)
    }
    if let target = configuration.writeFolder {
      do {
        try HandoutFiles.write(job.files, to: target, figuresFolder: "\(name)_files")
      } catch {
        messages.append("\(path): error: cannot write to \(target.path)/: \(error)")
      }
    }
    return Rendition(page: page, messages: messages, watched: watched)
  }
}
