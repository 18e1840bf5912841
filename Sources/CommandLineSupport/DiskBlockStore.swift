import Foundation
import Runner

/// The block cache on disk: one file per block under `FOLDER/blocks/`, named by its key.
///
/// Each file is a header line `nbrun-block 1 LENGTH HASH` and the entry's bytes; an entry
/// whose length or 128-bit hash does not match (a truncated write, a damaged disk, an
/// edit by hand) reads as absent, so its block runs again and the file is rewritten.
/// Files are written to a temporary name and renamed, so a reader never sees half of one.
public struct DiskBlockStore: BlockStore {
  public let folder: URL

  /// A store in `folder/kind` (`blocks` for the block cache).
  public init(folder: URL, kind: String = "blocks") {
    self.folder = folder.appendingPathComponent(kind)
  }

  private static let magic = "nbrun-block 1"

  public func load(_ key: String) -> Data? {
    guard Self.isKey(key),
      let data = try? Data(contentsOf: folder.appendingPathComponent(key)),
      let newline = data.firstIndex(of: 0x0A), newline - data.startIndex < 128
    else { return nil }
    let header = String(decoding: data[data.startIndex..<newline], as: UTF8.self)
      .split(separator: " ")
    let payload = data[(newline + 1)...]
    guard header.count == 4, "\(header[0]) \(header[1])" == Self.magic,
      Int(header[2]) == payload.count, String(header[3]) == Self.hash(payload)
    else { return nil }
    return Data(payload)
  }

  /// The first of the cache folder and its stores (`blocks`, `katex`) that is a symbolic
  /// link, if one is: nbrun never writes through a link, so such a cache is not used.
  public static func link(in cacheFolder: URL) -> URL? {
    [
      cacheFolder, cacheFolder.appendingPathComponent("blocks"),
      cacheFolder.appendingPathComponent("katex"),
    ].first(where: HandoutFiles.isLink)
  }

  public func save(_ data: Data, for key: String) {
    guard Self.isKey(key), !HandoutFiles.isLink(folder),
      !HandoutFiles.isLink(folder.deletingLastPathComponent())
    else { return }
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    var file = Data("\(Self.magic) \(data.count) \(Self.hash(data))\n".utf8)
    file.append(data)
    let target = folder.appendingPathComponent(key)
    let temporary = folder.appendingPathComponent(".\(key).\(getpid()).tmp")
    do {
      // Not through a link (O_NOFOLLOW); the rename replaces a link at the key's name, it
      // does not follow it.
      try HandoutFiles.create(temporary, Array(file), shownAs: temporary.path)
      guard rename(temporary.path, target.path) == 0 else {
        try? FileManager.default.removeItem(at: temporary)
        return
      }
    } catch {
      try? FileManager.default.removeItem(at: temporary)
    }
  }

  /// A key is 32 hexadecimal digits (so no key names a path outside the folder).
  static func isKey(_ key: String) -> Bool {
    key.utf8.count == 32
      && key.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
  }

  static func hash(_ bytes: Data) -> String {
    var hasher = StableHash()
    hasher.add(bytes: bytes)
    return hasher.hex
  }
}
