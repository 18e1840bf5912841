import Foundation

/// Reading a text file the command line was pointed at, with every failure said as a
/// sentence that names the path and the fix (never Foundation's error dump).
public enum FileText {
  /// A failure to read, as a sentence.
  public struct Problem: Error, CustomStringConvertible, Sendable {
    public var description: String
  }

  /// The largest file nbrun reads: 64 MB.
  public static let limit = 64 * 1_048_576

  /// A text file's contents; a byte-order mark is dropped unless `keepingMark` (a notebook
  /// keeps its own, so its Markdown handout starts with one too).
  public static func read(_ url: URL, shownAs path: String, keepingMark: Bool = false) throws
    -> String
  {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
      throw Problem(description: "cannot read \(path): there is no such file")
    }
    guard !isFolder.boolValue else {
      throw Problem(description: "cannot read \(path): it is a folder, not a file")
    }
    guard FileManager.default.isReadableFile(atPath: url.path) else {
      throw Problem(description: "cannot read \(path): permission denied (check its mode)")
    }
    let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
    if let type = attributes?[.type] as? FileAttributeType, type != .typeRegular {
      throw Problem(description: "cannot read \(path): it is not a regular file")
    }
    // The stated ceiling: a run takes about 28 bytes of memory per byte of a notebook
    // (cmark's tree, 15 of them; lines, blocks, pages), so a file over 64 MB is refused
    // before it is read.
    if let size = (attributes?[.size] as? NSNumber)?.intValue, size > limit {
      throw Problem(
        description:
          "cannot read \(path): it is \(size / 1_048_576) MB, over nbrun's limit of \(limit / 1_048_576) MB for one file; split it"
      )
    }
    guard let data = try? Data(contentsOf: url) else {
      throw Problem(description: "cannot read \(path): the file could not be read")
    }
    guard let text = String(validating: data, as: UTF8.self) else {
      throw Problem(description: "cannot read \(path): it is not UTF-8 text (save it as UTF-8)")
    }
    return !keepingMark && text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
  }

  /// Reads `relative` (as a notebook writes a data path) from `folder`, refusing a path
  /// that leaves `root` (the notebook's repository, or its folder) unless `anywhere`.
  public static func read(
    _ relative: String, nextTo folder: URL, within root: URL, anywhere: Bool
  ) throws -> String {
    // An absolute path is taken as written, not appended to the notebook's folder.
    let url =
      relative.hasPrefix("/")
      ? URL(fileURLWithPath: relative) : folder.appendingPathComponent(relative)
    if !anywhere {
      let target = OutputGuard.canonical(url)
      let base = OutputGuard.canonical(root)
      guard target == base || target.hasPrefix(base.hasSuffix("/") ? base : base + "/") else {
        throw Problem(
          description:
            "\(relative) is outside the notebook's project (\(root.path)); move the data inside it, or pass --allow-outside-data"
        )
      }
    }
    return try read(url, shownAs: relative)
  }

  /// The file that marks a course's root folder, in the manner of Quarto's `_quarto.yml`.
  public static let courseFile = "_nbrun.yml"

  /// The root of the course a notebook's folder belongs to: the nearest folder at or above
  /// it holding a course file (`_nbrun.yml`), else the nearest holding `.git` (the
  /// repository's root); `nil` when neither is found.
  public static func courseRoot(of folder: URL) -> URL? {
    let start = folder.standardizedFileURL
    for marker in [courseFile, ".git"] {
      var current = start
      while true {
        if FileManager.default.fileExists(atPath: current.appendingPathComponent(marker).path) {
          return current
        }
        let parent = current.deletingLastPathComponent()
        if parent.path == current.path { break }
        current = parent
      }
    }
    return nil
  }

  /// The project a notebook belongs to, which its data paths may not leave: its course's
  /// root (``courseRoot(of:)``), else the notebook's own folder.
  public static func projectRoot(of folder: URL) -> URL {
    courseRoot(of: folder) ?? folder.standardizedFileURL
  }

  /// Where a folder named relative to the course's root (`output`, `.nbrun-cache`) is for
  /// `notebooks`: inside the root of the course they share, whatever the current folder,
  /// so `nbrun lecture2.md` typed in `notebooks/` writes the course's `output/`; as
  /// written (from the current folder) when they share no root. Said relative to the
  /// current folder where that is shorter (`output`, `../output`).
  public static func courseFolder(_ name: String, for notebooks: [String]) -> String {
    let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL
    let roots = Set(
      notebooks.map {
        courseRoot(
          of: URL(fileURLWithPath: $0, relativeTo: here).standardizedFileURL
            .deletingLastPathComponent())?.path
      })
    guard roots.count == 1, let only = roots.first, let root = only else { return name }
    let from = OutputGuard.canonical(here).split(separator: "/")
    let to = OutputGuard.canonical(URL(fileURLWithPath: root)).split(separator: "/")
    if from == to { return name }
    if from.count > to.count, Array(from.prefix(to.count)) == to, from.count - to.count <= 8 {
      return Array(repeating: "..", count: from.count - to.count).joined(separator: "/") + "/"
        + name
    }
    return URL(fileURLWithPath: root).appendingPathComponent(name).path
  }
}

/// Writes a line to standard error: the command-line programs' messages.
public func printError(_ text: String) {
  FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// The running program's own file, its links resolved: Linux's `/proc/self/exe`, else the
/// command line's first word made absolute. Programs installed beside it (`nbrun-preview`,
/// `nbrun-kernel`) and KaTeX are found from here, however it was started (a bare `nbrun`
/// found on the PATH included).
public var runningExecutable: URL {
  if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
    return URL(fileURLWithPath: target).resolvingSymlinksInPath()
  }
  let first = CommandLine.arguments.first ?? "nbrun"
  return URL(
    fileURLWithPath: first,
    relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
  )
  .standardizedFileURL.resolvingSymlinksInPath()
}
