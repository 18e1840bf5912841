import Foundation
import Notebook
import Runner
import Testing

/// The namespace's and the directives' semantics: nothing a page quotes is silent, stale
/// or guessed.
@Suite("Semantics")
struct SemanticsTests {
  static let blobsTraining = """
    ```data blobs
    source: moons
    noise: 0.3
    samples: 120
    split: train 0.75 test 0.25
    onehot: true
    ```

    ```model net
    inputs: 2
    layer: 4 relu
    layer: 2 softmax
    seed: 3
    ```

    ```train net
    data: blobs.train
    loss: categorical_crossentropy
    optimizer: adam
    rate: 0.05
    epochs: 20
    metrics: accuracy
    plot: none
    ```

    ```evaluate net
    data: blobs.test
    ```

    """

  @Test func aNameTwoBlocksDefineDifferentlyIsAnErrorNamingBoth() throws {
    let result = run(Self.blobsTraining + "The accuracy is {{ net.accuracy }}.\n")
    let error = try #require(onlyError(result))
    #expect(error.location.line == 29)
    #expect(error.message.contains("'train net' (line 16)"), "\(error.message)")
    #expect(error.message.contains("'evaluate net' (line 26)"), "\(error.message)")
    #expect(error.hint?.contains("as:") == true)
    // Expecting or blanking it is the same error.
    let expected = run(Self.blobsTraining + "```expect\nnet.accuracy > 0.5\n```\n")
    #expect(onlyError(expected)?.message.contains("defined by two blocks") == true)
    let blanked = run(
      Self.blobsTraining.replacing("```evaluate net\n", with: "```evaluate net\nblank: accuracy\n"))
    #expect(onlyError(blanked)?.message.contains("defined by two blocks") == true)
  }

  @Test func namingTheResultsResolvesTheAmbiguity() {
    let text =
      Self.blobsTraining.replacing("```evaluate net\n", with: "```evaluate net\nas: test\n")
      + "Training {{ net.accuracy }}, test {{ test.accuracy }}.\n"
    let result = run(text)
    #expect(result.succeeded, "\(result.diagnostics.map(\.description))")
    let quotes = result.quotes.sorted { $0.key.column < $1.key.column }.map(\.value.key.description)
    #expect(quotes == ["net.accuracy", "test.accuracy"])
    #expect(number(result, "net.accuracy") == number(result, "net.accuracy@20"))
  }

  @Test func parametersAreTheModelsStateAfterAnAppliedStep() {
    let model = String(hanKamber.split(separator: "```backward")[0])
    let step = "```backward" + hanKamber.split(separator: "```backward")[1]
    let text =
      model + "Before: {{ hk.w46 }}.\n\n"
      + step.replacing("precision: 3\n", with: "precision: 3\napply: true\n")
      + "\n```expect\nhk.w46 = hk.new_w46 ± 0\n```\n\nAfter: {{ hk.w46 }}.\n"
    let result = run(text)
    #expect(result.succeeded, "\(result.diagnostics.map(\.description))")
    #expect(abs(number(result, "hk.w46") - -0.26082) < 1e-5)
    // Prose above the step quotes the given weight; below it, the updated one.
    let quotes = result.quotes.sorted { $0.key < $1.key }.map { $0.value.value.number ?? .nan }
    #expect(quotes.count == 2)
    #expect(quotes.first == -0.3)
    #expect(abs((quotes.last ?? 0) - -0.26082) < 1e-5)
  }

  @Test func aPartlyGivenModelNamesWhatIsMissing() throws {
    let missing = run("```model m\ninputs: 2\nlayer: 1 sigmoid\nweights: w13=0.5\n```\n")
    let error = try #require(onlyError(missing))
    #expect(
      error.message.contains("w23 and") || error.message.contains("w23, θ3"), "\(error.message)")
    #expect(error.message.contains("missing"))
    #expect(error.hint?.contains("w13 w23 θ3") == true, "\(error.hint ?? "")")
    let drawn = run(
      "```model m\ninputs: 2\nlayer: 1 sigmoid\nweights: w13=0.5\ninit: zeros\n```\n")
    #expect(drawn.succeeded)
    #expect(
      number(drawn, "m.w13") == 0.5 && number(drawn, "m.w23") == 0 && number(drawn, "m.θ3") == 0)
  }

  @Test func unitNumbersNeverDependSilentlyOnInputNames() {
    let result = run(
      "```model m\ninputs: x0 x1\nlayer: 1 sigmoid\nweights: wx03=1 wx13=2\nbiases: θ3=0\n```\n")
    #expect(result.succeeded, "\(result.diagnostics.map(\.description))")
    #expect(number(result, "m.wx1,3") == 2)
    let numbered = run("```model m\ninputs: x1 x2\nlayer: 1 sigmoid\ninit: zeros\n```\n")
    #expect(numbered.value("m.w13") != nil && numbered.value("m.w23") != nil)
  }

  @Test func expectationsUseExactlyTheStatedTolerance() {
    let graph = "```expr g\na = 0.1 + 0.2\n```\n\n"
    #expect(!run(graph + "```expect\ng.a = 0.3 ± 0\n```\n").succeeded, "no hidden slack")
    #expect(run(graph + "```expect\ng.a = 0.3 ± 1e-15\n```\n").succeeded)
    #expect(run(graph + "```expect\ng.a ≈ 0.3\n```\n").succeeded, "one unit of the last decimal")
    #expect(!run(graph + "```expect\ng.a == 0.2\n```\n").succeeded)
    #expect(run(graph + "```expect\ng.a == 0.4\n```\n").succeeded, "0.4 means 0.3 … 0.5")
  }

  @Test func expressionPowersFunctionsAndRedefinitions() {
    let result = run(
      """
      ```expr g
      x = -7
      y = -2
      s = x^2
      c = y**3
      m = max(s, 10) + min(x, y) + abs(y) + relu(x) + sigmoid(0) + tanh(0) + exp(0) + log(1) + sqrt(4)
      c = c + 1
      J = c * m
      ```
      """)
    #expect(result.succeeded, "\(result.diagnostics.map(\.description))")
    #expect(number(result, "g.s") == 49)
    #expect(number(result, "g.c′") == -8)
    #expect(number(result, "g.c") == -7)
    // 49 + (−7) + 2 + 0 + 0.5 + 0 + 1 + 0 + 2 = 47.5
    #expect(number(result, "g.m") == 47.5)
    #expect(number(result, "g.J") == -332.5)
    #expect(number(result, "g.dJ/ds") == -7, "max passes the gradient to the larger argument")
    // Through c′ = y³ (3y² = 12) and |y| (−1): m·12 + c·(−1).
    #expect(number(result, "g.dJ/dy") == 47.5 * 12 + -7 * -1)
  }

  @Test func categoricalCrossEntropyOfOneRowIsOneSample() throws {
    let result = run(
      """
      ```loss l
      predicted: 0.0154493 0.6311634 0.3533873
      target: 0 0 1
      losses: categorical_crossentropy
      ```
      """)
    #expect(result.succeeded, "\(result.diagnostics.map(\.description))")
    #expect(abs(number(result, "l.categorical_crossentropy") - 1.040191) < 1e-6)
    let scores = run(
      "```loss l\npredicted: 2.1 -0.3 0.8\ntarget: 1 0 0\nlosses: categorical_crossentropy\n```\n")
    let error = try #require(onlyError(scores))
    #expect(error.message.contains("probabilities"), "\(error.message)")
    #expect(error.hint?.contains("softmax") == true)
  }

  @Test func huberDeltaIsWrittenTheSameWayEverywhere() {
    let losses = run(
      "```loss l\npredicted: 0.5 3\ntarget: 0 0\nlosses: huber=2 huber\n```\n")
    #expect(losses.succeeded, "\(losses.diagnostics.map(\.description))")
    // huber=2: ½·0.25 and 2·(3 − 1) → mean (0.125 + 4)/2; the last one given wins the name.
    let backward = run(
      """
      ```model m
      inputs: 1
      layer: 1 identity
      weights: w12=1
      biases: θ2=0
      ```

      ```backward m
      input: 3
      target: 0
      loss: huber=2
      show: loss
      ```
      """)
    #expect(backward.succeeded, "\(backward.diagnostics.map(\.description))")
    #expect(number(backward, "m.loss") == 4)
    let spaced = run(
      "```model m\ninputs: 1\nlayer: 1 identity\nweights: w12=1\nbiases: θ2=0\n```\n\n```backward m\ninput: 3\ntarget: 0\nloss: huber 2\n```\n"
    )
    #expect(number(spaced, "m.loss") == 4)
  }

  @Test func aBatchBackwardPassShowsEverySamplesErrorAndTheInputGradients() throws {
    let result = run(
      hanKamber.replacing("input: 1 0 1\ntarget: 1\n", with: "input: 1 0 1; 0 1 1\ntarget: 1; 0\n")
        .replacing("precision: 3\n", with: "precision: 3\nshow: errors loss input_gradients\n"))
    #expect(result.succeeded, "\(result.diagnostics.map(\.description))")
    let tables = result.outcomes[1].items.compactMap { item -> Table? in
      if case .table(let table) = item { return table }
      return nil
    }
    #expect(
      tables.map(\.header) == [
        ["Unit, j", "Errⱼ (1)", "Errⱼ (2)"], ["Loss", "Value"],
        ["Input", "∂L/∂xᵢ (1)", "∂L/∂xᵢ (2)"],
      ])
    #expect(number(result, "hk.Err6[2]") < 0, "the second target is 0")
    // ∂L/∂x1 = δ4·w14 + δ5·w15 for each sample.
    for sample in ["", "[2]"] {
      let expected =
        number(result, "hk.delta4\(sample)") * 0.2 + number(result, "hk.delta5\(sample)") * -0.3
      #expect(abs(number(result, "hk.dL/dx1\(sample)") - expected) < 1e-12)
    }
  }

  @Test func aNetInputThatRoundsToZeroKeepsItsSign() throws {
    let result = run(
      "```perceptron p\nweights: w0=0.3 w1=-0.1 w2=-0.2\nfunction: and\n```\n")
    #expect(result.succeeded, "\(result.diagnostics.map(\.description))")
    guard case .table(let table) = try #require(result.outcomes.first?.items.first) else {
      Issue.record("no table")
      return
    }
    let last = try #require(table.rows.last)
    #expect(
      last[2] == .measured(0.3 + -0.1 * 1 + -0.2 * 1) || last[2] == .measured(0.3 - 0.1 - 0.2))
    #expect(last[3] == .integer(0))
  }

  @Test func everyValueErrorIsReportedBeforeAnyBlockRuns() {
    let result = run(
      """
      ```data d
      source: xor
      ```

      ```model m
      inputs: 2
      layer: 2 sigmod
      init: he_normall
      ```

      ```train m
      data: d
      epochs: many
      batch: -1
      timeout: 1e19
      ```
      """)
    let errors = result.diagnostics.filter { $0.severity == .error }.map(\.headline)
    #expect(errors.count == 5, "\(errors)")
    #expect(errors.contains { $0.hasPrefix("nb.md:7:10:") && $0.contains("sigmod") })
    #expect(errors.contains { $0.hasPrefix("nb.md:15:10:") && $0.contains("timeout") })
    #expect(result.outcomes.allSatisfy { $0.status != .succeeded }, "nothing ran")
    #expect(result.stopReason?.contains("5 errors") == true)
  }

  @Test func aTimeoutStopsTrainingBetweenBatches() throws {
    let result = run(
      """
      ```data digits
      source: digits
      ```

      ```model net
      inputs: 64
      layer: 256 relu
      layer: 10 softmax
      ```

      ```train net
      data: digits
      loss: sparse_categorical_crossentropy
      batch: 1
      epochs: 50
      timeout: 0.001
      ```
      """)
    let error = try #require(onlyError(result))
    #expect(error.message.contains("ran out of time after 0 of 50 epochs"), "\(error.message)")
  }

  @Test func aWideModelIsNamedInLinearTime() {
    // 64-2048-10: 153 610 parameters, every one named once (the name table is O(P)).
    let result = run(
      "```model wide\ninputs: 64\nlayer: 2048 relu\nlayer: 10 softmax\n```\n\n```expect\nwide.parameters = 153610\n```\n"
    )
    #expect(result.succeeded, "\(result.diagnostics.map(\.description))")
    #expect(result.value("wide.w65,2058") == nil)
    #expect(result.value("wide.w1,65") != nil)
  }
}

@Suite("Time limits")
struct TimeLimitTests {
  @Test func aTimeoutStopsALongExpressionAsItGrows() throws {
    let terms = Array(repeating: "a", count: 100_000).joined(separator: " + ")
    let result = run("```expr g\na = 1\nJ = \(terms)\ntimeout: 0.001\n```\n")
    let error = try #require(onlyError(result))
    #expect(error.message.contains("time ran out"), "\(error.message)")
  }

  @Test func aTimeoutStopsAFigureGridRowByRow() throws {
    let result = run(
      """
      ```data points
      columns: x y
      rows:
        0.5 0.2
        2.5 0.9
      ```

      ```model neuron
      inputs: x
      layer: 1 sigmoid
      init: zeros
      ```

      ```plot neuron
      kind: surface
      data: points
      resolution: 200
      epochs: 100000
      timeout: 0.001
      ```
      """)
    let error = try #require(onlyError(result))
    #expect(error.message.contains("ran out of time"), "\(error.message)")
    #expect(error.location.line == 19, "at the timeout option")
  }

  @Test func malformedVaryLinesAreReportedInEveryBuild() throws {
    let result = run(
      "```model m\ninputs: 1\nlayer: 1 identity\nweights: w12=2\nbiases: θ2=0\nvary:\n  w12 from 1 to 9\n```\n"
    )
    let error = try #require(onlyError(result))
    #expect(error.message == "expected 'name in low..high by step', found 'w12 from 1 to 9'")
  }
}

extension SemanticsTests {
  /// A model of over 1,000 parameters is kept whole, not stored weight by weight, and
  /// a quoted weight is still the model's state where it is quoted.
  @Test func aLargeModelsWeightsAreLookedUpByName() throws {
    let result = run(
      """
      ```model big
      inputs: 200
      layer: 60 sigmoid
      layer: 1 sigmoid
      seed: 2
      ```

      Before: {{ big.w1,201 | 6 }}.

      ```backward big
      input: \((1...200).map { _ in "1" }.joined(separator: " "))
      target: 1
      rate: 5
      apply: true
      results: hide
      ```

      After: {{ big.w1,201 | 6 }}, of {{ big.parameters | 0 }}; a bias {{ big.θ261 | 6 }}.
      """)
    #expect(result.succeeded, "\(result.diagnostics.map(\.description))")
    let quotes = result.quotes.sorted { $0.key < $1.key }.map(\.value.value)
    #expect(quotes.count == 4)
    let before = try #require(quotes.first?.number)
    let after = try #require(quotes.dropFirst().first?.number)
    #expect(before != after, "the applied step changed w1,201")
    #expect(quotes[2] == .number(12_121))
    #expect(result.values.value(ValueKey(owner: "big", quantity: "w1,201")) == .number(after))
    #expect(result.values.value(ValueKey(owner: "big", quantity: "w1,999")) == nil)
  }
}
