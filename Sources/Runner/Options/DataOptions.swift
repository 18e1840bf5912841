import Figures
import NeuralEngine
import Notebook

/// Where a data set comes from: a built-in or generated set, or a CSV file.
enum DataSource: Hashable {
  case generated(GeneratedSet)
  case csv(String)
}

/// The built-in and generated sets.
enum GeneratedSet: String, CaseIterable {
  case digits, xor, and, or, nand, nor, moons, circles, spirals, blobs, sine, recall

  func make(_ options: DataDirective, seed: UInt64) throws -> Dataset {
    let samples = options.samples
    let noise = options.noise
    switch self {
    case .digits: return Datasets.digits()
    case .xor, .and, .or, .nand, .nor:
      return Datasets.truthTable(BooleanFunction(rawValue: rawValue) ?? .xor)
    case .moons:
      return try Datasets.twoMoons(samples: samples ?? 200, noise: noise ?? 0.1, seed: seed)
    case .circles:
      return try Datasets.circles(
        samples: samples ?? 200, noise: noise ?? 0.05, factor: options.factor, seed: seed)
    case .spirals:
      return try Datasets.spirals(
        samples: samples ?? 300, classes: options.classes, noise: noise ?? 0.2, seed: seed)
    case .blobs:
      return try Datasets.blobs(
        samples: samples ?? 200, centers: options.centers, standardDeviation: noise ?? 1,
        seed: seed)
    case .sine:
      return try Datasets.noisySine(samples: samples ?? 100, noise: noise ?? 0.1, seed: seed)
    case .recall:
      return try Datasets.recall(samples: samples ?? 200, steps: options.steps, seed: seed)
    }
  }
}

extension OptionType where Value == DataSource {
  static var dataSource: Self {
    let names = GeneratedSet.allCases.map(\.rawValue)
    return OptionType(
      names.map { "`\($0)`" }.joined(separator: ", ") + ", or a `.csv` file's path"
    ) { option in
      let text = option.value.trimmed
      if text.lowercased().hasSuffix(".csv") { return .csv(text) }
      guard let set = GeneratedSet(rawValue: text.lowercased()) else {
        throw BlockError(
          "unknown data source '\(text)'", at: option, hint: suggestion(for: text, among: names))
      }
      return .generated(set)
    } show: { source in
      switch source {
      case .generated(let set): set.rawValue
      case .csv(let path): path
      }
    }
  }
}

/// `split: train 0.7 validation 0.15 test 0.15`.
struct SplitFractions: Hashable {
  var validation: Double
  var test: Double
}

extension OptionType where Value == SplitFractions {
  static var split: Self {
    OptionType("`train`, `validation` and `test`, each with a fraction") { option in
      let words = option.words
      guard words.count % 2 == 0, !words.isEmpty else {
        throw BlockError("expected 'train 0.7 validation 0.15 test 0.15' in 'split'", at: option)
      }
      var fractions: [String: Double] = [:]
      for pair in stride(from: 0, to: words.count, by: 2) {
        let part = words[pair]
        guard ["train", "validation", "test"].contains(part) else {
          throw BlockError(
            "unknown part '\(part)' in 'split'", at: option, word: part,
            hint: suggestion(for: part, among: ["train", "validation", "test"]))
        }
        guard let fraction = DirectiveOption.parseNumber(words[pair + 1]), fraction >= 0,
          fraction < 1
        else {
          throw BlockError("'\(words[pair + 1])' is not a fraction between 0 and 1", at: option)
        }
        fractions[part] = fraction
      }
      let total = fractions.values.reduce(0, +)
      if fractions["train"] != nil, abs(total - 1) > 1e-9 {
        throw BlockError(
          "the split's fractions add up to \(NumberText.plain(total)), not 1", at: option)
      }
      return SplitFractions(validation: fractions["validation"] ?? 0, test: fractions["test"] ?? 0)
    } show: {
      "validation \(NumberText.plain($0.validation)) test \(NumberText.plain($0.test))"
    }
  }
}

/// How features are scaled.
enum Scaling: String, OptionChoice {
  case standard, minmax, max

  /// The scaling fitted on a basis, to apply to every part.
  func transform(fittedOn basis: Matrix<Double>, at option: DirectiveOption?) throws -> (
    Matrix<Double>
  ) throws -> Matrix<Double> {
    switch self {
    case .standard:
      let scaler = try atOption(option) { try Scaler(fitting: basis, kind: .standard) }
      return scaler.transform
    case .minmax:
      let scaler = try atOption(option) {
        try Scaler(fitting: basis, kind: .minMax(low: 0, high: 1))
      }
      return scaler.transform
    case .max:
      let top = basis.maxMagnitude()
      guard top > 0 else { throw BlockError("every value is 0: nothing to scale by", at: option) }
      return { $0.scaled(by: 1 / top) }
    }
  }
}
