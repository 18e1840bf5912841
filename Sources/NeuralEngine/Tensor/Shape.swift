/// The shape of a matrix: rows × columns.
public struct Shape: Hashable, Sendable, CustomStringConvertible {
  public var rows: Int
  public var columns: Int

  public init(rows: Int, columns: Int) {
    self.rows = rows
    self.columns = columns
  }

  /// `2×3`, the way the lectures write shapes.
  public var description: String { "\(rows)×\(columns)" }
}
