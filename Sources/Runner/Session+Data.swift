import NeuralEngine
import Notebook

extension Session {
  /// ```data NAME```: a data set from inline rows, a CSV file, the digits or a generator.
  func runData(_ block: DirectiveBlock, _ context: BlockContext) throws -> [ResultItem] {
    guard let name = block.name else { return [] }
    var dataset = try load(block, context)
    if let option = block.option("onehot"), try option.boolean() {
      dataset = try atOption(option) { try dataset.oneHotTargets() }
    }
    var parts: [(String, Dataset)] = [(name, dataset)]
    if let option = block.option("split") {
      let fractions = try splitFractions(option)
      let (train, validation, test) = try atOption(option) {
        try dataset.split(
          validation: fractions["validation"] ?? 0, test: fractions["test"] ?? 0, shuffle: true,
          seed: context.seed)
      }
      parts += [("\(name).train", train)]
      if validation.count > 0 { parts.append(("\(name).validation", validation)) }
      if test.count > 0 { parts.append(("\(name).test", test)) }
    }
    if let option = block.option("scale") {
      // Fitted on the training part when there is one, then applied to every part.
      let basis = parts.first { $0.0 == "\(name).train" }?.1 ?? dataset
      let scale = try scaling(option, basis: basis.features)
      parts = try parts.map { part, data in
        var scaled = data
        scaled.features = try atOption(option) { try scale(data.features) }
        return (part, scaled)
      }
    }
    for (part, data) in parts { datasets[part] = data }
    guard let full = parts.first?.1 else { return [] }
    let classes = full.classNames?.count
    store(
      [
        "samples": .number(Double(full.count)), "features": .number(Double(full.features.columns)),
        "classes": .number(Double(classes ?? 0)),
      ].merging(
        parts.dropFirst().map {
          ("\($0.0.dropFirst(name.count + 1)).samples", Value.number(Double($0.1.count)))
        }
      ) { a, _ in a },
      under: name)
    guard context.showsResults else { return [] }
    let count = try block.option("preview").map { try $0.integer(in: 0...100) } ?? 5
    let features = full.features.columns
    var summary = "\(name): \(full.count) samples × \(features) feature\(features == 1 ? "" : "s")"
    if let classes { summary += ", \(classes) classes" }
    if parts.count > 1 {
      summary +=
        "; "
        + parts.dropFirst().map { "\($0.0.dropFirst(name.count + 1)) \($0.1.count)" }.joined(
          separator: ", ")
    }
    var items: [ResultItem] = [.note(summary + ".")]
    if count > 0 { items.append(.table(preview(full, rows: count, context: context))) }
    return items
  }

  private func load(_ block: DirectiveBlock, _ context: BlockContext) throws -> Dataset {
    let columns = block.option("columns")?.words
    if let rows = block.option("rows") {
      let samples = try rows.samples()
      guard let width = samples.first?.count, width > 0 else {
        throw BlockError("'rows' has no numbers", at: rows)
      }
      if let bad = samples.firstIndex(where: { $0.count != width }) {
        throw BlockError(
          "row \(bad + 1) has \(samples[bad].count) numbers but row 1 has \(width)", at: rows)
      }
      if let columns, columns.count != width {
        throw BlockError(
          "\(columns.count) column names for rows of \(width) numbers", at: block.option("columns"))
      }
      let table = try Matrix<Double>(samples)
      return try split(table, names: columns ?? (1...width).map { "x\($0)" }, block: block)
    }
    guard let option = block.option("source") else {
      throw BlockError(
        "a data block needs 'source' or 'rows'", at: nil,
        hint: "e.g. 'source: xor', 'source: digits', or 'rows:' with one sample per line")
    }
    let source = option.value.trimmed
    let seed = context.seed
    func count(_ key: String, _ fallback: Int) throws -> Int {
      try block.option(key).map { try $0.integer(in: 1...1_000_000) } ?? fallback
    }
    func real(_ key: String, _ fallback: Double) throws -> Double {
      try block.option(key).map { try $0.number() } ?? fallback
    }
    if source.lowercased().hasSuffix(".csv") {
      let text: String
      do {
        guard let readFile = options.readFile else {
          throw BlockError("this run reads no files")
        }
        text = try readFile(source)
      } catch {
        throw BlockError(
          "cannot read '\(source)': \(error)", at: option,
          hint: "CSV paths are relative to the notebook's folder")
      }
      let hasHeader =
        try block.option("header").map { try $0.boolean() } ?? Self.looksLikeHeader(text)
      let table: CSVTable
      do {
        table = try CSVTable(parsing: text, hasHeader: hasHeader)
      } catch let error as EngineError {
        throw BlockError("\(source): \(error.description)", at: option)
      }
      let numbers = try atOption(option) { try table.numbers() }
      let names = columns ?? table.header ?? (1...max(1, numbers.columns)).map { "x\($0)" }
      return try split(numbers, names: names, block: block)
    }
    return try atOption(option) {
      switch source.lowercased() {
      case "digits": return Datasets.digits()
      case "xor", "and", "or", "nand", "nor":
        return Datasets.truthTable(BooleanFunction(rawValue: source.lowercased()) ?? .xor)
      case "moons":
        return try Datasets.twoMoons(
          samples: count("samples", 200), noise: real("noise", 0.1), seed: seed)
      case "circles":
        return try Datasets.circles(
          samples: count("samples", 200), noise: real("noise", 0.05), factor: real("factor", 0.5),
          seed: seed)
      case "spirals":
        return try Datasets.spirals(
          samples: count("samples", 300), classes: count("classes", 3), noise: real("noise", 0.2),
          seed: seed)
      case "blobs":
        return try Datasets.blobs(
          samples: count("samples", 200), centers: count("centers", 3),
          standardDeviation: real("noise", 1), seed: seed)
      case "sine":
        return try Datasets.noisySine(
          samples: count("samples", 100), noise: real("noise", 0.1), seed: seed)
      default:
        throw BlockError(
          "unknown data source '\(source)'", at: option,
          hint: suggestion(for: source, among: Self.sources))
      }
    }
  }

  static let sources = [
    "digits", "xor", "and", "or", "nand", "nor", "moons", "circles", "spirals", "blobs", "sine",
  ]

  /// Splits a table into features and the target column(s).
  private func split(_ table: Matrix<Double>, names: [String], block: DirectiveBlock) throws
    -> Dataset
  {
    guard names.count == table.columns else {
      throw BlockError(
        "\(names.count) column names for \(table.columns) columns", at: block.option("columns"))
    }
    var target = table.columns - 1
    if let option = block.option("target") {
      let wanted = option.value.trimmed
      if let index = names.firstIndex(of: wanted) {
        target = index
      } else if let number = Int(wanted), (1...table.columns).contains(number) {
        target = number - 1
      } else {
        throw BlockError(
          "no column '\(wanted)'", at: option, hint: suggestion(for: wanted, among: names))
      }
    }
    guard table.columns >= 2 else {
      throw BlockError(
        "a data set needs at least one feature column and a target column", at: block.option("rows")
      )
    }
    let featureColumns = (0..<table.columns).filter { $0 != target }
    let targets = try table.selectingColumns([target])
    let isClasses = targets.elements.allSatisfy { $0 >= 0 && $0 == $0.rounded() && $0 < 1000 }
    let classes = isClasses ? Int(targets.elements.max() ?? 0) + 1 : 0
    return try Dataset(
      features: table.selectingColumns(featureColumns), targets: targets,
      featureNames: featureColumns.map { names[$0] }, targetNames: [names[target]],
      classNames: isClasses && classes <= 50 && classes >= 2 ? (0..<classes).map(String.init) : nil)
  }

  private func splitFractions(_ option: DirectiveOption) throws -> [String: Double] {
    let words = option.words
    guard words.count % 2 == 0, !words.isEmpty else {
      throw BlockError("expected 'train 0.7 validation 0.15 test 0.15' in 'split'", at: option)
    }
    var fractions: [String: Double] = [:]
    for pair in stride(from: 0, to: words.count, by: 2) {
      let part = words[pair]
      guard ["train", "validation", "test"].contains(part) else {
        throw BlockError(
          "unknown part '\(part)' in 'split'", at: option,
          hint: suggestion(for: part, among: ["train", "validation", "test"]))
      }
      guard let fraction = DirectiveOption.parseNumber(words[pair + 1]), fraction >= 0, fraction < 1
      else {
        throw BlockError("'\(words[pair + 1])' is not a fraction between 0 and 1", at: option)
      }
      fractions[part] = fraction
    }
    let total = fractions.values.reduce(0, +)
    if fractions["train"] != nil, abs(total - 1) > 1e-9 {
      throw BlockError("the split's fractions add up to \(total), not 1", at: option)
    }
    return fractions
  }

  private func scaling(_ option: DirectiveOption, basis: Matrix<Double>) throws -> (Matrix<Double>)
    throws -> Matrix<Double>
  {
    switch option.value.trimmed {
    case "standard":
      let scaler = try atOption(option) { try Scaler(fitting: basis, kind: .standard) }
      return scaler.transform
    case "minmax":
      let scaler = try atOption(option) {
        try Scaler(fitting: basis, kind: .minMax(low: 0, high: 1))
      }
      return scaler.transform
    case "max":
      let top = basis.maxMagnitude()
      guard top > 0 else { throw BlockError("every value is 0: nothing to scale by", at: option) }
      return { $0.scaled(by: 1 / top) }
    default:
      throw BlockError(
        "unknown scaling '\(option.value)'", at: option,
        hint: suggestion(for: option.value.trimmed, among: ["standard", "minmax", "max"]))
    }
  }

  private func preview(_ data: Dataset, rows count: Int, context: BlockContext) -> Table {
    let shown = min(8, data.features.columns)
    let hidden = data.features.columns > shown
    var header = Array(data.featureNames.prefix(shown))
    if hidden { header.append("…") }
    header += data.targetNames
    let rows = (0..<min(count, data.count)).map { r -> [Cell] in
      var cells = (0..<shown).map {
        Cell.number(data.features[r, $0], decimals: Self.decimals(data.features, context))
      }
      if hidden { cells.append(.text("…")) }
      cells += (0..<data.targets.columns).map {
        Cell.number(data.targets[r, $0], decimals: Self.decimals(data.targets, context))
      }
      return cells
    }
    return Table(caption: context.caption, header: header, rows: rows, precision: context.precision)
  }

  /// Whole numbers are shown without decimals; others with the block's precision.
  static func decimals(_ matrix: Matrix<Double>, _ context: BlockContext) -> Int {
    matrix.elements.allSatisfy { $0 == $0.rounded() } ? 0 : context.precision
  }

  static func looksLikeHeader(_ text: String) -> Bool {
    guard let first = text.split(separator: "\n").first else { return false }
    return first.split(separator: ",").contains { DirectiveOption.parseNumber(String($0)) == nil }
  }

  /// Runs engine code, turning its errors into errors at an option.
  func atOption<T>(_ option: DirectiveOption?, _ body: () throws -> T) throws -> T {
    do {
      return try body()
    } catch let error as EngineError {
      throw BlockError(error.description, at: option)
    }
  }

  /// A data set by name (`digits`, `digits.train`), or an error with a suggestion.
  func dataset(_ option: DirectiveOption) throws -> Dataset {
    let name = option.value.trimmed
    guard let data = datasets[name] else {
      throw BlockError(
        "no data set '\(name)' is defined above", at: option,
        hint: suggestion(for: name, among: datasets.keys.sorted()))
    }
    return data
  }
}
