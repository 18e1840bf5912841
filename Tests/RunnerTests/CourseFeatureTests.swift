import Foundation
import NeuralEngine
import Runner
import Testing

/// The directives and figures the complete course needs: a worked softmax, a function of
/// one variable with its tangent and gradient-descent steps, ROC curves and their AUC.
@Suite("Course features")
struct CourseFeatureTests {
  @Test func softmaxIsWorkedOut() {
    let result = run(
      """
      ```softmax sm
      scores: 2 1 0.1
      classes: cat dog bird
      ```
      """)
    #expect(result.succeeded, "\(result.diagnostics.map(\.description))")
    let sum = exp(2.0) + exp(1.0) + exp(0.1)
    #expect(abs(number(result, "sm.sum") - sum) < 1e-12)
    #expect(abs(number(result, "sm.exp2") - exp(1.0)) < 1e-12)
    #expect(abs(number(result, "sm.p1") - exp(2.0) / sum) < 1e-12)
    #expect(
      abs(number(result, "sm.p1") + number(result, "sm.p2") + number(result, "sm.p3") - 1) < 1e-12)
    #expect(number(result, "sm.class") == 1)
    // Large scores are no trouble for the probabilities, but e^z itself must be shown.
    let large = run("```softmax big\nscores: 800 1\n```\n")
    #expect(onlyError(large)?.message.contains("overflows") == true)
    let one = run("```softmax one\nscores: 3\n```\n")
    #expect(onlyError(one)?.message.contains("at least two numbers") == true)
  }

  @Test func tangentSlopeAndDescentStepsComeFromTheGraph() {
    let result = run(
      """
      ```plot descent
      kind: tangent
      f: (x - 3)^2 + 1
      x: -1 7
      at: 5
      from: 6
      rate: 0.25
      steps: 5
      ```
      """)
    #expect(result.succeeded, "\(result.diagnostics.map(\.description))")
    #expect(number(result, "descent.slope") == 4)
    #expect(number(result, "descent.f_at") == 5)
    // x ← x − η·2(x − 3): the distance to 3 halves every step.
    for k in 0...5 {
      #expect(abs(number(result, "descent.x@\(k)") - (3 + 3 * pow(0.5, Double(k)))) < 1e-12)
    }
    let outcome = result.outcomes[0]
    #expect(outcome.items.contains { if case .figure = $0 { true } else { false } })
    #expect(outcome.items.contains { if case .table = $0 { true } else { false } })
    let missing = run("```plot\nkind: tangent\n```\n")
    #expect(onlyError(missing)?.message.contains("needs 'f'") == true)
    let diverging = run("```plot d\nkind: tangent\nf: x^2\nfrom: 1\nrate: 5\nsteps: 400\n```\n")
    #expect(onlyError(diverging)?.message.contains("diverged") == true)
  }

  @Test func rocAreaIsTheChanceThatAPositiveOutscoresANegative() throws {
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<20 {
      // Scores on a coarse grid, so ties happen.
      let scores = (0..<60).map { _ in Double(Int.random(in: 0...12, using: &generator)) / 12 }
      var labels = scores.map { Double.random(in: 0...1, using: &generator) < 0.3 + 0.4 * $0 }
      labels[0] = true
      labels[1] = false
      let curve = try ROCCurve(scores: scores, labels: labels)
      // Mann–Whitney: every positive–negative pair, ties counting a half.
      var wins = 0.0
      var pairs = 0.0
      for i in scores.indices where labels[i] {
        for j in scores.indices where !labels[j] {
          pairs += 1
          wins += scores[i] > scores[j] ? 1 : (scores[i] == scores[j] ? 0.5 : 0)
        }
      }
      #expect(abs(curve.area - wins / pairs) < 1e-12)
      #expect(curve.points.first == ROCCurve.Point(falsePositiveRate: 0, truePositiveRate: 0))
      #expect(curve.points.last == ROCCurve.Point(falsePositiveRate: 1, truePositiveRate: 1))
    }
    #expect(throws: EngineError.self) { try ROCCurve(scores: [0.2, 0.4], labels: [true, true]) }
    // The metric reads the same curve.
    let predicted = Matrix<Double>(column: [0.9, 0.8, 0.4, 0.3, 0.2])
    let target = Matrix<Double>(column: [1, 0, 1, 0, 0])
    #expect(try Metric.auc.value(predicted: predicted, target: target) == 5.0 / 6)
  }

  @Test func randomSearchAndSmallMultiples() throws {
    let result = run(
      """
      ```data pts
      columns: x y
      rows:
        0.5 0.2
        2.5 0.9
      ```

      ```model neuron
      inputs: x
      layer: 1 sigmoid
      weights: wx2=1
      biases: θ2=0
      ```

      ```plot neuron
      kind: surface
      data: pts
      epochs: 0
      search: 12
      seed: 3
      ```

      ```data moons
      source: moons
      samples: 40
      seed: 1
      ```

      ```model a
      inputs: 2
      layer: 4 relu
      layer: 1 sigmoid
      seed: 1
      ```

      ```model b
      inputs: 2
      layer: 4 relu
      layer: 1 sigmoid
      seed: 2
      ```

      ```plot a
      kind: boundary
      data: moons
      runs: b
      ```
      """)
    #expect(result.succeeded, "\(result.diagnostics.map(\.description))")
    let figures = result.outcomes.flatMap(\.items).compactMap {
      if case .figure(let figure) = $0 { figure } else { nil }
    }
    try #require(figures.count == 2)
    #expect(figures[0].caption.contains("The 12 points are a random search"))
    #expect(figures[0].figure.title == "L(w, b) and a random search")
    let svg = figures[1].figure.svg(id: "f")
    #expect(svg.components(separatedBy: "<g transform=\"translate(").count - 1 == 2, "two panels")
    #expect(figures[1].caption.contains("one panel per model"))
  }

  @Test func rocPlotAndAUCMetricOfAModel() {
    let result = run(
      """
      ```data pts
      rows:
        0.1 0
        0.4 0
        0.35 1
        0.8 1
        0.6 0
        0.9 1
      columns: x y
      target: y
      ```

      ```model m
      inputs: x
      layer: 1 sigmoid
      weights: wx2=4
      biases: θ2=-2
      ```

      ```evaluate m
      data: pts
      metrics: auc accuracy
      ```

      ```plot m
      kind: roc
      data: pts
      ```
      """)
    #expect(result.succeeded, "\(result.diagnostics.map(\.description))")
    // Positives 0.35, 0.8, 0.9 against negatives 0.1, 0.4, 0.6: 7 of 9 pairs.
    #expect(abs(number(result, "m.auc") - 7.0 / 9) < 1e-12)
    #expect(result.outcomes[3].items.contains { if case .figure = $0 { true } else { false } })
  }
}
