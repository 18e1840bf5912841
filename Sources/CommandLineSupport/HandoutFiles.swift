import Foundation
import Rendering

/// The command line's file work: writing handouts atomically, reading committed ones
/// for `--check`, and loading KaTeX. The libraries never touch the disk.
public enum HandoutFiles {
  /// Writes each file (a path relative to `folder`, and its text) atomically: a temporary
  /// file beside it, renamed into place, so a reader never sees half a handout. Figures a
  /// previous run left in `figuresFolder` that this run no longer makes are removed.
  public static func write(
    _ files: [(path: String, text: String)], to folder: URL, figuresFolder: String
  ) throws {
    let manager = FileManager.default
    try manager.createDirectory(at: folder, withIntermediateDirectories: true)
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
    for (relative, text) in files {
      let url = folder.appendingPathComponent(relative)
      try manager.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try Data(text.utf8).write(to: url, options: .atomic)
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
