import Foundation
import NeuralEngine
import Notebook
import Runner
import Testing

/// Issue 23's vocabulary from a notebook: layer options, optimiser constants and
/// schedules, gradient norms, batch losses, gradient checks, activation tables, stored
/// values in `expr`, and the mistakes each can make.
@Suite("Regularisation, optimisers and gradient checking in notebooks")
struct RegularizationDirectiveTests {
  static func tables(_ result: RunResult, _ kind: DirectiveKind) -> [Table] {
    result.outcomes.filter { $0.block.kind == kind }.flatMap {
      $0.items.compactMap { item -> Table? in
        if case .table(let table) = item { return table }
        return nil
      }
    }
  }

  static let dropModel = """
    ```model drop
    inputs: x1 x2 x3
    layer: 4 sigmoid dropout=0.5
    layer: 1 sigmoid
    weights: w14=0.2 w15=-0.3 w16=0.4 w17=0.1 w24=0.4 w25=0.1 w26=-0.5 w27=0.2 w34=-0.5 w35=0.2 w36=0.3 w37=-0.1 w48=-0.3 w58=-0.2 w68=0.5 w78=0.4
    biases: θ4=-0.4 θ5=0.2 θ6=0.1 θ7=-0.2 θ8=0.1
    ```

    """

  @Test("a layer line with two unknown settings and bad values: every mistake in one run")
  func everyLayerMistakeAtOnce() {
    let result = run(
      """
      ```model m
      inputs: 2
      layer: 4 relu dropuot=0.5 batchnrom=true
      layer: 3 tanh dropout=1.5
      layer: 1 sigmod l2=-1
      ```

      ```train m
      data: d
      schedule: step 0.5 evry 10
      ```

      """)
    let errors = result.diagnostics.filter { $0.severity == .error }.map(\.headline)
    #expect(errors.contains("nb.md:3:15: error: unexpected 'dropuot=0.5' in 'layer'"))
    #expect(errors.contains("nb.md:3:27: error: unexpected 'batchnrom=true' in 'layer'"))
    #expect(
      errors.contains(
        "nb.md:4:15: error: dropout must be a rate from 0 up to (not including) 1, not '1.5'"))
    #expect(errors.contains("nb.md:5:10: error: unknown activation 'sigmod'"))
    #expect(errors.contains("nb.md:5:17: error: l2 must be a number ≥ 0, not '-1'"))
    #expect(errors.contains("nb.md:10:20: error: expected 'every' in 'schedule', found 'evry'"))
    #expect(errors.count == 6)
    // A constant of another optimiser, and a schedule's bad number, in one run.
    let constants = run(
      """
      ```train m
      data: d
      optimizer: sgd
      beta1: 0.8
      amsgrad: true
      ```

      ```train n
      data: d
      optimizer: rmsprop
      rho: 0.9
      schedule: cosine 0
      ```

      """)
    let more = constants.diagnostics.filter { $0.severity == .error }.map(\.headline)
    #expect(more.contains("nb.md:4:8: error: 'beta1' is a constant of Adam, not of SGD"))
    #expect(more.contains("nb.md:5:10: error: 'amsgrad' is a constant of Adam, not of SGD"))
    #expect(more.contains("nb.md:12:18: error: a number of epochs must be 1 to 1000000, not '0'"))
    let hints = result.diagnostics.compactMap(\.hint)
    #expect(hints.contains("did you mean 'dropout=…'?"))
    #expect(hints.contains("did you mean 'batchnorm=…'?"))
  }

  @Test("dropout by hand: masks from the seed, a dropped unit's error and updates are zero")
  func dropoutByHand() throws {
    let result = run(
      Self.dropModel + """
        ```forward drop
        input: 1 0 1
        mode: training
        ```

        ```backward drop
        input: 1 0 1
        target: 1
        rate: 0.9
        ```

        ```forward drop
        input: 1 0 1
        as: plain
        ```

        """)
    #expect(result.succeeded, "\(result.diagnostics.map(\.headline))")
    let masks = (4...7).map { number(result, "drop.mask\($0)") }
    #expect(masks.allSatisfy { $0 == 0 || $0 == 2 } && masks.contains(0))
    // O = φ(I)·m: unit 4 kept, φ(−0.7) = 0.3318 doubled.
    let kept = try #require((4...7).first { number(result, "drop.mask\($0)") == 2 })
    let dropped = try #require((4...7).first { number(result, "drop.mask\($0)") == 0 })
    #expect(abs(number(result, "drop.O\(kept)") - 2 * number(result, "plain.O\(kept)")) < 1e-15)
    #expect(number(result, "drop.O\(dropped)") == 0)
    #expect(number(result, "drop.Err\(dropped)") == 0)
    #expect(number(result, "drop.new_w1\(dropped)") == number(result, "drop.w1\(dropped)"))
    // The error formula of a kept unit multiplies φ(1 − φ) by its mask.
    let errors = Self.tables(result, .backward).first { $0.header == ["Unit, j", "Errⱼ"] }
    let text = try #require(errors).rows.map { row in row.map { "\($0)" }.joined() }
    #expect(text.contains { $0.contains("mask\(kept)") })
    let dropTable = Self.tables(result, .forward).first { $0.header.contains("Mask mⱼ") }
    #expect(dropTable?.rows.count == 4)
  }

  @Test("batch normalisation by hand: μ, σ², x̂ and the gradients of γ and β")
  func batchNormByHand() throws {
    let result = run(
      """
      ```data xor
      source: xor
      ```

      ```model bn
      inputs: x1 x2
      layer: 3 sigmoid batchnorm=true
      layer: 1 sigmoid
      weights: w13=0.5 w14=-0.3 w15=0.8 w23=0.2 w24=0.7 w25=-0.6 w36=0.4 w46=-0.5 w56=0.3
      biases: θ3=0.1 θ4=-0.2 θ5=0.05 θ6=0.1
      ```

      ```backward bn
      data: xor
      loss: binary_crossentropy
      show: forward gradients
      ```

      ```gradcheck bn
      data: xor
      loss: binary_crossentropy
      mode: training
      as: check
      ```

      """)
    #expect(result.succeeded, "\(result.diagnostics.map(\.headline))")
    // Unit 3's net inputs over XOR's rows (0 0, 0 1, 1 0, 1 1): 0.1, 0.3, 0.6, 0.8.
    #expect(abs(number(result, "bn.mu3") - 0.45) < 1e-15)
    #expect(abs(number(result, "bn.var3") - 0.0725) < 1e-15)
    let xhat = (1...4).map { number(result, "bn.xhat3[\($0)]") }
    #expect(abs(xhat[0] - (0.1 - 0.45) / (0.0725 + 0.001).squareRoot()) < 1e-14)
    #expect(abs(xhat.reduce(0, +)) < 1e-14)
    // The targets came from the data set (XOR: 0 1 1 0), and the bias before the
    // normalisation gets no gradient.
    #expect(abs(number(result, "bn.grad_θ3")) < 1e-15)
    #expect(!number(result, "bn.grad_gamma3").isNaN && !number(result, "bn.grad_beta3").isNaN)
    #expect(number(result, "check.max_error") < 1e-7)
    #expect(abs(number(result, "check.grad_gamma3") - number(result, "bn.grad_gamma3")) < 1e-15)
  }

  @Test("optimiser constants and schedules reach the engine; lr and norms are stored")
  func constantsAndSchedules() {
    let result = run(
      """
      ```data d
      source: xor
      ```

      ```model m
      inputs: 2
      layer: 3 tanh
      layer: 1 sigmoid
      seed: 1
      ```

      ```train a from=m
      data: d
      loss: binary_crossentropy
      optimizer: adam
      rate: 0.1
      beta1: 0.5
      beta2: 0.9
      epsilon: 1e-8
      amsgrad: true
      epochs: 12
      schedule: step 0.5 every 5
      norms: true
      batches: true
      batch: 2
      plot: loss lr norms
      ```

      """)
    #expect(result.succeeded, "\(result.diagnostics.map(\.headline))")
    #expect(number(result, "a.lr@5") == 0.1)
    #expect(number(result, "a.lr@6") == 0.05)
    #expect(number(result, "a.lr@11") == 0.025)
    #expect(number(result, "a.lr") == 0.025)
    #expect(number(result, "a.grad_norm1@1") > 0 && number(result, "a.grad_norm2@12") > 0)
    // Two batches per epoch; the epoch's loss is their mean (equal batch sizes).
    let batches = [number(result, "a.batch_loss1@3"), number(result, "a.batch_loss2@3")]
    #expect(abs((batches[0] + batches[1]) / 2 - number(result, "a.loss@3")) < 1e-15)
    let tables = Self.tables(result, .train)
    #expect(tables.first?.header.contains("η") == true)
    #expect(tables.first?.header.contains("‖∂L/∂W⁽¹⁾‖") == true)
    #expect(tables.contains { $0.header == ["Batch", "Loss"] && $0.rows.count == 2 })
  }

  @Test("a penalty is said under the training table; a layer's penalty is in the loss")
  func penaltyNote() throws {
    let result = run(
      """
      ```data d
      source: xor
      ```

      ```model m
      inputs: 2
      layer: 3 tanh l2=0.01 l1=0.002
      layer: 1 sigmoid
      seed: 1
      ```

      ```train m
      data: d
      validation: d
      loss: binary_crossentropy
      optimizer: sgd
      rate: 0.5
      epochs: 3
      ```

      """)
    #expect(result.succeeded, "\(result.diagnostics.map(\.headline))")
    let notes = result.outcomes.flatMap(\.items).compactMap { item -> String? in
      if case .note(let text) = item { return text }
      return nil
    }
    #expect(
      notes.contains(
        "The training loss includes layer 1's penalty 0.002·Σ|w| + 0.01·Σw²; the validation loss does not (it measures the fit alone)."
      ))
    // The same data for training and validation: the validation loss, without the
    // penalty, is below the training loss, which carries it.
    #expect(number(result, "m.val_loss") < number(result, "m.loss"))
    let summary = Self.tables(result, .model).first
    #expect(summary?.header.last == "Regularisation")
  }

  @Test("guesses that set different parameters: one column each, labelled by parameter")
  func guessesLabelled() throws {
    let result = run(
      """
      ```data fit
      rows:
        1 2
        2 3
      ```

      ```model m
      inputs: 1
      layer: 1 identity
      weights: w=0.5
      biases: b=0
      ```

      ```loss L
      model: m
      data: fit
      loss: mse
      guesses:
        w=1 b=0
        b=1
        w=2
      ```

      """)
    #expect(result.succeeded, "\(result.diagnostics.map(\.headline))")
    let table = try #require(Self.tables(result, .loss).first)
    #expect(table.header == ["w", "b", "L(w, b)"])
    #expect(table.rows.allSatisfy { $0.count == 3 })
    // The second guess leaves w at the model's 0.5: ŷ = 0.5x + 1.
    let expected = ((0.5 + 1 - 2) * (0.5 + 1 - 2) + (1 + 1 - 3) * (1 + 1 - 3)) / 2
    #expect(abs(number(result, "L.L2") - expected) < 1e-15)
    #expect(table.rows[1].first == .plain(0.5))
  }

  @Test("expr reads stored values; {{ }} arithmetic and bad decimals are located errors")
  func storedValuesAndPlaceholders() throws {
    let good = run(
      hanKamber + """
        ```gradcheck hk
        input: 1 0 1
        target: 1
        loss: half_sse
        ```

        ```expr e
        d = hk.grad_w46 - hk.numeric_w46
        rel = abs(d) / abs(hk.grad_w46)
        out = leaky_relu(hk.O6 - 1) + relu(hk.O6[1])
        ```

        """)
    #expect(good.succeeded, "\(good.diagnostics.map(\.headline))")
    let d = number(good, "hk.grad_w46") - number(good, "hk.numeric_w46")
    #expect(number(good, "e.d") == d)
    #expect(number(good, "e.rel") == abs(d) / abs(number(good, "hk.grad_w46")))
    #expect(number(good, "e.rel") < 1e-7)
    let o6 = number(good, "hk.O6")
    #expect(abs(number(good, "e.out") - (0.01 * (o6 - 1) + o6)) < 1e-15)
    // hk.O6 and hk.O6[1] are one value read twice, two variables of the graph.
    #expect(abs(number(good, "e.dout/dhk_O6") - 0.01) < 1e-12)
    #expect(number(good, "e.dout/dhk_O6_1_") == 1)

    let bad = run(
      hanKamber + """
        The difference is {{ hk.O6 - hk.O6 }} and {{ hk.O6 | -1 }}.

        """)
    let unknown = run(hanKamber + "```expr e\nx = hk.nothing + 1\n```\n")
    let errors = (bad.diagnostics + unknown.diagnostics).filter { $0.severity == .error }.map(
      \.headline)
    #expect(
      errors.contains(
        "nb.md:15:19: error: '{{ hk.O6 - hk.O6 }}' is not one value: a placeholder names a value (owner.quantity), optionally with '| decimals', and does no arithmetic"
      ))
    #expect(
      errors.contains(
        "nb.md:15:43: error: '| -1' is not a number of decimals: a placeholder takes 0 to 15 after '|'"
      ))
    #expect(errors.contains("nb.md:16:5: error: 'hk.nothing' names no computed value"))
  }

  @Test("activation tables: φ and φ′ at given points, with the kinks' conventions")
  func activationTable() {
    let result = run(
      """
      ```activation act
      functions: sigmoid relu leaky_relu tanh
      at: -1 0 2
      ```

      """)
    #expect(result.succeeded, "\(result.diagnostics.map(\.headline))")
    #expect(number(result, "act.d_sigmoid[2]") == 0.25)
    #expect(number(result, "act.d_relu[2]") == 0)
    #expect(number(result, "act.d_leaky_relu[2]") == 0.01)
    #expect(number(result, "act.leaky_relu") == -0.01)
    #expect(number(result, "act.relu[3]") == 2)
    #expect(
      abs(number(result, "act.d_tanh") - (1 - Foundation.tanh(-1) * Foundation.tanh(-1))) < 1e-15)
  }

  @Test("a gradient check on a model too large for it is a located error")
  func gradientCheckLimit() {
    let result = run(
      """
      ```model big
      inputs: 100
      layer: 100 relu
      layer: 1 sigmoid
      ```

      ```gradcheck big
      input: \(Array(repeating: "1", count: 100).joined(separator: " "))
      target: 1
      ```

      """)
    let error = onlyError(result)
    #expect(error?.message.contains("over its limit of 5000") == true)
    #expect(error?.location.line == 7)
  }
}
