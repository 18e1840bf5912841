import Spelling

/// A data set as a block names it: a `data` block's name, and one part of its split
/// (`digits.train`). Read once from the option's text; what depends on the data set asks
/// for ``owner``, and the namespace is searched by the reference, so no code splits the
/// name on ".".
struct DataReference: Hashable, Codable, Sendable, CustomStringConvertible {
  /// The parts `split:` makes.
  enum Part: String, CaseIterable, Codable, Sendable {
    case train, validation, test
  }

  /// The `data` block that made the set.
  var owner: String
  /// One part of its split, or the whole set.
  var part: Part?

  init(owner: String, part: Part? = nil) {
    self.owner = owner
    self.part = part
  }

  /// The name as a notebook writes it: `digits`, `digits.train`.
  var description: String { part.map { "\(owner).\($0.rawValue)" } ?? owner }
}

extension OptionType where Value == DataReference {
  /// `data: digits` or `data: digits.test`.
  static var dataset: Self {
    OptionType("a data set's name (`NAME`, or `NAME.train`, `NAME.validation`, `NAME.test`)") {
      option in
      let name = try OptionType<String>.name.read(option)
      guard let dot = name.firstIndex(of: "."), dot != name.startIndex else {
        return DataReference(owner: name)
      }
      let word = String(name[name.index(after: dot)...])
      guard let part = DataReference.Part(rawValue: word) else {
        let parts = DataReference.Part.allCases.map(\.rawValue)
        throw BlockError(
          "'\(word)' is not a part of a data set: a split makes \(parts.joined(separator: ", "))",
          at: option, word: word, hint: suggestion(for: word, among: parts))
      }
      return DataReference(owner: String(name[..<dot]), part: part)
    } show: {
      $0.description
    }
  }
}
