import Foundation
import Runner

/// The warm path of `nbrun`: what the last good render of the same notebooks with the same
/// settings read and wrote. When everything it read is as it was (the notebooks' and data
/// files' bytes, the build of nbrun, KaTeX, the course's sibling notebooks, the names in
/// the output folder) and everything it wrote is still there untouched (size, time and
/// inode of each file), a render would write the same bytes again: nbrun prints the
/// run's messages again and stops, without reading the block cache or starting KaTeX.
///
/// Records live in the cache folder (`renders/`), one per command (the notebooks, the
/// formats, the build and the output folder), written like the block cache's entries
/// (atomically, with a length and hash checked on reading). `--no-cache`, `--check`,
/// `--report` and `--variants` never use them.
struct RenderRecord: Codable {
  /// A file's identity on disk: a file rewritten (or replaced) has a new time or inode.
  struct Stamp: Codable, Equatable {
    var path: String
    var size: Int64
    var seconds: Int
    var nanoseconds: Int
    var inode: UInt64

    init?(path: String) {
      var info = stat()
      guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
      self.path = path
      size = Int64(info.st_size)
      seconds = info.st_mtim.tv_sec
      nanoseconds = info.st_mtim.tv_nsec
      inode = UInt64(info.st_ino)
    }
  }

  /// The hash of everything the run read.
  var inputs: String
  /// The data files the run read (absolute paths), in order.
  var data: [String]
  var outputs: [Stamp]
  /// The hash of the output folder's names after the run (a page links only to pages there).
  var listing: String
  /// What the run printed on standard error.
  var messages: [String]
}

/// Looks a command up in its record and writes the record after a good run.
struct RenderRecords {
  let settings: RenderSettings
  let store: DiskBlockStore
  let key: String
  /// The part of the inputs known before the run: nil when a notebook cannot be read.
  let fixed: StableHash?

  /// Records for the run `settings` describes, or nil when such a run keeps none.
  init?(_ settings: RenderSettings, math folders: [String]) {
    guard !settings.check, !settings.noCache, !settings.report, settings.variants == nil,
      !settings.cacheIsLinked
    else { return nil }
    self.settings = settings
    store = DiskBlockStore(folder: URL(fileURLWithPath: settings.cacheFolder), kind: "renders")
    let output = OutputGuard.canonical(URL(fileURLWithPath: settings.output))
    var command = StableHash()
    command.add("nbrun-render 1")
    for path in settings.notebooks {
      command.add(OutputGuard.canonical(URL(fileURLWithPath: path)))
    }
    command.add(settings.formats.map(\.rawValue).joined(separator: ","))
    command.add("\(settings.build)")
    command.add(output)
    key = command.hex

    var fixed = StableHash()
    fixed.add(BuildIdentity.current)
    fixed.add(
      "\(settings.ipynbKernel.rawValue) \(settings.keepGoing) \(settings.allowOutsideData) \(settings.quiet) \(settings.budget) \(settings.katex ?? "")"
    )
    for path in settings.notebooks {
      fixed.add(path)
      guard let bytes = FileManager.default.contents(atPath: path) else {
        self.fixed = nil
        return
      }
      fixed.add(bytes: bytes)
    }
    // KaTeX as found, and the notebooks beside each one (their titles and order make
    // the course's links).
    let named = settings.notebooks.map {
      URL(fileURLWithPath: $0).deletingLastPathComponent().standardizedFileURL.path
    }
    for file in folders.flatMap({ ["\($0)/katex.min.js", "\($0)/katex.min.css"] }) {
      fixed.add(Self.signature(of: file))
    }
    for folder in Set(named).sorted() {
      let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
        .filter { $0.hasSuffix(".md") }.sorted()
      for file in files { fixed.add(Self.signature(of: "\(folder)/\(file)")) }
    }
    self.fixed = fixed
  }

  /// The record of the last good run, if a render now would write what it wrote.
  func unchanged() -> RenderRecord? {
    guard var inputs = fixed, let data = store.load(key),
      let record = try? JSONDecoder().decode(RenderRecord.self, from: data)
    else { return nil }
    for path in record.data {
      guard let text = try? FileText.read(URL(fileURLWithPath: path), shownAs: path) else {
        return nil
      }
      inputs.add(path)
      inputs.add(ReadLog.digest(text))
    }
    guard inputs.hex == record.inputs, listing() == record.listing,
      record.outputs.allSatisfy({ RenderRecord.Stamp(path: $0.path) == $0 })
    else { return nil }
    return record
  }

  /// Keeps what a good run read (`reads`: each data file's path and bytes), wrote and said.
  func save(reads: [(path: String, digest: String)], written: [String], messages: [String]) {
    guard var inputs = fixed else { return }
    var seen: Set<String> = []
    var data: [String] = []
    for read in reads.sorted(by: { $0.path < $1.path }) where seen.insert(read.path).inserted {
      inputs.add(read.path)
      inputs.add(read.digest)
      data.append(read.path)
    }
    let stamps = written.sorted().compactMap(RenderRecord.Stamp.init(path:))
    guard stamps.count == written.count else { return }
    let record = RenderRecord(
      inputs: inputs.hex, data: data, outputs: stamps, listing: listing(), messages: messages)
    guard let encoded = try? JSONEncoder().encode(record) else { return }
    store.save(encoded, for: key)
  }

  /// The names in the output folder (the pages a page may link to).
  private func listing() -> String {
    var hash = StableHash()
    let names =
      (try? FileManager.default.contentsOfDirectory(atPath: settings.output)) ?? []
    for name in names.sorted() where !name.hasPrefix(".") { hash.add(name) }
    return hash.hex
  }

  /// A file's size, time and inode, or "absent".
  private static func signature(of path: String) -> String {
    guard let stamp = RenderRecord.Stamp(path: path) else { return "\(path) absent" }
    return "\(path) \(stamp.size) \(stamp.seconds).\(stamp.nanoseconds) \(stamp.inode)"
  }
}

/// The data files a run's blocks read (from any thread): each one's path, and a hash of
/// its text when it could be read. The render's record keeps the hashes; the preview
/// watches the paths (a file not there yet included, so creating it renders again).
public final class ReadLog: @unchecked Sendable {
  private let lock = NSLock()
  private var reads: [(path: String, digest: String?)] = []

  public init() {}

  /// Reads a data file as ``FileText/read(_:nextTo:within:anywhere:)`` does, and notes it.
  public func read(_ relative: String, nextTo folder: URL, within root: URL, anywhere: Bool)
    throws -> String
  {
    let url =
      relative.hasPrefix("/")
      ? URL(fileURLWithPath: relative) : folder.appendingPathComponent(relative)
    let path = url.standardizedFileURL.path
    do {
      let text = try FileText.read(relative, nextTo: folder, within: root, anywhere: anywhere)
      let digest = Self.digest(text)
      lock.withLock { reads.append((path, digest)) }
      return text
    } catch {
      lock.withLock { reads.append((path, nil)) }
      throw error
    }
  }

  /// The files read, with their texts' hashes.
  public var all: [(path: String, digest: String)] {
    lock.withLock { reads.compactMap { read in read.digest.map { (read.path, $0) } } }
  }

  /// Every file asked for, once each, in the order first asked.
  public var paths: [URL] {
    var seen: Set<String> = []
    return lock.withLock { reads.map(\.path) }.filter { seen.insert($0).inserted }
      .map { URL(fileURLWithPath: $0) }
  }

  static func digest(_ text: String) -> String {
    var hash = StableHash()
    hash.add(text)
    return hash.hex
  }
}
