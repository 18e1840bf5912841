/// The directives a notebook's fenced blocks can name. Each knows its options: the
/// reference in `docs/directives.md` is generated from these tables, and a test keeps it so.
public enum DirectiveKind: String, CaseIterable, Hashable, Sendable {
  case data, model, forward, backward, train, evaluate, predict, loss, expr, perceptron, plot,
    expect, exercise

  /// How the block's body is written.
  public enum Body: Sendable {
    /// `key: value` lines (indented lines continue the value above).
    case options
    /// `name = expression` lines, plus `key: value` lines for the block options.
    case equations
    /// One assertion per line, plus `key: value` lines for the block options.
    case assertions
  }

  public var body: Body {
    switch self {
    case .expr: .equations
    case .expect: .assertions
    default: .options
    }
  }

  /// What the word after the directive names.
  public var nameRole: String {
    switch self {
    case .data: "the data set it defines"
    case .model: "the model it defines"
    case .forward, .backward, .train, .evaluate, .predict: "the model it works on"
    case .loss: "the name its values are stored under"
    case .expr: "the graph it defines"
    case .perceptron: "the unit it defines"
    case .plot: "the model, graph, unit or data set it draws (none for activations and curves)"
    case .expect: "an optional label"
    case .exercise: "an optional label"
    }
  }

  /// Whether the block must name something.
  public var needsName: Bool { self != .expect && self != .plot && self != .exercise }

  public var summary: String {
    switch self {
    case .data:
      "a data set: inline rows, a CSV file, the digits, or a generated set; splits, scaling, one-hot"
    case .model: "a dense network: inputs, layers, activations, and initial or given weights"
    case .forward: "a forward pass: every unit's net input and output"
    case .backward: "a backward pass: every unit's error, every gradient, and one update step"
    case .train: "training: loss and metrics per epoch, and a learning curve"
    case .evaluate: "metrics and the confusion matrix of a model on a data set"
    case .predict: "a model's outputs for given inputs"
    case .loss:
      "loss values: several losses of given predictions, or one loss of a model at several guessed weights"
    case .expr: "a scalar computation graph: values and every partial derivative"
    case .perceptron: "a McCulloch–Pitts unit or a perceptron: truth tables and the learning rule"
    case .plot:
      "a figure: a network diagram, a decision boundary, an error surface with a descent path, activation functions, a computation graph, a confusion matrix, digit images, or several learning curves"
    case .expect: "assertions on computed values, checked on every run"
    case .exercise: "the start of a numbered exercise, with its title and points"
    }
  }

  /// The options this directive takes, beyond the common ones.
  public var options: [OptionSpec] {
    switch self {
    case .data:
      [
        .init(
          "source",
          "`digits`, `xor`, `and`, `or`, `nand`, `nor`, `moons`, `circles`, `spirals`, `blobs`, `sine`, or a CSV file next to the notebook",
          "source: moons"),
        .init(
          "columns", "names of the inline table's columns (or of a CSV file's)", "columns: x y"),
        .init(
          "rows", "an inline table: one sample per indented line, numbers separated by spaces",
          "rows:\n  0.5 0.2\n  2.5 0.9"),
        .init(
          "target", "the target column, by name or 1-based number; default the last", "target: y"),
        .init(
          "header", "whether a CSV file's first line names the columns; default: guessed",
          "header: true"),
        .init("samples", "how many samples a generated set has", "samples: 200"),
        .init("noise", "a generated set's noise (standard deviation)", "noise: 0.1"),
        .init("classes", "the number of spiral arms", "classes: 3"),
        .init("centers", "the number of Gaussian blobs", "centers: 3"),
        .init("factor", "the inner circle's radius relative to the outer", "factor: 0.5"),
        .init("seed", "seeds the generated set and the split", "seed: 7"),
        .init(
          "split", "fractions for the parts, named NAME.train, NAME.validation, NAME.test",
          "split: train 0.7 validation 0.15 test 0.15"),
        .init(
          "scale",
          "`standard`, `minmax`, or `max` (divide by the largest value); fitted on the training part",
          "scale: max"),
        .init("onehot", "one-hot encode class targets", "onehot: true"),
        .init("preview", "how many rows to show; default 5, 0 for none", "preview: 3"),
      ]
    case .model:
      [
        .init("inputs", "the number of inputs, or their names", "inputs: x1 x2 x3"),
        .init(
          "layer", "one per layer: units, activation, then `bias=false`, `alpha=0.1`, `names=4,5`",
          "layer: 2 sigmoid", repeatable: true),
        .init(
          "init",
          "the weight initialiser (`glorot_uniform` by default, `he_normal`, `uniform -0.5 0.5`, …)",
          "init: he_normal"),
        .init("seed", "seeds the initial weights", "seed: 1"),
        .init("weights", "weights by name in unit notation", "weights: w14=0.2 w15=-0.3"),
        .init("biases", "biases by name (`θ4`, `theta4` or `b4`)", "biases: θ4=-0.4"),
        .init(
          "matrix", "a whole weight matrix `W1` (rows separated by `;`) or bias vector `b1`",
          "matrix: W1 0.2 -0.3; 0.4 0.1; -0.5 0.2", repeatable: true),
        .init(
          "dtype", "`float64` (default) or `float32`, the precision training runs in",
          "dtype: float32"),
        .init(
          "show", "`summary` (default), `weights`, or `summary weights`", "show: summary weights"),
        .init(
          "collapse",
          "the one linear layer equal to another model whose activations are all identity",
          "collapse: deep"),
      ]
    case .forward:
      [
        .init("input", "one sample's inputs; several samples separated by `;`", "input: 1 0 1"),
        .init("data", "a data set to take the inputs from (its first `samples` rows)", "data: xor"),
        .init("samples", "how many rows of `data`; default all, at most 20", "samples: 4"),
        .init("as", "the name its results are stored under; default the model's", "as: pass1"),
      ]
    case .backward:
      [
        .init("input", "one sample's inputs (or several, separated by `;`)", "input: 1 0 1"),
        .init("target", "the target outputs for each sample", "target: 1"),
        .init("loss", "the loss; default `half_sse`, ½Σ(t − o)²", "loss: half_sse"),
        .init("rate", "the learning rate η of the update step; default 0.1", "rate: 0.9"),
        .init(
          "show",
          "tables to show: `forward`, `errors`, `gradients`, `updates`; default `forward errors updates`",
          "show: errors updates"),
        .init("apply", "keep the updated weights in the model for later blocks", "apply: true"),
        .init("norms", "also show each layer's gradient size ‖∂L/∂W‖ and mean |δ|", "norms: true"),
        .init("as", "the name its results are stored under; default the model's", "as: step1"),
      ]
    case .train:
      [
        .init("data", "the training data (`NAME` or `NAME.train`)", "data: digits.train"),
        .init(
          "validation", "validation data (`NAME.validation`) or a fraction held out",
          "validation: 0.2"),
        .init("loss", "the loss; default `mse`", "loss: sparse_categorical_crossentropy"),
        .init(
          "optimizer",
          "`sgd` (default), `momentum`, `nesterov`, `adagrad`, `rmsprop`, `adam`, `adadelta`",
          "optimizer: adam"),
        .init("rate", "the learning rate; default 0.01", "rate: 0.1"),
        .init("momentum", "SGD's momentum μ", "momentum: 0.9"),
        .init("decay", "inverse-time learning-rate decay per step", "decay: 0.001"),
        .init("epochs", "how many passes over the data; default 10", "epochs: 1000"),
        .init("batch", "samples per step: a number, `full` (default) or `1`", "batch: 32"),
        .init("shuffle", "reshuffle every epoch; default true", "shuffle: false"),
        .init("seed", "seeds the shuffling", "seed: 3"),
        .init(
          "metrics",
          "metrics to record (`accuracy`, `precision`, `recall`, `f1`, `mse`, `rmse`, `mae`, `top_3_accuracy`…)",
          "metrics: accuracy"),
        .init("l2", "the L2 penalty α (scikit-learn's `alpha`)", "l2: 0.0001"),
        .init(
          "early_stopping", "`patience=5 monitor=val_loss min_delta=0 restore=true`",
          "early_stopping: patience=10"),
        .init(
          "log", "show every Nth epoch in the table (the last always); default about ten rows",
          "log: 100"),
        .init(
          "plot",
          "the quantities drawn on the learning curve; default the loss (and validation loss); `none` for no curve",
          "plot: loss val_loss"),
        .init(
          "scale", "the learning curve's vertical scale: `linear` (default) or `log`", "scale: log"),
        .init(
          "from", "train a copy of this model instead (the block's name becomes the copy's)",
          "from: base"),
        .init("as", "the name its results are stored under; default the model's", "as: run1"),
      ]
    case .evaluate:
      [
        .init("data", "the data set (`NAME` or `NAME.test`)", "data: digits.test"),
        .init("loss", "the loss to report, if any", "loss: sparse_categorical_crossentropy"),
        .init(
          "metrics", "the metrics; default `accuracy` for classes, `mse` otherwise",
          "metrics: accuracy precision recall f1"),
        .init(
          "confusion", "show the confusion matrix; default true for classes", "confusion: false"),
        .init("as", "the name its results are stored under; default the model's", "as: test"),
      ]
    case .predict:
      [
        .init("input", "inputs, samples separated by `;`", "input: 0 0; 0 1; 1 0; 1 1"),
        .init("data", "a data set to take inputs from", "data: xor"),
        .init("samples", "how many rows of `data`; default all, at most 20", "samples: 5"),
        .init("as", "the name its results are stored under; default the model's", "as: guesses"),
      ]
    case .loss:
      [
        .init("predicted", "predictions, samples separated by `;`", "predicted: 0.9 0.2 0.6"),
        .init("target", "the targets, shaped like the predictions", "target: 1 0 1"),
        .init(
          "losses", "the losses to compute; default mse, mae, huber, binary_crossentropy, hinge",
          "losses: mse mae"),
        .init("model", "a model whose loss is taken at guessed weights", "model: neuron"),
        .init("data", "the data the model's loss is taken on", "data: fit"),
        .init("loss", "the model's loss; default `half_sse`", "loss: half_sse"),
        .init(
          "guesses", "one guess per indented line: weights and biases by name",
          "guesses:\n  wx2=0.5 θ2=0\n  wx2=-0.1 θ2=0"),
      ]
    case .expr:
      [
        .init(
          "output", "the node whose derivatives are taken; default the last definition", "output: J"
        )
      ]
    case .perceptron:
      [
        .init("unit", "`perceptron` (default) or `mcculloch-pitts`", "unit: mcculloch-pitts"),
        .init("inputs", "the number of inputs or their names; default 2", "inputs: x1 x2"),
        .init("threshold", "a McCulloch–Pitts unit's threshold θ", "threshold: 2"),
        .init("inhibitory", "a McCulloch–Pitts unit's inhibitory inputs", "inhibitory: x1"),
        .init(
          "weights", "a perceptron's weights, `w0` being the bias −θ",
          "weights: w0=-1 w1=1.1 w2=1.1"),
        .init(
          "function",
          "the boolean function to compare with (and learn): `and`, `or`, `nand`, `nor`, `xor`, `not`",
          "function: or"),
        .init(
          "train",
          "learn the weights with the perceptron rule, starting from `weights` (default zeros)",
          "train: true"),
        .init("rate", "the learning rate of the perceptron rule; default 1", "rate: 0.5"),
        .init("epochs", "the most epochs the rule may take; default 20", "epochs: 50"),
      ]
    case .plot:
      [
        .init(
          "kind",
          "`network`, `boundary`, `surface`, `activations`, `graph`, `confusion`, `digits`, `curves` or `function`",
          "kind: network"),
        .init(
          "data", "the data set drawn (boundary points, confusion, digits, the surface's samples)",
          "data: xor"),
        .init(
          "input", "network: a sample whose forward values are written in the units", "input: 1 0 1"
        ),
        .init(
          "weights", "network: write each weight on its edge (default: when there are 16 or fewer)",
          "weights: true"),
        .init("style", "boundary: `regions` (default) or `probability`", "style: probability"),
        .init(
          "resolution", "cells per side of a boundary or surface grid; default 60", "resolution: 80"
        ),
        .init("w", "surface: the range of w", "w: -6 6"),
        .init("b", "surface: the range of b", "b: -6 6"),
        .init(
          "start", "surface: where the descent path starts (w b); default the model's weights",
          "start: -2 -2"),
        .init("rate", "surface: the path's learning rate; default 1", "rate: 1"),
        .init("epochs", "surface: the path's epochs; default 1000", "epochs: 1000"),
        .init("loss", "surface: the loss drawn; default `half_sse`", "loss: half_sse"),
        .init(
          "functions", "activations: which; default the cheat sheet's",
          "functions: sigmoid tanh relu"),
        .init("derivatives", "activations: draw φ′ too; default true", "derivatives: false"),
        .init("columns", "panels or images per row", "columns: 4"),
        .init("samples", "digits: how many images; default 20", "samples: 30"),
        .init("misclassified", "digits: only the misclassified ones", "misclassified: true"),
        .init("runs", "curves: the training results to compare", "runs: sgd momentum adam"),
        .init(
          "metric", "curves: the quantities drawn per run; default `loss`", "metric: loss val_loss"),
        .init("scale", "curves: `linear` (default) or `log`", "scale: log"),
        .init("width", "the figure's width in pixels", "width: 720"),
        .init("height", "the figure's height in pixels", "height: 400"),
      ]
    case .expect:
      []
    case .exercise:
      [
        .init("title", "the exercise's title", "title: One backward pass"),
        .init("points", "points for each blank in the exercise; default 1", "points: 2"),
      ]
    }
  }

  /// Options every directive takes.
  public static let commonOptions: [OptionSpec] = [
    .init("caption", "the caption of the block's table or figure", "caption: Net input and output"),
    .init("label", "an anchor for the result, to link to as `#label`", "label: tab-forward"),
    .init("echo", "show the directive's own source in the handout; default false", "echo: true"),
    .init("results", "`show` (default) or `hide` the results; values stay usable", "results: hide"),
    .init("precision", "decimals for this block's numbers", "precision: 3"),
    .init("notation", "`unit` or `layer` for this block's tables", "notation: layer"),
    .init("timeout", "seconds the block may run before it is stopped", "timeout: 30"),
    .init(
      "expect_error",
      "the block is meant to fail with a message containing this text; the handout shows the error",
      "expect_error: NCOL(X) == NROW(W)"),
    .init(
      "blank", "for students: result cells left empty, by value name; the key fills them in",
      "blank: Err4 new_w46"),
    .init(
      "tolerance",
      "how far a student's answer to this block's blanks may be off: a number, or a percentage",
      "tolerance: 0.001"),
    .init(
      "vary", "for per-student variants: one 'name in low..high by step' per line",
      "vary:\n  w14 in -0.5..0.5 by 0.1"),
  ]

  /// Every option this directive accepts, its own first.
  public var allOptions: [OptionSpec] { options + Self.commonOptions }
}

/// One option of a directive, with its documentation.
public struct OptionSpec: Hashable, Sendable {
  public var name: String
  public var summary: String
  public var example: String
  /// Whether the option may appear more than once (`layer`).
  public var repeatable: Bool

  public init(_ name: String, _ summary: String, _ example: String, repeatable: Bool = false) {
    self.name = name
    self.summary = summary
    self.example = example
    self.repeatable = repeatable
  }
}
