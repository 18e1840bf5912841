import Figures
import NeuralEngine
import Notebook

/// How the text of an option becomes a typed value, and how the reference describes it.
/// A directive's options are declared with these (``OptionField``); the declarations are
/// the parser, the checker and the documentation at once.
public struct OptionType<Value> {
  /// What the option takes, for the reference: "a number", "one of `a`, `b`".
  public var summary: String
  /// Reads an option's value; a mistake is a ``BlockError`` at the option.
  var read: (DirectiveOption) throws -> Value
  /// Writes a value back as a notebook would (defaults in the reference).
  var show: (Value) -> String

  init(
    _ summary: String, read: @escaping (DirectiveOption) throws -> Value,
    show: @escaping (Value) -> String
  ) {
    self.summary = summary
    self.read = read
    self.show = show
  }
}

extension OptionType where Value == Double {
  /// Any finite number (`0.5`, `−0.3`, `1e-3`, `1/16`).
  static var number: Self {
    number(in: -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude)
  }

  /// A number within bounds.
  static func number(in range: ClosedRange<Double>, summary: String? = nil) -> Self {
    OptionType(summary ?? "a number") { option in
      let value = try option.number()
      guard range.contains(value) else {
        throw BlockError(
          "'\(option.key)' must be \(summary ?? "from \(NumberText.plain(range.lowerBound)) to \(NumberText.plain(range.upperBound))"), not '\(option.value.trimmed)'",
          at: option)
      }
      return value
    } show: {
      NumberText.plain($0)
    }
  }

  /// A number of seconds: positive, at most a day.
  static var seconds: Self {
    number(in: 1e-3...86_400, summary: "a number of seconds from 0.001 to 86400")
  }
}

extension OptionType where Value == Int {
  /// A whole number within bounds.
  static func integer(in range: ClosedRange<Int>) -> Self {
    OptionType("a whole number from \(range.lowerBound) to \(range.upperBound)") {
      try $0.integer(in: range)
    } show: {
      String($0)
    }
  }
}

extension OptionType where Value == UInt64 {
  /// A seed: a whole number ≥ 0.
  static var seed: Self {
    OptionType("a whole number ≥ 0") { option in
      guard let value = UInt64(option.value.trimmed) else {
        throw BlockError(
          "'\(option.key)' must be a whole number ≥ 0, not '\(option.value.trimmed)'", at: option)
      }
      return value
    } show: {
      String($0)
    }
  }
}

extension OptionType where Value == Bool {
  static var boolean: Self {
    OptionType("`true` or `false`") {
      try $0.boolean()
    } show: {
      $0 ? "true" : "false"
    }
  }
}

extension OptionType where Value == String {
  /// The value as written, trimmed.
  static var text: Self {
    OptionType("text") { option in
      option.value.trimmed
    } show: {
      $0
    }
  }

  /// One name (a model, a data set, a part of one).
  static var name: Self {
    OptionType("a name") { option in
      let words = option.words
      guard words.count == 1, let word = words.first else {
        throw BlockError(
          "'\(option.key)' takes one name, not '\(option.value.trimmed)'", at: option)
      }
      return word
    } show: {
      $0
    }
  }
}

extension OptionType where Value == [String] {
  /// Words separated by spaces or commas.
  static var words: Self {
    OptionType("names separated by spaces") {
      $0.words
    } show: {
      $0.joined(separator: " ")
    }
  }

  /// Words from a closed list.
  static func words(from known: [String]) -> Self {
    OptionType("any of " + known.map { "`\($0)`" }.joined(separator: ", ")) { option in
      let words = option.words
      for word in words where !known.contains(word) {
        throw BlockError(
          "unknown '\(word)' in '\(option.key)'", at: option, word: word,
          hint: suggestion(for: word, among: known))
      }
      return words
    } show: {
      $0.joined(separator: " ")
    }
  }
}

extension OptionType where Value == [Double] {
  static var numbers: Self {
    OptionType("numbers separated by spaces") {
      try $0.numbers()
    } show: {
      $0.map { NumberText.plain($0) }.joined(separator: " ")
    }
  }

  /// Exactly two numbers, a range `low high`.
  static var interval: Self {
    OptionType("two numbers, low and high") { option in
      let values = try option.numbers()
      guard values.count == 2, values[0] < values[1] else {
        throw BlockError(
          "'\(option.key)' is two numbers, low then high, e.g. '-6 6'; found '\(option.value.trimmed)'",
          at: option)
      }
      return values
    } show: {
      $0.map { NumberText.plain($0) }.joined(separator: " ")
    }
  }
}

extension OptionType where Value == [[Double]] {
  /// Samples separated by `;` or line breaks, each a list of numbers.
  static var samples: Self {
    OptionType("samples separated by `;` or line breaks, each numbers separated by spaces") {
      option in
      let rows = try option.samples()
      guard !rows.isEmpty else { throw BlockError("'\(option.key)' has no numbers", at: option) }
      return rows
    } show: {
      $0.map { $0.map { NumberText.plain($0) }.joined(separator: " ") }.joined(separator: "; ")
    }
  }
}

extension OptionType where Value == [Assignment] {
  /// `name=number` words.
  static var assignments: Self {
    OptionType("`name=number` pairs") { option in
      try option.assignments().map { Assignment(name: $0.name, value: $0.value) }
    } show: {
      $0.map { "\($0.name)=\(NumberText.plain($0.value))" }.joined(separator: " ")
    }
  }
}

/// `w14=0.2`: a value given to a name.
struct Assignment: Hashable, Sendable {
  var name: String
  var value: Double
}

/// A closed set of words an option chooses from; its cases are listed in the reference.
protocol OptionChoice: CaseIterable, RawRepresentable<String>, Sendable {
  /// Other spellings accepted for a case (`float` for `float32`).
  static var aliases: [String: Self] { get }
}

extension OptionChoice {
  static var aliases: [String: Self] { [:] }
}

extension OptionType where Value: OptionChoice {
  static var choice: Self {
    let names = Value.allCases.map(\.rawValue)
    return OptionType("one of " + names.map { "`\($0)`" }.joined(separator: ", ")) { option in
      let word = option.value.trimmed
      if let value = Value(rawValue: word) ?? Value.aliases[word] { return value }
      throw BlockError(
        "'\(option.key)' is one of \(names.joined(separator: ", ")), not '\(word)'", at: option,
        hint: suggestion(for: word, among: names))
    } show: {
      $0.rawValue
    }
  }
}

extension OptionType where Value == Loss {
  /// A loss by name, with Huber's δ as `huber 1.0` or `huber=1.0`.
  static var loss: Self {
    OptionType("a loss: " + Loss.knownNames.map { "`\($0)`" }.joined(separator: ", ")) { option in
      try LossName.read(option.value.trimmed, option: option)
    } show: {
      $0.name
    }
  }
}

extension OptionType where Value == [Loss] {
  static var losses: Self {
    OptionType("losses separated by spaces (`huber=2` gives Huber's δ)") { option in
      try option.words.map { try LossName.read($0, option: option) }
    } show: {
      $0.map(\.name).joined(separator: " ")
    }
  }
}

/// Reading a loss the same way everywhere: `huber`, `huber=2` or `huber 2` (δ = 2).
enum LossName {
  static func read(_ text: String, option: DirectiveOption) throws -> Loss {
    let parts = text.split(whereSeparator: { $0 == "=" || $0.isWhitespace }).map(String.init)
    guard let name = parts.first else {
      throw BlockError("'\(option.key)' needs a loss", at: option)
    }
    var parameter: Double?
    if parts.count == 2 {
      guard let value = DirectiveOption.parseNumber(parts[1]) else {
        throw BlockError(
          "'\(parts[1])' in '\(option.key)' is not a number", at: option, word: parts[1])
      }
      parameter = value
    }
    guard parts.count <= 2, let loss = Loss(name: name, parameter: parameter) else {
      if parts.count == 2, Loss(name: name) != nil {
        throw BlockError(
          "'\(name)' takes no parameter", at: option, word: text,
          hint: "only huber takes one: huber=1")
      }
      throw BlockError(
        "unknown loss '\(name)'", at: option, word: name,
        hint: suggestion(for: name, among: Loss.knownNames))
    }
    return loss
  }
}

extension OptionType where Value == [Metric] {
  static var metrics: Self {
    OptionType(
      "metrics separated by spaces: "
        + Metric.knownNames.prefix(8).map { "`\($0)`" }.joined(separator: ", ") + ", …"
    ) { option in
      try option.words.map { word in
        guard let metric = Metric(name: word) else {
          throw BlockError(
            "unknown metric '\(word)'", at: option, word: word,
            hint: suggestion(for: word, among: Metric.knownNames))
        }
        return metric
      }
    } show: {
      $0.map(\.name).joined(separator: " ")
    }
  }
}

extension OptionType where Value == [[Double]] {
  /// A grid of numbers: rows separated by `;` or line breaks, all of one length (an image,
  /// a kernel, a gradient over a feature map).
  static var grid: Self {
    OptionType("rows of numbers separated by `;` or line breaks, all of one length") { option in
      let rows = try option.samples()
      guard let width = rows.first?.count, width > 0 else {
        throw BlockError("'\(option.key)' has no numbers", at: option)
      }
      if let (index, row) = rows.enumerated().first(where: { $0.element.count != width }) {
        throw BlockError(
          "row \(index + 1) of '\(option.key)' has \(row.count) numbers but row 1 has \(width)",
          at: option, hint: "a grid's rows all have the same length")
      }
      return rows
    } show: {
      $0.map { $0.map { NumberText.plain($0) }.joined(separator: " ") }.joined(separator: "; ")
    }
  }
}

extension OptionType where Value == Activation {
  /// One activation function with a curve of one variable.
  static var curve: Self {
    OptionType("an activation name") { option in
      let functions = try OptionType<[Activation]>.curves.read(option)
      guard functions.count == 1, let function = functions.first else {
        throw BlockError(
          "'\(option.key)' is one activation, e.g. 'relu'; found '\(option.value.trimmed)'",
          at: option)
      }
      return function
    } show: {
      $0.name
    }
  }
}
