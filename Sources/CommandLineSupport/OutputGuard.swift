import Foundation

/// Where one run of `nbrun` writes, checked before anything is written: no output may land
/// on a notebook being run (a source is never written, even with `-o` set to its own
/// folder or a notebook named `x.html`), and no two notebooks may write the same file
/// (`a/lecture.md` and `b/lecture.md` into one folder).
public struct OutputGuard: Sendable {
  private let sources: [String: String]
  private var claimed: [String: String] = [:]

  /// The notebooks of the run, as given on the command line.
  public init(notebooks: [String]) {
    var sources: [String: String] = [:]
    for path in notebooks { sources[Self.canonical(URL(fileURLWithPath: path))] = path }
    self.sources = sources
  }

  /// Claims the files one notebook writes into `folder`; returns a sentence for each that
  /// would overwrite a source or another notebook's output (and claims nothing then).
  public mutating func claim(
    _ paths: [String], in folder: URL, for notebook: String
  ) -> [String] {
    var problems: [String] = []
    var mine: [String: String] = [:]
    for relative in paths {
      let target = Self.canonical(folder.appendingPathComponent(relative))
      if let source = sources[target] {
        problems.append(
          "\(notebook): error: writing \(folder.path)/\(relative) would overwrite the notebook \(source); nothing was written. Choose another output folder with -o"
        )
      } else if let other = claimed[target], other != notebook {
        problems.append(
          "\(notebook): error: \(other) already writes \(folder.path)/\(relative) in this run; nothing was written for \(notebook). Rename one notebook or render them into different folders with -o"
        )
      } else {
        mine[target] = notebook
      }
    }
    if problems.isEmpty { claimed.merge(mine) { _, new in new } }
    return problems
  }

  /// Every file claimed so far (absolute paths, links resolved).
  public var claimedFiles: [String] { Array(claimed.keys) }

  /// An absolute path with `.`, `..` and symbolic links resolved.
  public static func canonical(_ url: URL) -> String {
    url.standardizedFileURL.resolvingSymlinksInPath().path
  }
}
