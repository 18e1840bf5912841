import Foundation

/// The formulas KaTeX parsed on earlier runs, one key a line in
/// `.nbrun-cache/katex-SCRIPT.txt`, so a re-render checks only new TeX. A damaged file is
/// ignored (and rewritten), never trusted for more than the keys it holds.
public struct KaTeXCache: Sendable {
  public var file: URL

  public init(folder: String, scriptKey: UInt64) {
    file = URL(fileURLWithPath: folder).appendingPathComponent(
      "katex-\(String(scriptKey, radix: 16)).txt")
  }

  public func read() -> Set<UInt64> {
    guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [] }
    return Set(text.split(separator: "\n").compactMap { UInt64($0, radix: 16) })
  }

  /// Writes the keys atomically; a cache that cannot be written is simply not kept.
  /// Never through a symbolic link: a cache folder that is one is not written.
  public func write(_ keys: Set<UInt64>) {
    let folder = file.deletingLastPathComponent()
    guard !HandoutFiles.isLink(folder) else { return }
    let text = keys.sorted().map { String($0, radix: 16) }.joined(separator: "\n") + "\n"
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let temporary = folder.appendingPathComponent(".\(file.lastPathComponent).\(getpid()).tmp")
    do {
      try HandoutFiles.create(temporary, Array(text.utf8), shownAs: temporary.path)
      if rename(temporary.path, file.path) != 0 { unlink(temporary.path) }
    } catch {
      unlink(temporary.path)
    }
  }
}
