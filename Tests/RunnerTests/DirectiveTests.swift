import NeuralEngine
import Notebook
import Runner
import Testing

@Suite("Directives")
struct DirectiveTests {
  @Test func theTextbookBackpropExample() {
    let result = run(hanKamber)
    #expect(result.succeeded, "\(result.diagnostics.map(\.description))")
    let printed: [(String, Double, Double)] = [
      ("hk.O4", 0.332, 0.0005), ("hk.O5", 0.525, 0.0005), ("hk.O6", 0.474, 0.0005),
      ("hk.Err6", 0.1311, 0.0001), ("hk.Err5", -0.0065, 0.00005), ("hk.Err4", -0.0087, 0.00005),
      ("hk.new_w46", -0.261, 0.0005), ("hk.new_w56", -0.138, 0.0005), ("hk.new_w14", 0.192, 0.0005),
      ("hk.new_w15", -0.306, 0.0005), ("hk.new_w24", 0.4, 0.0005), ("hk.new_w25", 0.1, 0.0005),
      ("hk.new_w34", -0.508, 0.0005), ("hk.new_w35", 0.194, 0.0005), ("hk.new_θ6", 0.218, 0.0005),
      ("hk.new_θ5", 0.194, 0.0005), ("hk.new_θ4", -0.408, 0.0005),
    ]
    for (reference, value, tolerance) in printed {
      #expect(
        abs(number(result, reference) - value) <= tolerance + 1e-12,
        "\(reference) = \(number(result, reference))")
    }
    guard case .table(let updates)? = result.outcomes[1].items.last else {
      Issue.record("no update table")
      return
    }
    #expect(updates.header == ["Weight or Bias", "New Value"])
    #expect(updates.rows.first?.first == .text("w46"))
  }

  @Test func dataSourcesSplitsScalingAndOneHot() {
    let result = run(
      """
      ```data digits
      source: digits
      split: train 0.7 validation 0.15 test 0.15
      scale: max
      seed: 1
      ```

      ```data inline
      columns: x y
      rows:
        0.5 0.2
        2.5 0.9
      ```

      ```data moons
      source: moons
      samples: 50
      noise: 0.1
      onehot: true
      ```

      ```data table
      source: points.csv
      target: label
      ```
      """,
      options: RunOptions(readFile: { path in
        guard path == "points.csv" else { throw CocoaLikeError.missing }
        return "a,b,label\n1,2,0\n3,4,1\n"
      }))
    #expect(result.succeeded, "\(result.diagnostics.map(\.description))")
    #expect(number(result, "digits.samples") == 1797)
    #expect(number(result, "digits.train.samples") == 1257)
    #expect(number(result, "digits.test.samples") == 270)
    #expect(number(result, "inline.samples") == 2)
    #expect(number(result, "moons.classes") == 2)
    #expect(number(result, "table.features") == 2)
  }

  @Test func trainingEvaluationAndPrediction() {
    let result = run(
      """
      ```data blobs
      source: blobs
      samples: 120
      centers: 3
      split: train 0.75 test 0.25
      seed: 4
      ```

      ```model net
      inputs: 2
      layer: 8 relu
      layer: 3 softmax
      seed: 2
      ```

      ```train net
      data: blobs.train
      loss: sparse_categorical_crossentropy
      optimizer: adam
      rate: 0.05
      epochs: 40
      batch: 16
      validation: 0.2
      metrics: accuracy
      early_stopping: patience=50
      ```

      ```evaluate net
      data: blobs.test
      metrics: accuracy precision recall f1
      as: test
      ```

      ```predict net
      input: 0 0; 5 5
      ```
      """)
    #expect(result.succeeded, "\(result.diagnostics.map(\.description))")
    #expect(number(result, "net.epochs") == 40)
    #expect(number(result, "net.val_accuracy") > 0.8)
    #expect(number(result, "net.accuracy") > 0.8)
    #expect(number(result, "test.accuracy") > 0.8)
    #expect(number(result, "test.f1") > 0.8)
    #expect(result.value("net.class1") != nil)
    let train = result.outcomes[2]
    #expect(train.items.contains { if case .figure = $0 { true } else { false } })
    let evaluate = result.outcomes[3]
    #expect(evaluate.items.count == 2, "metrics and confusion matrix")
  }

  @Test func expressionsAndThresholdUnits() {
    let result = run(
      """
      ```expr chain
      x = 0.7
      z1 = sin(x)
      z2 = x^3
      y = z1^4*exp(z2) + 5*z1 + 7*z2
      ```

      ```perceptron and
      unit: mcculloch-pitts
      threshold: 2
      function: and
      ```

      ```perceptron or
      weights: w0=-1 w1=1.1 w2=1.1
      function: or
      ```

      ```perceptron xor
      function: xor
      train: true
      epochs: 30
      ```
      """)
    #expect(result.succeeded, "\(result.diagnostics.map(\.description))")
    #expect(abs(number(result, "chain.dy/dx") - 15.623637) < 0.000001)
    #expect(result.value("and.correct") == .bool(true))
    #expect(result.value("or.correct") == .bool(true))
    #expect(result.value("xor.converged") == .bool(false))
    #expect(number(result, "xor.epochs") == 30)
  }

  @Test func expectationsPassAndFail() {
    let result = run(
      hanKamber + """
        ```expect
        hk.O6 ≈ 0.474
        hk.O6 = 0.47 ± 0.01
        hk.new_w46 < 0
        ```

        ```expect
        hk.O6 ≈ 0.475
        ```
        """)
    let error = onlyError(result)
    #expect(
      error?.headline
        == "nb.md:22:1: error: expected hk.O6 ≈ 0.475, but hk.O6 is 0.47388889882398544")
    #expect(result.outcomes[2].status == .succeeded)
    #expect(result.outcomes[3].status == .failed)
    // The failing table is still in the handout.
    #expect(result.outcomes[3].items.count == 1)
  }

  @Test func layerNotationAndValuesInProse() {
    let result = run(
      """
      ---
      notation: layer
      ---

      ```model m
      inputs: 2
      layer: 2 tanh
      layer: 1 identity
      seed: 5
      ```

      ```forward m
      input: 1 2
      ```

      The output is {{ m.output | 3 }}.
      """)
    #expect(result.succeeded)
    guard case .table(let table)? = result.outcomes[1].items.first else {
      Issue.record("no forward table")
      return
    }
    #expect(table.header == ["Layer", "Unit", "z⁽ˡ⁾", "a⁽ˡ⁾"])
    #expect(table.rows.count == 3)
  }
}

enum CocoaLikeError: Error { case missing }
