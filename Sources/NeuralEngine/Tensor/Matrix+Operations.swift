import RealModule

extension Matrix {
  /// The matrix product `op(self) · op(other)`, computed by BLAS. Transposes are passed to
  /// BLAS, never materialised. Needs `NCOL(op(self)) == NROW(op(other))`.
  @_specialize(exported:true,where Scalar == Float)
  @_specialize(exported:true,where Scalar == Double)
  public func multiplied(
    by other: Matrix, transposingSelf: Bool = false, transposingOther: Bool = false
  ) throws -> Matrix {
    let left = transposingSelf ? Shape(rows: columns, columns: rows) : shape
    let right = transposingOther ? Shape(rows: other.columns, columns: other.rows) : other.shape
    guard left.columns == right.rows else {
      throw EngineError.shapeMismatch(
        operation: "the product X·W", left: left, right: right,
        rule: "NCOL(X) == NROW(W) needs \(left.columns) == \(right.rows)")
    }
    var result = Array(repeating: Scalar.zero, count: left.rows * right.columns)
    BLAS.gemm(
      transposeA: transposingSelf, transposeB: transposingOther,
      m: left.rows, n: right.columns, k: left.columns, alpha: 1,
      a: elements, lda: columns, b: other.elements, ldb: other.columns,
      beta: 0, c: &result, ldc: right.columns)
    return Matrix(uncheckedRows: left.rows, columns: right.columns, elements: result)
  }

  /// The transpose.
  public func transposed() -> Matrix {
    var result = Array(repeating: Scalar.zero, count: elements.count)
    for r in 0..<rows {
      for c in 0..<columns { result[c * rows + r] = elements[r * columns + c] }
    }
    return Matrix(uncheckedRows: columns, columns: rows, elements: result)
  }

  /// Element-wise sum, broadcasting `other` the NumPy way: each of its dimensions must
  /// equal this matrix's or be 1 (a bias row is replicated down every sample).
  public func adding(_ other: Matrix) throws -> Matrix {
    try combined(with: other, operation: "addition") { $0 + $1 }
  }

  /// Element-wise difference, broadcasting like ``adding(_:)``.
  public func subtracting(_ other: Matrix) throws -> Matrix {
    try combined(with: other, operation: "subtraction") { $0 - $1 }
  }

  /// Element-wise (Hadamard) product, broadcasting like ``adding(_:)``.
  public func multipliedElementwise(by other: Matrix) throws -> Matrix {
    try combined(with: other, operation: "the element-wise product") { $0 * $1 }
  }

  /// Every element times a number. (Exported specialised, as ``map(_:)`` is: called from
  /// another module, the generic one took 40 % of a data block's time.)
  @_specialize(exported:true,where Scalar == Float)
  @_specialize(exported:true,where Scalar == Double)
  public func scaled(by factor: Scalar) -> Matrix {
    map { $0 * factor }
  }

  /// A function applied to every element.
  @_specialize(exported:true,where Scalar == Float)
  @_specialize(exported:true,where Scalar == Double)
  public func map(_ transform: (Scalar) -> Scalar) -> Matrix {
    Matrix(uncheckedRows: rows, columns: columns, elements: elements.map(transform))
  }

  /// The sum of all elements.
  public func sum() -> Scalar { elements.reduce(0, +) }

  /// The mean of all elements (zero for an empty matrix).
  public func mean() -> Scalar {
    elements.isEmpty ? 0 : sum() / Scalar(elements.count)
  }

  /// Sums down each column: a 1×columns matrix.
  public func columnSums() -> Matrix {
    var sums = Array(repeating: Scalar.zero, count: columns)
    for r in 0..<rows {
      for c in 0..<columns { sums[c] += elements[r * columns + c] }
    }
    return Matrix(row: sums)
  }

  /// Sums along each row: a rows×1 matrix.
  public func rowSums() -> Matrix {
    Matrix(column: (0..<rows).map { r in elements[r * columns..<(r + 1) * columns].reduce(0, +) })
  }

  /// The index of the largest element of each row (the first one on ties).
  public func argmaxPerRow() -> [Int] {
    (0..<rows).map { r in Self.argmax(elements, from: r * columns, count: columns) }
  }

  /// The largest absolute element (zero when empty). Inlinable, so a caller in another
  /// module gets it specialised for its scalar (unspecialised, each element cost two
  /// witness calls: 6 % of lecture 2's run, for the digits' figure).
  @inlinable
  public func maxMagnitude() -> Scalar {
    var largest = Scalar.zero
    for element in elements { largest = Swift.max(largest, Swift.abs(element)) }
    return largest
  }

  static func argmax(_ values: [Scalar], from start: Int, count: Int) -> Int {
    var best = 0
    guard count > 0 else { return 0 }
    var bestValue = values[start]
    for j in 1..<Swift.max(1, count) where values[start + j] > bestValue {
      best = j
      bestValue = values[start + j]
    }
    return best
  }

  private func combined(
    with other: Matrix, operation: String, _ combine: (Scalar, Scalar) -> Scalar
  ) throws -> Matrix {
    let rowsConform = other.rows == rows || other.rows == 1
    let columnsConform = other.columns == columns || other.columns == 1
    guard rowsConform, columnsConform else {
      throw EngineError.shapeMismatch(
        operation: operation, left: shape, right: other.shape,
        rule: "each dimension of the second must equal the first's or be 1 to broadcast")
    }
    var result = elements
    for r in 0..<rows {
      let otherRow = other.rows == 1 ? 0 : r
      for c in 0..<columns {
        let otherColumn = other.columns == 1 ? 0 : c
        result[r * columns + c] = combine(
          elements[r * columns + c], other.elements[otherRow * other.columns + otherColumn])
      }
    }
    return Matrix(uncheckedRows: rows, columns: columns, elements: result)
  }
}
