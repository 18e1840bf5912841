import Foundation
import Rendering

/// The command line's file work: writing handouts atomically, reading committed ones
/// for `--check`, and loading KaTeX. The libraries never touch the disk.
public enum HandoutFiles {
  /// Writes a run's files (paths relative to `folder`) as one set: every file is staged
  /// beside its place first (`.NAME.nbrun-PID`), then all are renamed into place, so the
  /// handout's files change together or not at all. A failure while staging removes the
  /// staged files and leaves the folder as it was. Ctrl-C and SIGTERM are held back during
  /// the write (a fraction of a second), so no partial set or temporary file is left.
  /// Figures a previous run left in `figuresFolder` that this run no longer makes are
  /// removed with the renames.
  public static func write(
    _ files: [(path: String, text: String)], to folder: URL, figuresFolder: String
  ) throws {
    let manager = FileManager.default
    let held = SignalHold()
    defer { held.release() }
    var staged: [(staging: URL, target: URL)] = []
    do {
      for (relative, text) in files {
        let target = folder.appendingPathComponent(relative)
        try manager.createDirectory(
          at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        let staging = target.deletingLastPathComponent().appendingPathComponent(
          ".\(target.lastPathComponent).nbrun-\(getpid())")
        guard manager.createFile(atPath: staging.path, contents: Data(text.utf8)) else {
          throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target.path])
        }
        staged.append((staging, target))
      }
    } catch {
      for file in staged { try? manager.removeItem(at: file.staging) }
      throw error
    }
    let figures = folder.appendingPathComponent(figuresFolder)
    let fresh = Set(files.map(\.path))
    if let existing = try? manager.contentsOfDirectory(atPath: figures.path) {
      for file in existing
      where file.hasPrefix("fig-") && file.hasSuffix(".svg")
        && !fresh.contains("\(figuresFolder)/\(file)")
      {
        try? manager.removeItem(at: figures.appendingPathComponent(file))
      }
    }
    for file in staged where rename(file.staging.path, file.target.path) != 0 {
      for rest in staged { try? manager.removeItem(at: rest.staging) }
      throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.target.path])
    }
  }

  /// The differences between the files a run would write and those in `folder`.
  public static func check(
    _ files: [(path: String, text: String)], in folder: URL, shownAs prefix: String
  )
    -> [Check.Difference]
  {
    files.flatMap { relative, fresh in
      let committed = try? String(
        contentsOf: folder.appendingPathComponent(relative), encoding: .utf8)
      return Check.compare(file: "\(prefix)/\(relative)", committed: committed, fresh: fresh)
    }
  }

  /// KaTeX from a folder laid out like Debian's libjs-katex, fonts embedded; `nil` when
  /// it is not there.
  public static func katex(in folder: String = "/usr/share/javascript/katex") -> MathAssets? {
    let base = URL(fileURLWithPath: folder)
    func read(_ name: String) -> String? {
      try? String(contentsOf: base.appendingPathComponent(name), encoding: .utf8)
    }
    guard let css = read("katex.min.css"), let script = read("katex.min.js"),
      let autoRender = read("contrib/auto-render.min.js") ?? read("contrib/auto-render.js")
    else { return nil }
    let stylesheet = MathAssets.inliningFonts(in: css) { font in
      (try? Data(contentsOf: base.appendingPathComponent("fonts").appendingPathComponent(font)))?
        .base64EncodedString()
    }
    return MathAssets(stylesheet: stylesheet, script: script, autoRender: autoRender)
  }
}

/// SIGINT and SIGTERM held back while a handout's files are written, delivered after.
final class SignalHold {
  private var previous = sigset_t()

  init() {
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGINT)
    sigaddset(&set, SIGTERM)
    sigprocmask(SIG_BLOCK, &set, &previous)
  }

  func release() {
    sigprocmask(SIG_SETMASK, &previous, nil)
  }
}
