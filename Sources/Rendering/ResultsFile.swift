import Foundation
import Notebook
import Runner

/// The numbers a run computed, kept beside its handout (`NAME_files/results.json`) so that
/// `--check` compares values before bytes: "lecture2.md:151: hk.new_w46 was -0.2610 in the
/// committed handout, is -0.2620 now" says what moved and where, where a byte difference
/// in a table says only that something did.
///
/// One entry a line, sorted by line and name, numbers in their shortest round-trip form:
/// the same run gives the same bytes, and a change shows in `git diff` as the lines of the
/// values that moved. Every result and every state a block defined is there (a state once
/// per change, at the block that changed it); whole networks and per-epoch histories are
/// not. The student build has none: it would hold the answers.
public enum ResultsFile {
  /// One value: where it was defined, its name, and the value.
  public struct Entry: Hashable, Sendable {
    public var line: Int
    public var block: String
    public var key: String
    public var value: Value
  }

  /// The file's name inside the figures folder.
  public static let name = "results.json"

  /// The entries of a run, in order.
  public static func entries(_ result: RunResult) -> [Entry] {
    result.values.definitions.map {
      Entry(
        line: $0.definer.line, block: $0.definer.title, key: $0.key.description, value: $0.value)
    }.sorted { ($0.line, $0.key, text($0.value)) < ($1.line, $1.key, text($1.value)) }
  }

  /// The file's text.
  public static func json(_ result: RunResult) -> String {
    let lines = entries(result).map { entry in
      "    {\"line\": \(entry.line), \"block\": \(quoted(entry.block)), \"key\": \(quoted(entry.key)), \"value\": \(text(entry.value))}"
    }
    return "{\n  \"nbrun-results\": 1,\n  \"values\": [\n" + lines.joined(separator: ",\n")
      + (lines.isEmpty ? "" : "\n") + "  ]\n}\n"
  }

  /// The entries of a file this type wrote; `nil` when it is not one.
  public static func parse(_ text: String) -> [Entry]? {
    struct File: Decodable {
      var version: Int
      var values: [Item]
      enum CodingKeys: String, CodingKey {
        case version = "nbrun-results"
        case values
      }
    }
    struct Item: Decodable {
      var line: Int
      var block: String
      var key: String
      var value: Value

      enum CodingKeys: String, CodingKey { case line, block, key, value }

      init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        line = try container.decode(Int.self, forKey: .line)
        block = try container.decode(String.self, forKey: .block)
        key = try container.decode(String.self, forKey: .key)
        if let flag = try? container.decode(Bool.self, forKey: .value) {
          value = .bool(flag)
        } else if let number = try? container.decode(Double.self, forKey: .value) {
          value = .number(number)
        } else {
          let word = try container.decode(String.self, forKey: .value)
          value =
            ["inf": .number(.infinity), "-inf": .number(-.infinity), "nan": .number(.nan)][word]
            ?? .text(word)
        }
      }
    }
    guard let file = try? JSONDecoder().decode(File.self, from: Data(text.utf8)),
      file.version == 1
    else { return nil }
    return file.values.map { Entry(line: $0.line, block: $0.block, key: $0.key, value: $0.value) }
  }

  /// What changed between the committed entries and the run's, one sentence each, located
  /// at the notebook line of the block that defines the value: values that moved first,
  /// then values that appeared or went away.
  public static func differences(committed: [Entry], now: [Entry], notebook path: String)
    -> [String]
  {
    func index(_ entries: [Entry]) -> [String: [Entry]] {
      Dictionary(grouping: entries) { "\($0.line) \($0.key)" }
    }
    let before = index(committed)
    let after = index(now)
    var moved: [(Int, String)] = []
    var other: [(Int, String)] = []
    for (place, entries) in after {
      guard let old = before[place] else {
        for entry in entries {
          other.append(
            (
              entry.line,
              "\(path):\(entry.line): \(entry.key) is new: \(text(entry.value)) (\(entry.block))"
            ))
        }
        continue
      }
      let was = Set(old.map { text($0.value) })
      let nowValues = Set(entries.map { text($0.value) })
      guard was != nowValues, let entry = entries.first else { continue }
      let (a, b) = shown(old.first?.value, entry.value)
      moved.append(
        (
          entry.line,
          "\(path):\(entry.line): \(entry.key) was \(a) in the committed handout, is \(b) now"
        ))
    }
    for (place, entries) in before where after[place] == nil {
      for entry in entries {
        other.append(
          (
            entry.line,
            "\(path):\(entry.line): \(entry.key) (\(text(entry.value))) is no longer computed"
          ))
      }
    }
    return (moved.sorted { $0 < $1 } + other.sorted { $0 < $1 }).map(\.1)
  }

  /// Two numbers with as few decimals as tell them apart (at least four); other values as
  /// they are.
  static func shown(_ old: Value?, _ new: Value) -> (String, String) {
    guard case .number(let a)? = old, case .number(let b) = new, a.isFinite, b.isFinite else {
      return (old.map(text) ?? "nothing", text(new))
    }
    for decimals in 4...17 {
      let x = String(format: "%.\(decimals)f", a)
      let y = String(format: "%.\(decimals)f", b)
      if x != y { return (x, y) }
    }
    return (text(.number(a)), text(.number(b)))
  }

  /// A value as the file writes it: a number in its shortest round-trip form (infinities
  /// and NaN as strings, which JSON has no numbers for), a flag, or quoted text.
  static func text(_ value: Value) -> String {
    switch value {
    case .number(let x):
      if x.isNaN { return "\"nan\"" }
      if x.isInfinite { return x > 0 ? "\"inf\"" : "\"-inf\"" }
      return x == 0 ? "0" : "\(x)"
    case .bool(let flag): return flag ? "true" : "false"
    case .text(let words): return quoted(words)
    }
  }
}
