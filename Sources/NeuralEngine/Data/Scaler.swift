/// Column-wise feature scaling, fitted on one set (the training data) and applied to
/// others: x′ = (x − offset)·factor + shift.
public struct Scaler: Codable, Equatable, Sendable {
  public enum Kind: Codable, Hashable, Sendable {
    /// Zero mean, unit (population) standard deviation per column.
    case standard
    /// Each column's minimum and maximum mapped to `low` and `high`.
    case minMax(low: Double, high: Double)
  }

  public let kind: Kind
  public private(set) var offsets: [Double]
  public private(set) var factors: [Double]
  private var shift: Double

  /// Learns each column's offset and factor. A constant column is only centred.
  public init(fitting data: Matrix<Double>, kind: Kind) throws {
    guard data.rows > 0 else {
      throw EngineError.invalidArgument("cannot fit a scaler on no samples")
    }
    self.kind = kind
    let n = Double(data.rows)
    offsets = []
    factors = []
    switch kind {
    case .standard:
      shift = 0
      for c in 0..<data.columns {
        let column = try data.column(c)
        let mean = column.reduce(0, +) / n
        let variance = column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
        offsets.append(mean)
        factors.append(variance > 0 ? 1 / variance.squareRoot() : 1)
      }
    case .minMax(let low, let high):
      guard low < high else {
        throw EngineError.invalidArgument(
          "min-max scaling needs low < high, got \(low) and \(high)")
      }
      shift = low
      for c in 0..<data.columns {
        let column = try data.column(c)
        let lowest = column.min() ?? 0
        let highest = column.max() ?? 0
        offsets.append(lowest)
        factors.append(highest > lowest ? (high - low) / (highest - lowest) : 1)
      }
    }
  }

  /// The scaled copy of a matrix with the fitted number of columns.
  public func transform(_ data: Matrix<Double>) throws -> Matrix<Double> {
    guard data.columns == offsets.count else {
      throw EngineError.shapeMismatch(
        operation: "scaling", left: data.shape, right: Shape(rows: 1, columns: offsets.count),
        rule: "the scaler was fitted on \(offsets.count) columns")
    }
    var result = data
    for r in 0..<data.rows {
      for c in 0..<data.columns {
        result[r, c] = (data[r, c] - offsets[c]) * factors[c] + shift
      }
    }
    return result
  }
}
