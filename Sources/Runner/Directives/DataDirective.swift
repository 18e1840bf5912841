import NeuralEngine
import Notebook

/// ```data NAME```: a data set from inline rows, a CSV file, the digits or a generator.
struct DataDirective: Directive {
  var source: DataSource?
  var columns: [String]?
  var rows: [[Double]]?
  var target: String?
  var header: Bool?
  var samples: Int?
  var noise: Double?
  var classes = 3
  var centers = 3
  var factor = 0.5
  var steps = 6
  var split: SplitFractions?
  var scale: Scaling?
  var onehot = false
  var preview = 5

  static let kind = DirectiveKind.data
  static let syntax: DirectiveSyntax = .options(name: .required("the data set it defines"))
  /// Made again on every run: the digits split and scaled take milliseconds, where their
  /// cache entry (the sets' bytes, 2.9 MB of JSON) took longer to write and to read back.
  static let cached = false

  /// The model or data set it names, which it makes or changes.
  func changes(_ block: DirectiveBlock) -> [String] { block.name.map { [$0] } ?? [] }
  static let summary =
    "a data set: inline rows, a CSV file, the digits, or a generated set; splits, scaling, one-hot"
  static let storedValues =
    "`samples`, `features`, `classes`, and `train.samples` etc. for each part"

  static var fields: [OptionField<Self>] {
    [
      .option(
        "source", \.source, .dataSource,
        "a built-in or generated set, or a CSV file next to the notebook", example: "source: moons"),
      .option(
        "columns", \.columns, .words, "names of the inline table's columns (or of a CSV file's)",
        example: "columns: x y", default: "x1, x2, … (a CSV file's header when it has one)"),
      .option(
        "rows", \.rows, .samples,
        "an inline table: one sample per indented line, numbers separated by spaces",
        example: "rows:\n  0.5 0.2\n  2.5 0.9"),
      .option(
        "target", \.target, .name, "the target column, by name or 1-based number",
        example: "target: y", default: "the last column"),
      .option(
        "header", \.header, .boolean, "whether a CSV file's first line names the columns",
        example: "header: true", default: "guessed from the first line"),
      .option(
        "samples", \.samples, .integer(in: 1...1_000_000), "how many samples a generated set has",
        example: "samples: 200", default: "200 (spirals 300, sine 100)"),
      .option(
        "noise", \.noise, .number(in: 0...1e6, summary: "a number from 0 to 1000000"),
        "a generated set's noise (standard deviation)", example: "noise: 0.1",
        default: "moons 0.1, circles 0.05, spirals 0.2, blobs 1, sine 0.1"),
      .option(
        "classes", \.classes, .integer(in: 2...50), "the number of spiral arms",
        example: "classes: 3"),
      .option(
        "centers", \.centers, .integer(in: 1...50), "the number of Gaussian blobs",
        example: "centers: 3"),
      .option(
        "factor", \.factor, .number(in: 0...1, summary: "a number from 0 to 1"),
        "the inner circle's radius relative to the outer", example: "factor: 0.5"),
      .option(
        "steps", \.steps, .integer(in: 1...100),
        "the length of each `recall` sequence", example: "steps: 12"),
      .option(
        "split", \.split, .split,
        "fractions for the parts, named NAME.train, NAME.validation, NAME.test",
        example: "split: train 0.7 validation 0.15 test 0.15"),
      .option(
        "scale", \.scale, .choice,
        "`standard`, `minmax`, or `max` (divide by the largest value); fitted on the training part",
        example: "scale: max"),
      .option(
        "onehot", \.onehot, .boolean, "one-hot encode class targets", example: "onehot: true"),
      .option(
        "preview", \.preview, .integer(in: 0...100), "how many rows to show; 0 for none",
        example: "preview: 3"),
    ]
  }

  func validate(_ block: DirectiveBlock) -> [BlockError] {
    if rows == nil, source == nil {
      return [
        BlockError(
          "a data block needs 'source' or 'rows'",
          hint: "e.g. 'source: xor', 'source: digits', or 'rows:' with one sample per line")
      ]
    }
    return []
  }

  func run(_ context: BlockContext) throws -> [ResultItem] {
    guard let name = context.block.name else { return [] }
    var dataset = try load(context)
    if onehot { dataset = try atOption(context.option("onehot")) { try dataset.oneHotTargets() } }
    var parts: [(part: DataReference.Part?, data: Dataset)] = [(nil, dataset)]
    if let split {
      let (train, validation, test) = try atOption(context.option("split")) {
        try dataset.split(
          validation: split.validation, test: split.test, shuffle: true, seed: context.seed)
      }
      parts.append((.train, train))
      if validation.count > 0 { parts.append((.validation, validation)) }
      if test.count > 0 { parts.append((.test, test)) }
    }
    if let scale {
      // Fitted on the training part when there is one, then applied to every part.
      let basis = parts.first { $0.part == .train }?.data ?? dataset
      let transform = try scale.transform(fittedOn: basis.features, at: context.option("scale"))
      parts = try parts.map { part, data in
        var scaled = data
        scaled.features = try atOption(context.option("scale")) { try transform(data.features) }
        return (part, scaled)
      }
    }
    for (part, data) in parts {
      context.namespace.datasets[DataReference(owner: name, part: part)] = data
    }
    let full = parts[0].data
    // Figures and captions name the set by what it is, never by its block name.
    if context.namespace.titles[name] == nil, context.namespace.descriptions[name] == nil {
      context.namespace.descriptions[name] = readableName(samples: full.count)
    }
    let classes = full.classNames?.count
    context.store(.named(name, "samples"), Double(full.count))
    context.store(.named(name, "features"), Double(full.features.columns))
    context.store(.named(name, "classes"), Double(classes ?? 0))
    for case (let part?, let data) in parts {
      context.store(.part(name, part.rawValue, "samples"), Double(data.count))
    }
    guard context.showsResults else { return [] }
    let features = full.features.columns
    // The data set is named by its title, if the author gave one, never by its block name.
    let shown = context.namespace.titles[name].map { "\($0): " } ?? ""
    var summary =
      "\(shown)\(full.count) samples × \(features) feature\(features == 1 ? "" : "s")"
    if let classes { summary += ", \(classes) classes" }
    if parts.count > 1 {
      summary +=
        "; "
        + parts.compactMap { part, data in part.map { "\($0) \(data.count)" } }.joined(
          separator: ", ")
    }
    var items: [ResultItem] = [.note(summary.prefix(1).uppercased() + summary.dropFirst() + ".")]
    if preview > 0 { items.append(.table(previewTable(full, context: context))) }
    return items
  }

  func load(_ context: BlockContext) throws -> Dataset {
    if let rows {
      let width = rows[0].count
      if let bad = rows.firstIndex(where: { $0.count != width }) {
        throw BlockError(
          "row \(bad + 1) has \(rows[bad].count) numbers but row 1 has \(width)",
          at: context.option("rows"))
      }
      if let columns, columns.count != width {
        throw BlockError(
          "\(columns.count) column names for rows of \(width) numbers",
          at: context.option("columns"))
      }
      let table = try atOption(context.option("rows")) { try Matrix<Double>(rows) }
      return try split(table, names: columns ?? (1...width).map { "x\($0)" }, context)
    }
    let option = context.option("source")
    switch source {
    case .csv(let path):
      let text: String
      do {
        guard let readFile = context.run.readFile else {
          throw BlockError("this run reads no files")
        }
        text = try readFile(path)
      } catch let error as BlockError {
        throw BlockError(error.message, at: option)
      } catch {
        throw BlockError(
          "\(error)", at: option, hint: "CSV paths are relative to the notebook's folder")
      }
      let table: CSVTable
      do {
        table = try CSVTable(parsing: text, hasHeader: header ?? Self.looksLikeHeader(text))
      } catch let error as EngineError {
        throw BlockError("\(path): \(error.description)", at: option)
      }
      let numbers = try atOption(option) { try table.numbers() }
      let names = columns ?? table.header ?? (1...max(1, numbers.columns)).map { "x\($0)" }
      return try split(numbers, names: names, context)
    case .generated(let set):
      return try atOption(option) { try set.make(self, seed: context.seed) }
    case nil:
      throw BlockError("a data block needs 'source' or 'rows'")
    }
  }

  /// Splits a table into features and the target column.
  private func split(_ table: Matrix<Double>, names: [String], _ context: BlockContext) throws
    -> Dataset
  {
    guard names.count == table.columns else {
      throw BlockError(
        "\(names.count) column names for \(table.columns) columns", at: context.option("columns"))
    }
    var targetColumn = table.columns - 1
    if let target {
      if let index = names.firstIndex(of: target) {
        targetColumn = index
      } else if let number = Int(target), (1...table.columns).contains(number) {
        targetColumn = number - 1
      } else {
        throw BlockError(
          "no column '\(target)'", at: context.option("target"),
          hint: suggestion(for: target, among: names))
      }
    }
    guard table.columns >= 2 else {
      throw BlockError(
        "a data set needs at least one feature column and a target column",
        at: context.option("rows") ?? context.option("source"))
    }
    let featureColumns = (0..<table.columns).filter { $0 != targetColumn }
    let targets = try table.selectingColumns([targetColumn])
    let isClasses = targets.elements.allSatisfy { $0 >= 0 && $0 == $0.rounded() && $0 < 1000 }
    let classes = isClasses ? Int(targets.elements.max() ?? 0) + 1 : 0
    return try Dataset(
      features: table.selectingColumns(featureColumns), targets: targets,
      featureNames: featureColumns.map { names[$0] }, targetNames: [names[targetColumn]],
      classNames: isClasses && classes <= 50 && classes >= 2 ? (0..<classes).map(String.init) : nil)
  }

  private func previewTable(_ data: Dataset, context: BlockContext) -> Table {
    let shown = min(8, data.features.columns)
    let hidden = data.features.columns > shown
    var header = Array(data.featureNames.prefix(shown))
    if hidden { header.append("…") }
    header += data.targetNames
    let featureDecimals = Self.decimals(data.features, context)
    let targetDecimals = Self.decimals(data.targets, context)
    let rows = (0..<min(preview, data.count)).map { r -> [Cell] in
      var cells = (0..<shown).map { Cell.number(data.features[r, $0], decimals: featureDecimals) }
      if hidden { cells.append(.text("…")) }
      cells += (0..<data.targets.columns).map {
        Cell.number(data.targets[r, $0], decimals: targetDecimals)
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
    let first = text.prefix { !$0.isNewline }
    guard !first.isEmpty else { return false }
    return first.split(separator: ",").contains { DirectiveOption.parseNumber(String($0)) == nil }
  }

  /// "60 samples of two noisy moons", "the UCI digits", "breast_cancer.csv": a data set as a
  /// caption names it when its author gave it no title.
  func readableName(samples: Int) -> String {
    switch source {
    case .csv(let path): return path.split(separator: "/").last.map(String.init) ?? path
    case .generated(let set):
      switch set {
      case .digits: return "the UCI digits"
      case .xor, .and, .or, .nand, .nor: return "the \(set.rawValue.uppercased()) truth table"
      case .moons: return "\(samples) samples of two moons"
      case .circles: return "\(samples) samples of two circles"
      case .spirals: return "\(samples) samples of \(classes) spirals"
      case .blobs: return "\(samples) samples of \(centers) blobs"
      case .sine: return "\(samples) samples of a noisy sine"
      case .recall: return "\(samples) sequences of \(steps) steps"
      }
    case nil: return "the data given"
    }
  }
}
