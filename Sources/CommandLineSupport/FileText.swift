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

  /// The project a notebook belongs to: the nearest folder above it holding `.git`, else
  /// the notebook's own folder.
  public static func projectRoot(of folder: URL) -> URL {
    var current = folder.standardizedFileURL
    while true {
      if FileManager.default.fileExists(atPath: current.appendingPathComponent(".git").path) {
        return current
      }
      let parent = current.deletingLastPathComponent()
      if parent.path == current.path { return folder.standardizedFileURL }
      current = parent
    }
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
