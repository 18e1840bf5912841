import NeuralEngine

/// What a block does with a model, whatever layers it has: the dense network alone, or the
/// convolutional or recurrent network its front and head make.
extension ModelEntry {
  /// The convolutional network, when the model has convolution or pooling layers.
  func convolutional() throws -> ConvolutionalNetwork<Double>? {
    guard case .convolution(let height, let width, let channels, let stages) = front else {
      return nil
    }
    return try ConvolutionalNetwork(
      height: height, width: width, channels: channels, stages: stages, head: network)
  }

  /// The recurrent network, when the model starts with a recurrent cell.
  func recurrent() throws -> RecurrentNetwork<Double>? {
    guard case .recurrent(let cell, _) = front else { return nil }
    return try RecurrentNetwork(cell: cell, head: network)
  }

  /// What kind of model it is, for a sentence: "a convolutional network".
  var kindPhrase: String {
    switch front {
    case .convolution: "a convolutional network"
    case .recurrent: "a recurrent network"
    case nil: "a dense network"
    }
  }

  /// Values per sample: the inputs of a dense model, an image's pixels, a sequence's steps
  /// times its inputs.
  var sampleWidth: Int {
    switch front {
    case .convolution(let height, let width, let channels, _): height * width * channels
    case .recurrent(let cell, let steps): steps * cell.inputCount
    case nil: network.inputCount
    }
  }

  var parameterCount: Int {
    switch front {
    case .convolution(_, _, _, let stages):
      stages.reduce(network.parameterCount) {
        if case .convolution(let layer) = $1 { $0 + layer.parameterCount } else { $0 }
      }
    case .recurrent(let cell, _): cell.parameterCount + network.parameterCount
    case nil: network.parameterCount
    }
  }

  /// Multiply-adds of one sample's forward pass.
  func multiplyAdds() throws -> Int {
    if let cnn = try convolutional() { return try cnn.multiplyAdds() }
    let dense = network.layers.reduce(0) { $0 + $1.weights.elements.count }
    if case .recurrent(let cell, let steps) = front {
      return dense + steps
        * (cell.inputWeights.elements.count + cell.recurrentWeights.elements.count)
    }
    return dense
  }

  /// The outputs for samples, one per row.
  func predict(_ samples: Matrix<Double>) throws -> Matrix<Double> {
    if let cnn = try convolutional() { return try cnn.predict(samples: samples) }
    if let rnn = try recurrent() { return try rnn.predict(samples: samples) }
    return try network.predict(samples)
  }

  /// The loss and metrics on samples, without training.
  func evaluate(_ samples: Matrix<Double>, _ targets: Matrix<Double>, loss: Loss, metrics: [Metric])
    throws -> (loss: Double, metrics: [Double])
  {
    if let cnn = try convolutional() {
      return try cnn.evaluate(samples: samples, targets, loss: loss, metrics: metrics)
    }
    if let rnn = try recurrent() {
      return try rnn.evaluate(samples: samples, targets, loss: loss, metrics: metrics)
    }
    return try network.evaluate(samples, targets, loss: loss, metrics: metrics)
  }

  /// Training with the shared loop of the model's kind.
  mutating func fit(
    _ samples: Matrix<Double>, _ targets: Matrix<Double>, configuration: TrainingConfiguration,
    validation: (Matrix<Double>, Matrix<Double>)?, progress: TrainingProgress?,
    interrupt: (() -> Bool)?
  ) throws -> TrainingHistory {
    if var cnn = try convolutional() {
      let history = try cnn.fit(
        samples, targets, configuration: configuration, validation: validation,
        progress: progress, interrupt: interrupt)
      front = .convolution(
        height: cnn.height, width: cnn.width, channels: cnn.channels, stages: cnn.stages)
      network = cnn.head
      return history
    }
    if var rnn = try recurrent(), case .recurrent(_, let steps) = front {
      let history = try rnn.fit(
        samples, targets, configuration: configuration, validation: validation,
        progress: progress, interrupt: interrupt)
      front = .recurrent(rnn.cell, steps: steps)
      network = rnn.head
      return history
    }
    return try network.fit(
      samples, targets, configuration: configuration, validation: validation,
      progress: progress, interrupt: interrupt)
  }
}
