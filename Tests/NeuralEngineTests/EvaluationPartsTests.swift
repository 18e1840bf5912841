import NeuralEngine
import Testing

/// Evaluation, validation and prediction take a data set `Network.evaluationRows` rows at
/// a time (buffers the size of a batch, not of the set); their results are the bits of
/// one pass over the whole set, as the teaching traces compute it.
@Suite struct EvaluationPartsTests {
  /// The digits: 1,797 rows, fourteen parts of 128 and five rows left over.
  let digits = Datasets.digits()

  func network(outputs: Int, last: Activation) throws -> Network<Double> {
    try Network<Double>(
      inputs: 64, units: [24, outputs], activations: [.relu, last], initializer: .heUniform,
      seed: 5)
  }

  @Test func fusedSoftmaxLossAndAccuracyAreOnePassBits() throws {
    let x = digits.features.scaled(by: 1.0 / 16)
    let y = try digits.oneHotTargets().targets
    let net = try network(outputs: 10, last: .softmax)
    let whole = try net.backward(x, target: y, loss: .categoricalCrossEntropy)
    let (loss, metrics) = try net.evaluate(
      x, y, loss: .categoricalCrossEntropy, metrics: [.accuracy])
    #expect(loss == Double(whole.backward.loss))
    #expect(loss > 1 && loss < 4, "an untrained net's loss, near ln 10: \(loss)")
    let output = whole.forward.output
    var right = 0
    for r in 0..<x.rows {
      let row = (0..<10).map { output.elements[r * 10 + $0] }
      let target = (0..<10).map { y.elements[r * 10 + $0] }
      if row.firstIndex(of: row.max() ?? 0) == target.firstIndex(of: 1) { right += 1 }
    }
    #expect(metrics == [Double(right) / Double(x.rows)])
    #expect(try net.predict(x).elements == output.elements)
  }

  @Test func sparseLabelsAndAnUnfusedLossAreOnePassBits() throws {
    let x = digits.features.scaled(by: 1.0 / 16)
    let net = try network(outputs: 10, last: .softmax)
    let sparse = try net.evaluate(
      x, digits.targets, loss: .sparseCategoricalCrossEntropy, metrics: [])
    let sparseWhole = try net.backward(
      x, target: digits.targets, loss: .sparseCategoricalCrossEntropy)
    #expect(sparse.loss == Double(sparseWhole.backward.loss))

    let y = try digits.oneHotTargets().targets
    let sigmoid = try network(outputs: 10, last: .sigmoid)
    let squared = try sigmoid.evaluate(x, y, loss: .meanSquaredError, metrics: [])
    let squaredWhole = try sigmoid.backward(x, target: y, loss: .meanSquaredError)
    #expect(squared.loss == Double(squaredWhole.backward.loss))
    #expect(squared.loss > 0.1 && squared.loss < 0.5, "\(squared.loss)")
  }

  @Test func aBadLabelIsNamedByItsRowInTheWholeSet() throws {
    let x = digits.features.scaled(by: 1.0 / 16)
    var elements = digits.targets.elements
    elements[300] = 12  // row 301, in the third part
    let labels = try Matrix(rows: elements.count, columns: 1, elements: elements)
    let net = try network(outputs: 10, last: .softmax)
    #expect {
      _ = try net.evaluate(x, labels, loss: .sparseCategoricalCrossEntropy, metrics: [])
    } throws: { error in
      "\(error)".contains("row 301")
    }
  }
}
