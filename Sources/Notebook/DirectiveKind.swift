/// The directives a notebook's fenced blocks can name. Everything else of a directive (its
/// body's role, whether it needs a name, its options, how it runs) is declared on its own
/// type in the Runner module.
public enum DirectiveKind: String, CaseIterable, Hashable, Sendable {
  case data, model, forward, backward, train, evaluate, predict, loss, expr, perceptron, plot,
    expect, exercise, softmax, gradcheck, activation, conv, pool, rnn
}
