/// What the engine throws. Every case carries enough context to be read on its own; the
/// notebook runner adds the block's location.
public enum EngineError: Error, Equatable, Sendable, CustomStringConvertible {
  /// Two operands whose shapes do not conform, with the rule the operation needs.
  case shapeMismatch(operation: String, left: Shape, right: Shape, rule: String)
  /// An argument outside what the operation accepts (a negative size, an empty set…).
  case invalidArgument(String)
  /// Training produced a NaN or infinite loss.
  case nonFiniteLoss(epoch: Int, batch: Int, value: Double)
  /// A CSV text that cannot be read; line and column are 1-based.
  case malformedCSV(line: Int, column: Int, message: String)

  public var description: String {
    switch self {
    case .shapeMismatch(let operation, let left, let right, let rule):
      return "shape mismatch in \(operation): \(left) and \(right) do not conform (\(rule))"
    case .invalidArgument(let message):
      return message
    case .nonFiniteLoss(let epoch, let batch, let value):
      return
        "the loss became \(value.isNaN ? "NaN" : "infinite") at epoch \(epoch), batch \(batch);"
        + " try a smaller learning rate or scaled inputs"
    case .malformedCSV(let line, let column, let message):
      return "CSV line \(line), column \(column): \(message)"
    }
  }
}
