import Foundation
import NeuralEngine
import Testing

@Suite("Data and the random generator")
struct DataTests {
  static let repository = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  @Test func compiledDigitsEqualTheShippedCSV() throws {
    let text = try String(
      contentsOf: Self.repository.appendingPathComponent("data/digits.csv"), encoding: .utf8)
    let fromCSV = try Dataset(csv: text, hasHeader: false)
    let digits = Datasets.digits()
    #expect(digits.features.shape == Shape(rows: 1797, columns: 64))
    #expect(digits.features == fromCSV.features)
    #expect(digits.targets == fromCSV.targets)
    #expect(try digits.classCount() == 10)
    #expect(digits.features.elements.max() == 16)
  }

  @Test func generatorIsPlatformIndependent() {
    // Values from an independent Python implementation of SplitMix64 + xoshiro256**.
    var g = RandomGenerator(seed: 42)
    #expect(g.next() == 0x1578_0b2e_0c2e_c716)
    #expect(g.next() == 0x6104_d986_6d11_3a7e)
    #expect(g.next() == 0xae17_5332_39e4_99a1)
    var h = RandomGenerator(seed: 42)
    #expect(h.nextUniform() == 0.08386297105988216)
  }

  @Test func gaussianDrawsLookNormal() {
    var g = RandomGenerator(seed: 1)
    let draws = (0..<20000).map { _ in g.nextGaussian() }
    let mean = draws.reduce(0, +) / 20000
    let variance = draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 20000
    expectClose(mean, 0, tolerance: 0.03)
    expectClose(variance, 1, tolerance: 0.05)
    var counts = Array(repeating: 0, count: 7)
    for _ in 0..<7000 { counts[g.nextInt(below: 7)] += 1 }
    #expect(counts.allSatisfy { (850...1150).contains($0) })
    #expect(g.permutation(of: 10).sorted() == Array(0..<10))
  }

  @Test func generatedSetsAreSeededAndShaped() throws {
    let moons = try Datasets.twoMoons(samples: 101, noise: 0.1, seed: 3)
    #expect(moons.features.shape == Shape(rows: 101, columns: 2))
    #expect(try moons.labels().filter { $0 == 1 }.count == 51)
    #expect(try Datasets.twoMoons(samples: 101, noise: 0.1, seed: 3) == moons)
    #expect(try Datasets.twoMoons(samples: 101, noise: 0.1, seed: 4) != moons)
    let circles = try Datasets.circles(samples: 100, noise: 0, factor: 0.5, seed: 1)
    let radii = circles.features.nestedRows.map { ($0[0] * $0[0] + $0[1] * $0[1]).squareRoot() }
    #expect(zip(radii, try circles.labels()).allSatisfy { abs($0 - ($1 == 0 ? 1 : 0.5)) < 1e-12 })
    #expect(try Datasets.spirals(samples: 90, classes: 3, seed: 1).classCount() == 3)
    #expect(
      try Datasets.blobs(samples: 30, centers: 3, seed: 1).labels().filter { $0 == 2 }.count == 10)
    let sine = try Datasets.noisySine(samples: 50, noise: 0, seed: 1)
    expectClose(sine.targets[10, 0], sin(sine.features[10, 0]), tolerance: 1e-15)
    #expect(Datasets.truthTable(.xor).targets.elements == [0, 1, 1, 0])
    #expect(Datasets.truthTable(.nand).targets.elements == [1, 1, 1, 0])
    #expect(throws: EngineError.self) { try Datasets.twoMoons(samples: -5) }
    #expect(throws: EngineError.self) { try Datasets.circles(factor: 2) }
  }

  @Test func splitsScalingAndOneHot() throws {
    let digits = Datasets.digits()
    let (train, validation, test) = try digits.split(validation: 0.15, test: 0.15, seed: 7)
    let sizes = [train.count, validation.count, test.count]
    #expect(sizes == [1257, 270, 270])
    #expect(try digits.split(validation: 0.15, test: 0.15, seed: 7).train == train)

    let scaler = try Scaler(fitting: train.features, kind: .standard)
    let scaled = try scaler.transform(train.features)
    for c in [10, 20, 43] {
      let column = try scaled.column(c)
      expectClose(column.reduce(0, +) / Double(column.count), 0, tolerance: 1e-12)
      expectClose(column.reduce(0) { $0 + $1 * $1 } / Double(column.count), 1, tolerance: 1e-9)
    }
    #expect(try scaled.column(0).allSatisfy { $0 == 0 }, "a constant column is only centred")
    let minMax = try Scaler(
      fitting: try Matrix([[1, 10], [3, 30], [2, 20]]), kind: .minMax(low: 0, high: 1))
    #expect(
      try minMax.transform(try Matrix([[1, 10], [3, 30], [2, 20]]))
        == Matrix([[0, 0], [1, 1], [0.5, 0.5]]))
    #expect(throws: EngineError.self) { try minMax.transform(try Matrix([[1, 2, 3]])) }

    let encoded = try Datasets.truthTable(.xor).oneHotTargets()
    #expect(encoded.targets == (try Matrix([[1, 0], [0, 1], [0, 1], [1, 0]])))
    #expect(throws: EngineError.self) { try oneHot([0, 3], classes: 3) }
    #expect(throws: EngineError.self) { try digits.split(validation: 0.6, test: 0.5) }
  }

  @Test func csvWithHeaderQuotesAndErrors() throws {
    let text = "x1,\"x 2\",label\n1,2,0\r\n3,\"4\",1\n\n5,6,1\n"
    let data = try Dataset(csv: text, hasHeader: true)
    #expect(data.featureNames == ["x1", "x 2"])
    #expect(data.targetNames == ["label"])
    #expect(data.features == (try Matrix([[1, 2], [3, 4], [5, 6]])))
    #expect(try data.labels() == [0, 1, 1])

    let notANumber = #expect(throws: EngineError.self) {
      try Dataset(csv: "a,b\n1,2\n3,x\n", hasHeader: true)
    }
    #expect(
      notANumber == .malformedCSV(line: 3, column: 2, message: "field 2 ('b') is 'x', not a number")
    )
    let ragged = #expect(throws: EngineError.self) {
      try Dataset(csv: "1,2\n3\n", hasHeader: false)
    }
    #expect(ragged?.description.contains("CSV line 2") == true)
    #expect(throws: EngineError.self) { try Dataset(csv: "1,\"2\n", hasHeader: false) }
    #expect(throws: EngineError.self) {
      try Dataset(csv: "1,2\n", hasHeader: false, targetColumns: [5])
    }
  }

  @Test func layersAndNetworksRejectBadShapes() throws {
    let weights = try Matrix<Double>(rows: 3, columns: 2)
    #expect(throws: EngineError.self) { try Dense(weights: weights, bias: [1], activation: .relu) }
    #expect(throws: EngineError.self) {
      try Dense(weights: weights, bias: nil, activation: .relu, unitNames: ["4"])
    }
    let first = try Dense(weights: weights, bias: nil, activation: .relu)
    let error = #expect(throws: EngineError.self) {
      try Network(inputs: 3, layers: [first, first])
    }
    #expect(error?.description.contains("NCOL(X) == NROW(W) needs 2 == 3") == true)
    var network = try Network(inputs: 3, layers: [first])
    #expect(throws: EngineError.self) {
      try network.setWeights(try Matrix(rows: 2, columns: 2), layer: 0)
    }
    #expect(throws: EngineError.self) { try network.setBias([1, 2], layer: 4) }
    #expect(throws: EngineError.self) { try network.forward(try Matrix(rows: 1, columns: 4)) }
    var g = RandomGenerator(seed: 1)
    #expect(throws: EngineError.self) {
      try Dense<Double>(inputs: 0, units: 3, activation: .relu, generator: &g)
    }
  }

  @Test func unitAndParameterNames() throws {
    let network = try TextbookTests.hanKamber()
    #expect(network.unitLabels.inputs == ["1", "2", "3"])
    #expect(network.unitLabels.layers == [["4", "5"], ["6"]])
    #expect(network.parameterName(.weight(layer: 1, from: 0, to: 0)) == "w46")
    #expect(network.parameterName(.bias(layer: 0, unit: 1)) == "θ5")
    let wide = try Network<Double>(
      inputs: 9, units: [3, 1], activations: [.relu, .identity], seed: 1)
    #expect(wide.parameterName(.weight(layer: 0, from: 8, to: 0)) == "w9,10")
    #expect(wide.parameterCount == 9 * 3 + 3 + 3 + 1)
  }

  @Test func initialisersFollowTheirScales() throws {
    var g = RandomGenerator(seed: 3)
    let glorot: [Double] = Initializer.glorotUniform.values(
      count: 5000, fanIn: 40, fanOut: 10, using: &g)
    let limit = (6.0 / 50).squareRoot()
    #expect(glorot.allSatisfy { abs($0) <= limit })
    #expect(glorot.max()! > 0.95 * limit)
    let he: [Double] = Initializer.heNormal.values(count: 20000, fanIn: 50, fanOut: 10, using: &g)
    let variance = he.reduce(0) { $0 + $1 * $1 } / 20000
    expectClose(variance, 2.0 / 50, tolerance: 0.003)
    #expect(Initializer(name: "xavier") == .glorotUniform)
    #expect(Initializer(name: "constant", parameters: [0.5]) == .constant(0.5))
    #expect(Initializer(name: "constant") == nil)
    let zeros: [Float] = Initializer.zeros.values(count: 3, fanIn: 1, fanOut: 1, using: &g)
    #expect(zeros == [0, 0, 0])
  }

  /// Found by the CSV fuzz target: an empty CSV once trapped on a range 1...0.
  @Test func anEmptyCSVIsAnErrorNotATrap() throws {
    #expect(throws: EngineError.self) { try Dataset(csv: "", hasHeader: false) }
    #expect(throws: EngineError.self) { try Dataset(csv: "\n\n", hasHeader: false) }
    let none = try Dataset(
      features: Matrix(rows: 2, columns: 1, elements: [1, 2]),
      targets: Matrix(rows: 2, columns: 0, elements: []))
    #expect(none.targetNames.isEmpty)
  }
}
