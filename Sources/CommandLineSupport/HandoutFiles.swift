import Foundation
import Rendering
import Runner

/// The command line's file work: writing handouts atomically, reading committed ones
/// for `--check`, and loading KaTeX. The libraries never touch the disk.
public enum HandoutFiles {
  /// Writes a run's files (paths relative to `folder`) as one set: every file is staged
  /// beside its place first (`.NAME.nbrun-PID`), then all are renamed into place, so the
  /// handout's files change together or not at all. A failure while staging removes the
  /// staged files and leaves the folder as it was. Ctrl-C and SIGTERM are held back during
  /// the write (a fraction of a second), so no partial set or temporary file is left.
  /// Figures a previous run left in `figuresFolder` that this run no longer makes are
  /// removed with the renames; `nil` (a run that writes no Markdown handout, so no figure
  /// files) leaves the folder alone.
  public static func write(
    _ files: [(path: String, text: String)], binaries: [(path: String, bytes: [UInt8])] = [],
    to folder: URL, figuresFolder: String?
  ) throws {
    let staging = Staging()
    do {
      try staging.stage(files.map { ($0.path, Array($0.text.utf8)) } + binaries, to: folder)
    } catch {
      staging.discard()
      throw error
    }
    try staging.commit(figures: figuresFolder.map { [(folder, $0, Set(files.map(\.path)))] } ?? [])
  }

  /// Writes files that have no figures folder (a course's index) as one set.
  public static func write(_ files: [(path: String, text: String)], to folder: URL) throws {
    let staging = Staging()
    do {
      try staging.stage(files, to: folder)
    } catch {
      staging.discard()
      throw error
    }
    try staging.commit(figures: [])
  }

  /// Files staged beside their places (`.NAME.nbrun-PID`), renamed into place together by
  /// `commit`, or removed by `discard`. Staging on disk keeps memory bounded when a run
  /// makes many files (a roster's students, one after another).
  public final class Staging {
    private var staged: [(staging: URL, target: URL)] = []
    /// Folders staging made (they were not there): removed again by `discard` when empty,
    /// so a stopped run leaves no empty student folders.
    private var made: [URL] = []

    public init() {}

    /// Writes `files` (paths relative to `folder`) to their staging places.
    public func stage(_ files: [(path: String, text: String)], to folder: URL) throws {
      try stage(files.map { ($0.path, Array($0.text.utf8)) }, to: folder)
    }

    /// Writes `files` (paths relative to `folder`, contents as bytes) to their staging
    /// places.
    public func stage(_ files: [(path: String, bytes: [UInt8])], to folder: URL) throws {
      let manager = FileManager.default
      // The folder given to -o may be a link, but one that leads nowhere (broken, or a loop)
      // is said as such, not as a failure to make a folder.
      var info = stat()
      if HandoutFiles.isLink(folder), stat(folder.path, &info) != 0 {
        throw WriteFailure(path: folder.path, code: errno == ELOOP ? ELOOP : ENOENT)
      }
      for (relative, bytes) in files {
        let target = folder.appendingPathComponent(relative)
        // A folder on the way inside the output folder (`NAME_files`, `student/`) that is a
        // symbolic link would take the files out of it: refused, before anything is written.
        var place = folder
        for part in relative.split(separator: "/").dropLast() {
          place = place.appendingPathComponent(String(part))
          if HandoutFiles.isLink(place) { throw WriteFailure(path: place.path, code: ELOOP) }
        }
        do {
          var missing: [URL] = []
          var parent = target.deletingLastPathComponent()
          while !manager.fileExists(atPath: parent.path), parent.path != folder.path {
            missing.append(parent)
            parent = parent.deletingLastPathComponent()
          }
          try manager.createDirectory(
            at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
          made += missing
        } catch {
          throw WriteFailure(
            path: target.deletingLastPathComponent().path, code: HandoutFiles.code(of: error))
        }
        let staging = target.deletingLastPathComponent().appendingPathComponent(
          ".\(target.lastPathComponent).nbrun-\(getpid())")
        try HandoutFiles.create(staging, bytes, shownAs: target.path)
        staged.append((staging, target))
      }
    }

    /// Removes every staged file.
    public func discard() {
      for file in staged { try? FileManager.default.removeItem(at: file.staging) }
      staged = []
      // Deepest first; only folders left empty (rmdir refuses any other).
      for folder in made.sorted(by: { $0.path.count > $1.path.count }) { rmdir(folder.path) }
      made = []
    }

    /// Renames every staged file into place, with SIGINT and SIGTERM held back for the
    /// fraction of a second it takes; figures a previous run left in a figures folder that
    /// this run no longer makes (`fresh` lists the run's files) are removed with them.
    public func commit(figures: [(folder: URL, name: String, fresh: Set<String>)]) throws {
      let manager = FileManager.default
      let held = SignalHold()
      defer { held.release() }
      for (folder, name, fresh) in figures {
        let place = folder.appendingPathComponent(name)
        // Never prune through a link: what it points at is not the output folder's.
        guard !HandoutFiles.isLink(place),
          let existing = try? manager.contentsOfDirectory(atPath: place.path)
        else { continue }
        for file in existing
        where file.hasPrefix("fig-") && file.hasSuffix(".svg") && !fresh.contains("\(name)/\(file)")
        {
          try? manager.removeItem(at: place.appendingPathComponent(file))
        }
      }
      for file in staged where rename(file.staging.path, file.target.path) != 0 {
        let code = errno
        discard()
        throw WriteFailure(path: file.target.path, code: code)
      }
      // Staging files a stopped run left (`.NAME.nbrun-PID` of a process that is gone)
      // in the folders this run wrote: removed now that the run has succeeded.
      let folders = Set(staged.map { $0.target.deletingLastPathComponent().path })
      for folder in folders {
        for name in (try? manager.contentsOfDirectory(atPath: folder)) ?? []
        where name.hasPrefix(".") && name.contains(".nbrun-") {
          guard let mark = name.range(of: ".nbrun-", options: .backwards),
            let pid = Int32(name[mark.upperBound...]), pid > 0, pid != getpid(),
            kill(pid, 0) != 0, errno == ESRCH
          else { continue }
          unlink(folder + "/" + name)
        }
      }
      staged = []
      made = []
    }
  }

  /// Writes `bytes` to a new file with POSIX calls, so a failure keeps its reason (errno)
  /// and leaves no file behind, not even a partly written one.
  static func create(_ url: URL, _ bytes: [UInt8], shownAs path: String) throws {
    // O_NOFOLLOW: a staging name that is a link (planted, or stale) is refused, not written
    // through.
    let descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o644)
    guard descriptor >= 0 else { throw WriteFailure(path: path, code: errno) }
    var written = 0
    var failure: Int32?
    bytes.withUnsafeBytes { buffer in
      while written < buffer.count {
        let count = Foundation.write(
          descriptor, buffer.baseAddress.map { $0 + written }, buffer.count - written)
        if count < 0 {
          if errno == EINTR { continue }
          failure = errno
          return
        }
        written += count
      }
    }
    if close(descriptor) != 0, failure == nil { failure = errno }
    if let failure {
      unlink(url.path)
      throw WriteFailure(path: path, code: failure)
    }
  }

  /// Whether a path is itself a symbolic link (not followed).
  static func isLink(_ url: URL) -> Bool {
    var info = stat()
    return lstat(url.path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
  }

  /// The POSIX error code inside a Foundation error, if it carries one.
  static func code(of error: Error) -> Int32 {
    let error = error as NSError
    if error.domain == NSPOSIXErrorDomain { return Int32(error.code) }
    if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError,
      underlying.domain == NSPOSIXErrorDomain
    {
      return Int32(underlying.code)
    }
    switch CocoaError.Code(rawValue: error.code) {
    case .fileWriteOutOfSpace: return ENOSPC
    case .fileWriteVolumeReadOnly: return EROFS
    case .fileWriteNoPermission: return EACCES
    case .fileWriteFileExists: return ENOTDIR
    case .fileNoSuchFile, .fileReadNoSuchFile: return ENOENT
    default: return EIO
    }
  }
  /// The differences between the files a run would write and those in `folder`.
  /// Compares files with those in `folder`; a run's values first, each at `notebook`'s
  /// line, then the files that differ.
  public static func check(
    _ files: [(path: String, text: String)], in folder: URL, shownAs prefix: String,
    notebook: String? = nil
  )
    -> [Check.Difference]
  {
    let all = files.flatMap { relative, fresh in
      let committed = try? String(
        contentsOf: folder.appendingPathComponent(relative), encoding: .utf8)
      return Check.compare(
        file: "\(prefix)/\(relative)", committed: committed, fresh: fresh, notebook: notebook)
    }
    return all.filter(\.isValue) + all.filter { !$0.isValue }
  }

  /// KaTeX from a folder laid out like Debian's libjs-katex, fonts embedded; `nil` when
  /// it is not there.
  /// Where KaTeX is looked for when `--katex` is not given: Debian's `libjs-katex`, then the
  /// copy `scripts/install` puts beside the binary (`PREFIX/share/nbrun/katex`).
  public static func katexFolders(executable: URL) -> [String] {
    [
      "/usr/share/javascript/katex",
      executable.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("share/nbrun/katex").path,
    ]
  }

  public static func katex(in folder: String = "/usr/share/javascript/katex", cache: URL? = nil)
    -> MathAssets?
  {
    let base = URL(fileURLWithPath: folder)
    func read(_ name: String) -> String? {
      try? String(contentsOf: base.appendingPathComponent(name), encoding: .utf8)
    }
    guard let css = read("katex.min.css"), let script = read("katex.min.js"),
      let autoRender = read("contrib/auto-render.min.js") ?? read("contrib/auto-render.js")
    else { return nil }
    // The stylesheet with its fonts inlined is kept in the cache folder, under a key of the
    // folder, the stylesheet and each font file's size and time, framed and checked like a
    // block's entry: one read instead of twenty fonts and their base64.
    var hasher = StableHash()
    hasher.add(folder)
    hasher.add(css)
    let fonts = base.appendingPathComponent("fonts")
    for name in ((try? FileManager.default.contentsOfDirectory(atPath: fonts.path)) ?? []).sorted()
    {
      var info = stat()
      guard stat(fonts.appendingPathComponent(name).path, &info) == 0 else { continue }
      hasher.add("\(name) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)")
    }
    let key = hasher.hex
    let store = cache.map { DiskBlockStore(folder: $0, kind: "katex") }
    if let data = store?.load(key), let stylesheet = String(validating: data, as: UTF8.self) {
      return MathAssets(stylesheet: stylesheet, script: script, autoRender: autoRender)
    }
    let stylesheet = MathAssets.inliningFonts(in: css) { font in
      (try? Data(contentsOf: base.appendingPathComponent("fonts").appendingPathComponent(font)))?
        .base64EncodedString()
    }
    store?.save(Data(stylesheet.utf8), for: key)
    return MathAssets(stylesheet: stylesheet, script: script, autoRender: autoRender)
  }
}

/// SIGINT and SIGTERM held back while a handout's files are written, delivered after.
public final class SignalHold {
  /// Makes SIGINT and SIGTERM stop nbrun whatever it inherited: a script's background
  /// job starts with SIGINT ignored, and a parent may spawn it with both blocked, which
  /// would let a run of a million epochs go on after Ctrl-C or `kill`. Called at start.
  public static func answerInterrupts() {
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGINT)
    sigaddset(&set, SIGTERM)
    sigprocmask(SIG_UNBLOCK, &set, nil)
    signal(SIGINT, SIG_DFL)
    signal(SIGTERM, SIG_DFL)
  }

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

/// A handout file that could not be written, with the reason as a sentence and what to do.
public struct WriteFailure: Error, CustomStringConvertible {
  public var path: String
  public var code: Int32

  public var description: String {
    switch code {
    case ENOSPC, EDQUOT: "the disk is full (no space left on the device): free some space"
    case EROFS: "the folder is on a read-only file system: choose another with -o"
    case EACCES, EPERM: "permission denied: make the folder writable, or choose another with -o"
    case ENOTDIR, EEXIST: "a path on the way is a file, not a folder: move it, or choose another -o"
    case ENOENT:
      "a folder on the way does not exist and cannot be made (a broken link?): check the path given to -o"
    case ELOOP:
      "\(path) is a symbolic link, and nbrun never writes or deletes through a link: remove the link, or choose another -o"
    default: "the system reports error \(code): check that it is a writable folder with free space"
    }
  }

  public init(path: String, code: Int32) {
    self.path = path
    self.code = code
  }
}

/// A roster's files as they are made, student by student: each set is checked against the
/// run's outputs (no source overwritten, no path shared) and staged on disk, so memory
/// stays bounded; `commit` renames everything into place at the end, `discard` removes it.
/// One thread uses it (the command line's), hence `@unchecked Sendable`.
public final class StreamedFiles: @unchecked Sendable {
  private let staging = HandoutFiles.Staging()
  private let folder: URL
  private let notebook: String
  public private(set) var outputs: OutputGuard
  public private(set) var count = 0

  public init(folder: URL, notebook: String, outputs: OutputGuard) {
    self.folder = folder
    self.notebook = notebook
    self.outputs = outputs
  }

  public func deliver(_ files: [(path: String, text: String)]) throws {
    let conflicts = outputs.claim(files.map(\.path), in: folder, for: notebook)
    if let first = conflicts.first { throw Refusal(description: first) }
    try staging.stage(files, to: folder)
    count += files.count
  }

  /// Stages the job's last files (the answers file) and renames everything into place.
  public func commit(_ last: [(path: String, text: String)]) throws {
    try deliver(last)
    try staging.commit(figures: [])
  }

  public func discard() { staging.discard() }

  struct Refusal: Error, CustomStringConvertible {
    var description: String
  }
}
