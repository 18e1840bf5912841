import NeuralEngine
import Testing

@Suite("Matrix")
struct MatrixTests {
  @Test func productWithAndWithoutTransposes() throws {
    let x = try Matrix<Double>([[1, 2, 3], [4, 5, 6]])
    let w = try Matrix<Double>([[1, 0], [0, 1], [1, 1]])
    #expect(try x.multiplied(by: w) == Matrix([[4, 5], [10, 11]]))
    #expect(try x.multiplied(by: x, transposingOther: true) == Matrix([[14, 32], [32, 77]]))
    #expect(
      try x.multiplied(by: x, transposingSelf: true)
        == Matrix([[17, 22, 27], [22, 29, 36], [27, 36, 45]]))
    #expect(
      try x.multiplied(by: w).transposed()
        == w.multiplied(by: x, transposingSelf: true, transposingOther: true))
  }

  @Test func floatProductAgreesWithDouble() throws {
    var g = RandomGenerator(seed: 7)
    let a = try Matrix<Double>(
      rows: 37, columns: 23, elements: (0..<37 * 23).map { _ in g.nextGaussian() })
    let b = try Matrix<Double>(
      rows: 23, columns: 11, elements: (0..<23 * 11).map { _ in g.nextGaussian() })
    let double = try a.multiplied(by: b)
    let single = try Matrix<Float>(converting: a).multiplied(by: Matrix<Float>(converting: b))
    for (s, d) in zip(single.elements, double.elements) {
      expectClose(Double(s), d, tolerance: 1e-4)
    }
    // Against a plain triple loop.
    for i in 0..<37 {
      for j in 0..<11 {
        let expected = (0..<23).reduce(0.0) { $0 + a[i, $1] * b[$1, j] }
        expectClose(double[i, j], expected, tolerance: 1e-12)
      }
    }
  }

  @Test func shapeMismatchTeachesTheRule() throws {
    let x = try Matrix<Double>(rows: 2, columns: 3)
    let w = try Matrix<Double>(rows: 4, columns: 1)
    let error = #expect(throws: EngineError.self) { try x.multiplied(by: w) }
    #expect(
      error
        == .shapeMismatch(
          operation: "the product X·W", left: Shape(rows: 2, columns: 3),
          right: Shape(rows: 4, columns: 1),
          rule: "NCOL(X) == NROW(W) needs 3 == 4"))
    #expect(error?.description.contains("2×3 and 4×1") == true)
  }

  @Test func biasBroadcastsDownTheRows() throws {
    let xw = try Matrix<Double>([[1, 2], [3, 4], [5, 6]])
    let b = Matrix<Double>(row: [10, 20])
    #expect(try xw.adding(b) == Matrix([[11, 22], [13, 24], [15, 26]]))
    #expect(try xw.adding(Matrix(column: [1, 2, 3])) == Matrix([[2, 3], [5, 6], [8, 9]]))
    let error = #expect(throws: EngineError.self) { try xw.adding(Matrix(row: [1, 2, 3])) }
    #expect(error?.description.contains("3×2 and 1×3") == true)
  }

  @Test func reductionsAndSelections() throws {
    let m = try Matrix<Float>([[1, -5, 3], [4, 2, 6]])
    #expect(m.sum() == 11)
    #expect(m.columnSums() == Matrix(row: [5, -3, 9]))
    #expect(m.rowSums() == Matrix(column: [-1, 12]))
    #expect(m.argmaxPerRow() == [2, 2])
    #expect(m.maxMagnitude() == 6)
    #expect(try m.selectingRows([1, 0]) == Matrix([[4, 2, 6], [1, -5, 3]]))
    #expect(try m.selectingColumns([2]) == Matrix(column: [3, 6]))
    #expect(try m.value(row: 1, column: 2) == 6)
  }

  @Test func badShapesAndPositionsThrow() {
    #expect(throws: EngineError.self) { try Matrix<Double>([[1, 2], [3]]) }
    #expect(throws: EngineError.self) {
      try Matrix<Double>(rows: 2, columns: 2, elements: [1, 2, 3])
    }
    #expect(throws: EngineError.self) { try Matrix<Double>(rows: -1, columns: 2) }
    #expect(throws: EngineError.self) { try Matrix<Double>(rows: Int.max, columns: 2) }
    #expect(throws: EngineError.self) {
      try Matrix<Double>(rows: 2, columns: 2).value(row: 2, column: 0)
    }
    #expect(throws: EngineError.self) { try Matrix<Double>(rows: 2, columns: 2).selectingRows([5]) }
  }
}
