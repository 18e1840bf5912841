import Foundation
import NeuralEngine
import Notebook

/// Where a run keeps its blocks' results between runs: the command line's is a folder
/// (`.nbrun-cache/blocks/`). An entry is opaque bytes under a key; the store frames and
/// checks them, so a damaged entry reads as absent.
public protocol BlockStore: Sendable {
  func load(_ key: String) -> Data?
  func save(_ data: Data, for key: String)
}

/// A run's block cache: the store, and what identifies the program that fills it.
public struct BlockCache: Sendable {
  public var store: any BlockStore
  /// nbrun's version and build: a new build never reads an older one's results.
  public var salt: String

  public init(store: any BlockStore, salt: String) {
    self.store = store
    self.salt = salt
  }
}

/// What one block did, as the cache keeps it: its results, the files it read (with a hash
/// of what they held), and every change it made to the namespace.
struct CachedBlock: Codable {
  struct FileStamp: Codable, Equatable {
    var path: String
    var hash: String
  }

  var key: String
  var files: [FileStamp]
  var items: [ResultItem]
  var change: NamespaceChange
}

/// The part of the namespace one block changed: entries it added or replaced, and the
/// values it defined (stamped with the block that defined them when restored).
struct NamespaceChange: Codable {
  var entries: [Namespace.Key: Namespace.Entry] = [:]
  var exerciseCount = 0
  var values = ValueStore.Change()

  /// What changed between `before` and `after` (the namespace once the block ran), with
  /// the values the block defined.
  init(from before: Namespace.Snapshot, to after: Namespace, values: ValueStore.Change) {
    entries = after.entries.filter { before[$0.key] != $0.value }
    exerciseCount = after.exerciseCount
    self.values = values
  }

  /// Makes the same change again, the values stamped as defined by `definer`.
  func apply(to namespace: Namespace, definer: Definer) {
    namespace.entries.merge(entries) { $1 }
    namespace.exerciseCount = exerciseCount
    namespace.values.apply(values, by: definer)
  }
}

extension Namespace {
  /// The namespace's entries as they were before a block ran (copies share storage).
  typealias Snapshot = [Key: Entry]

  var snapshot: Snapshot { entries }
}

/// Cache keys: what a block's results depend on, hashed.
///
/// A block's key covers nbrun's build, the front matter, the block's own text (fence,
/// options and body), its place among the exercises, and the *settled* keys of every
/// earlier block that defines a name it reads or mentions (a model, a data set, a result's
/// owner). A block's settled key is its key with the contents of the files it read (the
/// CSV of a `data` block), known once it has run or its entry has been checked. A changed
/// block or data file therefore changes the key of everything downstream of it, and
/// nothing else. Keys are made as the run reaches each block (``key(of:settled:)``).
struct BlockKeys {
  /// Per block: the hash of its own text and place.
  private var own: [String] = []
  /// Per block: the names it reads or mentions, each with the earlier blocks defining it.
  private var dependencies: [[(name: String, block: Int)]] = []

  init(plans: [Plan], document: Document, salt: String) {
    var matter = ""
    if let range = document.frontMatter.lines {
      matter = range.compactMap {
        document.lines.indices.contains($0 - 1) ? document.lines[$0 - 1] : nil
      }
      .joined(separator: "\n")
    }
    var definers: [String: [Int]] = [:]
    var exercises = 0
    for plan in plans {
      var hasher = StableHash()
      hasher.add("nbrun block cache 1")
      hasher.add(salt)
      hasher.add(matter)
      let lines = plan.block.range.lines.compactMap {
        document.lines.indices.contains($0 - 1) ? document.lines[$0 - 1] : nil
      }
      hasher.add(lines.joined(separator: "\n"))
      hasher.add("exercise \(exercises)")
      if plan.block.kind == .exercise { exercises += 1 }
      own.append(hasher.hex)
      let mentioned = Set(plan.reads).union(Self.words(in: lines))
      dependencies.append(
        mentioned.sorted().flatMap { name in (definers[name] ?? []).map { (name, $0) } })
      for name in plan.defines { definers[name, default: []].append(plan.index) }
    }
  }

  /// The key of block `index`, given the settled keys of the blocks before it.
  func key(of index: Int, settled: [String]) -> String {
    var hasher = StableHash()
    hasher.add(own[index])
    for (name, block) in dependencies[index] {
      hasher.add(name)
      hasher.add(settled.indices.contains(block) ? settled[block] : "unsettled")
    }
    return hasher.hex
  }

  /// A block's settled key: its key and the files it read, with what they held.
  static func settled(_ key: String, files: [CachedBlock.FileStamp]) -> String {
    var hasher = StableHash()
    hasher.add(key)
    for file in files {
      hasher.add(file.path)
      hasher.add(file.hash)
    }
    return hasher.hex
  }

  /// The identifier-like words of a block's lines: every name it could refer to.
  static func words(in lines: [String]) -> Set<String> {
    var words: Set<String> = []
    for line in lines {
      var current = ""
      for character in line {
        if character.isLetter || character.isNumber || character == "_" {
          current.append(character)
        } else {
          if !current.isEmpty { words.insert(current) }
          current = ""
        }
      }
      if !current.isEmpty { words.insert(current) }
    }
    return words
  }
}

/// A 128-bit FNV-1a hash, the same on every machine and run (Swift's `Hasher` is seeded
/// per process): cache keys, and the check of a cache entry's bytes.
public struct StableHash: Sendable {
  private var high: UInt64 = 0x6c62_272e_07bb_0142
  private var low: UInt64 = 0x62b8_2175_6295_c58d

  public init() {}

  public mutating func add(_ text: String) {
    add(bytes: text.utf8)
    add(bytes: [0xFF])  // a separator no UTF-8 text holds
  }

  public mutating func add<Bytes: Sequence>(bytes: Bytes) where Bytes.Element == UInt8 {
    let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
      add(UnsafeRawBufferPointer(buffer))
    }
    if done == nil {
      let copy = Array(bytes)
      copy.withUnsafeBytes { add($0) }
    }
  }

  /// The 128-bit FNV prime is 2^88 + 0x13B: one step is a 64×64 product and a shift.
  private mutating func add(_ buffer: UnsafeRawBufferPointer) {
    var (high, low) = (self.high, self.low)
    for byte in buffer {
      low ^= UInt64(byte)
      let (productHigh, productLow) = low.multipliedFullWidth(by: 0x13B)
      high = high &* 0x13B &+ productHigh &+ (low << 24)
      low = productLow
    }
    (self.high, self.low) = (high, low)
  }

  /// 32 hexadecimal digits.
  public var hex: String {
    [high, low].map { word in
      let digits = String(word, radix: 16)
      return String(repeating: "0", count: 16 - digits.count) + digits
    }.joined()
  }
}

/// The files a block read while it ran, with a hash of each one's text.
final class FileReads: @unchecked Sendable {
  private let lock = NSLock()
  private var stamps: [CachedBlock.FileStamp] = []

  func record(_ path: String, _ text: String) {
    var hasher = StableHash()
    hasher.add(text)
    let stamp = CachedBlock.FileStamp(path: path, hash: hasher.hex)
    lock.withLock { if !stamps.contains(stamp) { stamps.append(stamp) } }
  }

  var all: [CachedBlock.FileStamp] { lock.withLock { stamps } }
}

extension BlockCache {
  /// The entry stored for a key, if it is whole, was made for this key, and every file it
  /// read still holds what it held then.
  func entry(_ key: String, readFile: (@Sendable (String) throws -> String)?) -> CachedBlock? {
    guard let data = store.load(key),
      let entry = try? JSONDecoder.cache.decode(CachedBlock.self, from: data),
      entry.key == key
    else { return nil }
    for file in entry.files {
      guard let readFile, let text = try? readFile(file.path) else { return nil }
      var hasher = StableHash()
      hasher.add(text)
      guard hasher.hex == file.hash else { return nil }
    }
    return entry
  }

  func save(_ entry: CachedBlock) {
    guard let data = try? JSONEncoder.cache.encode(entry) else { return }
    store.save(data, for: entry.key)
  }
}

extension JSONEncoder {
  /// Non-finite numbers (a diverged run's loss) are written as words.
  static var cache: JSONEncoder {
    let encoder = JSONEncoder()
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return encoder
  }
}

extension JSONDecoder {
  static var cache: JSONDecoder {
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return decoder
  }
}
