import Foundation
import NeuralEngine
import Notebook
import Runner
import Testing

/// Convolutional and recurrent models in `model`, `train`, `evaluate` and `plot`: the values
/// they store against the engine called directly, their figures, and their mistakes located.
@Suite("Convolutional and recurrent models in notebooks")
struct LayeredModelTests {
  static let digitsCNN = """
    ```data digits
    source: digits
    split: train 0.6 validation 0.2 test 0.2
    scale: max
    onehot: true
    preview: 0
    ```

    ```model cnn
    inputs: 8x8
    layer: conv 4 3x3 relu
    layer: pool max 2
    layer: 10 softmax
    init: he_uniform
    seed: 1
    ```

    ```train cnn
    data: digits.train
    validation: digits.validation
    loss: categorical_crossentropy
    optimizer: sgd
    rate: 0.1
    epochs: 3
    batch: 32
    metrics: accuracy
    ```

    ```evaluate cnn
    data: digits.test
    as: test
    ```

    """

  @Test("a CNN block's counts, training and test accuracy equal the engine's own run")
  func cnnAgainstTheEngine() throws {
    let result = run(Self.digitsCNN)
    #expect(result.succeeded, "\(result.diagnostics.map(\.headline))")
    // 4 filters of 3·3 weights and a bias; 3·3·4 pooled values to 10 classes.
    let parameters: Double = 4 * 10 + (36 + 1) * 10
    let work: Double = 6 * 6 * 4 * 9 + 36 * 10
    #expect(number(result, "cnn.parameters") == parameters)
    #expect(number(result, "cnn.multiply_adds") == work)

    // The same network, built and trained here from the engine's parts.
    let split = try Datasets.digits().oneHotTargets().split(validation: 0.2, test: 0.2, seed: 0)
    let top = split.train.features.maxMagnitude()
    let scale = { (m: Matrix<Double>) in m.scaled(by: 1 / top) }
    let train = scale(split.train.features)
    var generator = RandomGenerator(seed: 1)
    let conv = try Convolution2D<Double>(
      filters: 4, window: Window(height: 3, width: 3), inputChannels: 1, activation: .relu,
      initializer: .heUniform, generator: &generator)
    let head = try Network<Double>(
      inputs: 36,
      layers: [
        Dense(
          inputs: 36, units: 10, activation: .softmax, initializer: .heUniform,
          generator: &generator)
      ])
    var cnn = try ConvolutionalNetwork(
      height: 8, width: 8, channels: 1,
      stages: [
        .convolution(conv),
        .pooling(
          Pooling2D(
            kind: .max, window: Window(height: 2, width: 2, strideHeight: 2, strideWidth: 2))),
      ], head: head)
    let history = try cnn.fit(
      train, split.train.targets,
      configuration: TrainingConfiguration(
        loss: .categoricalCrossEntropy, optimizer: .sgd(learningRate: 0.1), epochs: 3,
        batchSize: 32, seed: 0, metrics: [.accuracy]),
      validation: (scale(split.validation.features), split.validation.targets))
    #expect(history.records.count == 3)
    #expect(number(result, "cnn.loss") == history.records[2].loss)
    #expect(number(result, "cnn.val_accuracy") == history.records[2].validationMetrics?[0])
    let test = try cnn.evaluate(
      samples: scale(split.test.features), split.test.targets,
      loss: .categoricalCrossEntropy, metrics: [.accuracy])
    #expect(number(result, "test.accuracy") == test.metrics[0])
    #expect(test.metrics[0] > 0.5)
  }

  @Test("the filters plot draws each learned filter; the maps plot the image and each map")
  func filtersAndMaps() throws {
    let result = run(
      Self.digitsCNN + """
        ```plot cnn
        kind: filters
        ```

        ```plot cnn
        kind: maps
        data: digits.test
        sample: 2
        ```

        """)
    #expect(result.succeeded, "\(result.diagnostics.map(\.headline))")
    let figures = result.outcomes.flatMap(\.items).compactMap {
      if case .figure(let figure) = $0 { figure } else { nil }
    }
    let filters = try #require(figures.first { $0.caption.contains("filters of") })
    let svg = filters.figure.svg(id: "f")
    #expect((1...4).allSatisfy { svg.contains(">filter \($0)<") } && !svg.contains(">filter 5<"))
    // 4 filters of 3×3 cells each, plus a frame per filter.
    #expect(svg.components(separatedBy: "<rect").count - 1 >= 4 * 9 + 4)
    let maps = try #require(figures.first { $0.caption.contains("feature maps") })
    let mapsSVG = maps.figure.svg(id: "m")
    #expect(mapsSVG.contains(">input<") && mapsSVG.contains(">map 4<"))
    #expect(maps.caption.hasPrefix("Sample 2 of"))
  }

  @Test("a recurrent model learns to recall the first of four steps; recall's labels are x1's sign")
  func recurrentRecall() throws {
    let result = run(
      """
      ```data seq
      source: recall
      samples: 200
      steps: 4
      ```

      ```model cell
      inputs: 4x1
      layer: rnn 6
      layer: 1 sigmoid
      seed: 3
      ```

      ```train cell
      data: seq
      loss: binary_crossentropy
      optimizer: sgd
      rate: 0.1
      epochs: 30
      batch: 20
      metrics: accuracy
      ```

      """)
    #expect(result.succeeded, "\(result.diagnostics.map(\.headline))")
    let parameters: Double = 1 * 6 + 6 * 6 + 6 + 6 + 1
    #expect(number(result, "cell.parameters") == parameters)
    let work: Double = 4 * (6 + 36) + 6
    #expect(number(result, "cell.multiply_adds") == work)
    #expect(number(result, "cell.accuracy") > 0.95)
    let set = try Datasets.recall(samples: 50, steps: 5, seed: 2)
    for k in 0..<50 {
      #expect(set.targets[k, 0] == (set.features[k, 0] > 0 ? 1 : 0))
      #expect(try set.features.row(k).allSatisfy { $0 == 1 || $0 == -1 })
    }
  }

  @Test(
    "mistakes in layered models are located",
    arguments: [
      (
        "```model m\ninputs: 8x8\nlayer: conv 4 9x9 relu\nlayer: 2 softmax\n```\n",
        "nb.md:3:15: error: expected a kernel size such as 3x3 (1 to 7 a side), found '9x9'"
      ),
      (
        "```model m\ninputs: 300x300\nlayer: conv 64 7x7 relu\nlayer: 2 softmax\n```\n",
        "nb.md:3:8: error: this convolution would handle 5531904 values per image (its patches and maps); nbrun's limit is 250000"
      ),
      (
        "```model m\ninputs: 8x8\nlayer: 4 relu\nlayer: pool max 2\nlayer: 2 softmax\n```\n",
        "nb.md:4:8: error: a 'pool' layer comes after a dense layer"
      ),
      (
        "```model m\ninputs: 6\nlayer: rnn 4\nlayer: 1 sigmoid\n```\n",
        "nb.md:2:9: error: an 'rnn' layer reads sequences: give 'inputs' as STEPSxINPUTS"
      ),
      (
        "```model m\ninputs: 8x8\nlayer: pool mean 2\nlayer: 2 softmax\n```\n",
        "nb.md:3:13: error: expected 'max' or 'average' after 'pool', found 'mean'"
      ),
      (
        "```model m\ninputs: 4x4\nlayer: conv 2 3x3 relu strides=2\nlayer: 2 softmax\n```\n",
        "nb.md:3:24: error: unexpected 'strides=2' in 'conv' layer"
      ),
      (
        "```model m\ninputs: 4x4\nlayer: conv 2 3x3\nlayer: 2 softmax\n```\n\n```forward m\ninput: 1\n```\n",
        "nb.md:7:1: error: 'm' is a convolutional network: a forward block works on dense networks"
      ),
    ])
  func located(_ notebook: String, _ headline: String) {
    #expect(onlyError(run(notebook))?.headline == headline)
  }
}
