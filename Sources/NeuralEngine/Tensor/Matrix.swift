import Foundation
import RealModule

/// A dense, row-major matrix of `Float` or `Double`, the engine's one tensor type.
///
/// A batch of samples is a matrix with one sample per row, so a layer computes
/// `X · W + b` and a product needs `NCOL(X) == NROW(W)`, as the lectures write it.
/// Shapes are checked on every operation and a mismatch throws
/// ``EngineError/shapeMismatch(operation:left:right:rule:)`` naming both shapes.
public struct Matrix<Scalar: MatrixScalar>: Equatable, Sendable {
  public private(set) var rows: Int
  public private(set) var columns: Int
  /// The elements, row by row; always `rows * columns` of them.
  public internal(set) var elements: [Scalar]

  /// A matrix filled with one value.
  public init(rows: Int, columns: Int, repeating value: Scalar = 0) throws {
    let count = try Self.elementCount(rows: rows, columns: columns)
    self.rows = rows
    self.columns = columns
    self.elements = Array(repeating: value, count: count)
  }

  /// A matrix from its elements, row by row.
  public init(rows: Int, columns: Int, elements: [Scalar]) throws {
    let count = try Self.elementCount(rows: rows, columns: columns)
    guard elements.count == count else {
      throw EngineError.invalidArgument(
        "a \(rows)×\(columns) matrix needs \(count) elements, got \(elements.count)")
    }
    self.rows = rows
    self.columns = columns
    self.elements = elements
  }

  /// A matrix from nested rows, which must all have the same length.
  public init(_ nestedRows: [[Scalar]]) throws {
    let width = nestedRows.first?.count ?? 0
    for (index, row) in nestedRows.enumerated() where row.count != width {
      throw EngineError.invalidArgument(
        "row \(index + 1) has \(row.count) values but row 1 has \(width)")
    }
    try self.init(rows: nestedRows.count, columns: width, elements: nestedRows.flatMap { $0 })
  }

  /// A one-row matrix.
  public init(row: [Scalar]) {
    self.rows = 1
    self.columns = row.count
    self.elements = row
  }

  /// A one-column matrix.
  public init(column: [Scalar]) {
    self.rows = column.count
    self.columns = 1
    self.elements = column
  }

  /// The same values in another precision.
  public init<Other: MatrixScalar>(converting other: Matrix<Other>) {
    self.rows = other.rows
    self.columns = other.columns
    self.elements = other.elements.map { Scalar($0) }
  }

  /// Trusted initialiser for the engine's own results (shape already consistent).
  init(uncheckedRows rows: Int, columns: Int, elements: [Scalar]) {
    self.rows = rows
    self.columns = columns
    self.elements = elements
  }

  public var shape: Shape { Shape(rows: rows, columns: columns) }

  /// The element at a row and column. Out-of-range positions are a programming error;
  /// use ``value(row:column:)`` for positions that come from outside.
  public subscript(row: Int, column: Int) -> Scalar {
    get { elements[row * columns + column] }
    set { elements[row * columns + column] = newValue }
  }

  /// The element at a 0-based row and column, or an error naming the shape.
  public func value(row: Int, column: Int) throws -> Scalar {
    guard (0..<rows).contains(row), (0..<columns).contains(column) else {
      throw EngineError.invalidArgument(
        "position (\(row + 1), \(column + 1)) is outside a \(shape) matrix")
    }
    return elements[row * columns + column]
  }

  /// One row as an array (0-based index, checked).
  public func row(_ index: Int) throws -> [Scalar] {
    guard (0..<rows).contains(index) else {
      throw EngineError.invalidArgument("row \(index + 1) is outside a \(shape) matrix")
    }
    return Array(elements[index * columns..<(index + 1) * columns])
  }

  /// One column as an array (0-based index, checked).
  public func column(_ index: Int) throws -> [Scalar] {
    guard (0..<columns).contains(index) else {
      throw EngineError.invalidArgument("column \(index + 1) is outside a \(shape) matrix")
    }
    return (0..<rows).map { elements[$0 * columns + index] }
  }

  /// The rows at the given 0-based indices, in that order (checked).
  public func selectingRows<S: Sequence<Int>>(_ indices: S) throws -> Matrix {
    var picked: [Scalar] = []
    var count = 0
    for index in indices {
      guard (0..<rows).contains(index) else {
        throw EngineError.invalidArgument("row \(index + 1) is outside a \(shape) matrix")
      }
      picked.append(contentsOf: elements[index * columns..<(index + 1) * columns])
      count += 1
    }
    return Matrix(uncheckedRows: count, columns: columns, elements: picked)
  }

  /// The columns at the given 0-based indices, in that order (checked).
  public func selectingColumns(_ indices: [Int]) throws -> Matrix {
    for index in indices where !(0..<columns).contains(index) {
      throw EngineError.invalidArgument("column \(index + 1) is outside a \(shape) matrix")
    }
    var picked: [Scalar] = []
    picked.reserveCapacity(rows * indices.count)
    for r in 0..<rows {
      for c in indices { picked.append(elements[r * columns + c]) }
    }
    return Matrix(uncheckedRows: rows, columns: indices.count, elements: picked)
  }

  /// Rows as nested arrays.
  public var nestedRows: [[Scalar]] {
    (0..<rows).map { Array(elements[$0 * columns..<($0 + 1) * columns]) }
  }

  private static func elementCount(rows: Int, columns: Int) throws -> Int {
    guard rows >= 0, columns >= 0 else {
      throw EngineError.invalidArgument("a matrix cannot have shape \(rows)×\(columns)")
    }
    let (count, overflow) = rows.multipliedReportingOverflow(by: columns)
    guard !overflow, rows <= Int(Int32.max), columns <= Int(Int32.max) else {
      throw EngineError.invalidArgument("a \(rows)×\(columns) matrix is too large")
    }
    return count
  }
}

/// A matrix is written as its shape and its elements' bytes (little-endian IEEE 754, the
/// exact bits): a million weights encode and decode in milliseconds, not as a million
/// decimal numbers.
extension Matrix: Codable {
  private enum CodingKeys: String, CodingKey { case rows, columns, bits }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let rows = try container.decode(Int.self, forKey: .rows)
    let columns = try container.decode(Int.self, forKey: .columns)
    let bits = try container.decode(Data.self, forKey: .bits)
    let size = MemoryLayout<Scalar>.size
    guard rows >= 0, columns >= 0, bits.count % size == 0,
      rows.multipliedReportingOverflow(by: columns) == (bits.count / size, false)
    else {
      throw DecodingError.dataCorruptedError(
        forKey: .bits, in: container, debugDescription: "the elements do not fill the shape")
    }
    var elements = [Scalar](repeating: 0, count: bits.count / size)
    _ = elements.withUnsafeMutableBytes { bits.copyBytes(to: $0) }
    try self.init(rows: rows, columns: columns, elements: elements)
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(rows, forKey: .rows)
    try container.encode(columns, forKey: .columns)
    try container.encode(elements.withUnsafeBytes { Data($0) }, forKey: .bits)
  }
}
