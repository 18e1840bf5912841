/// The directives a notebook's fenced blocks can name: their syntax only. What each
/// directive's options mean, and how it runs, is declared with it in the Runner module.
public enum DirectiveKind: String, CaseIterable, Hashable, Sendable {
  case data, model, forward, backward, train, evaluate, predict, loss, expr, perceptron, plot,
    expect, exercise, softmax, gradcheck, activation

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
    case .loss, .softmax, .activation: "the name its values are stored under"
    case .gradcheck: "the model whose gradients it checks"
    case .expr: "the graph it defines"
    case .perceptron: "the unit it defines"
    case .plot: "the model, graph, unit or data set it draws (none for activations and curves)"
    case .expect: "an optional label"
    case .exercise: "an optional label"
    }
  }

  /// Whether the block must name something.
  public var needsName: Bool { self != .expect && self != .plot && self != .exercise }
}
