import Notebook
import Runner
import Testing

/// Bad input gives a located error that says what was expected, with a suggestion; and
/// never a crash.
@Suite("Errors in notebooks")
struct ErrorTests {
  /// (notebook, expected headline, expected hint or nil)
  static let cases: [(String, String, String?)] = [
    // What a body holds and whether the name is required are each directive's own syntax.
    (
      "```model m\ninputs: 2\n# a comment\njust words\nlayer: 1 sigmoid\n```\n",
      "nb.md:4:1: error: expected 'key: value' in a model block",
      "options are written one per line, e.g. 'rate: 0.1'"
    ),
    (
      "```model m\ninputs: 2\nlayer: 1 sigmoid\n```\n\n  ```forward\ninput: 1 0\n```\n",
      "nb.md:6:6: error: 'forward' needs a name: the model it works on",
      "write it after the directive, e.g. 'forward hk'"
    ),
    // A bad value in a later row of an inline table is located on its own line and column.
    (
      "```data d\nrows:\n  1 0\n  2 x1\n```\n", "nb.md:4:5: error: 'x1' in 'rows' is not a number",
      nil
    ),
    (
      "```model m\ninputs: 2\nlayer: 3 sigmod\n```\n",
      "nb.md:3:10: error: unknown activation 'sigmod'", "did you mean 'sigmoid'?"
    ),
    (
      hanKamber + "```forward hk\ninput: 1 0\n```\n",
      "nb.md:16:8: error: the model takes 3 inputs per sample (NCOL(X) == NROW(W)), but a sample here has 2",
      nil
    ),
    (
      hanKamber + "```forward hx\ninput: 1 0 1\n```\n",
      "nb.md:15:1: error: no model 'hx' is defined above", "did you mean 'hk'?"
    ),
    (
      "```model m\ninputs: 2\nlayer: 1 sigmoid\nweights: w13=abc\n```\n",
      "nb.md:4:10: error: expected name=number in 'weights', found 'w13=abc'", nil
    ),
    (
      "```model m\ninputs: 2\nlayer: 1 sigmoid\nweights: w19=0.5\n```\n",
      "nb.md:4:10: error: the model has no weight 'w19'", "did you mean 'w13'?"
    ),
    (
      "```model m\ninputs: two\nlayer: 1 sigmoid\nmatrix: W1 1 2 3\n```\n",
      "nb.md:4:9: error: W1 is 1×1 (a row per input, a column per unit); got 1 rows of 3", nil
    ),
    (
      "```data d\nsource: mons\n```\n",
      "nb.md:2:9: error: unknown data source 'mons'", "did you mean 'moons'?"
    ),
    (
      "```data d\nsource: xor\n```\n```model m\ninputs: 2\nlayer: 1 sigmoid\n```\n```train m\ndata: d\nepochs: -5\n```\n",
      "nb.md:10:9: error: 'epochs' must be a whole number from 1 to 1000000, not '-5'", nil
    ),
    (
      "```data d\nsource: xor\n```\n```model m\ninputs: 2\nlayer: 1 sigmoid\n```\n```train m\ndata: d\noptimiser: adam\n```\n",
      "nb.md:10:1: error: unknown option 'optimiser' for train", "did you mean 'optimizer'?"
    ),
    (
      "```data d\nsource: xor\n```\n```model m\ninputs: 2\nlayer: 1 sigmoid\n```\n```train m\ndata: d\nloss: crossentropyy\n```\n",
      "nb.md:10:7: error: unknown loss 'crossentropyy'", "did you mean 'crossentropy'?"
    ),
    (
      "```expr g\nJ = 3*(a + \na = 1\n```\n",
      "nb.md:2:11: error: expected a number, a name or '(' at column 7 of '3*(a +'", nil
    ),
    (
      "```expr g\nJ = sine(a)\na = 1\n```\n",
      "nb.md:2:5: error: unknown function 'sine' at column 1 of 'sine(a)'", "did you mean 'sin'?"
    ),
    (
      "```expect\nnothing.here ≈ 1\n```\n",
      "nb.md:2:1: error: 'nothing.here' names no computed value", nil
    ),
    (
      "Quoted: {{ hk.O7 }}.\n\n" + hanKamber,
      "nb.md:1:9: error: 'hk.O7' names no computed value", "did you mean 'hk.O4'?"
    ),
    (
      "```data d\nrows:\n  1 2\n  3\n```\n",
      "nb.md:3:3: error: row 2 has 1 numbers but row 1 has 2", nil
    ),
    (
      "```model m\ninputs: 100000\nlayer: 100000 relu\n```\n",
      "nb.md:3:8: error: this model would have more than 20000000 parameters", nil
    ),
    (
      "```model m\ninputs: 2\nlayer: 1 sigmoid\nprecision: lots\n```\n",
      "nb.md:4:12: error: 'precision' must be a whole number from 0 to 12, not 'lots'", nil
    ),
    (
      "```data d\nrows:\n  1 2\n```\n\n```train d\ndata: d.tset\n```\n",
      "nb.md:7:9: error: 'tset' is not a part of a data set: a split makes train, validation, test",
      "did you mean 'test'?"
    ),
  ]

  @Test("each mistake is located and explained", arguments: cases.indices)
  func located(_ index: Int) {
    let (notebook, headline, hint) = Self.cases[index]
    let result = run(notebook)
    let error = onlyError(result)
    #expect(error?.headline == headline)
    if let hint { #expect(error?.hint == hint) }
    #expect(error?.sourceLine != nil)
  }

  @Test func expectedErrorsAreResultsAndOtherOutcomesAreNot() {
    let model = "```model m\ninputs: 3\nlayer: 2 sigmoid\n```\n"
    let expected = run(model + "```forward m\ninput: 1 2\nexpect_error: NCOL(X) == NROW(W)\n```\n")
    #expect(expected.succeeded)
    #expect(
      expected.outcomes.last?.items == [
        .expectedError(
          "the model takes 3 inputs per sample (NCOL(X) == NROW(W)), but a sample here has 2")
      ])
    let ran = run(model + "```forward m\ninput: 1 2 3\nexpect_error: NCOL\n```\n")
    #expect(
      onlyError(ran)?.headline
        == "nb.md:7:15: error: this block was expected to fail with 'NCOL', but it ran")
    let other = run(model + "```forward m\ninput: 1 2\nexpect_error: something else\n```\n")
    #expect(onlyError(other)?.message.hasPrefix("the model takes 3 inputs per sample") == true)
  }

  @Test func aFailureStopsTheRunUnlessKeepGoing() {
    let notebook = """
      ```model a
      inputs: 2
      layer: 1 sigmod
      ```

      ```forward a
      input: 1 1
      ```

      ```expr g
      J = 2*x
      x = 1
      ```
      """
    let stopped = run(notebook)
    #expect(stopped.outcomes.map(\.status) == [.failed, .notRun, .notRun])
    let going = run(notebook, options: RunOptions(keepGoing: true))
    #expect(going.outcomes.map(\.status) == [.failed, .skipped("'a' failed above"), .succeeded])
  }

  @Test func timeoutsAndBudgetsNameTheBlock() {
    let notebook = """
      ```data s
      source: spirals
      samples: 600
      ```

      ```model m
      inputs: 2
      layer: 64 relu
      layer: 3 softmax
      ```

      ```train m
      data: s
      loss: sparse_categorical_crossentropy
      epochs: 100000
      batch: 1
      timeout: 0.2
      ```

      ```expr g
      J = 2*x
      x = 1
      ```
      """
    let result = run(notebook)
    let error = onlyError(result)
    #expect(error?.message.hasPrefix("train m ran out of time after") == true)
    #expect(error?.message.hasSuffix("of 100000 epochs (its timeout of 0.2 s)") == true)
    #expect(error?.location.line == 17)
    #expect(result.outcomes.last?.status == .notRun)

    let budgeted = run(
      notebook.replacing("timeout: 0.2", with: ""), options: RunOptions(budget: 0.2))
    #expect(
      budgeted.diagnostics.first { $0.severity == .error }?.message.contains("the run's budget")
        == true)
  }

  @Test func nonsenseNeverCrashes() {
    let inputs = [
      "```model\n```", "```data d\nrows:\n```", "```train x\n```", "```expect\n= 3\n```",
      "```model m\ninputs: 0\nlayer: 0 relu\n```", "```model m\ninputs: 99999999999999999999\n```",
      "```perceptron p\ninputs: 40\n```", "```data d\nsource: blobs\nsamples: -1\n```",
      "```model m\ninputs: 1\nlayer: 1 relu\nmatrix: W9 1\n```", "---\nseed: -3\n---\n",
      "```expr g\nJ = x^\n```", "```backward m\n```", "{{ }} {{ a. }} {{",
      "```data d\nsource: xor\nsplit: train 2\n```",
      "```model m\ninputs: 1\nlayer: 1 leaky_relu alpha=x\n```",
    ]
    for input in inputs {
      let result = run(input)
      #expect(
        result.outcomes.allSatisfy { $0.status != .succeeded } || result.succeeded
          || !result.diagnostics.isEmpty)
    }
  }
}

extension ErrorTests {
  /// The hostile inputs that once killed or stalled nbrun: each ends in results or a
  /// located error.
  @Test func hostileExpressionsAndFloodsEndInAnswers() {
    func expression(_ body: String) -> String { "```expr g\nJ = \(body)\nx = 1\n```\n" }
    for deep in [
      String(repeating: "(", count: 100_000) + "x" + String(repeating: ")", count: 100_000),
      String(repeating: "-", count: 100_000) + "x",
      String(repeating: "sin(", count: 50_000) + "x" + String(repeating: ")", count: 50_000),
      Array(repeating: "x", count: 100_000).joined(separator: "^"),
    ] {
      let result = run(expression(deep))
      #expect(
        result.diagnostics.first?.message.hasPrefix(
          "the expression is nested more than 256 levels deep") == true,
        "\(result.diagnostics.first?.message.prefix(80) ?? "no error")")
    }
    // A flat sum of 100,000 terms is an answer (J = 100,000), not a deep tree.
    let flat = run(expression(Array(repeating: "x", count: 100_000).joined(separator: "+")))
    #expect(flat.succeeded)
    #expect(flat.values.value(ValueKey(owner: "g", quantity: "J")) == .number(100_000))
    // A YAML alias bomb in the front matter, a class label of 2³², floods of `$`.
    let bomb =
      "---\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
      + (1...7).map { k in
        let (name, previous) = (
          String(UnicodeScalar(97 + k) ?? "z"), String(UnicodeScalar(96 + k) ?? "a")
        )
        return "\(name): &\(name) ["
          + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]\n"
      }.joined() + "---\n\n# Title\n"
    #expect(run(bomb).document.frontMatter.title == nil)
    let label = run(
      "```data d\ncolumns: a b y\nrows:\n  0 0 0\n  1 1 4294967296\n```\n\n```model m\ninputs: 2\nlayer: 2 softmax\n```\n\n```plot m\nkind: boundary\ndata: d\n```\n"
    )
    #expect(label.outcomes.count == 3)
    #expect(run(String(repeating: "$ ", count: 200_000)).succeeded)
  }
}

extension ErrorTests {
  /// Thousands of mistakes on one long line each quote a window of it, cut by bytes, with
  /// the caret under the mistake: the description never copies the whole line.
  @Test func manyMistakesOnOneLongLineQuoteWindows() {
    let result = run(String(repeating: "{{ nothing.here }} ", count: 999) + "{{ last.one }}\n")
    #expect(result.diagnostics.count == 1_000)
    let last = result.diagnostics.map(\.description).max { $0.count < $1.count } ?? ""
    #expect(last.count < 600, "\(last.count) characters")
    let end = result.diagnostics.first { $0.message.contains("'last.one'") }?.description ?? ""
    #expect(end.contains("{{ nothing.here }} {{ last.one }}\n"), "\(end)")
    #expect(end.contains("\n" + String(repeating: " ", count: 4 + 1 + 60) + "^~~"), "\(end)")
  }

  /// Past a thousand placeholder mistakes the rest are counted in one line, not resolved
  /// (and suggested for) one by one.
  @Test func aThousandMistakesSayEnough() {
    let result = run(String(repeating: "{{ nothing.here }} ", count: 20_000) + "\n")
    #expect(result.diagnostics.count == 1_001)
    #expect(
      result.diagnostics.last?.message
        == "19000 more placeholders were not checked after 1000 mistakes")
  }
}
