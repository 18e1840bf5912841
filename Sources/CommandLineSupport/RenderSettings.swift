import Foundation
import Rendering
import Runner

/// Everything `nbrun render` was asked, as a value: the command line's flags, checked.
/// ``CourseRender`` does the work; the executable only fills this in.
public struct RenderSettings: Sendable {
  public var notebooks: [String]
  /// `--check`: verify expectations and committed handouts; write nothing.
  public var check = false
  public var formats: [JobRequest.Format] = [.md, .html]
  public var build = Build.handout
  /// A roster CSV: a student build and a key per student.
  public var variants: String?
  /// `-o`; nil for the build's default folder.
  public var outputOption: String?
  public var keepGoing = false
  /// `--report`: one line per block on stdout.
  public var report = false
  public var quiet = false
  public var budget: Double = 900
  /// The folder KaTeX is read from; nil for Debian's and the installed copy.
  public var katex: String?
  public var jobs: Int?
  /// `--cache`: the folder blocks' results and checked formulas are kept in (default
  /// `.nbrun-cache` in the course's root).
  public var cacheFolder: String

  public var noCache = false
  public var allowOutsideData = false
  /// The kernel `--to ipynb` writes for (`--kernel`).
  public var ipynbKernel = IPYNBKernel.python3
  /// The running executable (KaTeX installed beside it is found from here).
  public var executable = runningExecutable

  public init(notebooks: [String], cacheFolder: String? = nil) {
    self.notebooks = notebooks
    self.cacheFolder = cacheFolder ?? FileText.courseFolder(".nbrun-cache", for: notebooks)
  }

  /// The folder handouts go to: `-o`, else the build's default folder in the course's
  /// root (``FileText/courseFolder(_:for:)``).
  public var output: String {
    outputOption
      ?? FileText.courseFolder(
        JobRequest.defaultFolder(build: build, variants: variants != nil), for: notebooks)
  }

  /// What is wrong with the settings as a whole, said as the command line says it.
  public var usageMistake: String? {
    if notebooks.isEmpty {
      return "name at least one notebook, e.g. nbrun notebooks/lecture2.md"
    }
    if !(budget > 0) || !budget.isFinite {
      return "--budget must be a positive number of seconds"
    }
    if let jobs, jobs < 1 || jobs > 256 {
      return "-j takes a number of notebooks from 1 to 256, e.g. -j 2"
    }
    if variants != nil, formats.contains(.pdf) || formats.contains(.slides) {
      return
        "--variants writes md, html and ipynb per student; print PDFs or slides from a --student or --key build"
    }
    return nil
  }

  /// Whether the cache folder (or a store in it) is a symbolic link, and so not used.
  var cacheIsLinked: Bool {
    DiskBlockStore.link(in: URL(fileURLWithPath: cacheFolder)) != nil
  }
}

/// Where a run's messages go: `error` for stderr (diagnostics, progress, "done"), `output`
/// for stdout (`--report`'s lines).
public struct Console: Sendable {
  public var error: @Sendable (String) -> Void
  public var output: @Sendable (String) -> Void
  /// Whether stderr is a terminal (a progress bar is drawn there).
  public var terminal: Bool

  public init(
    error: @escaping @Sendable (String) -> Void, output: @escaping @Sendable (String) -> Void,
    terminal: Bool
  ) {
    self.error = error
    self.output = output
    self.terminal = terminal
  }

  /// The process's own stderr and stdout.
  public static let standard = Console(
    error: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) },
    output: { print($0) }, terminal: isatty(2) != 0)
}
