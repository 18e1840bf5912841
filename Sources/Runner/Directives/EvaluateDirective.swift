import NeuralEngine
import Notebook

/// ```evaluate MODEL```: metrics and the confusion matrix on a data set.
struct EvaluateDirective: Directive {
  var data: DataReference?
  var loss: Loss?
  var metrics: [Metric]?
  var confusion: Bool?
  var storedAs: String?

  static let kind = DirectiveKind.evaluate
  static let syntax: DirectiveSyntax = .options(name: .required("the model it works on"))

  /// Nothing: it only reads.
  func changes(_ block: DirectiveBlock) -> [String] { [] }
  static let summary = "metrics and the confusion matrix of a model on a data set"
  static let storedValues = "each metric, and `loss` when asked"

  static var fields: [OptionField<Self>] {
    [
      .option(
        "data", \.data, .dataset, "the data set (`NAME` or `NAME.test`)",
        example: "data: digits.test"),
      .option(
        "loss", \.loss, .loss, "the loss to report",
        example: "loss: sparse_categorical_crossentropy",
        default: "none"),
      .option(
        "metrics", \.metrics, .metrics, "the metrics",
        example: "metrics: accuracy precision recall f1",
        default: "`accuracy` for classes, `mse` otherwise"),
      .option(
        "confusion", \.confusion, .boolean, "show the confusion matrix",
        example: "confusion: false",
        default: "true for classes"),
      .storedAs(
        \.storedAs, example: "as: test",
        "the name its results are stored under (a test set's accuracy is not the training accuracy: name it, e.g. `as: test`)"
      ),
    ]
  }

  func validate(_ block: DirectiveBlock) -> [BlockError] {
    data == nil ? [BlockError("evaluate needs 'data'", hint: "e.g. 'data: digits.test'")] : []
  }

  func reads(_ block: DirectiveBlock) -> [String] {
    [block.name, data?.owner].compactMap { $0 }
  }

  func resultName(_ block: DirectiveBlock) -> String? { storedAs ?? block.name }

  func run(_ context: BlockContext) throws -> [ResultItem] {
    guard let data else { return [] }
    let model = try context.anyModel(context.block.name)
    let dataOption = context.option("data")
    let set = try context.dataset(data, at: dataOption)
    let classification = set.classNames != nil || model.network.outputCount > 1
    let chosen = metrics ?? [Metric(name: classification ? "accuracy" : "mse")].compactMap { $0 }
    let predictions = try atOption(dataOption) { try model.predict(set.features) }
    let owner = context.resultName
    var rows: [[Cell]] = []
    if let loss {
      let value = try atOption(dataOption) {
        try model.evaluate(set.features, set.targets, loss: loss, metrics: []).loss
      }
      context.store(.named(owner, "loss"), value)
      rows.append([.text("loss (\(Shown.loss(loss)))"), .number(value)])
    }
    for metric in chosen {
      let value = try atOption(dataOption) {
        try metric.value(predicted: predictions, target: set.targets)
      }
      context.store(.named(owner, metric.name), value)
      rows.append([.text(metric.name), .number(value)])
    }
    guard context.showsResults else { return [] }
    var items: [ResultItem] = [
      .table(
        Table(
          caption: context.caption, header: ["Metric", "Value"], rows: rows,
          precision: context.precision))
    ]
    if confusion ?? classification {
      let matrix = try atOption(dataOption) {
        try ConfusionMatrix(predicted: predictions, target: set.targets)
      }
      guard matrix.classes <= 20 else { return items }
      let names = set.classNames ?? (0..<matrix.classes).map(String.init)
      let header =
        ["actual \\ predicted"]
        + (0..<matrix.classes).map { names.indices.contains($0) ? names[$0] : "\($0)" }
      let table = matrix.counts.enumerated().map { c, counts -> [Cell] in
        [.text(names.indices.contains(c) ? names[c] : "\(c)")] + counts.map { Cell.integer($0) }
      }
      items.append(
        .table(
          Table(
            caption: "Confusion matrix (\(set.count) samples)", header: header, rows: table,
            precision: 0)))
    }
    return items
  }
}
